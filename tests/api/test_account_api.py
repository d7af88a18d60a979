"""Accounts through the API: my organisation, public profiles, the team and
invitations to join it."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, MembershipInvitation
from tests.accounts.factories import MembershipFactory, MembershipInvitationFactory, make_credit_code

pytestmark = pytest.mark.django_db


# --- my organisation ---------------------------------------------------------------


def test_members_read_their_organisations_full_profile(api, cast):
    response = api(cast.bob).get(reverse("api:my-organization"))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == cast.sme.pk and body["legal_name"] == "Alice Parts Co., Ltd."
    assert body["credit_code"] == cast.sme.credit_code and body["verified"] is False


def test_my_organisation_needs_credentials_and_an_organisation(api, cast):
    assert api().get(reverse("api:my-organization")).status_code == 401
    assert api(cast.frank, session=True).get(reverse("api:my-organization")).status_code == 403


def test_owners_edit_the_profile(api, cast):
    response = api(cast.alice).patch(
        reverse("api:my-organization"), {"description": "Gears and axles.", "size_band": "medium"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["description"] == "Gears and axles."
    cast.sme.refresh_from_db()
    assert (cast.sme.description, cast.sme.size_band) == ("Gears and axles.", "medium")


def test_a_new_legal_name_clears_verification(api, cast):
    cast.sme.verified_at = timezone.now()
    cast.sme.save(update_fields=["verified_at"])

    response = api(cast.alice).patch(reverse("api:my-organization"), {"legal_name": "Alice Gears"}, format="json")

    assert response.status_code == 200
    assert response.json()["verified"] is False
    cast.sme.refresh_from_db()
    assert cast.sme.legal_name == "Alice Gears" and cast.sme.verified_at is None


def test_a_credit_code_is_accepted_as_typed(api, cast):
    code = make_credit_code(999)
    typed = f"{code[:6].lower()} {code[6:]}"

    response = api(cast.alice).patch(reverse("api:my-organization"), {"credit_code": typed}, format="json")

    assert response.status_code == 200, response.json()
    cast.sme.refresh_from_db()
    assert cast.sme.credit_code == code


def test_members_without_a_manager_role_cannot_edit(api, cast):
    response = api(cast.bob).patch(reverse("api:my-organization"), {"description": "Bob was here"}, format="json")

    assert response.status_code == 403
    cast.sme.refresh_from_db()
    assert cast.sme.description == ""


def test_a_bad_credit_code_is_a_field_error_and_nothing_is_saved(api, cast):
    response = api(cast.alice).patch(
        reverse("api:my-organization"), {"credit_code": "12345", "description": "New"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"credit_code"}
    cast.sme.refresh_from_db()
    assert cast.sme.description == "" and cast.sme.credit_code != "12345"


def test_another_organisations_credit_code_is_refused(api, cast):
    response = api(cast.alice).patch(
        reverse("api:my-organization"), {"credit_code": cast.other_sme.credit_code}, format="json"
    )

    assert response.status_code == 400
    assert "credit_code" in response.json()["extra"]["fields"]


# --- public profiles ---------------------------------------------------------------


def test_the_directory_lists_verified_organisations_for_anyone(api, cast):
    for organization in (cast.sme, cast.platform):
        organization.verified_at = timezone.now()
        organization.save(update_fields=["verified_at"])

    everyone = api().get(reverse("api:organization-list"))
    platforms = api().get(reverse("api:organization-list"), {"kind": "platform"})

    assert everyone.status_code == 200
    assert [item["id"] for item in everyone.json()["results"]] == [cast.sme.pk, cast.platform.pk]
    assert [item["id"] for item in platforms.json()["results"]] == [cast.platform.pk]
    assert "credit_code" not in everyone.json()["results"][0]


def test_the_directory_filters_by_province_and_industry(api, cast):
    cast.sme.verified_at = timezone.now()
    cast.sme.save(update_fields=["verified_at"])

    same = api().get(reverse("api:organization-list"), {"province": "zhejiang", "industry": "manufacturing"})
    other = api().get(reverse("api:organization-list"), {"province": "sichuan"})

    assert [item["id"] for item in same.json()["results"]] == [cast.sme.pk]
    assert other.json()["results"] == []


def test_an_unknown_filter_value_is_a_400(api, cast):
    response = api().get(reverse("api:organization-list"), {"kind": "government"})

    assert response.status_code == 400
    assert "kind" in response.json()["extra"]["fields"]


def test_a_public_profile_shows_what_the_page_shows(api, cast):
    response = api().get(reverse("api:organization-detail", args=[cast.other_sme.pk]))

    assert response.status_code == 200
    body = response.json()
    assert body["legal_name"] == "Carol Foods Co., Ltd." and body["verified"] is False
    assert {"website", "description", "created_at"} <= set(body)
    assert "credit_code" not in body and "verified_at" not in body


def test_an_unknown_organisation_is_a_404(api, cast):
    assert api().get(reverse("api:organization-detail", args=[10**9])).status_code == 404


# --- memberships -------------------------------------------------------------------


def test_members_see_their_own_team_only(api, cast):
    response = api(cast.bob).get(reverse("api:membership-list"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["user"]["email"], row["role"], row["is_you"]) for row in rows] == [
        ("alice@example.com", "owner", False),
        ("bob@example.com", "member", True),
    ]


def test_the_team_needs_credentials(api, cast):
    assert api().get(reverse("api:membership-list")).status_code == 401


def test_another_organisations_membership_is_a_404(api, cast):
    assert api(cast.alice).get(reverse("api:membership-detail", args=[cast.carol.pk])).status_code == 404


def test_owners_change_a_role(api, cast):
    response = api(cast.alice).patch(
        reverse("api:membership-detail", args=[cast.bob.pk]), {"role": "manager"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.MANAGER


def test_members_cannot_change_roles(api, cast):
    response = api(cast.bob).patch(
        reverse("api:membership-detail", args=[cast.bob.pk]), {"role": "owner"}, format="json"
    )

    assert response.status_code == 403
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.MEMBER


def test_managers_cannot_grant_the_owner_role(api, cast):
    manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)

    response = api(manager).patch(
        reverse("api:membership-detail", args=[cast.bob.pk]), {"role": "owner"}, format="json"
    )

    assert response.status_code == 403
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.MEMBER


def test_another_organisations_member_cannot_be_changed(api, cast):
    response = api(cast.alice).patch(
        reverse("api:membership-detail", args=[cast.carol.pk]), {"role": "member"}, format="json"
    )

    assert response.status_code == 404
    cast.carol.refresh_from_db()
    assert cast.carol.role == Role.OWNER


def test_an_unknown_role_is_a_400(api, cast):
    response = api(cast.alice).patch(
        reverse("api:membership-detail", args=[cast.bob.pk]), {"role": "emperor"}, format="json"
    )

    assert response.status_code == 400
    assert "role" in response.json()["extra"]["fields"]
    cast.bob.refresh_from_db()
    assert cast.bob.role == Role.MEMBER


def test_the_last_owner_keeps_the_owner_role(api, cast):
    response = api(cast.alice).patch(
        reverse("api:membership-detail", args=[cast.alice.pk]), {"role": "member"}, format="json"
    )

    assert response.status_code == 400
    cast.alice.refresh_from_db()
    assert cast.alice.role == Role.OWNER


def test_owners_remove_members(api, cast):
    response = api(cast.alice).delete(reverse("api:membership-detail", args=[cast.bob.pk]))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=cast.bob.pk).exists()


def test_members_cannot_remove_others(api, cast):
    response = api(cast.bob).delete(reverse("api:membership-detail", args=[cast.alice.pk]))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=cast.alice.pk).exists()


def test_members_may_leave(api, cast):
    response = api(cast.bob).delete(reverse("api:membership-detail", args=[cast.bob.pk]))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=cast.bob.pk).exists()


def test_the_last_owner_cannot_leave(api, cast):
    response = api(cast.alice).delete(reverse("api:membership-detail", args=[cast.alice.pk]))

    assert response.status_code == 400
    assert Membership.objects.filter(pk=cast.alice.pk).exists()


def test_another_organisations_member_cannot_be_removed(api, cast):
    response = api(cast.alice).delete(reverse("api:membership-detail", args=[cast.carol.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=cast.carol.pk).exists()


# --- invitations to join -------------------------------------------------------------


def test_owners_invite_and_the_email_is_sent(api, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast.alice).post(
            reverse("api:membership-invitation-list"), {"email": "New@Example.com", "role": "manager"}, format="json"
        )

    assert response.status_code == 201, response.json()
    invitation = MembershipInvitation.objects.get()
    assert response.json()["id"] == invitation.pk
    assert (invitation.organization, invitation.email, invitation.role) == (cast.sme, "new@example.com", "manager")
    assert [message.to for message in mail.outbox] == [["new@example.com"]]


def test_members_cannot_invite_or_see_invitations(api, cast):
    MembershipInvitationFactory(organization=cast.sme)
    client = api(cast.bob)

    invite = client.post(reverse("api:membership-invitation-list"), {"email": "x@example.com"}, format="json")
    listing = client.get(reverse("api:membership-invitation-list"))

    assert (invite.status_code, listing.status_code) == (403, 403)
    assert MembershipInvitation.objects.count() == 1


def test_managers_cannot_invite_owners(api, cast):
    manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)

    response = api(manager).post(
        reverse("api:membership-invitation-list"), {"email": "x@example.com", "role": "owner"}, format="json"
    )

    assert response.status_code == 403
    assert not MembershipInvitation.objects.exists()


def test_inviting_a_member_is_a_field_error(api, cast):
    response = api(cast.alice).post(
        reverse("api:membership-invitation-list"), {"email": "bob@example.com", "role": "member"}, format="json"
    )

    assert response.status_code == 400
    assert "email" in response.json()["extra"]["fields"]
    assert not MembershipInvitation.objects.exists()


def test_invitations_need_credentials(api, cast):
    response = api().post(reverse("api:membership-invitation-list"), {"email": "x@example.com"}, format="json")

    assert response.status_code == 401
    assert not MembershipInvitation.objects.exists()


def test_the_list_shows_my_organisations_pending_invitations(api, cast):
    pending = MembershipInvitationFactory(organization=cast.sme)
    MembershipInvitationFactory(organization=cast.sme, revoked_at=timezone.now())
    MembershipInvitationFactory(organization=cast.other_sme)

    response = api(cast.alice).get(reverse("api:membership-invitation-list"))

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [pending.pk]


def test_owners_revoke_an_invitation(api, cast):
    invitation = MembershipInvitationFactory(organization=cast.sme)

    response = api(cast.alice).post(reverse("api:membership-invitation-revoke", args=[invitation.pk]))

    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_revoking_twice_is_a_400(api, cast):
    invitation = MembershipInvitationFactory(organization=cast.sme, revoked_at=timezone.now())

    response = api(cast.alice).post(reverse("api:membership-invitation-revoke", args=[invitation.pk]))

    assert response.status_code == 400


@pytest.mark.parametrize(("who", "status"), [("carol", 404), ("bob", 403)])
def test_others_cannot_revoke(api, cast, who, status):
    invitation = MembershipInvitationFactory(organization=cast.sme)

    response = api(getattr(cast, who)).post(reverse("api:membership-invitation-revoke", args=[invitation.pk]))

    assert response.status_code == status
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_members_are_refused_before_their_input_is_read(api, cast):
    response = api(cast.bob).patch(reverse("api:my-organization"), {"credit_code": "nonsense"}, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "Only owners and managers can edit the organisation."
