from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Industry, OrganizationKind, Province, Role, SignInDoor, SizeBand
from accounts.validators import validate_credit_code


def normalize_email_address(email: str) -> str:
    """The one form an address is stored and compared in: trimmed, lower case."""
    return email.strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # E-mail addresses are unique regardless of case, so log-in is too.
        return self.get(email__iexact=username)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email_address(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with an e-mail address; belongs to organisations
    through memberships."""

    email = models.EmailField(
        _("e-mail address"),
        unique=True,
        error_messages={"unique": _("An account with this e-mail address already exists.")},
    )
    display_name = models.CharField(_("display name"), max_length=100)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    weekly_digest = models.BooleanField(
        _("weekly e-mail digest"),
        default=True,
        help_text=_(
            "Every Monday, an e-mail with the new matches for your organisation's needs or capabilities. "
            "Nothing new, no e-mail."
        ),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class Organization(models.Model):
    """A firm on Tandem: a platform company that opens capabilities, or an SME
    that posts needs."""

    kind = models.CharField(_("kind"), max_length=10, choices=OrganizationKind.choices)
    legal_name = models.CharField(_("legal name"), max_length=200)
    credit_code = models.CharField(
        _("Unified Social Credit Code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        error_messages={"unique": _("An organisation with this credit code is already registered on Tandem.")},
        help_text=_("The 18-character code on the business licence (统一社会信用代码)."),
    )
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices)
    industry = models.CharField(_("industry"), max_length=40, choices=Industry.choices)
    province = models.CharField(_("province or region"), max_length=20, choices=Province.choices)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organizations")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        permissions = [("verify_organization", _("Can verify organisations"))]
        constraints = [
            # Stored normalised, so uniqueness cannot be dodged by letter case.
            models.CheckConstraint(
                condition=models.Q(credit_code=Upper("credit_code")), name="accounts_org_credit_code_upper"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganizationKind.values), name="accounts_org_kind_valid"
            ),
            models.CheckConstraint(condition=models.Q(size_band__in=SizeBand.values), name="accounts_org_size_valid"),
            models.CheckConstraint(
                condition=models.Q(province__in=Province.values), name="accounts_org_province_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(industry__in=Industry.values), name="accounts_org_industry_valid"
            ),
            # Verification is recorded as a pair: both set or both empty
            # (verified_by may later be nulled when that admin is deleted).
            models.CheckConstraint(
                condition=models.Q(verified_at__isnull=False) | models.Q(verified_by__isnull=True),
                name="accounts_org_verified_by_needs_time",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_platform(self) -> bool:
        return self.kind == OrganizationKind.PLATFORM

    @property
    def is_sme(self) -> bool:
        return self.kind == OrganizationKind.SME


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__legal_name", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="accounts_membership_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="accounts_membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    @property
    def can_manage_members(self) -> bool:
        return self.role in (Role.OWNER, Role.MANAGER)


class MembershipInvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (expired ones included)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self):
        """Open and not yet expired: the link still works."""
        cutoff = timezone.now() - timedelta(days=settings.MEMBERSHIP_INVITATION_MAX_AGE_DAYS)
        return self.open().filter(created_at__gt=cutoff)


class MembershipInvitation(models.Model):
    """An e-mailed invitation to join an organisation with a role.

    The link carries a signed, time-stamped token of this row's id; the row
    lets managers see and revoke pending invitations and makes a link usable
    once only.
    """

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = MembershipInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership invitation")
        verbose_name_plural = _("membership invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="accounts_invitation_role_valid"),
            # At most one pending invitation per address and organisation.
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="accounts_invitation_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def expires_at(self):
        return self.created_at + timedelta(days=settings.MEMBERSHIP_INVITATION_MAX_AGE_DAYS)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and timezone.now() < self.expires_at


class ApiToken(models.Model):
    """A personal API token: acts as its user, for one organisation only.

    Only a SHA-256 digest of the token is stored; the token itself is shown
    once, when it is created. It dies with the membership (a person removed
    from an organisation loses its tokens), on revocation and at expiry.
    """

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The public part of the token ("tdm_<prefix>_<secret>"): finds the row
    # without a scan and lets people tell their tokens apart.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (tdm_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class SignInFailure(models.Model):
    """One failed sign-in: the address, the account name that was tried (as
    typed, normalised; it need not exist) and where. The lock-out counts
    these (accounts/lockout.py); a successful sign-in clears the pair's rows;
    rows older than a day are deleted by a periodic task."""

    username = models.CharField(_("account tried"), max_length=254)
    # As the request gave it (proxies may forward anything), so text, not inet.
    ip_address = models.CharField(_("address"), max_length=64)
    door = models.CharField(_("where"), max_length=16, choices=SignInDoor.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["username", "ip_address", "created_at"], name="signin_fail_pair"),
            models.Index(fields=["ip_address", "created_at"], name="signin_fail_address"),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address}"


class TwoFactorAuthenticator(models.Model):
    """A person's authenticator app (TOTP, RFC 6238: 6 digits, 30 seconds),
    confirmed with a code when it was set up (accounts/two_factor.py). The
    newest time step a code was accepted for is kept: a code, once used, is
    refused, and so is any older one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="authenticator"
    )
    # Base32, as authenticator apps take it; needed in the clear to compute codes.
    secret = models.CharField(_("secret"), max_length=64, editable=False)
    confirmed_at = models.DateTimeField(_("set up"), default=timezone.now)
    last_used_step = models.BigIntegerField(_("last time step used"), default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("two-factor authenticator")
        verbose_name_plural = _("two-factor authenticators")

    def __str__(self) -> str:
        return str(self.user)


class RecoveryCode(models.Model):
    """A single-use code that stands in for the authenticator (a lost phone).
    Only the SHA-256 digest is kept: the codes have 80 random bits, so the
    digest cannot be reversed by guessing, and they are shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="accounts_recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'used' if self.used_at else 'unused'})"
