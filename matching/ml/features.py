"""Pair features: what the ranker sees of a (need, capability) pair.

Every feature is a number in [0, 1] computed by one vectorised function over
arrays aligned pair by pair, so scoring millions of candidates costs a few
NumPy passes, never a Python loop over pairs. Where a fact is unknown or
imposes nothing (a capability open to every industry, a need without a
budget), the feature takes its *neutral* value: neither a reason for nor
against the pair. ``NEUTRAL`` lists them; reasons are measured from there.

Sets of choices (kinds, regions, industries, size bands) are bit masks in
64-bit integers, with bits given out by one ``Codes`` table per matcher.
"""

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

from matching.ml.records import CapabilityRecord, NeedRecord
from textkit.normalize import fold

FEATURES = (
    "text",
    "tags",
    "kind",
    "industry",
    "region",
    "budget",
    "size",
    "track_record",
    "freshness",
)
NEUTRAL = np.array([0.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5], dtype=np.float64)

# What the texts and tags say is evidence of fit; everything else (industry,
# region, budget, size, kind, track record, freshness) is context that should
# reorder pairs whose topic fits, never make a fit of a pair whose topic does
# not. So a pair's context counts in proportion to its text similarity up to
# RELEVANT_TEXT, fully from there: the upper quartile of relevant pairs' fused
# text similarity on our Chinese sets (.15–.16; the median is .10–.12), so a
# clearly relevant pair keeps all of its context. On the demo data this took
# the suggestions shown as good matches that do not solve the need from 28 of
# 237 to 19 of 233 (docs/BENCHMARKS.md, "Relevance").
RELEVANT_TEXT = 0.15
CONTEXT_FEATURES = ("kind", "industry", "region", "budget", "size", "track_record", "freshness")
_CONTEXT_COLUMNS = np.array([FEATURES.index(name) for name in CONTEXT_FEATURES])

# Freshness halves every this many days after publication.
FRESHNESS_HALF_LIFE_DAYS = 180.0
DAY = 86400.0


class Codes:
    """Gives each distinct value of a choice (a kind, a province, …) a bit.
    Each choice (``space``) has bits of its own: 64 bits per choice, not in all."""

    def __init__(self) -> None:
        self._bits: dict[str, dict[str, int]] = {}

    def bit(self, value: str, space: str = "") -> int:
        if not value:
            return 0
        bits = self._bits.setdefault(space, {})
        if value not in bits:
            if len(bits) >= 63:
                raise ValueError("more than 63 distinct values in one choice")
            bits[value] = len(bits)
        return 1 << bits[value]

    def mask(self, values: Iterable[str], space: str = "") -> int:
        result = 0
        for value in values:
            result |= self.bit(value, space)
        return result


class TagVocabulary:
    """Tags of the catalogue by folded key, with the name to show for each."""

    def __init__(self) -> None:
        self.columns: dict[str, int] = {}
        self.names: list[str] = []

    def add(self, name: str) -> int:
        key = fold(name).strip()
        if key not in self.columns:
            self.columns[key] = len(self.names)
            self.names.append(name)
        return self.columns[key]

    def matrix(self, tag_lists: Sequence[Iterable[str]], *, add: bool) -> sparse.csr_matrix:
        rows, columns = [], []
        for row, names in enumerate(tag_lists):
            for name in names:
                key = fold(name).strip()
                column = self.add(name) if add else self.columns.get(key)
                if column is not None:
                    rows.append(row)
                    columns.append(column)
        return self._build(rows, columns, len(tag_lists))

    def _build(self, rows: list[int], columns: list[int], count: int) -> sparse.csr_matrix:
        data = np.ones(len(rows), dtype=np.float32)
        # Room for tags added later; only columns seen so far can be set.
        shape = (count, max(len(self.names), 1))
        matrix = sparse.csr_matrix((data, (rows, columns)), shape=shape, dtype=np.float32)
        matrix.data[:] = 1.0  # a tag named twice counts once
        return matrix


def _floats(values: Iterable[float | None]) -> np.ndarray:
    """Optional numbers (prices, budgets, times) as floats, NaN where unknown."""
    return np.array([np.nan if value is None else float(value) for value in values], dtype=np.float64)


class CapabilityTable:
    """The catalogue's facts as columns."""

    def __init__(self, records: Sequence[CapabilityRecord], codes: Codes, tags: TagVocabulary):
        self.kind = np.array([codes.bit(r.kind, "kind") for r in records], dtype=np.int64)
        self.industries = np.array([codes.mask(r.industries, "industry") for r in records], dtype=np.int64)
        self.regions = np.array([codes.mask(r.regions, "region") for r in records], dtype=np.int64)
        self.size_bands = np.array([codes.mask(r.size_bands, "size") for r in records], dtype=np.int64)
        self.requires_verification = np.array([r.requires_verification for r in records], dtype=bool)
        self.price_min = _floats(r.price_min for r in records)
        self.price_max = _floats(r.price_max for r in records)
        self.accepted = np.array([r.accepted for r in records], dtype=np.float64)
        self.decided = np.array([r.decided for r in records], dtype=np.float64)
        self.published_at = _floats(r.published_at for r in records)
        self.tags = tags.matrix([r.tags for r in records], add=True)


class NeedTable:
    """A batch of needs' facts as columns."""

    def __init__(
        self,
        records: Sequence[NeedRecord],
        codes: Codes,
        tags: TagVocabulary,
        positions: dict[int | str, int] | None = None,
    ):
        # The excluded (need row, catalogue row) pairs as keys row * width + column;
        # ``positions`` maps capability ids to catalogue rows.
        positions = positions or {}
        self.width = len(positions)
        self.excluded = np.array(
            sorted(
                row * self.width + positions[capability_id]
                for row, record in enumerate(records)
                for capability_id in record.excluded
                if capability_id in positions
            ),
            dtype=np.int64,
        )
        self.kinds = np.array([codes.mask(r.kinds, "kind") for r in records], dtype=np.int64)
        self.kind_count = np.array([sum(1 for kind in r.kinds if kind) for r in records], dtype=np.float64)
        self.industry = np.array([codes.bit(r.industry, "industry") for r in records], dtype=np.int64)
        self.region = np.array([codes.bit(r.region, "region") for r in records], dtype=np.int64)
        self.size_band = np.array([codes.bit(r.size_band, "size") for r in records], dtype=np.int64)
        self.verified = np.array([r.verified for r in records], dtype=bool)
        self.budget_min = _floats(r.budget_min for r in records)
        self.budget_max = _floats(r.budget_max for r in records)
        # The need's own tags; tags guessed from its text were measured to hurt
        # (docs/BENCHMARKS.md), so they are not used.
        self.tags = tags.matrix([r.tags for r in records], add=False)


# Hard filters -----------------------------------------------------------------


def eligible(needs: NeedTable, need_row: int, caps: CapabilityTable, columns: np.ndarray) -> np.ndarray:
    """Which of the capabilities ``columns`` may be proposed to need ``need_row``:
    a kind it wants, a region it is in, a size band it has, verification it
    holds, and not one the need excludes."""
    kinds, region, size = needs.kinds[need_row], needs.region[need_row], needs.size_band[need_row]
    keep = np.ones(len(columns), dtype=bool)
    if kinds:
        keep &= (caps.kind[columns] & kinds) != 0
    cap_regions = caps.regions[columns]
    keep &= (cap_regions == 0) | ((cap_regions & region) != 0)
    cap_sizes = caps.size_bands[columns]
    keep &= (cap_sizes == 0) | ((cap_sizes & size) != 0)
    if not needs.verified[need_row]:
        keep &= ~caps.requires_verification[columns]
    if len(needs.excluded):
        keep &= ~np.isin(need_row * needs.width + columns, needs.excluded)
    return keep


# The features, one function each, over pair-aligned arrays ---------------------


def text_similarity(scores: np.ndarray) -> np.ndarray:
    """The fused TF-IDF cosine of the two texts (0 to 1)."""
    clipped: np.ndarray = np.clip(scores, 0.0, 1.0)
    return clipped


def tag_overlap(shared: np.ndarray) -> np.ndarray:
    """Tags the capability shares with the need: one shared tag 0.5, two or more 1."""
    return np.minimum(shared / 2.0, 1.0)


def kind_match(wanted: np.ndarray, wanted_count: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """1 when the need wants exactly this kind, 1/n when it wants n kinds
    including this one, 0 when not this one; neutral when it names no kind."""
    named = wanted_count > 0
    hit = (wanted & kind) != 0
    return np.where(named, np.where(hit, 1.0 / np.maximum(wanted_count, 1.0), 0.0), 0.5)


def _membership(value: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """1 when ``value`` is named in ``allowed``; neutral when either is open;
    0 when the set excludes the value."""
    open_ = (allowed == 0) | (value == 0)
    return np.where(open_, 0.5, np.where((allowed & value) != 0, 1.0, 0.0))


def industry_match(need_industry: np.ndarray, cap_industries: np.ndarray) -> np.ndarray:
    """1 when the capability names the need's industry, 0.5 when it serves every industry."""
    return _membership(need_industry, cap_industries)


def region_match(need_region: np.ndarray, cap_regions: np.ndarray) -> np.ndarray:
    """1 when the capability names the need's province, 0.5 when it serves all of China."""
    return _membership(need_region, cap_regions)


def size_eligibility(need_size: np.ndarray, cap_sizes: np.ndarray) -> np.ndarray:
    """1 when the capability is meant for firms of the SME's size, 0.5 when open to all."""
    return _membership(need_size, cap_sizes)


def budget_fit(
    budget_min: np.ndarray, budget_max: np.ndarray, price_min: np.ndarray, price_max: np.ndarray
) -> np.ndarray:
    """1 when the monthly price range meets the budget range (or the capability
    is free); neutral when either side is unknown; below 0.5 when the cheapest
    price is above the budget, falling with the ratio budget / price."""
    low = np.where(np.isnan(price_min), price_max, price_min)
    high = np.where(np.isnan(price_max), price_min, price_max)
    ceiling = np.where(np.isnan(budget_max), np.inf, budget_max)
    known_price = ~np.isnan(low)
    known_budget = ~(np.isnan(budget_min) & np.isnan(budget_max))
    free = known_price & (high == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        too_dear = known_price & (low > ceiling)
        partial = 0.5 * np.clip(ceiling / low, 0.0, 1.0)
    result = np.where(too_dear, partial, 1.0)
    result = np.where(known_price & known_budget, result, 0.5)
    return np.where(free, 1.0, result)


def track_record(accepted: np.ndarray, decided: np.ndarray) -> np.ndarray:
    """Share of decided applications the capability accepted, smoothed towards
    one half: (accepted + 1) / (decided + 2)."""
    return (accepted + 1.0) / (decided + 2.0)


def freshness(published_at: np.ndarray, now: float) -> np.ndarray:
    """Halves every FRESHNESS_HALF_LIFE_DAYS after publication; neutral when unknown."""
    age_days = np.maximum(now - published_at, 0.0) / DAY
    return np.where(np.isnan(published_at), 0.5, 0.5 ** (age_days / FRESHNESS_HALF_LIFE_DAYS))


def shared_tag_counts(
    needs: NeedTable, caps: CapabilityTable, need_rows: np.ndarray, cap_rows: np.ndarray
) -> np.ndarray:
    width = min(needs.tags.shape[1], caps.tags.shape[1])
    left = needs.tags[:, :width][need_rows]
    right = caps.tags[:, :width][cap_rows]
    return np.asarray(left.multiply(right).sum(axis=1)).ravel()


def pair_features(
    needs: NeedTable, caps: CapabilityTable, need_rows: np.ndarray, cap_rows: np.ndarray, text: np.ndarray, now: float
) -> np.ndarray:
    """The feature matrix (pairs × FEATURES) for aligned need and capability
    rows; the context features moved toward neutral by ``relevance_gate``."""
    columns = [
        text_similarity(text.astype(np.float64)),
        tag_overlap(shared_tag_counts(needs, caps, need_rows, cap_rows)),
        kind_match(needs.kinds[need_rows], needs.kind_count[need_rows], caps.kind[cap_rows]),
        industry_match(needs.industry[need_rows], caps.industries[cap_rows]),
        region_match(needs.region[need_rows], caps.regions[cap_rows]),
        budget_fit(
            needs.budget_min[need_rows],
            needs.budget_max[need_rows],
            caps.price_min[cap_rows],
            caps.price_max[cap_rows],
        ),
        size_eligibility(needs.size_band[need_rows], caps.size_bands[cap_rows]),
        track_record(caps.accepted[cap_rows], caps.decided[cap_rows]),
        freshness(caps.published_at[cap_rows], now),
    ]
    if not len(need_rows):
        return np.zeros((0, len(FEATURES)))
    features = np.column_stack(columns)
    gate = relevance_gate(features[:, FEATURES.index("text")])[:, None]
    context = features[:, _CONTEXT_COLUMNS]
    neutral = NEUTRAL[_CONTEXT_COLUMNS]
    features[:, _CONTEXT_COLUMNS] = neutral + gate * (context - neutral)
    return features


def relevance_gate(text: np.ndarray) -> np.ndarray:
    """How much of a pair's context counts (0 to 1): its text similarity over
    ``RELEVANT_TEXT``, at most 1."""
    gate: np.ndarray = np.clip(np.asarray(text, dtype=np.float64) / RELEVANT_TEXT, 0.0, 1.0)
    return gate
