"""Catalogue search by meaning: the backend matching gives marketplace's
search hook (``marketplace.semantic``), set in ``MatchingConfig.ready()``.

Every search in relevance order is encoded by the semantic view's encoder and
compared with the published capabilities' stored vectors (``ListingVector``,
written by the workers that match them): "视觉检测" finds "Industrial visual
defect detection model", and the ranking fuses the similarity with the words'
score. The vectors are read once per process and catalogue state (the
matcher's fingerprint, looked at most every ``FINGERPRINT_SECONDS``), the
last queries' vectors are kept, and NumPy and the encoder load on the first
search, not before. Capabilities without a stored vector yet (published a
moment ago, their matching still queued) are found by words only until it is
stored."""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from marketplace.models import Capability

# A capability is "about" the query when its cosine reaches MIN_SIMILARITY
# and RELATIVE_SIMILARITY of the best capability's. Over the judged search
# queries (bench/data/search), 90% of the pairs of a query and a capability
# judged unrelated score below 0.11 with this encoder, 99% below 0.2, but so
# do a quarter and a half of the relevant pairs (a short query against a
# listing's title, tags and opening lines): a fixed floor of 0.2 drops half of
# what search by meaning is for, one of 0.12 alone lets a query with no close
# capability fill its page with far ones, which the relative part keeps out.
# Chosen on half of the queries (docs/BENCHMARKS.md "Search relevance").
MIN_SIMILARITY = 0.12
RELATIVE_SIMILARITY = 0.6
# How stale the catalogue's vectors may be: a capability withdrawn meanwhile
# is dropped by the catalogue's own filters, one published meanwhile has no
# vector yet anyway (its worker stores it).
FINGERPRINT_SECONDS = 5.0
# Queries whose vectors are kept: encoding one takes about 6 ms.
QUERY_VECTORS = 1024


@dataclass
class _Vectors:
    fingerprint: tuple | None = None
    checked: float = 0.0
    ids: object = None
    matrix: object = None


_vectors = _Vectors()
_lock = threading.Lock()


def _catalogue_vectors(encoder_name: str):
    import numpy as np

    from matching.models import ListingVector
    from matching.services.matcher_cache import catalogue_fingerprint

    with _lock:
        fresh = _vectors.fingerprint is not None and _vectors.fingerprint[0] == encoder_name
        if fresh and time.monotonic() - _vectors.checked < FINGERPRINT_SECONDS:
            return _vectors.ids, _vectors.matrix
        fingerprint = (encoder_name, *catalogue_fingerprint())
        _vectors.checked = time.monotonic()
        if _vectors.fingerprint != fingerprint:
            published = Capability.objects.published().values("pk")
            rows = list(
                ListingVector.objects.filter(
                    kind=ListingVector.Kind.CAPABILITY, encoder=encoder_name, listing_id__in=published
                ).values_list("listing_id", "vector")
            )
            _vectors.ids = np.array([listing_id for listing_id, _vector in rows], dtype=np.int64)
            _vectors.matrix = (
                np.vstack([np.frombuffer(bytes(vector), dtype=np.float32) for _id, vector in rows])
                if rows
                else np.zeros((0, 1), dtype=np.float32)
            )
            _vectors.fingerprint = fingerprint
        return _vectors.ids, _vectors.matrix


_query_vectors: OrderedDict = OrderedDict()


def _query_vector(encoder, query: str):
    key = (encoder.name, query)
    with _lock:
        if key in _query_vectors:
            _query_vectors.move_to_end(key)
            return _query_vectors[key]
    vector = encoder.encode([query])[0]
    with _lock:
        _query_vectors[key] = vector
        while len(_query_vectors) > QUERY_VECTORS:
            _query_vectors.popitem(last=False)
    return vector


def capabilities_by_meaning(*, query: str, limit: int) -> list[tuple[int, float]]:
    """Published capabilities closest in meaning to ``query``, as (id,
    cosine similarity) pairs, best first (at most ``limit``, none below
    MIN_SIMILARITY nor below RELATIVE_SIMILARITY of the best)."""
    if not query.strip():
        return []
    import numpy as np

    from matching.services.vectors import encoder_get

    encoder = encoder_get()
    if encoder is None:
        return []
    ids, matrix = _catalogue_vectors(encoder.name)
    if not len(ids):
        return []
    scores = matrix @ _query_vector(encoder, query.strip())
    top = np.argpartition(-scores, limit)[:limit] if len(scores) > limit else np.arange(len(scores))
    order = top[np.argsort(-scores[top], kind="stable")]
    floor = max(MIN_SIMILARITY, RELATIVE_SIMILARITY * float(scores[order[0]]))
    return [(int(ids[i]), float(scores[i])) for i in order if scores[i] >= floor]
