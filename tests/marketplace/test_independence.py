"""Applications and invitations only between independent organisations: an
SME and a platform that share a member can neither apply to nor invite each
other, nor accept an application between them (issue 18, item 9). Services,
pages and API, and the demo data."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.selectors import organizations_share_member
from marketplace.choices import ApplicationStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, Invitation, Notification
from marketplace.services import application_transitions
from marketplace.services import applications as application_services
from marketplace.services import invitations as invitation_services
from tests.accounts.factories import MembershipFactory
from tests.marketplace.factories import ApplicationFactory, NeedFactory

pytestmark = pytest.mark.django_db

APPLY = {"intended_use": "Read our supplier invoices.", "answer": "About 2,000.", "accepted_terms_version": 3}


@pytest.fixture
def alice_at_the_platform(cast):
    """Alice, owner of the SME, also belongs to Dan's platform."""
    return MembershipFactory(user=cast.alice.user, organization=cast.platform, role=Role.MEMBER)


@pytest.fixture
def need(cast):
    return NeedFactory(organization=cast.sme, title="Read invoices")


def refused_message(cast) -> str:
    return (
        f"{cast.sme.legal_name} and {cast.platform.legal_name} have a member in common, so they cannot apply to "
        "or invite each other: applications and invitations are only between independent organisations."
    )


class TestTheRule:
    def test_a_person_in_both_links_them_and_nobody_else_does(self, cast, alice_at_the_platform):
        assert organizations_share_member(first_id=cast.sme.pk, second_id=cast.platform.pk)
        assert organizations_share_member(first_id=cast.platform.pk, second_id=cast.sme.pk)
        assert not organizations_share_member(first_id=cast.sme.pk, second_id=cast.other_platform.pk)
        assert not organizations_share_member(first_id=cast.other_sme.pk, second_id=cast.platform.pk)


class TestServices:
    def test_bob_may_not_apply_to_the_platform_alice_also_belongs_to(self, cast, capability, alice_at_the_platform):
        # Bob himself is only in the SME: the organisations are linked, whoever acts.
        with pytest.raises(TransitionNotAllowed, match="have a member in common"):
            application_services.application_submit(membership=cast.bob, capability_id=capability.pk, **APPLY)
        assert not Application.objects.exists()
        assert not Notification.objects.exists()

    def test_independent_organisations_still_may(self, cast, capability):
        application = application_services.application_submit(membership=cast.bob, capability_id=capability.pk, **APPLY)
        assert application.status == ApplicationStatus.SUBMITTED

    def test_the_platform_may_not_invite_an_sme_it_shares_a_member_with(
        self, cast, capability, need, alice_at_the_platform
    ):
        with pytest.raises(TransitionNotAllowed, match="have a member in common"):
            invitation_services.invitation_send(membership=cast.dan, capability_id=capability.pk, need_id=need.pk)
        assert not Invitation.objects.exists()

    def test_an_application_sent_before_someone_joined_both_cannot_be_accepted(self, cast, application):
        MembershipFactory(user=cast.dan.user, organization=cast.sme, role=Role.MEMBER)

        with pytest.raises(TransitionNotAllowed, match="have a member in common"):
            application_transitions.application_accept(membership=cast.dan, application_id=application.pk)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED
        # Declining stays possible: the platform can close it.
        application_transitions.application_decline(
            membership=cast.dan, application_id=application.pk, reason="other", note="We are linked."
        )
        application.refresh_from_db()
        assert application.status == ApplicationStatus.DECLINED


class TestPages:
    def test_the_apply_page_says_why_instead_of_offering_the_form(self, cast, login, capability, alice_at_the_platform):
        client = login(cast.bob)
        page = client.get(reverse("marketplace:application_apply", args=[capability.pk]))

        assert page.status_code == 200
        assert refused_message(cast) in page.content.decode()
        assert "Send application" not in page.content.decode()

    def test_a_posted_application_is_refused_with_the_message(self, cast, login, capability, alice_at_the_platform):
        client = login(cast.bob)
        response = client.post(
            reverse("marketplace:application_apply", args=[capability.pk]),
            {**APPLY, "accept_terms": "on"},
        )

        assert response.status_code == 409
        assert refused_message(cast) in response.content.decode()
        assert not Application.objects.exists()

    def test_the_invitation_page_says_why(self, cast, login, capability, need, alice_at_the_platform):
        client = login(cast.dan)
        url = reverse("marketplace:invitation_send", args=[need.pk])

        page = client.get(url)
        posted = client.post(url, {"capability": capability.pk, "message": "Made for you."})

        assert page.status_code == 200 and "Send invitation" not in page.content.decode()
        assert refused_message(cast) in page.content.decode()
        assert posted.status_code == 409 and refused_message(cast) in posted.content.decode()
        assert not Invitation.objects.exists()

    def test_the_refusal_reads_in_chinese(self, cast, login, capability, alice_at_the_platform):
        client = login(cast.bob)
        page = client.get(
            reverse("marketplace:application_apply", args=[capability.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert "共同成员" in page.content.decode()

    def test_accepting_on_the_page_is_refused_with_the_message(self, cast, login, application):
        MembershipFactory(user=cast.dan.user, organization=cast.sme, role=Role.MEMBER)
        client = login(cast.dan)
        # Dan's oldest membership, the platform, is the one he acts through.
        response = client.post(reverse("marketplace:application_action", args=[application.pk, "accept"]), follow=True)
        assert refused_message(cast) in response.content.decode()
        application.refresh_from_db()
        assert application.status == ApplicationStatus.SUBMITTED


class TestApi:
    def test_applying_answers_409_with_the_message(self, api, cast, capability, alice_at_the_platform):
        response = api(cast.bob).post(
            reverse("api:application-list"), {"capability": capability.pk, **APPLY}, format="json"
        )

        assert response.status_code == 409
        assert response.json()["message"] == refused_message(cast)
        assert not Application.objects.exists()

    def test_inviting_answers_409_with_the_message(self, api, cast, capability, need, alice_at_the_platform):
        response = api(cast.dan).post(
            reverse("api:invitation-list"), {"need": need.pk, "capability": capability.pk}, format="json"
        )

        assert response.status_code == 409
        assert response.json()["message"] == refused_message(cast)
        assert not Invitation.objects.exists()

    def test_accepting_answers_409(self, api, cast, application):
        MembershipFactory(user=cast.dan.user, organization=cast.sme, role=Role.MEMBER)
        response = api(cast.dan).post(reverse("api:application-accept", args=[application.pk]))

        assert response.status_code == 409
        assert response.json()["message"] == refused_message(cast)


def test_applications_that_exist_stay_readable(cast, login, alice_at_the_platform):
    """The rule refuses new dealings; it hides nothing that exists."""
    existing = ApplicationFactory(sme=cast.sme, capability__organization=cast.platform)
    page = login(cast.bob).get(reverse("marketplace:application_detail", args=[existing.pk]))
    assert page.status_code == 200
