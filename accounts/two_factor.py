"""Two-factor authentication: an authenticator app (TOTP) and recovery codes.

After the right password, a person with two-factor on is not signed in yet:
a *pending sign-in* in the session remembers who they are for
``PENDING_SIGN_IN_SECONDS`` while they give a code from their authenticator
app or one of their recovery codes; only then does ``login()`` run. Platform
owners and Django staff must have it (``two_factor_required``, switched by
the TWO_FACTOR_REQUIRED setting): without it their sign-in goes to setting
it up first. Wrong codes count towards the sign-in lock-out
(accounts/lockout.py), which accounts/sign_in.py checks before each code.

Codes are RFC 6238 TOTP (6 digits, 30-second steps) and one step of clock
drift either way is accepted. The newest step accepted is stored and only
later steps are accepted after it, so a code cannot be used twice (someone
who watched it being typed gets nothing). Recovery codes have 80 random bits
and are stored as SHA-256 digests, each usable once.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import qrcode
import qrcode.constants
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.choices import OrganizationKind, Role
from accounts.models import Membership, RecoveryCode, TwoFactorAuthenticator, User

ISSUER = "Tandem"  # the name authenticator apps show above the code
STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_LENGTH = 32  # base32 characters: 160 bits, as RFC 4226 recommends
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = 16  # base32 characters: 80 bits
RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
PENDING_SIGN_IN_SECONDS = 5 * 60
ENROLMENT_SECONDS = 30 * 60
NEW_CODES_SHOWN_FOR = 5 * 60

# What the second step of a sign-in is, and how a code was accepted.
ENTER_CODE = "code"
SET_UP = "setup"
BY_AUTHENTICATOR = "authenticator"
BY_RECOVERY_CODE = "recovery_code"

# Session keys.
PENDING_SIGN_IN = "_two_factor_pending"
ENROLMENT = "_two_factor_enrolment"
NEW_RECOVERY_CODES = "_two_factor_new_codes"


# Who has it and who must.


def two_factor_enabled(user: User) -> bool:
    return TwoFactorAuthenticator.objects.filter(user_id=user.pk).exists()


def two_factor_required(user: User) -> bool:
    """Staff (Django admin) and owners of a platform organisation must use
    two-factor authentication, unless TWO_FACTOR_REQUIRED is off."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return user.is_staff or (
        Membership.objects.filter(
            user_id=user.pk, role=Role.OWNER, organization__kind=OrganizationKind.PLATFORM
        ).exists()
    )


def authenticator_for(user: User) -> TwoFactorAuthenticator | None:
    return TwoFactorAuthenticator.objects.filter(user_id=user.pk).first()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def sign_in_second_step(user: User) -> str | None:
    """What a sign-in needs after the right password: a code, setting
    two-factor up (required but not on), or nothing (None)."""
    if two_factor_enabled(user):
        return ENTER_CODE
    if two_factor_required(user):
        return SET_UP
    return None


# Codes.


def _normalize(code: str) -> str:
    """People type codes with spaces or hyphens, as they are shown."""
    return "".join(code.split()).replace("-", "").lower()


def _is_totp_code(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def _is_recovery_code(code: str) -> bool:
    return len(code) == RECOVERY_CODE_LENGTH and all(character in RECOVERY_ALPHABET for character in code)


def code_is_well_formed(code: str, *, recovery_allowed: bool = True) -> bool:
    code = _normalize(code)
    return _is_totp_code(code) or (recovery_allowed and _is_recovery_code(code))


def _current_step() -> int:
    return int(time.time()) // STEP_SECONDS


def _matching_step(secret: str, code: str, *, after: int) -> int | None:
    """The time step near now, later than ``after``, whose code is ``code``."""
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now = _current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _recovery_code_new() -> str:
    return "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))


def recovery_code_display(code: str) -> str:
    """xxxx-xxxx-xxxx-xxxx: easier to copy by hand."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    codes = {_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)}
    while len(codes) < RECOVERY_CODE_COUNT:  # a repeat of 80 random bits: all but impossible
        codes.add(_recovery_code_new())
    RecoveryCode.objects.bulk_create(RecoveryCode(user_id=user.pk, code_hash=_digest(code)) for code in codes)
    return sorted(recovery_code_display(code) for code in codes)


def wrong_code_error() -> ValidationError:
    return ValidationError(
        _("That code is not right, or it was already used. Enter the code your authenticator app shows now."),
        code="wrong_code",
    )


# Setting it up.


def secret_new() -> str:
    return pyotp.random_base32(length=SECRET_LENGTH)


def secret_display(secret: str) -> str:
    """The key in groups of four, for typing it into an app by hand."""
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def provisioning_uri(*, user: User, secret: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_code_svg(text: str, *, label: str) -> SafeString:
    """``text`` as a QR code in inline SVG markup (no image file, no script,
    no inline style, so the Content-Security-Policy has nothing to allow)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    modules = "".join(f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="qr-code" viewBox="0 0 {size} {size}" '
        'role="img" aria-label="{label}" shape-rendering="crispEdges">'
        '<rect width="{size}" height="{size}" fill="#fff"/><path d="{modules}" fill="#000"/></svg>',
        size=len(matrix),
        label=label,
        modules=modules,
    )


def enrolment_secret(session, *, user: User) -> str:
    """The secret being set up in this session: the same one until it is
    confirmed or ``ENROLMENT_SECONDS`` pass, so reloading the page does not
    invalidate a QR code already scanned. Nothing is stored until confirmed."""
    enrolment = session.get(ENROLMENT)
    if enrolment and enrolment["user"] == user.pk and time.time() - enrolment["at"] < ENROLMENT_SECONDS:
        return enrolment["secret"]
    secret = secret_new()
    session[ENROLMENT] = {"user": user.pk, "secret": secret, "at": time.time()}
    return secret


def enrolment_end(session) -> None:
    session.pop(ENROLMENT, None)


def two_factor_enable(*, user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor on with the authenticator holding ``secret``, proven
    by one of its codes. Makes the recovery codes and returns them (shown
    once: only their digests are kept)."""
    step = _matching_step(secret, _normalize(code), after=-1) if _is_totp_code(_normalize(code)) else None
    if step is None:
        raise ValidationError(
            {
                "code": ValidationError(
                    _("That code does not match. Check that the app shows the code for Tandem and try the new one."),
                    code="wrong_code",
                )
            }
        )
    with transaction.atomic():
        # The user row is locked so that two confirmations (a double click) make one authenticator.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if TwoFactorAuthenticator.objects.filter(user_id=user.pk).exists():
            raise ValidationError(_("Two-factor authentication is already on for your account."), code="enabled")
        TwoFactorAuthenticator.objects.create(user_id=user.pk, secret=secret, last_used_step=step)
        return _recovery_codes_replace(user)


# Using it.


def two_factor_verify(*, user: User, code: str) -> str | None:
    """Accept a code from the user's authenticator (for a time step later
    than the last one used) or one of their unused recovery codes, which is
    then used up. Returns how (BY_AUTHENTICATOR, BY_RECOVERY_CODE), or None
    for a wrong, used or malformed code."""
    code = _normalize(code)
    authenticator = authenticator_for(user)
    if authenticator is None:
        return None
    now = timezone.now()
    if _is_totp_code(code):
        step = _matching_step(authenticator.secret, code, after=authenticator.last_used_step)
        # Conditional: of two requests with the same code, one moves the step on; the other is a replay.
        if step is not None and TwoFactorAuthenticator.objects.filter(
            pk=authenticator.pk, last_used_step__lt=step
        ).update(last_used_step=step, last_used_at=now):
            return BY_AUTHENTICATOR
        return None
    if _is_recovery_code(code):
        used = RecoveryCode.objects.filter(user_id=user.pk, code_hash=_digest(code), used_at__isnull=True).update(
            used_at=now
        )
        if used:
            TwoFactorAuthenticator.objects.filter(pk=authenticator.pk).update(last_used_at=now)
            return BY_RECOVERY_CODE
    return None


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """New recovery codes for a user with two-factor on (the caller checked a
    current code); the old ones stop working. Returns the new ones."""
    if not TwoFactorAuthenticator.objects.select_for_update().filter(user_id=user.pk).exists():
        raise ValidationError(_("Two-factor authentication is off for your account."), code="disabled")
    return _recovery_codes_replace(user)


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Turn two-factor off (the caller checked the password and a code);
    refused while it is required for the user."""
    if two_factor_required(user):
        raise ValidationError(
            _(
                "Platform owners and administrators must use two-factor authentication, "
                "so it cannot be turned off for your account."
            ),
            code="required",
        )
    TwoFactorAuthenticator.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.filter(user_id=user.pk).delete()


@transaction.atomic
def two_factor_reset(*, users: QuerySet[User]) -> list[User]:
    """Administrators: turn two-factor off for people who lost their
    authenticator and their recovery codes. Those who must use it set it up
    again at their next sign-in. Returns the users who had it on."""
    had_it = list(users.filter(authenticator__isnull=False).order_by("pk"))
    ids = [user.pk for user in had_it]
    TwoFactorAuthenticator.objects.filter(user_id__in=ids).delete()
    RecoveryCode.objects.filter(user_id__in=ids).delete()
    return had_it


# The sign-in in two steps, kept in the session between them.


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    backend: str
    next_url: str


class PendingSignInExpired(Exception):
    """The password was given more than PENDING_SIGN_IN_SECONDS ago."""

    def __init__(self, next_url: str):
        super().__init__(next_url)
        self.next_url = next_url


def pending_sign_in_start(session, *, user: User, next_url: str) -> None:
    session[PENDING_SIGN_IN] = {"user": user.pk, "backend": user.backend, "next": next_url, "at": time.time()}


def pending_sign_in(session) -> PendingSignIn | None:
    """The sign-in waiting for its second step; None if there is none (or
    its account is gone or deactivated); PendingSignInExpired if too old."""
    pending = session.get(PENDING_SIGN_IN)
    if not pending:
        return None
    if time.time() - pending["at"] > PENDING_SIGN_IN_SECONDS:
        session.pop(PENDING_SIGN_IN)
        raise PendingSignInExpired(pending["next"])
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        session.pop(PENDING_SIGN_IN)
        return None
    return PendingSignIn(user=user, backend=pending["backend"], next_url=pending["next"])


def pending_sign_in_end(session) -> None:
    session.pop(PENDING_SIGN_IN, None)


def new_recovery_codes_keep(session, codes: list[str], *, next_url: str) -> None:
    """Keep new recovery codes for the next page, which shows them once."""
    session[NEW_RECOVERY_CODES] = {"codes": codes, "next": next_url, "at": time.time()}


def new_recovery_codes_take(session) -> tuple[list[str], str] | None:
    """The new recovery codes and where to go after reading them, if they
    were made in the last few minutes; they are gone from the session after."""
    kept = session.pop(NEW_RECOVERY_CODES, None)
    if not kept or time.time() - kept["at"] > NEW_CODES_SHOWN_FOR:
        return None
    return kept["codes"], kept["next"]
