"""The weekly e-mail digest: to each person, per organisation they belong to,
the proposals that are new since their last digest.

SMEs read the capabilities newly proposed for their published needs; platforms
the published needs their capabilities newly fit. Everything is read in a few
queries per batch of recipients, whatever its size; each e-mail is claimed
(one row per person and week) before it is sent and its outcome recorded as
soon as it is known, so a retried or doubled run sends nothing twice.
"""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.digest_tokens import digest_unsubscribe_url
from accounts.models import Membership, Organization, User
from marketplace.models import Capability, Need
from matching.models import DigestDelivery, DigestStatus, Feedback, Match
from matching.reasons import reason_sentences
from matching.selectors import GOOD_MATCH_SCORE, PLATFORM, SME, already_applied

logger = logging.getLogger(__name__)

# A first digest looks back one week; a later one to the end of the last one
# sent, but never further than four weeks (someone who turns the digest back on
# after months wants this month's news, not a year's).
FIRST_LOOKBACK = timedelta(days=7)
MAX_LOOKBACK = timedelta(days=28)
# A pair that leaves a need's list (out of the top K, a listing withdrawn) and
# comes back is a new Match with a new created_at: the pairs sent to a person
# in this window are not announced to them again.
SENT_MEMORY = timedelta(weeks=26)
PER_LISTING = 5
PER_ORGANIZATION = 10
# People per batch (and per Celery task): 20 e-mails that each wait out the
# SMTP timeout (10 s) take 200 s, inside the task's 240 s soft time limit.
DIGEST_BATCH = 20
# A task lives at most CELERY_TASK_TIME_LIMIT (5 minutes): a row still
# "sending" an hour after its claim belongs to a run that was killed, and a
# later run may claim it again.
CLAIM_EXPIRY = timedelta(hours=1)
NOT_TRIED = "Not sent: the run stopped before this e-mail."


@dataclass
class DigestItem:
    """One proposal as the e-mail shows it, the same fields on both sides: the
    other side's listing (title, organisation, link), the fit, the top reason."""

    match: Match
    side: str
    title: str
    organization: str
    url: str

    @property
    def score(self) -> int:
        return self.match.score_percent

    @property
    def reason(self) -> str:
        """The top reason this side is shown, in the active language (read
        when the e-mail is rendered, under the recipient's language)."""
        sentences = reason_sentences(self.match, self.side)
        return sentences[0] if sentences else ""

    @property
    def pair(self) -> tuple[int, int]:
        return (self.match.need_id, self.match.capability_id)


@dataclass
class DigestGroup:
    """The new proposals of one of the organisation's own listings: a need
    (SME side) or a capability (platform side), with the link to its list."""

    listing: Need | Capability
    url: str
    items: list[DigestItem] = field(default_factory=list)


@dataclass
class DigestSection:
    organization: Organization
    side: str
    groups: list[DigestGroup]
    new_count: int  # new matches (SMEs) or new needs (platforms), before the limits
    hidden_count: int  # new proposals left out by the limits


@dataclass
class Digest:
    user: User
    since: datetime
    until: datetime
    sections: list[DigestSection]
    status: str = ""  # after digests_send: a DigestStatus, or "" when another run has it

    @property
    def new_count(self) -> int:
        return sum(section.new_count for section in self.sections)

    @property
    def items(self) -> list[DigestItem]:
        return [item for section in self.sections for group in section.groups for item in group.items]

    @property
    def item_count(self) -> int:
        return len(self.items)


def digest_week(now: datetime) -> date:
    """The Monday of ``now``'s week, in the site's time zone: the key that
    makes a digest once a week."""
    today = timezone.localdate(now)
    return today - timedelta(days=today.weekday())


def _new_matches(*, now: datetime, since: datetime):
    """Good matches (GOOD_MATCH_SCORE or more) first proposed in the window:
    weaker ones stay on the pages, an e-mail is no place for them."""
    return (
        Match.objects.proposed()
        .filter(created_at__gt=since, created_at__lte=now, score__gte=GOOD_MATCH_SCORE)
        .order_by("-score", "pk")
    )


def _reclaimable() -> Q:
    """This week's rows a run may claim: failed, or still "sending" long after
    their claim (the run that held it was killed)."""
    return Q(status=DigestStatus.FAILED) | Q(status=DigestStatus.SENDING, claimed_at__lt=timezone.now() - CLAIM_EXPIRY)


def digest_recipient_ids(*, now: datetime, week: date) -> list[int]:
    """People who may have something new: active, opted in, members of an
    organisation with a proposal of the past weeks, without ``week``'s digest
    (sent, or being sent by a live run). A superset; digests_compose decides."""
    new = _new_matches(now=now, since=now - MAX_LOOKBACK).order_by()
    taken = DigestDelivery.objects.filter(user=OuterRef("pk"), week=week).exclude(_reclaimable())
    return list(
        User.objects.filter(is_active=True, weekly_digest=True)
        .filter(
            Q(memberships__organization__in=new.values("need__organization"))
            | Q(memberships__organization__in=new.values("capability__organization"))
        )
        .exclude(Exists(taken))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def digest_batches(*, now: datetime, week: date, size: int = DIGEST_BATCH) -> list[list[int]]:
    """The recipients of a run, in batches of ``size`` people: the command
    sends them one after the other, the beat task shares them among workers."""
    ids = digest_recipient_ids(now=now, week=week)
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _matches_by_organization(*, sme_ids, platform_ids, now: datetime, since: datetime) -> dict[tuple, list[Match]]:
    """New proposals, best first, keyed by (organisation id, side): what the
    need and capability pages show each side (reusing their filters)."""
    found: dict[tuple, list[Match]] = {}
    if sme_ids:
        matches = (
            _new_matches(now=now, since=since)
            .filter(need__organization_id__in=sme_ids)
            .exclude(sme_feedback=Feedback.DISMISSED)
            .exclude(already_applied())
            .select_related("need", "capability__organization")
        )
        for match in matches:
            found.setdefault((match.need.organization_id, SME), []).append(match)
    if platform_ids:
        matches = (
            _new_matches(now=now, since=since)
            .filter(capability__organization_id__in=platform_ids)
            .exclude(platform_feedback=Feedback.DISMISSED)
            .select_related("need__organization", "capability")
        )
        for match in matches:
            found.setdefault((match.capability.organization_id, PLATFORM), []).append(match)
    return found


def _link(route: str, pk: int, anchor: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + reverse(route, args=[pk]) + anchor


def _item(match: Match, side: str) -> DigestItem:
    """The other side's listing: the capability proposed to an SME, the need
    a platform's capability fits."""
    if side == SME:
        other, route = match.capability, "marketplace:capability_detail"
    else:
        other, route = match.need, "marketplace:need_detail"
    return DigestItem(
        match=match,
        side=side,
        title=other.title,
        organization=other.organization.legal_name,
        url=_link(route, other.pk),
    )


def _section(organization: Organization, side: str, matches: list[Match]) -> DigestSection:
    """The best proposals, at most PER_LISTING per listing and
    PER_ORGANIZATION in all, grouped by listing (best group first)."""
    groups: dict[int, DigestGroup] = {}
    shown = 0
    for match in matches:
        if shown == PER_ORGANIZATION:
            break
        if side == SME:
            listing, route = match.need, "marketplace:need_detail"
        else:
            listing, route = match.capability, "marketplace:capability_detail"
        if listing.pk not in groups:
            groups[listing.pk] = DigestGroup(listing=listing, url=_link(route, listing.pk, "#matches"))
        group = groups[listing.pk]
        if len(group.items) < PER_LISTING:
            group.items.append(_item(match, side))
            shown += 1
    new_count = len(matches) if side == SME else len({match.need_id for match in matches})
    return DigestSection(
        organization=organization,
        side=side,
        groups=list(groups.values()),
        new_count=new_count,
        hidden_count=len(matches) - shown,
    )


def _since(last_sent: datetime | None, now: datetime) -> datetime:
    if last_sent is None:
        return now - FIRST_LOOKBACK
    return max(last_sent, now - MAX_LOOKBACK)


def _pairs_sent(user_ids: set[int], now: datetime) -> dict[int, set[tuple[int, int]]]:
    """{user id: the (need id, capability id) pairs their digests of the past
    SENT_MEMORY showed}, in one query."""
    sent = defaultdict(set)
    rows = DigestDelivery.objects.filter(
        user_id__in=user_ids, status=DigestStatus.SENT, period_end__gt=now - SENT_MEMORY
    ).values_list("user_id", "pairs")
    for user_id, pairs in rows:
        sent[user_id].update((need_id, capability_id) for need_id, capability_id in pairs)
    return sent


def digests_compose(*, user_ids: list[int], now: datetime) -> list[Digest]:
    """The digests of these people, in five queries whatever their number;
    people with nothing new (or inactive, or opted out) get none. New: first
    proposed after the person's last digest, and not a pair a digest of theirs
    already showed."""
    memberships = list(
        Membership.objects.filter(user_id__in=user_ids, user__is_active=True, user__weekly_digest=True)
        .select_related("user", "organization")
        .order_by("user_id", "organization__legal_name", "pk")
    )
    if not memberships:
        return []
    people = {m.user_id for m in memberships}
    last_sent = dict(
        DigestDelivery.objects.filter(user_id__in=people, status=DigestStatus.SENT)
        .values("user_id")
        .annotate(last=Max("period_end"))
        .values_list("user_id", "last")
    )
    sent_pairs = _pairs_sent(people, now)
    since = {m.user_id: _since(last_sent.get(m.user_id), now) for m in memberships}
    found = _matches_by_organization(
        sme_ids={m.organization_id for m in memberships if m.organization.is_sme},
        platform_ids={m.organization_id for m in memberships if m.organization.is_platform},
        now=now,
        since=min(since.values()),
    )
    digests = []
    for user_id, own in groupby(memberships, key=lambda m: m.user_id):
        own = list(own)
        sections = []
        for membership in own:
            side = PLATFORM if membership.organization.is_platform else SME
            fresh = [
                match
                for match in found.get((membership.organization_id, side), [])
                if match.created_at > since[user_id] and (match.need_id, match.capability_id) not in sent_pairs[user_id]
            ]
            if fresh:
                sections.append(_section(membership.organization, side, fresh))
        if sections:
            digests.append(Digest(user=own[0].user, since=since[user_id], until=now, sections=sections))
    return digests


# The e-mail ----------------------------------------------------------------------


def digest_subject(digest: Digest) -> str:
    """In the active language."""
    sides = {section.side for section in digest.sections}
    count = digest.new_count
    if sides == {SME}:
        text = ngettext(
            "Tandem weekly: %(count)s new match for your needs",
            "Tandem weekly: %(count)s new matches for your needs",
            count,
        )
    elif sides == {PLATFORM}:
        text = ngettext(
            "Tandem weekly: %(count)s new need fits your capabilities",
            "Tandem weekly: %(count)s new needs fit your capabilities",
            count,
        )
    else:
        text = ngettext("Tandem weekly: %(count)s new match", "Tandem weekly: %(count)s new matches", count)
    return text % {"count": count}


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail, plain text with an HTML alternative, in the recipient's
    language, with the one-click unsubscribe headers of RFC 8058."""
    unsubscribe_url = digest_unsubscribe_url(digest.user)
    context = {
        "digest": digest,
        "unsubscribe_url": unsubscribe_url,
        "profile_url": settings.SITE_URL.rstrip("/") + reverse("accounts:profile"),
    }
    with translation.override(digest.user.preferred_language):
        subject = digest_subject(digest)
        text = render_to_string("emails/digest.txt", context)
        html = render_to_string("emails/digest.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[digest.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# Sending -------------------------------------------------------------------------


def _contents(digest: Digest) -> dict:
    """What a delivery row records of its e-mail: the period, how many
    proposals it showed and which (the pairs count once sent)."""
    return {
        "period_start": digest.since,
        "period_end": digest.until,
        "item_count": digest.item_count,
        "pairs": sorted({item.pair for item in digest.items}),
    }


def _claim(digests: list[Digest], week: date) -> tuple[uuid.UUID, dict[int, int]]:
    """Claim ``week``'s e-mail of each person: this run's id and {user id:
    delivery id} of those it may send. A row sent, or being sent by a live
    run, is left alone; a failed or abandoned one is taken again."""
    run, claimed_at = uuid.uuid4(), timezone.now()
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(user=digest.user, week=week, claim=run, claimed_at=claimed_at, **_contents(digest))
            for digest in digests
        ],
        ignore_conflicts=True,
    )
    # Conditional: of two runs taking the same row, one wins it (the other's
    # UPDATE, re-checked after the winner's, no longer matches).
    DigestDelivery.objects.filter(user_id__in=[digest.user.pk for digest in digests], week=week).filter(
        _reclaimable()
    ).update(status=DigestStatus.SENDING, claim=run, claimed_at=claimed_at, error="")
    return run, dict(DigestDelivery.objects.filter(claim=run).values_list("user_id", "pk"))


def _send(digest: Digest, *, delivery_id: int, run: uuid.UUID, connection) -> None:
    """Send one digest and record the outcome at once: a run killed after
    this never sends it again, nor forgets that it failed. The soft time
    limit is not a failure of this e-mail: it goes up to end the batch."""
    try:
        connection.open()  # once: the batch shares one mail server session
        connection.send_messages([digest_message(digest)])
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        logger.exception("Weekly digest to user %s not sent", digest.user.pk)
        status, sent_at, error_text = DigestStatus.FAILED, None, f"{type(error).__name__}: {error}"[:2000]
        # The session may be broken: the next message opens a new one.
        connection.close()
    else:
        status, sent_at, error_text = DigestStatus.SENT, timezone.now(), ""
    DigestDelivery.objects.filter(pk=delivery_id, claim=run).update(
        status=status, sent_at=sent_at, error=error_text, **_contents(digest)
    )
    digest.status = status


def digests_send(
    *, user_ids: list[int], now: datetime | None = None, week: date | None = None, dry_run: bool = False
) -> list[Digest]:
    """Compose and send the digests of these people (a batch: a few queries
    whatever its size, and one per e-mail to record it). ``now`` ends the
    period and ``week`` is the week the e-mails count for (default: ``now``'s):
    the batches of one run share both.

    Side effects: e-mails; one DigestDelivery row per person, claimed before
    the e-mail and updated as soon as it is sent or fails (with the error, and
    the pairs it showed). A failure for one person is logged and recorded, and
    the others are still sent. Stopped early (the task's soft time limit, the
    mail configuration broken), the e-mails not yet sent are recorded as
    failed and the exception goes on: the next run retries them. Killed
    outright, the rows left "sending" are taken again by a run an hour or more
    later. ``dry_run`` composes only."""
    now = now or timezone.now()
    week = week or digest_week(now)
    digests = digests_compose(user_ids=user_ids, now=now)
    if dry_run or not digests:
        return digests
    run, claimed = _claim(digests, week)
    connection = None
    try:
        connection = mailers.default
        for digest in digests:
            if digest.user.pk in claimed:
                _send(digest, delivery_id=claimed[digest.user.pk], run=run, connection=connection)
    finally:
        if any(digest.user.pk in claimed and not digest.status for digest in digests):
            DigestDelivery.objects.filter(claim=run, status=DigestStatus.SENDING).update(
                status=DigestStatus.FAILED, error=NOT_TRIED
            )
        if connection is not None:
            connection.close()
    return digests


def digests_send_all(
    *, now: datetime | None = None, dry_run: bool = False, chunk_size: int = DIGEST_BATCH
) -> list[Digest]:
    """Every digest due now, batch after batch, in this process (the command;
    the Celery task shares the batches among workers instead)."""
    now = now or timezone.now()
    week = digest_week(now)
    digests = []
    for batch in digest_batches(now=now, week=week, size=chunk_size):
        digests += digests_send(user_ids=batch, now=now, week=week, dry_run=dry_run)
    return digests
