"""Capabilities and needs: create, edit, and move through their states.

States (SPEC.md): draft → submitted → published | changes_requested | rejected;
published → archived (by the owner) or suspended (by an admin). Every change is
one transaction that locks the row, checks who may act, writes an audit event
and queues notifications after commit.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Membership, Organization, User
from marketplace.choices import OPEN_APPLICATION_STATUSES, ListingStatus, NotificationKind
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Capability, Need
from marketplace.search import build_document
from marketplace.services.audit import audit_record
from marketplace.services.notifications import notify_organization
from marketplace.services.tags import tags_get_or_create
from marketplace.signals import listing_changed, listing_published, listing_withdrawn

S = ListingStatus
OWNER, ADMIN = "owner", "admin"


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    by: str
    reason_required: bool = False


TRANSITIONS = {
    "submit": Transition(frozenset({S.DRAFT, S.CHANGES_REQUESTED}), S.SUBMITTED, OWNER),
    "publish": Transition(frozenset({S.SUBMITTED}), S.PUBLISHED, ADMIN),
    "request_changes": Transition(frozenset({S.SUBMITTED}), S.CHANGES_REQUESTED, ADMIN, reason_required=True),
    "reject": Transition(frozenset({S.SUBMITTED}), S.REJECTED, ADMIN, reason_required=True),
    "archive": Transition(frozenset({S.PUBLISHED, S.DRAFT, S.CHANGES_REQUESTED, S.REJECTED}), S.ARCHIVED, OWNER),
    "suspend": Transition(frozenset({S.PUBLISHED}), S.SUSPENDED, ADMIN, reason_required=True),
    "reinstate": Transition(frozenset({S.SUSPENDED}), S.PUBLISHED, ADMIN),
    # The owner takes a listing back out of review to change it.
    "retract": Transition(frozenset({S.SUBMITTED}), S.DRAFT, OWNER),
}
MODERATION_ACTIONS = tuple(name for name, transition in TRANSITIONS.items() if transition.by == ADMIN)

# Owners may edit in these states; editing never changes state except as below.
# Not while submitted: a moderator must decide on the text they read (the owner
# can retract the listing to draft first).
EDITABLE = frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.PUBLISHED})
# Fields whose change is "substance": on a published listing of an unverified
# organisation it sends the listing back to review.
SUBSTANCE = {
    Capability: (
        "title",
        "summary",
        "description",
        "kind",
        "terms_text",
        "application_question",
        "data_classification",
    ),
    Need: ("title", "description", "kinds_wanted"),
}
CAPABILITY_FIELDS = (
    "kind", "title", "summary", "description", "industries", "regions", "access_model", "price_notes",
    "price_min_monthly", "price_max_monthly", "quota_sla", "eligible_size_bands", "requires_verification",
    "data_classification", "application_question", "terms_text",
)  # fmt: skip
NEED_FIELDS = (
    "title", "description", "kinds_wanted", "industry", "region", "budget_min_monthly", "budget_max_monthly",
    "desired_start", "visibility",
)  # fmt: skip

MODERATION_TITLES = {
    "publish": gettext_lazy("“%(title)s” is published."),
    "request_changes": gettext_lazy("Changes requested for “%(title)s”."),
    "reject": gettext_lazy("“%(title)s” was not accepted."),
    "suspend": gettext_lazy("“%(title)s” was suspended."),
    "reinstate": gettext_lazy("“%(title)s” is published again."),
}


def _model_label(model) -> str:
    return str(model._meta.verbose_name)


def listing_url(listing) -> str:
    name = "marketplace:capability_detail" if isinstance(listing, Capability) else "marketplace:need_detail"
    return reverse(name, args=[listing.pk])


def _differs(model, name: str, old, new) -> bool:
    """Compare as stored: ["b", "a"] and ["a", "b"] are the same set, 500 and 500.00 the same price."""
    field = model._meta.get_field(name)
    return field.get_prep_value(old) != field.get_prep_value(new)


def _refresh_search_document(listing) -> None:
    tag_names = " ".join(tag.name for tag in listing.tags.all())
    texts = [listing.title, getattr(listing, "summary", ""), listing.description, tag_names]
    listing.search_document = build_document(*texts)
    listing.search_title = build_document(listing.title)
    listing.save(update_fields=["search_document", "search_title"])


def _require_owner(membership: Membership | None, listing_or_org_id, model) -> None:
    organization_id = getattr(listing_or_org_id, "organization_id", listing_or_org_id)
    if membership is None or membership.organization_id != organization_id:
        raise PermissionDenied(
            _("Only the organisation that owns this %(thing)s can do that.") % {"thing": _model_label(model)}
        )


def listing_require_kind(*, membership: Membership, model) -> None:
    """Only platforms list capabilities and only SMEs post needs (403)."""
    if model is Capability and not membership.organization.is_platform:
        raise PermissionDenied(_("Only platform companies list capabilities."))
    if model is Need and not membership.organization.is_sme:
        raise PermissionDenied(_("Only SMEs post needs."))


def _require_moderator(user: User, model) -> None:
    if not (user.is_staff and user.has_perm(f"marketplace.moderate_{model._meta.model_name}")):
        raise PermissionDenied(_("Only moderators can do that."))


@transaction.atomic
def listing_create(*, model, membership: Membership, fields: dict, tag_names: list[str]):
    """Create a draft capability (platforms) or need (SMEs)."""
    listing_require_kind(membership=membership, model=model)
    allowed = CAPABILITY_FIELDS if model is Capability else NEED_FIELDS
    listing = model(
        organization=membership.organization,
        created_by=membership.user,
        status=S.DRAFT,
        **{name: value for name, value in fields.items() if name in allowed},
    )
    listing.full_clean(exclude=["search_document", "search_title"])
    listing.save()
    listing.tags.set(tags_get_or_create(names=tag_names))
    _refresh_search_document(listing)
    audit_record(
        actor=membership.user, target=listing, organization=listing.organization, action="create", to_state=S.DRAFT
    )
    return listing


@transaction.atomic
def listing_update(*, model, membership: Membership, pk: int, fields: dict, tag_names: list[str]):
    """Edit a listing. A published listing of an unverified organisation whose
    substance changed goes back to review; new terms get a new version."""
    listing = model.objects.select_for_update().filter(pk=pk).first()
    if listing is None:
        raise PermissionDenied(_("No such %(thing)s.") % {"thing": _model_label(model)})
    _require_owner(membership, listing, model)
    if listing.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("A %(thing)s that is %(status)s cannot be edited.")
            % {"thing": _model_label(model), "status": listing.get_status_display().lower()}
        )
    allowed = CAPABILITY_FIELDS if model is Capability else NEED_FIELDS
    changed = [
        name for name in allowed if name in fields and _differs(model, name, getattr(listing, name), fields[name])
    ]
    old_tags = {tag.key for tag in listing.tags.all()}
    terms_changed = model is Capability and "terms_text" in changed
    for name in changed:
        setattr(listing, name, fields[name])
    if terms_changed:
        listing.terms_version += 1
    listing.full_clean(exclude=["search_document", "search_title"])
    listing.save()
    tags = tags_get_or_create(names=tag_names)
    listing.tags.set(tags)
    _refresh_search_document(listing)
    substance = [name for name in changed if name in SUBSTANCE[model]] or ({t.key for t in tags} != old_tags)
    if listing.status == S.PUBLISHED and substance and not membership.organization.is_verified:
        listing.status = S.SUBMITTED
        listing.submitted_at = timezone.now()
        listing.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=membership.user,
            target=listing,
            organization=listing.organization,
            action="edit_resubmit",
            from_state=S.PUBLISHED,
            to_state=S.SUBMITTED,
            reason=_("Edited by an unverified organisation; back to review."),
        )
        listing_withdrawn.send(sender=model, listing=listing)
    elif changed or substance:
        if listing.status == S.PUBLISHED:
            listing_changed.send(sender=model, listing=listing)
        audit_record(
            actor=membership.user,
            target=listing,
            organization=listing.organization,
            action="edit",
            from_state=listing.status,
            to_state=listing.status,
            reason=", ".join(changed),
        )
    return listing


@transaction.atomic
def listing_transition(
    *, model, pk: int, action: str, user: User, membership: Membership | None = None, reason: str = ""
):
    """Move a listing to another state; see TRANSITIONS for who may do what."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action."))
    listing = model.objects.select_for_update().select_related("organization").filter(pk=pk).first()
    if listing is None:
        raise PermissionDenied(_("No such %(thing)s.") % {"thing": _model_label(model)})
    if transition.by == OWNER:
        _require_owner(membership, listing, model)
    else:
        _require_moderator(user, model)
    if listing.status not in transition.sources:
        raise TransitionNotAllowed(
            _("This %(thing)s is %(status)s, so it cannot be %(action)s.")
            % {
                "thing": _model_label(model),
                "status": listing.get_status_display().lower(),
                "action": ACTION_PAST_TENSE[action],
            }
        )
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise ValidationError({"reason": _("Give a reason: the owner will read it.")})
    from_state = listing.status
    listing.status = transition.target
    now = timezone.now()
    update_fields = ["status", "updated_at"]
    if transition.target == S.SUBMITTED:
        listing.submitted_at = now
        update_fields.append("submitted_at")
    if transition.target == S.PUBLISHED and listing.published_at is None:
        listing.published_at = now
        update_fields.append("published_at")
    if transition.by == ADMIN or action == "submit":
        # A new submission starts a new review: the previous reason is history
        # (kept in the audit trail), not a comment on the new text.
        listing.moderation_reason = reason
        update_fields.append("moderation_reason")
    listing.save(update_fields=update_fields)
    audit_record(
        actor=user,
        target=listing,
        organization=listing.organization,
        action=action,
        from_state=from_state,
        to_state=listing.status,
        reason=reason,
    )
    if model is Capability and from_state == S.PUBLISHED and listing.status != S.PUBLISHED:
        _tell_open_applicants(listing)
    if listing.status == S.PUBLISHED:
        listing_published.send(sender=model, listing=listing)
    elif from_state == S.PUBLISHED:
        listing_withdrawn.send(sender=model, listing=listing)
    if transition.by == ADMIN:
        notify_organization(
            organization=listing.organization,
            kind=NotificationKind.MODERATION,
            title=MODERATION_TITLES[action],
            body=gettext_lazy("Reason: %(reason)s") if reason else "",
            params={"title": listing.title, "reason": reason},
            url=listing_url(listing),
        )
    return listing


def _tell_open_applicants(capability: Capability) -> None:
    """A capability that stops being published cannot accept applications:
    SMEs waiting for a decision are told (they may withdraw)."""
    waiting = Organization.objects.filter(
        applications__capability=capability, applications__status__in=OPEN_APPLICATION_STATUSES
    ).distinct()
    for organization in waiting:
        notify_organization(
            organization=organization,
            kind=NotificationKind.APPLICATION_DECISION,
            title=gettext_lazy("“%(title)s” is no longer offered; your application cannot be accepted for now."),
            params={"title": capability.title},
            url=listing_url(capability),
        )


# Words for “… so it cannot be %(action)s”: a context of their own, as other
# languages say them as verbs, unlike the same words used as states.
ACTION_PAST_TENSE = {
    "submit": pgettext_lazy("so it cannot be", "submitted"),
    "publish": pgettext_lazy("so it cannot be", "published"),
    "request_changes": pgettext_lazy("so it cannot be", "sent back for changes"),
    "reject": pgettext_lazy("so it cannot be", "rejected"),
    "archive": pgettext_lazy("so it cannot be", "archived"),
    "suspend": pgettext_lazy("so it cannot be", "suspended"),
    "reinstate": pgettext_lazy("so it cannot be", "reinstated"),
    "retract": pgettext_lazy("so it cannot be", "taken back to draft"),
}


def listing_moderate_many(*, model, pks: list[int], action: str, user: User, reason: str = "") -> tuple[int, list[str]]:
    """Apply a moderation action to several listings (admin bulk actions).
    Each is its own transaction; returns how many changed and the errors."""
    done, errors = 0, []
    for pk in pks:
        try:
            listing_transition(model=model, pk=pk, action=action, user=user, reason=reason)
        except (TransitionNotAllowed, ValidationError, PermissionDenied) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            errors.append(f"#{pk}: {message}")
        else:
            done += 1
    return done, errors
