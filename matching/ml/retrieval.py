"""Candidate retrieval: the top-k corpus rows for each query row by sparse dot
product, chunk by chunk.

Two ways, for two jobs:

- ``SparseIndex`` (SciPy): exact, with any per-row filter applied before the
  top-k. Memory is bounded by the chunk: only ``chunk_size`` rows of the
  similarity matrix exist at a time, and it is never made dense (short texts
  share terms often, so a dense score matrix would be nearly full). Within a
  row only the non-zero scores are ranked, with ``argpartition`` before
  sorting. Right for a few queries at a time (one new need).
- ``PartitionedIndex`` (``sparse_dot_topn``): the corpus split into parts,
  each searched only by the queries that may see it, with a compiled product
  that keeps the best ``n`` per row as it goes, so the full similarity row is
  never materialised. Right for the bulk rebuild, several times faster.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sparse_dot_topn import sp_matmul_topn

# Which of a row's candidate columns may be kept: ``keep(row, columns) -> bool mask``.
Filter = Callable[[int, np.ndarray], np.ndarray]


class SparseIndex:
    """A catalogue kept ready for retrieval: its matrix transposed once (by
    feature), so each search costs only the product with the query rows.
    Workers build it once and keep it in memory."""

    def __init__(self, corpus: sparse.csr_matrix):
        self.shape = corpus.shape
        self._by_feature = corpus.T.tocsr()

    def search(
        self, queries: sparse.csr_matrix, k: int, *, chunk_size: int = 512, keep: Filter | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best ``k`` catalogue rows per query row, among those ``keep`` allows
        (the hard filters, applied before ranking so that they never empty a
        row that has eligible matches).

        Returns ``(indices, scores)``, both shaped ``(n_queries, k)``; rows with
        fewer than ``k`` matches are padded with index -1 and score 0. Ties are
        broken by the lower catalogue index, so results are deterministic.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        if queries.shape[1] != self.shape[1]:
            raise ValueError("queries and corpus have different feature spaces")
        n_queries = queries.shape[0]
        indices = np.full((n_queries, k), -1, dtype=np.int32)
        scores = np.zeros((n_queries, k), dtype=np.float32)
        for start in range(0, n_queries, chunk_size):
            block = (queries[start : start + chunk_size] @ self._by_feature).tocsr()
            block.eliminate_zeros()
            for row in range(block.shape[0]):
                begin, end = block.indptr[row], block.indptr[row + 1]
                if begin == end:
                    continue
                data = block.data[begin:end]
                columns = block.indices[begin:end]
                if keep is not None:
                    allowed = keep(start + row, columns)
                    data, columns = data[allowed], columns[allowed]
                    if not len(data):
                        continue
                if len(data) > k:
                    # Keep everything scoring at least the k-th best, ties included,
                    # so that the tie-break below (lower index first) decides.
                    kth_best = -np.partition(-data, k - 1)[k - 1]
                    best = data >= kth_best
                    data, columns = data[best], columns[best]
                order = np.lexsort((columns, -data))[:k]
                count = len(order)
                indices[start + row, :count] = columns[order]
                scores[start + row, :count] = data[order]
        return indices, scores


def top_k(
    queries: sparse.csr_matrix, corpus: sparse.csr_matrix, k: int, *, chunk_size: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """One-off retrieval: ``SparseIndex(corpus).search(queries, k)``."""
    return SparseIndex(corpus).search(queries, k, chunk_size=chunk_size)


@dataclass
class Pool:
    """What a ``PartitionedIndex`` search found: aligned arrays of (query row,
    corpus row, score), in no particular order, and per query row a *floor*:
    every corpus row of a part the query searched that is not in the pool
    scores at most ``floor[query]`` (0 when the query's pool holds every
    positive score of its parts)."""

    query_rows: np.ndarray
    corpus_rows: np.ndarray
    scores: np.ndarray
    floor: np.ndarray

    def __len__(self) -> int:
        return len(self.scores)


class PartitionedIndex:
    """The corpus split into parts (sets of corpus rows), each kept transposed
    (by feature) for ``sparse_dot_topn.sp_matmul_topn``. A query searches only
    the parts it is given, so the hard filters that decide which parts a query
    may see cost nothing: the products with the other parts are never made.

    A corpus row may belong to several parts, but the parts one query searches
    must not overlap (else the row could be found twice).

    A small part keeps only the features its rows use (the queries' other
    features are dropped before its product, which changes no sum), so that
    many small parts do not each cost a pointer per feature of the corpus."""

    def __init__(self, corpus: sparse.csr_matrix, parts: Sequence[np.ndarray]):
        corpus = sparse.csr_matrix(corpus, dtype=np.float32)
        self.shape = corpus.shape
        self.parts = [np.asarray(rows, dtype=np.int64) for rows in parts]
        self._features: list[np.ndarray | None] = []
        self._by_feature = []
        for rows in self.parts:
            block = corpus[rows]
            features = np.flatnonzero(np.bincount(block.indices, minlength=corpus.shape[1]))
            if len(features) < corpus.shape[1] // 2:
                block = block[:, features]
                self._features.append(features.astype(np.int32))
            else:
                self._features.append(None)
            by_feature = block.T.tocsr()
            by_feature.sort_indices()
            by_feature.indices = by_feature.indices.astype(np.int32, copy=False)
            by_feature.indptr = by_feature.indptr.astype(np.int32, copy=False)
            self._by_feature.append(by_feature)

    @property
    def nbytes(self) -> int:
        matrices: int = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in self._by_feature)
        return matrices + sum(f.nbytes for f in self._features if f is not None)

    def search(
        self,
        queries: sparse.csr_matrix,
        n: int,
        wanted: Sequence[np.ndarray],
        *,
        n_threads: int = 1,
        exact: bool = False,
    ) -> Pool:
        """The best ``n`` corpus rows (positive scores only) of each part for each
        query row that searches it: ``wanted[part]`` lists those query rows.

        Deterministic: a row's results depend only on the row and the part
        (never on the other rows, their order, the chunking or ``n_threads``).
        With ``exact=True`` every positive score is kept (SciPy product, no
        top-n): for the few queries whose top-``n`` pool was not enough.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        if queries.shape[1] != self.shape[1]:
            raise ValueError("queries and corpus have different feature spaces")
        if len(wanted) != len(self.parts):
            raise ValueError("one list of query rows per part")
        queries = sparse.csr_matrix(queries, dtype=np.float32)
        floor = np.zeros(queries.shape[0], dtype=np.float32)
        query_rows, corpus_rows, scores = [], [], []
        for part, rows in enumerate(wanted):
            rows = np.asarray(rows, dtype=np.int64)
            size = len(self.parts[part])
            if not len(rows) or not size:
                continue
            block = queries[rows]
            features = self._features[part]
            if features is not None:
                block = _restrict(block, features)
            if exact:
                found = (block @ self._by_feature[part]).tocsr()
                found.data[found.data < 0] = 0  # scores are never negative; keep the rule of the top-n path
                found.eliminate_zeros()
            else:
                top = min(n, size)
                found = sp_matmul_topn(block, self._by_feature[part], top_n=top, threshold=0.0, n_threads=n_threads)
                counts = np.diff(found.indptr)
                # A row that filled its top-n may have left rows out, none above its lowest kept score.
                saturated = (counts == top) & (top < size)
                if saturated.any():
                    starts = found.indptr[:-1][saturated]
                    lowest = found.data[starts[:, None] + np.arange(top)].min(axis=1)
                    hit = rows[saturated]
                    floor[hit] = np.maximum(floor[hit], lowest)
            counts = np.diff(found.indptr)
            query_rows.append(np.repeat(rows, counts))
            corpus_rows.append(self.parts[part][found.indices])
            scores.append(found.data.astype(np.float32, copy=False))
        if not scores:
            empty = np.zeros(0, dtype=np.int64)
            return Pool(empty, empty.copy(), np.zeros(0, dtype=np.float32), floor)
        return Pool(np.concatenate(query_rows), np.concatenate(corpus_rows), np.concatenate(scores), floor)


def _restrict(block: sparse.csr_matrix, features: np.ndarray) -> sparse.csr_matrix:
    """``block[:, features]`` for sorted ``features``, by one ``searchsorted``
    (row order and the order of entries within rows kept)."""
    if not len(features):
        return sparse.csr_matrix((block.shape[0], 0), dtype=block.dtype)
    position = np.minimum(np.searchsorted(features, block.indices), len(features) - 1)
    present = features[position] == block.indices
    rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
    indptr = np.zeros(block.shape[0] + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows[present], minlength=block.shape[0]), out=indptr[1:])
    return sparse.csr_matrix(
        (block.data[present], position[present].astype(np.int32), indptr), shape=(block.shape[0], len(features))
    )


# Scores held at once when a dense block is searched: a block of
# ``BLOCK_SCORES // part size`` query rows (32 MB of float32 scores).
BLOCK_SCORES = 8_000_000


class DenseIndex:
    """Dense, L2-normalised rows (sentence vectors) ready for retrieval by dot
    product, optionally split into parts as ``PartitionedIndex`` is, with the
    same two ways to search: ``search`` (exact, any per-row filter, for a few
    queries) and ``search_parts`` (the best ``n`` of each part per query, a
    ``Pool`` with the same floor rule; with the parts of the hard filters, the
    exact path of one new need as well as the rebuild's).

    The rows are kept once, in an order where each part is one contiguous
    span (``_layout``): a part is a view, not a copy, so parts that nest (all
    kinds of a province, and each kind of it) cost no memory, and only a row
    in parts that neither nest nor are disjoint (a capability offered in
    several provinces) is stored more than once. A row's dot product with a
    query does not depend on where it is stored.

    Negative cosines count as no similarity (0): like a sparse product, only
    positive scores are candidates."""

    def __init__(self, corpus: np.ndarray, parts: Sequence[np.ndarray] = ()):
        corpus = np.ascontiguousarray(corpus, dtype=np.float32)
        self.shape = corpus.shape
        self.parts = [np.asarray(rows, dtype=np.int64) for rows in parts]
        # Where each corpus row is first stored (None: each where it is in the corpus).
        self._first: np.ndarray | None = None
        if self.parts:
            self._rows, spans = _layout(self.shape[0], self.parts)
            self._stored = corpus[self._rows]
            # Every row is laid out (those of no part last): its first place.
            self._first = np.unique(self._rows, return_index=True)[1].astype(np.int64)
        else:
            self._rows, spans = np.arange(self.shape[0], dtype=np.int64), []
            self._stored = corpus
        self._part_rows = [self._stored[begin:end] for begin, end in spans]
        self._part_ids = [self._rows[begin:end] for begin, end in spans]

    @property
    def nbytes(self) -> int:
        return int(self._stored.nbytes + self._rows.nbytes + (0 if self._first is None else self._first.nbytes))

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The corpus rows given (a copy)."""
        rows = np.asarray(rows, dtype=np.int64)
        stored: np.ndarray = self._stored[rows if self._first is None else self._first[rows]]
        return stored

    def search(self, queries: np.ndarray, k: int, *, keep: Filter | None = None) -> tuple[np.ndarray, np.ndarray]:
        """As ``SparseIndex.search``: the best ``k`` rows per query among those
        ``keep`` allows, padded with -1 and 0; ties by the lower row."""
        if k < 1:
            raise ValueError("k must be at least 1")
        queries = np.asarray(queries, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.shape[1]:
            raise ValueError("queries and corpus have different dimensions")
        indices = np.full((len(queries), k), -1, dtype=np.int32)
        scores = np.zeros((len(queries), k), dtype=np.float32)
        step = max(1, BLOCK_SCORES // max(1, self.shape[0]))
        every = np.arange(self.shape[0])
        for start in range(0, len(queries), step):
            block = queries[start : start + step] @ self._stored.T
            if self._first is not None:
                block = block[:, self._first]
            for offset, row_scores in enumerate(block):
                allowed = row_scores > 0
                if keep is not None:
                    allowed &= keep(start + offset, every)
                columns = np.flatnonzero(allowed)
                data = row_scores[columns]
                if len(data) > k:
                    kth_best = -np.partition(-data, k - 1)[k - 1]
                    best = data >= kth_best
                    data, columns = data[best], columns[best]
                order = np.lexsort((columns, -data))[:k]
                indices[start + offset, : len(order)] = columns[order]
                scores[start + offset, : len(order)] = data[order]
        return indices, scores

    def search_parts(self, queries: np.ndarray, n: int, wanted: Sequence[np.ndarray], *, exact: bool = False) -> Pool:
        """As ``PartitionedIndex.search``: the best ``n`` rows (positive scores
        only) of each part for the query rows that search it, and per query a
        floor that every row left out of its pool scores at most. With
        ``exact=True`` every positive score is kept."""
        if n < 1:
            raise ValueError("n must be at least 1")
        queries = np.asarray(queries, dtype=np.float32)
        if len(wanted) != len(self.parts):
            raise ValueError("one list of query rows per part")
        floor = np.zeros(len(queries), dtype=np.float32)
        query_rows, corpus_rows, scores = [], [], []
        for part, rows in enumerate(wanted):
            rows = np.asarray(rows, dtype=np.int64)
            size = len(self.parts[part])
            if not len(rows) or not size:
                continue
            step = max(1, BLOCK_SCORES // size)
            for start in range(0, len(rows), step):
                block_rows = rows[start : start + step]
                block = queries[block_rows] @ self._part_rows[part].T
                if exact or size <= n:
                    hit_rows, hit_columns = np.nonzero(block > 0)
                else:
                    # The n largest (partitioning on the block itself: several times faster than on its negation).
                    top = np.argpartition(block, size - n, axis=1)[:, size - n :]
                    kept = np.take_along_axis(block, top, axis=1)
                    # Everything left out scores at most the lowest kept score.
                    floor[block_rows] = np.maximum(floor[block_rows], np.maximum(kept.min(axis=1), 0))
                    positive = kept > 0
                    hit_rows = np.nonzero(positive)[0]
                    hit_columns = top[positive]
                query_rows.append(block_rows[hit_rows])
                corpus_rows.append(self._part_ids[part][hit_columns])
                scores.append(block[hit_rows, hit_columns].astype(np.float32, copy=False))
        if not scores:
            empty = np.zeros(0, dtype=np.int64)
            return Pool(empty, empty.copy(), np.zeros(0, dtype=np.float32), floor)
        return Pool(np.concatenate(query_rows), np.concatenate(corpus_rows), np.concatenate(scores), floor)


def _layout(count: int, parts: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """An arrangement of ``count`` rows (some repeated) in which every part is
    one contiguous span: returns the rows in that order and each part's
    (begin, end). The largest parts not inside another are laid out one after
    another, each sorted so that the parts inside it, when they do not
    overlap, are contiguous runs; a part that cannot be placed so is stored
    again on its own, and rows of no part come last."""
    by_size = sorted(range(len(parts)), key=lambda part: (-len(parts[part]), part))
    roots: list[int] = []
    masks: list[np.ndarray] = []
    inside: dict[int, list[int]] = {}
    for part in by_size:
        rows = parts[part]
        home = next(
            (i for i, mask in enumerate(masks) if len(rows) and mask[rows[0]] and mask[rows].all()),
            None,
        )
        if home is None:
            mask = np.zeros(count, dtype=bool)
            mask[rows] = True
            roots.append(part)
            masks.append(mask)
            inside[len(roots) - 1] = []
        else:
            inside[home].append(part)
    blocks: list[np.ndarray] = []
    spans: list[tuple[int, int]] = [(0, 0)] * len(parts)
    apart: list[int] = []
    offset = 0
    for home, root in enumerate(roots):
        rows = parts[root]
        label = np.full(count, len(parts), dtype=np.int64)
        placed = []
        for part in sorted(inside[home]):
            if (label[parts[part]] < len(parts)).any() or len(np.unique(parts[part])) != len(parts[part]):
                apart.append(part)  # overlaps another part inside the same one
                continue
            label[parts[part]] = part
            placed.append(part)
        ordered = rows[np.lexsort((rows, label[rows]))]
        labels = label[ordered]
        for part in placed:
            begin = int(np.searchsorted(labels, part, side="left"))
            spans[part] = (offset + begin, offset + begin + len(parts[part]))
        spans[root] = (offset, offset + len(rows))
        blocks.append(ordered)
        offset += len(rows)
    for part in apart:
        spans[part] = (offset, offset + len(parts[part]))
        blocks.append(parts[part])
        offset += len(parts[part])
    covered = np.zeros(count, dtype=bool)
    for rows in parts:
        covered[rows] = True
    blocks.append(np.flatnonzero(~covered).astype(np.int64))
    return np.concatenate(blocks).astype(np.int64), spans
