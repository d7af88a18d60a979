"""Speed of the text core on a synthetic catalogue.

    .venv/bin/python -m bench.matching_speed --capabilities 100000 --needs 200

Builds a deterministic synthetic corpus (Zipf-distributed Latin pseudo-words
and Chinese character runs, 30 tokens per capability, 15 per need), fits the
text model, transforms the catalogue once (as a worker keeps it in memory),
then times matching one need at a time: transform + top-20 retrieval against
the whole catalogue. Prints fit/transform times, the per-need median and p95,
and the process's peak memory.
"""

import argparse
import resource
import statistics
import sys
import time

import numpy as np

from matching.ml.retrieval import SparseIndex
from matching.ml.text import TextModel

LATIN = "abcdefghijklmnopqrstuvwxyz"


def vocabulary(rng: np.random.Generator, size: int = 20000) -> list[str]:
    words = ["".join(rng.choice(list(LATIN), size=rng.integers(3, 9))) for _ in range(size // 2)]
    chinese = [
        "".join(chr(code) for code in rng.integers(0x4E00, 0x4E00 + 3000, size=rng.integers(2, 5)))
        for _ in range(size // 2)
    ]
    return words + chinese


def texts(rng: np.random.Generator, words: list[str], count: int, length: int) -> list[str]:
    ranks = np.minimum(rng.zipf(1.3, size=(count, length)) - 1, len(words) - 1)
    order = rng.permutation(len(words))
    return [" ".join(words[order[rank]] for rank in row) for row in ranks]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capabilities", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=200)
    parser.add_argument("--k", type=int, default=20)
    arguments = parser.parse_args(argv)
    rng = np.random.default_rng(2026)
    words = vocabulary(rng)
    capability_texts = texts(rng, words, arguments.capabilities, 30)
    need_texts = texts(rng, words, arguments.needs, 15)

    started = time.perf_counter()
    model = TextModel().fit(capability_texts)
    fitted = time.perf_counter()
    catalogue = model.transform(capability_texts)
    index = SparseIndex(catalogue)
    transformed = time.perf_counter()
    print(
        f"catalogue: {arguments.capabilities:,} capabilities, {catalogue.shape[1]:,} features, {catalogue.nnz:,} non-zeros"
    )
    print(f"fit {fitted - started:.1f} s, transform and index {transformed - fitted:.1f} s")

    latencies = []
    for text in need_texts:
        begin = time.perf_counter()
        index.search(model.transform([text]), arguments.k)
        latencies.append((time.perf_counter() - begin) * 1000)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"one need, transform + top-{arguments.k}: median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
