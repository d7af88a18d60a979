"""Extension point: catalogue search by meaning.

Marketplace finds capabilities by their words (``ranking.text_search``). A
query whose words the listings do not use, such as "business license OCR" for
a listing titled 营业执照识别 API, can still be answered by meaning. That needs
the sentence encoder of the ``matching`` app, which marketplace must not
import (layers: config → accounts → marketplace → matching). So marketplace
declares the hook here and a higher app sets it from its
``AppConfig.ready()``::

    from marketplace import semantic

    semantic.semantic_search_backend_set(capabilities_by_meaning)

The backend is called as ``backend(query=..., limit=...)`` for every search
in relevance order, and returns up to ``limit`` pairs (capability id,
similarity in meaning, 0–1), closest first, only those close enough to be
about the query. The ranking fuses the similarity with the words' score
(``ranking.MEANING_WEIGHT``) below the listings holding every query word, and
the capabilities found by meaning alone count in the facets and the pager like
any other result. Ids it returns for capabilities the visitor may not see or
the filters exclude are dropped. A backend that fails is logged and the search
answers with the words alone.
"""

import logging
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

SemanticSearchBackend = Callable[..., Sequence[tuple[int, float]]]

SEMANTIC_LIMIT = 50

semantic_search_backend: SemanticSearchBackend | None = None


def semantic_search_backend_set(backend: SemanticSearchBackend | None) -> None:
    """Set (or, with None, remove) the backend catalogue search asks for meaning."""
    global semantic_search_backend
    semantic_search_backend = backend


def capabilities_by_meaning(*, query: str) -> dict[int, float]:
    """Capability id → similarity in meaning to ``query``, for those the
    backend finds; empty when no backend is set or it failed."""
    backend = semantic_search_backend
    if backend is None or not query.strip():
        return {}
    try:
        found = list(backend(query=query, limit=SEMANTIC_LIMIT))[:SEMANTIC_LIMIT]
        return {int(pk): float(similarity) for pk, similarity in found}
    except Exception:
        # Search by meaning is an extra: a broken or slow backend must not
        # take the catalogue's word search down with it.
        logger.exception("semantic search backend failed; answering with word search only")
        return {}
