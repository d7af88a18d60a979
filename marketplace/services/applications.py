"""Applications: submit, review, decide, withdraw, expire; their messages.

Application states (SPEC.md): submitted → in_review → accepted | declined;
submitted/in_review → withdrawn (by the SME) or expired (no answer in time).
Each change: one transaction, the row locked, the actor checked, an audit
event written, the other side notified after commit.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.choices import SizeBand
from accounts.models import Membership, User
from config.text import human_list
from marketplace.choices import (
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    DeclineReason,
    InvitationStatus,
    ListingStatus,
    NotificationKind,
)
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, Capability, Invitation, Message, Need
from marketplace.services.audit import audit_record
from marketplace.services.notifications import notify_organization
from marketplace.services.transitions import StateMachine, Transition, transition_apply

SME, PLATFORM = "sme", "platform"
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


def application_url(application: Application) -> str:
    return reverse("marketplace:application_detail", args=[application.pk])


def _notify(application: Application, *, kind, title, to: str, actor: User | None, body="", params=None):
    params = {"title": application.capability.title, "sme": application.sme.legal_name, **(params or {})}
    targets = {SME: [application.sme], PLATFORM: [application.capability.organization]}
    targets["both"] = targets[SME] + targets[PLATFORM]
    for organization in targets[to]:
        notify_organization(
            organization=organization,
            exclude=actor,
            kind=kind,
            title=title,
            body=body,
            params=params,
            url=application_url(application),
        )


class ApplicationSubmission:
    """An SME applies to a published capability (``application_submit``),
    in four steps: who may apply and to what, what they sent, the row, and
    what follows from it."""

    def __init__(
        self,
        *,
        membership: Membership,
        capability_id: int,
        intended_use: str,
        answer: str,
        message: str,
        need_id: int | None,
        accepted_terms_version: int | None,
        invitation_id: int | None,
    ):
        self.membership = membership
        self.capability_id = capability_id
        self.intended_use = intended_use.strip()
        self.answer = answer.strip()
        self.message = message.strip()
        self.need_id = need_id
        self.accepted_terms_version = accepted_terms_version
        self.invitation_id = invitation_id

    def run(self) -> Application:
        capability = self.eligible_capability()
        need = self.validated_need(capability)
        application = self.create(capability, need)
        self.record(application)
        return application

    def eligible_capability(self) -> Capability:
        """The capability, locked, when this SME may apply to it."""
        if not self.membership.organization.is_sme:
            raise PermissionDenied(_("Only SMEs apply to capabilities."))
        # Locked so that an archive, suspension or new terms at the same moment
        # either happen before this application (and refuse it) or after it.
        capability = (
            Capability.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=self.capability_id)
            .first()
        )
        if capability is None or capability.status != ListingStatus.PUBLISHED:
            raise TransitionNotAllowed(_("This capability is not open for applications."))
        organization = self.membership.organization
        if capability.eligible_size_bands and organization.size_band not in capability.eligible_size_bands:
            sizes = human_list(SizeBand(value).label for value in capability.eligible_size_bands)
            raise ValidationError(
                _("This capability is open to firms of these sizes only: %(sizes)s.") % {"sizes": sizes},
                code="not_eligible",
            )
        if capability.requires_verification and not organization.is_verified:
            raise ValidationError(
                _("Only verified organisations may apply. An administrator has not verified yours yet."),
                code="not_eligible",
            )
        return capability

    def validated_need(self, capability: Capability) -> Need | None:
        """Check what the applicant sent (all field errors at once); the need it is for, if any."""
        errors = {}
        if not self.intended_use:
            errors["intended_use"] = _("Say what you intend to use it for.")
        if capability.application_question and not self.answer:
            errors["answer"] = _("Answer the platform's question.")
        if capability.terms_text and self.accepted_terms_version != capability.terms_version:
            errors["accepted_terms_version"] = (
                _("Accept the terms to apply.")
                if self.accepted_terms_version is None
                else _("The terms changed while you were applying. Please read and accept version %(v)d.")
                % {"v": capability.terms_version}
            )
        need = None
        if self.need_id is not None:
            need = (
                Need.objects.published()
                .filter(pk=self.need_id, organization_id=self.membership.organization_id)
                .first()
            )
            if need is None:
                errors["need"] = _("Choose one of your organisation's published needs.")
        if errors:
            raise ValidationError(errors)
        return need

    def create(self, capability: Capability, need: Need | None) -> Application:
        """The application row; one open application per SME and capability."""
        duplicate = _("Your organisation already has an open application to this capability.")
        if Application.objects.filter(
            sme_id=self.membership.organization_id, capability=capability, status__in=OPEN_APPLICATION_STATUSES
        ).exists():
            raise TransitionNotAllowed(duplicate)
        application = Application(
            sme=self.membership.organization,
            capability=capability,
            need=need,
            submitted_by=self.membership.user,
            intended_use=self.intended_use,
            answer=self.answer,
            message=self.message,
            terms_version=capability.terms_version,
            terms_accepted_at=timezone.now(),
        )
        application.full_clean(exclude=["sme", "capability", "need"])
        try:
            # A savepoint: when a concurrent submission wins the race, the unique
            # constraint fails here and nothing of this one is written.
            with transaction.atomic():
                application.save()
        except IntegrityError:
            raise TransitionNotAllowed(duplicate) from None
        return application

    def record(self, application: Application) -> None:
        """The invitation it answers is accepted; the audit trail; the platform is told."""
        if self.invitation_id is not None:
            self.accept_invitation(application)
        audit_record(
            actor=self.membership.user,
            target=application,
            organization=self.membership.organization,
            action="submit",
            to_state=ApplicationStatus.SUBMITTED,
        )
        _notify(
            application,
            kind=NotificationKind.APPLICATION_NEW,
            title=gettext_lazy("New application from %(sme)s to “%(title)s”."),
            to=PLATFORM,
            actor=self.membership.user,
        )

    def accept_invitation(self, application: Application) -> None:
        # A conditional UPDATE: an invitation withdrawn or answered meanwhile
        # is not accepted, and the whole application rolls back.
        answered = Invitation.objects.filter(
            pk=self.invitation_id,
            capability=application.capability,
            need__organization_id=self.membership.organization_id,
            status=InvitationStatus.OPEN,
        ).update(status=InvitationStatus.ACCEPTED, application=application, answered_at=timezone.now())
        if not answered:
            raise TransitionNotAllowed(_("This invitation is no longer open."))
        invitation = Invitation.objects.select_related("capability__organization").get(pk=self.invitation_id)
        audit_record(
            actor=self.membership.user,
            target=invitation,
            organization=invitation.capability.organization,
            action="accepted",
            from_state=InvitationStatus.OPEN,
            to_state=InvitationStatus.ACCEPTED,
        )


@transaction.atomic
def application_submit(
    *,
    membership: Membership,
    capability_id: int,
    intended_use: str,
    answer: str = "",
    message: str = "",
    need_id: int | None = None,
    accepted_terms_version: int | None = None,
    invitation_id: int | None = None,
) -> Application:
    """An SME applies to a published capability.

    The applicant must answer the capability's question (if any) and accept its
    current terms; the accepted version and time are stored. One open
    application per SME and capability (a database constraint; a concurrent
    duplicate gets the same clear error). Answering an invitation accepts it.
    Side effects: audit events, a notification to the platform's members
    (e-mailed after commit).
    """
    return ApplicationSubmission(
        membership=membership,
        capability_id=capability_id,
        intended_use=intended_use,
        answer=answer,
        message=message,
        need_id=need_id,
        accepted_terms_version=accepted_terms_version,
        invitation_id=invitation_id,
    ).run()


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
        _notify(application, kind=kind, title=title, to=to, actor=actor)

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
    published; who decided and when are stored; the SME is told."""

    def prepare(application: Application) -> dict[str, object]:
        if application.capability.status != ListingStatus.PUBLISHED:
            raise TransitionNotAllowed(
                _("“%(title)s” is not published at the moment, so applications to it cannot be accepted.")
                % {"title": application.capability.title}
            )
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
        _notify(
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


@transaction.atomic
def message_send(*, membership: Membership, application_id: int, body: str) -> Message:
    """Post a message in an application's thread; the other side is notified."""
    application = (
        Application.objects.select_related("capability__organization", "sme").filter(pk=application_id).first()
    )
    sides = (application.sme_id, application.capability.organization_id) if application else ()
    if membership.organization_id not in sides:
        raise PermissionDenied(_("Only the two organisations of an application can write in its thread."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    message = Message(
        application=application, sender=membership.user, sender_organization=membership.organization, body=body
    )
    message.full_clean()
    message.save()
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    _notify(
        application,
        kind=NotificationKind.MESSAGE_NEW,
        title=gettext_lazy("New message from %(sender)s about “%(title)s”."),
        to=SME if membership.organization_id != application.sme_id else PLATFORM,
        actor=membership.user,
        body=gettext_lazy("%(excerpt)s"),
        params={"sender": membership.organization.legal_name, "excerpt": body[:300]},
    )
    return message
