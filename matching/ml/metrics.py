"""Ranking quality: NDCG@k, recall@k and MRR for binary relevance."""

from collections.abc import Sequence
from typing import Any

import numpy as np


def ndcg_at_k(ranked: Sequence[int], relevant: set[int], k: int = 10) -> float:
    if not relevant:
        return 0.0
    gains = [1.0 / np.log2(position + 2) for position, item in enumerate(ranked[:k]) if item in relevant]
    ideal = sum(1.0 / np.log2(position + 2) for position in range(min(k, len(relevant))))
    return float(sum(gains) / ideal)


def recall_at_k(ranked: Sequence[int], relevant: set[int], k: int) -> float:
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & relevant) / len(relevant)


def reciprocal_rank(ranked: Sequence[int], relevant: set[int]) -> float:
    for position, item in enumerate(ranked):
        if item in relevant:
            return 1.0 / (position + 1)
    return 0.0


def summarize(rankings: Sequence[Sequence[Any]], relevants: Sequence[set[Any]], k: int = 10) -> dict[str, float]:
    """Mean metrics over queries (queries without relevant items are skipped):
    recall@5, recall@10, NDCG@k and MRR over the whole ranking."""
    pairs = [(ranked, relevant) for ranked, relevant in zip(rankings, relevants, strict=True) if relevant]
    if not pairs:
        raise ValueError("no query has a relevant item")
    return {
        "queries": len(pairs),
        "recall@5": float(np.mean([recall_at_k(r, rel, 5) for r, rel in pairs])),
        "recall@10": float(np.mean([recall_at_k(r, rel, 10) for r, rel in pairs])),
        f"ndcg@{k}": float(np.mean([ndcg_at_k(r, rel, k) for r, rel in pairs])),
        "mrr": float(np.mean([reciprocal_rank(r, rel) for r, rel in pairs])),
    }
