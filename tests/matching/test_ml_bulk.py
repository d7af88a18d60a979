"""The bulk matching path (``Matcher.match_bulk``: partitioned, compiled
top-n retrieval) against the exact one (``Matcher.match``): the same
proposals, the hard filters kept, the same result however the work is split.
No database, no Django."""

from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse

from matching.ml.engine import (
    MAX_REASONS,
    MAX_WORDS,
    MIN_REASON,
    NOT_REASONS,
    TERMS_CONSIDERED,
    Matcher,
    _best_per_row,
    eligible_pairs,
    rounded,
)
from matching.ml.features import DAY, FEATURES, eligible, pair_features
from matching.ml.ranker import PRIOR, LinearScorer
from matching.ml.records import CapabilityRecord, NeedRecord
from matching.ml.retrieval import PartitionedIndex
from matching.ml.words import readable_words

NOW = 20_000 * DAY
KINDS = ("api", "data", "model", "tool", "compute")
PROVINCES = ("guangdong", "zhejiang", "jiangsu", "beijing", "sichuan")
SIZES = ("micro", "small", "medium", "large")
WORDS = [
    *("invoice", "ocr", "发票", "识别", "route", "物流", "冷链", "gpu", "算力", "model", "质检", "defect"),
    *("data", "数据", "api", "接口", "subsidy", "补贴", "cloud", "云", "storage", "存储", "translation"),
    *("翻译", "contract", "合同", "audit", "审计", "map", "地图"),
]


def is_eligible(need: NeedRecord, capability: CapabilityRecord) -> bool:
    """The hard filters, restated on records."""
    if need.kinds and capability.kind not in need.kinds:
        return False
    if capability.regions and need.region not in capability.regions:
        return False
    if capability.size_bands and need.size_band not in capability.size_bands:
        return False
    return need.verified or not capability.requires_verification


def catalogue(count: int, *, seed: int = 1, regional: float = 0.3, verified_only: float = 0.15) -> list:
    rng = np.random.default_rng(seed)
    records = []
    for i in range(count):
        words = rng.choice(WORDS, size=int(rng.integers(3, 9)))
        records.append(
            CapabilityRecord(
                id=f"c{i}",
                title=" ".join(words[:3]),
                description=" ".join(words[3:]),
                kind=str(rng.choice(KINDS)) if rng.random() < 0.9 else "",
                tags=tuple(str(tag) for tag in rng.choice(WORDS, size=int(rng.integers(0, 3)))),
                regions=frozenset(rng.choice(PROVINCES, size=int(rng.integers(1, 3))).tolist())
                if rng.random() < regional
                else frozenset(),
                size_bands=frozenset(rng.choice(SIZES, size=2, replace=False).tolist())
                if rng.random() < 0.3
                else frozenset(),
                industries=frozenset({"manufacturing"}) if rng.random() < 0.2 else frozenset(),
                requires_verification=bool(rng.random() < verified_only),
                price_min=None if rng.random() < 0.3 else float(rng.integers(0, 2000)),
                accepted=int(rng.integers(0, 5)),
                decided=int(rng.integers(5, 10)),
                published_at=NOW - float(rng.integers(0, 400)) * DAY,
            )
        )
    return records


def needs_of(count: int, *, seed: int = 2) -> list:
    rng = np.random.default_rng(seed)
    records = []
    for i in range(count):
        roll = rng.random()
        kinds = (
            frozenset()
            if roll < 0.4
            else frozenset(rng.choice(KINDS, size=1 if roll < 0.8 else 2, replace=False).tolist())
        )
        records.append(
            NeedRecord(
                id=f"n{i}",
                text=" ".join(rng.choice(WORDS, size=int(rng.integers(1, 6)))),
                kinds=kinds,
                tags=tuple(str(tag) for tag in rng.choice(WORDS, size=int(rng.integers(0, 3)))),
                industry="manufacturing" if rng.random() < 0.3 else "",
                region=str(rng.choice(PROVINCES)) if rng.random() < 0.9 else "",
                size_band=str(rng.choice(SIZES)) if rng.random() < 0.9 else "",
                verified=bool(rng.random() < 0.5),
                budget_max=None if rng.random() < 0.5 else float(rng.integers(100, 3000)),
            )
        )
    return records


def bulk(matcher, needs, **options):
    options.setdefault("now", NOW)
    return [row for chunk in matcher.match_bulk(needs, **options) for row in chunk]


@pytest.fixture(scope="module")
def nationwide():
    """No capability restricted to a province: no regional filter bites."""
    return Matcher(catalogue(300, regional=0.0))


@pytest.fixture(scope="module")
def regional():
    return Matcher(catalogue(300, seed=3, regional=0.4))


NEEDS = needs_of(120)


# Same as the exact path -----------------------------------------------------------


@pytest.mark.parametrize(("k", "depth"), [(20, 100), (5, 10), (3, 3)])
def test_bulk_gives_the_exact_paths_proposals_when_no_regional_filter_bites(nationwide, k, depth):
    exact = nationwide.match(NEEDS, k=k, depth=depth, now=NOW)
    assert sum(map(len, exact)) > len(NEEDS)  # the comparison is not vacuous
    assert bulk(nationwide, NEEDS, k=k, depth=depth) == exact


@pytest.mark.parametrize(("k", "depth"), [(20, 100), (5, 10), (3, 3)])
def test_bulk_gives_the_exact_paths_proposals_with_regional_capabilities(regional, k, depth):
    exact = regional.match(NEEDS, k=k, depth=depth, now=NOW)
    assert bulk(regional, NEEDS, k=k, depth=depth) == exact


def test_bulk_keeps_a_learnt_scorer_and_explain_false(regional):
    scorer = LinearScorer(weights=np.linspace(1.0, -0.5, len(FEATURES)), intercept=-0.2, logistic=True)
    assert bulk(regional, NEEDS, scorer=scorer) == regional.match(NEEDS, scorer, now=NOW)
    bare = bulk(regional, NEEDS, explain=False)
    assert all(p.reasons == [] for row in bare for p in row)
    explained = regional.match(NEEDS, now=NOW)
    assert [[(p.capability_id, p.score, p.rank) for p in row] for row in bare] == [
        [(p.capability_id, p.score, p.rank) for p in row] for row in explained
    ]


# Filters ------------------------------------------------------------------------


@pytest.mark.parametrize("fallback", [True, False])
def test_bulk_never_proposes_an_ineligible_capability(regional, fallback):
    by_id = {record.id: record for record in regional.capabilities}
    proposals = bulk(regional, NEEDS, exact_fallback=fallback)
    assert sum(map(len, proposals)) > len(NEEDS)
    for need, row in zip(NEEDS, proposals, strict=True):
        assert all(is_eligible(need, by_id[p.capability_id]) for p in row)


def test_eligible_pairs_is_eligible_for_many_needs_at_once(regional):
    _queries, table = regional.prepare(NEEDS)
    columns = np.arange(len(regional))
    for row in range(len(NEEDS)):
        expected = eligible(table, row, regional.table, columns)
        got = eligible_pairs(table, np.full(len(columns), row), regional.table, columns)
        assert (got == expected).all()


def test_a_need_whose_nearest_are_filtered_out_is_searched_again_exactly():
    # Nearly every capability asks for verification: an unverified need's pool of
    # OVERSAMPLE x depth holds few it may see, so the pool alone would fall short.
    records = catalogue(400, seed=5, regional=0.0, verified_only=0.97)
    matcher = Matcher(records, relevance_floor=0.0)
    needs = [NeedRecord(f"u{i}", " ".join(WORDS[i : i + 4])) for i in range(0, 30, 3)]
    exact = matcher.match(needs, k=5, depth=10, now=NOW)
    assert all(len(row) == 5 for row in exact)
    stats: dict = {}
    assert bulk(matcher, needs, k=5, depth=10, stats=stats) == exact
    assert stats["fallback"] == stats["short"] > 0
    without: dict = {}
    pool_only = bulk(matcher, needs, k=5, depth=10, exact_fallback=False, stats=without)
    assert without.get("fallback", 0) == 0
    assert pool_only != exact
    assert sum(map(len, pool_only)) < sum(map(len, exact))  # fewer than k: what the fallback is for


# Deterministic ------------------------------------------------------------------


@pytest.mark.slow
def test_bulk_repeats_exactly_however_the_work_is_split(regional):
    first = bulk(regional, NEEDS)
    assert bulk(regional, NEEDS) == first
    for chunk_size in (1, 7, 64):
        assert bulk(regional, NEEDS, chunk_size=chunk_size) == first
    assert bulk(regional, NEEDS, n_threads=2) == first
    assert bulk(regional, NEEDS[::-1])[::-1] == first
    assert bulk(Matcher(regional.capabilities), NEEDS) == first


def test_ties_go_to_catalogue_order_as_in_the_exact_path():
    matcher = Matcher([CapabilityRecord(identifier, "发票 OCR 识别") for identifier in ("e", "b", "d", "a", "c")])
    needs = [NeedRecord("n", "发票 OCR"), NeedRecord("m", "发票 OCR")]
    assert [[p.capability_id for p in row] for row in bulk(matcher, needs, k=2, depth=2)] == [["e", "b"], ["e", "b"]]
    assert bulk(matcher, needs, k=5) == matcher.match(needs, k=5, now=NOW)


def test_edge_cases(regional):
    assert list(regional.match_bulk([], now=NOW)) == []
    assert bulk(regional, [NeedRecord("x", ""), NeedRecord("y", "。，！？")]) == [[], []]
    assert bulk(regional, [NeedRecord("x", "发票", kinds=frozenset({"no-such-kind"}))]) == [[]]
    with pytest.raises(ValueError):
        list(regional.match_bulk(NEEDS, chunk_size=0))


# The partitioned index -------------------------------------------------------------


def test_partitioned_search_keeps_each_parts_best_n_and_a_true_floor():
    rng = np.random.default_rng(11)
    corpus = sparse.random(90, 40, density=0.15, random_state=rng, format="csr", dtype=np.float32)
    queries = sparse.random(12, 40, density=0.2, random_state=rng, format="csr", dtype=np.float32)
    parts = [np.arange(0, 50), np.arange(50, 90), np.array([3, 60, 61])]
    index = PartitionedIndex(corpus, parts)
    # A corpus row may be in two parts, never in two parts one query searches.
    wanted = [np.arange(6), np.arange(0, 12, 2), np.array([7, 9, 11])]
    dense = (queries @ corpus.T).toarray()
    for exact in (False, True):
        pool = index.search(queries, 4, wanted, exact=exact)
        for part, rows in enumerate(wanted):
            for row in rows:
                columns = parts[part]
                scores = dense[row, columns]
                positive = columns[scores > 0]
                mine = pool.corpus_rows[(pool.query_rows == row) & np.isin(pool.corpus_rows, columns)]
                if exact or len(positive) <= 4:
                    assert sorted(mine) == sorted(positive)
                else:
                    assert len(mine) == 4
                    kept = dense[row, mine]
                    left_out = np.setdiff1d(positive, mine)
                    assert dense[row, left_out].max() <= kept.min() + 1e-6
                    assert pool.floor[row] >= kept.min() - 1e-6
        found = dense[pool.query_rows, pool.corpus_rows]
        assert np.allclose(found, pool.scores, atol=1e-6)


@pytest.mark.parametrize("decimals", [2, 4, 6])
def test_rounded_rounds_as_python_does(decimals):
    rng = np.random.default_rng(9)
    halves = (rng.integers(0, 10**6, 20_000) * 2 + 1) / 2e6  # k + 0.5 millionths: next to a half
    crafted = np.array([0.00125, 0.12345, 5e-05, 1 / 160, 2.675, 0.285, 1.005, -0.00125, 0.0, 1.0, -0.5])
    values = np.concatenate([halves, crafted, rng.random(20_000), (rng.integers(1, 30, 5000) + 1.0) / 32])
    assert rounded(values, decimals).tolist() == [round(value, decimals) for value in values.tolist()]
    matrix = values[:900].reshape(100, 9)
    assert rounded(matrix, decimals).tolist() == [[round(v, decimals) for v in row] for row in matrix.tolist()]


@pytest.mark.parametrize("offset", [0, 2**40])  # a packed sort key, and rows too large to pack
def test_best_per_row_is_score_first_then_lower_column(offset):
    rng = np.random.default_rng(4)
    grid = rng.choice(40 * 300, size=3000, replace=False)
    rows, columns = grid // 300 + offset, grid % 300
    scores = rng.choice(np.array([0.1, 0.25, 0.5, 0.75], dtype=np.float32), size=len(grid))  # many ties
    picked = _best_per_row(rows, columns, scores, 7)
    expected = sorted(range(len(grid)), key=lambda i: (rows[i], -scores[i], columns[i]))
    by_row: dict = {}
    for i in expected:
        by_row.setdefault(rows[i], []).append(i)
    assert picked.tolist() == [i for row in sorted(by_row) for i in by_row[row][:7]]


# Reasons: the vectorised code says what the loop it replaced said -------------------


def reference_reasons(matcher, needs, queries, table, found, features, chosen, now):
    """The per-pair loop the vectorised reasons replaced, restated."""
    contributions = PRIOR.contributions(features[chosen])
    width = matcher.text_model.term_columns
    names = matcher.text_model.term_names()
    result = []
    for position, pair in enumerate(chosen):
        need_row, cap_row = int(found.need_rows[pair]), int(found.cap_rows[pair])
        need, capability = needs[need_row], matcher.capabilities[cap_row]
        shared = queries.lexical[need_row, :width].multiply(matcher.matrix[cap_row, :width]).tocsr()
        terms = [str(names[shared.indices[i]]) for i in np.argsort(-shared.data, kind="stable")[:TERMS_CONSIDERED]]
        words = readable_words(terms, need.text, capability.text, MAX_WORDS)
        both = table.tags[need_row][:, : matcher.table.tags.shape[1]].multiply(
            matcher.table.tags[cap_row][:, : table.tags.shape[1]]
        )
        tags = sorted(matcher.tags.names[c] for c in both.tocsr().indices)[:5]
        row = contributions[position]
        reasons = []
        row = np.where(np.isin(np.arange(len(FEATURES)), [FEATURES.index(n) for n in NOT_REASONS]), -np.inf, row)
        for feature in np.argsort(-row, kind="stable")[:MAX_REASONS]:
            if row[feature] < MIN_REASON:
                break
            name = FEATURES[feature]
            values = reference_values(name, need, capability, features[pair, feature], words, tags, now)
            reasons.append({"code": name, **values})
        result.append(reasons)
    return result


def reference_values(name, need, capability, value, words, tags, now) -> dict:
    if name == "text":
        return {"similarity": round(float(value), 2), "words": words}
    if name == "tags":
        return {"tags": tags}
    if name == "kind":
        return {"kind": capability.kind}
    if name in ("industry", "region"):
        return {name: getattr(need, name)}
    if name == "budget":
        return {"price_min": capability.price_min, "price_max": capability.price_max}
    if name == "size":
        return {"size": need.size_band}
    if name == "track_record":
        return {"accepted": capability.accepted, "decided": capability.decided}
    return {"days": max(0, int((now - capability.published_at) // DAY))}


def test_vectorised_reasons_equal_the_per_pair_loop(regional):
    needs = NEEDS[:60]
    queries, table = regional.prepare(needs)
    found = regional.candidates(queries, table, 100)
    features = pair_features(table, regional.table, found.need_rows, found.cap_rows, found.text, NOW)
    scores = PRIOR.score(features)
    order = np.lexsort((found.cap_rows, -found.text, -scores, found.need_rows))
    chosen = order[:400]
    got = regional.reasons(needs, queries, table, found, features, PRIOR, chosen, NOW)
    assert got == reference_reasons(regional, needs, queries, table, found, features, chosen, NOW)
    codes = {reason["code"] for row in got for reason in row}
    assert codes >= {"text", "tags", "region"}
    assert not codes & set(NOT_REASONS)


def test_excluded_capabilities_are_filtered_like_ineligible_ones_on_both_paths(regional):
    plain = regional.match(NEEDS, k=5, depth=20, now=NOW)
    # Each need excludes its first two proposals (and an id not in the catalogue).
    needs = [
        replace(need, excluded=frozenset([*(p.capability_id for p in row[:2]), "not-listed"]))
        for need, row in zip(NEEDS, plain, strict=True)
    ]
    exact = regional.match(needs, k=5, depth=20, now=NOW)
    assert bulk(regional, needs, k=5, depth=20) == exact
    for need, before, after in zip(needs, plain, exact, strict=True):
        assert not {p.capability_id for p in after} & need.excluded
        assert [p.rank for p in after] == list(range(1, len(after) + 1))
        # What was third moves up to first: the list is refilled, not cut short.
        if len(before) > 2:
            assert after[0].capability_id == before[2].capability_id
