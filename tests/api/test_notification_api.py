"""The caller's notifications through the API: listed newest first, filtered
by unread, marked read one by one or together; nobody sees another's."""

import pytest
from django.urls import reverse

from marketplace.choices import NotificationKind
from marketplace.models import Notification
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def notify(user, title="Your application to “OCR” is in review.", **kwargs):
    kwargs.setdefault("kind", NotificationKind.APPLICATION_DECISION)
    if "organization" not in kwargs:
        membership = user.memberships.order_by("pk").first()
        kwargs["organization"] = membership.organization if membership else None
    return Notification.objects.create(recipient=user, title=title, **kwargs)


def url(name, *args):
    return reverse(f"api:notification-{name}", args=args)


def test_the_list_is_the_callers_own_newest_first(api, cast):
    older = notify(cast.alice.user, title="Older")
    newer = notify(cast.alice.user, title="Newer", body="Reason: Pricing", url="/workspace/applications/7/")
    notify(cast.bob.user, title="Bob's")

    results = api(cast.alice).get(url("list")).json()["results"]

    assert [item["id"] for item in results] == [newer.pk, older.pk]
    assert results[0]["body"] == "Reason: Pricing"
    assert results[0]["link"] == "http://testserver/workspace/applications/7/"
    assert results[1]["link"] is None
    assert results[0]["read"] is False and results[0]["read_at"] is None


@pytest.mark.parametrize(("value", "titles"), [("true", ["Unread"]), ("false", ["Read"])])
def test_the_unread_filter(api, cast, value, titles):
    notify(cast.alice.user, title="Unread")
    read = notify(cast.alice.user, title="Read")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)

    results = api(cast.alice).get(url("list"), {"unread": value}).json()["results"]

    assert [item["title"] for item in results] == titles


def test_an_unknown_unread_value_is_a_400(api, cast):
    response = api(cast.alice).get(url("list"), {"unread": "maybe"})

    assert response.status_code == 400
    assert "unread" in response.json()["extra"]["fields"]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("frank", 403), ("mallory", 403)])
def test_callers_without_an_organisation_are_refused(api, cast, who, status):
    client = api() if who == "anonymous" else api(getattr(cast, who), session=True)

    assert client.get(url("list")).status_code == status
    assert client.post(url("mark-read"), {}, format="json").status_code == status


def test_another_persons_notification_is_a_404(api, cast):
    bobs = notify(cast.bob.user)
    client = api(cast.alice)

    assert client.get(url("detail", bobs.pk)).status_code == 404
    assert client.post(url("read", bobs.pk), format="json").status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_marking_one_read(api, cast):
    first, second = notify(cast.alice.user), notify(cast.alice.user)

    response = api(cast.alice).post(url("read", first.pk), format="json")

    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["read_at"] is not None
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert api(cast.alice).get(url("detail", first.pk)).json()["read"] is True


def test_marking_some_read_ignores_other_peoples_ids(api, cast):
    first, second = notify(cast.alice.user), notify(cast.alice.user)
    bobs = notify(cast.bob.user)

    response = api(cast.alice).post(url("mark-read"), {"ids": [first.pk, bobs.pk]}, format="json")

    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert set(Notification.objects.filter(read_at__isnull=False)) == {first}
    assert second not in Notification.objects.filter(read_at__isnull=False)


def test_marking_all_read(api, cast):
    for _ in range(3):
        notify(cast.alice.user)
    bobs = notify(cast.bob.user)

    response = api(cast.alice).post(url("mark-read"), {}, format="json")

    assert response.json() == {"marked": 3}
    assert not Notification.objects.filter(recipient=cast.alice.user, read_at__isnull=True).exists()
    bobs.refresh_from_db()
    assert bobs.read_at is None
    assert api(cast.alice).post(url("mark-read"), format="json").json() == {"marked": 0}


@pytest.mark.parametrize("ids", [[], ["1"], [0], "all", None])
def test_ids_must_be_a_non_empty_list_of_ids(api, cast, ids):
    mine = notify(cast.alice.user)

    response = api(cast.alice).post(url("mark-read"), {"ids": ids}, format="json")

    assert response.status_code == 400
    assert "ids" in response.json()["extra"]["fields"]
    mine.refresh_from_db()
    assert mine.read_at is None


def test_a_token_reads_only_its_organisations_notifications(api, cast):
    """Alice also belongs to Carol's SME: her token for her own SME neither
    reads nor marks the news of the other."""
    second = MembershipFactory(user=cast.alice.user, organization=cast.other_sme)
    mine = notify(cast.alice.user, title="Ours", organization=cast.sme)
    theirs = notify(cast.alice.user, title="Carol's secret", organization=cast.other_sme)
    client = api(cast.alice)

    listed = client.get(url("list")).json()["results"]
    detail = client.get(url("detail", theirs.pk))
    marked = client.post(url("mark-read"), {}, format="json").json()

    assert [item["id"] for item in listed] == [mine.pk]
    assert detail.status_code == 404
    assert marked == {"marked": 1}
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert [item["id"] for item in api(second).get(url("list")).json()["results"]] == [theirs.pk]
