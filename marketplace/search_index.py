"""Which of the searched listings hold a search's words: read from the
database once per catalogue state, kept in the process.

Reading a listing's token vector is the cost of a search on PostgreSQL (it is
stored out of line: 10,000 capabilities took 50 ms to read once, and the
earlier ranking in SQL read them once per query word). So ``index`` returns,
for each word, the ids of the searched listings holding it in their text and
in their title (sorted arrays), and for each listing its length and
publication time; ``marketplace.ranking`` ranks with them in Python. They are
cached under a fingerprint of the searched listings (their number, latest
``updated_at`` and highest id: one aggregate per search, from an index,
migration 0010), so a change to any of them is a new key and nothing is ever
stale, provided that whatever changes a listing's text saves ``updated_at``
(the services do). Also here: the SQL conditions for words (``@@`` on the
stored vectors on PostgreSQL, ``LIKE`` on SQLite) and for a ranked list of ids.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, reduce
from operator import and_, or_

import numpy as np
from django.contrib.postgres.search import SearchQuery, SearchVectorExact, SearchVectorField
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import BooleanField, Case, Count, F, Func, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.expressions import Col, Expression
from django.db.models.functions import Length

from marketplace.search import QueryWord

# Memory for the words' listings and the listings' lengths, per process.
SEARCH_CACHE_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Listings:
    """The searched listings, by id (ascending)."""

    ids: np.ndarray
    lengths: np.ndarray
    published: np.ndarray  # seconds since the epoch; -inf when never published
    mean_length: float

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.lengths.nbytes + self.published.nbytes


@dataclass(frozen=True)
class Holders:
    """The ids (ascending) of the searched listings holding a word: in their text, in their title."""

    text: np.ndarray
    title: np.ndarray

    @property
    def nbytes(self) -> int:
        return self.text.nbytes + self.title.nbytes


def index(queryset: QuerySet, scored: list[QueryWord], column: str) -> tuple[Listings, list[Holders]] | None:
    """The searched listings and, for each word, those holding it: from the
    process's cache, under a fingerprint of ``queryset``; None when it can
    hold nothing.

    The listings holding any new word are read in one query (the words' GIN
    index on PostgreSQL), each word cached on its own, so a new query reads
    only its new words. The cache is the process's own (_SearchCache):
    Django's local-memory cache, the default without Redis, keeps 300 entries
    and culled them within one pass of the 148 benchmark queries; a Redis
    round trip would cost about as much as the read it saves for a rare word.
    """
    postgres = connections[queryset.db].vendor == "postgresql"
    queryset = queryset.order_by()
    fingerprint = queryset.aggregate(total=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    try:
        where = queryset.query.sql_with_params()
    except EmptyResultSet:
        return None
    digest = _digest(repr((queryset.model._meta.label, column, where, fingerprint)))
    listings_key, keys = f"search:{digest}:listings", [f"search:{digest}:{_digest(_tsquery(w))}" for w in scored]
    cached = _search_cache.get_many([listings_key, *keys])
    if listings_key not in cached:
        cached[listings_key] = _listings(queryset, column, postgres=postgres)
        _search_cache.set_many({listings_key: cached[listings_key]})
    missing: dict[str, QueryWord] = {}
    for key, word in zip(keys, scored, strict=True):
        if key not in cached:
            missing.setdefault(key, word)
    if missing:
        read = _holders(queryset, list(missing.values()), column, cached[listings_key], postgres=postgres)
        fresh = dict(zip(missing, read, strict=True))
        _search_cache.set_many(fresh)
        cached |= fresh
    return cached[listings_key], [cached[key] for key in keys]


def _listings(queryset: QuerySet, column: str, *, postgres: bool) -> Listings:
    rows = queryset.annotate(search_length_=_text_length(column, postgres=postgres)).values_list(
        "pk", "search_length_", "published_at"
    )
    rows = sorted(rows)
    ids = np.array([pk for pk, _length, _published in rows], dtype=np.int64)
    lengths = np.array([length or 0 for _pk, length, _published in rows], dtype=np.float64)
    published = np.array(
        [published.timestamp() if published else -np.inf for _pk, _length, published in rows], dtype=np.float64
    )
    mean_length = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
    return Listings(ids, lengths, published, mean_length)


def word_holders_queryset(queryset: QuerySet, words: list[QueryWord], column: str) -> QuerySet:
    """The rows read to learn which listings hold ``words``. PostgreSQL: (id,
    2·i) for each listing of the table whose ``column`` holds word i, (id, 2·i
    + 1) for each whose title does, one branch per word and field, each
    answered by its GIN index (see _holders); SQLite: one pass of LIKEs over
    ``queryset``, with a flag per word and field."""
    postgres = connections[queryset.db].vendor == "postgresql"
    queryset = queryset.order_by()
    if postgres:
        # Over the whole table: with the visitor's filters beside it, the
        # planner reads the rows by another index and tests each vector.
        table = queryset.model._base_manager.db_manager(queryset.db).order_by()
        branches = [
            table.filter(_word_condition(word, where, postgres=True))
            .annotate(held_as=Value(2 * i + field))
            .values_list("pk", "held_as")
            for i, word in enumerate(words)
            for field, where in enumerate((column, "search_title"))
        ]
        return branches[0].union(*branches[1:], all=True).order_by()
    flags = {}
    for i, word in enumerate(words):
        for field, where in enumerate((column, "search_title")):
            condition = _word_condition(word, where, postgres=False)
            flags[f"held{2 * i + field}"] = Case(
                When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
    return queryset.filter(_any_held(words, column, postgres=False)).annotate(**flags).values_list("pk", *flags)


def _holders(
    queryset: QuerySet, words: list[QueryWord], column: str, listings: Listings, *, postgres: bool
) -> list[Holders]:
    rows = word_holders_queryset(queryset, words, column)
    if postgres:
        # Through the GIN indexes, which hold the answer: 5 ms for the 4,000
        # listings of a common word, where the scan the planner prefers (it
        # prices reading a vector as cheap, but it is stored out of line)
        # took 60 ms and more, once per word and field. Read raw: tens of
        # thousands of (id, word) pairs.
        sql, params = rows.query.sql_with_params()
        with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, params)
            pairs = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        held = [pairs[pairs[:, 1] == held_as, 0] for held_as in range(2 * len(words))]
    else:
        flags = list(rows)
        held = [
            np.array([row[0] for row in flags if row[1 + held_as]], dtype=np.int64) for held_as in range(2 * len(words))
        ]
    return [
        Holders(text=_among(held[2 * i], listings.ids), title=_among(held[2 * i + 1], listings.ids))
        for i in range(len(words))
    ]


def _among(ids: np.ndarray, searched: np.ndarray) -> np.ndarray:
    """``ids`` that are in ``searched`` (ascending, distinct), ascending and distinct."""
    ids = np.unique(ids)
    at = np.searchsorted(searched, ids).clip(max=max(len(searched) - 1, 0))
    return ids[searched[at] == ids] if len(searched) else ids[:0]


class _SearchCache:
    """A thread-safe mapping that forgets the least recently used entries
    beyond a budget of bytes."""

    def __init__(self, budget: int):
        self.budget = budget
        self.used = 0
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
            for key, value in values.items():
                if key in self.entries:
                    self.used -= self.entries.pop(key).nbytes
                self.entries[key] = value
                self.used += value.nbytes
            while self.used > self.budget and len(self.entries) > len(values):
                self.used -= self.entries.popitem(last=False)[1].nbytes


_search_cache = _SearchCache(SEARCH_CACHE_BYTES)


def _digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).hexdigest()[:32]


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


class IdIn(Func):
    """True for the rows whose id is one of ``ids``, in one parameter however
    many ids. PostgreSQL: up to ``ARRAY_IDS``, an array, which the planner
    answers with the primary key's index; beyond, a bitmap (bit i for id
    low + i) read in constant time per row, as an array of the 4,000 ids of a
    common word took longer to plan (the planner weighs each element) than
    the whole scan. SQLite: a JSON array."""

    ARRAY_IDS = 500
    output_field = BooleanField()

    def __init__(self, ids: np.ndarray):
        super().__init__(F("pk"))
        self.ids = ids

    @cached_property
    def identity(self):
        # Django's default hashes every constructor argument element by element.
        return type(self), _digest(self.ids.tobytes())

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        low, high = int(self.ids.min()), int(self.ids.max())
        # A bitmap of sparse ids would be larger than their array.
        if len(self.ids) <= self.ARRAY_IDS or high - low > 64 * len(self.ids):
            return f"{column} = ANY(%s)", (*params, self.ids.tolist())
        bits = np.zeros(high - low + 1, dtype=np.uint8)
        bits[self.ids - low] = 1
        bitmap = np.packbits(bits, bitorder="little").tobytes()
        sql = (
            f"CASE WHEN {column} BETWEEN %s AND %s THEN get_bit(%s::bytea, ({column} - %s)::integer) = 1 ELSE FALSE END"
        )
        return sql, (*params, low, high, bitmap, *params, low)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        # The column is a compiled reference; the ids are a parameter.
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - a column reference  # nosec B608
        return sql, (*params, json.dumps(self.ids.tolist()))


class PositionOf(Func):
    """The row's position in ``ids`` (counted from ``start``), else ``default``:
    one JSON object parameter, looked up by the row's id."""

    output_field = IntegerField()

    def __init__(self, ids: np.ndarray, *, start: int = 0, default: int):
        super().__init__(F("pk"))
        self.positions = json.dumps({str(pk): start + position for position, pk in enumerate(ids.tolist())})
        self.default = default

    @cached_property
    def identity(self):
        # Django's default hashes every constructor argument element by element.
        return type(self), _digest(self.positions), self.default

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"COALESCE((%s::jsonb ->> ({column})::text)::integer, %s)", (self.positions, *params, self.default)

    def as_sqlite(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        sql = f"COALESCE(json_extract(%s, '$.\"' || ({column}) || '\"'), %s)"
        return sql, (self.positions, *params, self.default)


# PostgreSQL keeps each token column's vector in a stored generated column
# (migration marketplace 0008), GIN-indexed; ranking reads it instead of
# computing to_tsvector again for every matching listing.
STORED_VECTORS = {"search_document": "search_vector", "search_title": "title_vector"}


class _StoredColumn(Expression):
    """A stored generated column of the queryset's own table (migrations
    0008, 0009), as a column of whatever alias that table has in the final SQL.
    Django does not map these columns, so this resolves to a Col of a field made for it."""

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
    its document's number of tokens (PostgreSQL: a stored column, migration 0009)."""
    if column == "search_title":
        return Length("title")
    return _StoredColumn("search_length", IntegerField()) if postgres else Length("search_document")
