"""Invitations: a platform invites an SME to apply to a capability, for one of
its needs. The SME accepts (by applying, with the form prefilled) or declines."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership
from marketplace.choices import OPEN_APPLICATION_STATUSES, InvitationStatus, ListingStatus, NotificationKind
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, Capability, Invitation, Need
from marketplace.selectors import need_visible_to
from marketplace.services.audit import audit_record
from marketplace.services.independence import independence_require
from marketplace.services.notifications import notify_organization
from marketplace.signals import invitation_sent


def invitations_url() -> str:
    return reverse("marketplace:invitations")


@transaction.atomic
def invitation_send(*, membership: Membership, capability_id: int, need_id: int, message: str = "") -> Invitation:
    """Invite the SME behind a published need to apply to one of our published
    capabilities; not an SME that shares a member with the platform
    (services.independence)."""
    if not membership.organization.is_platform:
        raise PermissionDenied(_("Only platform companies invite SMEs."))
    capability = Capability.objects.filter(pk=capability_id, organization_id=membership.organization_id).first()
    if capability is None:
        raise ValidationError({"capability": _("Choose one of your capabilities.")})
    if capability.status != ListingStatus.PUBLISHED:
        raise ValidationError({"capability": _("Only a published capability can be offered.")})
    need = Need.objects.select_related("organization").filter(pk=need_id).first()
    if need is None or not need_visible_to(need, membership.user, membership) or need.status != ListingStatus.PUBLISHED:
        raise PermissionDenied(_("This need is not open."))
    independence_require(sme=need.organization, platform=membership.organization)
    if Application.objects.filter(
        sme_id=need.organization_id, capability=capability, status__in=OPEN_APPLICATION_STATUSES
    ).exists():
        raise TransitionNotAllowed(_("This SME has already applied to that capability."))
    duplicate = _("You have already invited this SME to apply to that capability for this need.")
    invitation = Invitation(capability=capability, need=need, invited_by=membership.user, message=message.strip())
    invitation.full_clean(exclude=["capability", "need"])
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise TransitionNotAllowed(duplicate) from None
    audit_record(
        actor=membership.user,
        target=invitation,
        organization=membership.organization,
        action="invite",
        to_state=InvitationStatus.OPEN,
    )
    invitation_sent.send(sender=Invitation, invitation=invitation, membership=membership)
    notify_organization(
        organization=need.organization,
        kind=NotificationKind.INVITATION_NEW,
        title=gettext_lazy("%(platform)s invites you to apply to “%(capability)s” for your need “%(need)s”."),
        body=gettext_lazy("%(message)s") if invitation.message else "",
        params={
            "platform": membership.organization.legal_name,
            "capability": capability.title,
            "need": need.title,
            "message": invitation.message,
        },
        url=invitations_url(),
    )
    return invitation


def _answer(*, invitation_id: int, membership: Membership, status: str, side: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("need__organization", "capability__organization")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or membership.organization_id != (
        invitation.need.organization_id if side == "sme" else invitation.capability.organization_id
    ):
        raise PermissionDenied(_("This invitation is not yours to answer."))
    if invitation.status != InvitationStatus.OPEN:
        raise TransitionNotAllowed(_("This invitation was already answered or withdrawn."))
    previous = invitation.status
    invitation.status = status
    invitation.answered_at = timezone.now()
    invitation.save(update_fields=["status", "answered_at"])
    audit_record(
        actor=membership.user,
        target=invitation,
        organization=invitation.capability.organization,
        action=status,
        from_state=previous,
        to_state=status,
    )
    return invitation


@transaction.atomic
def invitation_decline(*, membership: Membership, invitation_id: int) -> Invitation:
    invitation = _answer(
        invitation_id=invitation_id, membership=membership, status=InvitationStatus.DECLINED, side="sme"
    )
    notify_organization(
        organization=invitation.capability.organization,
        kind=NotificationKind.INVITATION_ANSWERED,
        title=gettext_lazy("%(sme)s declined your invitation to apply to “%(capability)s”."),
        params={"sme": invitation.need.organization.legal_name, "capability": invitation.capability.title},
        url=invitations_url(),
    )
    return invitation


@transaction.atomic
def invitation_withdraw(*, membership: Membership, invitation_id: int) -> Invitation:
    return _answer(
        invitation_id=invitation_id, membership=membership, status=InvitationStatus.WITHDRAWN, side="platform"
    )
