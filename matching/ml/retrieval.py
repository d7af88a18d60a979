"""Candidate retrieval: the top-k corpus rows for each query row by sparse dot
product, chunk by chunk.

Memory is bounded by the chunk: only ``chunk_size`` rows of the similarity
matrix exist at a time, and it is never made dense (short texts share terms
often, so a dense score matrix would be nearly full). Within a row only the
non-zero scores are ranked, with ``argpartition`` before sorting.
"""

from collections.abc import Callable

import numpy as np
from scipy import sparse

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
                    keep = data >= kth_best
                    data, columns = data[keep], columns[keep]
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
