"""The matching pipeline, the same for the web application, the rebuild and
the evaluation command:

1. text: needs and capabilities become fused TF-IDF rows (``text``), the
   lexical view, and sentence vectors (``encoder``), the semantic view; a
   need of several sentences is also compared sentence by sentence (its best
   sentence counts beside the whole text: a request that asks for two things
   fits a capability that does one of them);
2. retrieval: the ``depth`` most similar eligible capabilities per need by
   each view (``retrieval``), under the hard filters (kind, region, size,
   verification — ``features.eligible``); the union of the two is scored by
   the fused text similarity (``fusion``), so a capability that shares no
   word with the need (another language, a paraphrase) is found by meaning;
3. features of every candidate pair (``features.pair_features``);
4. ranking by the active scorer (``ranker``), best ``k`` kept;
5. reasons: the largest positive contributions, with their concrete values.

Steps 3 to 5 are one code path (``Matcher.propose``). Step 2 has two ways:

- ``Matcher.match`` (a few needs: a need published or edited) — exact SciPy
  products over the whole catalogue, the filters applied to each need's full
  similarity row before its top ``depth``; the semantic view is searched by
  the parts below, as the bulk path does, so that a need reads only the
  vectors it may be proposed (the same candidates: the scan is bound by
  memory bandwidth).
- ``Matcher.match_bulk`` (the rebuild) — the catalogue split into parts by
  kind and province (``PartitionedIndex``): a need searches only the parts of
  the kinds it wants (every kind when it names none) and of its own province
  plus the nationwide ones, so the kind and region filters cost nothing and
  are exact. Each part gives its best ``OVERSAMPLE × depth`` by a compiled
  top-n product (``sparse_dot_topn``); size and verification filters are
  applied to that pool, then the best ``depth`` kept. A need whose pool could
  have missed an eligible capability better than its ``depth``-th (too many
  of its nearest were filtered out) is searched again exactly. The result is
  the same as ``match`` up to the last bit of float32 sums (the two products
  add the same terms, in the same order, in compiled code), and repeats exactly.
  The semantic view is searched the same way (``DenseIndex``, same parts,
  same pool rule and exact fallback).
"""

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, cast

import numpy as np
from scipy import sparse

from matching.ml.calibration import RELEVANCE_FLOOR
from matching.ml.encoder import Encoder, listing_text
from matching.ml.features import (
    DAY,
    FEATURES,
    CapabilityTable,
    Codes,
    NeedTable,
    TagVocabulary,
    eligible,
    pair_features,
)
from matching.ml.fusion import FusionConfig, fuse, fusion_parts
from matching.ml.ranker import PRIOR, LinearScorer
from matching.ml.records import CapabilityRecord, NeedRecord
from matching.ml.retrieval import DenseIndex, PartitionedIndex, Pool, SparseIndex
from matching.ml.text import TextModel, TextModelConfig, chinese_share, sentences
from matching.ml.words import readable_words
from textkit.normalize import fold

# Contributions below this (in score units) do not make a reason.
MIN_REASON = 0.005
MAX_REASONS = 3
MAX_WORDS = 3
# Shared terms looked at to find MAX_WORDS readable ones (stop words and
# fragments of Chinese words are skipped or merged: ``words.readable_words``).
TERMS_CONSIDERED = 12
MAX_TAGS = 5
# Features that are never a reason for fit: the kind is a hard filter already
# ("the kind wanted" says nothing the SME did not choose) and a listing's age
# says nothing of how well it fits.
NOT_REASONS = ("kind", "freshness")
# Bulk retrieval keeps the best OVERSAMPLE × depth of each part it searches
# before the size and verification filters (the kind and region filters are
# exact: they choose the parts). The needs whose pool is short of ``depth``
# eligible candidates, or could have missed a better eligible capability, are
# searched again exactly. On the synthetic catalogue of bench.rebuild_speed
# (30 % of capabilities for some firm sizes only, 15 % for verified firms
# only) a pool of 2 × depth sent 4 of 100,000 needs to the exact search.
OVERSAMPLE = 2
# Needs per bulk chunk: memory grows with it (the pools, the candidates'
# features), time per need barely changes above a thousand or so.
BULK_CHUNK = 2048
# Candidate pairs whose similarities are computed at once (the rows they
# gather, a few tens of MB): a rebuild's chunk has some 400,000.
PAIR_BATCH = 16_384
# Needs searched again exactly at a time: an exact pool holds every positive
# score of the parts, up to the whole catalogue per need.
EXACT_CHUNK = 64
# A part key's kind for the parts that hold every kind (for needs naming none).
ANY_KIND = -1
# The lexical similarity of a need of several sentences: this share is its best
# sentence's, the rest the whole text's (chosen on the judged sets with the
# fusion weights, docs/BENCHMARKS.md "Relevance").
BEST_SENTENCE = 0.3


@dataclass(frozen=True)
class Proposal:
    """One proposed capability for one need."""

    need_id: int | str
    capability_id: int | str
    score: float
    rank: int
    features: dict[str, float]
    reasons: list[dict[str, Any]]


@dataclass
class Candidates:
    """Candidate pairs as aligned arrays: rows of the need batch and of the
    catalogue, and their text similarity (fused, once both views are in)."""

    need_rows: np.ndarray
    cap_rows: np.ndarray
    text: np.ndarray
    lexical: np.ndarray | None = None
    semantic: np.ndarray | None = None


@dataclass
class Queries:
    """A batch of needs as the views see them: TF-IDF rows, sentence vectors
    (None without a semantic view) and how Chinese each text is; and the
    TF-IDF rows of the sentences of the needs that have several, need by need
    (need ``i``'s are rows ``sentence_starts[i]`` to ``sentence_starts[i + 1]``
    of ``sentences``; none for a need of one sentence)."""

    lexical: sparse.csr_matrix
    vectors: np.ndarray | None
    shares: np.ndarray
    sentences: sparse.csr_matrix | None = None
    sentence_starts: np.ndarray | None = None


class _PartSearch(Protocol):
    """One view's search of the catalogue's parts (``PartitionedIndex.search``,
    ``DenseIndex.search_parts``) for given query rows per part."""

    def __call__(self, wanted: Sequence[np.ndarray], n: int, /, *, exact: bool = False) -> Pool: ...


class _Stopwatch:
    """Adds the seconds since the last lap to ``stats[name]`` (when asked to keep stats)."""

    def __init__(self, stats: dict[str, float] | None):
        self.stats = stats
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.stats is not None:
            self.stats[name] = self.stats.get(name, 0.0) + now - self.last
        self.last = now

    def count(self, name: str, value: int) -> None:
        if self.stats is not None:
            self.stats[name] = self.stats.get(name, 0) + value


def eligible_pairs(needs: NeedTable, need_rows: np.ndarray, caps: CapabilityTable, cap_rows: np.ndarray) -> np.ndarray:
    """``features.eligible`` for aligned pairs of rows (many needs at once)."""
    kinds = needs.kinds[need_rows]
    keep: np.ndarray = (kinds == 0) | ((caps.kind[cap_rows] & kinds) != 0)
    regions = caps.regions[cap_rows]
    keep &= (regions == 0) | ((regions & needs.region[need_rows]) != 0)
    sizes = caps.size_bands[cap_rows]
    keep &= (sizes == 0) | ((sizes & needs.size_band[need_rows]) != 0)
    keep &= needs.verified[need_rows] | ~caps.requires_verification[cap_rows]
    if len(needs.excluded):
        keep &= ~np.isin(need_rows.astype(np.int64) * needs.width + cap_rows, needs.excluded)
    return keep


def rounded(values: np.ndarray, decimals: int) -> np.ndarray:
    """``round(value, decimals)`` of every element, as Python rounds: NumPy
    scales, rounds and scales back, which differs next to a half (0.00125 to
    4 places: 0.0012, where Python gives 0.0013); those few are redone."""
    values = np.asarray(values, dtype=np.float64)
    result = np.round(values, decimals)
    scaled = values * 10.0**decimals
    for index in zip(*np.nonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6), strict=True):
        result[index] = round(float(values[index]), decimals)
    return result


def _best_per_row(rows: np.ndarray, columns: np.ndarray, scores: np.ndarray, depth: int) -> np.ndarray:
    """Positions of the best ``depth`` entries of each row — score first, then
    the lower column — ordered by row, then best first. (row, column) pairs
    are unique; scores are float32."""
    row_bits = int(rows.max()).bit_length() if len(rows) else 0
    column_bits = int(columns.max()).bit_length() if len(columns) else 0
    if row_bits + 31 + column_bits <= 63 and (scores >= 0).all():
        # One sort of one int64 key instead of three: row, then the score's bits
        # inverted (a non-negative float32's bits order as the float does), then column.
        descending = np.int64(0x7FFFFFFF) - scores.astype(np.float32).view(np.int32).astype(np.int64)
        key = (rows.astype(np.int64) << (31 + column_bits)) | (descending << column_bits) | columns.astype(np.int64)
        order = np.argsort(key)
    else:
        order = np.lexsort((columns, -scores, rows))
    sorted_rows = rows[order]
    first = np.r_[0, np.flatnonzero(sorted_rows[1:] != sorted_rows[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    best: np.ndarray = order[rank < depth]
    return best


class Matcher:
    """A catalogue of capabilities made ready for matching: its text rows
    indexed, its facts in columns. Build once per catalogue and keep it (a
    worker process keeps one in memory); then ``match`` any batch of needs,
    or ``match_bulk`` all of them."""

    def __init__(
        self,
        capabilities: Sequence[CapabilityRecord],
        *,
        extra_texts: Sequence[str] = (),
        config: TextModelConfig | None = None,
        encoder: Encoder | None = None,
        vectors: np.ndarray | None = None,
        fusion: FusionConfig | None = None,
        relevance_floor: float = RELEVANCE_FLOOR,
    ):
        """``encoder``: the semantic view (None: lexical only). ``vectors``:
        the capabilities' stored vectors from that encoder, row for row
        (encoded here when not given). ``relevance_floor``: candidates whose
        fit is below it are not proposed (0: every candidate may be)."""
        self.capabilities = list(capabilities)
        texts = [record.text for record in self.capabilities]
        self.encoder = encoder
        self.fusion = fusion or FusionConfig()
        self.relevance_floor = relevance_floor
        self.shares = np.array([chinese_share(text) for text in texts], dtype=np.float32)
        if encoder is not None:
            if vectors is None:
                vectors = encoder.encode([capability_semantic_text(record) for record in self.capabilities])
            vectors = np.asarray(vectors, dtype=np.float32).reshape(len(self.capabilities), encoder.dim)
        self.codes = Codes()
        self.tags = TagVocabulary()
        self.text_model = TextModel(config)
        # One pass over all texts fits the model and gives the catalogue's rows.
        self.matrix = self.text_model.fit_transform(texts + list(extra_texts) or [""])[: len(texts)]
        self.table = CapabilityTable(self.capabilities, self.codes, self.tags)
        self._term_names: list[str] | None = None
        self._term_matrix: Any = None
        self._parts: PartitionedIndex | None = None
        self._reason_facts: _CapabilityFacts | None = None
        # The semantic view: the catalogue's vectors, stored once in the order of
        # its parts (``DenseIndex``), for one new need and for the rebuild.
        self.dense: DenseIndex | None = None
        if encoder is not None:
            self.dense = DenseIndex(cast(np.ndarray, vectors), self._partition[0])

    def __len__(self) -> int:
        return len(self.capabilities)

    @cached_property
    def positions(self) -> dict[int | str, int]:
        """Each capability's row in the catalogue, by id."""
        return {record.id: row for row, record in enumerate(self.capabilities)}

    @cached_property
    def index(self) -> SparseIndex:
        """The catalogue ready for exact retrieval (``match``), built on first use:
        a rebuild's worker processes, which use ``bulk_index``, never pay for it."""
        return SparseIndex(self.matrix)

    def _semantic_vectors(self, rows: np.ndarray) -> np.ndarray:
        """The sentence vectors of these catalogue rows: read only with a
        semantic view (the needs' ``Queries.vectors`` are set only then)."""
        return cast(DenseIndex, self.dense).vectors(rows)

    def _semantic_pairs(self, need_vectors: np.ndarray, need_rows: np.ndarray, cap_rows: np.ndarray) -> np.ndarray:
        """The cosine of given (need, catalogue row) pairs, ``PAIR_BATCH`` pairs
        at a time: the vectors of all a chunk's pairs at once would take
        gigabytes. Each pair's product is the same in any batch."""
        scores = np.zeros(len(need_rows), dtype=np.float32)
        for start in range(0, len(need_rows), PAIR_BATCH):
            stop = start + PAIR_BATCH
            scores[start:stop] = np.einsum(
                "ij,ij->i", need_vectors[need_rows[start:stop]], self._semantic_vectors(cap_rows[start:stop])
            )
        return scores

    # -- the pipeline ------------------------------------------------------------

    def prepare(self, needs: Sequence[NeedRecord], vectors: np.ndarray | None = None) -> tuple[Queries, NeedTable]:
        """The needs as the views see them, and their fact columns. ``vectors``:
        the needs' stored sentence vectors, row for row (encoded when not given)."""
        table = NeedTable(needs, self.codes, self.tags, self.positions)
        texts = [need.text for need in needs]
        if self.encoder is not None and vectors is None:
            vectors = self.encoder.encode(texts)
        if self.encoder is None:
            vectors = None
        elif vectors is not None:
            vectors = np.asarray(vectors, dtype=np.float32).reshape(len(needs), self.encoder.dim)
        shares = np.array([chinese_share(text) for text in texts], dtype=np.float32)
        split = [sentences(text) for text in texts]
        counts = np.array([len(parts) if len(parts) > 1 else 0 for parts in split], dtype=np.int64)
        queries = Queries(self.text_model.transform(texts), vectors, shares)
        if counts.any():
            queries.sentences = self.text_model.transform([part for parts in split if len(parts) > 1 for part in parts])
            queries.sentence_starts = np.r_[0, np.cumsum(counts)]
        return queries, table

    def candidates(self, queries: Queries, table: NeedTable, depth: int, *, chunk_size: int = 512) -> Candidates:
        """The ``depth`` most similar eligible capabilities of each need by each
        view (exact), scored by the fused similarity."""

        def keep(row: int, columns: np.ndarray) -> np.ndarray:
            return eligible(table, row, self.table, columns)

        indices, scores = self.index.search(queries.lexical, depth, chunk_size=chunk_size, keep=keep)
        need_rows, slots = np.nonzero(indices >= 0)
        lexical = Candidates(need_rows, indices[need_rows, slots].astype(np.int64), scores[need_rows, slots])
        if queries.vectors is None:
            return self._by_sentence(queries, lexical)
        # The semantic view searches only the parts of the kinds and province
        # the needs may see, as the rebuild does (a pooled top-n, exact by the
        # same rule): the same candidates as a scan of the whole catalogue.
        semantic = self._pooled(
            self._semantic_search(queries),
            self._wanted(table),
            table,
            depth,
            int(np.ceil(depth * OVERSAMPLE)),
            True,
            None,
        )
        return self._fused(queries, lexical, semantic)

    def _semantic_search(self, queries: Queries) -> _PartSearch:
        dense = cast(DenseIndex, self.dense)
        vectors = cast(np.ndarray, queries.vectors)

        def search(rows: Sequence[np.ndarray], n: int, exact: bool = False) -> Pool:
            return dense.search_parts(vectors, n, rows, exact=exact)

        return search

    def _fused(self, queries: Queries, lexical: Candidates, semantic: Candidates) -> Candidates:
        """The union of both views' candidates, each pair with both similarities
        and their fusion; ordered by need row, then catalogue row."""
        width = np.int64(len(self.capabilities))
        lexical_keys = lexical.need_rows.astype(np.int64) * width + lexical.cap_rows
        semantic_keys = semantic.need_rows.astype(np.int64) * width + semantic.cap_rows
        keys = np.union1d(lexical_keys, semantic_keys)
        need_rows, cap_rows = keys // width, keys % width
        lexical_scores = np.zeros(len(keys), dtype=np.float32)
        found = np.isin(keys, lexical_keys)
        order = np.argsort(lexical_keys)
        lexical_scores[found] = lexical.text[order][np.searchsorted(lexical_keys[order], keys[found])]
        missing = np.flatnonzero(~found)
        if len(missing):
            lexical_scores[missing] = self._lexical_pairs(queries.lexical, need_rows[missing], cap_rows[missing])
        lexical_scores = self._blend_sentences(queries, need_rows, cap_rows, lexical_scores)
        # Both views' candidates: the needs have sentence vectors.
        semantic_scores = self._semantic_pairs(cast(np.ndarray, queries.vectors), need_rows, cap_rows)
        text = fuse(lexical_scores, semantic_scores, queries.shares[need_rows], self.shares[cap_rows], self.fusion)
        return Candidates(need_rows, cap_rows, text, lexical_scores, semantic_scores)

    def _by_sentence(self, queries: Queries, found: Candidates) -> Candidates:
        """Lexical candidates rescored with their needs' best sentences, in the
        same order (need row, then best first)."""
        text = self._blend_sentences(queries, found.need_rows, found.cap_rows, found.text)
        order = np.lexsort((found.cap_rows, -text, found.need_rows))
        return Candidates(found.need_rows[order], found.cap_rows[order], text[order])

    def _blend_sentences(
        self, queries: Queries, need_rows: np.ndarray, cap_rows: np.ndarray, whole: np.ndarray
    ) -> np.ndarray:
        """The lexical similarity of pairs whose whole-text similarity is
        ``whole``: for needs of several sentences, blended with the best
        sentence's (``BEST_SENTENCE``)."""
        if queries.sentences is None or not len(need_rows):
            return whole
        starts = cast(np.ndarray, queries.sentence_starts)
        several = np.flatnonzero(starts[need_rows + 1] > starts[need_rows])
        if not len(several):
            return whole
        best = np.zeros(len(several), dtype=np.float32)
        rows = need_rows[several]
        order = np.argsort(rows, kind="stable")
        sorted_rows = rows[order]
        bounds = np.r_[0, np.flatnonzero(sorted_rows[1:] != sorted_rows[:-1]) + 1, len(order)]
        for begin, end in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            pairs = order[begin:end]
            need = int(sorted_rows[begin])
            block = queries.sentences[starts[need] : starts[need + 1]] @ self.matrix[cap_rows[several[pairs]]].T
            best[pairs] = block.toarray().max(axis=0)
        blended = whole.astype(np.float32, copy=True)
        blended[several] = (1.0 - BEST_SENTENCE) * whole[several] + BEST_SENTENCE * best
        return blended

    def _lexical_pairs(self, queries: sparse.csr_matrix, need_rows: np.ndarray, cap_rows: np.ndarray) -> np.ndarray:
        """The lexical similarity of given pairs (any order), ``PAIR_BATCH``
        pairs at a time: each capability row's terms, in the order the row
        stores them, times the need's weight of that term (0 when the need
        lacks it), added from zero in that order — the very sum a product of
        the capability's row with the need's row makes, to the last bit. The
        need's weights are looked up in one dense row, set and cleared need by
        need (a product per need would lay out every term of the vocabulary)."""
        scores = np.zeros(len(need_rows), dtype=np.float32)
        order = np.argsort(need_rows, kind="stable")
        weights = np.zeros(queries.shape[1], dtype=np.float32)
        query_pointers, query_terms, query_data = queries.indptr, queries.indices, queries.data
        for start in range(0, len(order), PAIR_BATCH):
            pairs = order[start : start + PAIR_BATCH]
            needs = need_rows[pairs]
            rows = self.matrix[cap_rows[pairs]]
            values = np.zeros(rows.nnz, dtype=np.float32)
            firsts = np.flatnonzero(np.r_[True, needs[1:] != needs[:-1]])
            bounds = rows.indptr[np.r_[firsts, len(pairs)]].tolist()
            for position, need in enumerate(needs[firsts].tolist()):
                terms = query_terms[query_pointers[need] : query_pointers[need + 1]]
                weights[terms] = query_data[query_pointers[need] : query_pointers[need + 1]]
                begin, end = bounds[position], bounds[position + 1]
                values[begin:end] = weights[rows.indices[begin:end]]
                weights[terms] = 0.0
            products = sparse.csr_matrix((rows.data * values, rows.indices, rows.indptr), shape=rows.shape)
            scores[pairs] = products @ np.ones(rows.shape[1], dtype=np.float32)
        return scores

    def pair_text(self, queries: Queries, need_rows: np.ndarray, cap_rows: np.ndarray) -> np.ndarray:
        """The fused text similarity of given (need row, catalogue row) pairs."""
        need_rows, cap_rows = np.asarray(need_rows, dtype=np.int64), np.asarray(cap_rows, dtype=np.int64)
        lexical = self._lexical_pairs(queries.lexical, need_rows, cap_rows)
        lexical = self._blend_sentences(queries, need_rows, cap_rows, lexical)
        if queries.vectors is None:
            return lexical
        semantic = self._semantic_pairs(queries.vectors, need_rows, cap_rows)
        return fuse(lexical, semantic, queries.shares[need_rows], self.shares[cap_rows], self.fusion)

    def text_to(self, queries: Queries, position: int) -> np.ndarray:
        """The fused text similarity of every need of the batch to one capability."""
        row = self.matrix[position].T
        lexical = np.asarray((queries.lexical @ row).todense(), dtype=np.float32).ravel()
        if queries.sentences is not None:
            # Every sentence against the one capability in one product, then
            # each need's best: the same blend as ``_blend_sentences``, with no
            # product per need (a capability is compared with every need).
            starts = cast(np.ndarray, queries.sentence_starts)
            by_sentence = np.asarray((queries.sentences @ row).todense(), dtype=np.float32).ravel()
            several = np.flatnonzero(starts[1:] > starts[:-1])
            best = np.maximum.reduceat(by_sentence, starts[several])
            lexical[several] = (1.0 - BEST_SENTENCE) * lexical[several] + BEST_SENTENCE * best
        if queries.vectors is None:
            return lexical
        semantic = queries.vectors @ self._semantic_vectors(np.array([position]))[0]
        shares = np.full(len(lexical), self.shares[position], dtype=np.float32)
        return fuse(lexical, semantic, queries.shares, shares, self.fusion)

    def match(
        self,
        needs: Sequence[NeedRecord],
        scorer: LinearScorer = PRIOR,
        *,
        k: int = 20,
        depth: int = 100,
        now: float | None = None,
        explain: bool = True,
        vectors: np.ndarray | None = None,
    ) -> list[list[Proposal]]:
        """The best ``k`` capabilities for each need, best first, with reasons.
        ``vectors``: the needs' stored sentence vectors (encoded when not given)."""
        if not needs or not self.capabilities:
            return [[] for _ in needs]
        now = time.time() if now is None else now
        queries, table = self.prepare(needs, vectors)
        found = self.candidates(queries, table, max(depth, k))
        return self.propose(needs, queries, table, found, scorer, k=k, now=now, explain=explain)

    # -- the bulk path -------------------------------------------------------------

    def match_bulk(
        self,
        needs: Sequence[NeedRecord],
        scorer: LinearScorer = PRIOR,
        *,
        k: int = 20,
        depth: int = 100,
        now: float | None = None,
        explain: bool = True,
        chunk_size: int = BULK_CHUNK,
        n_threads: int = 1,
        oversample: float = OVERSAMPLE,
        exact_fallback: bool = True,
        stats: dict[str, float] | None = None,
        vectors: np.ndarray | None = None,
    ) -> Iterator[list[list[Proposal]]]:
        """What ``match`` gives, for many needs: yields, ``chunk_size`` needs at
        a time and in order, each need's proposals — the rebuild stores each
        chunk as it comes, so memory stays bounded by the chunk.

        ``n_threads`` threads share each product (``sparse_dot_topn``); worker
        processes over need chunks scale as well and share nothing. With
        ``exact_fallback=False`` a need whose pool was not enough keeps what
        the pool gave (fewer or other candidates than ``match``: for measuring
        the oversampling). ``stats``, when given, accumulates seconds per stage
        (``transform``, ``retrieval``, ``features``, ``ranking``, ``reasons``,
        ``proposals``) and counts (``needs``, ``pool``, ``fallback``)."""
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        now = time.time() if now is None else now
        for start in range(0, len(needs), chunk_size):
            chunk = needs[start : start + chunk_size]
            if not self.capabilities:
                yield [[] for _ in chunk]
                continue
            clock = _Stopwatch(stats)
            queries, table = self.prepare(chunk, None if vectors is None else vectors[start : start + chunk_size])
            clock.lap("transform")
            found = self.bulk_candidates(
                queries,
                table,
                max(depth, k),
                n_threads=n_threads,
                oversample=oversample,
                exact_fallback=exact_fallback,
                stats=stats,
            )
            clock.lap("retrieval")
            clock.count("needs", len(chunk))
            yield self.propose(chunk, queries, table, found, scorer, k=k, now=now, explain=explain, stats=stats)

    @cached_property
    def _partition(self) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """The catalogue's parts — one per kind and province: the nationwide
        capabilities of that kind, or those of that kind offered in that
        province; and the same by province alone, for needs naming no kind (a
        capability offered in several provinces is in each of their parts) —
        with each part's kind and province keys."""
        kind, regions = self.table.kind, self.table.regions
        region_bits = [1 << bit for bit in range(63) if np.any((regions >> bit) & 1)]
        keys, parts = [], []
        for kind_key in [ANY_KIND, *sorted(int(value) for value in np.unique(kind) if value != 0)]:
            of_kind = np.ones(len(kind), dtype=bool) if kind_key == ANY_KIND else kind == kind_key
            for region_key in [0, *region_bits]:
                where = regions == 0 if region_key == 0 else (regions & region_key) != 0
                rows = np.flatnonzero(of_kind & where)
                if len(rows):
                    keys.append((kind_key, region_key))
                    parts.append(rows)
        keys_array = np.array(keys, dtype=np.int64).reshape(-1, 2)
        return parts, keys_array[:, 0], keys_array[:, 1]

    def bulk_index(self) -> PartitionedIndex:
        """The catalogue's text rows in parts (``_partition``), built on first
        use (about the size of the catalogue's text rows, twice). The semantic
        view's parts are built with the matcher (``dense``)."""
        if self._parts is None:
            self._parts = PartitionedIndex(self.matrix, self._partition[0])
        return self._parts

    def _wanted(self, table: NeedTable) -> list[np.ndarray]:
        """For each part, the rows of the need batch that search it: parts of a
        kind they want (the all-kinds parts when they name none), nationwide or
        in their province."""
        _parts, part_kinds, part_regions = self._partition
        # One row per part, one column per need: which needs search it.
        kinds, region = table.kinds[None, :], table.region[None, :]
        any_kind = (part_kinds == ANY_KIND)[:, None]
        by_kind = np.where(any_kind, kinds == 0, (kinds & np.where(any_kind, 0, part_kinds[:, None])) != 0)
        by_region = (part_regions[:, None] == 0) | (region == part_regions[:, None])
        return [np.flatnonzero(row) for row in by_kind & by_region]

    def bulk_candidates(
        self,
        queries: Any,
        table: NeedTable,
        depth: int,
        *,
        n_threads: int = 1,
        oversample: float = OVERSAMPLE,
        exact_fallback: bool = True,
        stats: dict[str, float] | None = None,
    ) -> Candidates:
        """The ``depth`` most similar eligible capabilities of each need, by the
        partitioned top-n search; the same as ``candidates`` (see the module
        docstring). ``stats``, when given, accumulates the seconds of each
        view's search (``lexical``, ``semantic``) and of scoring their union
        (``fusion``; with the lexical view alone, ``lexical`` includes the
        needs' best sentences)."""
        clock = _Stopwatch(stats)
        index = self.bulk_index()
        wanted = self._wanted(table)
        pool_size = max(1, int(np.ceil(depth * oversample)))

        def lexical_search(rows: Sequence[np.ndarray], n: int, exact: bool = False) -> Pool:
            return index.search(queries.lexical, n, rows, n_threads=n_threads, exact=exact)

        found = self._pooled(lexical_search, wanted, table, depth, pool_size, exact_fallback, stats)
        if queries.vectors is None:
            found = self._by_sentence(queries, found)
            clock.lap("lexical")
            return found
        clock.lap("lexical")
        semantic = self._pooled(self._semantic_search(queries), wanted, table, depth, pool_size, exact_fallback, stats)
        clock.lap("semantic")
        found = self._fused(queries, found, semantic)
        clock.lap("fusion")
        return found

    def _pooled(
        self,
        search: _PartSearch,
        wanted: list[np.ndarray],
        table: NeedTable,
        depth: int,
        pool_size: int,
        exact_fallback: bool,
        stats: dict[str, float] | None,
    ) -> Candidates:
        """One view's exact eligible top ``depth`` from its pooled top-n search:
        the needs whose pool could have missed a better eligible capability
        are searched again exactly (see the module docstring)."""
        pool = search(wanted, pool_size)
        found, unsure = self._cut(pool, table, depth)
        clock = _Stopwatch(stats)
        clock.count("pool", len(pool))
        clock.count("short", len(unsure))
        if exact_fallback and len(unsure):
            clock.count("fallback", len(unsure))
            settled = ~np.isin(found.need_rows, unsure)
            pieces = [Candidates(found.need_rows[settled], found.cap_rows[settled], found.text[settled])]
            for start in range(0, len(unsure), EXACT_CHUNK):
                rows = unsure[start : start + EXACT_CHUNK]
                subset = [np.intersect1d(part_rows, rows) for part_rows in wanted]
                pieces.append(self._cut(search(subset, 1, exact=True), table, depth)[0])
            need_rows = np.concatenate([piece.need_rows for piece in pieces])
            cap_rows = np.concatenate([piece.cap_rows for piece in pieces])
            text = np.concatenate([piece.text for piece in pieces])
            order = np.lexsort((cap_rows, -text, need_rows))
            found = Candidates(need_rows[order], cap_rows[order], text[order])
        return found

    def _cut(self, pool: Pool, table: NeedTable, depth: int) -> tuple[Candidates, np.ndarray]:
        """The pool's eligible pairs, the best ``depth`` per need; and the needs
        for which that may differ from the exact search: those whose pool held
        out capabilities (a part filled its top-n) scoring as much as their
        ``depth``-th eligible candidate, or more."""
        keep = eligible_pairs(table, pool.query_rows, self.table, pool.corpus_rows)
        need_rows, cap_rows, scores = pool.query_rows[keep], pool.corpus_rows[keep], pool.scores[keep]
        best = _best_per_row(need_rows, cap_rows, scores, depth)
        found = Candidates(need_rows[best], cap_rows[best], scores[best])
        counts = np.bincount(found.need_rows, minlength=len(pool.floor))
        last = np.zeros(len(pool.floor), dtype=np.float32)
        if len(best):
            ends = np.cumsum(counts)
            has = counts > 0
            last[has] = found.text[ends[has] - 1]
        settled = (pool.floor <= 0) | ((counts >= depth) & (last > pool.floor))
        return found, np.flatnonzero(~settled)

    # -- features, ranking, reasons: one path for both ------------------------------

    def propose(
        self,
        needs: Sequence[NeedRecord],
        queries: Any,
        table: NeedTable,
        found: Candidates,
        scorer: LinearScorer,
        *,
        k: int,
        now: float,
        explain: bool = True,
        stats: dict[str, float] | None = None,
    ) -> list[list[Proposal]]:
        """Features of the candidate pairs, their scores, the best ``k`` per
        need (ties by text similarity, then catalogue order), reasons, and the
        proposals: the same for ``match`` and ``match_bulk``."""
        clock = _Stopwatch(stats)
        features = pair_features(table, self.table, found.need_rows, found.cap_rows, found.text, now)
        scores = scorer.score(features)
        fit = scorer.fit(scores, found.need_rows, len(needs))
        clock.lap("features")
        # Best first within each need (the fit grows with the score within a
        # need); ties by text similarity, then catalogue order. Below the
        # relevance floor nothing is proposed.
        order = np.lexsort((found.cap_rows, -found.text, -scores, found.need_rows))
        order = order[fit[order] >= self.relevance_floor]
        sorted_needs = found.need_rows[order]
        starts = np.searchsorted(sorted_needs, np.arange(len(needs) + 1))
        rank = np.arange(len(order)) - starts[sorted_needs]
        chosen = order[rank < k]
        ranks = (rank[rank < k] + 1).tolist()
        clock.lap("ranking")
        reasons = (
            self.reasons(needs, queries, table, found, features, scorer, chosen, now)
            if explain
            else [[] for _ in range(len(chosen))]
        )
        clock.lap("reasons")
        ids = self._ids()
        need_rows = found.need_rows[chosen].tolist()
        cap_rows = found.cap_rows[chosen].tolist()
        values = rounded(features[chosen], 4).tolist()
        proposals = [
            Proposal(
                need_id=needs[row].id,
                capability_id=ids[cap],
                score=score,
                rank=rank_,
                features=dict(zip(FEATURES, row_values, strict=True)),
                reasons=why,
            )
            for row, cap, score, rank_, row_values, why in zip(
                need_rows, cap_rows, rounded(fit[chosen], 6).tolist(), ranks, values, reasons, strict=True
            )
        ]
        bounds = np.searchsorted(found.need_rows[chosen], np.arange(len(needs) + 1)).tolist()
        results = [proposals[bounds[i] : bounds[i + 1]] for i in range(len(needs))]
        clock.lap("proposals")
        return results

    def _ids(self) -> list[int | str]:
        return self._facts().ids

    def _facts(self) -> "_CapabilityFacts":
        if self._reason_facts is None:
            self._reason_facts = _CapabilityFacts(self.capabilities, self.tags.names)
        return self._reason_facts

    # -- reasons -----------------------------------------------------------------

    def reasons(
        self,
        needs: Sequence[NeedRecord],
        queries: Any,
        table: NeedTable,
        found: Candidates,
        features: np.ndarray,
        scorer: LinearScorer,
        chosen: np.ndarray,
        now: float,
    ) -> list[list[dict[str, Any]]]:
        """For each chosen pair, up to three reasons: the features that raised
        its score most, each with the values that make it concrete. Vectorised
        but for building the dicts themselves."""
        facts = self._facts()
        contributions = scorer.contributions(features[chosen])
        contributions[:, [FEATURES.index(name) for name in NOT_REASONS]] = -np.inf
        top = np.argsort(-contributions, axis=1, kind="stable")[:, :MAX_REASONS]
        shown = np.take_along_axis(contributions, top, axis=1) >= MIN_REASON
        # A reason is shown only when all before it are: the loop this replaces stopped at the first too small.
        shown = np.cumprod(shown, axis=1).astype(bool)
        pair_of, slot = np.nonzero(shown)
        feature_of = top[pair_of, slot]
        need_rows, cap_rows = found.need_rows[chosen], found.cap_rows[chosen]

        built: list[Any] = [None] * len(pair_of)
        for feature, name in enumerate(FEATURES):
            where = np.flatnonzero(feature_of == feature)
            if not len(where):
                continue
            pairs = pair_of[where]
            if name == "text":
                similarity = features[chosen[pairs], feature].tolist()
                terms = self._shared_words(queries, need_rows[pairs], cap_rows[pairs])
                need_texts = {row: fold(needs[row].text) for row in set(need_rows[pairs].tolist())}
                by_meaning = self._by_meaning(queries, found, chosen[pairs])
                items = []
                for value, shared, need_row, cap_row, meaning in zip(
                    similarity, terms, need_rows[pairs].tolist(), cap_rows[pairs].tolist(), by_meaning, strict=True
                ):
                    words = readable_words(
                        shared, need_texts[need_row], facts.folded_text(cap_row), MAX_WORDS, folded=True
                    )
                    item = {"code": "text", "similarity": round(value, 2), "words": words}
                    if not words and meaning:
                        # Meaning, not a shared word, made this pair: name what it is similar to.
                        item["meaning"] = self.capabilities[cap_row].title
                    items.append(item)
            elif name == "tags":
                items = [
                    {"code": "tags", "tags": names}
                    for names in self._shared_tags(table, need_rows[pairs], cap_rows[pairs])
                ]
            elif name in ("industry", "region", "size"):
                attribute = {"industry": "industry", "region": "region", "size": "size_band"}[name]
                items = [{"code": name, name: getattr(needs[row], attribute)} for row in need_rows[pairs].tolist()]
            elif name == "freshness":
                items = [{"code": name, "days": facts.days(cap, now)} for cap in cap_rows[pairs].tolist()]
            else:
                items = [facts.reason(name, cap) for cap in cap_rows[pairs].tolist()]
            for position, item in zip(where.tolist(), items, strict=True):
                built[position] = item
        bounds = np.searchsorted(pair_of, np.arange(len(chosen) + 1)).tolist()
        return [built[bounds[i] : bounds[i + 1]] for i in range(len(chosen))]

    def _by_meaning(self, queries: Queries, found: Candidates, pairs: np.ndarray) -> list[bool]:
        """Whether the semantic view gave the pair more of its text similarity
        than shared words did."""
        if found.semantic is None or found.lexical is None:
            return [False] * len(pairs)
        parts = fusion_parts(
            found.lexical[pairs],
            found.semantic[pairs],
            queries.shares[found.need_rows[pairs]],
            self.shares[found.cap_rows[pairs]],
            self.fusion,
        )
        by_meaning: list[bool] = (parts.semantic > parts.lexical).tolist()
        return by_meaning

    def _shared_words(self, queries: Queries, need_rows: np.ndarray, cap_rows: np.ndarray) -> list[list[str]]:
        """The rarest terms (highest TF-IDF weight product) both texts use, at
        most TERMS_CONSIDERED, best first (ties in column order)."""
        width = self.text_model.term_columns
        if self._term_names is None:
            self._term_names = self.text_model.term_names().tolist()
            # The term view alone (the first columns): a fraction of the rows' non-zeros.
            self._term_matrix = self.matrix[:, :width].tocsr()
        shared = queries.lexical[:, :width][need_rows].multiply(self._term_matrix[cap_rows]).tocsr()
        shared.sum_duplicates()
        return _best_names(shared, self._term_names, TERMS_CONSIDERED, lambda columns, data: (-data,))

    def _shared_tags(self, table: NeedTable, need_rows: np.ndarray, cap_rows: np.ndarray) -> list[list[str]]:
        """The tags both name, as the catalogue writes them, the first MAX_TAGS in name order."""
        width = min(table.tags.shape[1], self.table.tags.shape[1])
        shared = table.tags[need_rows][:, :width].multiply(self.table.tags[cap_rows][:, :width]).tocsr()
        shared.sum_duplicates()
        facts = self._facts()
        return _best_names(shared, facts.tag_names, MAX_TAGS, lambda columns, data: (facts.tag_order[columns],))


def _best_names(
    shared: Any, names: list[str], limit: int, keys: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, ...]]
) -> list[list[str]]:
    """Per row of ``shared``, the names of its first ``limit`` columns in the
    order given by ``keys(columns, data)`` (a tuple of sort keys, most
    significant last as for ``np.lexsort``), ties in column order."""
    counts = np.diff(shared.indptr)
    rows = np.repeat(np.arange(shared.shape[0]), counts)
    columns, data = shared.indices, shared.data
    order = np.lexsort((columns, *keys(columns, data), rows))
    sorted_rows = rows[order]
    rank = np.arange(len(order)) - shared.indptr[:-1][sorted_rows]
    picked = order[rank < limit]
    picked_names = [names[column] for column in columns[picked].tolist()]
    bounds = np.searchsorted(rows[picked], np.arange(shared.shape[0] + 1)).tolist()
    return [picked_names[bounds[i] : bounds[i + 1]] for i in range(shared.shape[0])]


class _CapabilityFacts:
    """The catalogue's values that reasons show, ready to copy into dicts."""

    def __init__(self, capabilities: Sequence[CapabilityRecord], tag_names: list[str]):
        self.ids = [record.id for record in capabilities]
        self.kind = [record.kind for record in capabilities]
        self.prices = [(record.price_min, record.price_max) for record in capabilities]
        self.track = [(record.accepted, record.decided) for record in capabilities]
        self.published = [record.published_at for record in capabilities]
        self._texts = [record.text for record in capabilities]
        self._folded: dict[int, str] = {}
        self.tag_names = list(tag_names)
        # Each tag column's position in name order, for "sorted(tags)".
        self.tag_order = np.empty(len(self.tag_names), dtype=np.int64)
        self.tag_order[sorted(range(len(self.tag_names)), key=self.tag_names.__getitem__)] = np.arange(
            len(self.tag_names)
        )

    def folded_text(self, row: int) -> str:
        """The capability's text folded, once per capability."""
        if row not in self._folded:
            self._folded[row] = fold(self._texts[row])
        return self._folded[row]

    def days(self, cap: int, now: float) -> int | None:
        published = self.published[cap]
        return None if published is None else max(0, int((now - published) // DAY))

    def reason(self, name: str, cap: int) -> dict[str, Any]:
        if name == "kind":
            return {"code": name, "kind": self.kind[cap]}
        if name == "budget":
            price_min, price_max = self.prices[cap]
            return {"code": name, "price_min": price_min, "price_max": price_max}
        if name == "track_record":
            accepted, decided = self.track[cap]
            return {"code": name, "accepted": accepted, "decided": decided}
        raise ValueError(name)


def capability_semantic_text(record: CapabilityRecord) -> str:
    """What the semantic view reads of a capability (``encoder.listing_text``)."""
    return listing_text(record.title, record.description, record.tags)
