"""The weekly digest e-mail: who gets one, what it says, in which language,
once a week only, and the one-click way out."""

import importlib
import re
from datetime import datetime, time, timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from celery.schedules import crontab
from django.apps import apps
from django.conf import settings
from django.core import mail, signing
from django.core.mail import InvalidMailer
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.digest_tokens import digest_unsubscribe_token, digest_unsubscribe_url
from marketplace.choices import ApplicationStatus, ListingStatus
from marketplace.models import Capability, Need
from matching.models import DigestDelivery, DigestStatus, Feedback, Match
from matching.services import digests, matcher_cache, rematch
from matching.tasks import digests_send_batch, digests_send_weekly
from tests.accounts.factories import MembershipFactory, OrganizationFactory, PlatformFactory, UserFactory
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db

REGION = {"code": "region", "region": "zhejiang"}
FRESH = {"code": "freshness", "days": 0}
UNSUBSCRIBE_RE = re.compile(r"https?://\S+/digest/unsubscribe/\S+/")


def propose(need, capability, *, score=0.8, rank=1, age=timedelta(hours=1), reasons=(REGION,), now=None):
    """A match the ranker proposed ``age`` before ``now``."""
    now = now or timezone.now()
    return Match.objects.create(
        need=need,
        capability=capability,
        score=score,
        rank=rank,
        reasons=list(reasons),
        computed_at=now,
        created_at=now - age,
    )


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def message_to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def this_monday(hour):
    """This week's Monday at ``hour`` o'clock, in the site's time zone."""
    return timezone.make_aware(datetime.combine(digests.digest_week(timezone.now()), time(hour)))


def delivery(user, *, week, status=DigestStatus.SENDING, claimed_ago=timedelta(0), **fields):
    now = timezone.now()
    fields = {"period_start": now - timedelta(days=7), "period_end": now} | fields
    return DigestDelivery.objects.create(user=user, week=week, status=status, claimed_at=now - claimed_ago, **fields)


@pytest.fixture
def need(cast):
    return NeedFactory(organization=cast.sme, title="Automatic invoice OCR")


@pytest.fixture
def capability(cast):
    return CapabilityFactory(organization=cast.platform, title="VAT invoice OCR API")


@pytest.fixture
def match(need, capability):
    return propose(need, capability, reasons=[FRESH, REGION])


class TestWhoGetsADigest:
    def test_every_member_of_both_sides_and_nobody_else(self, cast, match):
        digests.digests_send_all()
        # Alice and Bob (the SME), Dan (the platform): one e-mail each.
        assert recipients() == ["alice@example.com", "bob@example.com", "dan@example.com"]

    def test_not_those_who_turned_it_off(self, cast, match):
        cast.bob.user.weekly_digest = False
        cast.bob.user.save()
        digests.digests_send_all()
        assert "bob@example.com" not in recipients()
        assert "alice@example.com" in recipients()

    def test_not_inactive_accounts(self, cast, match):
        cast.alice.user.is_active = False
        cast.alice.user.save()
        digests.digests_send_all()
        assert "alice@example.com" not in recipients()

    def test_nothing_new_no_email(self, cast, need, capability):
        propose(need, capability, age=timedelta(days=8))  # older than a first digest looks back
        digests.digests_send_all()
        assert mail.outbox == []
        assert not DigestDelivery.objects.exists()

    def test_matches_older_than_the_last_digest_are_not_repeated(self, cast, need, capability):
        now = timezone.now()
        DigestDelivery.objects.create(
            user=cast.alice.user,
            week=digests.digest_week(now - timedelta(days=7)),
            status=DigestStatus.SENT,
            period_start=now - timedelta(days=9),
            period_end=now - timedelta(days=2),
        )
        propose(need, capability, age=timedelta(days=3), now=now)
        digests.digests_send_all(now=now)
        # Alice saw it in her last digest; Bob, on his first, has not.
        assert recipients() == ["bob@example.com", "dan@example.com"]
        newer = CapabilityFactory(organization=cast.other_platform, title="Receipt scanner")
        propose(need, newer, age=timedelta(days=1), now=now)
        mail.outbox.clear()
        digests.digests_send_all(now=now)
        message = message_to("alice@example.com")
        assert "Receipt scanner" in message.body
        assert "VAT invoice OCR API" not in message.body

    def test_only_good_matches_are_news(self, cast, need, capability):
        """A weak proposal stays on the pages; the e-mail carries fits of 30% or more."""
        weak = CapabilityFactory(organization=cast.other_platform, title="Weak one")
        propose(need, weak, score=0.29)
        propose(need, capability, score=0.3, rank=2)
        digests.digests_send_all()
        body = message_to("alice@example.com").body
        assert "VAT invoice OCR API" in body
        assert "Weak one" not in body

    def test_not_what_the_pages_hide(self, cast, need, capability):
        """Proposals the SME dismissed or applied to, and needs the platform
        dismissed, are no news."""
        dismissed = CapabilityFactory(organization=cast.other_platform, title="Dismissed one")
        applied = CapabilityFactory(organization=cast.other_platform, title="Applied one")
        propose(need, dismissed)
        Match.objects.filter(capability=dismissed).update(sme_feedback=Feedback.DISMISSED)
        propose(need, applied)
        ApplicationFactory(sme=cast.sme, capability=applied, status=ApplicationStatus.SUBMITTED)
        propose(need, capability, score=0.5)
        Match.objects.filter(capability=capability).update(platform_feedback=Feedback.DISMISSED)
        digests.digests_send_all()
        body = message_to("alice@example.com").body
        assert "VAT invoice OCR API" in body
        assert "Dismissed one" not in body
        assert "Applied one" not in body
        # Erin's platform: the applied one is news to it; Dan dismissed his.
        assert "dan@example.com" not in recipients()
        assert "Automatic invoice OCR" in message_to("erin@example.com").body

    def test_not_matches_of_unpublished_listings(self, cast, match, need):
        need.status = ListingStatus.ARCHIVED
        need.save()
        digests.digests_send_all()
        assert mail.outbox == []


class TestContent:
    def test_sme_digest_names_capability_platform_score_reason_and_links(self, cast, match, capability, need):
        digests.digests_send_all()
        message = message_to("alice@example.com")
        site = settings.SITE_URL.rstrip("/")
        capability_url = site + reverse("marketplace:capability_detail", args=[capability.pk])
        need_url = site + reverse("marketplace:need_detail", args=[need.pk])
        for part in (message.body, html_of(message)):
            assert "VAT invoice OCR API" in part
            assert "Dan Cloud Co., Ltd." in part
            assert "Automatic invoice OCR" in part
            assert "80% fit" in part
            assert "listed today" in part  # the top reason, as the SME pages say it
            assert capability_url in part
            assert need_url in part
            assert site + reverse("accounts:profile") in part
        assert message.subject == "Tandem weekly: 1 new match for your needs"

    def test_platform_digest_hides_what_platform_pages_hide(self, cast, match, need):
        digests.digests_send_all()
        message = message_to("dan@example.com")
        assert message.subject == "Tandem weekly: 1 new need fits your capabilities"
        assert "Automatic invoice OCR" in message.body
        assert "Alice Parts Co., Ltd." in message.body
        assert settings.SITE_URL.rstrip("/") + reverse("marketplace:need_detail", args=[need.pk]) in message.body
        # The capability's own freshness is no reason to its platform: the next one is.
        assert "listed today" not in message.body
        assert "same province: Zhejiang" in message.body

    def test_at_most_five_per_need_and_ten_in_all_best_first(self, cast):
        first = NeedFactory(organization=cast.sme, title="First need")
        second = NeedFactory(organization=cast.sme, title="Second need")
        for i in range(7):
            propose(first, CapabilityFactory(title=f"Cap A{i}"), score=0.9 - i / 100, rank=i + 1)
            propose(second, CapabilityFactory(title=f"Cap B{i}"), score=0.8 - i / 100, rank=i + 1)
        [digest] = digests.digests_compose(user_ids=[cast.alice.user.pk], now=timezone.now())
        [section] = digest.sections
        titles = [[item.title for item in group.items] for group in section.groups]
        assert titles == [[f"Cap A{i}" for i in range(5)], [f"Cap B{i}" for i in range(5)]]
        assert (section.new_count, section.hidden_count, digest.item_count) == (14, 4, 10)
        digests.digests_send(user_ids=[cast.alice.user.pk])
        message = message_to("alice@example.com")
        assert message.subject == "Tandem weekly: 14 new matches for your needs"
        assert "Cap A5" not in message.body
        assert "And 4 more proposals, on Tandem." in message.body

    def test_plain_text_and_html_with_one_click_unsubscribe_headers(self, cast, match):
        digests.digests_send_all()
        message = message_to("alice@example.com")
        html = html_of(message)
        assert html.startswith("<!DOCTYPE html>")
        assert "<img" not in html
        assert "<script" not in html
        url = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert url == digest_unsubscribe_url(cast.alice.user)
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert url in message.body
        assert url in html
        raw = message.message()
        assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert raw.is_multipart()

    def test_a_person_in_two_organisations_gets_one_email_with_both(self, cast, match, need):
        MembershipFactory(user=cast.alice.user, organization=cast.other_sme)
        other = NeedFactory(organization=cast.other_sme, title="Cold chain tracking")
        propose(other, CapabilityFactory(title="IoT sensors"))
        digests.digests_send_all()
        message = message_to("alice@example.com")
        assert "Alice Parts Co., Ltd." in message.body
        assert "Carol Foods Co., Ltd." in message.body
        assert "IoT sensors" in message.body
        assert message.subject == "Tandem weekly: 2 new matches for your needs"


class TestLanguage:
    def test_each_email_in_the_recipients_language(self, cast, match):
        cast.alice.user.preferred_language = "zh-hans"
        cast.alice.user.save()
        digests.digests_send_all()
        chinese, english = message_to("alice@example.com"), message_to("bob@example.com")
        # Strings the catalogue already has, and the Chinese date format.
        assert "您好" in chinese.body
        assert "匹配度 80%" in chinese.body
        assert "年" in chinese.body
        assert 'lang="zh-hans"' in html_of(chinese)
        assert "80% fit" in english.body
        assert "年" not in english.body
        assert 'lang="en"' in html_of(english)


class TestOncePerWeek:
    def test_running_twice_sends_once(self, cast, match):
        now = timezone.now()
        digests.digests_send_all(now=now)
        digests.digests_send_all(now=now + timedelta(hours=2))
        digests_send_weekly.delay()  # the beat task, eagerly
        assert len(mail.outbox) == 3
        assert DigestDelivery.objects.filter(status=DigestStatus.SENT).count() == 3

    def test_a_digest_another_run_holds_is_left_to_it(self, cast, match):
        """Two runs at once (a doubled beat, a redelivered task): the one that
        claimed the week's row sends; the other skips that person."""
        now = timezone.now()
        DigestDelivery.objects.create(
            user=cast.alice.user, week=digests.digest_week(now), period_start=now, period_end=now
        )
        ids = [cast.alice.user.pk, cast.dan.user.pk]
        sent = digests.digests_send(user_ids=ids, now=now)
        assert [(d.user, d.status) for d in sent] == [(cast.alice.user, ""), (cast.dan.user, DigestStatus.SENT)]
        assert recipients() == ["dan@example.com"]
        assert DigestDelivery.objects.get(user=cast.alice.user).status == DigestStatus.SENDING
        # Run again: nothing new for Dan, Alice's still held by the other run.
        again = digests.digests_send(user_ids=ids, now=now + timedelta(minutes=5))
        assert [(d.user, d.status) for d in again] == [(cast.alice.user, "")]
        assert len(mail.outbox) == 1

    def test_next_week_starts_where_the_last_digest_ended(self, cast, need, capability):
        now = timezone.now()
        propose(need, capability, now=now)
        digests.digests_send_all(now=now)
        later = CapabilityFactory(organization=cast.platform, title="Invoice archive")
        propose(need, later, now=now + timedelta(days=3), age=timedelta(0))
        mail.outbox.clear()
        digests.digests_send_all(now=now + timedelta(days=7))
        body = message_to("alice@example.com").body
        assert "Invoice archive" in body
        assert "VAT invoice OCR API" not in body
        assert DigestDelivery.objects.filter(user=cast.alice.user, status=DigestStatus.SENT).count() == 2

    def test_a_pair_that_leaves_the_list_and_returns_is_not_announced_again(self, cast):
        """A need sent back to review loses its matches; published again, it
        is matched again and the pair gets a new created_at. Nobody who was
        told about it hears of it again."""
        need = NeedFactory(organization=cast.sme, title="发票 OCR invoice recognition", description="invoice OCR 发票")
        CapabilityFactory(organization=cast.platform, title="发票 OCR invoice API", description="invoice OCR 发票")
        rematch.match_need(need.pk)
        now = timezone.now()
        digests.digests_send_all(now=now)
        assert "发票 OCR invoice API" in message_to("alice@example.com").body
        assert "发票 OCR invoice recognition" in message_to("dan@example.com").body
        pair = list(Match.objects.filter(need=need).values_list("need_id", "capability_id").get())
        assert DigestDelivery.objects.get(user=cast.alice.user).pairs == [pair]

        Need.objects.filter(pk=need.pk).update(status=ListingStatus.SUBMITTED)
        rematch.matches_withdraw(need_id=need.pk)
        assert not Match.objects.filter(need=need).exists()
        Need.objects.filter(pk=need.pk).update(status=ListingStatus.PUBLISHED)
        rematch.match_need(need.pk)
        assert Match.objects.get(need=need).created_at > now  # "new" by its date

        mail.outbox.clear()
        digests.digests_send_all(now=now + timedelta(days=7))
        assert mail.outbox == []

    def test_what_was_sent_is_remembered_for_half_a_year(self, cast, need, capability):
        now = timezone.now()
        pair = [need.pk, capability.pk]
        for weeks_ago, user in ((26, cast.alice.user), (25, cast.bob.user)):
            then = now - timedelta(weeks=weeks_ago, hours=1)
            delivery(user, week=digests.digest_week(then), status=DigestStatus.SENT, period_end=then, pairs=[pair])
        propose(need, capability, now=now)
        digests.digests_send_all(now=now)
        # Bob's digest of 25 weeks ago showed this pair; Alice's is forgotten.
        assert recipients() == ["alice@example.com", "dan@example.com"]

    def test_the_run_fixes_the_week_of_its_batches(self, cast, match, monkeypatch):
        queued = []
        monkeypatch.setattr(digests_send_batch, "delay", lambda *args: queued.append(args))
        before = timezone.now()
        assert digests_send_weekly() == 1
        [(ids, until, week)] = queued
        assert sorted(ids) == sorted(m.user_id for m in (cast.alice, cast.bob, cast.dan))
        assert before <= datetime.fromisoformat(until) <= timezone.now()
        assert week == digests.digest_week(datetime.fromisoformat(until)).isoformat()
        assert digests_send_batch(ids, until, week) == 3
        assert set(DigestDelivery.objects.values_list("week", flat=True)) == {digests.digest_week(before)}

    def test_a_batch_late_into_the_next_week_sends_nothing(self, cast, need, capability):
        """Last week's batch, held up until this week: this week's run covers
        its people, from where their last digest ended, in one e-mail."""
        now = timezone.now()
        delivery(
            cast.alice.user,
            week=digests.digest_week(now - timedelta(weeks=2)),
            status=DigestStatus.SENT,
            period_end=now - timedelta(weeks=2),
        )
        propose(need, capability, now=now, age=timedelta(days=8))  # news for last week's digest
        later = CapabilityFactory(organization=cast.platform, title="Invoice archive")
        propose(need, later, now=now)  # and for this week's
        last_week = now - timedelta(weeks=1)
        sent = digests_send_batch(
            [cast.alice.user.pk], last_week.isoformat(), digests.digest_week(last_week).isoformat()
        )
        assert sent == 0
        assert mail.outbox == []
        assert not DigestDelivery.objects.filter(week=digests.digest_week(last_week)).exists()
        digests.digests_send_all(now=now)
        body = message_to("alice@example.com").body
        assert "VAT invoice OCR API" in body
        assert "Invoice archive" in body

    def test_one_failure_does_not_stop_the_others_and_is_retried(self, cast, match, settings):
        settings.MAILERS = {"default": {"BACKEND": "tests.test_digests.BouncingBackend"}}
        now = timezone.now()
        digests.digests_send_all(now=now)
        assert recipients() == ["alice@example.com", "dan@example.com"]
        failed = DigestDelivery.objects.get(user=cast.bob.user)
        assert failed.status == DigestStatus.FAILED
        assert "SMTPRecipientsRefused" in failed.error
        assert failed.sent_at is None
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        mail.outbox.clear()
        digests.digests_send_all(now=now + timedelta(hours=1))
        assert recipients() == ["bob@example.com"]
        assert DigestDelivery.objects.get(user=cast.bob.user).status == DigestStatus.SENT

    def test_query_count_does_not_grow_with_recipients(self, db):
        def people(count):
            platform = PlatformFactory()
            capability = CapabilityFactory(organization=platform)
            ids = [MembershipFactory(organization=platform).user_id]
            for _ in range(count):
                sme = OrganizationFactory()
                ids.append(MembershipFactory(organization=sme).user_id)
                propose(NeedFactory(organization=sme), capability)
            return ids

        few, many = people(2), people(6)
        counts = []
        for ids in (few, many):
            with CaptureQueriesContext(connection) as queries:
                sent = digests.digests_send(user_ids=ids)
            assert all(digest.status == DigestStatus.SENT for digest in sent)
            counts.append(len(queries))
        assert len(mail.outbox) == 3 + 7
        # The same queries, and one UPDATE per e-mail to record it as it goes.
        assert counts[1] - counts[0] == len(many) - len(few)


class BouncingBackend(EmailBackend):
    """Refuses Bob's address, delivers the rest (to the locmem outbox)."""

    def send_messages(self, messages):
        for message in messages:
            if "bob@example.com" in message.to:
                raise SMTPRecipientsRefused({"bob@example.com": (550, b"No such mailbox")})
        return super().send_messages(messages)


class SlowBackend(EmailBackend):
    """Delivers Alice's, then the task's soft time limit strikes (at Bob's);
    notes what a hard kill at that moment would leave of Alice's row."""

    alice_row_then = None

    def send_messages(self, messages):
        if any("bob@example.com" in message.to for message in messages):
            SlowBackend.alice_row_then = DigestDelivery.objects.get(user__email="alice@example.com").status
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)


class TestSlowOrBrokenMailServer:
    LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    def test_the_soft_time_limit_ends_the_batch_and_what_was_sent_is_kept(self, cast, match, settings):
        settings.MAILERS = {"default": {"BACKEND": "tests.test_digests.SlowBackend"}}
        now = timezone.now()
        with pytest.raises(SoftTimeLimitExceeded):
            digests.digests_send_all(now=now)
        assert recipients() == ["alice@example.com"]
        assert SlowBackend.alice_row_then == DigestStatus.SENT  # recorded before the next e-mail
        rows = {row.user_id: row for row in DigestDelivery.objects.all()}
        assert rows[cast.alice.user.pk].status == DigestStatus.SENT
        for member in (cast.bob, cast.dan):
            assert rows[member.user_id].status == DigestStatus.FAILED
            assert rows[member.user_id].error == digests.NOT_TRIED
        settings.MAILERS = self.LOCMEM
        mail.outbox.clear()
        digests.digests_send_all(now=now + timedelta(minutes=5))
        assert recipients() == ["bob@example.com", "dan@example.com"]

    def test_a_broken_mail_configuration_leaves_nothing_sending(self, cast, match, settings):
        settings.MAILERS = {"default": {"BACKEND": "tests.test_digests.NoSuchBackend"}}
        with pytest.raises(InvalidMailer):
            digests.digests_send_all()
        assert set(DigestDelivery.objects.values_list("status", "error")) == {(DigestStatus.FAILED, digests.NOT_TRIED)}

    def test_a_failure_is_retried_by_the_afternoon_run(self, cast, need, capability, settings):
        morning, afternoon = this_monday(8), this_monday(14)
        propose(need, capability, now=morning)
        settings.MAILERS = {"default": {"BACKEND": "tests.test_digests.BouncingBackend"}}
        digests.digests_send_all(now=morning)
        assert DigestDelivery.objects.get(user=cast.bob.user).status == DigestStatus.FAILED
        settings.MAILERS = self.LOCMEM
        mail.outbox.clear()
        digests.digests_send_all(now=afternoon)
        assert recipients() == ["bob@example.com"]
        bob = DigestDelivery.objects.get(user=cast.bob.user)
        assert (bob.status, bob.week, bob.error) == (DigestStatus.SENT, morning.date(), "")
        assert bob.sent_at is not None

    def test_a_row_stranded_sending_for_over_an_hour_is_sent_by_the_next_run(self, cast, match):
        """Its run was killed (the hard time limit, a lost worker) mid-batch."""
        now = timezone.now()
        stranded = delivery(cast.alice.user, week=digests.digest_week(now), claimed_ago=timedelta(minutes=61))
        digests.digests_send_all(now=now)
        assert recipients() == ["alice@example.com", "bob@example.com", "dan@example.com"]
        stranded.refresh_from_db()
        assert stranded.status == DigestStatus.SENT

    def test_a_row_sending_for_less_than_an_hour_is_left_to_its_run(self, cast, match):
        now = timezone.now()
        held = delivery(cast.alice.user, week=digests.digest_week(now), claimed_ago=timedelta(minutes=50))
        digests.digests_send_all(now=now)
        assert recipients() == ["bob@example.com", "dan@example.com"]
        held.refresh_from_db()
        assert held.status == DigestStatus.SENDING


class TestFirstProposedBackfill:
    """The migration that adds Match.created_at estimates it for existing pairs."""

    def backfill(self):
        migration = importlib.import_module("matching.migrations.0002_weekly_digests")
        migration.first_proposed_estimate(apps, None)

    def test_minutes_after_the_later_publication_never_after_the_last_computation(self, cast):
        start = timezone.now() - timedelta(days=30)
        need = NeedFactory(organization=cast.sme, published_at=start)
        early = CapabilityFactory(published_at=start - timedelta(days=3))
        late = CapabilityFactory(published_at=start + timedelta(days=2))
        unpublished = CapabilityFactory()
        Capability.objects.filter(pk=unpublished.pk).update(published_at=None)
        computed = start + timedelta(days=20)
        for capability in (early, late, unpublished):
            propose(need, capability, now=computed, age=timedelta(0))
        just_matched = propose(NeedFactory(published_at=start), CapabilityFactory(published_at=start), now=start)
        self.backfill()
        first_proposed = dict(Match.objects.values_list("capability_id", "created_at"))
        assert first_proposed[early.pk] == start + timedelta(minutes=5)
        assert first_proposed[late.pk] == start + timedelta(days=2, minutes=5)
        assert first_proposed[unpublished.pk] == computed  # unknown: the last computation
        assert first_proposed[just_matched.capability_id] == start  # capped at the computation


class TestUnsubscribe:
    def url(self, user):
        return reverse("accounts:digest_unsubscribe", args=[digest_unsubscribe_token(user)])

    def test_get_asks_and_changes_nothing(self, client, cast):
        response = client.get(self.url(cast.alice.user))
        assert response.status_code == 200
        assert b'method="post"' in response.content
        assert b"alice@example.com" in response.content
        cast.alice.user.refresh_from_db()
        assert cast.alice.user.weekly_digest is True

    def test_post_turns_it_off_and_links_the_profile(self, client, cast):
        response = client.post(self.url(cast.alice.user))
        assert response.status_code == 200
        assert reverse("accounts:profile").encode() in response.content
        cast.alice.user.refresh_from_db()
        assert cast.alice.user.weekly_digest is False
        cast.bob.user.refresh_from_db()
        assert cast.bob.user.weekly_digest is True

    def test_one_click_post_from_the_header_needs_no_csrf_token(self, cast, match, need):
        now = timezone.now()
        digests.digests_send_all(now=now)
        url = message_to("bob@example.com").extra_headers["List-Unsubscribe"].strip("<>")
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            url.removeprefix(settings.SITE_URL.rstrip("/")),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        cast.bob.user.refresh_from_db()
        assert cast.bob.user.weekly_digest is False
        propose(need, CapabilityFactory(title="Next week's news"), now=now + timedelta(days=2), age=timedelta(0))
        mail.outbox.clear()
        digests.digests_send_all(now=now + timedelta(days=7))
        assert recipients() == ["alice@example.com"]

    def test_link_in_the_body_is_the_same(self, cast, match):
        digests.digests_send_all()
        body = message_to("bob@example.com").body
        assert UNSUBSCRIBE_RE.search(body).group(0) == digest_unsubscribe_url(cast.bob.user)

    @pytest.mark.parametrize(
        "token",
        [
            "garbage",
            signing.dumps(1, salt="accounts.membership-invitation", compress=True),  # another link's token
        ],
    )
    def test_bad_tokens_answer_400(self, client, cast, token):
        for response in (client.get(f"/digest/unsubscribe/{token}/"), client.post(f"/digest/unsubscribe/{token}/")):
            assert response.status_code == 400
            assert b"not valid" in response.content

    def test_tampered_token_answers_400_and_changes_nothing(self, client, cast):
        alice_value, alice_signature = digest_unsubscribe_token(cast.alice.user).rsplit(":", 1)
        bob_value, _bob_signature = digest_unsubscribe_token(cast.bob.user).rsplit(":", 1)
        for token in (
            f"{bob_value}:{alice_signature}",  # another person's id under Alice's signature
            f"{alice_value}:{alice_signature[:-2]}",  # cut short
            alice_value,  # no signature
        ):
            response = client.post(reverse("accounts:digest_unsubscribe", args=[token]))
            assert response.status_code == 400
            assert b"not valid" in response.content
        cast.bob.user.refresh_from_db()
        cast.alice.user.refresh_from_db()
        assert cast.bob.user.weekly_digest and cast.alice.user.weekly_digest

    def test_pages_speak_the_recipients_language_not_the_browsers(self, client, cast):
        cast.alice.user.preferred_language = "zh-hans"
        cast.alice.user.save()
        url = self.url(cast.alice.user)
        asked = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert "确定退订周报吗？" in asked.content.decode()
        assert asked["Content-Language"] == "zh-hans"
        done = client.post(url, HTTP_ACCEPT_LANGUAGE="en")
        assert "周报已关闭" in done.content.decode()
        english = client.get(self.url(cast.bob.user), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "Stop the weekly digest?" in english.content.decode()
        assert english["Content-Language"] == "en"

    def test_token_of_a_deleted_account_answers_400(self, client, db):
        user = UserFactory()
        url = self.url(user)
        user.delete()
        assert client.post(url).status_code == 400

    def test_profile_turns_it_off_and_on(self, login, cast):
        client = login(cast.bob)
        page = client.get(reverse("accounts:profile"))
        assert b'name="weekly_digest"' in page.content
        assert b"Send me the weekly e-mail digest" in page.content
        data = {"display_name": "Bob", "preferred_language": "en"}
        assert client.post(reverse("accounts:profile"), data).status_code == 302
        cast.bob.user.refresh_from_db()
        assert cast.bob.user.weekly_digest is False
        client.post(reverse("accounts:profile"), data | {"weekly_digest": "on"})
        cast.bob.user.refresh_from_db()
        assert cast.bob.user.weekly_digest is True


class TestOperations:
    def test_dry_run_prints_and_sends_nothing(self, cast, match, capsys):
        call_command("send_digests", "--dry-run")
        out = capsys.readouterr().out
        assert "alice@example.com (en): 1 shown of 1 new" in out
        assert "- VAT invoice OCR API (80%)" in out
        assert "dan@example.com" in out
        assert "carol@example.com" not in out
        assert mail.outbox == []
        assert not DigestDelivery.objects.exists()

    def test_command_sends_and_reports(self, cast, match, capsys):
        call_command("send_digests")
        assert "3 digests sent, 0 failed" in capsys.readouterr().out
        assert len(mail.outbox) == 3

    def test_beat_sends_on_monday_morning_and_again_in_the_afternoon(self):
        runs = []
        for name in ("send-weekly-digests", "send-weekly-digests-retry"):
            entry = settings.CELERY_BEAT_SCHEDULE[name]
            assert entry["task"] == digests_send_weekly.name
            schedule = entry["schedule"]
            assert isinstance(schedule, crontab)
            runs.append((schedule.day_of_week, schedule.hour, schedule.minute))
        assert runs == [({1}, {8}, {0}), ({1}, {14}, {0})]
        assert settings.CELERY_TIMEZONE == "Asia/Shanghai"

    def test_admin_lists_deliveries_read_only(self, client, cast, match):
        digests.digests_send_all()
        client.force_login(cast.mallory)
        response = client.get(reverse("admin:matching_digestdelivery_changelist"))
        assert response.status_code == 200
        assert cast.alice.user.display_name.encode() in response.content
        delivery = DigestDelivery.objects.first()
        assert client.get(reverse("admin:matching_digestdelivery_change", args=[delivery.pk])).status_code == 200
        assert client.get(reverse("admin:matching_digestdelivery_add")).status_code == 403
        client.force_login(cast.alice.user)
        assert client.get(reverse("admin:matching_digestdelivery_changelist")).status_code == 302

    def test_rematching_keeps_when_a_pair_was_first_proposed(self, cast):
        """The digest's "new" rests on created_at surviving re-matching."""
        need = NeedFactory(organization=cast.sme, title="发票 OCR invoice recognition", description="invoice OCR 发票")
        CapabilityFactory(organization=cast.platform, title="发票 OCR invoice API", description="invoice OCR 发票")
        matcher_cache._cache.matcher = None
        try:
            rematch.match_need(need.pk)
            long_ago = timezone.now() - timedelta(days=30)
            Match.objects.filter(need=need).update(created_at=long_ago, computed_at=long_ago)
            rematch.match_need(need.pk)
        finally:
            matcher_cache._cache.matcher = None
        match = Match.objects.get(need=need)
        assert match.created_at == long_ago
        assert match.computed_at > long_ago
