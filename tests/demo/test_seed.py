"""The demo marketplace loaded by seed_demo: big enough, bilingual, in every
state, written through the services, with a consistent history, and idempotent."""

import io
import random
import re
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.choices import Industry, OrganizationKind, Province, SizeBand
from accounts.models import Membership, Organization, User
from accounts.validators import credit_code_check_character
from demo.management.commands.seed_demo import DEMO_PASSWORD
from demo.seed import plan_demo
from demo.seed.vocabulary import BROAD_TAGS, PLACES, PROVINCE_OF_CITY
from marketplace.choices import (
    OPEN_APPLICATION_STATUSES,
    AccessModel,
    ApplicationStatus,
    CapabilityKind,
    DeclineReason,
    InvitationStatus,
    ListingStatus,
    NeedVisibility,
)
from marketplace.models import (
    Application,
    AuditEvent,
    Capability,
    Invitation,
    Message,
    Need,
    Notification,
    Tag,
)
from marketplace.models.tags import normalize_tag
from marketplace.search import STOP_WORDS
from marketplace.selectors import capabilities_catalogue, needs_board
from marketplace.services.applications import applications_expire_overdue

pytestmark = pytest.mark.django_db

COUNTED = (
    Organization, User, Membership, Capability, Need, Tag, AuditEvent, Notification, Application, Message, Invitation,
)  # fmt: skip
CJK = re.compile(r"[\u4e00-\u9fff]")
MODERATED = (ListingStatus.CHANGES_REQUESTED, ListingStatus.REJECTED, ListingStatus.SUSPENDED)
# Each city of the demo (Chinese, or English as a word) and its province.
CITY_PATTERNS = [
    (re.compile(re.escape(zh) + "|" + rf"\b{re.escape(en)}\b"), province)
    for province, (_code, cities) in PLACES.items()
    for zh, en in cities
]


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
    assert seeded["first"]["Application"] >= 120
    assert (
        "created now: 0 organisations, 0 users, 0 capabilities, 0 needs, 0 applications, 0 messages, 0 invitations"
        in seeded["output"]
    )
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


def _provinces_named(text: str) -> set[str]:
    """The provinces of the demo's cities (PLACES) that ``text`` names, in Chinese or English."""
    return {province for pattern, province in CITY_PATTERNS if pattern.search(text)}


def test_organisations_name_a_city_of_their_own_province(seeded):
    for organization in Organization.objects.all():
        named = _provinces_named(organization.legal_name)
        if organization.kind == OrganizationKind.SME:
            assert named, organization.legal_name
        assert named | _provinces_named(organization.description) <= {organization.province}, (
            organization.legal_name,
            organization.province,
        )


def test_listings_are_where_their_organisation_is(seeded):
    for need in Need.objects.select_related("organization"):
        province = need.organization.province
        assert need.region == province, (need.title, need.region, province)
        assert _provinces_named(f"{need.title}\n{need.description}") <= {province}, (need.title, province)
    for capability in Capability.objects.select_related("organization"):
        texts = (capability.title, capability.summary, capability.description, capability.quota_sla)
        assert _provinces_named("\n".join(texts)) <= {capability.organization.province}, capability.title
    # What SMEs and platforms write each other names the SME's city, or the platform's.
    for application in Application.objects.select_related("sme", "capability__organization"):
        sides = {application.sme.province, application.capability.organization.province}
        texts = (application.intended_use, application.answer, application.message, application.decline_note)
        assert _provinces_named("\n".join(texts)) <= sides, application.intended_use
    for invitation in Invitation.objects.select_related("need__organization", "capability__organization"):
        sides = {invitation.need.organization.province, invitation.capability.organization.province}
        assert _provinces_named(invitation.message) <= sides, invitation.message


def test_planned_firms_are_in_their_city_s_province_even_when_seed_demo_s_are_missing_or_moved():
    chengdu = "91510100MA6CDM004" + credit_code_check_character("91510100MA6CDM004")
    moved = {
        "industry": Industry.LOGISTICS, "province": Province.GUANGDONG, "size_band": SizeBand.MICRO, "verified_at": None,
    }  # fmt: skip
    for seeded in ({}, {chengdu: moved}):
        plan = plan_demo(seeded=seeded, today=date(2026, 3, 1))
        for org in plan.smes:
            assert PROVINCE_OF_CITY[org.city[0]] == org.fields["province"], (org.city, org.fields["province"])
        for need in plan.needs:
            assert need.fields["region"] == need.org.fields["province"]


def test_every_organisation_has_an_owner_who_can_log_in(seeded, client):
    owners = Membership.objects.filter(role="owner").values_list("organization_id", flat=True)
    assert set(Organization.objects.values_list("pk", flat=True)) <= set(owners)
    for email in ("owner-1@tandem.example", "sme@tandem.example", "platform@tandem.example"):
        assert client.login(username=email, password=DEMO_PASSWORD)
        client.logout()


def test_the_plan_is_the_same_every_time():
    def plan():
        plan = plan_demo(seeded={}, today=date(2026, 3, 1))
        listings = [(listing.fields["title"], listing.times) for listing in plan.capabilities + plan.needs]
        applications = [(a.intended_use, a.status, a.decline_note, a.steps) for a in plan.applications]
        invitations = [(i.message, i.outcome, i.sent) for i in plan.invitations]
        return listings, applications, invitations

    assert plan() == plan()


# --- applications, threads and invitations ---------------------------------------------


def _demo_organization(email: str) -> Organization:
    return Membership.objects.select_related("organization").get(user__email=email).organization


def test_applications_in_every_state_with_every_decline_reason(seeded):
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert set(statuses) == set(ApplicationStatus.values)
    assert all(count >= 5 for count in statuses.values()), statuses
    declined = Application.objects.filter(status=ApplicationStatus.DECLINED)
    assert set(declined.values_list("decline_reason", flat=True)) == set(DeclineReason.values)
    assert not declined.filter(decline_reason=DeclineReason.OTHER, decline_note="").exists()
    assert not Application.objects.exclude(status=ApplicationStatus.DECLINED).exclude(decline_reason="").exists()
    decided = Application.objects.filter(status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED])
    assert not decided.filter(Q(decided_at__isnull=True) | Q(decided_by__isnull=True)).exists()
    assert Application.objects.filter(need__isnull=False).exists()
    assert Application.objects.filter(need__isnull=True).exists()


def test_applications_respect_the_rules(seeded):
    for application in Application.objects.select_related("sme", "capability", "need"):
        capability = application.capability
        assert application.sme.kind == OrganizationKind.SME
        bands = capability.eligible_size_bands
        assert not bands or application.sme.size_band in bands
        assert application.sme.is_verified or not capability.requires_verification
        assert application.intended_use.strip()
        assert application.answer.strip() or not capability.application_question
        assert application.terms_version == capability.terms_version
        assert application.need is None or application.need.organization_id == application.sme_id
    pick = random.Random(5)  # noqa: S311 - picks a sample, not a secret
    for application in pick.sample(list(Application.objects.all()), 20):
        application.full_clean()


def test_applications_reached_their_state_through_the_services(seeded):
    content_type = ContentType.objects.get_for_model(Application)
    events = AuditEvent.objects.filter(content_type=content_type).order_by("created_at", "pk")
    actions, last_state = {}, {}
    for object_id, action, to_state in events.values_list("object_id", "action", "to_state"):
        actions.setdefault(object_id, []).append(action)
        last_state[object_id] = to_state
    assert dict(Application.objects.values_list("pk", "status")) == last_state
    assert all(history[0] == "submit" for history in actions.values())


def test_threads_alternate_between_the_two_organisations(seeded):
    threads = {}
    for application_id, sender_id in Message.objects.order_by("created_at", "pk").values_list(
        "application_id", "sender_organization_id"
    ):
        threads.setdefault(application_id, []).append(sender_id)
    assert len(threads) >= 60
    bodies = list(Message.objects.values_list("body", flat=True))
    assert any(CJK.search(body) for body in bodies)
    assert any(body.isascii() for body in bodies)
    applications = Application.objects.select_related("capability").in_bulk(list(threads))
    for application_id, senders in threads.items():
        application = applications[application_id]
        sides = {application.sme_id, application.capability.organization_id}
        assert set(senders) <= sides
        if application.status == ApplicationStatus.EXPIRED:
            assert senders == [application.sme_id]  # a reminder the platform never answered
            continue
        assert 2 <= len(senders) <= 6
        assert all(first != second for first, second in pairwise(senders))


def test_invitations_open_accepted_and_declined(seeded):
    statuses = Counter(Invitation.objects.values_list("status", flat=True))
    assert statuses[InvitationStatus.OPEN] >= 10
    assert statuses[InvitationStatus.ACCEPTED] >= 5
    assert statuses[InvitationStatus.DECLINED] >= 5
    assert sum(statuses.values()) >= 40
    for invitation in Invitation.objects.select_related("capability", "need", "application"):
        assert invitation.capability.status == ListingStatus.PUBLISHED
        assert invitation.need.status == ListingStatus.PUBLISHED
        assert invitation.message.strip()
        assert (invitation.application is not None) == (invitation.status == InvitationStatus.ACCEPTED)
        assert (invitation.answered_at is None) == (invitation.status == InvitationStatus.OPEN)
        if invitation.application:
            assert invitation.application.capability_id == invitation.capability_id
            assert invitation.application.sme_id == invitation.need.organization_id
            assert invitation.application.need_id == invitation.need_id


def _topics(listing) -> set[str]:
    return {normalize_tag(tag.name) for tag in listing.tags.all()} - BROAD_TAGS


def test_invitations_offer_what_the_need_asks_for(seeded):
    """A platform invites to a need its capability serves: of a kind the need
    wants, about the same thing (a shared tag beyond industry names and words
    like "SME"; sharing an industry is not enough)."""
    invitations = Invitation.objects.select_related("capability", "need").prefetch_related(
        "capability__tags", "need__tags"
    )
    for invitation in invitations:
        capability, need = invitation.capability, invitation.need
        pair = (capability.title, need.title)
        assert capability.kind in need.kinds_wanted, pair
        assert _topics(capability) & _topics(need), pair


@pytest.mark.parametrize("email", ["sme@tandem.example", "platform@tandem.example"])
def test_the_demo_logins_have_a_lively_workspace(seeded, email):
    organization = _demo_organization(email)
    own = Q(sme=organization) | Q(capability__organization=organization)
    applications = Application.objects.filter(own)
    assert len(set(applications.values_list("status", flat=True))) >= 3
    assert applications.filter(status__in=OPEN_APPLICATION_STATUSES).exists()
    assert Message.objects.filter(application__in=applications).values("application").distinct().count() >= 3
    invitations = Invitation.objects.filter(
        Q(need__organization=organization) | Q(capability__organization=organization)
    )
    assert invitations.filter(status=InvitationStatus.OPEN).exists()


def test_the_demo_sme_and_platform_talk_to_each_other(seeded):
    sme, platform = _demo_organization("sme@tandem.example"), _demo_organization("platform@tandem.example")
    between = Application.objects.filter(sme=sme, capability__organization=platform)
    assert between.filter(status__in=OPEN_APPLICATION_STATUSES).exists()
    assert Message.objects.filter(application__in=between).exists()


# --- history ----------------------------------------------------------------------------


def test_listing_timestamps_are_in_order_and_spread_over_months(seeded):
    now = timezone.now()
    for model in (Capability, Need):
        for listing in model.objects.all():
            times = [listing.created_at, listing.submitted_at, listing.published_at, listing.updated_at]
            assert all(time <= now for time in times if time)
            assert listing.created_at >= listing.organization.created_at
            if listing.submitted_at:
                assert listing.created_at < listing.submitted_at <= listing.updated_at
            if listing.status == ListingStatus.PUBLISHED:
                assert listing.submitted_at < listing.published_at <= listing.updated_at
        published = model.objects.published()
        days = {timezone.localtime(moment).date() for moment in published.values_list("published_at", flat=True)}
        assert len(days) >= 30
        assert timezone.localdate() not in days
        oldest = published.order_by("published_at").first().published_at
        assert now - oldest > timedelta(days=90)


def test_application_timestamps_follow_their_story(seeded):
    now = timezone.now()
    expiry = timedelta(days=settings.APPLICATION_EXPIRY_DAYS)
    content_type = ContentType.objects.get_for_model(Application)
    expired_at = dict(
        AuditEvent.objects.filter(content_type=content_type, action="expire").values_list("object_id", "created_at")
    )
    applications = Application.objects.select_related("capability", "need").prefetch_related("messages")
    for application in applications:
        assert application.capability.published_at < application.created_at <= application.updated_at <= now
        assert application.terms_accepted_at == application.created_at
        if application.need and application.need.published_at:
            assert application.need.published_at < application.created_at
        if application.decided_at:
            assert application.created_at < application.decided_at <= application.updated_at
        sent = [message.created_at for message in application.messages.all()]
        assert sent == sorted(sent)
        assert all(application.created_at < time <= application.updated_at for time in sent)
        if application.status == ApplicationStatus.EXPIRED:
            assert expired_at[application.pk] - application.created_at >= expiry
        if application.status in OPEN_APPLICATION_STATUSES:
            assert now - application.created_at < expiry
    # So the periodic task has nothing to expire right after seeding.
    assert applications_expire_overdue() == 0


def test_invitation_and_audit_timestamps_are_consistent(seeded):
    for invitation in Invitation.objects.select_related("capability", "need", "application"):
        assert invitation.created_at > max(invitation.capability.published_at, invitation.need.published_at)
        if invitation.answered_at:
            assert invitation.created_at < invitation.answered_at
        if invitation.application:
            assert invitation.answered_at == invitation.application.created_at
    # Every object's audit trail is in the order it was written, none of it from the future.
    trails = {}
    for content_type, object_id, moment in AuditEvent.objects.order_by("pk").values_list(
        "content_type", "object_id", "created_at"
    ):
        trails.setdefault((content_type, object_id), []).append(moment)
    assert all(moments == sorted(moments) for moments in trails.values())
    assert not AuditEvent.objects.filter(created_at__gt=timezone.now()).exists()
    # An application's audit events carry the times of its story.
    content_type = ContentType.objects.get_for_model(Application)
    for application in Application.objects.all()[:40]:
        events = AuditEvent.objects.filter(content_type=content_type, object_id=application.pk)
        assert events.first().created_at == application.created_at
        if application.decided_at:
            assert events.filter(created_at=application.decided_at).exists()


def test_notifications_are_dated_and_the_old_ones_read(seeded):
    now = timezone.now()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    assert Notification.objects.filter(created_at__lt=now - timedelta(days=30)).exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert not Notification.objects.filter(read_at__isnull=False, read_at__lt=F("created_at")).exists()
    for email in ("sme@tandem.example", "platform@tandem.example"):
        assert Notification.objects.filter(recipient__email=email).exists()


def test_every_recorded_action_and_state_has_words_for_the_admin(seeded):
    from marketplace.choices import AUDIT_ACTIONS, RECORD_STATES

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    states = set(AuditEvent.objects.values_list("from_state", flat=True)) | set(
        AuditEvent.objects.values_list("to_state", flat=True)
    )

    assert len(actions) >= 15
    assert actions - set(AUDIT_ACTIONS) == set()
    assert states - {""} - set(RECORD_STATES) == set()
