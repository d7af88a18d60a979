"""API test helpers: a client per member of the cast, authenticated by a real
personal API token (made by the service, sent as a Bearer header)."""

import pytest
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create


@pytest.fixture
def api():
    """An API client: ``api()`` anonymous, ``api(membership)`` with a token
    of that membership, ``api(user, session=True)`` signed in by session."""

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
