"""Capabilities and needs move through their states: one function per transition.

States (SPEC.md): draft → submitted → published | changes_requested | rejected;
published → archived (by the owner) or suspended (by an admin); the owner
may take a listing back out of review (retract). Each function is the shared
core (services.transitions.transition_apply: one transaction that locks the
row, checks who may act and from which state, writes the audit event) plus
what that transition changes and whom it tells.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Membership, Organization, User
from marketplace.choices import OPEN_APPLICATION_STATUSES, ListingStatus, NotificationKind
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Capability
from marketplace.models.listings import Listing
from marketplace.services.listings import listing_label, listing_require_owner, listing_url
from marketplace.services.notifications import notify_organization
from marketplace.services.transitions import StateMachine, Transition, transition_apply
from marketplace.signals import listing_published, listing_withdrawn

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


def _machine(model: type[Listing]) -> StateMachine[Listing]:
    """The transition core's view of capabilities or needs."""

    def refused_message(listing: Listing, transition: Transition) -> str:
        return _("This %(thing)s is %(status)s, so it cannot be %(action)s.") % {
            "thing": listing_label(model),
            "status": listing.get_status_display().lower(),
            "action": transition.past_tense,
        }

    return StateMachine[Listing](
        rows=lambda: model.objects.select_related("organization"),
        missing_message=lambda: _("No such %(thing)s.") % {"thing": listing_label(model)},
        refused_message=refused_message,
        audit_organization=lambda listing: listing.organization,
    )


def _require_moderator(user: User, model: type[Listing]) -> None:
    if not (user.is_staff and user.has_perm(f"marketplace.moderate_{model._meta.model_name}")):
        raise PermissionDenied(_("Only moderators can do that."))


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
        _tell_open_applicants(cast(Capability, listing))  # only capabilities take applications
    if listing.status == ListingStatus.PUBLISHED:
        listing_published.send(sender=type(listing), listing=listing)
    elif from_state == ListingStatus.PUBLISHED:
        listing_withdrawn.send(sender=type(listing), listing=listing)


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
        authorize=lambda row: listing_require_owner(membership, row),
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
