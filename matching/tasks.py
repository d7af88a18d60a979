"""Matching work for Celery workers. Tasks take ids, are idempotent (each
replaces what it computes) and retry database and broker hiccups with back-off.

The compute services are imported inside the tasks: web processes import this
module to queue work and should not load NumPy and scikit-learn to do so.
"""

from celery import chord, shared_task
from django.db import InterfaceError, OperationalError

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
    from matching.services import compute

    return compute.match_need(need_id)


@shared_task(**MATCH_TASK_OPTIONS)
def match_capability(capability_id: int) -> int:
    from matching.services import compute

    return compute.match_capability(capability_id)


@shared_task(**MATCH_TASK_OPTIONS)
def match_organization_needs(organization_id: int) -> int:
    from matching.services import compute

    return compute.match_organization_needs(organization_id)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_withdraw(*, need_id: int | None = None, capability_id: int | None = None) -> int:
    from matching.services import compute

    return compute.matches_withdraw(need_id=need_id, capability_id=capability_id)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_rebuild_chunk(need_ids: list[int]) -> int:
    from matching.services import compute

    return compute.match_needs(need_ids)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_rebuild_finish(counts: list[int]) -> int:
    from matching.services import compute

    compute.matches_prune()
    return sum(counts)


@shared_task(**MATCH_TASK_OPTIONS)
def matches_rebuild(chunk_size: int = REBUILD_CHUNK) -> int:
    """Every published need re-matched, in chunks that workers share; then the
    matches of listings withdrawn meanwhile are pruned."""
    from matching.services import compute

    chunks = compute.rebuild_plan(chunk_size)
    if not chunks:
        return compute.matches_prune()
    chord(matches_rebuild_chunk.s(chunk) for chunk in chunks)(matches_rebuild_finish.s())
    return len(chunks)


@shared_task(**MATCH_TASK_OPTIONS)
def ranker_retrain() -> bool:
    from matching.services import compute

    return compute.ranker_train().promoted
