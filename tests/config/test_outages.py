"""A database that cannot be reached answers 503 with Retry-After (the API
in its error shape), not the generic 500 page; other errors still get 500."""

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    def patch():
        monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)

    return patch


@pytest.mark.django_db
def test_a_page_answers_503_when_the_database_is_down(client, database_down):
    client.raise_request_exception = False
    database_down()
    response = client.get("/capabilities/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Tandem is briefly unavailable" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_503_in_its_error_shape(client, database_down):
    client.raise_request_exception = False
    database_down()
    response = client.get("/api/v1/capabilities/")
    assert response.status_code == 503
    assert response.json() == {
        "message": "The service is briefly unavailable. Try again in a moment.",
        "code": "unavailable",
        "extra": {},
    }


@pytest.mark.django_db
def test_other_errors_still_answer_500(client, monkeypatch):
    client.raise_request_exception = False

    def broken(self, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", broken)
    response = client.get("/capabilities/")
    assert response.status_code == 500
