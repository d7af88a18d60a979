"""Catalogue and needs-board search: filter by the query's words and rank.

``text_search`` is the one entry point (``marketplace.selectors`` uses it for
the catalogue and the needs board); ``marketplace.search`` prepares the words,
this module ranks them (BM25F in SQL, the same on PostgreSQL and SQLite).
docs/ARCHITECTURE.md "Search" has the whole picture and the measurements.
"""

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchVectorExact, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    FloatField,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import Col, Expression
from django.db.models.functions import Length

from marketplace.search import query_hints, query_words

# Listings holding more of the query's words first, then by relevance score.
RANKED_ORDER = ["-coverage", "-score", "meaning", "-published_at", "-pk"]

# BM25 (Robertson and Zaragoza's "probabilistic relevance framework"), with
# the title as a field weighted above the rest of the text (BM25F). Documents
# hold each token once (marketplace.search.build_document), so a word's
# frequency is per field: TITLE_WEIGHT for a title hit plus 1 for the text; a
# sentence repeated across many descriptions counts no more than once, and a
# word in many listings has a low IDF.
BM25_K1 = 1.2
BM25_B = 0.5
TITLE_WEIGHT = 3.0
SEARCH_STATISTICS_ENTRIES = 20_000  # words' counts kept per process: about 5 MB
# marketplace.search.query_hints (a character of a longer Chinese word, a Latin
# word matched whole): weak evidence, never counted as a word held (coverage).
HINT_WEIGHT = 0.3


def text_search(
    queryset: QuerySet, query: str, *, column: str = "search_document", also: Sequence[int] = ()
) -> tuple[QuerySet, bool]:
    """Filter by the search query and rank; returns (queryset, ranked).

    ``column`` holds the listing's tokens: ``search_document`` (all its text)
    or ``search_title`` (the title alone). Annotates, for RANKED_ORDER:
    ``coverage`` (how many query words the listing holds), ``score`` (BM25F:
    each word's rarity in ``queryset``, saturated by how it is held, title
    above text, long texts discounted) and ``meaning`` (position in ``also``).
    ``also`` are ids found by other means (the semantic search backend) that
    are kept, after the listings the words find, in their order.
    """
    words = query_words(query or "")
    if not words:
        return queryset, False
    hints = query_hints(words)
    postgres = connections[queryset.db].vendor == "postgresql"
    scored = words + [hint.word for hint in hints]
    in_title = [_word_condition(word, "search_title", postgres=postgres) for word in scored]
    held = [_word_condition(word, column, postgres=postgres) for word in scored]
    statistics = _statistics(queryset, scored, held, in_title, column, postgres=postgres)
    total, text_counts, title_counts, mean_length = statistics
    unheld = {index for index in range(len(words)) if not text_counts[index]}
    finders = words + [hint.word for hint in hints if hint.stands_in_for in unheld]
    found = _any_held(finders, column, postgres=postgres)
    if also:
        found = Q(found) | Q(pk__in=list(also))
    candidates = queryset.filter(found)
    length = _text_length(column, postgres=postgres)
    norm = Value(BM25_K1 * (1 - BM25_B)) + Value(BM25_K1 * BM25_B / mean_length) * length
    # Reading a listing's document vector is most of the ranking's cost (it
    # is compressed out of line), so it is read only where it can tell: not
    # for the one word that found every candidate, nor for parts of a word
    # that listings hold; titles are short and cheap to read.
    text_known = len(finders) == 1 and not also
    score: Expression = Value(0.0)
    for i, (in_text, in_head) in enumerate(zip(held, in_title, strict=True)):
        hint = hints[i - len(words)] if i >= len(words) else None
        share = HINT_WEIGHT if hint else 1.0
        text_idf, title_idf = (share * _idf(total, counts[i]) for counts in (text_counts, title_counts))
        in_head_score = Value((BM25_K1 + 1) * (TITLE_WEIGHT + 1) * title_idf) / (TITLE_WEIGHT + 1 + norm)
        in_text_score = Value((BM25_K1 + 1) * text_idf) / (1 + norm)
        if i == 0 and text_known:
            score += Case(When(in_head, then=in_head_score), default=in_text_score)
        elif hint and not (hint.in_text or hint.stands_in_for in unheld):
            score += Case(When(in_head, then=in_head_score), default=Value(0.0))
        else:
            score += Case(When(in_head, then=in_head_score), When(in_text, then=in_text_score), default=Value(0.0))
    if len(words) == 1 and not also:
        # Every candidate holds the word, or none does (its parts found them):
        # a constant, and one reading of every candidate's vector less.
        coverage: Expression = Value(1 if text_counts[0] else 0)
    else:
        coverage = sum((Case(When(condition, then=1), default=0) for condition in held[: len(words)]), Value(0))
    meaning = Case(*(When(pk=pk, then=Value(rank)) for rank, pk in enumerate(also)), default=Value(0))
    ranked = candidates.annotate(coverage=coverage, score=ExpressionWrapper(score, output_field=FloatField()))
    return ranked.annotate(meaning=meaning if also else Value(0)), True


def _idf(total: int, frequency: int) -> float:
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def _statistics(queryset: QuerySet, scored: list, held: list, in_title: list, column: str, *, postgres: bool):
    """How many listings ``queryset`` has, how many hold each word (in
    ``column``, and in the title), and the mean length of their text.

    The title counts give a title hit its own rarity: a word that a
    boilerplate line puts in many descriptions ("可开具增值税专用发票") is common
    in the text, but still rare, and telling, in titles.

    Counting reads the vectors of every listing holding a word: over 10,000
    capabilities, 50-150 ms for a common word, more than the ranking itself.
    The counts are cached under a fingerprint of the searched listings (their
    number, latest change, highest id; one cheap query), so any change to
    them is a new fingerprint and counts are never stale; each word's are
    cached on its own, so a new query counts only its new words. The cache is
    the process's own (_StatisticsCache): Django's local-memory cache, the
    default without Redis, keeps 300 entries and culled them within one
    pass of the 148 benchmark queries; a Redis round trip would cost about as
    much as the counts it saves for a rare word.
    """
    fingerprint = queryset.aggregate(total=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    try:
        where = queryset.query.sql_with_params()
    except EmptyResultSet:
        return 0, [0] * len(scored), [0] * len(scored), 1.0
    digest = _digest(repr((queryset.model._meta.label, column, where, fingerprint)))
    length_key, keys = (
        f"search:{digest}:length",
        [f"search:{digest}:{_digest(_tsquery(word))}" for word in scored],
    )
    cached = _statistics_cache.get_many([length_key, *keys])
    missing = [i for i, key in enumerate(keys) if key not in cached]
    if missing:
        holding = queryset.filter(_any_held([scored[i] for i in missing], column, postgres=postgres))
        counts = holding.aggregate(
            **{f"text{i}": Count("pk", filter=held[i]) for i in missing},
            **{f"title{i}": Count("pk", filter=in_title[i]) for i in missing},
        )
        fresh = {keys[i]: (counts[f"text{i}"], counts[f"title{i}"]) for i in missing}
        _statistics_cache.set_many(fresh)
        cached |= fresh
    if length_key not in cached:
        cached[length_key] = queryset.aggregate(length=Avg(_text_length(column, postgres=postgres)))["length"] or 1.0
        _statistics_cache.set_many({length_key: cached[length_key]})
    text_counts = [cached[key][0] for key in keys]
    title_counts = [cached[key][1] for key in keys]
    return fingerprint["total"], text_counts, title_counts, cached[length_key]


class _StatisticsCache:
    """A bounded, thread-safe mapping that forgets the least recently used entries."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict:
        with self.lock:
            found = {key: self.entries[key] for key in keys if key in self.entries}
            for key in found:
                self.entries.move_to_end(key)
        return found

    def set_many(self, values: dict) -> None:
        with self.lock:
            self.entries.update(values)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_statistics_cache = _StatisticsCache(SEARCH_STATISTICS_ENTRIES)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _tsquery(word) -> str:
    return " & ".join(f"{token.token}:*" if token.prefix else token.token for token in word.tokens)


def _word_condition(word, column: str, *, postgres: bool):
    """A condition true for listings holding every token of ``word`` in ``column``."""
    if postgres:
        search_query = SearchQuery(_tsquery(word), search_type="raw", config="simple")
        return SearchVectorExact(_stored_vector(column), search_query)
    return reduce(
        and_,
        (
            Q(**{f"{column}__contains": f" {token.token}" if token.prefix else f" {token.token} "})
            for token in word.tokens
        ),
    )


def _any_held(words, column: str, *, postgres: bool):
    """A condition true for listings holding any of ``words``: on PostgreSQL,
    one ``@@`` for all of them, so that one GIN index scan finds the candidates."""
    if not postgres:
        return reduce(or_, (_word_condition(word, column, postgres=False) for word in words))
    expression = " | ".join(f"({_tsquery(word)})" for word in words)
    search_query = SearchQuery(expression, search_type="raw", config="simple")
    return SearchVectorExact(_stored_vector(column), search_query)


# PostgreSQL keeps each token column's vector in a stored generated column
# (migration marketplace 0008), GIN-indexed; ranking reads it instead of
# computing to_tsvector again for every matching listing.
STORED_VECTORS = {"search_document": "search_vector", "search_title": "title_vector"}


class _StoredColumn(Expression):
    """A stored generated column of the queryset's own table (migrations
    0008, 0009), as a column of whatever alias that table has in the final SQL
    (it is "U0" when the search is a subquery, as the facets use it). Django
    does not map these columns, so this resolves to a Col of a field made for it."""

    def __init__(self, column: str, output_field):
        super().__init__(output_field=output_field)
        self.column = column

    def resolve_expression(self, query=None, *args, **kwargs):
        target = type(self.output_field)()
        target.column = self.column
        return Col(query.get_initial_alias(), target, output_field=self.output_field)


def _stored_vector(column: str) -> _StoredColumn:
    return _StoredColumn(STORED_VECTORS[column], SearchVectorField())


def _text_length(column: str, *, postgres: bool):
    """The length a listing's text is normalised by (BM25): its title's, or
    its document's number of tokens. PostgreSQL reads it from a stored column
    (migration 0009): the document itself is compressed out of line, and
    reading it again for every query word cost a third of a common query."""
    if column == "search_title":
        return Length("title")
    return _StoredColumn("search_length", IntegerField()) if postgres else Length("search_document")
