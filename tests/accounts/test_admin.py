import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import Organization, User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_verify_action_records_who_and_when(login, cast):
    client = login(cast.mallory)
    assert 'value="verify"' in client.get(reverse("admin:accounts_organization_changelist")).text
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


def test_view_only_staff_cannot_verify(login, cast):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_organization"))
    client = login(viewer)
    changelist = reverse("admin:accounts_organization_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    assert 'value="verify"' not in response.text
    client.post(changelist, {"action": "verify", "_selected_action": [cast.sme.pk]})
    assert not Organization.objects.filter(verified_at__isnull=False).exists()


def test_admin_verify_is_logged(login, cast):
    client = login(cast.mallory)
    client.post(
        reverse("admin:accounts_organization_changelist"), {"action": "verify", "_selected_action": [cast.sme.pk]}
    )
    entry = LogEntry.objects.get(object_id=str(cast.sme.pk))
    assert entry.user == cast.mallory
    assert entry.is_change()


def test_admin_adds_user_with_normalized_email(login, cast):
    client = login(cast.mallory)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "  New.Person@Example.COM ",
            "display_name": "New Person",
            "usable_password": "true",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(display_name="New Person").email == "new.person@example.com"


def test_admin_normalizes_credit_code(login, cast):
    client = login(cast.mallory)
    url = reverse("admin:accounts_organization_change", args=[cast.sme.pk])
    data = {
        "kind": "sme",
        "legal_name": cast.sme.legal_name,
        "credit_code": "9133 0100 7161 0585 2f",
        "size_band": "small",
        "industry": "manufacturing",
        "province": "zhejiang",
        "website": "",
        "description": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    cast.sme.refresh_from_db()
    assert cast.sme.credit_code == "91330100716105852F"


def test_non_staff_cannot_use_admin(login, cast):
    client = login(cast.alice)
    response = client.get(reverse("admin:accounts_organization_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
