"""Who has news this week and what it is: the recipients, their batches and
each person's digest (sections per organisation, items best first)."""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accounts.choices import PLATFORM, SME
from accounts.models import Membership, Organization, User
from marketplace.models import Capability, Need
from matching.models import DigestDelivery, DigestStatus, Match
from matching.reasons import reason_sentences
from matching.selectors import GOOD_MATCH_SCORE, shown_to

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


def reclaimable() -> Q:
    """This week's rows a run may claim: failed, or still "sending" long after
    their claim (the run that held it was killed)."""
    return Q(status=DigestStatus.FAILED) | Q(status=DigestStatus.SENDING, claimed_at__lt=timezone.now() - CLAIM_EXPIRY)


def digest_recipient_ids(*, now: datetime, week: date) -> list[int]:
    """People who may have something new: active, opted in, members of an
    organisation with a proposal of the past weeks, without ``week``'s digest
    (sent, or being sent by a live run). A superset; digests_compose decides."""
    new = _new_matches(now=now, since=now - MAX_LOOKBACK).order_by()
    taken = DigestDelivery.objects.filter(user=OuterRef("pk"), week=week).exclude(reclaimable())
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
        matches = shown_to(_new_matches(now=now, since=since).filter(need__organization_id__in=sme_ids), SME)
        matches = matches.select_related("need", "capability__organization")
        for match in matches:
            found.setdefault((match.need.organization_id, SME), []).append(match)
    if platform_ids:
        matches = shown_to(
            _new_matches(now=now, since=since).filter(capability__organization_id__in=platform_ids), PLATFORM
        )
        matches = matches.select_related("need__organization", "capability")
        for match in matches:
            found.setdefault((match.capability.organization_id, PLATFORM), []).append(match)
    return found


def _link(route: str, pk: int, anchor: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + reverse(route, args=[pk]) + anchor


def _item(match: Match, side: str) -> DigestItem:
    """The other side's listing: the capability proposed to an SME, the need
    a platform's capability fits."""
    other: Capability | Need
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
        listing: Capability | Need
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
    sent: defaultdict[int, set[tuple[int, int]]] = defaultdict(set)
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
    for user_id, group in groupby(memberships, key=lambda m: m.user_id):
        own = list(group)
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
