"""Every route is classified: public, or needing a signed-in user. A new route
that is not listed here fails this test until someone decides who may use it
(and adds tests for who may and may not). The REST API's routes (namespace
``api``) are classified, per method and role, by tests/api/test_permissions.py."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {
    "home",
    "favicon",
    "health",
    "set_language",
    "accounts:signup",
    "accounts:signup_done",
    "accounts:login",
    "accounts:login_code",
    "accounts:login_setup",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:invitation_accept",
    "accounts:digest_unsubscribe",
    "accounts:organization_public",
    "marketplace:catalogue",
    "marketplace:capability_detail",
    "marketplace:needs_board",
    "marketplace:need_detail",
    "api-schema",
    "api-docs",
}
SIGNED_IN = {
    "accounts:logout",
    "accounts:profile",
    "accounts:two_factor",
    "accounts:two_factor_setup",
    "accounts:two_factor_recovery_codes",
    "accounts:two_factor_disable",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:organization_settings",
    "accounts:api_tokens",
    "accounts:api_token_revoke",
    "accounts:organization_create",
    "accounts:organization_switch",
    "accounts:members",
    "accounts:member_role",
    "accounts:member_remove",
    "accounts:invitation_revoke",
    "marketplace:workspace_capabilities",
    "marketplace:capabilities_create",
    "marketplace:capabilities_edit",
    "marketplace:capabilities_action",
    "marketplace:workspace_needs",
    "marketplace:needs_create",
    "marketplace:needs_edit",
    "marketplace:needs_action",
    "marketplace:application_apply",
    "marketplace:invitation_send",
    "marketplace:applications",
    "marketplace:application_detail",
    "marketplace:application_message",
    "marketplace:application_action",
    "marketplace:invitations",
    "marketplace:invitation_decline",
    "marketplace:notifications",
    "marketplace:notifications_mark_read",
    "marketplace:notification_open",
    "dashboards:dashboard",
    "dashboards:dashboard_export",
    "dashboards:ecosystem_dashboard",
    "dashboards:ecosystem_export",
    "matching:feedback",
}
# Arguments that make each route resolvable in the anonymous check below.
SAMPLE_KWARGS = {"pk": 1, "action": "submit", "token": "x", "uidb64": "x", "slug": "applications"}


def named_routes(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django admin guards itself (staff only), tested in test_admin
            if pattern.namespace == "api":
                continue  # the REST API: tests/api/test_permissions.py
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_route_is_classified():
    names = {name for name, _pattern in named_routes()}
    assert not PUBLIC & SIGNED_IN
    assert names - PUBLIC - SIGNED_IN == set(), "classify the new routes in tests/test_url_inventory.py"
    assert (PUBLIC | SIGNED_IN) - names == set(), "remove routes that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGNED_IN))
def test_signed_in_routes_turn_anonymous_visitors_away(client, name):
    pattern = dict(named_routes())[name]
    kwargs = {
        key: value
        for key, value in SAMPLE_KWARGS.items()
        if f"<{key}>" in str(pattern.pattern) or f":{key}>" in str(pattern.pattern)
    }
    if name == "accounts:password_reset_confirm":
        kwargs = {"uidb64": "x", "token": "y"}
    url = reverse(name, kwargs=kwargs or None)
    response = client.post(url) if name.endswith(("logout",)) else client.get(url)
    post = client.post(url)
    # Signed-out visitors are sent to log in (or refused a wrong method), never shown the page.
    assert response.status_code in (302, 405), (name, response.status_code)
    assert post.status_code in (302, 405), (name, post.status_code)
    if response.status_code == 302 and not name.endswith("logout"):
        assert response.url.startswith(reverse("accounts:login"))
