"""Invitations to apply through the API: the platform invites, the SME sees
and declines, the platform withdraws; everyone else gets a 404."""

import pytest
from django.urls import reverse

from marketplace.choices import InvitationStatus, ListingStatus, NeedVisibility
from marketplace.models import Invitation, Notification
from tests.api.test_application_api import DETAIL, LIST, as_role
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def capability(cast):
    return CapabilityFactory(organization=cast.platform, title="发票 OCR API")


@pytest.fixture
def need(cast):
    return NeedFactory(organization=cast.sme, title="Read invoices")


@pytest.fixture
def invitation(cast, capability, need):
    return Invitation.objects.create(capability=capability, need=need, invited_by=cast.dan.user, message="Try it.")


def url(name, *args):
    return reverse(f"api:invitation-{name}", args=args)


# --- sending ---------------------------------------------------------------------


def test_platform_staff_invite_and_the_sme_is_told(api, cast, capability, need):
    response = api(cast.dan).post(
        url("list"), {"need": need.pk, "capability": capability.pk, "message": "Made for you."}, format="json"
    )

    assert response.status_code == 201, response.json()
    invitation = Invitation.objects.get()
    body = response.json()
    assert body["id"] == invitation.pk and body["status"] == "open" and body["application"] is None
    assert body["need"]["organization"]["id"] == cast.sme.pk and body["capability"]["id"] == capability.pk
    alice = api(cast.alice).get(reverse("api:notification-list")).json()["results"]
    assert [(item["kind"], item["body"]) for item in alice] == [("invitation_new", "Made for you.")]
    assert (
        alice[0]["title"]
        == f"{cast.platform.legal_name} invites you to apply to “发票 OCR API” for your need “Read invoices”."
    )


def test_smes_may_not_invite(api, cast, capability, need):
    response = api(cast.carol).post(url("list"), {"need": need.pk, "capability": capability.pk}, format="json")

    assert response.status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.SUBMITTED, ListingStatus.ARCHIVED])
def test_a_need_the_platform_may_not_see_is_a_404(api, cast, capability, status):
    hidden = NeedFactory(organization=cast.sme, status=status)

    response = api(cast.dan).post(url("list"), {"need": hidden.pk, "capability": capability.pk}, format="json")

    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_platforms_only_needs_can_be_answered_by_platforms(api, cast, capability):
    need = NeedFactory(organization=cast.sme, visibility=NeedVisibility.PLATFORMS_ONLY)

    response = api(cast.dan).post(url("list"), {"need": need.pk, "capability": capability.pk}, format="json")

    assert response.status_code == 201
    assert Invitation.objects.get().need == need


def test_only_the_platforms_own_capability_can_be_offered(api, cast, need):
    theirs = CapabilityFactory(organization=cast.other_platform)

    response = api(cast.dan).post(url("list"), {"need": need.pk, "capability": theirs.pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == ["capability"]
    assert not Invitation.objects.exists()


def test_a_second_open_invitation_is_a_409(api, cast, invitation, capability, need):
    response = api(cast.dan).post(url("list"), {"need": need.pk, "capability": capability.pk}, format="json")

    assert response.status_code == 409
    assert Invitation.objects.get() == invitation


def test_an_sme_that_already_applied_cannot_be_invited(api, cast, capability, need):
    ApplicationFactory(sme=cast.sme, capability=capability)

    response = api(cast.dan).post(url("list"), {"need": need.pk, "capability": capability.pk}, format="json")

    assert response.status_code == 409
    assert not Invitation.objects.exists()


# --- who sees what ---------------------------------------------------------------


@pytest.mark.parametrize("role", LIST)
def test_invitations_are_listed_for_the_sme_invited_and_the_platform(api, cast, invitation, role):
    response = as_role(api, cast, role).get(url("list"))

    assert response.status_code == LIST[role]
    if response.status_code == 200:
        shown = [item["id"] for item in response.json()["results"]]
        assert shown == ([invitation.pk] if role in ("alice", "bob", "dan") else [])


@pytest.mark.parametrize("role", DETAIL)
def test_one_invitation_by_role(api, cast, invitation, role):
    assert as_role(api, cast, role).get(url("detail", invitation.pk)).status_code == DETAIL[role]


def test_the_list_filters_by_status(api, cast, invitation, capability):
    declined = Invitation.objects.create(
        capability=capability, need=NeedFactory(organization=cast.sme), status=InvitationStatus.DECLINED
    )
    client = api(cast.alice)

    assert [item["id"] for item in client.get(url("list"), {"status": "open"}).json()["results"]] == [invitation.pk]
    assert [item["id"] for item in client.get(url("list"), {"status": "declined"}).json()["results"]] == [declined.pk]
    unknown = client.get(url("list"), {"status": "maybe"})
    assert unknown.status_code == 400 and "status" in unknown.json()["extra"]["fields"]


# --- answers ---------------------------------------------------------------------


def test_the_sme_declines_and_the_platform_is_told(api, cast, invitation):
    response = api(cast.bob).post(url("decline", invitation.pk), format="json")

    assert response.status_code == 200 and response.json()["status"] == "declined"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED and invitation.answered_at is not None
    dan = api(cast.dan).get(reverse("api:notification-list")).json()["results"]
    assert [item["kind"] for item in dan] == ["invitation_answered"]


def test_declining_twice_is_a_409(api, cast, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.WITHDRAWN)

    response = api(cast.alice).post(url("decline", invitation.pk), format="json")

    assert response.status_code == 409
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN


@pytest.mark.parametrize(("role", "action", "expected"), [
    ("dan", "decline", 403), ("alice", "withdraw", 403),
    ("carol", "decline", 404), ("erin", "withdraw", 404), ("erin", "decline", 404), ("carol", "withdraw", 404),
])  # fmt: skip
def test_only_the_right_side_answers(api, cast, invitation, role, action, expected):
    response = api(getattr(cast, role)).post(url(action, invitation.pk), format="json")

    assert response.status_code == expected
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN and invitation.answered_at is None
    assert not Notification.objects.exists()


def test_the_platform_withdraws_an_open_invitation(api, cast, invitation):
    response = api(cast.dan).post(url("withdraw", invitation.pk), format="json")

    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    assert api(cast.alice).post(url("decline", invitation.pk), format="json").status_code == 409
