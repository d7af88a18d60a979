"""Catching up on matching work that never ran.

Publishing or editing a listing queues its re-matching after the commit
(``hooks.listing_matches_refresh``). When the broker is down at that moment
the write stays committed and the task is lost; a worker killed while matching
loses its task too. The matching service records when it last matched each
listing (``matched_at``, the start of the run), so a published listing updated
after that is one whose re-matching was missed. A listing no longer published
whose matches are still ranked missed its withdrawal. Beat runs the reconciler
every few minutes; it queues that work again, in bounded batches, oldest first.

Only reads and queues: the matching itself stays in the tasks (and
``rematch``), so this module is cheap to import and to run.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from config.celery import task_send
from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from matching import tasks
from matching.models import Match

logger = logging.getLogger(__name__)

# Work newer than this is left alone: its own task may still be in the queue.
GRACE = timedelta(minutes=2)
# Per run, at most this many needs (queued in tasks of NEED_TASK_SIZE, the
# size from which matching takes its bulk path), capabilities (each re-matches
# up to a few hundred needs) and withdrawn listings. The next run takes the rest.
NEED_LIMIT = 2000
NEED_TASK_SIZE = 100
CAPABILITY_LIMIT = 20
WITHDRAWN_LIMIT = 200


@dataclass
class Reconciled:
    """What one run queued, by listing id."""

    needs: list[int] = field(default_factory=list)
    capabilities: list[int] = field(default_factory=list)
    withdrawn_needs: list[int] = field(default_factory=list)
    withdrawn_capabilities: list[int] = field(default_factory=list)
    # Listings found but not queued because the broker refused the task.
    unqueued: int = 0

    def as_dict(self) -> dict:
        return {
            "needs": len(self.needs),
            "capabilities": len(self.capabilities),
            "withdrawn_needs": len(self.withdrawn_needs),
            "withdrawn_capabilities": len(self.withdrawn_capabilities),
            "unqueued": self.unqueued,
        }


def listings_unmatched(model, *, before, limit: int) -> list[int]:
    """Published listings of ``model`` (Need or Capability) never matched, or
    updated since their last matching, and last updated before ``before``;
    the longest-waiting first."""
    stale = Q(matched_at__isnull=True) | Q(matched_at__lt=F("updated_at"))
    return list(
        model.objects.published()
        .filter(stale, updated_at__lt=before)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def listings_withdrawn_with_matches(side: str, *, before, limit: int) -> list[int]:
    """Needs (``side`` "need") or capabilities ("capability") no longer
    published, last updated before ``before``, that still have ranked matches."""
    lookup = f"{side}__status"
    return list(
        Match.objects.filter(rank__isnull=False, **{f"{side}__updated_at__lt": before})
        .exclude(**{lookup: ListingStatus.PUBLISHED})
        .order_by(f"{side}_id")
        .values_list(f"{side}_id", flat=True)
        .distinct()[:limit]
    )


def matches_reconcile(
    *,
    now=None,
    grace: timedelta = GRACE,
    need_limit: int = NEED_LIMIT,
    capability_limit: int = CAPABILITY_LIMIT,
    withdrawn_limit: int = WITHDRAWN_LIMIT,
) -> Reconciled:
    """Queue the matching work that published and withdrawn listings missed.

    Side effects: Celery tasks queued (``matches_rebuild_chunk`` per batch of
    needs, ``match_capability`` per capability, ``matches_withdraw`` per
    withdrawn listing); nothing is written here. Running it again before the
    queued work is done queues some of it twice, which the tasks tolerate
    (each replaces what it computes)."""
    before = (now or timezone.now()) - grace
    result = Reconciled(
        needs=listings_unmatched(Need, before=before, limit=need_limit),
        capabilities=listings_unmatched(Capability, before=before, limit=capability_limit),
        withdrawn_needs=listings_withdrawn_with_matches("need", before=before, limit=withdrawn_limit),
        withdrawn_capabilities=listings_withdrawn_with_matches("capability", before=before, limit=withdrawn_limit),
    )
    for start in range(0, len(result.needs), NEED_TASK_SIZE):
        batch = result.needs[start : start + NEED_TASK_SIZE]
        if not task_send(tasks.matches_rebuild_chunk, batch):
            result.unqueued += len(batch)
    for pk in result.capabilities:
        result.unqueued += not task_send(tasks.match_capability, pk)
    for pk in result.withdrawn_needs:
        result.unqueued += not task_send(tasks.matches_withdraw, need_id=pk)
    for pk in result.withdrawn_capabilities:
        result.unqueued += not task_send(tasks.matches_withdraw, capability_id=pk)
    if any(result.as_dict().values()):
        logger.warning("Matching reconciled: %s", result.as_dict())
    return result
