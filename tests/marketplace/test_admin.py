import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from marketplace.choices import ListingStatus
from marketplace.models import AuditEvent, Capability, Need, Notification
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db


def changelist(model="capability"):
    return reverse(f"admin:marketplace_{model}_changelist")


def test_review_queue_lists_submitted_first(client, cast):
    published = CapabilityFactory(organization=cast.platform, status=ListingStatus.PUBLISHED)
    waiting = CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
    client.force_login(cast.mallory)
    response = client.get(changelist())
    assert [c.pk for c in response.context["cl"].result_list][:2] == [waiting.pk, published.pk]
    response = client.get(changelist(), {"queue": "waiting"})
    assert [c.pk for c in response.context["cl"].result_list] == [waiting.pk]


def test_bulk_publish_notifies_owners_and_audits(client, cast):
    first = CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
    second = CapabilityFactory(organization=cast.other_platform, status=ListingStatus.SUBMITTED)
    client.force_login(cast.mallory)
    response = client.post(changelist(), {"action": "publish", "_selected_action": [first.pk, second.pk]}, follow=True)
    assert "2 listings updated" in response.text
    assert set(Capability.objects.values_list("status", flat=True)) == {ListingStatus.PUBLISHED}
    assert AuditEvent.objects.filter(action="publish", actor=cast.mallory).count() == 2
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        "dan@example.com",
        "erin@example.com",
    }


def test_request_changes_asks_for_a_reason_first(client, cast):
    need = NeedFactory(organization=cast.sme, status=ListingStatus.SUBMITTED)
    client.force_login(cast.mallory)
    data = {"action": "request_changes", "_selected_action": [need.pk]}
    response = client.post(changelist("need"), data)
    assert response.status_code == 200
    assert "reason" in response.context["form"].fields
    assert Need.objects.get().status == ListingStatus.SUBMITTED
    client.post(changelist("need"), {**data, "apply": "1", "reason": ""})
    assert Need.objects.get().status == ListingStatus.SUBMITTED
    client.post(changelist("need"), {**data, "apply": "1", "reason": "Say what volume you need."})
    need.refresh_from_db()
    assert (need.status, need.moderation_reason) == (ListingStatus.CHANGES_REQUESTED, "Say what volume you need.")
    assert Notification.objects.filter(recipient=cast.alice.user, body__contains="Say what volume").exists()


def test_wrong_state_is_reported_per_item(client, cast):
    draft = CapabilityFactory(organization=cast.platform, status=ListingStatus.DRAFT)
    client.force_login(cast.mallory)
    response = client.post(changelist(), {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert f"#{draft.pk}" in response.text
    assert Capability.objects.get().status == ListingStatus.DRAFT


def test_staff_without_moderation_permission_sees_no_actions(client, cast):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_capability"))
    CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
    client.force_login(viewer)
    response = client.get(changelist())
    assert response.status_code == 200
    assert 'value="publish"' not in response.text


def test_audit_log_is_read_only(client, cast):
    client.force_login(cast.mallory)
    CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
    client.post(
        changelist(), {"action": "publish", "_selected_action": list(Capability.objects.values_list("pk", flat=True))}
    )
    event = AuditEvent.objects.get()
    assert client.get(reverse("admin:marketplace_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:marketplace_auditevent_add")).status_code == 403
    client.post(reverse("admin:marketplace_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_listings_cannot_be_edited_or_deleted_in_admin(client, cast):
    capability = CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED, title="Original")
    client.force_login(cast.mallory)
    url = reverse("admin:marketplace_capability_change", args=[capability.pk])
    assert client.get(url).context["adminform"].form.fields == {}
    client.post(url, {"title": "Changed", "status": "published"})
    client.post(reverse("admin:marketplace_capability_delete", args=[capability.pk]), {"post": "yes"})
    capability.refresh_from_db()
    assert (capability.title, capability.status) == ("Original", ListingStatus.SUBMITTED)


def test_tags_are_read_only_in_admin(client, cast):
    from marketplace.models import Tag

    tag = Tag.objects.create(name="OCR", key="ocr")
    client.force_login(cast.mallory)
    client.post(reverse("admin:marketplace_tag_change", args=[tag.pk]), {"name": "发票"})
    assert Tag.objects.get().name == "OCR"
