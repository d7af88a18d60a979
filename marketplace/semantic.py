"""Extension point: catalogue search by meaning.

Marketplace finds capabilities by their words (``ranking.text_search``). A
query whose words few listings hold, such as "business license OCR" for a
listing titled 营业执照识别 API, can still be answered by meaning. That needs
the sentence encoder of the ``matching`` app, which marketplace must not
import (layers: config → accounts → marketplace → matching). So marketplace
declares the hook here and a higher app sets it from its
``AppConfig.ready()``::

    from marketplace import semantic

    semantic.semantic_search_backend_set(capabilities_by_meaning)

The backend is called as ``backend(query=..., limit=...)`` when the words find
fewer than ``MIN_LEXICAL_RESULTS`` capabilities (with the visitor's filters),
and returns up to ``limit`` capability ids, closest in meaning first. Ids it
returns for capabilities the visitor may not see or the filters exclude are
dropped; those kept come after every capability the words found, in the
backend's order, and count in the facets and the pager like any other result.
A backend that fails is logged and the search answers with the words alone.
"""

import logging
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

SemanticSearchBackend = Callable[..., Sequence[int]]

MIN_LEXICAL_RESULTS = 5
SEMANTIC_LIMIT = 20

semantic_search_backend: SemanticSearchBackend | None = None


def semantic_search_backend_set(backend: SemanticSearchBackend | None) -> None:
    """Set (or, with None, remove) the backend catalogue search asks for meaning."""
    global semantic_search_backend
    semantic_search_backend = backend


def capabilities_by_meaning(*, query: str, lexical_count: int) -> list[int]:
    """Capability ids the backend finds for ``query``, best first; none when no
    backend is set, the words found enough, or the backend failed."""
    backend = semantic_search_backend
    if backend is None or lexical_count >= MIN_LEXICAL_RESULTS:
        return []
    try:
        return [int(pk) for pk in backend(query=query, limit=SEMANTIC_LIMIT)][:SEMANTIC_LIMIT]
    except Exception:
        # Search by meaning is an extra: a broken or slow backend must not
        # take the catalogue's word search down with it.
        logger.exception("semantic search backend failed; answering with word search only")
        return []
