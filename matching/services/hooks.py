"""Matching work queued for after the commit, when listings or organisations
change (called by ``matching.receivers``), and the switch that defers it
during bulk loads. Cheap to import: web processes load this, never NumPy."""

import threading
from contextlib import contextmanager
from functools import partial

from django.db import transaction

from config.celery import task_send
from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from matching import tasks

_deferred = threading.local()


@contextmanager
def matching_deferred():
    """Within this block listing changes queue no matching work; at its end
    one full rebuild is queued instead (for bulk loads such as the demo data)."""
    _deferred.active = True
    try:
        yield
    finally:
        _deferred.active = False
    matches_rebuild_queue()


def listing_matches_refresh(listing: Capability | Need) -> None:
    """Queue, for after the commit, the re-matching of a listing that was
    published or edited, or the withdrawal of its matches if it no longer is."""
    if getattr(_deferred, "active", False):
        return
    is_need = isinstance(listing, Need)
    pk = listing.pk
    if listing.status == ListingStatus.PUBLISHED:
        task = tasks.match_need if is_need else tasks.match_capability
        transaction.on_commit(lambda: task_send(task, pk), robust=True)
    else:
        kwargs = {"need_id": pk} if is_need else {"capability_id": pk}
        transaction.on_commit(lambda: task_send(tasks.matches_withdraw, **kwargs), robust=True)


def organization_matches_refresh(*, organization_ids: list[int]) -> None:
    """Queue, for after the commit, the re-matching of these organisations'
    published needs: their size or verification changed, and with it which
    capabilities they may be proposed."""
    if getattr(_deferred, "active", False):
        return
    for organization_id in organization_ids:
        transaction.on_commit(partial(_organization_needs_rematch, organization_id), robust=True)


def _organization_needs_rematch(organization_id: int) -> None:
    task_send(tasks.match_organization_needs, organization_id)


def matches_rebuild_queue() -> None:
    """Queue a full rebuild for after the commit."""
    transaction.on_commit(lambda: task_send(tasks.matches_rebuild), robust=True)
