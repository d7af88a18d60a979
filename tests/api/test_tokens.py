"""Personal API tokens: the settings page, and what a token can and cannot do."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_tokens import MAX_ACTIVE_TOKENS, api_token_create
from accounts.models import ApiToken, Membership
from accounts.services import membership_remove

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def me(raw: str):
    return bearer(raw).get(reverse("api:me"))


def test_the_page_shows_a_new_token_once_and_stores_only_its_digest(login, cast, password):
    client = login(cast.alice)

    created = client.post(
        reverse("accounts:api_tokens"), {"name": "ERP sync", "expires_in_days": "90", "password": password}
    )
    assert created.status_code == 302
    response = client.get(reverse("accounts:api_tokens"))

    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("tdm_") and raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.membership == cast.alice and token.name == "ERP sync"
    assert raw not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    listing = client.get(reverse("accounts:api_tokens")).content.decode()
    assert "ERP sync" in listing and raw not in listing


def test_a_token_acts_for_its_organisation(cast):
    _token, raw = api_token_create(membership=cast.alice, name="ERP", expires_in_days=None)

    body = me(raw).json()

    assert body["user"]["email"] == "alice@example.com"
    assert body["membership"]["organization"]["id"] == cast.sme.pk
    assert body["via_token"] is True
    assert ApiToken.objects.get().last_used_at is not None


def test_a_nameless_token_is_refused_on_the_page(login, cast, password):
    response = login(cast.alice).post(
        reverse("accounts:api_tokens"), {"name": "  ", "expires_in_days": "30", "password": password}
    )

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_people_without_an_organisation_are_sent_to_register_one(login, cast):
    response = login(cast.frank).get(reverse("accounts:api_tokens"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:organization_create")


def test_revoked_expired_and_mistyped_tokens_are_401(cast):
    revoked, revoked_raw = api_token_create(membership=cast.alice, name="old", expires_in_days=None)
    expired, expired_raw = api_token_create(membership=cast.alice, name="short", expires_in_days=30)
    _token, good_raw = api_token_create(membership=cast.alice, name="good", expires_in_days=None)
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    for raw in (revoked_raw, expired_raw, good_raw[:-1] + ("A" if good_raw[-1] != "A" else "B"), "tdm_x", "nonsense"):
        response = me(raw)
        assert response.status_code == 401, raw
        assert response.json()["code"] == "authentication_failed"
    assert me(good_raw).status_code == 200


def test_only_the_owner_can_revoke_and_revoking_stops_the_token(login, cast):
    token, raw = api_token_create(membership=cast.alice, name="ERP", expires_in_days=None)

    assert login(cast.bob).post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    assert me(raw).status_code == 200

    response = login(cast.alice).post(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert me(raw).status_code == 401


def test_leaving_the_organisation_ends_its_tokens(cast):
    _token, raw = api_token_create(membership=cast.bob, name="Bob's script", expires_in_days=None)

    membership_remove(actor=cast.alice, membership_id=cast.bob.pk)

    assert me(raw).status_code == 401
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_cannot_use_their_tokens(cast):
    _token, raw = api_token_create(membership=cast.alice, name="ERP", expires_in_days=None)
    cast.alice.user.is_active = False
    cast.alice.user.save(update_fields=["is_active"])

    assert me(raw).status_code == 401


def test_the_number_of_live_tokens_is_capped(login, cast, password):
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(membership=cast.alice, name=f"t{n}", expires_in_days=None)

    response = login(cast.alice).post(
        reverse("accounts:api_tokens"), {"name": "one more", "expires_in_days": "", "password": password}
    )

    assert response.status_code == 400
    assert "active tokens" in response.text
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_a_token_of_one_organisation_does_not_see_the_other(cast):
    """Dan belongs to a platform; a token for it acts for that platform only,
    whatever the browser session last chose."""
    second = Membership.objects.create(user=cast.dan.user, organization=cast.sme, role="member")
    _token, raw = api_token_create(membership=second, name="SME side", expires_in_days=None)

    assert me(raw).json()["membership"]["organization"]["id"] == cast.sme.pk


def test_session_writes_need_the_csrf_token(cast):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast.alice.user)

    response = client.post(reverse("api:need-list"), {}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_a_staff_members_token_has_no_staff_powers(cast, django_capture_on_commit_callbacks):
    """Mallory (staff, superuser) also works for Dan's platform: her token acts
    for that platform only, never as an administrator."""
    from tests.marketplace.factories import NeedFactory

    membership = Membership.objects.create(user=cast.mallory, organization=cast.platform, role="member")
    _token, raw = api_token_create(membership=membership, name="ops", expires_in_days=None)
    draft = NeedFactory(organization=cast.other_sme, status="submitted")
    client = bearer(raw)

    assert client.get(reverse("api:need-detail", args=[draft.pk])).status_code == 404
    refused = client.post(reverse("api:need-publish", args=[draft.pk]), {}, format="json")

    assert refused.status_code == 404
    draft.refresh_from_db()
    assert draft.status == "submitted"
    cast.mallory.refresh_from_db()
    assert cast.mallory.is_staff and cast.mallory.is_superuser


def test_the_wrong_scheme_gets_a_hint(cast):
    _token, raw = api_token_create(membership=cast.alice, name="ERP", expires_in_days=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    response = client.get(reverse("api:me"))

    assert response.status_code == 401
    assert "Bearer" in response.json()["message"]


def test_admins_can_revoke_tokens_in_the_admin(client, cast):
    token, raw = api_token_create(membership=cast.alice, name="leaked", expires_in_days=None)
    client.force_login(cast.mallory)

    page = client.get(reverse("admin:accounts_apitoken_changelist"))
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert page.status_code == 200 and "leaked" in page.content.decode()
    assert raw not in page.content.decode() and token.key_hash not in page.content.decode()
    assert response.status_code == 200
    assert me(raw).status_code == 401


def test_a_new_token_is_not_shown_once_revoked_or_late(login, cast, monkeypatch, password):
    client = login(cast.alice)
    client.post(reverse("accounts:api_tokens"), {"name": "one", "expires_in_days": "30", "password": password})
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get(reverse("accounts:api_tokens")).context["new_token"] is None

    client.post(reverse("accounts:api_tokens"), {"name": "two", "expires_in_days": "30", "password": password})
    session = client.session
    session["new_api_token"]["at"] -= 301
    session.save()
    assert client.get(reverse("accounts:api_tokens")).context["new_token"] is None
