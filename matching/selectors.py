"""Reading matches: what each side is shown, and the one permission-checked fetch."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.choices import PLATFORM, SME
from accounts.models import Membership
from marketplace.choices import ApplicationStatus, InvitationStatus
from marketplace.models import Application, Capability, Invitation, Need
from matching.ml.calibration import GOOD_MATCH
from matching.models import Feedback, Match

# A good match: a fit of GOOD_MATCH or more (the fit is a calibrated chance
# of a good match: matching.ml.calibration). The pages show only these
# unfolded, the dashboards count needs without one as unmet demand and the
# weekly digest e-mails only these.
GOOD_MATCH_SCORE = GOOD_MATCH

# Applications after which a capability is no longer proposed to that SME:
# proposing it again would only repeat the question.
APPLIED_STATUSES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.DECLINED,
]


def already_applied():
    """Whether the need's SME has applied to the match's capability."""
    return Exists(
        Application.objects.filter(
            sme_id=OuterRef("need__organization_id"),
            capability_id=OuterRef("capability_id"),
            status__in=APPLIED_STATUSES,
        )
    )


def _invited():
    """Whether the platform has invited the need's SME to apply to the match's
    capability (and the invitation is still open)."""
    return Exists(
        Invitation.objects.filter(
            capability_id=OuterRef("capability_id"), need_id=OuterRef("need_id"), status=InvitationStatus.OPEN
        )
    )


def shown_to(matches: QuerySet[Match], side: str) -> QuerySet[Match]:
    """The proposals as ``side``'s lists show them: without those it
    dismissed and, for SMEs, without those it has applied to."""
    if side == PLATFORM:
        return matches.exclude(platform_feedback=Feedback.DISMISSED)
    return matches.exclude(sme_feedback=Feedback.DISMISSED).exclude(already_applied())


def recommendations_for_need(*, need: Need, limit: int = 20) -> QuerySet[Match]:
    """The capabilities proposed for a need, best first, without those the SME
    dismissed."""
    return (
        shown_to(Match.objects.proposed().filter(need=need), SME)
        .select_related("need__organization", "capability__organization")
        .order_by("rank")[:limit]
    )


def fitting_needs_for_capability(*, capability: Capability, limit: int = 20) -> QuerySet[Match]:
    """The published needs a capability is proposed for, best fit first,
    without those the platform dismissed; each says whether the SME has
    applied already or the platform has invited it (``applied``, ``invited``)."""
    return (
        shown_to(Match.objects.proposed().filter(capability=capability), PLATFORM)
        .annotate(applied=already_applied(), invited=_invited())
        .select_related("need__organization", "capability__organization")
        .order_by("-score", "pk")[:limit]
    )


def recommendations_for_membership(*, membership: Membership, limit: int = 5) -> QuerySet[Match]:
    """The workspace panel: the best proposals across the organisation's
    published needs (SMEs) or capabilities (platforms)."""
    return matches_for_membership(membership=membership)[:limit]


def matches_for_membership(
    *, membership: Membership, need_id: int | None = None, capability_id: int | None = None
) -> QuerySet[Match]:
    """Every proposal of the organisation's published needs (SMEs) or
    capabilities (platforms), best first, optionally of one need or capability;
    without those its side dismissed and, for SMEs, those it has applied to.
    A platform's rows say whether the SME has applied or was invited."""
    matches = Match.objects.proposed().select_related("need__organization", "capability__organization")
    if membership.organization.is_platform:
        matches = shown_to(matches.filter(capability__organization=membership.organization), PLATFORM).annotate(
            applied=already_applied(), invited=_invited()
        )
    else:
        matches = shown_to(matches.filter(need__organization=membership.organization), SME)
    if need_id is not None:
        matches = matches.filter(need_id=need_id)
    if capability_id is not None:
        matches = matches.filter(capability_id=capability_id)
    return matches.order_by("-score", "pk")


def strong_and_weaker(matches) -> tuple[list[Match], list[Match]]:
    """A list of matches, best first, split into the good matches (shown) and
    the weaker rest (folded away; all of them passed the relevance floor)."""
    matches = list(matches)
    cut = next((i for i, match in enumerate(matches) if match.score < GOOD_MATCH_SCORE), len(matches))
    return matches[:cut], matches[cut:]


def match_get_for_member(*, membership: Membership | None, pk: int) -> tuple[Match, str]:
    """A proposal and the side the member speaks for: the SME whose need it is
    or the platform whose capability it is. Anyone else: 404."""
    match = Match.objects.proposed().select_related("need", "capability").filter(pk=pk).first()
    if match is None or membership is None:
        raise Http404(_("No such match."))
    if membership.organization_id == match.need.organization_id:
        return match, SME
    if membership.organization_id == match.capability.organization_id:
        return match, PLATFORM
    raise Http404(_("No such match."))


def match_get_shown(*, membership: Membership | None, pk: int) -> tuple[Match, str]:
    """match_get_for_member, with both organisations and, for the platform,
    whether the SME has applied or was invited: one proposal as its lists show it."""
    match, side = match_get_for_member(membership=membership, pk=pk)
    matches = Match.objects.select_related("need__organization", "capability__organization")
    if side == PLATFORM:
        matches = matches.annotate(applied=already_applied(), invited=_invited())
    return matches.get(pk=match.pk), side


def need_has_good_match(*, min_score: float, first_proposed_within: timedelta | None = None, **filters) -> Exists:
    """For a query of needs (the outer row): whether a capability is proposed
    for the need now with a fit of ``min_score`` or more (``filters`` narrow
    the capabilities, e.g. ``capability__organization_id``). With
    ``first_proposed_within``: whether one such was first proposed within that
    time of the need's publication (its fit being the latest)."""
    matches = Match.objects.filter(need_id=OuterRef("pk"), score__gte=min_score, **filters)
    if first_proposed_within is None:
        return Exists(matches.proposed())
    return Exists(matches.filter(created_at__lte=OuterRef("published_at") + first_proposed_within))
