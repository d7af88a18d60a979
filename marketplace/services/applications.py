"""Applications: submit, review, decide, withdraw, expire; their messages.

Application states (SPEC.md): submitted → in_review → accepted | declined;
submitted/in_review → withdrawn (by the SME) or expired (no answer in time).
Each change: one transaction, the row locked, the actor checked, an audit
event written, the other side notified after commit.
"""

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
from marketplace.services.listings import Transition
from marketplace.services.notifications import notify_organization

A = ApplicationStatus
SME, PLATFORM, SYSTEM = "sme", "platform", "system"


TRANSITIONS = {
    "start_review": Transition(frozenset({A.SUBMITTED}), A.IN_REVIEW, PLATFORM),
    "accept": Transition(frozenset(OPEN_APPLICATION_STATUSES), A.ACCEPTED, PLATFORM),
    "decline": Transition(frozenset(OPEN_APPLICATION_STATUSES), A.DECLINED, PLATFORM),
    "withdraw": Transition(frozenset(OPEN_APPLICATION_STATUSES), A.WITHDRAWN, SME),
    "expire": Transition(frozenset(OPEN_APPLICATION_STATUSES), A.EXPIRED, SYSTEM),
}
# Words for “… so it cannot be %(action)s”: a context of their own, as other
# languages say them as verbs, unlike the same words used as states.
ACTION_PAST_TENSE = {
    "start_review": pgettext_lazy("so it cannot be", "taken into review"),
    "accept": pgettext_lazy("so it cannot be", "accepted"),
    "decline": pgettext_lazy("so it cannot be", "declined"),
    "withdraw": pgettext_lazy("so it cannot be", "withdrawn"),
    "expire": pgettext_lazy("so it cannot be", "expired"),
}
NOTIFICATIONS = {
    # action: (kind, title, who is told)
    "start_review": (
        NotificationKind.APPLICATION_DECISION,
        gettext_lazy("Your application to “%(title)s” is in review."),
        SME,
    ),
    "accept": (
        NotificationKind.APPLICATION_DECISION,
        gettext_lazy("Your application to “%(title)s” was accepted."),
        SME,
    ),
    "decline": (
        NotificationKind.APPLICATION_DECISION,
        gettext_lazy("Your application to “%(title)s” was declined."),
        SME,
    ),
    "withdraw": (
        NotificationKind.APPLICATION_WITHDRAWN,
        gettext_lazy("%(sme)s withdrew its application to “%(title)s”."),
        PLATFORM,
    ),
    "expire": (
        NotificationKind.APPLICATION_EXPIRED,
        gettext_lazy("The application of %(sme)s to “%(title)s” expired without an answer."),
        "both",
    ),
}


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


def _check_eligibility(capability: Capability, membership: Membership) -> None:
    organization = membership.organization
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
    duplicate gets the same clear error).
    """
    if not membership.organization.is_sme:
        raise PermissionDenied(_("Only SMEs apply to capabilities."))
    # Locked so that an archive, suspension or new terms at the same moment
    # either happen before this application (and refuse it) or after it.
    capability = (
        Capability.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=capability_id)
        .first()
    )
    if capability is None or capability.status != ListingStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This capability is not open for applications."))
    _check_eligibility(capability, membership)
    errors = {}
    if not intended_use.strip():
        errors["intended_use"] = _("Say what you intend to use it for.")
    if capability.application_question and not answer.strip():
        errors["answer"] = _("Answer the platform's question.")
    if capability.terms_text and accepted_terms_version != capability.terms_version:
        errors["accepted_terms_version"] = (
            _("Accept the terms to apply.")
            if accepted_terms_version is None
            else _("The terms changed while you were applying. Please read and accept version %(v)d.")
            % {"v": capability.terms_version}
        )
    need = None
    if need_id is not None:
        need = Need.objects.published().filter(pk=need_id, organization_id=membership.organization_id).first()
        if need is None:
            errors["need"] = _("Choose one of your organisation's published needs.")
    if errors:
        raise ValidationError(errors)
    duplicate = _("Your organisation already has an open application to this capability.")
    if Application.objects.filter(
        sme_id=membership.organization_id, capability=capability, status__in=OPEN_APPLICATION_STATUSES
    ).exists():
        raise TransitionNotAllowed(duplicate)
    application = Application(
        sme=membership.organization,
        capability=capability,
        need=need,
        submitted_by=membership.user,
        intended_use=intended_use.strip(),
        answer=answer.strip(),
        message=message.strip(),
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
    if invitation_id is not None:
        answered = Invitation.objects.filter(
            pk=invitation_id,
            capability=capability,
            need__organization_id=membership.organization_id,
            status=InvitationStatus.OPEN,
        ).update(status=InvitationStatus.ACCEPTED, application=application, answered_at=timezone.now())
        if not answered:
            raise TransitionNotAllowed(_("This invitation is no longer open."))
        invitation = Invitation.objects.select_related("capability__organization").get(pk=invitation_id)
        audit_record(
            actor=membership.user,
            target=invitation,
            organization=invitation.capability.organization,
            action="accepted",
            from_state=InvitationStatus.OPEN,
            to_state=InvitationStatus.ACCEPTED,
        )
    audit_record(
        actor=membership.user,
        target=application,
        organization=membership.organization,
        action="submit",
        to_state=A.SUBMITTED,
    )
    _notify(
        application,
        kind=NotificationKind.APPLICATION_NEW,
        title=gettext_lazy("New application from %(sme)s to “%(title)s”."),
        to=PLATFORM,
        actor=membership.user,
    )
    return application


@transaction.atomic
def application_transition(
    *,
    pk: int,
    action: str,
    user: User | None,
    membership: Membership | None,
    reason: str = "",
    note: str = "",
) -> Application:
    """Move an application: start_review/accept/decline (the platform),
    withdraw (the SME), expire (the system: ``membership`` None)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action."))
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("capability__organization", "sme")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise PermissionDenied(_("No such application."))
    side_organization = {SME: application.sme_id, PLATFORM: application.capability.organization_id}
    if transition.by == SYSTEM:
        if membership is not None:
            raise PermissionDenied(_("Applications expire by themselves."))
    elif membership is None or membership.organization_id != side_organization[transition.by]:
        raise PermissionDenied(
            _("Only the platform that offers the capability can do that.")
            if transition.by == PLATFORM
            else _("Only the applicant can do that.")
        )
    if application.status not in transition.sources:
        raise TransitionNotAllowed(
            _("This application is %(status)s, so it cannot be %(action)s.")
            % {"status": application.get_status_display().lower(), "action": ACTION_PAST_TENSE[action]}
        )
    if action == "accept" and application.capability.status != ListingStatus.PUBLISHED:
        raise TransitionNotAllowed(
            _("“%(title)s” is not published at the moment, so applications to it cannot be accepted.")
            % {"title": application.capability.title}
        )
    fields = ["status", "updated_at"]
    if action == "decline":
        note = note.strip()
        errors = {}
        if reason not in DeclineReason.values:
            errors["reason"] = _("Choose the reason the applicant will see.")
        elif reason == DeclineReason.OTHER and not note:
            errors["note"] = _("Explain the reason in a few words.")
        if errors:
            raise ValidationError(errors)
        application.decline_reason = reason
        application.decline_note = note
        fields += ["decline_reason", "decline_note"]
    if action in ("accept", "decline"):
        application.decided_by = user
        application.decided_at = timezone.now()
        fields += ["decided_by", "decided_at"]
    from_state = application.status
    application.status = transition.target
    application.save(update_fields=fields)
    reason_text = ""
    if action == "decline":
        reason_text = str(DeclineReason(reason).label) + (f": {note}" if note else "")
    audit_record(
        actor=user,
        target=application,
        organization=application.sme,
        action=action,
        from_state=from_state,
        to_state=application.status,
        reason=reason_text,
    )
    kind, title, to = NOTIFICATIONS[action]
    # The coded reason goes in as its lazy label, so each recipient reads it
    # in their own language; the decider's note stays as written.
    body: str | Promise = ""
    if action == "decline":
        body = gettext_lazy("Reason: %(reason)s — %(note)s") if note else gettext_lazy("Reason: %(reason)s")
    _notify(
        application,
        kind=kind,
        title=title,
        to=to,
        actor=user,
        body=body,
        params={"reason": DeclineReason(reason).label, "note": note} if action == "decline" else {},
    )
    return application


def applications_expire_overdue(*, now=None) -> int:
    """Expire open applications older than APPLICATION_EXPIRY_DAYS; returns how many.

    Each expiry is its own transaction through application_transition, which
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
            application_transition(pk=pk, action="expire", user=None, membership=None)
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
    if application is None or membership.organization_id not in (
        application.sme_id,
        application.capability.organization_id,
    ):
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
