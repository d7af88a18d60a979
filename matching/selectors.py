"""Reading matches: what each side is shown, and the one permission-checked fetch."""

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Membership
from marketplace.models import Capability, Need
from matching.models import Feedback, Match, RankerModel

SME, PLATFORM = "sme", "platform"


def recommendations_for_need(*, need: Need, limit: int = 20) -> QuerySet[Match]:
    """The capabilities proposed for a need, best first, without those the SME
    dismissed."""
    return (
        Match.objects.proposed()
        .filter(need=need)
        .exclude(sme_feedback=Feedback.DISMISSED)
        .select_related("capability__organization")
        .order_by("rank")[:limit]
    )


def fitting_needs_for_capability(*, capability: Capability, limit: int = 20) -> QuerySet[Match]:
    """The published needs a capability is proposed for, best fit first,
    without those the platform dismissed."""
    return (
        Match.objects.proposed()
        .filter(capability=capability)
        .exclude(platform_feedback=Feedback.DISMISSED)
        .select_related("need__organization")
        .order_by("-score", "pk")[:limit]
    )


def recommendations_for_membership(*, membership: Membership, limit: int = 5) -> QuerySet[Match]:
    """The workspace panel: the best proposals across the organisation's
    published needs (SMEs) or capabilities (platforms)."""
    matches = Match.objects.proposed().select_related("need__organization", "capability__organization")
    if membership.organization.is_platform:
        matches = matches.filter(capability__organization=membership.organization).exclude(
            platform_feedback=Feedback.DISMISSED
        )
    else:
        matches = matches.filter(need__organization=membership.organization, rank__lte=5).exclude(
            sme_feedback=Feedback.DISMISSED
        )
    return matches.order_by("-score", "pk")[:limit]


def match_get_for_member(*, membership: Membership | None, pk: int) -> tuple[Match, str]:
    """A proposal and the side the member speaks for: the SME whose need it is
    or the platform whose capability it is. Anyone else: 404."""
    match = Match.objects.select_related("need", "capability").filter(pk=pk, rank__isnull=False).first()
    if match is None or membership is None:
        raise Http404
    if membership.organization_id == match.need.organization_id:
        return match, SME
    if membership.organization_id == match.capability.organization_id:
        return match, PLATFORM
    raise Http404


def ranker_models() -> QuerySet[RankerModel]:
    return RankerModel.objects.order_by("-version")
