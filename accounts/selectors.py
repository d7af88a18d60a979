"""Reads for accounts: querysets with their joins, and permission-checked fetches."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind, Role
from accounts.models import Membership, MembershipInvitation, Organization, User, normalize_email_address

INVITATION_SALT = "accounts.membership-invitation"


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization")


def membership_get_current(*, user: User, organization_id: int | None) -> Membership | None:
    """The membership the user acts through: the organisation chosen in the
    session if they still belong to it, otherwise their oldest membership."""
    return memberships_current_and_others(user=user, organization_id=organization_id)[0]


def memberships_current_and_others(
    *, user: User, organization_id: int | None
) -> tuple[Membership | None, list[Membership]]:
    """The membership the user acts through (as ``membership_get_current``)
    and their other memberships in the model's order (by organisation name),
    from one query: every signed-in page needs both (the navigation offers to
    switch to the others), and a person belongs to a handful of organisations
    at most."""
    memberships = list(memberships_for_user(user=user))
    oldest = sorted(memberships, key=lambda m: (m.created_at, m.pk))
    current = next((m for m in oldest if m.organization_id == organization_id), None)
    if current is None and oldest:
        current = oldest[0]
    return current, [m for m in memberships if m is not current]


def membership_get_for_actor(*, actor: Membership, pk: int) -> Membership:
    """A membership in the actor's organisation, or 404."""
    membership = Membership.objects.filter(pk=pk, organization_id=actor.organization_id).select_related("user").first()
    if membership is None:
        raise Http404(_("No such member."))
    return membership


ROLE_RANK = Case(
    When(role=Role.OWNER, then=Value(0)),
    When(role=Role.MANAGER, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    """Owners first, then managers, then members; by name within a role."""
    return organization.memberships.select_related("user").order_by(ROLE_RANK, "user__display_name", "pk")


def organization_pending_invitations(*, organization: Organization) -> QuerySet[MembershipInvitation]:
    return organization.invitations.pending().select_related("invited_by")


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email=normalize_email_address(email)).first()


def user_exists_with_email(*, email: str) -> bool:
    return User.objects.filter(email=normalize_email_address(email)).exists()


def organizations_share_member(*, first_id: int, second_id: int) -> bool:
    """Whether one person belongs to both organisations (any role)."""
    if first_id == second_id:
        return True
    return Membership.objects.filter(organization_id=first_id, user__memberships__organization_id=second_id).exists()


def organization_get_public(*, pk: int) -> Organization:
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise Http404(_("No such organisation."))
    return organization


def organizations_verified_newest(*, limit: int = 6) -> QuerySet[Organization]:
    """Verified organisations, most recently verified first. Unverified ones are
    not listed publicly: anyone can register any name until an admin checks it."""
    return Organization.objects.filter(verified_at__isnull=False).order_by("-verified_at", "-pk")[:limit]


def organization_counts() -> dict[str, int]:
    return Organization.objects.aggregate(
        platforms=Count("pk", filter=Q(kind=OrganizationKind.PLATFORM)),
        smes=Count("pk", filter=Q(kind=OrganizationKind.SME)),
        verified=Count("pk", filter=Q(verified_at__isnull=False)),
    )


def membership_invitation_token(invitation: MembershipInvitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT, compress=True)


def membership_invitation_get_by_token(*, token: str) -> MembershipInvitation:
    """The invitation a link points at; a clear ValidationError when the link
    is malformed, expired, revoked or already used."""
    max_age = settings.MEMBERSHIP_INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(_("This invitation link has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This invitation link is not valid. Check that you copied all of it.")) from None
    invitation = MembershipInvitation.objects.select_related("organization", "invited_by").filter(pk=pk).first()
    if invitation is None or not invitation.is_pending:
        raise ValidationError(_("This invitation has expired, was revoked or has already been used."))
    return invitation


def organizations_directory(*, kind: str = "", province: str = "", industry: str = "") -> QuerySet[Organization]:
    """The public directory: verified organisations only (as on the home page),
    by name, optionally of one kind, province and industry."""
    organizations = Organization.objects.filter(verified_at__isnull=False)
    if kind:
        organizations = organizations.filter(kind=kind)
    if province:
        organizations = organizations.filter(province=province)
    if industry:
        organizations = organizations.filter(industry=industry)
    return organizations.order_by("legal_name", "pk")


def membership_invitation_get_for_actor(*, actor: Membership, pk: int) -> MembershipInvitation:
    """An invitation of the actor's organisation (in any state), or 404."""
    invitation = MembershipInvitation.objects.filter(pk=pk, organization_id=actor.organization_id).first()
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation
