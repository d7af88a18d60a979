from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import ApplicationStatus, InvitationStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, Invitation, Message, Notification
from marketplace.services import applications as services
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "alice", "bob", "carol", "dan", "erin", "mallory"]


@pytest.fixture
def capability(cast):
    return CapabilityFactory(organization=cast.platform, application_question="Volume?", terms_text="Terms.")


def as_role(client, cast, role):
    if role != "anonymous":
        who = getattr(cast, role)
        client.force_login(getattr(who, "user", who))
    return client


# The two organisations of an application see it; everyone else gets 404
# (anonymous visitors are sent to log in; admins use Django admin).
DETAIL = {"anonymous": 302, "alice": 200, "bob": 200, "carol": 404, "dan": 200, "erin": 404, "mallory": 302}


@pytest.mark.parametrize("role", ROLES)
def test_application_detail_by_role(client, cast, application, role):
    response = as_role(client, cast, role).get(reverse("marketplace:application_detail", args=[application.pk]))
    assert response.status_code == DETAIL[role]


@pytest.mark.parametrize("role", ROLES)
def test_applications_list_shows_only_own_side(client, cast, application, role):
    ApplicationFactory(sme=cast.other_sme, capability=CapabilityFactory(organization=cast.other_platform))
    response = as_role(client, cast, role).get(reverse("marketplace:applications"))
    if role in ("anonymous", "mallory"):
        assert response.status_code == 302
        return
    shown = {a.pk for a in response.context["page"].object_list}
    assert (application.pk in shown) is (role in ("alice", "bob", "dan"))
    assert len(shown) == 1


def test_sme_applies_through_the_form(client, cast, capability):
    client.force_login(cast.bob.user)
    url = reverse("marketplace:application_apply", args=[capability.pk])
    form = client.get(url).context["form"]
    assert set(form.fields) == {"intended_use", "answer", "need", "message", "accept_terms", "terms_version"}
    assert form["terms_version"].value() == capability.terms_version
    response = client.post(url, {"intended_use": "Invoices.", "answer": "2000 a month"})
    assert response.status_code == 400
    assert "accept_terms" in response.context["form"].errors
    assert not Application.objects.exists()
    response = client.post(
        url, {"intended_use": "Invoices.", "answer": "2000 a month", "accept_terms": "on", "terms_version": "1"}
    )
    application = Application.objects.get()
    assert response.url == reverse("marketplace:application_detail", args=[application.pk])
    assert application.terms_version == capability.terms_version
    # Applying again leads to the open application instead of a second one.
    response = client.get(url)
    assert response.url == reverse("marketplace:application_detail", args=[application.pk])


def test_platforms_cannot_open_the_apply_form(client, cast, capability):
    client.force_login(cast.erin.user)
    assert client.get(reverse("marketplace:application_apply", args=[capability.pk])).status_code == 403


def test_platform_declines_with_reason_and_sme_sees_it(client, cast, application):
    client.force_login(cast.dan.user)
    url = reverse("marketplace:application_action", args=[application.pk, "decline"])
    client.post(url, {"reason": "bogus"})
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    client.post(url, {"reason": "capacity_full", "note": "Full until March."})
    assert Application.objects.get().status == ApplicationStatus.DECLINED
    client.force_login(cast.bob.user)
    response = client.get(reverse("marketplace:application_detail", args=[application.pk]))
    assert "Capacity is full" in response.text
    assert "Full until March." in response.text


def test_sme_cannot_accept_its_own_application(client, cast, application):
    client.force_login(cast.alice.user)
    response = client.post(reverse("marketplace:application_action", args=[application.pk, "accept"]), follow=True)
    assert "Only the platform" in response.text
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_unknown_action_is_403(client, cast, application):
    client.force_login(cast.dan.user)
    assert client.post(reverse("marketplace:application_action", args=[application.pk, "explode"])).status_code == 403


def test_outsider_actions_are_404(client, cast, application):
    client.force_login(cast.erin.user)
    assert client.post(reverse("marketplace:application_action", args=[application.pk, "accept"])).status_code == 404
    assert (
        client.post(reverse("marketplace:application_message", args=[application.pk]), {"body": "hi"}).status_code
        == 404
    )
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    assert not Message.objects.exists()


def test_messages_in_the_thread(client, cast, application):
    client.force_login(cast.bob.user)
    client.post(reverse("marketplace:application_message", args=[application.pk]), {"body": "<b>Hello</b>"})
    client.post(reverse("marketplace:application_message", args=[application.pk]), {"body": ""})
    assert list(Message.objects.values_list("body", flat=True)) == ["<b>Hello</b>"]
    client.force_login(cast.dan.user)
    response = client.get(reverse("marketplace:application_detail", args=[application.pk]))
    assert "&lt;b&gt;Hello&lt;/b&gt;" in response.text
    assert Notification.objects.filter(recipient=cast.dan.user, kind="message_new").exists()


def test_invitation_flow_in_the_browser(client, cast, capability):
    need = NeedFactory(organization=cast.sme)
    client.force_login(cast.dan.user)
    response = client.post(reverse("marketplace:invitation_send", args=[need.pk]), {"capability": capability.pk})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    client.force_login(cast.carol.user)
    assert client.post(reverse("marketplace:invitation_decline", args=[invitation.pk])).status_code == 404
    client.force_login(cast.alice.user)
    response = client.get(reverse("marketplace:invitations"))
    assert [i.pk for i in response.context["page"].object_list] == [invitation.pk]
    apply_url = reverse("marketplace:application_apply", args=[capability.pk]) + f"?invitation={invitation.pk}"
    assert client.get(apply_url).context["form"]["need"].value() == need.pk
    client.post(
        apply_url, {"intended_use": "Yes.", "answer": "Some", "accept_terms": "on", "terms_version": 1, "need": need.pk}
    )
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED


def test_notifications_page_and_unread_count(client, cast, application):
    services.message_send(membership=cast.dan, application_id=application.pk, body="Hi")
    client.force_login(cast.bob.user)
    response = client.get(reverse("home"))
    assert response.context["unread_notifications"] == 1
    response = client.get(reverse("marketplace:notifications"))
    assert len(response.context["page"].object_list) == 1
    client.post(reverse("marketplace:notifications_mark_read"))
    assert client.get(reverse("home")).context["unread_notifications"] == 0
    # Others' notifications stay unread.
    assert Notification.objects.filter(recipient=cast.alice.user, read_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "url_name", ["marketplace:applications", "marketplace:invitations", "marketplace:notifications"]
)
def test_workspace_lists_use_a_constant_number_of_queries(client, cast, capability, url_name):
    client.force_login(cast.dan.user)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name)).status_code == 200
        return len(captured)

    def add(n):
        for _ in range(n):
            need = NeedFactory()
            application = ApplicationFactory(capability=capability, sme=need.organization)
            Invitation.objects.create(capability=capability, need=need)
            services.message_send(
                membership=cast.bob if False else cast.dan, application_id=application.pk, body="x"
            ) if False else None
            Notification.objects.create(recipient=cast.dan.user, kind="message_new", title="t")

    add(2)
    few = count()
    add(15)
    assert count() == few


def test_platform_queue_filters_waiting_applications(client, cast, capability):
    waiting = ApplicationFactory(sme=cast.sme, capability=capability)
    ApplicationFactory(sme=cast.other_sme, capability=capability, status=ApplicationStatus.ACCEPTED)
    client.force_login(cast.dan.user)
    response = client.get(reverse("marketplace:applications"), {"status": "open"})
    assert [a.pk for a in response.context["page"].object_list] == [waiting.pk]
    response = client.get(reverse("marketplace:applications"), {"status": "nonsense", "capability": "999999999999"})
    assert response.status_code == 200


def test_terms_changed_after_the_page_was_shown_are_not_accepted_silently(client, cast, capability):
    client.force_login(cast.bob.user)
    url = reverse("marketplace:application_apply", args=[capability.pk])
    shown = client.get(url).context["form"]["terms_version"].value()
    capability.terms_text = "New, stricter terms."
    capability.terms_version += 1
    capability.save()
    response = client.post(url, {"intended_use": "x", "answer": "y", "accept_terms": "on", "terms_version": shown})
    assert response.status_code == 400
    assert "version 2" in response.text
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("terms_text", "capability_version", "shown"),
    [
        ("Terms.", 1, True),  # accepted the terms in force
        ("", 1, False),  # the capability never had terms: no checkbox was shown
        ("", 2, True),  # terms since removed: version 1 was accepted then
    ],
)
def test_the_terms_row_shows_only_when_there_were_terms(client, cast, terms_text, capability_version, shown):
    capability = CapabilityFactory(organization=cast.platform, terms_text=terms_text, terms_version=capability_version)
    application = ApplicationFactory(sme=cast.sme, capability=capability, terms_version=1)
    client.force_login(cast.alice.user)

    html = client.get(reverse("marketplace:application_detail", args=[application.pk])).text

    assert ("Terms accepted" in html) is shown
    assert ("Version 1, on" in html) is shown


@pytest.mark.parametrize(("role", "sees"), [("alice", True), ("bob", True), ("carol", False), ("erin", False)])
def test_the_capability_page_tells_the_sme_its_application_was_accepted(client, cast, capability, role, sees):
    accepted = ApplicationFactory(sme=cast.sme, capability=capability, status=ApplicationStatus.ACCEPTED)
    Application.objects.filter(pk=accepted.pk).update(decided_at=datetime(2026, 3, 4, 10, tzinfo=UTC))
    url = reverse("marketplace:capability_detail", args=[capability.pk])

    html = as_role(client, cast, role).get(url).text

    assert ("Your organisation's application was accepted on 4 Mar 2026." in html) is sees
    assert (reverse("marketplace:application_detail", args=[accepted.pk]) in html) is sees
    # Accepted is not open: a second application (say, for another need) is allowed.
    apply_url = reverse("marketplace:application_apply", args=[capability.pk])
    assert (f'href="{apply_url}"' in html) is (role in ("alice", "bob", "carol"))
    assert (
        services.application_submit(
            membership=cast.alice,
            capability_id=capability.pk,
            intended_use="More invoices.",
            answer="5000",
            accepted_terms_version=capability.terms_version,
        ).status
        == ApplicationStatus.SUBMITTED
    )


def test_the_latest_accepted_application_is_the_one_mentioned(client, cast, capability):
    older, newer = (
        ApplicationFactory(sme=cast.sme, capability=capability, status=ApplicationStatus.ACCEPTED) for _ in range(2)
    )
    Application.objects.filter(pk=older.pk).update(decided_at=timezone.now() - timedelta(days=30))
    Application.objects.filter(pk=newer.pk).update(decided_at=timezone.now() - timedelta(days=1))
    ApplicationFactory(sme=cast.sme, capability=capability, status=ApplicationStatus.DECLINED, decline_reason="pricing")

    html = as_role(client, cast, "alice").get(reverse("marketplace:capability_detail", args=[capability.pk])).text

    assert html.count("application was accepted on") == 1
    assert reverse("marketplace:application_detail", args=[newer.pk]) in html
    assert reverse("marketplace:application_detail", args=[older.pk]) not in html


def test_an_invitation_cannot_be_used_for_another_capability(client, cast, capability):
    need = NeedFactory(organization=cast.sme)
    invitation = Invitation.objects.create(capability=capability, need=need)
    other = CapabilityFactory(organization=cast.other_platform)
    client.force_login(cast.bob.user)
    url = reverse("marketplace:application_apply", args=[other.pk]) + f"?invitation={invitation.pk}"
    assert client.get(url).status_code == 404
    with pytest.raises(TransitionNotAllowed, match="no longer open"):
        services.application_submit(
            membership=cast.alice, capability_id=other.pk, intended_use="x", invitation_id=invitation.pk
        )
    assert not Application.objects.exists()
    assert Invitation.objects.get().status == InvitationStatus.OPEN


@pytest.mark.parametrize(
    ("next_value", "target"),
    [
        ("/applications/?page=2", "/applications/?page=2"),
        ("x", None),
        ("home", None),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_marking_notifications_read_follows_only_a_path_on_this_site(client, cast, next_value, target):
    client.force_login(cast.bob.user)

    response = client.post(reverse("marketplace:notifications_mark_read"), {"next": next_value})

    assert response.status_code == 302
    assert response["Location"] == (target or reverse("marketplace:notifications"))


@pytest.mark.parametrize("value", ["²", "-3", "99999999999999999999999", "abc"])
def test_odd_ids_are_ignored_not_500(client, cast, capability, value):
    client.force_login(cast.bob.user)
    url = reverse("marketplace:application_apply", args=[capability.pk])
    assert client.get(url, {"invitation": value}).status_code == 200
    assert client.post(reverse("marketplace:notifications_mark_read"), {"notification": value}).status_code == 302


def test_decline_without_the_required_note_keeps_the_choice_and_shows_the_error(client, cast, application):
    client.force_login(cast.dan.user)
    url = reverse("marketplace:application_action", args=[application.pk, "decline"])
    response = client.post(url, {"reason": "other", "note": ""})
    assert response.status_code == 400
    form = response.context["decline_form"]
    assert form["reason"].value() == "other"
    assert "note" in form.errors
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, cast, application):
    services.message_send(membership=cast.dan, application_id=application.pk, body="Hi")
    notification = Notification.objects.get(recipient=cast.bob.user)
    client.force_login(cast.bob.user)
    response = client.get(reverse("marketplace:notification_open", args=[notification.pk]))
    assert response.url == reverse("marketplace:application_detail", args=[application.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None
    client.force_login(cast.alice.user)
    assert client.get(reverse("marketplace:notification_open", args=[notification.pk])).status_code == 404


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("get", {"HTTP_SEC_FETCH_SITE": "cross-site"}),  # a link on another site
        ("get", {"HTTP_SEC_FETCH_SITE": "same-site"}),  # or on a neighbouring subdomain
        ("get", {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_SEC_PURPOSE": "prefetch"}),  # a prefetch
        ("head", {}),  # a link checker
    ],
)
def test_opening_marks_read_only_when_the_person_opened_it_here(client, cast, application, method, headers):
    """The read receipt (docs/SECURITY.md): a request the person did not make
    on this site follows the link and marks nothing."""
    services.message_send(membership=cast.dan, application_id=application.pk, body="Hi")
    notification = Notification.objects.get(recipient=cast.bob.user)
    client.force_login(cast.bob.user)
    url = reverse("marketplace:notification_open", args=[notification.pk])

    response = getattr(client, method)(url, **headers)

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None
    client.get(url, HTTP_SEC_FETCH_SITE="same-origin")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_only_published_needs_can_be_linked(client, cast, capability):
    draft = NeedFactory(organization=cast.sme, status="draft", title="Draft need")
    published = NeedFactory(organization=cast.sme, title="Published need")
    client.force_login(cast.bob.user)
    form = client.get(reverse("marketplace:application_apply", args=[capability.pk])).context["form"]
    offered = [value for value, _label in form.fields["need"].choices if value]
    assert offered == [published.pk]
    assert draft.pk not in offered


def test_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("favicon.svg")
