"""The weekly e-mail digest: to each person, per organisation they belong to,
the proposals that are new since their last digest.

SMEs read the capabilities newly proposed for their published needs; platforms
the published needs their capabilities newly fit. Everything is read in a few
queries per batch of recipients, whatever its size; each e-mail is claimed
(one row per person and week) before it is sent, so a retried or doubled run
sends nothing twice.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization, User
from marketplace.models import Capability, Need
from matching.models import DigestDelivery, DigestStatus, Feedback, Match
from matching.selectors import PLATFORM, SME, already_applied

logger = logging.getLogger(__name__)

# A first digest looks back one week; a later one to the end of the last one
# sent, but never further than four weeks (someone who turns the digest back on
# after months wants this month's news, not a year's).
FIRST_LOOKBACK = timedelta(days=7)
MAX_LOOKBACK = timedelta(days=28)
PER_LISTING = 5
PER_ORGANIZATION = 10
UNSUBSCRIBE_SALT = "matching.digest-unsubscribe"
# People per batch (and per Celery task): well within a task's time limit even
# with a slow mail server.
DIGEST_BATCH = 100


@dataclass
class DigestGroup:
    """The new proposals of one of the organisation's own listings: a need
    (SME side) or a capability (platform side)."""

    listing: Need | Capability
    matches: list[Match] = field(default_factory=list)


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
    def item_count(self) -> int:
        return sum(len(group.matches) for section in self.sections for group in section.groups)


def digest_week(now: datetime):
    """The Monday of ``now``'s week, in the site's time zone: the key that
    makes a digest once a week."""
    today = timezone.localdate(now)
    return today - timedelta(days=today.weekday())


def _new_matches(*, now: datetime, since: datetime):
    return Match.objects.proposed().filter(created_at__gt=since, created_at__lte=now).order_by("-score", "pk")


def digest_recipient_ids(*, now: datetime) -> list[int]:
    """People who may have something new: active, opted in, members of an
    organisation with a proposal of the past weeks, without this week's
    digest. A superset; digests_compose decides."""
    new = _new_matches(now=now, since=now - MAX_LOOKBACK).order_by()
    delivered = DigestDelivery.objects.filter(
        user=OuterRef("pk"), week=digest_week(now), status__in=[DigestStatus.SENT, DigestStatus.SENDING]
    )
    return list(
        User.objects.filter(is_active=True, weekly_digest=True)
        .filter(
            Q(memberships__organization__in=new.values("need__organization"))
            | Q(memberships__organization__in=new.values("capability__organization"))
        )
        .exclude(Exists(delivered))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


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


def _section(organization: Organization, side: str, matches: list[Match]) -> DigestSection:
    """The best proposals, at most PER_LISTING per listing and
    PER_ORGANIZATION in all, grouped by listing (best group first)."""
    groups: dict[int, DigestGroup] = {}
    shown = 0
    for match in matches:
        if shown == PER_ORGANIZATION:
            break
        listing = match.need if side == SME else match.capability
        group = groups.setdefault(listing.pk, DigestGroup(listing=listing))
        if len(group.matches) < PER_LISTING:
            group.matches.append(match)
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


def digests_compose(*, user_ids: list[int], now: datetime) -> list[Digest]:
    """The digests of these people, in four queries whatever their number;
    people with nothing new (or inactive, or opted out) get none."""
    memberships = list(
        Membership.objects.filter(user_id__in=user_ids, user__is_active=True, user__weekly_digest=True)
        .select_related("user", "organization")
        .order_by("user_id", "organization__legal_name", "pk")
    )
    if not memberships:
        return []
    last_sent = dict(
        DigestDelivery.objects.filter(user_id__in={m.user_id for m in memberships}, status=DigestStatus.SENT)
        .values("user_id")
        .annotate(last=Max("period_end"))
        .values_list("user_id", "last")
    )
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
            matches = found.get((membership.organization_id, side), [])
            fresh = [match for match in matches if match.created_at > since[user_id]]
            if fresh:
                sections.append(_section(membership.organization, side, fresh))
        if sections:
            digests.append(Digest(user=own[0].user, since=since[user_id], until=now, sections=sections))
    return digests


# The e-mail ----------------------------------------------------------------------


def digest_unsubscribe_token(user: User) -> str:
    """The credential of the unsubscribe link: signed, it needs no sign-in and
    does not expire (links in old e-mails keep working)."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def digest_unsubscribe_url(user: User) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "accounts:digest_unsubscribe", kwargs={"token": digest_unsubscribe_token(user)}
    )


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
    site_url = settings.SITE_URL.rstrip("/")
    unsubscribe_url = digest_unsubscribe_url(digest.user)
    context = {
        "digest": digest,
        "site_url": site_url,
        "unsubscribe_url": unsubscribe_url,
        "profile_url": site_url + reverse("accounts:profile"),
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


def _claim(digests: list[Digest], week) -> dict[int, int]:
    """Claim this week's e-mail of each person: {user id: delivery id} of those
    this run may send. A row sent or being sent by another run is left alone;
    a failed one is tried again."""
    run = uuid.uuid4()
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(
                user=digest.user,
                week=week,
                claim=run,
                period_start=digest.since,
                period_end=digest.until,
                item_count=digest.item_count,
            )
            for digest in digests
        ],
        ignore_conflicts=True,
    )
    # Conditional: of two runs retrying the same failed e-mail, one wins the row.
    DigestDelivery.objects.filter(
        user_id__in=[digest.user.pk for digest in digests], week=week, status=DigestStatus.FAILED
    ).update(status=DigestStatus.SENDING, claim=run, error="")
    return dict(DigestDelivery.objects.filter(claim=run).values_list("user_id", "pk"))


def _send(digest: Digest, *, delivery_id: int, connection) -> DigestDelivery:
    """Send one digest; its delivery row as it should be recorded."""
    outcome = DigestDelivery(
        pk=delivery_id,
        period_start=digest.since,
        period_end=digest.until,
        item_count=digest.item_count,
        status=DigestStatus.SENT,
        sent_at=None,
        error="",
    )
    try:
        connection.open()  # once: the batch shares one mail server session
        connection.send_messages([digest_message(digest)])
    except Exception as error:
        logger.exception("Weekly digest to user %s not sent", digest.user.pk)
        outcome.status, outcome.error = DigestStatus.FAILED, f"{type(error).__name__}: {error}"[:2000]
        # The session may be broken: the next message opens a new one.
        connection.close()
    else:
        outcome.sent_at = timezone.now()
    digest.status = outcome.status
    return outcome


def digests_send(*, user_ids: list[int], now: datetime | None = None, dry_run: bool = False) -> list[Digest]:
    """Compose and send the digests of these people (a batch: a few queries
    whatever its size). Side effects: one DigestDelivery row per e-mail (sent
    or failed, with the error); e-mails. A failure for one person is logged and
    recorded, and the others are still sent. ``dry_run`` composes only."""
    now = now or timezone.now()
    digests = digests_compose(user_ids=user_ids, now=now)
    if dry_run or not digests:
        return digests
    claimed = _claim(digests, digest_week(now))
    outcomes: list[DigestDelivery] = []
    connection = mailers.default
    try:
        for digest in digests:
            if digest.user.pk in claimed:
                outcomes.append(_send(digest, delivery_id=claimed[digest.user.pk], connection=connection))
    finally:
        connection.close()
        # Recorded even when the run is cut short: what was sent is never sent
        # again, and what was claimed but not tried is tried by the next run.
        if outcomes:
            DigestDelivery.objects.bulk_update(
                outcomes, ["period_start", "period_end", "item_count", "status", "sent_at", "error"]
            )
        not_tried = set(claimed.values()) - {outcome.pk for outcome in outcomes}
        if not_tried:
            DigestDelivery.objects.filter(pk__in=not_tried).update(
                status=DigestStatus.FAILED, error="Not tried: the run stopped early."
            )
    return digests


def digests_send_all(
    *, now: datetime | None = None, dry_run: bool = False, chunk_size: int = DIGEST_BATCH
) -> list[Digest]:
    """Every digest due now, batch after batch, in this process (the command;
    the Celery task shares the batches among workers instead)."""
    now = now or timezone.now()
    ids = digest_recipient_ids(now=now)
    digests = []
    for start in range(0, len(ids), chunk_size):
        digests += digests_send(user_ids=ids[start : start + chunk_size], now=now, dry_run=dry_run)
    return digests


# Opting out ----------------------------------------------------------------------


def digest_unsubscribe_user(*, token: str) -> User:
    """The person an unsubscribe link is for; a clear ValidationError when the
    link is damaged or the account is gone."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ValidationError(
            _(
                "This unsubscribe link is not valid. Check that you copied all of it, or turn the digest off in your profile."
            )
        ) from None
    user = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if user is None:
        raise ValidationError(_("This unsubscribe link belongs to an account that no longer exists."))
    return user


def digest_unsubscribe(*, user: User) -> User:
    """Turn the weekly digest off (the link in every digest, one click)."""
    User.objects.filter(pk=user.pk).update(weekly_digest=False)
    user.weekly_digest = False
    return user
