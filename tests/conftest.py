"""Shared fixtures: the cast of users every permission test uses, and the
gates for tests that need real services (PostgreSQL, Redis, a Celery worker).

Without DATABASE_URL / REDIS_URL those tests are skipped with a reason; with
REQUIRE_SERVICES=1 (as in CI) a missing service fails them instead.
"""

import os
from types import SimpleNamespace

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from accounts.choices import Role
from tests.accounts.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    PlatformFactory,
    UserFactory,
)
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory
from tests.service_gates import missing_service

pytest_plugins = ["tests.celery_worker"]


# Tests that need a real service are heavy by nature: slow too (make test-fast).
SLOW_BY_MARKER = {"postgres", "celery_worker", "browser"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_BY_MARKER & {marker.name for marker in item.iter_markers()}:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _service_gates(request):
    markers = {marker.name for marker in request.node.iter_markers()}
    if markers & {"postgres", "celery_worker"} and connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if "celery_worker" in markers and not os.environ.get("REDIS_URL"):
        missing_service("needs Redis for a real Celery worker: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def _cold_matcher():
    """Each test starts as a freshly started worker: no matcher in memory (it
    would belong to another test's catalogue)."""
    from matching.services import matcher_cache

    matcher_cache._cache.matcher = None
    matcher_cache._cache.fingerprint = None
    yield
    matcher_cache._cache.matcher = None
    matcher_cache._cache.fingerprint = None


@pytest.fixture
def moderator(db):
    """A staff member who may moderate listings, as an admin would."""
    from django.contrib.auth.models import Permission

    user = UserFactory(email="moderator@example.com", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["moderate_capability", "moderate_need"]))
    return user


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def cast(db):
    """Alice owns an SME, Bob is a member there; Carol owns another SME.
    Dan is platform staff (owner), Erin belongs to another platform;
    Mallory is an admin. Frank has an account but no organisation."""
    sme = OrganizationFactory(legal_name="Alice Parts Co., Ltd.")
    other_sme = OrganizationFactory(legal_name="Carol Foods Co., Ltd.")
    platform = PlatformFactory(legal_name="Dan Cloud Co., Ltd.")
    other_platform = PlatformFactory(legal_name="Erin Compute Co., Ltd.")
    people = SimpleNamespace(
        sme=sme,
        other_sme=other_sme,
        platform=platform,
        other_platform=other_platform,
        alice=MembershipFactory(user__email="alice@example.com", organization=sme, role=Role.OWNER),
        bob=MembershipFactory(user__email="bob@example.com", organization=sme, role=Role.MEMBER),
        carol=MembershipFactory(user__email="carol@example.com", organization=other_sme, role=Role.OWNER),
        dan=MembershipFactory(user__email="dan@example.com", organization=platform, role=Role.OWNER),
        erin=MembershipFactory(user__email="erin@example.com", organization=other_platform, role=Role.OWNER),
        mallory=UserFactory(email="mallory@example.com", is_staff=True, is_superuser=True),
        frank=UserFactory(email="frank@example.com"),
    )
    return people


@pytest.fixture
def login(client):
    """Log the client in as a user or as the user of a membership."""

    def _login(who):
        user = getattr(who, "user", who)
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def capability(cast):
    """A published capability of Dan's platform that asks a question and has
    terms (version 3). Modules that need another override this fixture."""
    return CapabilityFactory(
        organization=cast.platform,
        title="发票 OCR API",
        application_question="How many invoices a month?",
        terms_text="Be fair.",
        terms_version=3,
    )


@pytest.fixture
def application(cast, capability):
    """Alice's SME has applied to ``capability`` (submitted)."""
    return ApplicationFactory(sme=cast.sme, capability=capability)


@pytest.fixture
def api():
    """An API client: ``api()`` anonymous, ``api(membership)`` with a real
    personal API token of that membership (made by the service, sent as a
    Bearer header), ``api(user, session=True)`` signed in by session."""

    def _client(who=None, *, session: bool = False):
        client = APIClient()
        if who is None:
            return client
        if session:
            client.force_login(getattr(who, "user", who))
            return client
        _token, raw = api_token_create(membership=who, name="tests", expires_in_days=None)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return _client
