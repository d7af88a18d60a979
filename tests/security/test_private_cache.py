"""Responses that depend on who is asking carry ``Cache-Control: private,
no-store`` (config.middleware.PrivateResponsesMiddleware): every signed-in
page of the URL inventory, the CSV exports, session-authenticated API
answers. The API's routes are checked per role in the permission matrix
(tests/api/test_permissions.py). Public pages asked for without a session
stay as they were."""

import pytest
from django.urls import reverse

from tests.test_url_inventory import PUBLIC, SAMPLE_KWARGS, SIGNED_IN, named_routes

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def sample_url(name: str) -> str:
    pattern = str(dict(named_routes())[name].pattern)
    kwargs = {key: value for key, value in SAMPLE_KWARGS.items() if f"<{key}>" in pattern or f":{key}>" in pattern}
    return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("name", sorted(SIGNED_IN))
def test_every_signed_in_page_is_private(client, cast, name):
    client.force_login(cast.dan.user)
    response = client.get(sample_url(name))
    assert {"private", "no-store"} <= directives(response), (name, response.status_code, response.get("Cache-Control"))


@pytest.mark.parametrize("name", ["home", "marketplace:catalogue", "marketplace:needs_board", "accounts:signup"])
def test_public_pages_seen_signed_in_are_private(client, cast, name):
    client.force_login(cast.alice.user)
    assert {"private", "no-store"} <= directives(client.get(reverse(name)))


@pytest.mark.parametrize("name", ["home", "marketplace:catalogue", "marketplace:needs_board"])
def test_public_pages_without_a_session_stay_as_they_were(client, cast, name):
    assert name in PUBLIC
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" not in directives(response) and "private" not in directives(response)


def test_the_csv_exports_are_private(client, cast):
    client.force_login(cast.alice.user)
    response = client.get(reverse("dashboards:dashboard_export", args=["applications"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert {"private", "no-store"} <= directives(response)


def test_session_authenticated_api_answers_are_private(api, cast):
    response = api(cast.alice.user, session=True).get(reverse("api:capability-list"))
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "no-store" not in directives(api().get(reverse("api:capability-list")))


def test_an_anonymous_visitor_with_a_session_gets_a_private_answer(client, cast, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session-yet"
    assert {"private", "no-store"} <= directives(client.get(reverse("home")))


def test_a_views_own_directives_are_kept(client, cast):
    client.force_login(cast.alice.user)
    response = client.get(reverse("health"))
    assert {"private", "no-store", "must-revalidate"} <= directives(response)
