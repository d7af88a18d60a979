"""Catalogue search by meaning: the backend matching gives marketplace's
search hook (``marketplace.semantic``), set in ``MatchingConfig.ready()``.

When the words of a query find few capabilities, the query is encoded by the
semantic view's encoder and compared with the published capabilities' stored
vectors (``ListingVector``, written by the workers that match them): "视觉检测"
finds "Industrial visual defect detection model". The vectors are read once
per process and catalogue state (the matcher's fingerprint), and NumPy and the
encoder load on the first such search, not before. Capabilities without a
stored vector yet (published a moment ago, their matching still queued) are
found by words only until it is stored."""

import threading
from dataclasses import dataclass

from marketplace.models import Capability

# Below this cosine a capability is not "about" the query: unrelated texts
# score about 0.1 with this encoder, paraphrases and translations 0.3–0.6.
MIN_SIMILARITY = 0.3


@dataclass
class _Vectors:
    fingerprint: tuple | None = None
    ids: object = None
    matrix: object = None


_vectors = _Vectors()
_lock = threading.Lock()


def _catalogue_vectors(encoder_name: str):
    import numpy as np

    from matching.models import ListingVector
    from matching.services.matcher_cache import catalogue_fingerprint

    fingerprint = (encoder_name, *catalogue_fingerprint())
    with _lock:
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


def capabilities_by_meaning(*, query: str, limit: int) -> list[int]:
    """Published capabilities closest in meaning to ``query``, best first
    (at most ``limit``, none below MIN_SIMILARITY)."""
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
    scores = matrix @ encoder.encode([query])[0]
    order = np.argsort(-scores, kind="stable")[:limit]
    return [int(ids[i]) for i in order if scores[i] >= MIN_SIMILARITY]
