"""Two-factor authentication (accounts/two_factor.py): setting it up, signing
in with a code or a recovery code, who must have it, the admin's sign-in, the
settings page, and the password (and code) asked before making an API token.

Codes are computed with pyotp from the authenticator's secret, as a phone
would; every code a test sends is accepted (or refused) for a reason that
does not depend on when in its 30 seconds the test runs: one step of drift
either way is accepted, and a step once used stays used."""

import time

import pyotp
import pytest
from django.contrib.admin.models import LogEntry
from django.shortcuts import resolve_url
from django.urls import reverse

from accounts import two_factor
from accounts.choices import Role
from accounts.models import ApiToken, RecoveryCode, SignInFailure, TwoFactorAuthenticator
from tests.accounts.factories import MembershipFactory, PlatformFactory, UserFactory, make_credit_code
from tests.accounts.test_views import signup_data

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LOGIN = reverse("accounts:login")
CODE_PAGE = reverse("accounts:login_code")
SETUP_PAGE = reverse("accounts:login_setup")


def code(secret: str = SECRET, *, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * two_factor.STEP_SECONDS)


def wrong_code(secret: str = SECRET) -> str:
    """A well-formed code that no step near now has."""
    near = {code(secret, steps_ahead=ahead) for ahead in range(-2, 3)}
    return next(candidate for candidate in ("000000", "111111", "222222", "333333", "444444") if candidate not in near)


def turn_on(user, secret: str = SECRET) -> list[str]:
    """Two-factor on for ``user`` with ``secret``, as the set-up page does
    (the step of the confirming code is then used). Returns the recovery codes."""
    return two_factor.two_factor_enable(user=user, secret=secret, code=code(secret))


def give_authenticator(user, secret: str = SECRET) -> TwoFactorAuthenticator:
    """An authenticator none of whose codes has been used yet."""
    return TwoFactorAuthenticator.objects.create(user=user, secret=secret)


def secret_absent(page: str, user) -> bool:
    return TwoFactorAuthenticator.objects.get(user=user).secret not in page


def sign_in(client, email, password, **data):
    return client.post(LOGIN, {"username": email, "password": password, **data})


def signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def platform_owner(db):
    return MembershipFactory(user__email="owner@platform.example", organization=PlatformFactory(), role=Role.OWNER).user


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@tandem.example", is_staff=True)


class TestSettingItUp:
    def test_the_page_shows_a_qr_code_and_the_key_and_keeps_them_on_reload(self, login, cast):
        client = login(cast.alice)

        first = client.get(reverse("accounts:two_factor_setup"))
        again = client.get(reverse("accounts:two_factor_setup"))

        assert first.status_code == 200
        page = first.content.decode()
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr-code"' in page
        assert "<script" not in page.split('class="qr-code"')[1].split("</svg>")[0]
        secret = first.context["secret"].replace(" ", "")
        assert len(secret) == 32 and first.context["secret"] == again.context["secret"]
        assert "no-store" in first["Cache-Control"]
        assert not TwoFactorAuthenticator.objects.exists()  # nothing stored before it is confirmed

    def test_a_right_code_turns_it_on_and_the_recovery_codes_are_shown_once(self, login, cast):
        client = login(cast.alice)
        secret = client.get(reverse("accounts:two_factor_setup")).context["secret"].replace(" ", "")

        response = client.post(reverse("accounts:two_factor_setup"), {"code": code(secret)})

        assert response.status_code == 302
        assert response.url == reverse("accounts:two_factor_recovery_codes")
        authenticator = TwoFactorAuthenticator.objects.get(user=cast.alice.user)
        assert authenticator.secret == secret
        shown = client.get(response.url)
        codes = shown.context["codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(item in shown.content.decode() for item in codes)
        assert "no-store" in shown["Cache-Control"]
        # Only digests are stored, and a second look shows nothing.
        stored = set(RecoveryCode.objects.filter(user=cast.alice.user).values_list("code_hash", flat=True))
        assert len(stored) == 10 and not stored & {item.replace("-", "") for item in codes}
        assert client.get(response.url).status_code == 302
        assert client.get(reverse("accounts:profile")).context["two_factor_on"] is True

    def test_a_wrong_code_does_not_turn_it_on(self, login, cast):
        client = login(cast.alice)
        secret = client.get(reverse("accounts:two_factor_setup")).context["secret"].replace(" ", "")

        response = client.post(reverse("accounts:two_factor_setup"), {"code": wrong_code(secret)})

        assert response.status_code == 400
        assert response.context["form"].errors["code"]
        assert not TwoFactorAuthenticator.objects.exists()

    @pytest.mark.parametrize("garbage", ["", "12345", "1234567", "abcdef", "１２３４５６", "1" * 5000, "12\x0034"])
    def test_garbage_is_a_form_error(self, login, cast, garbage):
        client = login(cast.alice)
        client.get(reverse("accounts:two_factor_setup"))

        response = client.post(reverse("accounts:two_factor_setup"), {"code": garbage})

        assert response.status_code == 400
        assert not TwoFactorAuthenticator.objects.exists()

    def test_setting_up_twice_is_refused(self, login, cast):
        turn_on(cast.alice.user)
        client = login(cast.alice)

        response = client.get(reverse("accounts:two_factor_setup"))

        assert response.status_code == 302 and response.url == reverse("accounts:two_factor")
        with pytest.raises(Exception, match="already on"):
            two_factor.two_factor_enable(user=cast.alice.user, secret=SECRET, code=code(steps_ahead=1))


class TestSigningIn:
    def test_without_two_factor_the_password_is_enough(self, client, cast, password):
        response = sign_in(client, "alice@example.com", password)

        assert response.status_code == 302 and response.url == reverse("home")
        assert signed_in_as(client) == str(cast.alice.user.pk)

    def test_the_password_alone_does_not_sign_in_when_two_factor_is_on(self, client, cast, password):
        give_authenticator(cast.alice.user)

        response = sign_in(client, "alice@example.com", password, next="/accounts/profile/")

        assert response.status_code == 302 and response.url == CODE_PAGE
        assert signed_in_as(client) is None
        assert client.get(reverse("accounts:profile")).status_code == 302  # still signed out
        page = client.get(CODE_PAGE)
        assert page.status_code == 200 and "authenticator app" in page.content.decode()

        done = client.post(CODE_PAGE, {"code": code()})

        assert done.status_code == 302 and done.url == "/accounts/profile/"
        assert signed_in_as(client) == str(cast.alice.user.pk)
        assert done.cookies["django_language"].value == cast.alice.user.preferred_language
        assert client.get(CODE_PAGE).status_code == 302  # nothing pending any more

    def test_a_code_typed_with_spaces_is_accepted(self, client, cast, password):
        give_authenticator(cast.alice.user)
        sign_in(client, "alice@example.com", password)
        typed = code()

        assert client.post(CODE_PAGE, {"code": f" {typed[:3]} {typed[3:]} "}).status_code == 302
        assert signed_in_as(client)

    def test_a_next_that_is_a_bare_word_is_not_followed(self, client, cast, settings, password):
        """Only a path on this site is followed (config.redirects); a bare
        word is neither a view name nor a relative URL: the default page."""
        give_authenticator(cast.alice.user)
        client.post(f"{LOGIN}?next=workspace", {"username": "alice@example.com", "password": password})
        response = client.post(CODE_PAGE, {"code": code()})
        assert response.status_code == 302 and response.url == resolve_url(settings.LOGIN_REDIRECT_URL)

    def test_a_code_is_refused_the_second_time(self, client, cast, password):
        give_authenticator(cast.alice.user)
        used = code()
        sign_in(client, "alice@example.com", password)
        assert client.post(CODE_PAGE, {"code": used}).status_code == 302
        client.post(reverse("accounts:logout"))

        sign_in(client, "alice@example.com", password)
        replay = client.post(CODE_PAGE, {"code": used})

        assert replay.status_code == 400
        assert "already used" in replay.content.decode()
        assert signed_in_as(client) is None

    def test_a_recovery_code_works_once(self, client, cast, password):
        codes = turn_on(cast.alice.user)
        sign_in(client, "alice@example.com", password)

        response = client.post(CODE_PAGE, {"code": codes[3].upper()})

        assert response.status_code == 302 and signed_in_as(client)
        assert "9 are left" in client.get(response.url).content.decode()
        client.post(reverse("accounts:logout"))
        sign_in(client, "alice@example.com", password)
        assert client.post(CODE_PAGE, {"code": codes[3]}).status_code == 400
        assert client.post(CODE_PAGE, {"code": codes[4]}).status_code == 302

    def test_five_wrong_codes_lock_the_account_even_for_the_right_code(self, client, cast, password):
        give_authenticator(cast.alice.user)
        sign_in(client, "alice@example.com", password)
        for _attempt in range(5):
            assert client.post(CODE_PAGE, {"code": wrong_code()}).status_code == 400

        response = client.post(CODE_PAGE, {"code": code()})

        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 15 * 60
        assert "Too many failed attempts" in response.content.decode()
        assert signed_in_as(client) is None
        assert set(SignInFailure.objects.values_list("door", flat=True)) == {"two_factor"}
        # Knowing the password does not buy more guesses: the password step is locked too.
        assert sign_in(client, "alice@example.com", password).status_code == 429

    def test_the_pending_sign_in_expires_after_five_minutes(self, client, cast, password):
        give_authenticator(cast.alice.user)
        sign_in(client, "alice@example.com", password, next="/accounts/profile/")
        session = client.session
        session[two_factor.PENDING_SIGN_IN]["at"] -= two_factor.PENDING_SIGN_IN_SECONDS + 1
        session.save()

        response = client.post(CODE_PAGE, {"code": code()})

        assert response.status_code == 302
        assert response.url == f"{LOGIN}?next=%2Faccounts%2Fprofile%2F"
        assert signed_in_as(client) is None
        assert "enter your password again" in client.get(response.url).content.decode()
        assert TwoFactorAuthenticator.objects.get().last_used_step == 0  # the code was not even tried

    def test_the_code_page_without_a_password_first_goes_to_sign_in(self, client, db):
        assert client.get(CODE_PAGE).url == LOGIN
        assert client.post(CODE_PAGE, {"code": "123456"}).url == LOGIN
        assert client.get(SETUP_PAGE).url == LOGIN

    def test_a_deactivated_account_cannot_finish(self, client, cast, password):
        give_authenticator(cast.alice.user)
        sign_in(client, "alice@example.com", password)
        type(cast.alice.user).objects.filter(pk=cast.alice.user.pk).update(is_active=False)

        assert client.post(CODE_PAGE, {"code": code()}).url == LOGIN
        assert signed_in_as(client) is None

    @pytest.mark.parametrize(
        "garbage", ["", "12345", "1234567", "abcdef", "１２３４５６", "x" * 10_000, "\x00\x00", "'; DROP TABLE --"]
    )
    def test_garbage_codes_are_a_400_and_not_counted(self, client, cast, password, garbage):
        give_authenticator(cast.alice.user)
        sign_in(client, "alice@example.com", password)

        response = client.post(CODE_PAGE, {"code": garbage})

        assert response.status_code == 400
        assert response.context["form"].errors["code"]
        assert not SignInFailure.objects.exists()


class TestWhoMustHaveIt:
    def test_a_platform_owner_must_set_it_up_before_the_sign_in_completes(self, client, platform_owner, password):
        response = sign_in(client, platform_owner.email, password, next="/accounts/profile/")

        assert response.status_code == 302 and response.url == SETUP_PAGE
        assert signed_in_as(client) is None
        # Other pages do not let them in without it.
        assert client.get(reverse("accounts:profile")).status_code == 302
        assert client.get(CODE_PAGE).status_code == 302
        page = client.get(SETUP_PAGE)
        assert page.status_code == 200
        assert "Platform owners and administrators must use two-factor authentication" in page.content.decode()
        secret = page.context["secret"].replace(" ", "")
        assert client.post(SETUP_PAGE, {"code": wrong_code(secret)}).status_code == 400
        assert signed_in_as(client) is None

        done = client.post(SETUP_PAGE, {"code": code(secret)})

        assert done.status_code == 302 and done.url == reverse("accounts:two_factor_recovery_codes")
        assert signed_in_as(client) == str(platform_owner.pk)
        codes_page = client.get(done.url)
        assert len(codes_page.context["codes"]) == 10
        assert codes_page.context["next_url"] == "/accounts/profile/"

    def test_signing_up_a_platform_sets_it_up_at_its_first_sign_in(self, client, db):
        platform = client.post(
            reverse("accounts:signup"),
            signup_data(
                email="owner@platform.example",
                **{"organization-kind": "platform", "organization-credit_code": make_credit_code(4242)},
            ),
        )
        assert platform.status_code == 302 and platform.url == reverse("accounts:signup_done")
        assert signed_in_as(client) is None

        password = signup_data()["password1"]
        first = client.post(reverse("accounts:login"), {"username": "owner@platform.example", "password": password})
        assert first.status_code == 302 and first.url == SETUP_PAGE
        assert signed_in_as(client) is None
        secret = client.get(SETUP_PAGE).context["secret"].replace(" ", "")
        client.post(SETUP_PAGE, {"code": code(secret)})
        assert signed_in_as(client)

    def test_staff_must_set_it_up(self, client, staff, password):
        assert sign_in(client, staff.email, password).url == SETUP_PAGE
        assert signed_in_as(client) is None

    def test_members_of_a_platform_who_are_not_owners_may_choose(self, client, password):
        member = MembershipFactory(organization=PlatformFactory(), role=Role.MANAGER).user

        assert sign_in(client, member.email, password).url == reverse("home")
        assert two_factor.two_factor_required(member) is False

    def test_the_setting_can_turn_the_requirement_off(self, client, platform_owner, staff, password, settings):
        settings.TWO_FACTOR_REQUIRED = False

        assert sign_in(client, platform_owner.email, password).url == reverse("home")
        assert two_factor.two_factor_required(staff) is False

    def test_it_cannot_be_turned_off_while_required(self, login, platform_owner, password):
        turn_on(platform_owner)
        client = login(platform_owner)
        page = client.get(reverse("accounts:two_factor"))
        assert "cannot be turned off for your account" in page.content.decode()

        response = client.post(
            reverse("accounts:two_factor_disable"),
            {"disable-password": password, "disable-code": code(steps_ahead=1)},
        )

        assert response.status_code == 400
        assert "must use two-factor authentication" in response.content.decode()
        assert TwoFactorAuthenticator.objects.filter(user=platform_owner).exists()


class TestTheAdminSignIn:
    def test_the_admin_page_asks_staff_for_their_code_before_the_admin(self, client, staff, password):
        give_authenticator(staff)
        assert client.get(reverse("admin:login")).status_code == 200

        response = client.post(
            reverse("admin:login"), {"username": staff.email, "password": password, "next": "/admin/"}
        )

        assert response.status_code == 302 and response.url == CODE_PAGE
        assert signed_in_as(client) is None
        assert client.get(reverse("admin:index")).status_code == 302

        done = client.post(CODE_PAGE, {"code": code()})

        assert done.status_code == 302 and done.url == "/admin/"
        assert client.get(reverse("admin:index")).status_code == 200

    def test_staff_without_two_factor_are_sent_to_set_it_up(self, client, staff, password):
        response = client.post(reverse("admin:login"), {"username": staff.email, "password": password})

        assert response.url == SETUP_PAGE
        assert signed_in_as(client) is None

    def test_a_wrong_password_on_the_admin_page_counts_for_the_lock_out(self, client, staff):
        response = client.post(reverse("admin:login"), {"username": staff.email, "password": "wrong"})

        assert response.status_code == 400
        assert list(SignInFailure.objects.values_list("door", flat=True)) == ["admin"]

    def test_an_admin_resets_a_lost_authenticator_and_it_is_logged(self, login, cast, staff):
        turn_on(staff)
        admin = login(cast.mallory)
        changelist = reverse("admin:accounts_user_changelist")
        assert admin.get(changelist).status_code == 200
        change_page = admin.get(reverse("admin:accounts_user_change", args=[staff.pk]))
        assert change_page.status_code == 200 and "two-factor authentication" in change_page.content.decode().lower()
        assert admin.get(reverse("admin:accounts_user_add")).status_code == 200
        assert secret_absent(change_page.content.decode(), staff)

        response = admin.post(
            changelist, {"action": "reset_two_factor", "_selected_action": [staff.pk, cast.alice.user.pk]}
        )

        assert response.status_code == 302
        assert not TwoFactorAuthenticator.objects.filter(user=staff).exists()
        assert not RecoveryCode.objects.filter(user=staff).exists()
        entry = LogEntry.objects.get(object_id=str(staff.pk))
        assert entry.user == cast.mallory and "two-factor authenticator" in entry.get_change_message()
        assert "reset for 1 person" in admin.get(changelist).content.decode()


class TestTheSettingsPage:
    def test_new_recovery_codes_need_a_current_code_and_replace_the_old_ones(self, login, cast):
        old = turn_on(cast.alice.user)
        client = login(cast.alice)
        url = reverse("accounts:two_factor_recovery_codes")

        refused = client.post(url, {"regenerate-code": wrong_code()})
        assert refused.status_code == 400
        assert set(RecoveryCode.objects.values_list("code_hash", flat=True)) == {
            two_factor._digest(item.replace("-", "")) for item in old
        }

        response = client.post(url, {"regenerate-code": code(steps_ahead=1)})

        assert response.status_code == 302 and response.url == url
        new = client.get(url).context["codes"]
        assert not set(new) & set(old)
        assert two_factor.two_factor_verify(user=cast.alice.user, code=old[0]) is None
        assert two_factor.two_factor_verify(user=cast.alice.user, code=new[0]) == two_factor.BY_RECOVERY_CODE

    def test_turning_it_off_needs_the_password_and_a_code(self, login, cast, password):
        turn_on(cast.alice.user)
        client = login(cast.alice)
        url = reverse("accounts:two_factor_disable")

        wrong_password = client.post(url, {"disable-password": "nope", "disable-code": code(steps_ahead=1)})
        assert wrong_password.status_code == 400
        assert wrong_password.context["disable_form"].errors["password"]
        wrong = client.post(url, {"disable-password": password, "disable-code": wrong_code()})
        assert wrong.status_code == 400
        assert TwoFactorAuthenticator.objects.exists()
        assert SignInFailure.objects.count() == 2

        response = client.post(url, {"disable-password": password, "disable-code": code(steps_ahead=1)})

        assert response.status_code == 302
        assert not TwoFactorAuthenticator.objects.exists() and not RecoveryCode.objects.exists()
        assert client.get(reverse("accounts:two_factor_disable")).status_code == 405

    def test_the_page_says_whether_it_is_on(self, login, cast):
        client = login(cast.alice)
        assert client.get(reverse("accounts:two_factor")).context["authenticator"] is None
        turn_on(cast.alice.user)
        page = client.get(reverse("accounts:two_factor"))
        assert page.context["authenticator"] is not None and page.context["codes_left"] == 10

    def test_recovery_codes_are_not_shown_without_having_just_been_made(self, login, cast):
        turn_on(cast.alice.user)
        response = login(cast.alice).get(reverse("accounts:two_factor_recovery_codes"))
        assert response.status_code == 302 and response.url == reverse("accounts:two_factor")


class TestApiTokensAskAgain:
    def post(self, client, **data):
        return client.post(reverse("accounts:api_tokens"), {"name": "ERP", "expires_in_days": "30", **data})

    def test_the_password_is_asked(self, login, cast, password):
        client = login(cast.alice)

        assert self.post(client).status_code == 400
        wrong = self.post(client, password="not-it")
        assert wrong.status_code == 400 and wrong.context["form"].errors["password"]
        assert list(SignInFailure.objects.values_list("door", flat=True)) == ["api_token"]
        assert not ApiToken.objects.exists()
        assert self.post(client, password=password).status_code == 302
        assert ApiToken.objects.count() == 1

    def test_with_two_factor_on_a_code_is_asked_too(self, login, cast, password):
        give_authenticator(cast.alice.user)
        client = login(cast.alice)
        assert "code" in client.get(reverse("accounts:api_tokens")).context["form"].fields

        assert self.post(client, password=password).status_code == 400
        assert self.post(client, password=password, code=wrong_code()).status_code == 400
        assert not ApiToken.objects.exists()
        assert self.post(client, password=password, code=code()).status_code == 302
        assert ApiToken.objects.count() == 1

    def test_a_locked_account_gets_429(self, login, cast, password):
        client = login(cast.alice)
        for attempt in range(5):
            assert self.post(client, password=f"wrong-{attempt}").status_code == 400

        response = self.post(client, password=password)

        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert "Too many failed attempts" in response.content.decode()
        assert not ApiToken.objects.exists()
