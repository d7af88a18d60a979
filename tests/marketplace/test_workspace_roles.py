"""Workspace pages × roles: who gets the page, who is refused (403), who is
sent to register an organisation (302)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SME_ROLES = ("alice", "bob", "carol")
PLATFORM_ROLES = ("dan", "erin")
NO_ORGANIZATION = ("mallory", "frank")  # admins work in Django admin

PAGES = {
    # url name: which organisations may open it
    "marketplace:workspace_needs": "sme",
    "marketplace:needs_create": "sme",
    "marketplace:workspace_capabilities": "platform",
    "marketplace:capabilities_create": "platform",
    "marketplace:applications": "both",
    "marketplace:invitations": "both",
    "marketplace:notifications": "both",
}


def expected(role: str, audience: str) -> int:
    if role in NO_ORGANIZATION:
        return 302
    kind = "sme" if role in SME_ROLES else "platform"
    return 200 if audience in ("both", kind) else 403


@pytest.mark.parametrize("role", SME_ROLES + PLATFORM_ROLES + NO_ORGANIZATION)
@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_workspace_page_by_role(client, cast, role, url_name):
    who = getattr(cast, role)
    client.force_login(getattr(who, "user", who))
    response = client.get(reverse(url_name))
    assert response.status_code == expected(role, PAGES[url_name])
    if response.status_code == 302:
        assert response.url == reverse("accounts:organization_create")
