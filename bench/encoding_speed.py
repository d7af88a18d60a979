"""Speed of the semantic view's encoder on listing texts.

    .venv/bin/python -m bench.encoding_speed bench/data/zh_sme/capabilities.jsonl $SETS/toolbench_dev/capabilities.jsonl

For each JSON-lines file: capabilities (``title``, ``description``, ``tags``)
are read as the semantic view reads them (``encoder.listing_text``: title,
tags, the opening of the description), needs (``text``) as they are. Then,
with the production encoder (``--encoder use``, one thread, as a worker
process holds it):

- batched, as ``encode_listings`` and a catalogue without stored vectors
  encode: all texts at once (the encoder's own batches), timed ``--rounds``
  times, the best kept — texts per second and seconds per 1,000 texts;
- one at a time, as a need published alone is encoded: the median and p95
  per text over the first ``--single`` texts.

Loading the weights (the first call) is timed apart. Prints the process's
peak memory (ru_maxrss).
"""

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from matching.ml.encoder import encoder_for, listing_text


def texts_of(path: Path) -> list[str]:
    """The texts the encoder reads from one JSON-lines file of capabilities or needs."""
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            if "title" in row:
                texts.append(listing_text(row["title"], row.get("description") or "", row.get("tags") or ()))
            else:
                texts.append(row["text"])
    return texts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path, help="JSON-lines files of capabilities or needs")
    parser.add_argument("--encoder", default="use", help="the encoder's setting name (use, hashing); default use")
    parser.add_argument("--rounds", type=int, default=3, help="batched runs per file (the best is kept)")
    parser.add_argument("--single", type=int, default=200, help="texts encoded one at a time per file")
    arguments = parser.parse_args(argv)

    encoder = encoder_for(arguments.encoder)
    began = time.perf_counter()
    encoder.encode(["warm up"])
    print(f"encoder {encoder.name} ({encoder.dim} dimensions): weights loaded in {time.perf_counter() - began:.1f} s")
    for path in arguments.files:
        texts = texts_of(path)
        if not texts:
            print(f"{path.name}: no texts")
            continue
        characters = sum(len(text) for text in texts) / len(texts)
        best = float("inf")
        for _round in range(max(1, arguments.rounds)):
            began = time.perf_counter()
            encoder.encode(texts)
            best = min(best, time.perf_counter() - began)
        single = []
        for text in texts[: arguments.single]:
            began = time.perf_counter()
            encoder.encode([text])
            single.append((time.perf_counter() - began) * 1000)
        single.sort()
        print(
            f"{path.parent.name}/{path.name}: {len(texts):,} texts, {characters:.0f} characters on average; "
            f"batched {len(texts) / best:,.0f} texts/s = {best / len(texts) * 1000:.2f} s per 1,000 texts "
            f"(best of {max(1, arguments.rounds)}); one at a time ({len(single)} texts): "
            f"median {statistics.median(single):.1f} ms, p95 {single[int(0.95 * (len(single) - 1))]:.1f} ms"
        )
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
