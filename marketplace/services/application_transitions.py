"""Applications move through their states: one function per transition.

States (SPEC.md): submitted → in_review → accepted | declined;
submitted/in_review → withdrawn (by the SME) or expired (no answer in time).
Each function is the shared core (services.transitions.transition_apply: one
transaction that locks the row, checks who may act and from which state,
writes the audit event) plus what that transition changes and whom it tells.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Membership, User
from marketplace.choices import (
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    DeclineReason,
    ListingStatus,
    NotificationKind,
)
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application
from marketplace.services.applications import PLATFORM, SME, application_notify
from marketplace.services.independence import independence_require
from marketplace.services.transitions import StateMachine, Transition, transition_apply

OPEN = frozenset(OPEN_APPLICATION_STATUSES)

START_REVIEW = Transition(
    "start_review",
    frozenset({ApplicationStatus.SUBMITTED}),
    ApplicationStatus.IN_REVIEW,
    pgettext_lazy("so it cannot be", "taken into review"),
)
ACCEPT = Transition("accept", OPEN, ApplicationStatus.ACCEPTED, pgettext_lazy("so it cannot be", "accepted"))
DECLINE = Transition("decline", OPEN, ApplicationStatus.DECLINED, pgettext_lazy("so it cannot be", "declined"))
WITHDRAW = Transition("withdraw", OPEN, ApplicationStatus.WITHDRAWN, pgettext_lazy("so it cannot be", "withdrawn"))
EXPIRE = Transition("expire", OPEN, ApplicationStatus.EXPIRED, pgettext_lazy("so it cannot be", "expired"))


def _refused_message(application: Application, transition: Transition) -> str:
    return _("This application is %(status)s, so it cannot be %(action)s.") % {
        "status": application.get_status_display().lower(),
        "action": transition.past_tense,
    }


APPLICATIONS = StateMachine[Application](
    rows=lambda: Application.objects.select_related("capability__organization", "sme"),
    missing_message=lambda: _("No such application."),
    refused_message=_refused_message,
    audit_organization=lambda application: application.sme,
)


# Who may make each transition: the platform that offers the capability,
# the applicant, or nobody but the system (expiry).


def _by_platform(membership: Membership) -> Callable[[Application], None]:
    def authorize(application: Application) -> None:
        if membership.organization_id != application.capability.organization_id:
            raise PermissionDenied(_("Only the platform that offers the capability can do that."))

    return authorize


def _by_applicant(membership: Membership) -> Callable[[Application], None]:
    def authorize(application: Application) -> None:
        if membership.organization_id != application.sme_id:
            raise PermissionDenied(_("Only the applicant can do that."))

    return authorize


def _by_system(application: Application) -> None:
    return None


def _announce(*, kind: str, title: Promise, to: str, actor: User | None) -> Callable[[Application, str], None]:
    def announce(application: Application, from_state: str) -> None:
        application_notify(application, kind=kind, title=title, to=to, actor=actor)

    return announce


def _decided_by(membership: Membership) -> dict[str, object]:
    return {"decided_by": membership.user, "decided_at": timezone.now()}


def application_start_review(*, membership: Membership, application_id: int) -> Application:
    """The platform starts reviewing a submitted application; the SME is told."""
    return transition_apply(
        APPLICATIONS,
        START_REVIEW,
        pk=application_id,
        actor=membership.user,
        authorize=_by_platform(membership),
        announce=_announce(
            kind=NotificationKind.APPLICATION_DECISION,
            title=gettext_lazy("Your application to “%(title)s” is in review."),
            to=SME,
            actor=membership.user,
        ),
    )


def application_accept(*, membership: Membership, application_id: int) -> Application:
    """The platform accepts an open application while its capability is
    published and the two organisations share no member (someone may have
    joined both since it was sent: services.independence); who decided and
    when are stored; the SME is told."""

    def prepare(application: Application) -> dict[str, object]:
        if application.capability.status != ListingStatus.PUBLISHED:
            raise TransitionNotAllowed(
                _("“%(title)s” is not published at the moment, so applications to it cannot be accepted.")
                % {"title": application.capability.title}
            )
        independence_require(sme=application.sme, platform=application.capability.organization)
        return _decided_by(membership)

    return transition_apply(
        APPLICATIONS,
        ACCEPT,
        pk=application_id,
        actor=membership.user,
        authorize=_by_platform(membership),
        prepare=prepare,
        announce=_announce(
            kind=NotificationKind.APPLICATION_DECISION,
            title=gettext_lazy("Your application to “%(title)s” was accepted."),
            to=SME,
            actor=membership.user,
        ),
    )


def application_decline(*, membership: Membership, application_id: int, reason: str, note: str = "") -> Application:
    """The platform declines an open application with a coded reason the SME
    sees (and, for "other", a note); who decided and when are stored; the SME
    is told the reason."""
    note = note.strip()

    def prepare(application: Application) -> dict[str, object]:
        if reason not in DeclineReason.values:
            raise ValidationError({"reason": _("Choose the reason the applicant will see.")})
        if reason == DeclineReason.OTHER and not note:
            raise ValidationError({"note": _("Explain the reason in a few words.")})
        return {"decline_reason": reason, "decline_note": note, **_decided_by(membership)}

    def announce(application: Application, from_state: str) -> None:
        # The coded reason goes in as its lazy label, so each recipient reads it
        # in their own language; the decider's note stays as written.
        application_notify(
            application,
            kind=NotificationKind.APPLICATION_DECISION,
            title=gettext_lazy("Your application to “%(title)s” was declined."),
            to=SME,
            actor=membership.user,
            body=gettext_lazy("Reason: %(reason)s — %(note)s") if note else gettext_lazy("Reason: %(reason)s"),
            params={"reason": DeclineReason(reason).label, "note": note},
        )

    # Read only once prepare() has accepted the reason.
    audit_reason = (
        str(DeclineReason(reason).label) + (f": {note}" if note else "") if reason in DeclineReason.values else ""
    )
    return transition_apply(
        APPLICATIONS,
        DECLINE,
        pk=application_id,
        actor=membership.user,
        authorize=_by_platform(membership),
        prepare=prepare,
        reason=audit_reason,
        announce=announce,
    )


def application_withdraw(*, membership: Membership, application_id: int) -> Application:
    """The applicant withdraws its open application; the platform is told."""
    return transition_apply(
        APPLICATIONS,
        WITHDRAW,
        pk=application_id,
        actor=membership.user,
        authorize=_by_applicant(membership),
        announce=_announce(
            kind=NotificationKind.APPLICATION_WITHDRAWN,
            title=gettext_lazy("%(sme)s withdrew its application to “%(title)s”."),
            to=PLATFORM,
            actor=membership.user,
        ),
    )


def application_expire(*, application_id: int) -> Application:
    """An open application the platform has not answered in time expires (the
    system, no actor); both sides are told."""
    return transition_apply(
        APPLICATIONS,
        EXPIRE,
        pk=application_id,
        actor=None,
        authorize=_by_system,
        announce=_announce(
            kind=NotificationKind.APPLICATION_EXPIRED,
            title=gettext_lazy("The application of %(sme)s to “%(title)s” expired without an answer."),
            to="both",
            actor=None,
        ),
    )


def applications_expire_overdue(*, now=None) -> int:
    """Expire open applications older than APPLICATION_EXPIRY_DAYS; returns how many.

    Each expiry is its own transaction through application_expire, which
    locks the row and re-checks the state, so a platform accepting at the same
    moment wins or loses cleanly.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.APPLICATION_EXPIRY_DAYS)
    overdue = list(
        Application.objects.filter(status__in=OPEN_APPLICATION_STATUSES, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    expired = 0
    for pk in overdue:
        try:
            application_expire(application_id=pk)
        except TransitionNotAllowed:
            continue  # decided or withdrawn meanwhile
        expired += 1
    return expired
