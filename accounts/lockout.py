"""Sign-in lock-out against password guessing.

Every failed password (site sign-in, admin sign-in, the password asked when
creating an API token) and every failed two-factor code is one row of
SignInFailure: the account name tried, the caller's address and where. An
account may not be tried from an address once it has
``SIGN_IN_LOCKOUT_FAILURES`` failures from that address within
``SIGN_IN_LOCKOUT_MINUTES`` — not even with the right password — and an
address that failed ``SIGN_IN_LOCKOUT_ADDRESS_FAILURES`` times across
accounts in the window may not try any. The lock lifts as the failures age
out of the window; an administrator can lift it at once by deleting the rows
in the admin. Only a completed sign-in (both factors) clears the pair's
failures, so knowing the password does not buy more guesses at the code.

The address is config.ratelimit.client_ip: X-Forwarded-For is read only
behind NUM_PROXIES trusted proxies and from the right, so a client that
writes its own X-Forwarded-For does not get a fresh count. The rows live in
the database, not the cache: a cache restart must not reset the count.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import SignInFailure, User, normalize_email_address
from config.ratelimit import client_ip

LOCKED = "locked"  # the ValidationError code forms and views look for


def account_key(username: str) -> str:
    """What failures are counted under: the address of the account it names,
    as stored, once there is one; else the typed address in canonical form.
    Both are the one canonical form (accounts.models.normalize_email_address),
    so no spelling of an address gets a count of its own."""
    typed = normalize_email_address(username or "")[:254]
    stored = User.objects.filter(email=typed).values_list("email", flat=True).first()
    return stored or typed


def _window() -> timedelta:
    return timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)


def _wait_after(failures, limit: int, now) -> float:
    """Seconds until fewer than ``limit`` of ``failures`` (newest first) are
    inside the window; 0 when there are fewer already."""
    times = list(failures.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    return max(0.0, (times[-1] + _window() - now).total_seconds())


def locked_for(request, username: str) -> int:
    """Seconds before ``username`` may be tried from this request's address
    (0: it may be tried now)."""
    now = timezone.now()
    recent = SignInFailure.objects.filter(ip_address=client_ip(request), created_at__gt=now - _window())
    pair = recent.filter(username=account_key(username))
    wait = max(
        _wait_after(pair, settings.SIGN_IN_LOCKOUT_FAILURES, now),
        _wait_after(recent, settings.SIGN_IN_LOCKOUT_ADDRESS_FAILURES, now),
    )
    return math.ceil(wait)


def locked_error(seconds: int) -> ValidationError:
    minutes = max(1, math.ceil(seconds / 60))
    return ValidationError(
        ngettext(
            "Too many failed attempts to sign in to this account from your network. For the account's safety, "
            "signing in is paused for %(minutes)d more minute. If you have forgotten your password, reset it.",
            "Too many failed attempts to sign in to this account from your network. For the account's safety, "
            "signing in is paused for %(minutes)d more minutes. If you have forgotten your password, reset it.",
            minutes,
        )
        % {"minutes": minutes},
        code=LOCKED,
        params={"seconds": seconds},
    )


def check(request, username: str) -> None:
    """Raise the lock-out's ValidationError when the pair is locked."""
    seconds = locked_for(request, username)
    if seconds:
        raise locked_error(seconds)


def note_failure(request, username: str, door: str) -> None:
    SignInFailure.objects.create(username=account_key(username), ip_address=client_ip(request)[:64], door=door)


def note_success(sender, request, user, **kwargs) -> None:
    """On a completed sign-in (user_logged_in): forget the pair's failures."""
    if request is not None:
        SignInFailure.objects.filter(username=account_key(user.get_username()), ip_address=client_ip(request)).delete()


def prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete failures long out of every window; returns how many."""
    deleted, _by_model = SignInFailure.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def retry_after(error: ValidationError) -> int | None:
    """The seconds of a lock-out error among a form's errors, if any."""
    for item in getattr(error, "error_list", [error]):
        if item.code == LOCKED:
            return item.params["seconds"]
    return None
