"""Personal API tokens: create, list, revoke, and look up a presented token.

A token reads ``tdm_<prefix>_<secret>``. The prefix finds the row; the SHA-256
digest of the whole token is compared in constant time. The secret has 256
bits, so a plain digest (no slow hash) cannot be reversed by guessing.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Membership, User

TOKEN_PREFIX = "tdm_"  # noqa: S105 - a label, not a secret
# A person may hold this many live tokens at once (revoked and expired ones
# do not count): enough for every integration, not an unbounded table.
MAX_ACTIVE_TOKENS = 20
# How often last_used_at is written: once a minute is precise enough for
# "last used" and spares a write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
EXPIRY_CHOICES_DAYS = (30, 90, 365)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _active(tokens: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
    now = timezone.now()
    return tokens.filter(revoked_at__isnull=True).exclude(expires_at__lte=now)


@transaction.atomic
def api_token_create(*, membership: Membership, name: str, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """A new token for the membership's user and organisation.

    Returns the row and the token itself, which is not stored and cannot be
    shown again.
    """
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it, e.g. “ERP sync”.")})
    if expires_in_days is not None and expires_in_days not in EXPIRY_CHOICES_DAYS:
        raise ValidationError({"expires_in_days": _("Choose one of the offered lifetimes.")})
    # The user row is locked so that two concurrent creations cannot both pass the limit.
    User.objects.select_for_update().filter(pk=membership.user_id).first()
    if _active(ApiToken.objects.filter(membership__user_id=membership.user_id)).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You already have %(n)d active tokens. Revoke one you no longer use first.") % {"n": MAX_ACTIVE_TOKENS}
        )
    # 48 random bits: a prefix already taken is all but impossible, and is
    # drawn again rather than failing.
    prefix = secrets.token_hex(6)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(6)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        membership=membership,
        name=name,
        prefix=prefix,
        key_hash=_digest(raw),
        expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    token.full_clean(exclude=["key_hash"])
    token.save()
    return token, raw


def api_tokens_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership__user=user).select_related("membership__organization")


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; anyone else's is a 404."""
    token = api_tokens_for_user(user=user).filter(pk=token_id).first()
    if token is None:
        raise Http404(_("No such API token."))
    if token.revoked_at is None:
        # Conditional: a second click does not move the revocation time.
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])
    return token


def api_tokens_revoke(*, tokens: QuerySet[ApiToken]) -> int:
    """Revoke tokens at once (administrators, e.g. after a leak); returns how
    many were still live."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_tokens_end_for_user(*, user: User) -> int:
    """End every live token of ``user``: after a password reset or change
    (a reset usually means the password was compromised, and a token made
    with it would outlive it). Returns how many were live."""
    return api_tokens_revoke(tokens=ApiToken.objects.filter(membership__user=user))


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token presented as ``raw``, with its membership, user and
    organisation; None for anything else (malformed, unknown, revoked, expired,
    inactive user)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    prefix, _separator, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not (prefix and secret):
        return None
    token = (
        _active(ApiToken.objects.filter(prefix=prefix))
        .select_related("membership__user", "membership__organization")
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _digest(raw)):
        return None
    if not token.membership.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
