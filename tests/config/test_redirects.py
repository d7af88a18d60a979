import pytest
from django.test import RequestFactory
from django.urls import reverse

from config.redirects import next_path, redirect_to_next, same_site_path


@pytest.mark.parametrize(
    "url",
    ["/", "/needs/3/", "/needs/?q=data&page=2", "/accounts/login/?next=/needs/"],
)
def test_a_path_on_this_site_is_followed(url):
    assert same_site_path(url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "x",
        "home",
        "marketplace:notifications",
        "needs/3/",
        "https://evil.example/",
        "http://testserver/needs/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "javascript:alert(1)",
        " javascript:alert(1)",
        "/\x00/evil",
        "/needs/\r\nSet-Cookie: a=b",
        "mailto:someone@example.com",
    ],
)
def test_anything_else_is_refused(url):
    assert same_site_path(url) is None


def test_next_is_read_from_the_form_then_the_query_string():
    factory = RequestFactory()

    assert next_path(factory.post("/?next=/from-query/", {"next": "/from-form/"})) == "/from-form/"
    assert next_path(factory.get("/", {"next": "/from-query/"})) == "/from-query/"
    assert next_path(factory.get("/", {"next": "//evil.example/"})) is None


def test_redirect_falls_back_to_the_default_url_name():
    response = redirect_to_next(RequestFactory().post("/", {"next": "x"}), default="marketplace:notifications")

    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:notifications")
