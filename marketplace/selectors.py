"""Reads for the marketplace: permission-checked fetches, search and lists.

Visibility (SPEC.md): published capabilities are public. Published public needs
are listed for everyone, with details only for platform staff, the owner and
admins; platforms-only needs are seen by platform staff, the owner and admins.
Anything not published is seen by its owner and admins only. What a user may
not see is a 404.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership
from marketplace import semantic
from marketplace.choices import OPEN_APPLICATION_STATUSES, ApplicationStatus, ListingStatus, NeedVisibility
from marketplace.models import Application, AuditEvent, Capability, Invitation, Message, Need, Notification, Tag
from marketplace.ranking import RANKED_ORDER, text_search


def _is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def _is_platform(membership: Membership | None) -> bool:
    return membership is not None and membership.organization.is_platform


def listing_is_own(membership: Membership | None, listing) -> bool:
    """Whether the listing belongs to the organisation the member acts for."""
    return membership is not None and membership.organization_id == listing.organization_id


# --- capabilities -----------------------------------------------------------


def capability_get_for_viewer(*, user, membership: Membership | None, pk: int) -> Capability:
    capability = Capability.objects.select_related("organization").prefetch_related("tags").filter(pk=pk).first()
    if capability is None or not (capability.is_published or listing_is_own(membership, capability) or _is_admin(user)):
        raise Http404(_("No such capability."))
    return capability


def capability_get_for_owner(*, membership: Membership | None, pk: int) -> Capability:
    capability = Capability.objects.prefetch_related("tags").filter(pk=pk).first()
    if capability is None or not listing_is_own(membership, capability):
        raise Http404(_("No such capability."))
    return capability


def capabilities_catalogue(
    *,
    query: str = "",
    kind: str = "",
    tag: str = "",
    industry: str = "",
    region: str = "",
    access_model: str = "",
    budget: int | None = None,
    sort: str = "relevance",
) -> QuerySet[Capability]:
    """Published capabilities matching the filters, best first."""
    capabilities = Capability.objects.published()
    if kind:
        capabilities = capabilities.filter(kind=kind)
    if tag:
        capabilities = capabilities.filter(tags__key=tag)
    if industry:
        # An empty industry set means "suits every industry".
        capabilities = capabilities.filter(Q(industries__has=industry) | Q(industries=""))
    if region:
        capabilities = capabilities.filter(Q(regions__has=region) | Q(regions=""))
    if access_model:
        capabilities = capabilities.filter(access_model=access_model)
    if budget is not None:
        capabilities = capabilities.filter(Q(price_min_monthly__lte=budget) | Q(price_min_monthly__isnull=True))
    meaning = semantic.capabilities_by_meaning(query=query) if query and sort == "relevance" else {}
    capabilities, ranked = text_search(capabilities, query, meaning=meaning)
    order = RANKED_ORDER if ranked and sort == "relevance" else ["-published_at", "-pk"]
    return capabilities.select_related("organization").prefetch_related("tags").order_by(*order)


def capabilities_of_organization(*, membership: Membership) -> QuerySet[Capability]:
    return (
        Capability.objects.filter(organization_id=membership.organization_id)
        .annotate(
            open_applications=Count("applications", filter=Q(applications__status__in=["submitted", "in_review"]))
        )
        .select_related("organization")
        .prefetch_related("tags")
        .order_by("-updated_at", "-pk")
    )


# --- needs ------------------------------------------------------------------


def need_visible_to(need: Need, user, membership: Membership | None) -> bool:
    if listing_is_own(membership, need) or _is_admin(user):
        return True
    if need.status != ListingStatus.PUBLISHED:
        return False
    return need.visibility == NeedVisibility.PUBLIC or _is_platform(membership)


def need_shows_details(need: Need, user, membership: Membership | None) -> bool:
    """Anonymous visitors and other SMEs see a need's title, kinds, industry and
    region only; platform staff, the owner and admins see everything."""
    return listing_is_own(membership, need) or _is_admin(user) or _is_platform(membership)


def need_get_for_viewer(*, user, membership: Membership | None, pk: int) -> Need:
    need = Need.objects.select_related("organization").prefetch_related("tags").filter(pk=pk).first()
    if need is None or not need_visible_to(need, user, membership):
        raise Http404(_("No such need."))
    return need


def need_get_for_owner(*, membership: Membership | None, pk: int) -> Need:
    need = Need.objects.prefetch_related("tags").filter(pk=pk).first()
    if need is None or not listing_is_own(membership, need):
        raise Http404(_("No such need."))
    return need


def needs_board(
    *, membership: Membership | None, query: str = "", kind: str = "", industry: str = "", region: str = ""
) -> QuerySet[Need]:
    needs = Need.objects.published()
    if not _is_platform(membership):
        needs = needs.filter(visibility=NeedVisibility.PUBLIC)
    if kind:
        needs = needs.filter(kinds_wanted__has=kind)
    if industry:
        needs = needs.filter(industry=industry)
    if region:
        needs = needs.filter(region=region)
    # Visitors and other SMEs search titles only, so a search never reveals a
    # description they may not read.
    column = "search_document" if _is_platform(membership) else "search_title"
    needs, ranked = text_search(needs, query, column=column)
    order = RANKED_ORDER if ranked else ["-published_at", "-pk"]
    return needs.select_related("organization").prefetch_related("tags").order_by(*order)


def needs_board_shows_details(*, membership: Membership | None) -> bool:
    return _is_platform(membership)


def marketplace_counts(*, membership: Membership | None) -> dict[str, int]:
    """Live counts for the home page, of what this visitor may see."""
    return {
        "capabilities": Capability.objects.published().count(),
        "needs": needs_board(membership=membership).count(),
    }


def needs_of_organization(*, membership: Membership) -> QuerySet[Need]:
    return (
        Need.objects.filter(organization_id=membership.organization_id)
        .select_related("organization")
        .prefetch_related("tags")
        .order_by("-updated_at", "-pk")
    )


# --- search facets -----------------------------------------------------------


FACET_TAGS = 15


def capability_facets(queryset: QuerySet[Capability]) -> dict:
    """Counts per kind and access model, and the most used tags (most used
    first, then by key), for a result set.

    With 10,000 capabilities these counts were the catalogue page's largest
    cost, so: kinds and access models are counted in one pass, straight over
    the result set unless a search annotated it (then over its ids); tags are
    counted by id, which groups integers rather than names, and only those
    that can make the top are read by name.
    """
    base = queryset.order_by().values("pk")
    rows: QuerySet[Capability]
    if queryset.query.annotations:
        rows = Capability.objects.filter(pk__in=base)
    else:
        rows = queryset.order_by().prefetch_related(None)
    kinds: dict[str, int] = {}
    access_models: dict[str, int] = {}
    for kind, access_model, count in rows.values_list("kind", "access_model").annotate(n=Count("pk")):
        kinds[kind] = kinds.get(kind, 0) + count
        access_models[access_model] = access_models.get(access_model, 0) + count
    return {"kind": kinds, "access_model": access_models, "tags": _top_tags(base)}


def _top_tags(capability_ids: QuerySet) -> list[dict]:
    """The FACET_TAGS tags most used by the capabilities, as ``{"tag__key",
    "tag__name", "n"}``, by -n and then key (in the database's order)."""
    tag_through = Capability.tags.through
    counts = dict(
        tag_through.objects.filter(capability_id__in=capability_ids)
        .values_list("tag_id")
        .annotate(n=Count("capability_id"))
        .order_by()
    )
    if not counts:
        return []
    # Every tag that can still make the top: used at least as often as the last one in it.
    cut = sorted(counts.values(), reverse=True)[:FACET_TAGS][-1]
    contenders = Tag.objects.filter(pk__in=[pk for pk, count in counts.items() if count >= cut]).order_by("key")
    tags = [
        {"tag__key": key, "tag__name": name, "n": counts[pk]}
        for pk, key, name in contenders.values_list("pk", "key", "name")
    ]
    # A stable sort keeps the database's order of keys among equal counts.
    return sorted(tags, key=lambda tag: -tag["n"])[:FACET_TAGS]


# --- applications, messages, invitations, notifications -----------------------


def application_get_for_member(*, membership: Membership | None, pk: int) -> Application:
    """An application, for a member of the applicant SME or of the platform
    that offers the capability; anyone else gets a 404."""
    application = (
        Application.objects.select_related(
            "sme", "capability__organization", "need__organization", "submitted_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if application is None or membership is None:
        raise Http404(_("No such application."))
    if membership.organization_id not in (application.sme_id, application.capability.organization_id):
        raise Http404(_("No such application."))
    return application


def applications_for_membership(
    *, membership: Membership, status: str = "", capability_id: int | None = None
) -> QuerySet[Application]:
    """An SME's own applications, or the applications to a platform's capabilities."""
    if membership.organization.is_platform:
        applications = Application.objects.filter(capability__organization_id=membership.organization_id)
    else:
        applications = Application.objects.filter(sme_id=membership.organization_id)
    if status == "open":
        applications = applications.filter(status__in=OPEN_APPLICATION_STATUSES)
    elif status:
        applications = applications.filter(status=status)
    if capability_id:
        applications = applications.filter(capability_id=capability_id)
    return applications.select_related("sme", "capability__organization", "need__organization").order_by(
        "-updated_at", "-pk"
    )


def application_messages(*, application: Application) -> QuerySet[Message]:
    return application.messages.select_related("sender", "sender_organization")


def audit_history(*, target) -> QuerySet[AuditEvent]:
    content_type = ContentType.objects.get_for_model(target)
    return AuditEvent.objects.filter(content_type=content_type, object_id=target.pk).select_related("actor")


def open_application_for(*, membership: Membership | None, capability: Capability) -> Application | None:
    if membership is None or not membership.organization.is_sme:
        return None
    return Application.objects.filter(
        sme_id=membership.organization_id, capability=capability, status__in=OPEN_APPLICATION_STATUSES
    ).first()


def accepted_application_for(*, membership: Membership | None, capability: Capability) -> Application | None:
    """The SME's latest accepted application to ``capability``: it may apply
    again (one *open* application at a time), and its page says so."""
    if membership is None or not membership.organization.is_sme:
        return None
    return (
        Application.objects.filter(
            sme_id=membership.organization_id, capability=capability, status=ApplicationStatus.ACCEPTED
        )
        .order_by(F("decided_at").desc(nulls_last=True), "-pk")
        .first()
    )


def invitations_for_membership(*, membership: Membership) -> QuerySet[Invitation]:
    """Invitations an SME received, or a platform sent."""
    invitations = Invitation.objects.select_related("capability__organization", "need__organization", "application")
    if membership.organization.is_platform:
        return invitations.filter(capability__organization_id=membership.organization_id)
    return invitations.filter(need__organization_id=membership.organization_id)


def invitation_get_for_sme(
    *, membership: Membership | None, pk: int, capability: Capability | None = None
) -> Invitation:
    """An invitation received by the member's SME (and, if given, for this
    capability); anything else is a 404."""
    invitations = Invitation.objects.select_related("capability", "need")
    if capability is not None:
        invitations = invitations.filter(capability=capability)
    invitation = invitations.filter(pk=pk).first()
    if invitation is None or membership is None or invitation.need.organization_id != membership.organization_id:
        raise Http404(_("No such invitation."))
    return invitation


def capabilities_to_offer(*, membership: Membership) -> QuerySet[Capability]:
    return Capability.objects.published().filter(organization_id=membership.organization_id).order_by("title")


def needs_to_apply_for(*, membership: Membership) -> QuerySet[Need]:
    """The SME's published needs: the platform can open what is linked."""
    return Need.objects.published().filter(organization_id=membership.organization_id).order_by("title")


def notifications_for_user(*, user, organization=None) -> QuerySet[Notification]:
    """The person's notifications; with ``organization``, only those about
    that organisation's business (the API, whose tokens act for one)."""
    notifications = Notification.objects.filter(recipient=user)
    if organization is not None:
        notifications = notifications.filter(organization=organization)
    return notifications.order_by("-created_at", "-pk")


def notification_get_for_user(*, user, pk: int, organization=None) -> Notification:
    notification = notifications_for_user(user=user, organization=organization).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("No such notification."))
    return notification


def unread_notification_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def invitation_get_for_member(*, membership: Membership | None, pk: int) -> Invitation:
    """An invitation, for a member of the SME that received it or of the
    platform that sent it; anyone else gets a 404."""
    invitation = (
        Invitation.objects.select_related("capability__organization", "need__organization", "application")
        .filter(pk=pk)
        .first()
    )
    if invitation is None or membership is None:
        raise Http404(_("No such invitation."))
    if membership.organization_id not in (invitation.need.organization_id, invitation.capability.organization_id):
        raise Http404(_("No such invitation."))
    return invitation
