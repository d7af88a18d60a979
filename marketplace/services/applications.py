"""Applications: an SME applies; both sides write in its thread.

Its state changes (review, decide, withdraw, expire) are in
services.application_transitions.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import PLATFORM, SME, SizeBand
from accounts.models import Membership, User
from config.text import human_list
from marketplace.choices import (
    OPEN_APPLICATION_STATUSES,
    ApplicationStatus,
    InvitationStatus,
    ListingStatus,
    NotificationKind,
)
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, Capability, Invitation, Message, Need
from marketplace.selectors import audit_history
from marketplace.services.audit import audit_record
from marketplace.services.independence import independence_require
from marketplace.services.notifications import notify_organization


def application_url(application: Application) -> str:
    return reverse("marketplace:application_detail", args=[application.pk])


def application_notify(
    application: Application,
    *,
    kind: str,
    title: Promise,
    to: str,
    actor: User | None,
    body: Promise | str = "",
    params: dict | None = None,
) -> None:
    """Tell the applicant's members (``to=SME``), the platform's (``PLATFORM``)
    or both (``"both"``), except the person who acted; the texts are lazy and
    formatted with the capability's title, the SME's name and ``params``."""
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
        independence_require(sme=organization, platform=capability.organization)
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
            self.accept_invitation(application, self.invitation_id)
        audit_record(
            actor=self.membership.user,
            target=application,
            organization=self.membership.organization,
            action="submit",
            to_state=ApplicationStatus.SUBMITTED,
        )
        application_notify(
            application,
            kind=NotificationKind.APPLICATION_NEW,
            title=gettext_lazy("New application from %(sme)s to “%(title)s”."),
            to=PLATFORM,
            actor=self.membership.user,
        )

    def accept_invitation(self, application: Application, invitation_id: int) -> None:
        # A conditional UPDATE: an invitation withdrawn or answered meanwhile
        # is not accepted, and the whole application rolls back.
        answered = Invitation.objects.filter(
            pk=invitation_id,
            capability=application.capability,
            need__organization_id=self.membership.organization_id,
            status=InvitationStatus.OPEN,
        ).update(status=InvitationStatus.ACCEPTED, application=application, answered_at=timezone.now())
        if not answered:
            raise TransitionNotAllowed(_("This invitation is no longer open."))
        invitation = Invitation.objects.select_related("capability__organization").get(pk=invitation_id)
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
    duplicate gets the same clear error). Not to a platform that shares a
    member with the SME (services.independence). Answering an invitation
    accepts it.
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


def _ended_at(application: Application):
    """When the application reached its (closed) state: the audit record."""
    return (
        audit_history(target=application)
        .filter(to_state=application.status)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def thread_closed_message(application: Application) -> str | None:
    """Why no message can be written in the application's thread, or None
    while it is open. Open while the application is open or accepted
    (choices.THREAD_OPEN_STATUSES: the collaboration is arranged there). A
    withdrawn, declined or expired application is over: its thread takes
    last words ("thanks for explaining") for APPLICATION_THREAD_GRACE_DAYS
    after it ended, then is a record to read, so an ended application is not
    a channel to keep writing to the other side through (every message
    notifies and e-mails it); to talk again, the SME applies again. Pages
    show the message instead of the form; message_send refuses with it."""
    if application.thread_open:
        return None
    ended = _ended_at(application)
    if ended is not None and timezone.now() < ended + timedelta(days=settings.APPLICATION_THREAD_GRACE_DAYS):
        return None
    return _(
        "This application is %(status)s, so its thread is closed: the messages stay here to read, "
        "and no new ones can be sent."
    ) % {"status": application.get_status_display().lower()}


@transaction.atomic
def message_send(*, membership: Membership, application_id: int, body: str) -> Message:
    """Post a message in an application's thread; the other side is notified.

    Only while the thread is open (thread_closed_message): a withdrawn,
    declined or expired application is over, and after a few days for last
    words its thread is a record.
    """
    # Locked so that a withdrawal or a decision at the same moment comes
    # either before this message (and refuses it) or after it.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("capability__organization", "sme")
        .filter(pk=application_id)
        .first()
    )
    if application is None or membership.organization_id not in (
        application.sme_id,
        application.capability.organization_id,
    ):
        raise PermissionDenied(_("Only the two organisations of an application can write in its thread."))
    closed = thread_closed_message(application)
    if closed is not None:
        raise TransitionNotAllowed(closed)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message first.")})
    message = Message(
        application=application, sender=membership.user, sender_organization=membership.organization, body=body
    )
    message.full_clean()
    message.save()
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    application_notify(
        application,
        kind=NotificationKind.MESSAGE_NEW,
        title=gettext_lazy("New message from %(sender)s about “%(title)s”."),
        to=SME if membership.organization_id != application.sme_id else PLATFORM,
        actor=membership.user,
        body=gettext_lazy("%(excerpt)s"),
        params={"sender": membership.organization.legal_name, "excerpt": body[:300]},
    )
    return message
