"""Writes for accounts: one function per action.

Each function runs in one transaction, validates, checks who may act, and
queues side effects (e-mail) only after commit. User-caused problems raise
``ValidationError`` (bad input or a rule, shown as a message) or
``PermissionDenied`` (not allowed: 403).
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import limits
from accounts.choices import Role
from accounts.models import Membership, MembershipInvitation, Organization, User, normalize_email_address
from accounts.selectors import membership_invitation_token
from accounts.signals import organization_changed
from accounts.validators import normalize_credit_code

# Fields whose change on a verified organisation means it must be verified again.
IDENTITY_FIELDS = ("legal_name", "credit_code")
ORGANIZATION_EDITABLE_FIELDS = (
    "legal_name",
    "credit_code",
    "size_band",
    "industry",
    "province",
    "website",
    "description",
)


def user_create(*, email: str, password: str, display_name: str, preferred_language: str = "en") -> User:
    email = normalize_email_address(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    user = User(email=email, display_name=display_name.strip(), preferred_language=preferred_language)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_update_profile(
    *, user: User, display_name: str, preferred_language: str, weekly_digest: bool | None = None
) -> User:
    """Save the profile; ``weekly_digest`` None leaves that choice as it is."""
    user.display_name = display_name.strip()
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "preferred_language"])
    if weekly_digest is not None:
        user_set_weekly_digest(user=user, on=weekly_digest)
    return user


def user_set_weekly_digest(*, user: User, on: bool) -> User:
    """Turn the weekly digest e-mail on or off: from the profile page, or off
    from the unsubscribe link in every digest (no sign-in)."""
    User.objects.filter(pk=user.pk).update(weekly_digest=on)
    user.weekly_digest = on
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the language a signed-in person chose in the footer: their
    next sign-in, their notifications and e-mails use it too. Languages the
    site does not offer are ignored."""
    if language in dict(settings.LANGUAGES) and language != user.preferred_language:
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language


@transaction.atomic
def organization_create(*, owner: User, kind: str, **fields) -> Membership:
    """Create an organisation with ``owner`` as its first owner."""
    unknown = set(fields) - set(ORGANIZATION_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown organisation fields: {sorted(unknown)}")
    fields["credit_code"] = normalize_credit_code(fields.get("credit_code", ""))
    organization = Organization(kind=kind, **fields)
    organization.full_clean()
    organization.save()
    membership = Membership(user=owner, organization=organization, role=Role.OWNER)
    membership.save()
    return membership


@transaction.atomic
def organization_save_by_admin(*, organization: Organization, changed: frozenset[str] = frozenset()) -> Organization:
    """Store an organisation as an administrator edited or added it in Django
    admin (the admin's form validated it). Unlike ``organization_update``, a
    new legal name or credit code keeps the verification: the administrator
    is the one who verifies; verifying is its own action (organization_verify).
    Side effect: ``organization_changed`` with the ``changed`` fields of an
    existing organisation."""
    organization.save()
    if changed:
        organization_changed.send(sender=Organization, organization=organization, fields=frozenset(changed))
    return organization


@transaction.atomic
def account_register(
    *,
    email: str,
    password: str,
    display_name: str,
    preferred_language: str,
    organization_fields: dict,
) -> Membership:
    """Sign-up: a new user and their organisation (``organization_fields``
    holds ``kind`` and the editable fields), with the user as owner.

    Both rows are written or neither is.
    """
    user = user_create(
        email=email,
        password=password,
        display_name=display_name,
        preferred_language=preferred_language,
    )
    return organization_create(owner=user, **organization_fields)


@transaction.atomic
def organization_update(*, actor: Membership, **fields) -> Organization:
    """Edit the actor's organisation (owners and managers).

    Changing the legal name or credit code of a verified organisation clears
    its verification: an admin must check the new identity.
    """
    actor = _lock_actor(actor)
    _require_manager(actor, _("Only owners and managers can edit the organisation."))
    organization = actor.organization
    if "credit_code" in fields:
        fields["credit_code"] = normalize_credit_code(fields["credit_code"])
    changed = [
        name for name in ORGANIZATION_EDITABLE_FIELDS if name in fields and getattr(organization, name) != fields[name]
    ]
    for name in changed:
        setattr(organization, name, fields[name])
    if organization.verified_at and any(name in IDENTITY_FIELDS for name in changed):
        organization.verified_at = None
        organization.verified_by = None
        changed += ["verified_at", "verified_by"]
    organization.full_clean()
    if changed:
        organization.save(update_fields=changed)
    if changed:
        organization_changed.send(sender=Organization, organization=organization, fields=frozenset(changed))
    return organization


@transaction.atomic
def organization_verify(*, organizations: QuerySet, admin: User) -> list[Organization]:
    """Mark organisations verified by ``admin``; returns those this call verified.

    A conditional UPDATE: organisations already verified keep their original
    verifier and time, and two admins acting at once cannot overwrite each other.
    """
    if not admin.has_perm("accounts.verify_organization"):
        raise PermissionDenied(_("You may not verify organisations."))
    now = timezone.now()
    candidates = list(organizations.filter(verified_at__isnull=True).values_list("pk", flat=True))
    Organization.objects.filter(pk__in=candidates, verified_at__isnull=True).update(verified_at=now, verified_by=admin)
    verified = list(Organization.objects.filter(pk__in=candidates, verified_at=now, verified_by=admin))
    for organization in verified:
        organization_changed.send(
            sender=Organization, organization=organization, fields=frozenset({"verified_at", "verified_by"})
        )
    return verified


def _lock_actor(actor: Membership) -> Membership:
    """Lock the actor's organisation row and re-read the actor's membership.

    Every change to an organisation or its team takes this lock first, so
    such changes run one after the other (two owners removing each other
    cannot leave the organisation without an owner), and the actor's role is
    checked as it is now, not as it was when the page was shown.
    """
    Organization.objects.select_for_update().get(pk=actor.organization_id)
    current = Membership.objects.select_related("organization", "user").filter(pk=actor.pk).first()
    if current is None:
        raise PermissionDenied(_("You are no longer a member of this organisation."))
    return current


def _require_manager(actor: Membership, message: str) -> None:
    if not actor.can_manage_members:
        raise PermissionDenied(message)


@transaction.atomic
def membership_invite(*, actor: Membership, email: str, role: str) -> MembershipInvitation:
    """Invite ``email`` to the actor's organisation; the e-mail is sent after commit.

    Inviting an address again replaces its earlier pending invitation, so the
    newest link is the one that works. Counted against the invitation limits
    (accounts.limits) once every other check has passed; past a limit,
    LimitReached and nothing is written.
    """
    actor = _lock_actor(actor)
    _require_manager(actor, _("Only owners and managers can invite people."))
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied(_("Only owners can invite another owner."))
    organization = actor.organization
    email = normalize_email_address(email)
    if organization.memberships.filter(user__email=email).exists():
        raise ValidationError({"email": _("This person is already a member of %(org)s.") % {"org": organization}})
    invitation = MembershipInvitation(organization=organization, email=email, role=role, invited_by=actor.user)
    invitation.full_clean(validate_constraints=False)
    # Counted last, once nothing else refuses it: an invitation that is not
    # sent does not use up the inviter's, the organisation's or the address's
    # allowance.
    refusal = limits.invitation_refusal(actor=actor, email=email)
    if refusal is not None:
        raise limits.LimitReached(refusal)
    organization.invitations.open().filter(email=email).update(revoked_at=timezone.now())
    invitation.validate_constraints()
    invitation.save()

    from accounts.tasks import membership_invitation_send
    from config.celery import task_send

    # If the broker is down the invitation is still saved and can be sent
    # again by inviting again; the user is not shown an error (nor kept
    # waiting) for work that committed.
    transaction.on_commit(lambda: task_send(membership_invitation_send, invitation.pk))
    return invitation


def _send_to_user(user: User, template: str, context: dict) -> None:
    """An e-mail to ``user`` in their language from ``emails/<template>.txt``
    and its one-line ``_subject.txt``."""
    context = {"user": user, "site_url": settings.SITE_URL.rstrip("/"), **context}
    with translation.override(user.preferred_language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, None, [user.email])


def sign_up_welcome_send_email(*, user_id: int) -> bool:
    """After a sign-up: the new account is ready, sign in here."""
    membership = Membership.objects.select_related("user", "organization").filter(user_id=user_id).first()
    if membership is None or not membership.user.is_active:
        return False
    _send_to_user(
        membership.user,
        "signup_welcome",
        {
            "organization": membership.organization,
            "login_url": settings.SITE_URL.rstrip("/") + reverse("accounts:login"),
        },
    )
    return True


def sign_up_attempt_send_email(*, user_id: int) -> bool:
    """Someone signed up with the address of an existing account: tell its
    owner (the page said the same as for a new account)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    base = settings.SITE_URL.rstrip("/")
    context = {"login_url": base + reverse("accounts:login"), "reset_url": base + reverse("accounts:password_reset")}
    _send_to_user(user, "signup_attempt", context)
    return True


def membership_invitation_send_email(*, invitation_id: int) -> bool:
    """Send the invitation e-mail; returns False when there is nothing to send.

    Called by the Celery task. Safe to run twice: a revoked, accepted or
    expired invitation is skipped.
    """
    invitation = (
        MembershipInvitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_pending:
        return False
    link = settings.SITE_URL.rstrip("/") + reverse(
        "accounts:invitation_accept", args=[membership_invitation_token(invitation)]
    )
    invitee = User.objects.filter(email=invitation.email).first()
    language = invitee.preferred_language if invitee else settings.LANGUAGE_CODE
    context = {"invitation": invitation, "link": link, "expires_at": invitation.expires_at}
    with translation.override(language):
        # One line whatever the names in it hold (a header cannot have a line break).
        subject = " ".join(render_to_string("emails/membership_invitation_subject.txt", context).split())
        body = render_to_string("emails/membership_invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])
    MembershipInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


@transaction.atomic
def membership_invitation_accept(*, invitation_id: int, user: User) -> Membership:
    """Join the organisation of an invitation. The link works once."""
    organization_id = (
        MembershipInvitation.objects.filter(pk=invitation_id).values_list("organization_id", flat=True).first()
    )
    if organization_id is None:
        raise ValidationError(_("This invitation has expired, was revoked or has already been used."))
    # Same lock order as membership_invite (organisation, then invitations),
    # so an acceptance and a re-invitation at the same moment cannot deadlock.
    Organization.objects.select_for_update().get(pk=organization_id)
    invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation_id)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation has expired, was revoked or has already been used."))
    if invitation.email != normalize_email_address(user.email):
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    if Membership.objects.filter(user=user, organization_id=organization_id).exists():
        raise ValidationError(_("You are already a member of this organisation."))
    membership = Membership.objects.create(user=user, organization_id=organization_id, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def account_register_by_invitation(
    *, invitation_id: int, password: str, display_name: str, preferred_language: str
) -> Membership:
    """Sign-up through an invitation: the new user joins the inviting organisation."""
    invitation = MembershipInvitation.objects.get(pk=invitation_id)
    user = user_create(
        email=invitation.email,
        password=password,
        display_name=display_name,
        preferred_language=preferred_language,
    )
    return membership_invitation_accept(invitation_id=invitation_id, user=user)


@transaction.atomic
def membership_invitation_revoke(*, actor: Membership, invitation_id: int) -> None:
    actor = _lock_actor(actor)
    _require_manager(actor, _("Only owners and managers can revoke invitations."))
    updated = (
        MembershipInvitation.objects.open()
        .filter(pk=invitation_id, organization_id=actor.organization_id)
        .update(revoked_at=timezone.now())
    )
    if not updated:
        raise ValidationError(_("This invitation is no longer pending."))


def _ensure_an_owner_remains(target: Membership, new_role: str | None) -> None:
    """Refuse a change that would leave the organisation without an owner
    (``new_role`` None means the membership is removed)."""
    if target.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = Membership.objects.filter(organization_id=target.organization_id, role=Role.OWNER).count()
    if owners <= 1:
        raise ValidationError(_("An organisation needs at least one owner. Make someone else an owner first."))


def _get_team_member(actor: Membership, membership_id: int) -> Membership:
    target = (
        Membership.objects.select_related("user")
        .filter(pk=membership_id, organization_id=actor.organization_id)
        .first()
    )
    if target is None:
        raise ValidationError(_("This person is no longer a member."))
    return target


@transaction.atomic
def membership_remove(*, actor: Membership, membership_id: int) -> Membership:
    """Remove a member, or leave when ``membership_id`` is the actor's own.

    Owners and managers may remove members; only owners may remove owners.
    The last owner can neither leave nor be removed. Returns the removed row.
    """
    actor = _lock_actor(actor)
    target = _get_team_member(actor, membership_id)
    if target.pk != actor.pk:
        _require_manager(actor, _("Only owners and managers can remove members."))
        if target.role == Role.OWNER and actor.role != Role.OWNER:
            raise PermissionDenied(_("Only an owner can remove another owner."))
    _ensure_an_owner_remains(target, None)
    target.delete()
    return target


@transaction.atomic
def membership_change_role(*, actor: Membership, membership_id: int, role: str) -> Membership:
    """Change a member's role. Owners and managers may; only owners may make
    someone an owner or change an owner's role; one owner must remain."""
    actor = _lock_actor(actor)
    _require_manager(actor, _("Only owners and managers can change roles."))
    target = _get_team_member(actor, membership_id)
    if Role.OWNER in (role, target.role) and actor.role != Role.OWNER:
        raise PermissionDenied(_("Only an owner can grant or take away the owner role."))
    _ensure_an_owner_remains(target, role)
    target.role = role
    target.full_clean()
    target.save(update_fields=["role"])
    return target


def membership_set_current(*, user: User, session, organization_id: int) -> Membership:
    """Remember which of the user's organisations they are acting for."""
    membership = Membership.objects.filter(user=user, organization_id=organization_id).first()
    if membership is None:
        raise PermissionDenied(_("You are not a member of that organisation."))
    session["current_organization_id"] = membership.organization_id
    return membership


def membership_invitations_purge(*, older_than_days: int = 30) -> int:
    """Delete invitations that expired (or were revoked) long ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days + settings.MEMBERSHIP_INVITATION_MAX_AGE_DAYS)
    deleted, _details = MembershipInvitation.objects.filter(accepted_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted
