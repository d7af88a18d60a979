"""Lists read a page in a fixed number of queries, however many rows it has
(no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from marketplace.choices import ListingStatus
from marketplace.models import Invitation, Message, Notification
from matching.models import Match
from tests.accounts.factories import MembershipFactory
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db


def add_rows(cast, n: int) -> None:
    for _ in range(n):
        need = NeedFactory(organization=cast.sme)
        need.tags.create(name=f"t{need.pk}", key=f"t{need.pk}")
        NeedFactory(organization=cast.sme, status=ListingStatus.DRAFT)
        capability = CapabilityFactory(organization=cast.platform)
        capability.tags.create(name=f"c{capability.pk}", key=f"c{capability.pk}")
        application = ApplicationFactory(sme=cast.sme, capability=capability, need=need)
        Message.objects.create(
            application=application, sender=cast.alice.user, sender_organization=cast.sme, body="Hello"
        )
        Invitation.objects.create(capability=capability, need=need, invited_by=cast.dan.user)
        Match.objects.create(need=need, capability=capability, score=0.5, rank=1, computed_at=timezone.now())
        Notification.objects.create(recipient=cast.alice.user, organization=cast.sme, kind="message_new", title="Hi")
        MembershipFactory(organization=cast.sme, role=Role.MEMBER)


LISTS = [
    ("alice", "api:capability-list", {}),
    ("dan", "api:capability-list", {"mine": "true"}),
    ("dan", "api:need-list", {}),
    ("alice", "api:need-list", {"mine": "true"}),
    ("alice", "api:application-list", {}),
    ("dan", "api:application-list", {}),
    ("alice", "api:invitation-list", {}),
    ("dan", "api:invitation-list", {}),
    ("alice", "api:notification-list", {}),
    ("alice", "api:match-list", {}),
    ("dan", "api:match-list", {}),
    ("alice", "api:membership-list", {}),
    ("alice", "api:tag-list", {}),
    ("alice", "api:organization-list", {}),
]


def count_queries(client, route, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(route), params)
    assert response.status_code == 200, response.json()
    return len(queries)


@pytest.mark.parametrize(("who", "route", "params"), LISTS)
def test_a_list_costs_the_same_for_2_and_6_rows(api, cast, who, route, params):
    client = api(getattr(cast, who))
    client.get(reverse("api:me"))  # the token's "last used" is written once a minute
    add_rows(cast, 2)
    few = count_queries(client, route, params)

    add_rows(cast, 4)
    many = count_queries(client, route, params)

    assert many == few, f"{route}: {few} queries for 2 rows, {many} for 6"
