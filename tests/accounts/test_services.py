import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import selectors, services
from accounts.choices import Industry, OrganizationKind, Province, Role, SizeBand
from accounts.models import Membership, MembershipInvitation, Organization, User
from tests.accounts.factories import MembershipFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db


def organization_fields(**overrides):
    fields = {
        "kind": OrganizationKind.SME,
        "legal_name": "Hangzhou Example Co., Ltd.",
        "credit_code": make_credit_code(424242),
        "size_band": SizeBand.SMALL,
        "industry": Industry.MANUFACTURING,
        "province": Province.ZHEJIANG,
        "website": "",
        "description": "",
    }
    fields.update(overrides)
    return fields


def register(**overrides):
    return services.account_register(
        email=overrides.pop("email", "Founder@Example.com"),
        password="a-long-enough-password",
        display_name="Founder",
        preferred_language="zh-hans",
        organization_fields=organization_fields(**overrides),
    )


class TestAccountRegister:
    def test_creates_user_organization_and_owner_membership(self):
        membership = register()
        assert membership.role == Role.OWNER
        assert membership.user.email == "founder@example.com"
        assert membership.user.check_password("a-long-enough-password")
        assert membership.user.preferred_language == "zh-hans"
        assert membership.organization.kind == OrganizationKind.SME
        assert membership.organization.verified_at is None

    def test_credit_code_is_stored_normalized(self):
        code = make_credit_code(7)
        membership = register(credit_code=f"{code[:9]} {code[9:].lower()}")
        assert membership.organization.credit_code == code

    def test_invalid_credit_code_writes_nothing(self):
        with pytest.raises(ValidationError) as caught:
            register(credit_code="914403001922038217")
        assert "credit_code" in caught.value.message_dict
        assert not User.objects.exists()
        assert not Organization.objects.exists()

    def test_duplicate_email_is_refused_case_insensitively(self):
        register()
        with pytest.raises(ValidationError):
            register(email="FOUNDER@example.com", credit_code=make_credit_code(8))
        assert User.objects.count() == 1
        assert Organization.objects.count() == 1

    def test_duplicate_credit_code_writes_no_second_user(self):
        register()
        with pytest.raises(ValidationError) as caught:
            register(email="second@example.com")
        assert "credit_code" in caught.value.message_dict
        assert User.objects.count() == 1

    def test_unknown_province_is_refused(self):
        with pytest.raises(ValidationError):
            register(province="atlantis")
        assert not Organization.objects.exists()


class TestOrganizationUpdate:
    def test_manager_edits_details(self, cast):
        cast.bob.role = Role.MANAGER
        cast.bob.save()
        services.organization_update(actor=cast.bob, description="We machine parts.")
        cast.sme.refresh_from_db()
        assert cast.sme.description == "We machine parts."

    def test_member_may_not_edit(self, cast):
        with pytest.raises(PermissionDenied):
            services.organization_update(actor=cast.bob, description="Hijacked")
        cast.sme.refresh_from_db()
        assert cast.sme.description == ""

    def test_identity_change_clears_verification(self, cast):
        services.organization_verify(organizations=Organization.objects.filter(pk=cast.sme.pk), admin=cast.mallory)
        services.organization_update(actor=cast.alice, legal_name="Alice Parts Group Co., Ltd.")
        cast.sme.refresh_from_db()
        assert cast.sme.verified_at is None
        assert cast.sme.verified_by is None

    def test_other_changes_keep_verification(self, cast):
        services.organization_verify(organizations=Organization.objects.filter(pk=cast.sme.pk), admin=cast.mallory)
        services.organization_update(actor=cast.alice, website="https://alice.example")
        cast.sme.refresh_from_db()
        assert cast.sme.verified_by == cast.mallory


class TestOrganizationVerify:
    def test_records_who_and_when_and_keeps_first_verifier(self, cast):
        other_admin = UserFactory(is_staff=True)
        other_admin.user_permissions.add(Permission.objects.get(codename="verify_organization"))
        verified = services.organization_verify(organizations=Organization.objects.all(), admin=cast.mallory)
        assert len(verified) == 4
        first_time = Organization.objects.get(pk=cast.sme.pk).verified_at
        again = services.organization_verify(organizations=Organization.objects.all(), admin=other_admin)
        assert again == []
        sme = Organization.objects.get(pk=cast.sme.pk)
        assert sme.verified_by == cast.mallory
        assert sme.verified_at == first_time

    @pytest.mark.parametrize("is_staff", [False, True])
    def test_only_holders_of_the_verify_permission_can_verify(self, cast, is_staff):
        # Staff with, say, view-only admin access must not verify either.
        user = UserFactory(is_staff=is_staff)
        user.user_permissions.add(Permission.objects.get(codename="view_organization"))
        with pytest.raises(PermissionDenied):
            services.organization_verify(organizations=Organization.objects.all(), admin=user)
        assert not Organization.objects.filter(verified_at__isnull=False).exists()


class TestMembershipInvite:
    def test_owner_invites_and_email_is_sent_after_commit(self, cast, django_capture_on_commit_callbacks):
        Organization.objects.filter(pk=cast.sme.pk).update(legal_name="Zhang & Li's Parts Co., Ltd.")
        cast.alice.organization.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.membership_invite(actor=cast.alice, email="New.Person@Example.com", role=Role.MANAGER)
        invitation.refresh_from_db()
        assert invitation.email == "new.person@example.com"
        assert invitation.sent_at is not None
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new.person@example.com"]
        # Plain-text mail: no HTML escaping of "&" or "'".
        assert message.subject == "Join Zhang & Li's Parts Co., Ltd. on Tandem"
        assert "Zhang & Li's Parts Co., Ltd." in message.body
        # The link's token is signed with the time it was made, so compare
        # what it opens, not its text.
        token = re.search(r"/join/([^/\s]+)/", message.body).group(1)
        assert selectors.membership_invitation_get_by_token(token=token) == invitation

    def test_email_is_not_sent_before_commit(self, cast, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.membership_invite(actor=cast.alice, email="x@example.com", role=Role.MEMBER)
        assert len(callbacks) == 1
        assert mail.outbox == []

    def test_member_cannot_invite(self, cast):
        with pytest.raises(PermissionDenied):
            services.membership_invite(actor=cast.bob, email="x@example.com", role=Role.MEMBER)
        assert not MembershipInvitation.objects.exists()

    def test_manager_cannot_invite_an_owner(self, cast):
        manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)
        with pytest.raises(PermissionDenied):
            services.membership_invite(actor=manager, email="x@example.com", role=Role.OWNER)

    def test_existing_member_cannot_be_invited(self, cast):
        with pytest.raises(ValidationError):
            services.membership_invite(actor=cast.alice, email="BOB@example.com", role=Role.MEMBER)

    def test_inviting_again_replaces_the_pending_invitation(self, cast):
        first = services.membership_invite(actor=cast.alice, email="x@example.com", role=Role.MEMBER)
        second = services.membership_invite(actor=cast.alice, email="X@example.com", role=Role.MANAGER)
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert [i.pk for i in selectors.organization_pending_invitations(organization=cast.sme)] == [second.pk]


class TestMembershipInvitationAccept:
    def test_accept_creates_membership_once(self, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MANAGER)
        membership = services.membership_invitation_accept(invitation_id=invitation.pk, user=cast.frank)
        assert membership.organization == cast.sme
        assert membership.role == Role.MANAGER
        with pytest.raises(ValidationError):
            services.membership_invitation_accept(invitation_id=invitation.pk, user=cast.frank)
        assert Membership.objects.filter(user=cast.frank).count() == 1

    def test_someone_else_cannot_use_the_link(self, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        with pytest.raises(PermissionDenied):
            services.membership_invitation_accept(invitation_id=invitation.pk, user=cast.carol.user)
        assert not Membership.objects.filter(user=cast.carol.user, organization=cast.sme).exists()

    def test_expired_invitation_is_refused(self, cast, settings):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        MembershipInvitation.objects.filter(pk=invitation.pk).update(
            created_at=timezone.now() - timedelta(days=settings.MEMBERSHIP_INVITATION_MAX_AGE_DAYS, seconds=1)
        )
        with pytest.raises(ValidationError):
            services.membership_invitation_accept(invitation_id=invitation.pk, user=cast.frank)

    def test_revoked_invitation_is_refused(self, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        services.membership_invitation_revoke(actor=cast.alice, invitation_id=invitation.pk)
        with pytest.raises(ValidationError):
            services.membership_invitation_accept(invitation_id=invitation.pk, user=cast.frank)

    def test_register_by_invitation_creates_user_and_membership(self, cast):
        invitation = services.membership_invite(actor=cast.alice, email="newbie@example.com", role=Role.MEMBER)
        membership = services.account_register_by_invitation(
            invitation_id=invitation.pk,
            password="a-long-enough-password",
            display_name="Newbie",
            preferred_language="en",
        )
        assert membership.user.email == "newbie@example.com"
        assert membership.organization == cast.sme

    def test_revoke_from_another_organization_changes_nothing(self, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        with pytest.raises(ValidationError):
            services.membership_invitation_revoke(actor=cast.carol, invitation_id=invitation.pk)
        invitation.refresh_from_db()
        assert invitation.revoked_at is None


class TestInvitationTokens:
    def test_round_trip(self, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        token = selectors.membership_invitation_token(invitation)
        assert selectors.membership_invitation_get_by_token(token=token) == invitation

    @pytest.mark.parametrize("token", ["", "garbage", "eyJhIjoxfQ:1abc:def", "x" * 5000])
    def test_malformed_tokens_are_clear_errors(self, token):
        with pytest.raises(ValidationError):
            selectors.membership_invitation_get_by_token(token=token)

    def test_tampered_token_is_refused(self, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        token = selectors.membership_invitation_token(invitation)
        with pytest.raises(ValidationError):
            selectors.membership_invitation_get_by_token(token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


class TestMembershipRemove:
    def test_owner_removes_member(self, cast):
        services.membership_remove(actor=cast.alice, membership_id=cast.bob.pk)
        assert not Membership.objects.filter(pk=cast.bob.pk).exists()

    def test_member_cannot_remove_others(self, cast):
        with pytest.raises(PermissionDenied):
            services.membership_remove(actor=cast.bob, membership_id=cast.alice.pk)
        assert Membership.objects.filter(pk=cast.alice.pk).exists()

    def test_member_can_leave(self, cast):
        services.membership_remove(actor=cast.bob, membership_id=cast.bob.pk)
        assert not Membership.objects.filter(pk=cast.bob.pk).exists()

    def test_manager_cannot_remove_an_owner(self, cast):
        manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)
        with pytest.raises(PermissionDenied):
            services.membership_remove(actor=manager, membership_id=cast.alice.pk)

    def test_manager_removes_member(self, cast):
        manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)
        services.membership_remove(actor=manager, membership_id=cast.bob.pk)
        assert not Membership.objects.filter(pk=cast.bob.pk).exists()

    def test_last_owner_cannot_leave(self, cast):
        with pytest.raises(ValidationError):
            services.membership_remove(actor=cast.alice, membership_id=cast.alice.pk)
        assert Membership.objects.filter(pk=cast.alice.pk).exists()

    def test_owner_can_leave_when_another_owner_remains(self, cast):
        MembershipFactory(organization=cast.sme, role=Role.OWNER)
        services.membership_remove(actor=cast.alice, membership_id=cast.alice.pk)
        assert Membership.objects.filter(organization=cast.sme, role=Role.OWNER).count() == 1

    def test_cannot_remove_someone_in_another_organization(self, cast):
        with pytest.raises(ValidationError):
            services.membership_remove(actor=cast.alice, membership_id=cast.carol.pk)
        assert Membership.objects.filter(pk=cast.carol.pk).exists()


class TestMembershipChangeRole:
    def test_owner_makes_member_a_manager(self, cast):
        services.membership_change_role(actor=cast.alice, membership_id=cast.bob.pk, role=Role.MANAGER)
        cast.bob.refresh_from_db()
        assert cast.bob.role == Role.MANAGER

    def test_owner_hands_over_ownership_then_steps_down(self, cast):
        services.membership_change_role(actor=cast.alice, membership_id=cast.bob.pk, role=Role.OWNER)
        services.membership_change_role(actor=cast.alice, membership_id=cast.alice.pk, role=Role.MEMBER)
        roles = dict(Membership.objects.filter(organization=cast.sme).values_list("user__email", "role"))
        assert roles == {"alice@example.com": Role.MEMBER, "bob@example.com": Role.OWNER}

    def test_last_owner_cannot_step_down(self, cast):
        with pytest.raises(ValidationError):
            services.membership_change_role(actor=cast.alice, membership_id=cast.alice.pk, role=Role.MANAGER)
        cast.alice.refresh_from_db()
        assert cast.alice.role == Role.OWNER

    def test_member_cannot_change_roles(self, cast):
        with pytest.raises(PermissionDenied):
            services.membership_change_role(actor=cast.bob, membership_id=cast.bob.pk, role=Role.MANAGER)
        cast.bob.refresh_from_db()
        assert cast.bob.role == Role.MEMBER

    @pytest.mark.parametrize(("target", "role"), [("bob", Role.OWNER), ("alice", Role.MEMBER)])
    def test_manager_cannot_grant_or_take_ownership(self, cast, target, role):
        manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)
        target = getattr(cast, target)
        before = target.role
        with pytest.raises(PermissionDenied):
            services.membership_change_role(actor=manager, membership_id=target.pk, role=role)
        target.refresh_from_db()
        assert target.role == before

    def test_unknown_role_is_refused(self, cast):
        with pytest.raises(ValidationError):
            services.membership_change_role(actor=cast.alice, membership_id=cast.bob.pk, role="emperor")
        cast.bob.refresh_from_db()
        assert cast.bob.role == Role.MEMBER

    def test_demoted_actor_loses_rights_at_once(self, cast):
        manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)
        stale_copy = Membership.objects.get(pk=manager.pk)
        services.membership_change_role(actor=cast.alice, membership_id=manager.pk, role=Role.MEMBER)
        # The object the view loaded still says "manager"; the service re-reads it.
        with pytest.raises(PermissionDenied):
            services.membership_remove(actor=stale_copy, membership_id=cast.bob.pk)
        assert Membership.objects.filter(pk=cast.bob.pk).exists()


def test_members_are_listed_owners_first(cast):
    MembershipFactory(organization=cast.sme, role=Role.MANAGER, user__display_name="Aaron")
    roles = [m.role for m in selectors.organization_members(organization=cast.sme)]
    assert roles == [Role.OWNER, Role.MANAGER, Role.MEMBER]


class TestCurrentMembership:
    def test_session_choice_wins_and_falls_back_to_oldest(self, cast):
        second = MembershipFactory(user=cast.alice.user, organization=cast.platform, role=Role.MEMBER)
        user = cast.alice.user
        assert selectors.membership_get_current(user=user, organization_id=None) == cast.alice
        assert selectors.membership_get_current(user=user, organization_id=cast.platform.pk) == second
        # An organisation the user does not belong to is ignored.
        assert selectors.membership_get_current(user=user, organization_id=cast.other_sme.pk) == cast.alice

    def test_switching_to_a_foreign_organization_is_refused(self, cast):
        session = {}
        with pytest.raises(PermissionDenied):
            services.membership_set_current(user=cast.alice.user, session=session, organization_id=cast.other_sme.pk)
        assert session == {}


def test_purge_deletes_only_long_expired_unaccepted_invitations(cast, settings):
    old = services.membership_invite(actor=cast.alice, email="old@example.com", role=Role.MEMBER)
    fresh = services.membership_invite(actor=cast.alice, email="fresh@example.com", role=Role.MEMBER)
    MembershipInvitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=settings.MEMBERSHIP_INVITATION_MAX_AGE_DAYS + 31)
    )
    assert services.membership_invitations_purge() == 1
    assert list(MembershipInvitation.objects.values_list("pk", flat=True)) == [fresh.pk]
