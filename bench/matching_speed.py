"""Speed of matching one new need against a large synthetic catalogue.

    .venv/bin/python -m bench.matching_speed --capabilities 100000 --needs 200
    .venv/bin/python -m bench.matching_speed --capabilities 100000 --needs 200 --encoder none

Builds a deterministic synthetic catalogue (Zipf-distributed Latin
pseudo-words and Chinese character runs for the text; kinds, provinces —
some capabilities regional —, industries, size bands, verification, prices,
tags, track records and publication dates for the facts) and needs with kinds,
a province, a size band, an industry, a budget and tags. Builds the
``Matcher`` once (as a worker keeps it in memory), then times
``Matcher.match`` on one ``NeedRecord`` at a time — text transform, retrieval
with the hard filters, features, ranking and reasons; no database — and
prints the per-need median and p95 and the process's peak memory.

Both views by default (``--encoder use``, the production setting): the
catalogue's stored sentence vectors are random unit vectors of the encoder's
dimension (``random_vectors``, deterministic: what a dot product costs does
not depend on the values), but each need's text is encoded by the real
encoder inside ``Matcher.match``, as when a need is published, so the time is
encode + retrieve (both views, fused) + rank + reasons; the encoding's own
share is printed beside. ``--encoder none``: the lexical view alone.

The provinces are the 31 of the mainland: one ``Codes`` table per matcher
gives out at most 63 bits over kinds, industries, provinces and size bands
together, and 6 + 20 + 34 + 4 would be 64.
"""

import argparse
import resource
import statistics
import sys
import time

import numpy as np

from matching.ml.encoder import Encoder, encoder_for
from matching.ml.engine import Matcher
from matching.ml.ranker import PRIOR
from matching.ml.records import CapabilityRecord, NeedRecord

LATIN = "abcdefghijklmnopqrstuvwxyz"
DAY = 86400.0
# A fixed clock, so that freshness (and the run) never depends on the day.
NOW = 20_000 * DAY

KINDS = ("api", "model", "data", "tool", "compute", "expertise")
KIND_WEIGHTS = (0.30, 0.20, 0.15, 0.15, 0.10, 0.10)
PROVINCES = (
    "guangdong",
    "jiangsu",
    "zhejiang",
    "shandong",
    "beijing",
    "shanghai",
    "henan",
    "sichuan",
    "hubei",
    "fujian",
    "hunan",
    "anhui",
    "hebei",
    "shaanxi",
    "jiangxi",
    "chongqing",
    "liaoning",
    "yunnan",
    "guangxi",
    "shanxi",
    "inner_mongolia",
    "guizhou",
    "xinjiang",
    "tianjin",
    "heilongjiang",
    "jilin",
    "gansu",
    "hainan",
    "ningxia",
    "qinghai",
    "xizang",
)
INDUSTRIES = (
    "agriculture",
    "mining",
    "manufacturing",
    "utilities",
    "construction",
    "trade",
    "logistics",
    "hospitality",
    "information_technology",
    "finance",
    "real_estate",
    "business_services",
    "research",
    "environment",
    "resident_services",
    "education",
    "health",
    "culture",
    "public_administration",
    "international",
)
SIZE_BANDS = ("micro", "small", "medium", "large")
SIZE_WEIGHTS = (0.45, 0.35, 0.15, 0.05)
# Regional programmes tend to share words (subsidies, vouchers): the case where
# the hard filters remove most of a need's nearest capabilities.
REGIONAL_WORDS = "补贴 subsidy 中小企业 voucher"


def _weights(count: int, exponent: float) -> np.ndarray:
    values = 1.0 / np.arange(1, count + 1) ** exponent
    return values / values.sum()


PROVINCE_WEIGHTS = _weights(len(PROVINCES), 0.8)
INDUSTRY_WEIGHTS = _weights(len(INDUSTRIES), 0.5)


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


def _pick(rng: np.random.Generator, values, weights, count: int) -> frozenset[str]:
    chosen = rng.choice(len(values), size=count, replace=False, p=weights)
    return frozenset(values[i] for i in chosen)


def _tags(rng: np.random.Generator, names: list[str], count: int) -> tuple[str, ...]:
    ranks = np.minimum(rng.zipf(1.6, size=count) - 1, len(names) - 1)
    return tuple(dict.fromkeys(names[rank] for rank in ranks))


def synthetic_capabilities(count: int, *, seed: int = 2026) -> list[CapabilityRecord]:
    """``count`` capabilities with realistic facts: about one in five regional
    (one to three provinces), some for given firm sizes or industries, some
    requiring verification, some free, some priced."""
    rng = np.random.default_rng(seed)
    words = vocabulary(rng)
    bodies = texts(rng, words, count, 30)
    tag_names = words[::7][:3000]
    facts = np.random.default_rng(seed + 1)
    records = []
    for i, body in enumerate(bodies):
        tokens = body.split(" ")
        kind = KINDS[facts.choice(len(KINDS), p=KIND_WEIGHTS)]
        regional = facts.random() < 0.2
        regions = _pick(facts, PROVINCES, PROVINCE_WEIGHTS, int(facts.choice([1, 2, 3], p=[0.7, 0.2, 0.1])))
        title = " ".join(tokens[:5])
        description = " ".join(tokens[5:])
        if regional:
            title = f"{title} {' '.join(sorted(regions))} {REGIONAL_WORDS}"
        size_roll = facts.random()
        if size_roll < 0.7:
            sizes = frozenset()
        elif size_roll < 0.85:
            sizes = frozenset({"micro", "small"})
        elif size_roll < 0.94:
            sizes = frozenset({"micro", "small", "medium"})
        else:
            sizes = frozenset({"medium", "large"})
        industries = (
            frozenset()
            if facts.random() < 0.6
            else _pick(facts, INDUSTRIES, INDUSTRY_WEIGHTS, int(facts.integers(1, 4)))
        )
        price_roll = facts.random()
        if price_roll < 0.25:
            price_min, price_max = 0.0, 0.0
        elif price_roll < 0.70:
            price_min = float(round(facts.lognormal(np.log(500), 1.2), 0))
            price_max = None if facts.random() < 0.1 else float(round(price_min * facts.uniform(1, 5), 0))
        else:
            price_min = price_max = None
        decided = int(facts.geometric(0.15)) - 1 if facts.random() < 0.5 else 0
        accepted = int(facts.binomial(decided, facts.uniform(0.2, 0.9))) if decided else 0
        records.append(
            CapabilityRecord(
                id=i,
                title=title,
                description=description,
                kind=kind,
                tags=_tags(facts, tag_names, int(facts.integers(2, 6))),
                industries=industries,
                regions=regions if regional else frozenset(),
                size_bands=sizes,
                requires_verification=bool(facts.random() < 0.15),
                price_min=price_min,
                price_max=price_max,
                accepted=accepted,
                decided=decided,
                published_at=NOW - float(facts.uniform(0, 730)) * DAY,
            )
        )
    return records


def synthetic_needs(count: int, *, seed: int = 7) -> list[NeedRecord]:
    """``count`` needs: most name one or two kinds, nearly all a province and a
    size band, most an industry; half a budget, half tags; one in five asks
    for the words regional programmes use."""
    rng = np.random.default_rng(2026)
    words = vocabulary(rng)  # the catalogue's words, drawn the same way
    tag_names = words[::7][:3000]
    bodies = texts(np.random.default_rng(seed), words, count, 15)
    facts = np.random.default_rng(seed + 1)
    records = []
    for i, body in enumerate(bodies):
        kind_roll = facts.random()
        kinds = (
            frozenset()
            if kind_roll < 0.4
            else _pick(facts, KINDS, np.array(KIND_WEIGHTS), 1 if kind_roll < 0.85 else 2)
        )
        region = PROVINCES[facts.choice(len(PROVINCES), p=PROVINCE_WEIGHTS)] if facts.random() < 0.95 else ""
        if region and facts.random() < 0.2:
            body = f"{body} {REGIONAL_WORDS}"
        budget_min = budget_max = None
        if facts.random() < 0.5:
            budget_max = float(round(facts.lognormal(np.log(1000), 1.0), 0))
            budget_min = 0.0 if facts.random() < 0.5 else round(budget_max / 3, 0)
        records.append(
            NeedRecord(
                id=i,
                text=body,
                kinds=kinds,
                tags=_tags(facts, tag_names, int(facts.integers(1, 4))) if facts.random() < 0.5 else (),
                industry=INDUSTRIES[facts.choice(len(INDUSTRIES), p=INDUSTRY_WEIGHTS)] if facts.random() < 0.9 else "",
                region=region,
                size_band=SIZE_BANDS[facts.choice(len(SIZE_BANDS), p=SIZE_WEIGHTS)] if facts.random() < 0.95 else "",
                verified=bool(facts.random() < 0.6),
                budget_min=budget_min,
                budget_max=budget_max,
                published_at=NOW - float(facts.uniform(0, 90)) * DAY,
            )
        )
    return records


def random_vectors(count: int, dim: int, *, seed: int) -> np.ndarray:
    """``count`` deterministic L2-normalised float32 rows of ``dim``: stored
    sentence vectors for a synthetic catalogue (or needs)."""
    rows = np.random.default_rng(seed).standard_normal((count, dim), dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def semantic_encoder(name: str) -> Encoder | None:
    """The encoder of that setting name (``none``: the lexical view alone)."""
    return None if name == "none" else encoder_for(name)


class TimedEncoder:
    """An encoder that adds up the seconds its ``encode`` takes."""

    def __init__(self, inner: Encoder):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.seconds = 0.0

    def encode(self, texts) -> np.ndarray:
        began = time.perf_counter()
        try:
            return self.inner.encode(texts)
        finally:
            self.seconds += time.perf_counter() - began


def peak_memory_mb() -> float:
    """This process's peak resident set size (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capabilities", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=200)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument(
        "--encoder",
        default="use",
        help="the semantic view's encoder (use, hashing), or none for the lexical view alone; default use",
    )
    arguments = parser.parse_args(argv)
    encoder = semantic_encoder(arguments.encoder)
    timed = TimedEncoder(encoder) if encoder is not None else None

    started = time.perf_counter()
    capabilities = synthetic_capabilities(arguments.capabilities)
    needs = synthetic_needs(arguments.needs)
    vectors = random_vectors(len(capabilities), encoder.dim, seed=2027) if encoder is not None else None
    generated = time.perf_counter()
    matcher = Matcher(capabilities, encoder=timed, vectors=vectors)
    built = time.perf_counter()
    regional = sum(1 for record in capabilities if record.regions)
    print(
        f"catalogue: {len(capabilities):,} capabilities ({regional:,} regional), "
        f"{matcher.matrix.shape[1]:,} features, {matcher.matrix.nnz:,} non-zeros"
    )
    print(
        "views: lexical only"
        if encoder is None
        else f"views: lexical + semantic ({encoder.name}, {encoder.dim} dimensions; stored catalogue vectors random)"
    )
    print(
        f"synthetic data {generated - started:.1f} s; Matcher built (fit, transform, facts) in {built - generated:.1f} s"
    )

    began = time.perf_counter()
    # Builds the exact indexes (and loads the encoder's weights).
    matcher.match(needs[:1], PRIOR, k=arguments.k, depth=arguments.depth, now=NOW)
    print(f"first match, which builds the exact indexes and loads the encoder: {time.perf_counter() - began:.1f} s")
    latencies, encoding = [], []
    proposals = 0
    for need in needs:
        encoded_before = timed.seconds if timed is not None else 0.0
        begin = time.perf_counter()
        result = matcher.match([need], PRIOR, k=arguments.k, depth=arguments.depth, now=NOW)
        latencies.append((time.perf_counter() - begin) * 1000)
        encoding.append(((timed.seconds if timed is not None else 0.0) - encoded_before) * 1000)
        proposals += len(result[0])
    rest = sorted(total - encoded for total, encoded in zip(latencies, encoding, strict=True))
    latencies.sort()
    encoding.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"one need, Matcher.match ({'encode + ' if encoder is not None else ''}transform + retrieval + filters + "
        f"features + ranking + reasons, top-{arguments.k} of {arguments.depth}), {len(needs)} needs: "
        f"median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms"
    )
    if encoder is not None:
        print(
            f"  of which encoding the need's text: median {statistics.median(encoding):.1f} ms, "
            f"p95 {encoding[int(0.95 * (len(encoding) - 1))]:.1f} ms; "
            f"everything else: median {statistics.median(rest):.1f} ms, p95 {rest[int(0.95 * (len(rest) - 1))]:.1f} ms"
        )
    print(f"proposals per need: {proposals / max(len(needs), 1):.1f}")
    print(f"peak memory {peak_memory_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
