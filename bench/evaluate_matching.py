"""Ranking quality of the production matcher on relevance sets, for several
text-fusion weights (the management command `evaluate_matching` runs one
setting on any pair of files).

Each set is a folder with capabilities.jsonl ({"id", "title", "description",
"kind", "tags"}) and needs.jsonl ({"id", "text", "relevant": [ids]}).

    .venv/bin/python -m bench.evaluate_matching bench/data/zh_check bench/data/mixed_check [more set folders]

Prints one line per set and term weight: recall@5, recall@10, NDCG@10 and MRR
of the whole pipeline (text, retrieval over the whole catalogue, features and
the prior), and the seconds it took.
"""

import argparse
import sys
from pathlib import Path

from matching.ml.evaluation import evaluate
from matching.ml.text import TextModelConfig


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument(
        "--term-weights", default="0.5", help="comma-separated; 1 = terms only, 0 = characters only (default 0.5)"
    )
    arguments = parser.parse_args(argv)
    print(f"{'set':<22} {'term weight':>11} {'R@5':>6} {'R@10':>6} {'NDCG@10':>8} {'MRR':>6} {'seconds':>8}")
    for folder in arguments.sets:
        for weight in (float(w) for w in arguments.term_weights.split(",")):
            r = evaluate(
                folder / "capabilities.jsonl", folder / "needs.jsonl", config=TextModelConfig(term_weight=weight)
            )
            print(
                f"{folder.name:<22} {weight:>11.2f} {r['recall@5']:>6.3f} {r['recall@10']:>6.3f} "
                f"{r['ndcg@10']:>8.3f} {r['mrr']:>6.3f} {r['seconds']:>8.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
