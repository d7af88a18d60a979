import pytest
from django.urls import reverse

from accounts.models import Organization

pytestmark = pytest.mark.django_db


def test_admin_verify_action_records_who_and_when(login, cast):
    client = login(cast.mallory)
    response = client.post(
        reverse("admin:accounts_organization_changelist"),
        {"action": "verify", "_selected_action": [cast.sme.pk, cast.platform.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "2 organisations verified" in response.text
    verified = Organization.objects.filter(verified_at__isnull=False)
    assert set(verified.values_list("pk", flat=True)) == {cast.sme.pk, cast.platform.pk}
    assert {organization.verified_by for organization in verified} == {cast.mallory}


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:accounts_organization_changelist",
        "admin:accounts_user_changelist",
        "admin:accounts_membership_changelist",
        "admin:accounts_membershipinvitation_changelist",
    ],
)
def test_admin_lists_search_and_filter(login, cast, url_name):
    client = login(cast.mallory)
    assert client.get(reverse(url_name)).status_code == 200
    assert client.get(reverse(url_name), {"q": "alice"}).status_code == 200


def test_organization_admin_filters_and_inline(login, cast):
    client = login(cast.mallory)
    response = client.get(reverse("admin:accounts_organization_changelist"), {"kind": "sme", "verified": "no"})
    assert {o.pk for o in response.context["cl"].result_list} == {cast.sme.pk, cast.other_sme.pk}
    response = client.get(reverse("admin:accounts_organization_change", args=[cast.sme.pk]))
    assert response.status_code == 200
    assert cast.alice.user.display_name in response.text
    assert "Tandem administration" in response.text


def test_non_staff_cannot_use_admin(login, cast):
    client = login(cast.alice)
    response = client.get(reverse("admin:accounts_organization_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
