"""Catalogue and needs-board search: filter by the query's words and rank.

``text_search`` is the one entry point (``marketplace.selectors`` uses it for
the catalogue and the needs board); ``marketplace.search`` prepares the words,
``marketplace.search_index`` finds which listings hold them (cached per
catalogue state), and this module ranks: BM25F, every query word held first,
fused with the similarity in meaning when a backend gives one
(``marketplace.semantic``). The ranking is computed in Python over every
listing found (NumPy: a millisecond for thousands), so the database only
returns rows: the results are a queryset (``RankedResults``) whose count is
known and whose slices, a page, read only that page's rows by id.
docs/ARCHITECTURE.md "Search" has the whole picture and the measurements.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce

import numpy as np
from django.db.models import QuerySet, Value

from marketplace.search import QueryHint, QueryWord, query_hints, query_words
from marketplace.search_index import Holders, IdIn, Listings, PositionOf, index

# ``search_rank``: the position text_search gave the listing.
RANKED_ORDER = ["search_rank", "-published_at", "-pk"]
# When the results are read in SQL, not by page (they were filtered again, or
# ordered otherwise), the first RANKED_DEPTH keep their positions and the
# others follow in publication order.
RANKED_DEPTH = 1000

# BM25 (Robertson and Zaragoza's "probabilistic relevance framework"), with
# the title as a field weighted above the rest of the text (BM25F). Documents
# hold each token once (marketplace.search.build_document), so a word's
# frequency is per field: TITLE_WEIGHT for a title hit plus 1 for the text; a
# sentence repeated across many descriptions counts no more than once, and a
# word in many listings has a low IDF.
BM25_K1 = 1.2
BM25_B = 0.5
TITLE_WEIGHT = 3.0
# marketplace.search.query_hints (a character of a longer Chinese word, a Latin
# word matched whole): weak evidence, never counted as a word held (coverage).
HINT_WEIGHT = 0.3
# With a similarity in meaning for the query (marketplace.semantic), the order
# below "every word held" is this share of meaning (the similarity over the
# best one) and the rest words (the BM25F score over the best one). Tuned on
# half of the judged queries of bench/data/search (docs/BENCHMARKS.md).
MEANING_WEIGHT = 0.8


def text_search(
    queryset: QuerySet, query: str, *, column: str = "search_document", meaning: Mapping[int, float] | None = None
) -> tuple[QuerySet, bool]:
    """Filter by the search query and rank; returns (queryset, ranked).

    ``column`` holds the listing's tokens: ``search_document`` (all its text)
    or ``search_title`` (the title alone). ``meaning``: listing id → the
    query's similarity in meaning to it (0–1), from the semantic search
    backend; those ids are found too, when ``queryset`` holds them.

    Order (``search_rank``, RANKED_ORDER): the listings holding every query
    word first; then by the BM25F score (each word's rarity in ``queryset``,
    saturated by how it is held, title above text, long texts discounted)
    fused with the meaning when there is one, else by how many words they
    hold and then the score; then the newest.
    """
    words = query_words(query or "")
    if not words:
        return queryset, False
    hints = query_hints(words)
    found = index(queryset, words + [hint.word for hint in hints], column)
    ranked = _rank(words, hints, *found, meaning or {}) if found is not None else np.zeros(0, dtype=np.int64)
    if not len(ranked):
        return queryset.none().annotate(search_rank=Value(0)), True
    results = queryset.filter(IdIn(ranked)).annotate(
        search_rank=PositionOf(ranked[:RANKED_DEPTH], default=RANKED_DEPTH)
    )
    results.__class__ = _ranked_class(type(results))
    results._search = _Search(ranked)
    return results, True


@dataclass(frozen=True)
class _Search:
    ranked: np.ndarray  # ids, best first


class RankedResults(QuerySet):
    """Search results whose order text_search computed: ``count()`` is the
    number ranked and a slice reads its rows by id, with their positions;
    anything else (a filter added, another order, ``values()``) is plain SQL.

    Ordering in SQL read every result's row: for a common word over 10,000
    capabilities, 4,000 rows, whose columns past the long texts (publication
    time) PostgreSQL must walk to, 15–40 ms for a page of 20."""

    _search: _Search | None = None

    def _clone(self):
        clone = super()._clone()
        clone._search = self._search
        return clone

    def _as_ranked(self) -> _Search | None:
        """The search, when nothing changed the results since: no filter
        added (the last condition is still text_search's), the ranked order
        or none, rows of the model, not sliced."""
        search, query = self._search, self.query
        if search is None or self._result_cache is not None or getattr(self, "_fields", None) is not None:
            return None
        if query.is_sliced or query.distinct or query.combinator or query.order_by not in ((), tuple(RANKED_ORDER)):
            return None
        last: object = query.where
        while getattr(last, "children", None):
            last = last.children[-1]  # type: ignore[attr-defined]
        # filter(condition) keeps it as ``condition = true``, a copy sharing its ids.
        condition = getattr(last, "lhs", last)
        return search if isinstance(condition, IdIn) and condition.ids is search.ranked else None

    def count(self) -> int:
        search = self._as_ranked()
        return len(search.ranked) if search is not None else super().count()

    def __getitem__(self, k):
        search = self._as_ranked()
        if search is None or not isinstance(k, slice) or k.step is not None:
            return super().__getitem__(k)
        start, stop = k.start or 0, k.stop
        if start < 0 or (stop is not None and stop < 0):
            return super().__getitem__(k)
        ids = search.ranked[start:stop]
        page = self.filter(pk__in=ids.tolist())
        return page.annotate(search_rank=PositionOf(ids, start=start, default=start + len(ids)))


_ranked_classes: dict[type, type] = {}


def _ranked_class(queryset_class: type) -> type:
    """RankedResults over the queryset's own class (a model's custom QuerySet keeps its methods)."""
    if issubclass(queryset_class, RankedResults):
        return queryset_class
    if queryset_class not in _ranked_classes:
        name = f"Ranked{queryset_class.__name__}"
        _ranked_classes[queryset_class] = type(name, (RankedResults, queryset_class), {})
    return _ranked_classes[queryset_class]


def _idf(total: int, frequency: int) -> float:
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def _rank(
    words: list[QueryWord],
    hints: list[QueryHint],
    listings: Listings,
    holders: list[Holders],
    meaning: Mapping[int, float],
) -> np.ndarray:
    """The ids of the listings found, best first."""
    total = len(listings.ids)
    unheld = {index for index in range(len(words)) if not len(holders[index].text)}
    finders = [holders[i].text for i in range(len(words))]
    finders += [holders[len(words) + j].text for j, hint in enumerate(hints) if hint.stands_in_for in unheld]
    by_meaning = np.array(sorted(meaning), dtype=np.int64)
    by_meaning = by_meaning[np.isin(by_meaning, listings.ids)]
    candidates = reduce(np.union1d, finders, by_meaning)
    if not len(candidates):
        return candidates
    rows = np.searchsorted(listings.ids, candidates)
    norm = BM25_K1 * (1 - BM25_B) + BM25_K1 * BM25_B * listings.lengths[rows] / listings.mean_length
    score = np.zeros(len(candidates))
    coverage = np.zeros(len(candidates), dtype=np.int64)
    for i, held in enumerate(holders):
        hint = hints[i - len(words)] if i >= len(words) else None
        share = HINT_WEIGHT if hint else 1.0
        # Each field has its own rarity: a boilerplate line ("可开具增值税专用发票")
        # makes a word common in descriptions, but it stays rare, and telling, in titles.
        text_idf, title_idf = share * _idf(total, len(held.text)), share * _idf(total, len(held.title))
        in_title = np.isin(candidates, held.title, assume_unique=True)
        in_text = np.isin(candidates, held.text, assume_unique=True)
        if hint and not (hint.in_text or hint.stands_in_for in unheld):
            # Parts of a word that listings hold count in titles only.
            in_text[:] = False
        title_score = (BM25_K1 + 1) * (TITLE_WEIGHT + 1) * title_idf / (TITLE_WEIGHT + 1 + norm)
        text_score = (BM25_K1 + 1) * text_idf / (1 + norm)
        score += np.where(in_title, title_score, np.where(in_text, text_score, 0.0))
        if not hint:
            coverage += in_text | in_title
    # Without meaning, as before it: more of the query's words held first,
    # then the score. With it, the fusion alone below "every word held": on
    # the tuning half, "more words first" cost .02 of NDCG there and made no
    # difference by words alone.
    relevance, words_held = score, coverage
    if len(by_meaning):
        similarity = np.array([max(meaning.get(int(pk), 0.0), 0.0) for pk in candidates])
        relevance = (1 - MEANING_WEIGHT) * score / max(score.max(), 1e-9) + MEANING_WEIGHT * similarity / max(
            similarity.max(), 1e-9
        )
        words_held = (coverage == len(words)).astype(np.int64)
    # np.lexsort sorts by the last key first.
    order = np.lexsort((-candidates, -listings.published[rows], -relevance, -words_held))
    return candidates[order]
