"""What every endpoint shares: the root, throttling, the error shape of
unknown routes and methods, the schema and its docs page."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from accounts.api_tokens import api_token_create
from config.api.throttling import FailedAuthenticationThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_the_root_lists_every_collection(api):
    body = api().get(reverse("api:root")).json()

    assert body["schema"].endswith("/api/schema/") and body["docs"].endswith("/api/docs/")
    for name in ("capability", "need", "application", "match", "stats", "me"):
        assert body["endpoints"][name].startswith("http://testserver/api/v1/")


LOW = {"user": "3/minute", "anon": "2/minute", "failed_auth": "3/minute"}


@override_settings(API_THROTTLE_RATES=LOW)
def test_anonymous_callers_are_limited_per_address(api):
    client = api()
    statuses = [client.get(reverse("api:capability-list"), REMOTE_ADDR="10.1.1.1").status_code for _ in range(3)]
    elsewhere = client.get(reverse("api:capability-list"), REMOTE_ADDR="10.1.1.2")

    assert statuses == [200, 200, 429]
    assert elsewhere.status_code == 200


@override_settings(API_THROTTLE_RATES=LOW)
def test_a_forged_forwarded_for_header_does_not_reset_the_count(api):
    client = api()
    statuses = [
        client.get(reverse("api:capability-list"), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]

    assert statuses == [200, 200, 429]


@override_settings(API_THROTTLE_RATES=LOW)
def test_signed_in_callers_are_limited_per_user_with_a_clear_answer(api, cast):
    client = api(cast.alice)
    for _ in range(3):
        assert client.get(reverse("api:me")).status_code == 200

    response = client.get(reverse("api:me"))

    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled" and body["extra"]["wait"] > 0
    assert int(response["Retry-After"]) > 0
    assert api(cast.carol).get(reverse("api:me")).status_code == 200


def test_an_unsupported_method_is_a_405_in_the_error_shape(api, cast):
    response = api(cast.alice).delete(reverse("api:capability-list"))

    assert response.status_code == 405
    assert set(response.json()) == {"message", "code", "extra"}


def test_a_body_that_is_not_json_is_refused(api, cast):
    client = api(cast.alice)

    malformed = client.post(reverse("api:need-list"), "{not json", content_type="application/json")
    form = client.post(reverse("api:need-list"), "title=x", content_type="application/x-www-form-urlencoded")

    assert malformed.status_code == 400 and malformed.json()["code"] == "parse_error"
    assert form.status_code == 415


def test_path_ids_that_are_not_ids_are_404_not_errors(api, cast):
    client = api(cast.alice)

    for path in ("/api/v1/needs/abc/", "/api/v1/needs/-1/", f"/api/v1/needs/{10**30}/", "/api/v1/needs/999999999/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_the_schema_and_its_docs_are_served_without_a_cdn(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    docs = client.get(reverse("api-docs"))

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/applications/{id}/accept/" in paths
    assert "409" in paths["/api/v1/applications/{id}/accept/"]["post"]["responses"]
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "//cdn" not in html and "unpkg" not in html


@pytest.mark.parametrize("depth", [40, 20_000])
def test_deeply_nested_json_is_refused_cleanly(api, cast, depth):
    body = "[" * depth + "]" * depth

    response = api(cast.alice).post(reverse("api:need-list"), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@override_settings(API_THROTTLE_RATES=LOW)
def test_guessing_tokens_is_cut_off_per_address(api, cast, monkeypatch):
    # Counted in fixed windows: the clock stands still so that the attempts
    # cannot straddle a window's end.
    monkeypatch.setattr(FailedAuthenticationThrottle, "timer", staticmethod(lambda: 1_000_000.0))
    _token, raw = api_token_create(membership=cast.alice, name="real", expires_in_days=None)
    guesser = api()
    guesser.credentials(HTTP_AUTHORIZATION="Bearer tdm_00000000_guess")
    statuses = [guesser.get(reverse("api:me"), REMOTE_ADDR="10.2.2.2").status_code for _ in range(4)]

    guesser.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    after = guesser.get(reverse("api:me"), REMOTE_ADDR="10.2.2.2")
    elsewhere = guesser.get(reverse("api:me"), REMOTE_ADDR="10.2.2.3")

    assert statuses == [401, 401, 401, 429]
    assert after.status_code == 429
    assert elsewhere.status_code == 200
    # Requests without credentials from that address are not locked out.
    assert api().get(reverse("api:capability-list"), REMOTE_ADDR="10.2.2.2").status_code == 200
    # Nor is the schema, which reads no credentials at all.
    assert guesser.get(reverse("api-schema"), REMOTE_ADDR="10.2.2.2").status_code == 200


@override_settings(API_THROTTLE_RATES=LOW)
def test_refused_calls_count_towards_the_limits(api, cast):
    anonymous = [api().get(reverse("api:application-list"), REMOTE_ADDR="10.3.3.3").status_code for _ in range(3)]
    no_organisation = api(cast.frank, session=True)
    signed_in = [no_organisation.get(reverse("api:application-list")).status_code for _ in range(4)]

    assert anonymous == [401, 401, 429]
    assert signed_in == [403, 403, 403, 429]


def test_a_body_over_the_upload_limit_is_a_413_in_the_error_shape(api, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api(cast.alice)
    client.raise_request_exception = False

    response = client.post(reverse("api:need-list"), '{"title": "' + "x" * 5000 + '"}', content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
