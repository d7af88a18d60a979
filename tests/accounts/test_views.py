import re

import pytest
from django.core import mail
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import selectors, services
from accounts.choices import Role
from accounts.models import Membership, MembershipInvitation, Organization, SignInFailure, User
from tests.accounts.factories import MembershipFactory, make_credit_code

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "organization-kind": "sme",
        "organization-legal_name": "Wenzhou Example Shoes Co., Ltd.",
        "organization-credit_code": make_credit_code(31337),
        "organization-size_band": "small",
        "organization-industry": "manufacturing",
        "organization-province": "zhejiang",
        "organization-website": "",
        "organization-description": "",
        "display_name": "Lin Xia",
        "email": "lin@example.com",
        "password1": "a-long-enough-password",
        "password2": "a-long-enough-password",
    }
    data.update(overrides)
    return data


class TestPublicPages:
    def test_home_lists_organizations_and_counts(self, client, cast):
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert response.context["counts"] == {"platforms": 2, "smes": 2, "verified": 0}
        # Unverified organisations are counted but not listed.
        assert "Alice Parts Co., Ltd." not in response.text
        services.organization_verify(organizations=Organization.objects.filter(pk=cast.sme.pk), admin=cast.mallory)
        response = client.get(reverse("home"))
        assert [o.pk for o in response.context["organizations"]] == [cast.sme.pk]
        assert "Alice Parts Co., Ltd." in response.text

    def test_home_escapes_organization_text(self, client, cast):
        Organization.objects.filter(pk=cast.sme.pk).update(
            description="<script>alert(1)</script>", verified_at=timezone.now()
        )
        response = client.get(reverse("home"))
        assert "<script>alert(1)</script>" not in response.text
        assert "&lt;script&gt;" in response.text

    def test_public_profile_hides_credit_code(self, client, cast):
        response = client.get(reverse("accounts:organization_public", args=[cast.sme.pk]))
        assert response.status_code == 200
        assert cast.sme.legal_name in response.text
        assert cast.sme.credit_code not in response.text

    def test_unknown_profile_is_404(self, client, db):
        assert client.get(reverse("accounts:organization_public", args=[999999])).status_code == 404

    def test_health(self, client, db):
        response = client.get(reverse("health"))
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    @pytest.mark.parametrize(
        "name",
        ["accounts:profile", "accounts:organization_settings", "accounts:members", "accounts:organization_create"],
    )
    def test_private_pages_send_anonymous_visitors_to_login(self, client, db, name):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


class TestSignup:
    def test_signup_creates_account_and_sends_the_way_to_sign_in(
        self, client, db, password, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:signup"), signup_data())
        assert response.status_code == 302 and response.url == reverse("accounts:signup_done")
        user = User.objects.get(email="lin@example.com")
        membership = Membership.objects.get(user=user)
        assert membership.role == Role.OWNER
        assert membership.organization.kind == "sme"
        assert "_auth_user_id" not in client.session
        [welcome] = mail.outbox
        assert welcome.to == ["lin@example.com"] and "Wenzhou Example Shoes Co., Ltd." in welcome.body
        assert reverse("accounts:login") in welcome.body
        done = client.post(
            reverse("accounts:login"), {"username": "lin@example.com", "password": "a-long-enough-password"}
        )
        assert done.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)

    def test_signing_up_with_a_taken_address_answers_the_same_and_tells_its_owner(
        self, client, cast, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            new = client.post(reverse("accounts:signup"), signup_data())
        with django_capture_on_commit_callbacks(execute=True):
            taken = client.post(
                reverse("accounts:signup"),
                signup_data(email="ALICE@example.com", **{"organization-credit_code": make_credit_code(31338)}),
            )
        assert (taken.status_code, taken.url) == (new.status_code, new.url)
        assert set(taken.cookies) == set(new.cookies)

        # The same page, but for each response's own nonce and CSRF token.
        def page(url):
            return re.sub(r'(nonce|value)="[^"]*"', "", client.get(url).text)

        assert page(taken.url) == page(new.url)
        # Nothing was created for the taken address, and its owner heard of it.
        assert not Organization.objects.filter(credit_code=make_credit_code(31338)).exists()
        notice = mail.outbox[-1]
        assert notice.to == ["alice@example.com"]
        assert "Someone tried to sign up" in notice.subject
        assert reverse("accounts:password_reset") in notice.body and reverse("accounts:login") in notice.body

    def test_the_owners_notice_is_in_their_language(self, client, cast, django_capture_on_commit_callbacks):
        User.objects.filter(pk=cast.alice.user.pk).update(preferred_language="zh-hans")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:signup"), signup_data(email="alice@example.com"))
        assert mail.outbox[-1].subject == "有人尝试用您的地址注册"

    def test_credit_code_typed_with_spaces_and_lower_case_is_accepted(self, client, db):
        code = make_credit_code(99)
        typed = f"{code[:4]} {code[4:8]} {code[8:12]} {code[12:].lower()}"
        response = client.post(reverse("accounts:signup"), signup_data(**{"organization-credit_code": typed}))
        assert response.status_code == 302
        assert Organization.objects.get().credit_code == code

    def test_bad_credit_code_is_a_field_error_and_nothing_is_written(self, client, db):
        response = client.post(reverse("accounts:signup"), signup_data(**{"organization-credit_code": "12345"}))
        assert response.status_code == 400
        assert response.context["organization_form"].errors["credit_code"]
        # The summary at the top names the field and links to it.
        assert 'id="error-summary"' in response.text
        assert 'href="#id_organization-credit_code"' in response.text
        assert not User.objects.exists()
        assert not Organization.objects.exists()

    def test_mismatched_passwords_are_a_field_error(self, client, db):
        response = client.post(reverse("accounts:signup"), signup_data(password2="something-else-entirely"))
        assert response.status_code == 400
        assert response.context["form"].errors["password2"]
        assert not User.objects.exists()

    def test_weak_password_is_refused(self, client, db):
        response = client.post(reverse("accounts:signup"), signup_data(password1="12345678", password2="12345678"))
        assert response.status_code == 400
        assert response.context["form"].errors["password1"]

    def test_a_taken_credit_code_is_reported_but_a_taken_address_is_not(self, client, cast):
        data = signup_data(email="ALICE@example.com", **{"organization-credit_code": cast.sme.credit_code})
        response = client.post(reverse("accounts:signup"), data)
        assert response.status_code == 400
        assert "email" not in response.context["form"].errors
        assert response.context["organization_form"].errors["credit_code"]

    def test_unknown_choice_values_are_refused(self, client, db):
        data = signup_data(**{"organization-kind": "government", "organization-province": "atlantis"})
        response = client.post(reverse("accounts:signup"), data)
        assert response.status_code == 400
        errors = response.context["organization_form"].errors
        assert "kind" in errors
        assert "province" in errors


class TestLogin:
    def test_login_with_email_in_any_case(self, client, cast, password):
        response = client.post(reverse("accounts:login"), {"username": "ALICE@Example.com", "password": password})
        assert response.status_code == 302
        assert client.get(reverse("accounts:profile")).status_code == 200

    def test_login_switches_to_preferred_language(self, client, cast, password):
        User.objects.filter(pk=cast.alice.user.pk).update(preferred_language="zh-hans")
        response = client.post(reverse("accounts:login"), {"username": "alice@example.com", "password": password})
        assert response.cookies["django_language"].value == "zh-hans"

    def test_wrong_password_is_refused(self, client, cast):
        response = client.post(reverse("accounts:login"), {"username": "alice@example.com", "password": "nope"})
        assert response.status_code == 400
        assert "do not match an account" in response.text
        assert "_auth_user_id" not in client.session

    def test_an_overlong_address_is_refused_before_the_database(self, client, cast, password):
        address = "a" * 100_000 + "@example.com"
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("accounts:login"), {"username": address, "password": password})
        assert response.status_code == 400
        assert "at most 254 characters" in response.text
        assert not any("a" * 300 in str(query["sql"]) for query in queries.captured_queries)
        assert not SignInFailure.objects.exists()

    def test_logout_is_post_only(self, login, cast):
        client = login(cast.alice)
        assert client.get(reverse("accounts:logout")).status_code == 405
        client.post(reverse("accounts:logout"))
        assert "_auth_user_id" not in client.session


class TestPasswordReset:
    def test_reset_mail_contains_a_working_link(self, client, cast):
        client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
        assert len(mail.outbox) == 1
        link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
        response = client.get(link, follow=True)
        assert response.context["validlink"]
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url, {"new_password1": "brand-new-password-9", "new_password2": "brand-new-password-9"}
        )
        assert response.status_code == 302
        assert User.objects.get(email="alice@example.com").check_password("brand-new-password-9")

    def test_a_new_password_ends_the_api_tokens(self, client, api, cast):
        from accounts.api_tokens import api_token_create

        _token, raw = api_token_create(membership=cast.alice, name="ERP", expires_in_days=None)
        token_client = api()
        token_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert token_client.get(reverse("api:me")).status_code == 200
        self.test_reset_mail_contains_a_working_link(client, cast)
        assert token_client.get(reverse("api:me")).status_code == 401

    def test_a_password_change_ends_the_api_tokens(self, client, api, cast, password):
        from accounts.api_tokens import api_token_create

        _token, raw = api_token_create(membership=cast.alice, name="ERP", expires_in_days=None)
        client.force_login(cast.alice.user)
        data = {
            "old_password": password,
            "new_password1": "brand-new-password-9",
            "new_password2": "brand-new-password-9",
        }
        assert client.post(reverse("accounts:password_change"), data).status_code == 302
        token_client = api()
        token_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert token_client.get(reverse("api:me")).status_code == 401

    def test_the_reset_link_is_on_site_url_whatever_host_asked(self, client, cast, settings):
        settings.SITE_URL = "https://tandem.example"

        client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"}, HTTP_HOST="127.0.0.1:6666")

        body = mail.outbox[0].body
        link = next(line for line in body.splitlines() if "/accounts/password/reset/" in line)
        assert link.startswith(f"{settings.SITE_URL}/accounts/password/reset/")
        assert "6666" not in body and "127.0.0.1" not in body

    def test_an_invalid_address_is_refused(self, client, db):
        response = client.post(reverse("accounts:password_reset"), {"email": "not an address"})
        assert response.status_code == 400
        assert response.context["form"].errors["email"]
        assert mail.outbox == []

    def test_new_passwords_that_differ_are_refused(self, client, cast):
        client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
        link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
        form_url = client.get(link, follow=True).redirect_chain[-1][0]
        response = client.post(form_url, {"new_password1": "brand-new-password-9", "new_password2": "other-9"})
        assert response.status_code == 400
        assert response.context["form"].errors["new_password2"]

    def test_password_change_with_a_wrong_old_password_is_refused(self, login, cast):
        client = login(cast.alice)
        data = {
            "old_password": "wrong",
            "new_password1": "brand-new-password-9",
            "new_password2": "brand-new-password-9",
        }
        response = client.post(reverse("accounts:password_change"), data)
        assert response.status_code == 400
        assert response.context["form"].errors["old_password"]
        assert not User.objects.get(pk=cast.alice.user.pk).check_password("brand-new-password-9")

    def test_unknown_address_sends_nothing_but_looks_the_same(self, client, db):
        response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
        assert response.status_code == 302
        assert mail.outbox == []


class TestProfile:
    def test_edit_profile_and_remember_language(self, login, cast):
        client = login(cast.bob)
        response = client.post(reverse("accounts:profile"), {"display_name": "Bob B.", "preferred_language": "zh-hans"})
        assert response.status_code == 302
        cast.bob.user.refresh_from_db()
        assert cast.bob.user.display_name == "Bob B."
        assert response.cookies["django_language"].value == "zh-hans"
        page = client.get(response.url)
        assert "个人资料已保存。" in page.content.decode()  # the message in the language just chosen

    def test_languages_are_offered_in_their_own_words(self, login, cast):
        client = login(cast.bob)
        form = client.get(reverse("accounts:profile")).context["form"]
        assert list(form.fields["preferred_language"].choices) == [("en", "English"), ("zh-hans", "简体中文")]

    def test_unknown_language_is_refused(self, login, cast):
        client = login(cast.bob)
        response = client.post(reverse("accounts:profile"), {"display_name": "Bob", "preferred_language": "xx"})
        assert response.status_code == 400
        assert response.context["form"].errors["preferred_language"]


class TestOrganizationSettings:
    def test_invalid_details_are_refused_with_400(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:organization_settings"), {"legal_name": "Alice\x00Parts"})
        assert response.status_code == 400
        assert response.context["form"].errors["legal_name"]
        cast.sme.refresh_from_db()
        assert cast.sme.legal_name == "Alice Parts Co., Ltd."

    def test_owner_edits(self, login, cast):
        client = login(cast.alice)
        data = {
            "legal_name": cast.sme.legal_name,
            "credit_code": cast.sme.credit_code,
            "size_band": "medium",
            "industry": "manufacturing",
            "province": "jiangsu",
            "website": "https://alice.example",
            "description": "Parts.",
        }
        response = client.post(reverse("accounts:organization_settings"), data)
        assert response.status_code == 302
        cast.sme.refresh_from_db()
        assert (cast.sme.size_band, cast.sme.province) == ("medium", "jiangsu")

    def test_member_sees_read_only_form_and_cannot_post(self, login, cast):
        client = login(cast.bob)
        response = client.get(reverse("accounts:organization_settings"))
        assert response.status_code == 200
        assert all(field.disabled for field in response.context["form"].fields.values())
        response = client.post(reverse("accounts:organization_settings"), {"legal_name": "Bob's Firm"})
        assert response.status_code == 403
        cast.sme.refresh_from_db()
        assert cast.sme.legal_name == "Alice Parts Co., Ltd."

    def test_each_user_edits_only_their_own_organization(self, login, cast):
        client = login(cast.carol)
        response = client.get(reverse("accounts:organization_settings"))
        assert response.context["form"].instance == cast.other_sme

    def test_user_without_organization_is_sent_to_register_one(self, login, cast):
        client = login(cast.frank)
        response = client.get(reverse("accounts:members"))
        assert response.status_code == 302
        assert response.url == reverse("accounts:organization_create")

    def test_user_registers_an_organization(self, login, cast):
        client = login(cast.frank)
        data = {k.removeprefix("organization-"): v for k, v in signup_data().items() if k.startswith("organization-")}
        response = client.post(reverse("accounts:organization_create"), data)
        assert response.status_code == 302
        assert Membership.objects.get(user=cast.frank).role == Role.OWNER


class TestMembers:
    def test_owner_sees_members_and_invites(self, login, cast, django_capture_on_commit_callbacks):
        client = login(cast.alice)
        response = client.get(reverse("accounts:members"))
        assert {m.user.email for m in response.context["memberships"]} == {"alice@example.com", "bob@example.com"}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:members"), {"email": "new@example.com", "role": "manager"})
        assert response.status_code == 302
        assert MembershipInvitation.objects.get(email="new@example.com").role == Role.MANAGER
        assert len(mail.outbox) == 1

    def test_member_sees_team_but_cannot_invite(self, login, cast):
        client = login(cast.bob)
        response = client.get(reverse("accounts:members"))
        assert response.status_code == 200
        assert "Send invitation" not in response.text
        response = client.post(reverse("accounts:members"), {"email": "new@example.com", "role": "member"})
        assert response.status_code == 403
        assert not MembershipInvitation.objects.exists()

    def test_manager_cannot_invite_owner(self, login, cast):
        manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)
        client = login(manager)
        response = client.post(reverse("accounts:members"), {"email": "new@example.com", "role": "owner"})
        assert response.status_code == 400
        assert "role" in response.context["form"].errors
        assert not MembershipInvitation.objects.exists()

    def test_inviting_a_member_again_is_a_field_error(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:members"), {"email": "bob@example.com", "role": "member"})
        assert response.status_code == 400
        assert response.context["form"].errors["email"]

    def test_owner_changes_a_role(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:member_role", args=[cast.bob.pk]), {"role": "manager"})
        assert response.status_code == 302
        cast.bob.refresh_from_db()
        assert cast.bob.role == Role.MANAGER

    def test_member_cannot_change_roles(self, login, cast):
        client = login(cast.bob)
        response = client.post(reverse("accounts:member_role", args=[cast.bob.pk]), {"role": "owner"})
        assert response.status_code == 403
        cast.bob.refresh_from_db()
        assert cast.bob.role == Role.MEMBER

    @pytest.mark.parametrize("role", ["emperor", ""])
    def test_invalid_role_is_a_message(self, login, cast, role):
        client = login(cast.alice)
        response = client.post(reverse("accounts:member_role", args=[cast.bob.pk]), {"role": role})
        assert response.status_code == 400
        assert "Choose a valid role." in response.text
        cast.bob.refresh_from_db()
        assert cast.bob.role == Role.MEMBER

    def test_role_of_another_organizations_member_is_404(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:member_role", args=[cast.carol.pk]), {"role": "member"})
        assert response.status_code == 404
        cast.carol.refresh_from_db()
        assert cast.carol.role == Role.OWNER

    def test_owner_removes_member(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:member_remove", args=[cast.bob.pk]))
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=cast.bob.pk).exists()

    def test_member_cannot_remove_owner(self, login, cast):
        client = login(cast.bob)
        response = client.post(reverse("accounts:member_remove", args=[cast.alice.pk]))
        assert response.status_code == 403
        assert Membership.objects.filter(pk=cast.alice.pk).exists()

    def test_membership_of_another_organization_is_404(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:member_remove", args=[cast.carol.pk]))
        assert response.status_code == 404
        assert Membership.objects.filter(pk=cast.carol.pk).exists()

    def test_last_owner_is_not_offered_leave(self, login, cast):
        client = login(cast.alice)
        response = client.get(reverse("accounts:members"))
        assert response.context["owner_count"] == 1
        assert reverse("accounts:member_remove", args=[cast.alice.pk]) not in response.text
        assert reverse("accounts:member_remove", args=[cast.bob.pk]) in response.text

    def test_last_owner_leaving_gets_a_message(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:member_remove", args=[cast.alice.pk]), follow=True)
        assert Membership.objects.filter(pk=cast.alice.pk).exists()
        assert "at least one owner" in response.text

    def test_remove_is_post_only(self, login, cast):
        client = login(cast.alice)
        assert client.get(reverse("accounts:member_remove", args=[cast.bob.pk])).status_code == 405

    def test_revoke_invitation(self, login, cast):
        invitation = services.membership_invite(actor=cast.alice, email="x@example.com", role=Role.MEMBER)
        client = login(cast.carol)
        client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
        invitation.refresh_from_db()
        assert invitation.revoked_at is None
        client = login(cast.alice)
        client.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None


class TestInvitationAccept:
    def url(self, invitation):
        return reverse("accounts:invitation_accept", args=[selectors.membership_invitation_token(invitation)])

    def test_new_person_signs_up_through_the_link(self, client, cast):
        invitation = services.membership_invite(actor=cast.alice, email="newbie@example.com", role=Role.MEMBER)
        response = client.get(self.url(invitation))
        assert response.status_code == 200
        assert response.context["signup_form"] is not None
        response = client.post(
            self.url(invitation),
            {"display_name": "Newbie", "password1": "a-long-enough-password", "password2": "a-long-enough-password"},
        )
        assert response.status_code == 302
        membership = Membership.objects.get(user__email="newbie@example.com")
        assert membership.organization == cast.sme
        assert client.session["current_organization_id"] == cast.sme.pk

    def test_existing_user_is_asked_to_log_in_then_accepts(self, client, login, cast):
        invitation = services.membership_invite(actor=cast.dan, email="alice@example.com", role=Role.MEMBER)
        response = client.get(self.url(invitation))
        assert response.context["account_exists"]
        assert client.post(self.url(invitation)).status_code == 200
        assert not Membership.objects.filter(user=cast.alice.user, organization=cast.platform).exists()
        client = login(cast.alice)
        response = client.post(self.url(invitation))
        assert response.status_code == 302
        assert Membership.objects.filter(user=cast.alice.user, organization=cast.platform).exists()

    def test_wrong_account_gets_403_and_no_membership(self, login, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        client = login(cast.carol)
        response = client.get(self.url(invitation))
        assert response.context["wrong_account"]
        assert "Accept invitation" not in response.text
        response = client.post(self.url(invitation))
        assert response.status_code == 403
        assert not Membership.objects.filter(user=cast.carol.user, organization=cast.sme).exists()

    def test_bad_token_is_a_clear_400(self, client, db):
        response = client.get(reverse("accounts:invitation_accept", args=["not-a-token"]))
        assert response.status_code == 400
        assert "not valid" in response.text

    def test_used_link_is_refused(self, login, cast):
        invitation = services.membership_invite(actor=cast.alice, email="frank@example.com", role=Role.MEMBER)
        client = login(cast.frank)
        client.post(self.url(invitation))
        response = client.get(self.url(invitation))
        assert response.status_code == 400


class TestOrganizationSwitch:
    def test_switch_to_own_organization(self, login, cast):
        MembershipFactory(user=cast.alice.user, organization=cast.platform)
        client = login(cast.alice)
        response = client.post(reverse("accounts:organization_switch"), {"organization": cast.platform.pk})
        assert response.status_code == 302
        response = client.get(reverse("accounts:organization_settings"))
        assert response.context["form"].instance == cast.platform

    def test_switch_to_foreign_organization_is_403(self, login, cast):
        client = login(cast.alice)
        response = client.post(reverse("accounts:organization_switch"), {"organization": cast.other_sme.pk})
        assert response.status_code == 403

    @pytest.mark.parametrize("value", ["1e99", "", "-1", "99999999999999999999999", "\x00"])
    def test_garbage_is_a_message_not_a_500(self, login, cast, value):
        client = login(cast.alice)
        response = client.post(reverse("accounts:organization_switch"), {"organization": value})
        assert response.status_code == 400
        assert "Choose an organisation." in response.text

    def test_next_to_another_site_is_ignored(self, login, cast):
        MembershipFactory(user=cast.alice.user, organization=cast.platform)
        client = login(cast.alice)
        response = client.post(
            reverse("accounts:organization_switch"), {"organization": cast.platform.pk, "next": "https://evil.example/"}
        )
        assert response.url == reverse("home")


def test_navigation_shows_user_organization_and_role(login, cast):
    client = login(cast.bob)
    response = client.get(reverse("home"))
    assert '<span class="org-name">Alice Parts Co., Ltd.</span>' in response.text
    assert '<span class="role">Member</span>' in response.text
    assert "Signed in as" in response.text


def test_unknown_page_uses_the_sites_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_forbidden_action_explains_itself(login, cast):
    client = login(cast.bob)
    response = client.post(reverse("accounts:member_remove", args=[cast.alice.pk]))
    assert response.status_code == 403
    assert "Only owners and managers can remove members." in response.text


@pytest.mark.django_db
def test_the_language_chosen_in_the_footer_is_remembered_for_the_next_sign_in(client, cast, password):
    client.force_login(cast.alice.user)

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    client.post(reverse("accounts:logout"))
    client.cookies.pop("django_language", None)
    client.post(reverse("accounts:login"), {"username": "alice@example.com", "password": password})

    cast.alice.user.refresh_from_db()
    assert cast.alice.user.preferred_language == "zh-hans"
    assert client.cookies["django_language"].value == "zh-hans"


@pytest.mark.django_db
@pytest.mark.parametrize("next_value", ["x", "//evil.example/", "http://testserver/needs/", "javascript:alert(1)"])
def test_sign_in_sign_out_and_the_language_switch_follow_only_a_path_on_this_site(
    client, cast, settings, password, next_value
):
    signed_in = client.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": password, "next": next_value}
    )
    language = client.post(reverse("set_language"), {"language": "en", "next": next_value})
    signed_out = client.post(reverse("accounts:logout"), {"next": next_value})

    assert signed_in.status_code == language.status_code == signed_out.status_code == 302
    assert signed_in.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert language.url == reverse("home")
    assert signed_out.url == resolve_url(settings.LOGOUT_REDIRECT_URL)


@pytest.mark.django_db
def test_sign_in_follows_a_path_on_this_site(client, cast, password):
    response = client.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": password, "next": "/needs/?page=2"}
    )

    assert response.url == "/needs/?page=2"


@pytest.mark.django_db
def test_an_unknown_language_is_not_remembered(client, cast):
    client.force_login(cast.alice.user)

    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert response.status_code == 400
    assert "Choose one of the languages the site offers." in response.text
    assert "django_language" not in response.cookies
    cast.alice.user.refresh_from_db()
    assert cast.alice.user.preferred_language == "en"


class TestMembershipsReadOnce:
    """The membership a person acts for and the others the switcher offers come from one query."""

    def _membership_queries(self, client) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return [q["sql"] for q in captured.captured_queries if '"accounts_membership"' in q["sql"]]

    def test_one_membership_query_per_signed_in_page(self, login, cast):
        MembershipFactory(user=cast.alice.user, organization=cast.platform)
        client = login(cast.alice)
        assert len(self._membership_queries(client)) == 1

    def test_the_switcher_offers_the_others_by_name(self, login, cast):
        MembershipFactory(user=cast.alice.user, organization=cast.platform)  # Dan Cloud
        MembershipFactory(user=cast.alice.user, organization=cast.other_platform)  # Erin Compute
        response = login(cast.alice).get(reverse("home"))
        switcher = response.text.split('id="switch-org"', 1)[1].split("</select>", 1)[0]
        assert switcher.index("Dan Cloud") < switcher.index("Erin Compute")
        assert "Alice Parts" not in switcher
        assert '<span class="org-name">Alice Parts Co., Ltd.</span>' in response.text

    def test_the_chosen_organisation_leads_and_the_oldest_stands_in(self, login, cast, client):
        MembershipFactory(user=cast.alice.user, organization=cast.platform)
        login(cast.alice)
        client.post(reverse("accounts:organization_switch"), {"organization": cast.platform.pk})
        page = client.get(reverse("home")).text
        assert '<span class="org-name">Dan Cloud Co., Ltd.</span>' in page
        switcher = page.split('id="switch-org"', 1)[1].split("</select>", 1)[0]
        assert "Alice Parts" in switcher and "Dan Cloud" not in switcher
        Membership.objects.filter(user=cast.alice.user, organization=cast.platform).delete()
        page = client.get(reverse("home")).text
        assert '<span class="org-name">Alice Parts Co., Ltd.</span>' in page
        assert 'id="switch-org"' not in page
