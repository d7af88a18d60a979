"""Applications and their messages through the API: who sees which, applying,
the platform's decisions, the SME's withdrawal, the thread."""

import pytest
from django.urls import reverse

from marketplace.choices import ApplicationStatus, InvitationStatus, ListingStatus
from marketplace.models import Application, Invitation, Message, Notification
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db


APPLY = {"intended_use": "Read our supplier invoices.", "answer": "About 2,000.", "accepted_terms_version": 3}


def url(name, *args):
    return reverse(f"api:application-{name}", args=args)


def as_role(api, cast, role):
    if role == "anonymous":
        return api()
    if role in ("frank", "mallory"):  # no organisation: signed in by session
        return api(getattr(cast, role), session=True)
    return api(getattr(cast, role))


# --- who sees what ---------------------------------------------------------------

# Who may list, and who may see one object of, the two sides of an
# application or invitation (the SME's alice and bob, the platform's dan).
LIST = {"anonymous": 401, "frank": 403, "mallory": 403, "alice": 200, "bob": 200, "carol": 200, "dan": 200, "erin": 200}  # fmt: skip
DETAIL = {"anonymous": 401, "frank": 403, "mallory": 403, "alice": 200, "bob": 200, "carol": 404, "dan": 200, "erin": 404}  # fmt: skip


@pytest.mark.parametrize("role", LIST)
def test_each_side_lists_only_its_own_applications(api, cast, application, role):
    ApplicationFactory(sme=cast.other_sme, capability=CapabilityFactory(organization=cast.other_platform))

    response = as_role(api, cast, role).get(url("list"))

    assert response.status_code == LIST[role]
    if response.status_code == 200:
        shown = [item["id"] for item in response.json()["results"]]
        assert (application.pk in shown) is (role in ("alice", "bob", "dan"))
        assert len(shown) == 1


@pytest.mark.parametrize("role", DETAIL)
def test_only_the_two_organisations_see_an_application(api, cast, application, role):
    assert as_role(api, cast, role).get(url("detail", application.pk)).status_code == DETAIL[role]


def test_the_detail_carries_capability_sme_need_and_no_decline(api, cast, application):
    need = NeedFactory(organization=cast.sme, title="Invoices")
    Application.objects.filter(pk=application.pk).update(need=need)

    body = api(cast.dan).get(url("detail", application.pk)).json()

    assert body["status"] == "submitted"
    assert body["capability"]["title"] == "发票 OCR API"
    assert body["capability"]["organization"]["id"] == cast.platform.pk
    assert body["sme"]["legal_name"] == cast.sme.legal_name
    assert (body["need"]["id"], body["need"]["title"], body["need"]["organization"]["id"]) == (
        need.pk,
        "Invoices",
        cast.sme.pk,
    )
    assert body["decline_reason"] is None and body["decline_reason_label"] is None and body["decided_at"] is None


def test_filters_by_status_and_capability(api, cast, application, capability):
    other = CapabilityFactory(organization=cast.platform)
    accepted = ApplicationFactory(sme=cast.other_sme, capability=other, status=ApplicationStatus.ACCEPTED)
    client = api(cast.dan)

    open_ones = client.get(url("list"), {"status": "open"}).json()["results"]
    accepted_ones = client.get(url("list"), {"status": "accepted"}).json()["results"]
    of_other = client.get(url("list"), {"capability": other.pk}).json()["results"]

    assert [item["id"] for item in open_ones] == [application.pk]
    assert [item["id"] for item in accepted_ones] == [accepted.pk]
    assert [item["id"] for item in of_other] == [accepted.pk]


@pytest.mark.parametrize(
    ("params", "field"), [({"status": "pending"}, "status"), ({"capability": "abc"}, "capability")]
)
def test_an_unknown_filter_value_is_a_400(api, cast, params, field):
    response = api(cast.alice).get(url("list"), params)

    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


# --- applying --------------------------------------------------------------------


def test_an_sme_applies_and_the_platform_is_notified(api, cast, capability):
    need = NeedFactory(organization=cast.sme)

    response = api(cast.bob).post(url("list"), {**APPLY, "capability": capability.pk, "need": need.pk}, format="json")

    assert response.status_code == 201, response.json()
    application = Application.objects.get()
    assert response.json()["id"] == application.pk
    assert (application.sme, application.need, application.terms_version) == (cast.sme, need, 3)
    assert application.submitted_by == cast.bob.user
    titles = [item["title"] for item in api(cast.dan).get(reverse("api:notification-list")).json()["results"]]
    assert titles == [f"New application from {cast.sme.legal_name} to “发票 OCR API”."]


def test_the_platforms_rules_come_back_per_field(api, cast, capability):
    response = api(cast.alice).post(
        url("list"), {"capability": capability.pk, "intended_use": "Invoices."}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"answer", "accepted_terms_version"}
    assert not Application.objects.exists()


def test_platforms_may_not_apply(api, cast, capability):
    response = api(cast.erin).post(url("list"), {**APPLY, "capability": capability.pk}, format="json")

    assert response.status_code == 403
    assert not Application.objects.exists()


def test_a_capability_the_caller_may_not_see_is_a_404(api, cast):
    draft = CapabilityFactory(organization=cast.platform, status=ListingStatus.DRAFT)

    response = api(cast.alice).post(url("list"), {**APPLY, "capability": draft.pk}, format="json")

    assert response.status_code == 404
    assert not Application.objects.exists()


def test_a_second_open_application_is_a_409(api, cast, application, capability):
    response = api(cast.bob).post(url("list"), {**APPLY, "capability": capability.pk}, format="json")

    assert response.status_code == 409
    assert Application.objects.get() == application


def test_ids_must_be_json_numbers(api, cast, capability):
    response = api(cast.alice).post(url("list"), {**APPLY, "capability": str(capability.pk)}, format="json")

    assert response.status_code == 400
    assert "capability" in response.json()["extra"]["fields"]


def test_applying_through_an_invitation_answers_it(api, cast, capability):
    need = NeedFactory(organization=cast.sme)
    invitation = Invitation.objects.create(capability=capability, need=need, invited_by=cast.dan.user)

    response = api(cast.alice).post(
        url("list"), {**APPLY, "capability": capability.pk, "invitation": invitation.pk}, format="json"
    )

    assert response.status_code == 201, response.json()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.application_id == response.json()["id"]


def test_another_smes_invitation_is_a_404(api, cast, capability):
    invitation = Invitation.objects.create(capability=capability, need=NeedFactory(organization=cast.other_sme))

    response = api(cast.alice).post(
        url("list"), {**APPLY, "capability": capability.pk, "invitation": invitation.pk}, format="json"
    )

    assert response.status_code == 404
    assert not Application.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPEN


# --- decisions -------------------------------------------------------------------


def test_the_platform_reviews_and_accepts_and_the_sme_is_told(api, cast, application):
    client = api(cast.dan)

    review = client.post(url("start-review", application.pk), format="json")
    accept = client.post(url("accept", application.pk), format="json")

    assert (review.status_code, accept.status_code) == (200, 200)
    assert accept.json()["status"] == "accepted" and accept.json()["decided_at"] is not None
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and application.decided_by == cast.dan.user
    titles = [item["title"] for item in api(cast.alice).get(reverse("api:notification-list")).json()["results"]]
    assert titles == [
        "Your application to “发票 OCR API” was accepted.",
        "Your application to “发票 OCR API” is in review.",
    ]


def test_an_sme_may_not_accept_its_own_application(api, cast, application):
    response = api(cast.alice).post(url("accept", application.pk), format="json")

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.decided_at is None


def test_another_platform_gets_a_404(api, cast, application):
    response = api(cast.erin).post(url("decline", application.pk), {"reason": "pricing"}, format="json")

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_withdrawing_an_accepted_application_is_a_409(api, cast, application):
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.ACCEPTED)

    response = api(cast.alice).post(url("withdraw", application.pk), format="json")

    assert response.status_code == 409
    assert response.json()["message"] == "This application is accepted, so it cannot be withdrawn."
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED


def test_the_sme_withdraws_an_open_application(api, cast, application):
    response = api(cast.bob).post(url("withdraw", application.pk), format="json")

    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert Notification.objects.filter(recipient=cast.dan.user, kind="application_withdrawn").exists()


@pytest.mark.parametrize(
    ("data", "field"), [({}, "reason"), ({"reason": "bored"}, "reason"), ({"reason": "other", "note": " "}, "note")]
)
def test_a_decline_needs_a_reason(api, cast, application, data, field):
    response = api(cast.dan).post(url("decline", application.pk), data, format="json")

    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == [field]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.decline_reason == ""


def test_a_declined_application_shows_its_reason_and_history(api, cast, capability):
    created = api(cast.alice).post(url("list"), {**APPLY, "capability": capability.pk}, format="json").json()

    declined = api(cast.dan).post(
        url("decline", created["id"]), {"reason": "capacity_full", "note": "Try in May."}, format="json"
    )

    assert declined.status_code == 200
    seen = api(cast.alice).get(url("detail", created["id"])).json()
    assert seen["status"] == "declined"
    assert (seen["decline_reason"], seen["decline_reason_label"], seen["decline_note"]) == (
        "capacity_full",
        "Capacity is full",
        "Try in May.",
    )
    history = api(cast.alice).get(url("history", created["id"]))
    assert history.status_code == 200
    assert [(e["action"], e["from_state"], e["to_state"]) for e in history.json()] == [
        ("submit", "", "submitted"),
        ("decline", "submitted", "declined"),
    ]
    assert history.json()[1]["reason"] == "Capacity is full: Try in May."
    assert history.json()[1]["actor"] == cast.dan.user.display_name


def test_history_is_hidden_from_other_organisations(api, cast, application):
    assert api(cast.carol).get(url("history", application.pk)).status_code == 404


# --- messages --------------------------------------------------------------------


def test_the_thread_reads_oldest_first_and_pages(api, cast, application):
    client = api(cast.alice)
    for body in ("first", "second", "third"):
        assert client.post(url("messages", application.pk), {"body": body}, format="json").status_code == 201

    first_page = api(cast.dan).get(url("messages", application.pk), {"page_size": 2}).json()

    assert first_page["count"] == 3
    assert [item["body"] for item in first_page["results"]] == ["first", "second"]
    assert first_page["results"][0]["sender_organization"]["id"] == cast.sme.pk


def test_a_message_notifies_the_other_side(api, cast, application):
    response = api(cast.dan).post(url("messages", application.pk), {"body": "Which volumes?"}, format="json")

    assert response.status_code == 201
    assert response.json()["sender_name"] == cast.dan.user.display_name
    alice = api(cast.alice).get(reverse("api:notification-list")).json()["results"]
    assert [(item["kind"], item["body"]) for item in alice] == [("message_new", "Which volumes?")]
    assert not Notification.objects.filter(recipient=cast.dan.user).exists()


@pytest.mark.parametrize("role", ["carol", "erin"])
def test_other_organisations_neither_read_nor_write_the_thread(api, cast, application, role):
    client = api(getattr(cast, role))

    assert client.get(url("messages", application.pk)).status_code == 404
    assert client.post(url("messages", application.pk), {"body": "Hi"}, format="json").status_code == 404
    assert not Message.objects.exists()


def test_an_empty_message_is_a_400(api, cast, application):
    response = api(cast.alice).post(url("messages", application.pk), {"body": "   "}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()["extra"]["fields"]
    assert not Message.objects.exists()


def test_a_capability_no_longer_published_shows_no_summary_to_applicants(api, cast, application):
    Application.objects.filter(pk=application.pk).update(need=NeedFactory(organization=cast.sme, status="rejected"))
    application.capability.summary = "Old pitch"
    application.capability.status = ListingStatus.SUSPENDED
    application.capability.save(update_fields=["summary", "status"])

    body = api(cast.alice).get(url("detail", application.pk)).json()

    assert body["capability"]["summary"] is None and body["capability"]["status"] == "suspended"
    assert "status" not in body["need"]
