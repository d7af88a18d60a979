"""The matcher kept in each worker's memory: built once per process from the
published catalogue and rebuilt when the catalogue changes."""

import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from marketplace.models import Capability, Need
from matching.ml.calibration import RELEVANCE_FLOOR
from matching.ml.engine import Matcher
from matching.services.records import capability_records
from matching.services.vectors import capability_vectors, encoder_get

# Needs whose texts are used, with the catalogue's, to weigh words.
NEED_TEXTS_FOR_WEIGHTS = 20_000


def catalogue_fingerprint() -> tuple:
    """Changes whenever the catalogue changes (a capability published, edited
    or withdrawn), and each day: track records (decided applications) are
    refreshed daily rather than rebuilding every worker's matcher per decision."""
    capabilities = Capability.objects.published().aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return (capabilities["n"], capabilities["last"], capabilities["top"], timezone.localdate())


@dataclass
class _Cache:
    fingerprint: tuple | None = None
    matcher: Matcher | None = None


_cache = _Cache()
_cache_lock = threading.Lock()


def matcher_get() -> Matcher:
    """The matcher for the published catalogue, built once per worker process
    and rebuilt when the catalogue changes (one aggregate query tells)."""
    fingerprint = catalogue_fingerprint()
    with _cache_lock:
        if _cache.matcher is None or _cache.fingerprint != fingerprint:
            # The old matcher goes first: two catalogues in memory at once are not needed.
            _cache.matcher = None
            capabilities = capability_records()
            # The newest needs' texts join the capabilities' to weigh words (IDF);
            # a sample is enough, and fitting on every need would double the
            # worker's peak memory at 100,000 needs.
            need_texts = list(
                Need.objects.published().order_by("-pk").values_list("title", "description")[:NEED_TEXTS_FOR_WEIGHTS]
            )
            encoder = encoder_get()
            _cache.matcher = Matcher(
                capabilities,
                extra_texts=[f"{title} {text}" for title, text in need_texts],
                relevance_floor=RELEVANCE_FLOOR
                if settings.MATCHING_RELEVANCE_FLOOR is None
                else settings.MATCHING_RELEVANCE_FLOOR,
                encoder=encoder,
                vectors=None if encoder is None else capability_vectors(capabilities, encoder),
            )
            _cache.fingerprint = fingerprint
        return _cache.matcher
