"""Retrieval quality of the matching core on relevance sets.

Each set is a folder with capabilities.jsonl ({"id", "title", "description",
"kind", "tags"}) and needs.jsonl ({"id", "text", "relevant": [ids]}).

    .venv/bin/python -m bench.evaluate_matching ../shared/eval/toolbench_dev ../shared/eval/gorilla_apibench

Prints one line per set and representation: recall@5, recall@10, NDCG@10 and
MRR@100 (the reciprocal rank when the first relevant item is in the top 100,
else 0), over the whole capability list of the set.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from matching.ml.metrics import summarize
from matching.ml.retrieval import top_k
from matching.ml.text import TextModel, TextModelConfig

DEPTH = 100


def load(folder: Path):
    capabilities = [json.loads(line) for line in (folder / "capabilities.jsonl").open(encoding="utf-8")]
    needs = [json.loads(line) for line in (folder / "needs.jsonl").open(encoding="utf-8")]
    return capabilities, needs


def capability_text(capability: dict) -> str:
    # The title twice: it says what the capability is; descriptions ramble.
    title = capability.get("title", "")
    return " ".join([title, title, capability.get("description", ""), " ".join(capability.get("tags", []))])


def evaluate(folder: Path, config: TextModelConfig) -> dict:
    capabilities, needs = load(folder)
    corpus_texts = [capability_text(c) for c in capabilities]
    query_texts = [n["text"] for n in needs]
    started = time.perf_counter()
    model = TextModel(config).fit(corpus_texts + query_texts)
    corpus = model.transform(corpus_texts)
    queries = model.transform(query_texts)
    indices, _scores = top_k(queries, corpus, DEPTH)
    elapsed = time.perf_counter() - started
    position = {c["id"]: i for i, c in enumerate(capabilities)}
    relevants = [{position[r] for r in n["relevant"] if r in position} for n in needs]
    rankings = [[i for i in row if i >= 0] for row in indices.tolist()]
    result = summarize(rankings, relevants)
    result.update(seconds=elapsed, capabilities=len(capabilities))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument(
        "--term-weights", default="1.0,0.0,0.5", help="comma-separated; 1 = terms only, 0 = characters only"
    )
    arguments = parser.parse_args(argv)
    print(f"{'set':<22} {'term weight':>11} {'R@5':>6} {'R@10':>6} {'NDCG@10':>8} {'MRR@100':>8} {'seconds':>8}")
    for folder in arguments.sets:
        for weight in (float(w) for w in arguments.term_weights.split(",")):
            r = evaluate(folder, TextModelConfig(term_weight=weight))
            print(
                f"{folder.name:<22} {weight:>11.2f} {r['recall@5']:>6.3f} {r['recall@10']:>6.3f} "
                f"{r['ndcg@10']:>8.3f} {r['mrr']:>8.3f} {r['seconds']:>8.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
