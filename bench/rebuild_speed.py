"""Speed of the full rebuild: every need against the whole catalogue, top 20.

    .venv/bin/python -m bench.rebuild_speed --needs 100000 --capabilities 100000 --workers 1 2
    .venv/bin/python -m bench.rebuild_speed --needs 100000 --capabilities 100000 --workers 1 2 --encoder none

A small run: ``--needs 2000 --capabilities 2000``.

Both views by default (``--encoder use``, the production setting): the
capabilities' and the needs' sentence vectors are given, as the production
rebuild reads them stored from the database (encoding is measured apart, by
``bench.encoding_speed``); here they are deterministic random unit vectors of
the encoder's dimension (``bench.matching_speed.random_vectors``: a dot
product costs the same whatever the values). ``--encoder none``: the lexical
view alone.

The synthetic catalogue and needs are those of ``bench.matching_speed``. The
parent process builds the ``Matcher`` (text model fitted on capabilities and
needs, catalogue transformed, facts in columns) and its bulk index, freezes
the garbage collector's view of those objects (``gc.freeze``: long-lived data
is never scanned again, and forked workers do not copy its pages by touching
it), then a pool of worker processes (fork: each has the catalogue without
copying it) takes the needs chunk by chunk and runs ``Matcher.match_bulk``,
whose proposals are counted and hashed, not stored (no database here).

Printed, for 1 and for 2 worker processes: the seconds spent in each stage
— (a) text: building the matcher (fit + transform of the catalogue), its bulk
index, and transforming the needs; (b) retrieval; (c) features and ranking;
(d) reasons; (e) building the Proposal objects — summed over workers and per
worker; the pool's wall-clock time; each process's peak memory (ru_maxrss,
which counts the pages it shares with the parent, and its proportional share
from /proc when available); and a digest of all proposals, the same for any
number of workers.

Then, on a sample: the bulk results against ``Matcher.match`` (exact SciPy
retrieval) with and without the exact fallback — how often a need gets fewer
than k proposals, or other ones — and the naive way: a Python loop over every
(need, capability) pair computing the same score (text cosine by a per-pair
sparse row dot, the hard filters, the features, the prior), timed on a few
needs against the whole catalogue and extrapolated to all pairs, with the
ratio to the bulk path.
"""

import argparse
import gc
import hashlib
import heapq
import math
import multiprocessing
import os
import resource
import sys
import time

import numpy as np

from bench.matching_speed import NOW, random_vectors, semantic_encoder, synthetic_capabilities, synthetic_needs
from matching.ml.engine import BULK_CHUNK, OVERSAMPLE, Matcher
from matching.ml.features import DAY, FRESHNESS_HALF_LIFE_DAYS
from matching.ml.ranker import PRIOR

STAGES = ("transform", "retrieval", "features", "ranking", "reasons", "proposals")

# What the workers share (inherited on fork, never pickled).
_MATCHER: Matcher | None = None
_NEEDS: list = []
_NEED_VECTORS: np.ndarray | None = None
_SETTINGS: dict = {}


def _proportional_mb() -> float | None:
    """This process's proportional set size (shared pages split between the
    processes sharing them), when the system tells."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _digest(proposals) -> str:
    """A hash of who is proposed to whom, with what score and rank."""
    blob = repr(
        [(p.need_id, p.capability_id, p.score, p.rank, len(p.reasons)) for row in proposals for p in row]
    ).encode()
    return hashlib.blake2b(blob, digest_size=8).hexdigest()


def _work(span: tuple[int, int]) -> dict:
    """One task of a worker: one chunk of needs, matched and counted."""
    start, end = span
    stats: dict = {}
    began = time.perf_counter()
    digests, proposals, short_of_k = [], 0, 0
    for chunk in _MATCHER.match_bulk(
        _NEEDS[start:end],
        PRIOR,
        k=_SETTINGS["k"],
        depth=_SETTINGS["depth"],
        now=NOW,
        chunk_size=end - start,
        stats=stats,
        vectors=None if _NEED_VECTORS is None else _NEED_VECTORS[start:end],
    ):
        digests.append(_digest(chunk))
        proposals += sum(len(row) for row in chunk)
        short_of_k += sum(1 for row in chunk if len(row) < _SETTINGS["k"])
    return {
        "start": start,
        "pid": os.getpid(),
        "stats": stats,
        "seconds": time.perf_counter() - began,
        "digest": "".join(digests),
        "proposals": proposals,
        "short_of_k": short_of_k,
        "peak_mb": _peak_mb(),
        "pss_mb": _proportional_mb(),
    }


def run_pool(workers: int, chunk: int) -> dict:
    spans = [(start, min(start + chunk, len(_NEEDS))) for start in range(0, len(_NEEDS), chunk)]
    context = multiprocessing.get_context("fork")
    began = time.perf_counter()
    with context.Pool(workers) as pool:
        results = list(pool.imap_unordered(_work, spans, chunksize=1))
    wall = time.perf_counter() - began
    results.sort(key=lambda result: result["start"])
    per_worker: dict[int, dict] = {}
    for result in results:
        mine = per_worker.setdefault(result["pid"], {"tasks": 0, "peak_mb": 0.0, "pss_mb": 0.0})
        mine["tasks"] += 1
        mine["peak_mb"] = max(mine["peak_mb"], result["peak_mb"])
        mine["pss_mb"] = max(mine["pss_mb"], result["pss_mb"] or 0.0)
        for name, value in result["stats"].items():
            mine[name] = mine.get(name, 0) + value
    totals: dict = {}
    for result in results:
        for name, value in result["stats"].items():
            totals[name] = totals.get(name, 0) + value
    digest = hashlib.blake2b("".join(r["digest"] for r in results).encode(), digest_size=8).hexdigest()
    return {
        "wall": wall,
        "totals": totals,
        "per_worker": per_worker,
        "digest": digest,
        "proposals": sum(r["proposals"] for r in results),
        "short_of_k": sum(r["short_of_k"] for r in results),
        "children_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN),
    }


def report_pool(workers: int, run: dict) -> None:
    totals = run["totals"]
    retrieval = totals.get("retrieval", 0.0)
    features = totals.get("features", 0.0) + totals.get("ranking", 0.0)
    reasons = totals.get("reasons", 0.0)
    proposals = totals.get("proposals", 0.0)
    transform = totals.get("transform", 0.0)
    print(f"\n== {workers} worker process{'es' if workers > 1 else ''} ==")
    print(
        f"needs {totals.get('needs', 0):,}, proposals {run['proposals']:,}, needs with fewer than k: {run['short_of_k']:,}; "
        f"pool pairs {totals.get('pool', 0):,}; needs searched again exactly: {totals.get('fallback', 0):,}"
    )
    print("seconds of work, summed over workers:")
    print(f"  (a) transform needs     {transform:8.1f}")
    print(f"  (b) retrieval           {retrieval:8.1f}")
    if "semantic" in totals:
        print(
            f"      of which lexical view {totals.get('lexical', 0):.1f}, semantic view {totals['semantic']:.1f}, "
            f"fusion of their candidates {totals.get('fusion', 0):.1f}"
        )
    print(
        f"  (c) features + ranking  {features:8.1f}  (features {totals.get('features', 0):.1f}, ranking {totals.get('ranking', 0):.1f})"
    )
    print(f"  (d) reasons             {reasons:8.1f}")
    print(f"  (e) Proposal objects    {proposals:8.1f}")
    print(f"  all                     {transform + retrieval + features + reasons + proposals:8.1f}")
    for number, (pid, mine) in enumerate(sorted(run["per_worker"].items()), start=1):
        b_c = mine.get("retrieval", 0) + mine.get("features", 0) + mine.get("ranking", 0)
        everything = b_c + sum(mine.get(name, 0) for name in ("transform", "reasons", "proposals"))
        print(
            f"  worker {number} (pid {pid}): {mine['tasks']} chunks, (b)+(c) {b_c:.1f} s, all stages {everything:.1f} s, "
            f"peak RSS {mine['peak_mb']:,.0f} MB, proportional {mine['pss_mb']:,.0f} MB"
        )
    slowest = max(
        mine.get("retrieval", 0) + mine.get("features", 0) + mine.get("ranking", 0)
        for mine in run["per_worker"].values()
    )
    print(f"compute (b)+(c) on {workers} core{'s' if workers > 1 else ''}: {slowest:.1f} s (the busiest worker's)")
    print(f"pool wall-clock, all stages (a: needs) + b + c + d + e, incl. starting workers: {run['wall']:.1f} s")
    print(f"digest {run['digest']}")


# The naive way ------------------------------------------------------------------


def _membership(value: int, allowed: int) -> float:
    if allowed == 0 or value == 0:
        return 0.5
    return 1.0 if allowed & value else 0.0


def naive_top_k(matcher: Matcher, needs, k: int, depth: int, now: float) -> tuple[list[list[tuple]], int]:
    """Every (need, capability) pair in a Python loop: the text cosine by a
    per-pair sparse row dot (the need's row laid out densely once, the
    capability's non-zeros gathered), the hard filters, the features and the
    prior score; a heap keeps the ``depth`` most similar eligible pairs and
    the best ``k`` of those by score are the result, as in the pipeline.
    Returns, per need, (score, text, capability row) best first, and the
    number of pairs visited."""
    queries, table = matcher.prepare(needs)
    caps = matcher.table
    matrix = matcher.matrix
    indptr, indices, data = matrix.indptr.tolist(), matrix.indices, matrix.data
    kind, industries, regions = caps.kind.tolist(), caps.industries.tolist(), caps.regions.tolist()
    sizes, verification = caps.size_bands.tolist(), caps.requires_verification.tolist()
    price_min, price_max = caps.price_min.tolist(), caps.price_max.tolist()
    accepted, decided, published = caps.accepted.tolist(), caps.decided.tolist(), caps.published_at.tolist()
    cap_tags = [
        frozenset(caps.tags.indices[caps.tags.indptr[i] : caps.tags.indptr[i + 1]].tolist()) for i in range(len(kind))
    ]
    weights = PRIOR.weights.tolist()
    results, pairs = [], 0
    for row in range(len(needs)):
        dense = np.zeros(matrix.shape[1], dtype=np.float32)
        query = queries[row]
        dense[query.indices] = query.data
        kinds, kind_count = int(table.kinds[row]), float(table.kind_count[row])
        industry, region, size = int(table.industry[row]), int(table.region[row]), int(table.size_band[row])
        verified = bool(table.verified[row])
        budget_min, budget_max = float(table.budget_min[row]), float(table.budget_max[row])
        need_tags = frozenset(table.tags.indices[table.tags.indptr[row] : table.tags.indptr[row + 1]].tolist())
        best: list[tuple] = []
        for cap in range(len(kind)):
            pairs += 1
            begin, end = indptr[cap], indptr[cap + 1]
            text = float(dense[indices[begin:end]] @ data[begin:end])
            if text <= 0:
                continue
            # Hard filters.
            if kinds and not kind[cap] & kinds:
                continue
            if regions[cap] and not regions[cap] & region:
                continue
            if sizes[cap] and not sizes[cap] & size:
                continue
            if verification[cap] and not verified:
                continue
            # Features.
            shared = len(need_tags & cap_tags[cap])
            kind_value = (1.0 / max(kind_count, 1.0) if kind[cap] & kinds else 0.0) if kind_count > 0 else 0.5
            low = price_max[cap] if math.isnan(price_min[cap]) else price_min[cap]
            high = price_min[cap] if math.isnan(price_max[cap]) else price_max[cap]
            ceiling = math.inf if math.isnan(budget_max) else budget_max
            known_price = not math.isnan(low)
            if known_price and high == 0:
                budget = 1.0
            elif not known_price or (math.isnan(budget_min) and math.isnan(budget_max)):
                budget = 0.5
            elif low > ceiling:
                budget = 0.5 * min(max(ceiling / low, 0.0), 1.0)
            else:
                budget = 1.0
            age = published[cap]
            fresh = 0.5 if math.isnan(age) else 0.5 ** (max(now - age, 0.0) / DAY / FRESHNESS_HALF_LIFE_DAYS)
            features = (
                min(max(text, 0.0), 1.0),
                min(shared / 2.0, 1.0),
                kind_value,
                _membership(industry, industries[cap]),
                _membership(region, regions[cap]),
                budget,
                _membership(size, sizes[cap]),
                (accepted[cap] + 1.0) / (decided[cap] + 2.0),
                fresh,
            )
            score = sum(w * f for w, f in zip(weights, features, strict=True))
            entry = (text, -cap, score)
            if len(best) < depth:
                heapq.heappush(best, entry)
            elif entry > best[0]:
                heapq.heapreplace(best, entry)
        ranked = sorted(((score, text, negative) for text, negative, score in best), reverse=True)[:k]
        results.append([(score, text, -negative) for score, text, negative in ranked])
    return results, pairs


def compare_with_exact(matcher: Matcher, needs, k: int, depth: int, vectors: np.ndarray | None = None) -> None:
    """Bulk against ``Matcher.match`` on a sample, with and without the exact fallback."""
    began = time.perf_counter()
    exact = matcher.match(needs, PRIOR, k=k, depth=depth, now=NOW, vectors=vectors)
    exact_seconds = time.perf_counter() - began
    print(
        f"\n== bulk against exact (Matcher.match, SciPy) on {len(needs):,} needs "
        f"({exact_seconds / len(needs) * 1000:.1f} ms per need exact) =="
    )
    for fallback in (True, False):
        stats: dict = {}
        bulk = [
            row
            for chunk in matcher.match_bulk(
                needs, PRIOR, k=k, depth=depth, now=NOW, exact_fallback=fallback, stats=stats, vectors=vectors
            )
            for row in chunk
        ]
        identical = sum(a == b for a, b in zip(exact, bulk, strict=True))
        same_ids = sum(
            [p.capability_id for p in a] == [p.capability_id for p in b] for a, b in zip(exact, bulk, strict=True)
        )
        fewer = sum(len(b) < len(a) for a, b in zip(exact, bulk, strict=True))
        fewer_than_k = sum(len(b) < k <= len(a) for a, b in zip(exact, bulk, strict=True))
        print(
            f"exact fallback {'on ' if fallback else 'off'}: identical proposals (ids, scores, features, reasons) "
            f"{identical:,}/{len(needs):,}; same ids in order {same_ids:,}; fewer proposals than exact {fewer:,} "
            f"(of which fewer than k={k} while exact had k: {fewer_than_k:,}); "
            f"needs whose pool was not enough {stats.get('short', 0):,}"
        )


def compare_with_naive(matcher: Matcher, needs, sample: int, k: int, depth: int, walls: dict[int, float]) -> None:
    chosen = needs[:sample]
    began = time.perf_counter()
    naive, pairs = naive_top_k(matcher, chosen, k, depth, NOW)
    seconds = time.perf_counter() - began
    per_pair = seconds / pairs
    all_pairs = len(needs) * len(matcher)
    extrapolated = per_pair * all_pairs
    print(f"\n== the naive way: a Python loop over pairs, {len(chosen)} needs x {len(matcher):,} capabilities ==")
    print(
        f"{pairs:,} pairs in {seconds:.1f} s: {per_pair * 1e6:.2f} us per pair; "
        f"{len(needs):,} x {len(matcher):,} = {all_pairs:,} pairs -> {extrapolated:,.0f} s "
        f"({extrapolated / 3600:.1f} h) on one core"
    )
    for workers, wall in sorted(walls.items()):
        print(
            f"bulk path, all stages, {workers} worker{'s' if workers > 1 else ''} (pool wall-clock): {wall:.1f} s; "
            f"ratio naive on one core / bulk: {extrapolated / wall:,.0f}x"
        )
    # Same score: the pipeline's proposals scored by the loop.
    piped = matcher.match_bulk(chosen, PRIOR, k=k, depth=depth, now=NOW, explain=False)
    piped = [row for chunk in piped for row in chunk]
    worst, same_lists = 0.0, 0
    positions = {record.id: i for i, record in enumerate(matcher.capabilities)}
    for mine, theirs in zip(piped, naive, strict=True):
        same_lists += [positions[p.capability_id] for p in mine] == [cap for _score, _text, cap in theirs]
        for proposal, (score, _text, _cap) in zip(mine, theirs, strict=False):
            worst = max(worst, abs(score - proposal.score))
    print(
        f"check: the loop's top-{k} equals the pipeline's for {same_lists}/{len(chosen)} needs; "
        f"largest score difference rank by rank {worst:.1e}"
    )


def main(argv=None) -> int:
    global _MATCHER, _NEEDS, _NEED_VECTORS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--capabilities", type=int, default=100_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=BULK_CHUNK, help="needs per task (and per bulk chunk)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--exact-sample", type=int, default=2000, help="needs compared with Matcher.match")
    parser.add_argument(
        "--naive-sample", type=int, default=20, help="needs run through the Python loop (lexical view alone)"
    )
    parser.add_argument(
        "--encoder",
        default="use",
        help="the semantic view's encoder (use, hashing), or none for the lexical view alone; default use",
    )
    arguments = parser.parse_args(argv)
    encoder = semantic_encoder(arguments.encoder)
    _SETTINGS.update(k=arguments.k, depth=arguments.depth)

    began = time.perf_counter()
    capabilities = synthetic_capabilities(arguments.capabilities)
    _NEEDS = synthetic_needs(arguments.needs)
    generated = time.perf_counter()
    print(
        f"synthetic data: {len(capabilities):,} capabilities ({sum(1 for c in capabilities if c.regions):,} regional), "
        f"{len(_NEEDS):,} needs ({sum(1 for n in _NEEDS if n.kinds):,} naming kinds) in {generated - began:.1f} s"
    )
    # As production does (matching.services.matcher_cache.NEED_TEXTS_FOR_WEIGHTS): the
    # catalogue and the newest 20,000 needs weigh the words.
    if encoder is not None:
        # Stored vectors, as the rebuild reads them: never encoded here.
        _NEED_VECTORS = random_vectors(len(_NEEDS), encoder.dim, seed=2028)
    _MATCHER = Matcher(
        capabilities,
        extra_texts=[need.text for need in _NEEDS[-20_000:]],
        encoder=encoder,
        vectors=None if encoder is None else random_vectors(len(capabilities), encoder.dim, seed=2027),
    )
    built = time.perf_counter()
    index = _MATCHER.bulk_index()
    indexed = time.perf_counter()
    print(
        f"(a) Matcher: fit text model on {len(capabilities) + min(len(_NEEDS), 20_000):,} texts, transform the catalogue "
        f"({_MATCHER.matrix.shape[1]:,} features, {_MATCHER.matrix.nnz:,} non-zeros), facts: {built - generated:.1f} s"
    )
    print(
        "views: lexical only"
        if encoder is None
        else f"views: lexical + semantic ({encoder.name}, {encoder.dim} dimensions; stored vectors, random)"
    )
    print(
        f"bulk index: {len(index.parts)} parts (kind x province), {index.nbytes / 2**20:,.0f} MB, {indexed - built:.1f} s; "
        f"oversampling {OVERSAMPLE} x depth {arguments.depth}, top {arguments.k}; parent peak so far {_peak_mb():,.0f} MB"
    )
    # Small runs: chunks small enough for every worker to get several.
    chunk = max(1, min(arguments.chunk, math.ceil(len(_NEEDS) / (4 * max(arguments.workers)))))
    print(f"{math.ceil(len(_NEEDS) / chunk)} tasks of up to {chunk:,} needs")
    gc.collect()
    gc.freeze()

    runs = {}
    for workers in arguments.workers:
        runs[workers] = run_pool(workers, chunk)
        report_pool(workers, runs[workers])
    if len(runs) > 1:
        base = min(runs)
        digests = {run["digest"] for run in runs.values()}
        print(
            "\nscaling (pool wall-clock): "
            + ", ".join(f"{w} -> {runs[w]['wall']:.1f} s ({runs[base]['wall'] / runs[w]['wall']:.2f}x)" for w in runs)
        )
        print(f"same proposals with every number of workers: {'yes' if len(digests) == 1 else 'NO'}")
    print(
        f"parent peak RSS {_peak_mb():,.0f} MB; largest worker peak RSS (RUSAGE_CHILDREN) {_peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB"
    )

    if arguments.exact_sample:
        sample = _NEED_VECTORS[: arguments.exact_sample] if _NEED_VECTORS is not None else None
        compare_with_exact(_MATCHER, _NEEDS[: arguments.exact_sample], arguments.k, arguments.depth, sample)
    if arguments.naive_sample and encoder is not None:
        print("\n(the naive loop scores the lexical view alone: run it with --encoder none)")
    elif arguments.naive_sample:
        walls = {workers: run["wall"] for workers, run in runs.items()}
        compare_with_naive(_MATCHER, _NEEDS, arguments.naive_sample, arguments.k, arguments.depth, walls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
