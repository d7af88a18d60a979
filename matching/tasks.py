"""Matching work for Celery workers. Tasks take ids, are idempotent (each
replaces what it computes) and retry database and broker hiccups with back-off.

The matching services (``rematch``, ``proposals``, ``learning``) are imported
inside the tasks: web processes import this module to queue work and should
not load NumPy and scikit-learn to do so.
"""

import logging
from datetime import date, datetime

from celery import chord, shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from matching.models import DigestStatus

logger = logging.getLogger(__name__)

MATCH_TASK_OPTIONS = {
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    # A worker killed while matching (out of memory, say) must not make the
    # task come back forever: it is dropped, and the nightly rebuild catches up.
    "reject_on_worker_lost": False,
}
# Needs per rebuild task: a few seconds of work and a bounded amount of memory each.
REBUILD_CHUNK = 2000


@shared_task(**MATCH_TASK_OPTIONS)
def match_need(need_id: int) -> int:
    from matching.services import rematch

    return rematch.match_need(need_id)


@shared_task(**MATCH_TASK_OPTIONS)
def match_capability(capability_id: int) -> int:
    from matching.services import rematch

    return rematch.match_capability(capability_id)


@shared_task(**MATCH_TASK_OPTIONS)
def match_organization_needs(organization_id: int) -> int:
    from matching.services import rematch

    return rematch.match_organization_needs(organization_id)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_withdraw(*, need_id: int | None = None, capability_id: int | None = None) -> int:
    from matching.services import rematch

    return rematch.matches_withdraw(need_id=need_id, capability_id=capability_id)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_rebuild_chunk(need_ids: list[int]) -> int:
    from matching.services import rematch

    return rematch.match_needs(need_ids)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_rebuild_finish(counts: list[int], started: str | None = None) -> int:
    from matching.services import proposals

    proposals.matches_prune()
    if started is not None:
        proposals.capabilities_mark_matched(started=datetime.fromisoformat(started))
    return sum(counts)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_rebuild(chunk_size: int = REBUILD_CHUNK) -> int:
    """Every published need re-matched, in chunks that workers share; then the
    matches of listings withdrawn meanwhile are pruned."""
    from matching.services import proposals, rematch

    started = timezone.now()
    chunks = rematch.rebuild_plan(chunk_size)
    if not chunks:
        return proposals.matches_prune()
    chord(matches_rebuild_chunk.s(chunk) for chunk in chunks)(matches_rebuild_finish.s(started.isoformat()))
    return len(chunks)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_reconcile(grace_seconds: int | None = None) -> dict:
    """Beat, every ten minutes: queue again the matching work that listings
    missed (the broker was down when they were published, a worker died).
    Returns how many of each were queued."""
    from datetime import timedelta

    from matching.services import reconcile

    grace = reconcile.GRACE if grace_seconds is None else timedelta(seconds=grace_seconds)
    return reconcile.matches_reconcile(grace=grace).as_dict()


@shared_task(**MATCH_TASK_OPTIONS)
def listing_vectors_encode() -> int:
    """Encode the listings whose sentence vectors are missing or stale (after
    a change of encoder), then drop stale vectors."""
    from matching.services import vectors

    checked = vectors.listing_vectors_refresh()
    vectors.listing_vectors_prune()
    return checked


@shared_task(**MATCH_TASK_OPTIONS)
def ranker_retrain() -> bool:
    from matching.services import learning

    return learning.ranker_train().promoted


@shared_task(**MATCH_TASK_OPTIONS)
def digests_send_weekly() -> int:
    """Beat, Monday 08:00 and again at 14:00: the week's digests, in batches
    of people that the workers share. Safe to run again: nobody gets a week's
    digest twice, and the second run sends what the first left (failed,
    stranded or lost batches)."""
    from matching.services import digests

    now = timezone.now()
    # Fixed here for every batch: one cut-off, and one week however late a
    # batch runs.
    week = digests.digest_week(now)
    batches = digests.digest_batches(now=now, week=week)
    for batch in batches:
        digests_send_batch.delay(batch, now.isoformat(), week.isoformat())
    return len(batches)


@shared_task(**MATCH_TASK_OPTIONS)
def digests_send_batch(user_ids: list[int], until: str, week: str) -> int:
    """One batch of digests; run again (a redelivery, a retry), it sends only
    what it has not sent. Returns how many were sent."""
    from matching.services import digests

    if date.fromisoformat(week) != digests.digest_week(timezone.now()):
        # Its week is over: its people are the new week's run's (a digest
        # starts where their last one ended), and nobody gets two that week.
        logger.warning("Weekly digest batch of %s dropped: its week (%s) is over", len(user_ids), week)
        return 0
    sent = digests.digests_send(user_ids=user_ids, now=datetime.fromisoformat(until), week=date.fromisoformat(week))
    return sum(digest.status == DigestStatus.SENT for digest in sent)
