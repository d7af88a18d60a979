"""Catalogue search by meaning, matching's side (matching.services.semantic_search):
which capabilities are close enough to a query to be found, and the query's
vector kept for the next search. The encoder and the stored vectors are
stand-ins with chosen similarities."""

import numpy as np
import pytest

from matching.services import semantic_search, vectors


class FixedEncoder:
    """Encodes every text as the same unit vector and counts the calls."""

    name = "fixed/1"
    dim = 2

    def __init__(self):
        self.calls = 0

    def encode(self, texts):
        self.calls += 1
        return np.array([[1.0, 0.0]] * len(texts), dtype=np.float32)


@pytest.fixture
def catalogue(monkeypatch):
    """Capabilities 1..n with the given cosine similarity to every query."""
    encoder = FixedEncoder()
    monkeypatch.setattr(vectors, "encoder_get", lambda: encoder)
    semantic_search._query_vectors.clear()

    def with_similarities(*similarities):
        ids = np.arange(1, len(similarities) + 1, dtype=np.int64)
        matrix = np.array([[s, np.sqrt(1 - s * s)] for s in similarities], dtype=np.float32)
        monkeypatch.setattr(semantic_search, "_catalogue_vectors", lambda name: (ids, matrix))
        return encoder

    yield with_similarities
    semantic_search._query_vectors.clear()


def found(query="布匹瑕疵检测", limit=10):
    return [
        (pk, round(similarity, 2))
        for pk, similarity in semantic_search.capabilities_by_meaning(query=query, limit=limit)
    ]


def test_the_closest_first_and_none_far_behind_the_best(catalogue):
    catalogue(0.3, 0.9, 0.5, 0.6, 0.1)
    # The best is 0.9: 0.54 at least (RELATIVE_SIMILARITY 0.6).
    assert found() == [(2, 0.9), (4, 0.6)]


def test_none_below_the_floor_when_even_the_best_is_far(catalogue):
    catalogue(0.15, 0.11, 0.13, 0.05)
    assert found() == [(1, 0.15), (3, 0.13)]
    catalogue(0.1, 0.05)
    assert found() == []


def test_at_most_the_limit(catalogue):
    catalogue(0.5, 0.6, 0.7, 0.55, 0.65)
    assert found(limit=2) == [(3, 0.7), (5, 0.65)]


def test_the_query_is_encoded_once(catalogue):
    encoder = catalogue(0.5, 0.4)
    assert found("视觉检测") == found(" 视觉检测 ") == [(1, 0.5), (2, 0.4)]
    assert encoder.calls == 1
    found("缺陷检测")
    assert encoder.calls == 2
