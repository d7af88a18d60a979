"""Brute force and abuse: the sign-in lock-out (accounts/lockout.py) and the
rate limits on signing up, password reset e-mails, applying and writing
messages (config/ratelimit.py), on the pages and the API alike."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts import lockout
from accounts.choices import Role
from accounts.models import Membership, MembershipInvitation, SignInFailure, User
from accounts.tasks import sign_in_failures_prune
from config import ratelimit
from marketplace.models import Application, Message
from tests.accounts.factories import MembershipFactory
from tests.accounts.test_views import signup_data
from tests.marketplace.factories import CapabilityFactory

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"
ADMIN_LOGIN = "admin:login"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Real limits (the test settings raise them far out of the way) and
    counters that start at zero."""
    settings.RATE_LIMITS = {
        "signup": "3/hour",
        "password_reset": "3/hour",
        "application": "2/hour",
        "message": "3/hour",
        "invitation": "4/hour",
        "invitation_organization": "6/hour",
        "invitation_recipient": "2/day",
        "organization_create": "2/day",
    }
    cache.clear()


def sign_in(client, email, password, *, url=LOGIN, **extra):
    return client.post(reverse(url), {"username": email, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, email, **extra):
    for attempt in range(5):
        response = sign_in(client, email, f"wrong-guess-{attempt}", **extra)
        assert response.status_code == 400, attempt
        assert "do not match an account" in response.text


class TestSignInLockOut:
    def test_the_sixth_attempt_is_refused_even_with_the_right_password(self, client, cast, password):
        fail_five_times(client, "alice@example.com")
        response = sign_in(client, "alice@example.com", password)
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 15 * 60
        assert "Too many failed attempts" in response.text and "15 more minutes" in response.text
        assert not signed_in(client)
        # The refused attempt was not checked, so it is not another failure.
        assert SignInFailure.objects.count() == 5

    def test_upper_case_or_spaces_do_not_make_a_new_account_name(self, client, cast, password):
        for attempt, typed in enumerate(["ALICE@example.com", " alice@example.com", "Alice@Example.COM"] * 2):
            sign_in(client, typed, f"wrong-{attempt}")
        assert sign_in(client, "alice@example.com", password).status_code == 429

    @pytest.mark.parametrize("num_proxies", [0, 1])
    def test_a_rotating_x_forwarded_for_does_not_reset_the_count(self, client, cast, password, settings, num_proxies):
        """Without trusted proxies the header is ignored; behind one, only the
        address that proxy appended (the rightmost) counts, never what the
        client wrote before it."""
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
        for attempt in range(5):
            forged = f"198.51.100.{attempt}, 203.0.113.{attempt}"
            seen_by_proxy = f"{forged}, 192.0.2.7" if num_proxies else forged
            sign_in(client, "alice@example.com", f"wrong-{attempt}", HTTP_X_FORWARDED_FOR=seen_by_proxy)
        forged = "198.51.100.99, 203.0.113.99"
        seen_by_proxy = f"{forged}, 192.0.2.7" if num_proxies else forged
        response = sign_in(client, "alice@example.com", password, HTTP_X_FORWARDED_FOR=seen_by_proxy)
        assert response.status_code == 429
        assert not signed_in(client)
        assert set(SignInFailure.objects.values_list("ip_address", flat=True)) == {
            "192.0.2.7" if num_proxies else "127.0.0.1"
        }

    def test_the_lock_is_per_account_and_address(self, client, cast, password):
        fail_five_times(client, "alice@example.com")
        # The same account from another address, another account from this one.
        assert sign_in(client, "alice@example.com", password, REMOTE_ADDR="10.9.9.9").status_code == 302
        client.logout()
        assert sign_in(client, "carol@example.com", password).status_code == 302

    def test_unknown_accounts_are_counted_and_answered_alike(self, client, db):
        for attempt in range(5):
            assert sign_in(client, "nobody@example.com", f"guess-{attempt}").status_code == 400
        response = sign_in(client, "nobody@example.com", "guess-5")
        assert response.status_code == 429 and "Too many failed attempts" in response.text

    def test_the_lock_lifts_when_the_failures_age_out(self, client, cast, password):
        fail_five_times(client, "alice@example.com")
        SignInFailure.objects.update(created_at=timezone.now() - timedelta(minutes=15, seconds=1))
        assert sign_in(client, "alice@example.com", password).status_code == 302

    def test_the_wait_is_until_the_oldest_counted_failure_leaves_the_window(self, client, cast, rf):
        fail_five_times(client, "alice@example.com")
        oldest = SignInFailure.objects.order_by("created_at").first()
        SignInFailure.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(minutes=10))
        request = rf.post("/", REMOTE_ADDR="127.0.0.1")
        assert 4 * 60 < lockout.locked_for(request, "alice@example.com") <= 5 * 60

    def test_a_completed_sign_in_clears_the_pairs_failures(self, client, cast, password):
        for attempt in range(4):
            sign_in(client, "alice@example.com", f"wrong-{attempt}")
        sign_in(client, "alice@example.com", "wrong-from-elsewhere", REMOTE_ADDR="10.9.9.9")
        assert sign_in(client, "alice@example.com", password).status_code == 302
        assert list(SignInFailure.objects.values_list("ip_address", flat=True)) == ["10.9.9.9"]

    def test_an_address_guessing_across_accounts_is_stopped(self, client, cast, password, settings):
        settings.SIGN_IN_LOCKOUT_ADDRESS_FAILURES = 8
        for attempt in range(8):
            sign_in(client, f"person{attempt}@example.com", "guess")
        assert sign_in(client, "alice@example.com", password).status_code == 429
        assert sign_in(client, "alice@example.com", password, REMOTE_ADDR="10.9.9.9").status_code == 302

    def test_the_admin_sign_in_has_the_same_lock_out(self, client, cast, password):
        admin_user = User.objects.create_user(email="moderator@example.com", password=password, is_staff=True)
        for attempt in range(5):
            response = sign_in(client, admin_user.email, f"wrong-{attempt}", url=ADMIN_LOGIN)
            assert response.status_code in (200, 400)
        response = sign_in(client, admin_user.email, password, url=ADMIN_LOGIN)
        assert response.status_code in (200, 400, 429)  # the admin's own view re-renders its form
        assert "Too many failed attempts" in response.text
        assert not signed_in(client)
        assert set(SignInFailure.objects.values_list("door", flat=True)) == {"admin"}
        # The site's sign-in counts the same failures.
        assert sign_in(client, admin_user.email, password).status_code == 429

    def test_old_failures_are_pruned(self, client, cast):
        fail_five_times(client, "alice@example.com")
        SignInFailure.objects.filter(pk__in=SignInFailure.objects.values("pk")[:3]).update(
            created_at=timezone.now() - timedelta(days=2)
        )
        assert sign_in_failures_prune.delay().get() == 3
        assert SignInFailure.objects.count() == 2


class TestSignUpAndPasswordReset:
    def test_sign_ups_per_address_are_limited(self, client, db):
        for n in range(3):
            client.post(reverse("accounts:signup"), signup_data(email=f"lin{n}@example.com", password2="mismatch"))
        response = client.post(reverse("accounts:signup"), signup_data())
        assert response.status_code == 429
        assert "Please slow down" in response.text and int(response["Retry-After"]) <= 3600
        assert not User.objects.exists()
        # Another address may still sign up.
        response = client.post(reverse("accounts:signup"), signup_data(), REMOTE_ADDR="10.8.8.8")
        assert response.status_code == 302 and User.objects.filter(email="lin@example.com").exists()

    def test_reset_requests_per_address_are_limited(self, client, cast):
        for _ in range(3):
            assert client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"}).status_code == 302
        response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
        assert response.status_code == 429
        assert mail.outbox == []

    def test_one_inbox_gets_a_few_reset_mails_whoever_asks(self, client, cast):
        for n in range(5):
            response = client.post(
                reverse("accounts:password_reset"), {"email": "alice@example.com"}, REMOTE_ADDR=f"10.7.7.{n}"
            )
            # The page never tells whether mail was sent (nor whether the account exists).
            assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
        assert len(mail.outbox) == 3


class TestApplicationsAndMessages:
    def apply(self, client, capability):
        return client.post(
            reverse("marketplace:application_apply", args=[capability.pk]),
            {"intended_use": "Invoices.", "answer": "2000", "accept_terms": "on", "terms_version": "3"},
        )

    def test_applications_per_person_are_limited_on_the_pages_and_the_api_together(self, client, api, cast, capability):
        client.force_login(cast.alice.user)
        assert self.apply(client, capability).status_code == 302
        second = CapabilityFactory(organization=cast.platform)
        by_api = api(cast.alice).post(
            reverse("api:application-list"), {"capability": second.pk, "intended_use": "Twice."}, format="json"
        )
        assert by_api.status_code == 201
        third = CapabilityFactory(organization=cast.platform)
        response = self.apply(client, third)
        assert response.status_code == 429 and "Please slow down" in response.text
        refused = api(cast.alice).post(
            reverse("api:application-list"), {"capability": third.pk, "intended_use": "Thrice."}, format="json"
        )
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled" and int(refused["Retry-After"]) > 0
        assert Application.objects.count() == 2
        # Someone else in the same organisation has their own allowance.
        client.force_login(cast.bob.user)
        assert self.apply(client, third).status_code == 302

    def test_messages_per_person_are_limited(self, client, api, cast, application):
        client.force_login(cast.alice.user)
        url = reverse("marketplace:application_message", args=[application.pk])
        assert [client.post(url, {"body": f"Note {n}"}).status_code for n in range(3)] == [302, 302, 302]
        response = client.post(url, {"body": "One too many"})
        assert response.status_code == 429
        refused = api(cast.alice).post(
            reverse("api:application-messages", args=[application.pk]), {"body": "Via the API"}, format="json"
        )
        assert refused.status_code == 429
        assert Message.objects.filter(application=application).count() == 3
        # The platform's side is not affected by the SME's count.
        platform = api(cast.dan).post(
            reverse("api:application-messages", args=[application.pk]), {"body": "Received."}, format="json"
        )
        assert platform.status_code == 201

    def test_reading_is_not_limited(self, client, cast, application):
        client.force_login(cast.alice.user)
        url = reverse("marketplace:application_detail", args=[application.pk])
        assert {client.get(url).status_code for _ in range(6)} == {200}


class TestInvitationsAndOrganisations:
    """Team invitations send an e-mail quoting free text: limited per person,
    per organisation and per address invited, pages and API together;
    creating organisations per person."""

    def invite_page(self, client, email):
        return client.post(reverse("accounts:members"), {"email": email, "role": "member"})

    def invite_api(self, api, who, email):
        return api(who).post(
            reverse("api:membership-invitation-list"), {"email": email, "role": "member"}, format="json"
        )

    def test_one_address_is_invited_a_few_times_whoever_invites(self, client, api, cast):
        client.force_login(cast.alice.user)
        assert self.invite_page(client, "target@example.com").status_code == 302
        assert self.invite_api(api, cast.carol, "target@example.com").status_code == 201
        refused = self.invite_api(api, cast.dan, "TARGET@example.com")
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled"
        assert "Too many invitations" in refused.json()["message"] and int(refused["Retry-After"]) > 0
        page = self.invite_page(client, "target@example.com")
        assert page.status_code == 429 and int(page["Retry-After"]) > 0
        assert "Too many invitations" in str(page.context["form"].non_field_errors())
        assert MembershipInvitation.objects.filter(email="target@example.com").count() == 2

    def test_invitations_per_person_pages_and_api_together(self, client, api, cast):
        client.force_login(cast.alice.user)
        assert [self.invite_page(client, f"p{n}@example.com").status_code for n in range(2)] == [302, 302]
        assert [self.invite_api(api, cast.alice, f"a{n}@example.com").status_code for n in range(2)] == [201, 201]
        assert self.invite_api(api, cast.alice, "a9@example.com").status_code == 429
        assert self.invite_page(client, "p9@example.com").status_code == 429
        assert MembershipInvitation.objects.filter(invited_by=cast.alice.user).count() == 4

    def test_invitations_per_organisation(self, api, cast):
        second_manager = MembershipFactory(organization=cast.sme, role=Role.MANAGER)
        assert [self.invite_api(api, cast.alice, f"a{n}@example.com").status_code for n in range(4)] == [201] * 4
        sent = [self.invite_api(api, second_manager, f"m{n}@example.com").status_code for n in range(3)]
        assert sent == [201, 201, 429]
        assert MembershipInvitation.objects.filter(organization=cast.sme).count() == 6
        # Another organisation has its own allowance.
        assert self.invite_api(api, cast.carol, "c@example.com").status_code == 201

    def test_only_invitations_sent_are_counted(self, client, api, cast):
        """Refused for another reason (already a member, a role the inviter
        may not give): not counted against the person, the organisation or
        the address."""
        client.force_login(cast.alice.user)
        for _attempt in range(3):
            assert self.invite_api(api, cast.alice, "BOB@example.com").status_code == 400
            assert self.invite_page(client, "bob@example.com").status_code == 400
        owner = api(cast.bob).post(
            reverse("api:membership-invitation-list"), {"email": "x@example.com", "role": "owner"}, format="json"
        )
        assert owner.status_code == 403
        assert [self.invite_api(api, cast.alice, f"a{n}@example.com").status_code for n in range(2)] == [201, 201]
        assert self.invite_page(client, "p0@example.com").status_code == 302
        assert self.invite_api(api, cast.alice, "p1@example.com").status_code == 201
        assert self.invite_api(api, cast.alice, "p2@example.com").status_code == 429
        assert MembershipInvitation.objects.filter(organization=cast.sme).count() == 4

    def test_organisations_per_person(self, client, cast):
        from tests.accounts.factories import make_credit_code

        client.force_login(cast.frank)
        base = {k.removeprefix("organization-"): v for k, v in signup_data().items() if k.startswith("organization-")}
        statuses = [
            client.post(reverse("accounts:organization_create"), base | {"credit_code": make_credit_code(70 + n)})
            for n in range(3)
        ]
        assert [response.status_code for response in statuses] == [302, 302, 429]
        assert "registered several organisations" in str(statuses[2].context["form"].non_field_errors())
        assert int(statuses[2]["Retry-After"]) > 0
        assert Membership.objects.filter(user=cast.frank).count() == 2


def test_a_cache_that_cannot_be_reached_allows_the_action(settings):
    """Redis down must not turn into refusals or server errors."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    assert [ratelimit.hit("message", "user:1") for _ in range(5)] == [None] * 5


@pytest.mark.parametrize(
    ("remote", "forwarded", "num_proxies", "counted_as"),
    [
        ("192.0.2.7", "", 0, "192.0.2.7"),
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),  # one subscriber's block
        ("2001:db8:1:2:ffff::1", "", 0, "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "", 0, "192.0.2.7"),
        ("192.0.2.7", "not-an-address, also-not", 1, "192.0.2.7"),  # a broken proxy header falls back
        ("192.0.2.7", "198.51.100.1, 203.0.113.9", 1, "203.0.113.9"),
    ],
)
def test_the_address_the_limits_count(rf, settings, remote, forwarded, num_proxies, counted_as):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_ip(request) == counted_as


class TestPasswordChange:
    def test_wrong_old_passwords_count_and_lock_like_sign_ins(self, client, cast, password):
        client.force_login(cast.alice.user)
        url = reverse("accounts:password_change")
        new = {"new_password1": "a-brand-new-password-1", "new_password2": "a-brand-new-password-1"}
        for attempt in range(5):
            response = client.post(url, {"old_password": f"guess-{attempt}", **new})
            assert response.status_code == 400
        response = client.post(url, {"old_password": password, **new})
        assert response.status_code == 429 and "Too many failed attempts" in response.text
        assert User.objects.get(pk=cast.alice.user.pk).check_password(password)
        assert set(SignInFailure.objects.values_list("door", flat=True)) == {"password_change"}

    def test_the_admin_changes_passwords_on_the_sites_page(self, client, cast):
        client.force_login(cast.mallory)
        response = client.get(reverse("admin:password_change"))
        assert response.status_code == 302 and response.url == reverse("accounts:password_change")


# Spellings that PostgreSQL's UPPER() or Unicode's compatibility forms equate
# with an account's address: the dotless ı (upper: I) and the dotted İ
# (lower: i + a combining dot) are other addresses; the long ſ (NFKC: s), the
# Kelvin sign K (NFKC: K) and full-width letters are the same address.
OTHER_ADDRESSES = ["al\u0131ce@example.com", "AL\u0130CE@example.com", "al\u0130ce@example.com"]
SAME_ADDRESS = [
    "mar\u212a.ro\u017f\u017f@example.com",
    "\uff4d\uff41\uff52\uff4b\uff0e\uff52\uff4f\uff53\uff53@example.com",
    "MAR\u212a.RO\u017fS@EXAMPLE.COM",
]


class TestUnicodeLookAlikes:
    """One canonical form of an address for storing, finding and counting:
    a look-alike spelling is either the same account, under the same count,
    or no account at all."""

    @pytest.fixture
    def mark(self, db):
        from tests.accounts.factories import UserFactory

        return UserFactory(email="mark.ross@example.com")

    @pytest.mark.parametrize("typed", OTHER_ADDRESSES)
    def test_a_dotless_or_dotted_i_is_another_address(self, client, cast, password, typed):
        # On PostgreSQL, email__iexact compared UPPER()s: upper('alıce') = 'ALICE'.
        assert User.objects.filter(email=lockout.account_key(typed)).count() == 0
        response = sign_in(client, typed, password)
        assert response.status_code == 400
        assert not signed_in(client)

    def test_a_locked_account_stays_locked_whatever_the_spelling(self, client, cast, mark, password):
        fail_five_times(client, "alice@example.com")
        fail_five_times(client, "mark.ross@example.com")
        for typed in OTHER_ADDRESSES:
            assert sign_in(client, typed, password).status_code == 400
        for typed in SAME_ADDRESS:
            assert sign_in(client, typed, password).status_code == 429
        assert not signed_in(client)

    def test_failures_under_any_spelling_count_for_the_account(self, client, mark, password):
        for attempt in range(5):
            sign_in(client, SAME_ADDRESS[attempt % len(SAME_ADDRESS)], f"wrong-{attempt}")
        assert set(SignInFailure.objects.values_list("username", flat=True)) == {"mark.ross@example.com"}
        assert sign_in(client, "mark.ross@example.com", password).status_code == 429

    @pytest.mark.parametrize("typed", SAME_ADDRESS)
    def test_the_same_address_in_other_characters_signs_in(self, client, mark, password, typed):
        assert sign_in(client, typed, password).status_code == 302
        assert signed_in(client)

    def test_addresses_are_stored_in_the_canonical_form(self, db):
        user = User.objects.create_user("\uff2c\uff29\uff2e@Example.COM", "a-long-enough-password")
        assert user.email == "lin@example.com"

    @pytest.mark.parametrize("typed", ["l\u0131n@example.com", "L\u0130N@example.com", "lin@ex\u0131mple.com"])
    def test_sign_up_refuses_an_address_that_looks_like_another(self, client, db, typed):
        response = client.post(reverse("accounts:signup"), signup_data(email=typed))
        assert response.status_code == 400
        assert "plain Latin letters" in response.text
        assert not User.objects.filter(display_name="Lin Xia").exists()

    def test_sign_up_folds_compatibility_characters(self, client, db):
        response = client.post(reverse("accounts:signup"), signup_data(email="\uff2c\uff49n@example.com"))
        assert response.status_code == 302
        assert list(User.objects.values_list("email", flat=True)) == ["lin@example.com"]

    def test_an_invitation_to_a_look_alike_address_is_refused(self, api, cast):
        response = api(cast.alice).post(
            reverse("api:membership-invitation-list"),
            {"email": "b\u0131ll@example.com", "role": "member"},
            format="json",
        )
        assert response.status_code == 400
        assert "plain Latin letters" in str(response.json())
