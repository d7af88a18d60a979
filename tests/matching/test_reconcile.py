"""The matching reconciler: listings whose re-matching was never queued (the
broker was down at the commit) or never finished are found and matched
again; publishing with the broker down still commits and answers normally."""

from datetime import timedelta

import pytest
from celery.app.task import Task
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from config.celery import app, task_send
from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from marketplace.services.listing_transitions import listing_archive, listing_publish, listing_submit
from marketplace.services.listings import listing_create
from matching import tasks
from matching.models import Match
from matching.services.reconcile import matches_reconcile
from tests.matching.conftest import need_fields

NOW = timedelta(0)


def _refusing(self, *args, **kwargs):
    raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker_down(monkeypatch):
    """Every task send fails as it does when Redis is unreachable."""
    monkeypatch.setattr(Task, "apply_async", _refusing)


def reconcile(**options):
    """One run with no grace period (the tests' listings are all just written)."""
    return matches_reconcile(grace=NOW, **options)


def post_need(membership, **fields):
    need = listing_create(model=Need, membership=membership, fields=need_fields(**fields), tag_names=["OCR", "发票"])
    listing_submit(listing=need, membership=membership)
    return need


@pytest.mark.django_db
class TestMatchedAt:
    def test_matching_marks_needs_and_capabilities_matched_after_their_last_change(self, catalogue, needs):
        for listing in (needs.invoice, needs.route, catalogue.ocr, catalogue.gpu):
            listing.refresh_from_db()
            assert listing.matched_at is not None
            assert listing.matched_at >= listing.updated_at
        assert reconcile().as_dict() == {
            "needs": 0,
            "capabilities": 0,
            "withdrawn_needs": 0,
            "withdrawn_capabilities": 0,
            "unqueued": 0,
        }

    def test_a_full_rebuild_marks_the_capabilities_it_matched(self, catalogue, needs):
        # As after a bulk load: capabilities published without their own matching.
        Capability.objects.update(matched_at=None)
        tasks.matches_rebuild.delay(1)
        for capability in (catalogue.ocr, catalogue.gpu):
            capability.refresh_from_db()
            assert capability.matched_at is not None and capability.matched_at >= capability.updated_at
        assert reconcile().as_dict()["capabilities"] == 0

    def test_a_need_changed_after_its_last_matching_is_matched_again(self, catalogue, needs):
        # As when its re-matching task was lost: the last matching predates the change.
        Need.objects.filter(pk=needs.invoice.pk).update(matched_at=needs.invoice.updated_at - timedelta(seconds=1))
        result = reconcile()
        assert result.needs == [needs.invoice.pk]
        needs.invoice.refresh_from_db()
        assert needs.invoice.matched_at >= needs.invoice.updated_at
        assert reconcile().needs == []


@pytest.mark.django_db(transaction=True)
class TestBrokerDown:
    """Transactional: the matching is queued by on-commit hooks, as in production."""

    def test_a_need_published_while_the_broker_is_down_is_committed_and_matched_later(
        self, cast, catalogue, moderator, monkeypatch, caplog
    ):
        need = post_need(cast.alice)
        with monkeypatch.context() as patch:
            patch.setattr(Task, "apply_async", _refusing)
            listing_publish(listing=need, user=moderator)
        need.refresh_from_db()
        assert need.status == ListingStatus.PUBLISHED
        assert need.matched_at is None
        assert not Match.objects.filter(need=need).exists()
        assert "not queued: the broker is unreachable" in caplog.text

        result = reconcile()

        assert result.needs == [need.pk]
        assert result.unqueued == 0
        assert Match.objects.filter(need=need, rank__isnull=False).count() == 2
        need.refresh_from_db()
        assert need.matched_at >= need.updated_at
        assert reconcile().needs == []

    def test_publishing_through_the_api_with_the_broker_down_answers_200(
        self, cast, catalogue, moderator, client, monkeypatch
    ):
        need = post_need(cast.alice)
        client.force_login(moderator)
        with monkeypatch.context() as patch:
            patch.setattr(Task, "apply_async", _refusing)
            response = client.post(f"/api/v1/needs/{need.pk}/publish/", {}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert Need.objects.get(pk=need.pk).status == ListingStatus.PUBLISHED
        assert reconcile().needs == [need.pk]

    def test_a_capability_published_while_the_broker_is_down_is_matched_later(
        self, cast, catalogue, needs, moderator, monkeypatch, proposed
    ):
        capability = listing_create(
            model=Capability,
            membership=cast.dan,
            fields={**_ocr_fields(catalogue.ocr), "title": "发票 OCR 识别接口 Invoice OCR API (second)"},
            tag_names=["OCR", "发票"],
        )
        listing_submit(listing=capability, membership=cast.dan)
        with monkeypatch.context() as patch:
            patch.setattr(Task, "apply_async", _refusing)
            listing_publish(listing=capability, user=moderator)
        assert capability.pk not in proposed(needs.invoice)

        result = reconcile()

        assert result.capabilities == [capability.pk]
        assert capability.pk in proposed(needs.invoice)
        capability.refresh_from_db()
        assert capability.matched_at >= capability.updated_at

    def test_a_need_archived_while_the_broker_is_down_loses_its_proposals_later(
        self, cast, catalogue, needs, monkeypatch, proposed
    ):
        assert proposed(needs.invoice)
        with monkeypatch.context() as patch:
            patch.setattr(Task, "apply_async", _refusing)
            listing_archive(listing=needs.invoice, membership=cast.alice)
        assert proposed(needs.invoice)  # the withdrawal was never queued

        result = reconcile()

        assert result.withdrawn_needs == [needs.invoice.pk]
        assert proposed(needs.invoice) == []
        assert reconcile().withdrawn_needs == []


def _ocr_fields(capability):
    return {name: getattr(capability, name) for name in Capability.editable_fields}


@pytest.mark.django_db
class TestBatches:
    def test_each_run_takes_a_bounded_batch_oldest_first(self, cast, catalogue, needs):
        Need.objects.update(matched_at=None)
        Need.objects.filter(pk=needs.route.pk).update(updated_at=timezone.now() - timedelta(hours=2))
        assert reconcile(need_limit=1).needs == [needs.route.pk]
        assert reconcile(need_limit=1).needs == [needs.invoice.pk]
        assert reconcile(need_limit=1).needs == []

    def test_listings_changed_within_the_grace_period_are_left_to_their_own_task(self, catalogue, needs):
        Need.objects.update(matched_at=None)
        assert matches_reconcile().needs == []
        later = timezone.now() + timedelta(minutes=3)
        assert sorted(matches_reconcile(now=later).needs) == sorted([needs.invoice.pk, needs.route.pk])

    def test_needs_no_longer_published_are_not_matched(self, cast, catalogue, needs, act):
        act.transition(needs.route, "archive", cast.carol)
        Need.objects.update(matched_at=None)
        assert reconcile().needs == [needs.invoice.pk]

    def test_work_the_broker_refuses_is_counted_and_found_again(self, catalogue, needs, broker_down):
        Need.objects.update(matched_at=None)
        result = reconcile()
        assert result.unqueued == 2
        assert len(reconcile().needs) == 2  # still stale: the next run tries again


def test_task_send_reports_a_refusing_broker(broker_down, caplog):
    assert task_send(tasks.match_need, 1) is False
    assert "Task matching.tasks.match_need not queued: the broker is unreachable" in caplog.text


@pytest.mark.django_db
def test_the_reconciler_task_returns_what_it_queued(catalogue, needs):
    Need.objects.filter(pk=needs.invoice.pk).update(matched_at=None)
    counts = tasks.matches_reconcile.delay(grace_seconds=0).get()
    assert counts["needs"] == 1
    assert counts["capabilities"] == 0


def test_beat_runs_the_reconciler_every_ten_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["reconcile-matches"]
    assert entry["schedule"] == 600
    assert entry["task"] in app.tasks
