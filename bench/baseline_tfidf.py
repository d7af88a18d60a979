"""A plain baseline for the relevance sets: TF-IDF over single Chinese
characters, Chinese character pairs and Latin words, cosine ranking of the
whole catalogue, nothing else. The figure the production matcher is compared
with in docs/BENCHMARKS.md ("Relevance").

    .venv/bin/python -m bench.baseline_tfidf bench/data/zh_sme \\
        ../shared/eval/toolbench_dev/capabilities.jsonl:bench/data/xlang_toolbench/needs.jsonl

A set is a folder with capabilities.jsonl and needs.jsonl, or the two files
joined by a colon.
"""

import argparse
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.ml.evaluation import load
from matching.ml.metrics import summarize

_TOKENS = re.compile(r"([\u3400-\u9fff]+)|([^\W_]+)")


def tokens(text: str) -> list[str]:
    result: list[str] = []
    for match in _TOKENS.finditer(text.casefold()):
        chinese, word = match.groups()
        if chinese:
            result.extend(chinese)
            result.extend(chinese[i : i + 2] for i in range(len(chinese) - 1))
        else:
            result.append(word)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+")
    arguments = parser.parse_args(argv)
    print(f"{'set':<20} {'R@5':>6} {'R@10':>6} {'NDCG@10':>8} {'MRR':>6}")
    for spec in arguments.sets:
        if ":" in spec:
            capabilities_path, needs_path = (Path(part) for part in spec.split(":", 1))
        else:
            capabilities_path, needs_path = Path(spec) / "capabilities.jsonl", Path(spec) / "needs.jsonl"
        capabilities, needs, relevant = load(capabilities_path, needs_path)
        texts = [" ".join([c.title, c.description, " ".join(c.tags)]) for c in capabilities]
        vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True).fit(texts + [n.text for n in needs])
        scores = (vectorizer.transform([n.text for n in needs]) @ vectorizer.transform(texts).T).toarray()
        order = np.argsort(-scores, axis=1, kind="stable")
        ids = [c.id for c in capabilities]
        result = summarize([[ids[j] for j in row] for row in order], relevant, k=10)
        name = needs_path.parent.name
        print(
            f"{name:<20} {result['recall@5']:>6.3f} {result['recall@10']:>6.3f} {result['ndcg@10']:>8.3f} {result['mrr']:>6.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
