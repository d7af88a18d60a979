"""The demo marketplace loaded by seed_demo: big enough, bilingual, in every
state, written through the services, and idempotent."""

import io
import random
import re
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction

from accounts.choices import OrganizationKind
from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import Membership, Organization, User
from marketplace.choices import AccessModel, CapabilityKind, ListingStatus, NeedVisibility
from marketplace.demo import plan_demo
from marketplace.models import AuditEvent, Capability, Need, Notification, Tag
from marketplace.search import STOP_WORDS
from marketplace.selectors import capabilities_catalogue, needs_board

pytestmark = pytest.mark.django_db

COUNTED = (Organization, User, Membership, Capability, Need, Tag, AuditEvent, Notification)
CJK = re.compile(r"[\u4e00-\u9fff]")
MODERATED = (ListingStatus.CHANGES_REQUESTED, ListingStatus.REJECTED, ListingStatus.SUSPENDED)


def _counts() -> dict:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo run twice, once for the whole module (it takes seconds), and
    rolled back afterwards; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = io.StringIO()
        call_command("seed_demo", stdout=output)
        first = _counts()
        call_command("seed_demo", stdout=output)
        yield {"first": first, "second": _counts(), "output": output.getvalue()}
        transaction.set_rollback(True)


def _search_word(title: str) -> str:
    """A word of the title a person might search for: a Chinese run of two or
    more characters, else the longest Latin word that is not a stop word."""
    chinese = [run for run in re.findall(r"[\u4e00-\u9fff]+", title) if len(run) >= 2]
    if chinese:
        return chinese[0][:4]
    words = [word for word in re.findall(r"[A-Za-z]+", title) if word.lower() not in STOP_WORDS]
    return max(words, key=len)


def test_a_second_run_creates_nothing(seeded):
    assert seeded["first"]["Capability"] > 0
    assert seeded["second"] == seeded["first"]
    assert "created now: 0 organisations, 0 users, 0 capabilities, 0 needs" in seeded["output"]
    assert "Demo logins" in seeded["output"]


def test_the_marketplace_is_big_enough_and_covers_every_kind_model_and_state(seeded):
    assert Organization.objects.filter(kind=OrganizationKind.PLATFORM).count() >= 8
    assert Organization.objects.filter(kind=OrganizationKind.SME).count() >= 40
    assert Organization.objects.filter(verified_at__isnull=True).exists()
    assert Capability.objects.count() >= 150
    assert Need.objects.count() >= 200
    published = Capability.objects.published()
    assert set(published.values_list("kind", flat=True)) == set(CapabilityKind.values)
    assert set(published.values_list("access_model", flat=True)) == set(AccessModel.values)
    for model in (Capability, Need):
        assert set(model.objects.values_list("status", flat=True)) == set(ListingStatus.values)
        assert model.objects.published().count() > model.objects.count() / 2
    assert Need.objects.published().filter(visibility=NeedVisibility.PLATFORMS_ONLY).exists()
    assert len(set(Organization.objects.values_list("province", flat=True))) >= 20
    assert len(set(Organization.objects.values_list("industry", flat=True))) >= 10


def test_texts_are_chinese_english_and_mixed(seeded):
    for model in (Capability, Need):
        titles = list(model.objects.values_list("title", flat=True))
        assert any(CJK.search(title) for title in titles)
        assert any(title.isascii() for title in titles)
    descriptions = Capability.objects.values_list("description", flat=True)
    assert any(CJK.search(text) and re.search(r"[A-Za-z]{4,} [a-z]{3,}", text) for text in descriptions)
    tag_names = list(Tag.objects.values_list("name", flat=True))
    assert any(CJK.search(name) for name in tag_names)
    assert any(name.isascii() for name in tag_names)
    assert set(User.objects.values_list("preferred_language", flat=True)) == {"en", "zh-hans"}


def test_published_listings_are_found_by_a_word_of_their_title(seeded):
    pick = random.Random(7)  # noqa: S311 - picks a sample, not a secret
    for capability in pick.sample(list(Capability.objects.published()), 10):
        word = _search_word(capability.title)
        assert capability in capabilities_catalogue(query=word), (capability.title, word)
    public_needs = list(Need.objects.published().filter(visibility=NeedVisibility.PUBLIC))
    for need in pick.sample(public_needs, 5):
        word = _search_word(need.title)
        assert need in needs_board(membership=None, query=word), (need.title, word)


def test_listings_reached_their_state_through_the_services(seeded):
    for model in (Capability, Need):
        content_type = ContentType.objects.get_for_model(model)
        last_state = {}
        for object_id, to_state in AuditEvent.objects.filter(content_type=content_type).values_list(
            "object_id", "to_state"
        ):
            last_state[object_id] = to_state
        listings = list(model.objects.values_list("pk", "status", "search_document", "moderation_reason"))
        assert {pk: status for pk, status, _document, _reason in listings} == last_state
        assert all(document.strip() for _pk, _status, document, _reason in listings)
        assert all(reason for _pk, status, _document, reason in listings if status in MODERATED)
    # The made-up history is not e-mailed to the fictional owners.
    assert Notification.objects.exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_rows_are_valid(seeded):
    pick = random.Random(11)  # noqa: S311 - picks a sample, not a secret
    for organization in Organization.objects.all():
        organization.full_clean()
    for user in pick.sample(list(User.objects.all()), 10):
        user.full_clean()
    for model in (Capability, Need):
        for listing in pick.sample(list(model.objects.all()), 30):
            listing.full_clean()
    assert not Capability.objects.filter(kind=CapabilityKind.DATA, data_classification="").exists()
    assert not Capability.objects.exclude(kind=CapabilityKind.DATA).exclude(data_classification="").exists()


def test_every_organisation_has_an_owner_who_can_log_in(seeded, client):
    owners = Membership.objects.filter(role="owner").values_list("organization_id", flat=True)
    assert set(Organization.objects.values_list("pk", flat=True)) <= set(owners)
    for email in ("owner-1@tandem.example", "sme@tandem.example", "platform@tandem.example"):
        assert client.login(username=email, password=DEMO_PASSWORD)
        client.logout()


def test_the_plan_is_the_same_every_time():
    def titles():
        plan = plan_demo(seeded={}, today=date(2026, 3, 1))
        return [listing.fields["title"] for listing in plan.capabilities + plan.needs]

    assert titles() == titles()
