"""Capabilities and needs: create, edit, and move through their states.

States (SPEC.md): draft → submitted → published | changes_requested | rejected;
published → archived (by the owner) or suspended (by an admin). Every change is
one transaction that locks the row, checks who may act, writes an audit event
and queues notifications after commit.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Membership, Organization, User
from marketplace.choices import OPEN_APPLICATION_STATUSES, ListingStatus, NotificationKind
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Capability
from marketplace.models.listings import Listing
from marketplace.search import build_document
from marketplace.services.audit import audit_record
from marketplace.services.notifications import notify_organization
from marketplace.services.tags import tags_get_or_create
from marketplace.services.transitions import StateMachine, Transition, transition_apply
from matching.services.feedback import listing_matches_refresh

SUBMIT = Transition(
    "submit",
    frozenset({ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED}),
    ListingStatus.SUBMITTED,
    pgettext_lazy("so it cannot be", "submitted"),
)
PUBLISH = Transition(
    "publish",
    frozenset({ListingStatus.SUBMITTED}),
    ListingStatus.PUBLISHED,
    pgettext_lazy("so it cannot be", "published"),
)
REQUEST_CHANGES = Transition(
    "request_changes",
    frozenset({ListingStatus.SUBMITTED}),
    ListingStatus.CHANGES_REQUESTED,
    pgettext_lazy("so it cannot be", "sent back for changes"),
    reason_required=True,
)
REJECT = Transition(
    "reject",
    frozenset({ListingStatus.SUBMITTED}),
    ListingStatus.REJECTED,
    pgettext_lazy("so it cannot be", "rejected"),
    reason_required=True,
)
ARCHIVE = Transition(
    "archive",
    frozenset({ListingStatus.PUBLISHED, ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED, ListingStatus.REJECTED}),
    ListingStatus.ARCHIVED,
    pgettext_lazy("so it cannot be", "archived"),
)
SUSPEND = Transition(
    "suspend",
    frozenset({ListingStatus.PUBLISHED}),
    ListingStatus.SUSPENDED,
    pgettext_lazy("so it cannot be", "suspended"),
    reason_required=True,
)
REINSTATE = Transition(
    "reinstate",
    frozenset({ListingStatus.SUSPENDED}),
    ListingStatus.PUBLISHED,
    pgettext_lazy("so it cannot be", "reinstated"),
)
# The owner takes a listing back out of review to change it.
RETRACT = Transition(
    "retract",
    frozenset({ListingStatus.SUBMITTED}),
    ListingStatus.DRAFT,
    pgettext_lazy("so it cannot be", "taken back to draft"),
)

# Owners may edit in these states; editing never changes state except as below.
# Not while submitted: a moderator must decide on the text they read (the owner
# can retract the listing to draft first).
EDITABLE = frozenset({ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED, ListingStatus.PUBLISHED})


def _model_label(model: type[Listing]) -> str:
    return str(model._meta.verbose_name)


def _machine(model: type[Listing]) -> StateMachine[Listing]:
    """The transition core's view of capabilities or needs."""

    def refused_message(listing: Listing, transition: Transition) -> str:
        return _("This %(thing)s is %(status)s, so it cannot be %(action)s.") % {
            "thing": _model_label(model),
            "status": listing.get_status_display().lower(),
            "action": transition.past_tense,
        }

    return StateMachine[Listing](
        rows=lambda: model.objects.select_related("organization"),
        missing_message=lambda: _("No such %(thing)s.") % {"thing": _model_label(model)},
        refused_message=refused_message,
        audit_organization=lambda listing: listing.organization,
    )


def listing_url(listing: Listing) -> str:
    return reverse(listing.detail_url_name, args=[listing.pk])


def _differs(model: type[Listing], name: str, old, new) -> bool:
    """Compare as stored: ["b", "a"] and ["a", "b"] are the same set, 500 and 500.00 the same price."""
    field = model._meta.get_field(name)
    return field.get_prep_value(old) != field.get_prep_value(new)


def _refresh_search_document(listing: Listing) -> None:
    tag_names = " ".join(tag.name for tag in listing.tags.all())
    texts = [listing.title, getattr(listing, "summary", ""), listing.description, tag_names]
    listing.search_document = build_document(*texts)
    listing.search_title = build_document(listing.title)
    listing.save(update_fields=["search_document", "search_title"])


def _require_owner(membership: Membership | None, listing: Listing) -> None:
    if membership is None or membership.organization_id != listing.organization_id:
        raise PermissionDenied(
            _("Only the organisation that owns this %(thing)s can do that.") % {"thing": _model_label(type(listing))}
        )


def listing_require_kind(*, membership: Membership, model: type[Listing]) -> None:
    """Only platforms list capabilities and only SMEs post needs (403)."""
    if membership.organization.kind != model.owner_kind:
        raise PermissionDenied(str(model.owner_kind_only))


def _require_moderator(user: User, model: type[Listing]) -> None:
    if not (user.is_staff and user.has_perm(f"marketplace.moderate_{model._meta.model_name}")):
        raise PermissionDenied(_("Only moderators can do that."))


@transaction.atomic
def listing_create(*, model: type[Listing], membership: Membership, fields: dict, tag_names: list[str]) -> Listing:
    """Create a draft capability (platforms) or need (SMEs). Side effect: an audit event."""
    listing_require_kind(membership=membership, model=model)
    listing = model(
        organization=membership.organization,
        created_by=membership.user,
        status=ListingStatus.DRAFT,
        **{name: value for name, value in fields.items() if name in model.editable_fields},
    )
    listing.full_clean(exclude=["search_document", "search_title"])
    listing.save()
    listing.tags.set(tags_get_or_create(names=tag_names))
    _refresh_search_document(listing)
    audit_record(
        actor=membership.user,
        target=listing,
        organization=listing.organization,
        action="create",
        to_state=ListingStatus.DRAFT,
    )
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, membership: Membership, fields: dict, tag_names: list[str]) -> Listing:
    """Edit a listing (its owner). A published listing of an unverified
    organisation whose substance changed goes back to review; new terms get a
    new version. Side effects: an audit event; re-matching after commit when
    it is or was published."""
    model = type(listing)
    listing = model.objects.select_for_update().filter(pk=listing.pk).first()
    if listing is None:
        raise PermissionDenied(_("No such %(thing)s.") % {"thing": _model_label(model)})
    _require_owner(membership, listing)
    if listing.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("A %(thing)s that is %(status)s cannot be edited.")
            % {"thing": _model_label(model), "status": listing.get_status_display().lower()}
        )
    changed = [
        name
        for name in model.editable_fields
        if name in fields and _differs(model, name, getattr(listing, name), fields[name])
    ]
    old_tags = {tag.key for tag in listing.tags.all()}
    terms_changed = "terms_text" in changed
    for name in changed:
        setattr(listing, name, fields[name])
    if terms_changed:
        listing.terms_version += 1
    listing.full_clean(exclude=["search_document", "search_title"])
    listing.save()
    tags = tags_get_or_create(names=tag_names)
    listing.tags.set(tags)
    _refresh_search_document(listing)
    substance = [name for name in changed if name in model.substance_fields] or ({t.key for t in tags} != old_tags)
    if listing.status == ListingStatus.PUBLISHED and substance and not membership.organization.is_verified:
        listing.status = ListingStatus.SUBMITTED
        listing.submitted_at = timezone.now()
        listing.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=membership.user,
            target=listing,
            organization=listing.organization,
            action="edit_resubmit",
            from_state=ListingStatus.PUBLISHED,
            to_state=ListingStatus.SUBMITTED,
            reason=_("Edited by an unverified organisation; back to review."),
        )
        listing_matches_refresh(listing)
    elif changed or substance:
        if listing.status == ListingStatus.PUBLISHED:
            listing_matches_refresh(listing)
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


# The transitions. Each one is transition_apply (lock, who, from which state,
# audit) plus what this transition changes and whom it tells.


def _stamps(listing: Listing, transition: Transition, *, moderation_reason: str | None) -> dict[str, object]:
    """The dates a transition sets, and the moderation reason the owner reads."""
    now = timezone.now()
    changes: dict[str, object] = {}
    if transition.target == ListingStatus.SUBMITTED:
        changes["submitted_at"] = now
    if transition.target == ListingStatus.PUBLISHED and listing.published_at is None:
        changes["published_at"] = now
    if moderation_reason is not None:
        changes["moderation_reason"] = moderation_reason
    return changes


def _after_transition(listing: Listing, from_state: str) -> None:
    if listing.takes_applications and from_state == ListingStatus.PUBLISHED and not listing.is_published:
        _tell_open_applicants(listing)
    if ListingStatus.PUBLISHED in (from_state, listing.status):
        listing_matches_refresh(listing)


def _by_owner(
    transition: Transition, *, listing: Listing, membership: Membership, reason: str, clears_moderation: bool = False
) -> Listing:
    """An owner's transition. ``clears_moderation``: a new submission starts a
    new review, so the previous moderation reason is history (kept in the
    audit trail), not a comment on the new text."""
    reason = reason.strip()
    return transition_apply(
        _machine(type(listing)),
        transition,
        pk=listing.pk,
        actor=membership.user,
        authorize=lambda row: _require_owner(membership, row),
        prepare=lambda row: _stamps(row, transition, moderation_reason=reason if clears_moderation else None),
        reason=reason,
        announce=_after_transition,
    )


def _by_moderator(transition: Transition, *, listing: Listing, user: User, reason: str, title: Promise) -> Listing:
    """A moderator's transition: the owner's members are told, with the reason."""
    reason = reason.strip()

    def prepare(row: Listing) -> dict[str, object]:
        if transition.reason_required and not reason:
            raise ValidationError({"reason": _("Give a reason: the owner will read it.")})
        return _stamps(row, transition, moderation_reason=reason)

    def announce(row: Listing, from_state: str) -> None:
        _after_transition(row, from_state)
        notify_organization(
            organization=row.organization,
            kind=NotificationKind.MODERATION,
            title=title,
            body=gettext_lazy("Reason: %(reason)s") if reason else "",
            params={"title": row.title, "reason": reason},
            url=listing_url(row),
        )

    return transition_apply(
        _machine(type(listing)),
        transition,
        pk=listing.pk,
        actor=user,
        authorize=lambda row: _require_moderator(user, type(row)),
        prepare=prepare,
        reason=reason,
        announce=announce,
    )


def listing_submit(*, listing: Listing, membership: Membership, reason: str = "") -> Listing:
    """The owner submits a draft (or a listing sent back for changes) for review."""
    return _by_owner(SUBMIT, listing=listing, membership=membership, reason=reason, clears_moderation=True)


def listing_retract(*, listing: Listing, membership: Membership, reason: str = "") -> Listing:
    """The owner takes a listing back out of review, to draft, to change it."""
    return _by_owner(RETRACT, listing=listing, membership=membership, reason=reason)


def listing_archive(*, listing: Listing, membership: Membership, reason: str = "") -> Listing:
    """The owner archives a listing; a published capability's waiting
    applicants are told, and its matches are withdrawn after commit."""
    return _by_owner(ARCHIVE, listing=listing, membership=membership, reason=reason)


def listing_publish(*, listing: Listing, user: User, reason: str = "") -> Listing:
    """A moderator publishes a submitted listing; it is matched after commit."""
    return _by_moderator(
        PUBLISH,
        listing=listing,
        user=user,
        reason=reason,
        title=gettext_lazy("“%(title)s” is published."),
    )


def listing_request_changes(*, listing: Listing, user: User, reason: str) -> Listing:
    """A moderator sends a submitted listing back to its owner, saying why."""
    return _by_moderator(
        REQUEST_CHANGES,
        listing=listing,
        user=user,
        reason=reason,
        title=gettext_lazy("Changes requested for “%(title)s”."),
    )


def listing_reject(*, listing: Listing, user: User, reason: str) -> Listing:
    """A moderator rejects a submitted listing, saying why."""
    return _by_moderator(
        REJECT,
        listing=listing,
        user=user,
        reason=reason,
        title=gettext_lazy("“%(title)s” was not accepted."),
    )


def listing_suspend(*, listing: Listing, user: User, reason: str) -> Listing:
    """A moderator suspends a published listing, saying why; a capability's
    waiting applicants are told, and its matches are withdrawn after commit."""
    return _by_moderator(
        SUSPEND,
        listing=listing,
        user=user,
        reason=reason,
        title=gettext_lazy("“%(title)s” was suspended."),
    )


def listing_reinstate(*, listing: Listing, user: User, reason: str = "") -> Listing:
    """A moderator publishes a suspended listing again."""
    return _by_moderator(
        REINSTATE,
        listing=listing,
        user=user,
        reason=reason,
        title=gettext_lazy("“%(title)s” is published again."),
    )


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


@dataclass(frozen=True)
class ListingAction:
    """A transition as the pages, the API and the admin offer it."""

    transition: Transition
    by_owner: bool  # else by a moderator
    # Owners' actions take (listing, membership, reason), moderators' (listing, user, reason).
    service: Callable[..., Listing]

    @property
    def reason_required(self) -> bool:
        return self.transition.reason_required


LISTING_ACTIONS: dict[str, ListingAction] = {
    action.transition.action: action
    for action in (
        ListingAction(SUBMIT, by_owner=True, service=listing_submit),
        ListingAction(PUBLISH, by_owner=False, service=listing_publish),
        ListingAction(REQUEST_CHANGES, by_owner=False, service=listing_request_changes),
        ListingAction(REJECT, by_owner=False, service=listing_reject),
        ListingAction(ARCHIVE, by_owner=True, service=listing_archive),
        ListingAction(SUSPEND, by_owner=False, service=listing_suspend),
        ListingAction(REINSTATE, by_owner=False, service=listing_reinstate),
        ListingAction(RETRACT, by_owner=True, service=listing_retract),
    )
}


def listing_moderate_many(
    *, listings: list[Listing], action: str, user: User, reason: str = ""
) -> tuple[int, list[str]]:
    """Apply a moderation action to several listings (admin bulk actions).
    Each is its own transaction; returns how many changed and the errors."""
    moderate = LISTING_ACTIONS[action]
    if moderate.by_owner:
        raise PermissionDenied(_("Only moderators can do that."))
    done, errors = 0, []
    for listing in listings:
        try:
            moderate.service(listing=listing, user=user, reason=reason)
        except (TransitionNotAllowed, ValidationError, PermissionDenied) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            errors.append(f"#{listing.pk}: {message}")
        else:
            done += 1
    return done, errors
