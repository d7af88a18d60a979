"""The Celery tasks: the rebuild chord end to end (eagerly), deferred matching
for bulk loads, retries of database hiccups, and the same tasks on a real
worker (PostgreSQL, Redis)."""

import time

import pytest
from django.db import OperationalError

from accounts.choices import SME
from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from marketplace.services.listings import listing_create, listing_transition
from matching import tasks
from matching.models import Feedback, Match
from matching.services import rematch
from matching.services.feedback import match_feedback
from matching.services.hooks import matching_deferred
from tests.matching.conftest import need_fields

S = ListingStatus


@pytest.fixture
def queued(monkeypatch):
    """Record the matching tasks queued (they still run, eagerly)."""
    calls = []
    for name in ("match_need", "match_capability", "matches_withdraw", "matches_rebuild"):
        task = getattr(tasks, name)
        original = task.apply_async

        def apply_async(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(task, "apply_async", apply_async)
    return calls


@pytest.mark.django_db
class TestRebuild:
    def test_the_rebuild_chord_restores_every_proposal_and_prunes(self, cast, catalogue, needs, snapshot):
        expected = snapshot()
        assert len(expected) == 3
        match_feedback(
            membership=cast.alice,
            match=Match.objects.get(need=needs.invoice, capability=catalogue.ocr),
            side=SME,
            value=Feedback.INTERESTED,
        )
        Match.objects.filter(sme_feedback="").delete()
        # A capability withdrawn without its withdrawal task: its matches are stale.
        Capability.objects.filter(pk=catalogue.route.pk).update(status=S.ARCHIVED)
        Match.objects.create(
            need=needs.route, capability=catalogue.route, score=0.9, rank=1, computed_at=needs.route.published_at
        )
        result = tasks.matches_rebuild.delay(1)
        assert result.get() == 2  # chunks
        assert snapshot() == [
            (needs.invoice.pk, catalogue.ocr.pk, 1, Feedback.INTERESTED, ""),
            (needs.invoice.pk, catalogue.ocr_erin.pk, 2, "", ""),
        ]

    def test_the_chunks_and_the_finish_report_what_they_stored(self, catalogue, needs):
        assert tasks.matches_rebuild_chunk.delay([needs.invoice.pk, needs.route.pk]).get() == 3
        assert tasks.matches_rebuild_finish.delay([2, 1]).get() == 3

    def test_a_rebuild_without_published_needs_only_prunes(self, catalogue, needs):
        Need.objects.update(status=S.ARCHIVED)
        assert tasks.matches_rebuild.delay().get() == 3  # the stale rows removed
        assert not Match.objects.exists()

    def test_a_database_hiccup_is_retried(self, catalogue, needs, monkeypatch):
        Match.objects.all().delete()
        original = rematch.match_need
        attempts = []

        def flaky(need_id):
            attempts.append(need_id)
            if len(attempts) == 1:
                raise OperationalError("server closed the connection unexpectedly")
            return original(need_id)

        monkeypatch.setattr(rematch, "match_need", flaky)
        # throw=False: with eager exceptions propagated, Celery would raise the Retry instead of retrying.
        assert tasks.match_need.apply(args=[needs.invoice.pk], throw=False).get() == 2
        assert attempts == [needs.invoice.pk, needs.invoice.pk]
        assert Match.objects.filter(need=needs.invoice).count() == 2

    def test_retraining_without_labels_promotes_nothing(self, catalogue, needs):
        assert tasks.ranker_retrain.delay().get() is False


@pytest.mark.django_db
class TestQueueing:
    def test_listing_changes_queue_their_own_matching(self, cast, catalogue, needs, act, queued):
        act.edit(needs.invoice, cast.alice, region="jiangsu")
        act.transition(catalogue.ocr, "archive", cast.dan)
        act.transition(needs.route, "archive", cast.carol)
        # Withdrawing a capability refills the needs' lists in the same task.
        assert queued == ["match_need", "matches_withdraw", "matches_withdraw"]
        assert Match.objects.filter(need=needs.invoice, rank=1, capability=catalogue.ocr_erin).exists()

    def test_bulk_loads_defer_matching_to_one_rebuild(
        self, cast, catalogue, moderator, queued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            with matching_deferred():
                for title in ("发票识别 Invoice OCR", "电子发票 OCR E-invoice OCR"):
                    need = listing_create(
                        model=Need, membership=cast.alice, fields=need_fields(title=title), tag_names=[]
                    )
                    listing_transition(
                        model=Need, pk=need.pk, action="submit", user=cast.alice.user, membership=cast.alice
                    )
                    listing_transition(model=Need, pk=need.pk, action="publish", user=moderator)
            assert queued == []
        assert queued == ["matches_rebuild"]
        assert set(Match.objects.filter(rank=1).values_list("capability_id", flat=True)) == {catalogue.ocr.pk}
        assert Match.objects.values("need").distinct().count() == 2


# A real worker ------------------------------------------------------------------


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
class TestRealWorker:
    def test_a_need_published_is_matched_by_the_worker(self, cast, catalogue, celery_worker, moderator):
        # The catalogue was published before the worker took over (eagerly).
        need = listing_create(model=Need, membership=cast.alice, fields=need_fields(), tag_names=["OCR", "发票"])
        listing_transition(model=Need, pk=need.pk, action="submit", user=cast.alice.user, membership=cast.alice)
        listing_transition(model=Need, pk=need.pk, action="publish", user=moderator)
        # Nothing ran in this process: the rows appear when the worker has run match_need.
        assert wait_for(lambda: Match.objects.filter(need=need).count() == 2), "the worker stored no matches in 60 s"
        ranked = list(Match.objects.filter(need=need).order_by("rank").values_list("capability_id", flat=True))
        assert ranked == [catalogue.ocr.pk, catalogue.ocr_erin.pk]

    def test_match_need_and_the_rebuild_chord_run_on_the_worker(self, catalogue, needs, celery_worker, snapshot):
        expected = snapshot()
        Match.objects.all().delete()
        assert tasks.match_need.delay(needs.invoice.pk).get(timeout=60) == 2
        assert Match.objects.filter(need=needs.invoice).count() == 2
        Match.objects.all().delete()
        assert tasks.matches_rebuild.delay(1).get(timeout=60) == 2
        assert wait_for(lambda: snapshot() == expected), f"after the rebuild: {snapshot()} != {expected}"
