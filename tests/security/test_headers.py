"""The hardened settings as a browser meets them: the headers of ``/``,
``/api/v1/`` and ``/admin/login/``, the cookies, the session time-outs, the
password rules and the request size limits.

Production's values are read from config/settings/production.py itself (in a
fresh interpreter, as a production process would load them) and laid over
the test settings, so these tests follow production rather than a copy of it.
"""

import json
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from http.cookies import Morsel
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db import connection
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views import defaults

from accounts.middleware import REFRESH_EVERY, REFRESHED_AT, SIGNED_IN_AT
from accounts.models import User
from config.outages import server_error
from config.views import bad_request, page_not_found
from tests.accounts.test_views import signup_data

ROOT = Path(__file__).resolve().parents[2]
YEAR = 365 * 24 * 3600
PAGES = ["/", "/api/v1/", "/admin/login/"]
HTML_PAGES = ["/", "/admin/login/"]

PRODUCTION_VALUES = [
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CSP",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
    "SESSION_ABSOLUTE_AGE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SAMESITE",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "DATA_UPLOAD_MAX_NUMBER_FIELDS",
    "FILE_UPLOAD_MAX_MEMORY_SIZE",
    "PASSWORD_HASHERS",
    "AUTH_PASSWORD_VALIDATORS",
]

PROBE = """
import json, sys
from config.settings import production
json.dump({name: getattr(production, name) for name in sys.argv[1:]}, sys.stdout)
"""


def production_module_values(*names: str, **environment: str) -> dict:
    """``names`` as config.settings.production sets them, loaded in a fresh
    interpreter with the variables a deployment gives it."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        SECRET_KEY="x" * 64,
        ALLOWED_HOSTS="tandem.example",
        SITE_URL="https://tandem.example",
        EMAIL_URL="smtp+tls://mailer@mail.tandem.example:587",
        **environment,
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def production_values():
    values = production_module_values(*PRODUCTION_VALUES)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(settings, production_values):
    """The test settings with production's security values laid over them.
    The fast test hasher stays (only the Argon2 test uses production's)."""
    for name, value in production_values.items():
        if name != "PASSWORD_HASHERS":
            setattr(settings, name, value)
    return settings


@pytest.fixture
def https():
    """A browser behind the TLS-terminating proxy production expects."""
    return Client(headers={"X-Forwarded-Proto": "https"})


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def nonce_of(response) -> str:
    nonces = [value for value in csp_directives(response)["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1, response.headers["Content-Security-Policy"]
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


def script_tags(response) -> list[str]:
    return re.findall(r"<script\b[^>]*>", response.content.decode())


def cookie(response, name: str) -> Morsel:
    assert name in response.cookies, f"no {name} cookie in {list(response.cookies)}"
    return response.cookies[name]


# Headers.


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_the_hardened_headers(production, https, path):
    response = https.get(path)

    assert response.status_code == 200
    hsts = [part.strip() for part in response.headers["Strict-Transport-Security"].split(";")]
    assert int(hsts[0].removeprefix("max-age=")) >= YEAR
    assert "includeSubDomains" in hsts
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"

    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    for directive in ("script-src", "style-src"):
        assert directives[directive][0] == "'self'"
        assert all(value.startswith("'nonce-") for value in directives[directive][1:])
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "*" not in header


@pytest.mark.django_db
@pytest.mark.parametrize("path", HTML_PAGES)
def test_script_tags_carry_the_nonce_of_their_response_and_it_changes(production, https, path):
    first = https.get(path)
    second = https.get(path)

    nonce = nonce_of(first)
    assert len(nonce) >= 16
    assert nonce != nonce_of(second)
    tags = script_tags(first)
    assert tags, "the page has no script to check"
    assert all(f'nonce="{nonce}"' in tag for tag in tags), tags
    assert csp_directives(first)["style-src"] == ["'self'", f"'nonce-{nonce}'"]


@pytest.mark.django_db
def test_the_api_answers_json_with_the_policy_and_no_nonce(production, https):
    response = https.get("/api/v1/")

    assert response.headers["Content-Type"] == "application/json"
    assert csp_directives(response)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_the_api_docs_allow_data_images_and_keep_the_rest(production, https):
    """Swagger UI draws its icons as data: images; only its page allows them."""
    docs = https.get(reverse("api-docs"))
    home = https.get("/")

    directives = csp_directives(docs)
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["default-src"] == ["'self'"]
    nonce = nonce_of(docs)
    assert all(f'nonce="{nonce}"' in tag for tag in script_tags(docs))
    assert f'<style nonce="{nonce}">' in docs.content.decode()
    assert docs.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "img-src" not in csp_directives(home)


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_probe(production):
    plain = Client()

    page = plain.get("/admin/login/")
    health = plain.get(reverse("health"))

    assert page.status_code == 301
    assert page.headers["Location"] == "https://testserver/admin/login/"
    assert health.status_code == 200


# Cookies.


@pytest.mark.django_db
def test_csrf_and_session_cookies_are_host_only_secure_and_same_site(production, https, cast, password):
    login_page = https.get("/admin/login/")
    csrf = cookie(login_page, "__Host-csrftoken")
    signed_in = https.post(reverse("accounts:login"), {"username": cast.alice.user.email, "password": password})
    session = cookie(signed_in, "__Host-sessionid")

    for morsel in (csrf, session):
        assert morsel["secure"] is True
        assert morsel["samesite"] == "Lax"
        assert morsel["path"] == "/"
        assert morsel["domain"] == ""
    assert session["httponly"] is True
    # The idle time-out.
    assert int(session["max-age"]) == production.SESSION_COOKIE_AGE == 2 * 3600


@pytest.mark.django_db
def test_the_language_cookie_is_secure_and_same_site(production, https, cast, password):
    chosen = https.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    signed_in = https.post(reverse("accounts:login"), {"username": cast.alice.user.email, "password": password})
    for response in (chosen, signed_in):
        morsel = cookie(response, production.LANGUAGE_COOKIE_NAME)
        assert morsel["secure"] is True
        assert morsel["samesite"] == "Lax"


@pytest.mark.django_db
def test_signing_in_sets_the_prefixed_session_cookie(production, https, cast, password):
    response = https.post(reverse("accounts:login"), {"username": cast.alice.user.email, "password": password})

    assert response.status_code == 302
    assert cookie(response, "__Host-sessionid")["secure"] is True
    assert "sessionid" not in response.cookies


# Session time-outs.


def session_of(client) -> Session:
    return Session.objects.get(session_key=client.cookies["__Host-sessionid"].value)


def session_stamped(client, key: str, seconds_ago: int) -> None:
    """Set a time the middleware keeps in the session, ``seconds_ago``."""
    session = client.session
    session[key] = int(time.time()) - seconds_ago
    session.save()


@pytest.mark.django_db
def test_a_request_a_minute_after_the_last_refresh_pushes_the_idle_expiry_on(production, https, cast):
    https.force_login(cast.alice.user)
    session_stamped(https, SIGNED_IN_AT, 3600)
    session_stamped(https, REFRESHED_AT, REFRESH_EVERY)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))

    response = https.get(reverse("accounts:profile"))

    assert response.status_code == 200
    expires_in = session_of(https).expire_date - timezone.now()
    assert timedelta(hours=2) - timedelta(minutes=1) < expires_in <= timedelta(hours=2)
    assert int(cookie(response, "__Host-sessionid")["max-age"]) == 2 * 3600


@pytest.mark.django_db
def test_requests_within_the_minute_write_no_session(production, https, cast):
    """One write a minute per busy session, not one per page."""
    https.force_login(cast.alice.user)
    session_stamped(https, SIGNED_IN_AT, 3600)
    session_stamped(https, REFRESHED_AT, REFRESH_EVERY - 10)
    expiry = timezone.now() + timedelta(minutes=5)
    Session.objects.update(expire_date=expiry)

    response = https.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert session_of(https).expire_date == expiry
    assert "__Host-sessionid" not in response.cookies


@pytest.mark.django_db
def test_an_idle_session_is_signed_out(production, https, cast):
    https.force_login(cast.alice.user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = https.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_the_first_request_after_signing_in_notes_the_time(production, https, cast):
    https.force_login(cast.alice.user)
    before = int(time.time())

    https.get(reverse("accounts:profile"))

    assert before <= https.session[SIGNED_IN_AT] <= int(time.time())


@pytest.mark.django_db
def test_an_active_session_lasts_until_the_absolute_limit(production, https, cast):
    https.force_login(cast.alice.user)
    session_stamped(https, SIGNED_IN_AT, 12 * 3600 - 60)

    response = https.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert response.wsgi_request.user == cast.alice.user


@pytest.mark.django_db
def test_a_session_older_than_the_absolute_limit_is_signed_out(production, https, cast):
    https.force_login(cast.alice.user)
    session_stamped(https, SIGNED_IN_AT, production.SESSION_ABSOLUTE_AGE + 1)
    old_key = https.session.session_key

    response = https.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("accounts:login"))
    assert not Session.objects.filter(session_key=old_key).exists()
    login_page = https.get(response.headers["Location"])
    assert [str(message) for message in get_messages(login_page.wsgi_request)] == [
        "For your security, you are signed out 12 hours after signing in. Please sign in again."
    ]
    # Signing in again starts a new limit.
    https.force_login(cast.alice.user)
    assert https.get(reverse("accounts:profile")).status_code == 200


# Passwords.


def test_new_passwords_are_hashed_with_argon2(settings, production_values):
    settings.PASSWORD_HASHERS = production_values["PASSWORD_HASHERS"]

    encoded = make_password("correct-horse-battery-staple")

    assert production_values["PASSWORD_HASHERS"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct-horse-battery-staple", encoded)


def test_passwords_need_twelve_characters(production):
    with pytest.raises(ValidationError) as refused:
        validate_password("kettle-drum")  # 11 characters

    assert [error.code for error in refused.value.error_list] == ["password_too_short"]
    validate_password("kettle-drums")


@pytest.mark.django_db
def test_signing_up_with_an_eleven_character_password_is_refused(production, https):
    response = https.post(reverse("accounts:signup"), signup_data(password1="kettle-drum", password2="kettle-drum"))

    assert response.status_code == 400
    assert "at least 12 characters" in " ".join(response.context["form"].errors["password1"])
    assert not User.objects.exists()


# Request size limits.


@pytest.mark.django_db
def test_a_form_body_over_the_limit_is_a_400(production, https):
    body = "username=a&password=" + "x" * production.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = https.post(reverse("accounts:login"), body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_form_with_too_many_fields_is_a_400(production, https):
    body = "&".join(f"f{number}=1" for number in range(production.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = https.post(reverse("accounts:login"), body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/health/"])
def test_a_host_outside_allowed_hosts_gets_the_sites_400_page(path):
    """Refused before the authentication middleware runs: the error page and
    its context processors render with no request.user or request.membership."""
    response = Client().get(path, HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "Something in that request was not right" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/health/"])
def test_a_host_outside_allowed_hosts_gets_the_sites_400_page_in_production(production, path):
    response = Client().get(path, HTTP_HOST="evil.example", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 400
    assert "Something in that request was not right" in response.content.decode()


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        (lambda request: bad_request(request, SuspiciousOperation()), 400),
        (lambda request: defaults.permission_denied(request, PermissionDenied()), 403),
        (lambda request: page_not_found(request, Http404()), 404),
        (server_error, 500),
    ],
)
def test_error_pages_render_without_any_middleware_state(handler, status):
    """No session, user or membership on the request, and no database."""
    response = handler(RequestFactory().get("/somewhere/"))

    assert response.status_code == status
    assert b"<h1>" in response.content


@pytest.mark.django_db
def test_an_api_body_over_the_limit_is_a_413(production, https, cast):
    https.force_login(cast.alice.user)
    body = json.dumps({"title": "x" * production.DATA_UPLOAD_MAX_MEMORY_SIZE})

    response = https.post(reverse("api:need-list"), body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


# The database.


def test_postgresql_connections_get_a_statement_timeout():
    postgres = production_module_values("DATABASES", DATABASE_URL="postgres://tandem@db:5432/tandem")["DATABASES"]
    sqlite = production_module_values("DATABASES")["DATABASES"]
    unlimited = production_module_values(
        "DATABASES", DATABASE_URL="postgres://tandem@db:5432/tandem", DATABASE_STATEMENT_TIMEOUT="0"
    )["DATABASES"]

    assert postgres["default"]["OPTIONS"]["options"] == "-c statement_timeout=10000"
    assert postgres["default"]["CONN_HEALTH_CHECKS"] is True
    assert "OPTIONS" not in sqlite["default"] or "options" not in sqlite["default"]["OPTIONS"]
    assert "options" not in unlimited["default"].get("OPTIONS", {})


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_sessions_run_with_the_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "10s"
