"""The weekly digest e-mail: who gets one, what it says, in which language,
once a week only, and the one-click way out."""

import re
from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail, signing
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import ApplicationStatus, ListingStatus
from matching.models import DigestDelivery, DigestStatus, Feedback, Match
from matching.services import compute, digests
from matching.tasks import digests_send_weekly
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
        titles = [[m.capability.title for m in group.matches] for group in section.groups]
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
        assert url == digests.digest_unsubscribe_url(cast.alice.user)
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
        assert counts[0] == counts[1]


class BouncingBackend(EmailBackend):
    """Refuses Bob's address, delivers the rest (to the locmem outbox)."""

    def send_messages(self, messages):
        for message in messages:
            if "bob@example.com" in message.to:
                raise SMTPRecipientsRefused({"bob@example.com": (550, b"No such mailbox")})
        return super().send_messages(messages)


class TestUnsubscribe:
    def url(self, user):
        return reverse("accounts:digest_unsubscribe", args=[digests.digest_unsubscribe_token(user)])

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
        assert UNSUBSCRIBE_RE.search(body).group(0) == digests.digest_unsubscribe_url(cast.bob.user)

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
        alice_value, alice_signature = digests.digest_unsubscribe_token(cast.alice.user).rsplit(":", 1)
        bob_value, _bob_signature = digests.digest_unsubscribe_token(cast.bob.user).rsplit(":", 1)
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

    def test_beat_sends_weekly_on_monday_morning(self):
        entry = settings.CELERY_BEAT_SCHEDULE["send-weekly-digests"]
        assert entry["task"] == digests_send_weekly.name
        schedule = entry["schedule"]
        assert isinstance(schedule, crontab)
        assert (schedule.day_of_week, schedule.hour, schedule.minute) == ({1}, {8}, {0})
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
        compute._cache.matcher = None
        try:
            compute.match_need(need.pk)
            long_ago = timezone.now() - timedelta(days=30)
            Match.objects.filter(need=need).update(created_at=long_ago, computed_at=long_ago)
            compute.match_need(need.pk)
        finally:
            compute._cache.matcher = None
        match = Match.objects.get(need=need)
        assert match.created_at == long_ago
        assert match.computed_at > long_ago
