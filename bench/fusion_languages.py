"""Fusion across languages: Chinese needs against a bilingual catalogue.

The cross-language set (bench/data/xlang_toolbench: Chinese translations of
toolbench_dev needs, relevant capabilities in English) is ranked against the
English catalogue alone and against that catalogue plus the Chinese
catalogue of bench/data/zh_sme, whose capabilities are all irrelevant to
these needs but share their language: what a Chinese SME meets on Tandem.
For each value of ``FusionConfig.cross_language`` (0: the plain weighted
sum, the naive fusion) the production pipeline ranks every capability and
NDCG@10 is printed.

    .venv/bin/python -m bench.fusion_languages ../shared/eval/toolbench_dev/capabilities.jsonl \\
        --cross 0,0.2,0.3,0.4,0.55 --cache /tmp/vectors
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from bench.calibrate import CachedEncoder
from matching.ml.engine import Matcher
from matching.ml.evaluation import load
from matching.ml.fusion import FusionConfig
from matching.ml.metrics import summarize

DATA = Path(__file__).resolve().parent / "data"


def ndcg(capabilities, needs, relevant, encoder, fusion: FusionConfig) -> float:
    matcher = Matcher(
        capabilities, extra_texts=[need.text for need in needs], encoder=encoder, fusion=fusion, relevance_floor=0.0
    )
    found = matcher.match(needs, k=len(capabilities), depth=len(capabilities), explain=False)
    return summarize([[p.capability_id for p in row] for row in found], relevant, k=10)["ndcg@10"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("english", type=Path, help="toolbench_dev/capabilities.jsonl")
    parser.add_argument("--cross", default="0,0.3,0.55", help="comma-separated cross_language values")
    parser.add_argument("--cache", type=Path, help="keep sentence vectors in this folder")
    arguments = parser.parse_args(argv)
    encoder = CachedEncoder(arguments.cache)
    english, needs, relevant = load(arguments.english, DATA / "xlang_toolbench" / "needs.jsonl")
    chinese, _needs, _relevant = load(DATA / "zh_sme" / "capabilities.jsonl", DATA / "zh_sme" / "needs.jsonl")
    # Ids kept apart from the English ones: none of these is relevant.
    bilingual = english + [replace(record, id=f"zh_sme::{record.id}") for record in chinese]
    print(f"{'cross_language':>14} {'English catalogue':>18} {'bilingual catalogue':>20}")
    for value in (float(v) for v in arguments.cross.split(",")):
        fusion = FusionConfig(cross_language=value)
        print(
            f"{value:>14.2f} {ndcg(english, needs, relevant, encoder, fusion):>18.3f} "
            f"{ndcg(bilingual, needs, relevant, encoder, fusion):>20.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
