"""Concurrency and the search index on the real PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from marketplace.choices import ApplicationStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, AuditEvent, Capability
from marketplace.search import build_document, query_words
from marketplace.search_index import word_holders_queryset
from marketplace.selectors import capabilities_catalogue, capability_facets
from marketplace.services import application_transitions
from marketplace.services import applications as services
from tests.marketplace.factories import CapabilityFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Run the calls in two threads released at the same instant."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            return "ok"
        except (TransitionNotAllowed, PermissionDenied, ValidationError) as error:
            return type(error).__name__
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_simultaneous_submissions_give_one_application(cast):
    capability = CapabilityFactory(organization=cast.platform)

    def submit(membership):
        return lambda: services.application_submit(
            membership=membership, capability_id=capability.pk, intended_use="Same use."
        )

    outcomes = run_together(submit(cast.alice), submit(cast.bob))
    assert sorted(outcomes) == ["TransitionNotAllowed", "ok"]
    assert Application.objects.filter(sme=cast.sme, capability=capability).count() == 1
    assert AuditEvent.objects.filter(action="submit").count() == 1


def test_simultaneous_accept_and_withdraw_end_in_one_state_with_one_record(cast):
    capability = CapabilityFactory(organization=cast.platform)
    application = services.application_submit(membership=cast.bob, capability_id=capability.pk, intended_use="Use.")
    outcomes = run_together(
        lambda: application_transitions.application_accept(membership=cast.dan, application_id=application.pk),
        lambda: application_transitions.application_withdraw(membership=cast.bob, application_id=application.pk),
    )
    assert sorted(outcomes) == ["TransitionNotAllowed", "ok"]
    application.refresh_from_db()
    assert application.status in (ApplicationStatus.ACCEPTED, ApplicationStatus.WITHDRAWN)
    decisions = AuditEvent.objects.filter(object_id=application.pk, action__in=["accept", "withdraw"])
    assert list(decisions.values_list("to_state", flat=True)) == [application.status]


def test_search_can_use_the_gin_index(cast):
    # The words must be matched against the stored vector column (migration
    # 0008), or PostgreSQL can only scan the whole table. With 2,000 rows, one of which
    # matches, the planner picks the index on its own.
    documents = [build_document("Capability for computing"), build_document("发票 OCR")]
    CapabilityFactory.create_batch(1999, organization=cast.platform, search_document=documents[0])
    invoice = CapabilityFactory(organization=cast.platform, search_document=documents[1])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE marketplace_capability")
    # The one query of a search that reads the words: which listings hold them.
    words = query_words("发票")
    plan = word_holders_queryset(Capability.objects.published(), words, "search_document").explain()
    assert "marketplace_capability_search_vector" in plan, plan
    assert [c.pk for c in capabilities_catalogue(query="发票")] == [invoice.pk]


def test_the_stored_search_vectors_follow_the_text(cast):
    capability = CapabilityFactory(organization=cast.platform, search_document=build_document("发票 OCR"))
    assert [c.pk for c in capabilities_catalogue(query="OCR")] == [capability.pk]
    # A change of text saves updated_at too (the services do): search caches
    # the words it read under the listings' latest change.
    type(capability).objects.filter(pk=capability.pk).update(
        search_document=build_document("Translation API"),
        search_title=build_document("Translation API"),
        updated_at=timezone.now(),
    )
    assert list(capabilities_catalogue(query="OCR")) == []
    assert [c.pk for c in capabilities_catalogue(query="translation")] == [capability.pk]
    # The facets read the search as a subquery, where the table has another alias.
    facets = capability_facets(capabilities_catalogue(query="translation"))
    assert sum(facets["kind"].values()) == 1
