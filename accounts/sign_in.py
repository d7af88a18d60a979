"""The lock-out's rules wherever a password or a two-factor code is tried.

The forms only validate what was typed; these services decide, with the
database: refuse a locked account/address pair before anything is checked,
record each wrong password or code as a failure at its door
(accounts.lockout), and spend the time step of an accepted authenticator
code (accounts.two_factor.two_factor_verify). Each puts its refusal on the
form, where the page shows it (and refused_sign_in turns a lock-out into 429).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts import lockout, two_factor
from accounts.choices import SignInDoor
from accounts.models import User

if TYPE_CHECKING:
    from accounts.forms import LockoutMixin, LockoutPasswordChangeForm


def sign_in_attempt(*, request: HttpRequest, form: "LockoutMixin", door: str) -> bool:
    """The password step of signing in (the site's or the admin's form).

    A locked pair is refused before the password is checked, even the right
    one; a wrong password (not an inactive account's right one) is a failure
    at ``door``. True when the form is valid: ``form.get_user()`` gave the
    right password. Side effect: one SignInFailure row per wrong password.
    """
    username = form.username_as_typed()
    seconds = lockout.locked_for(request, username) if username else 0
    if seconds:
        form.refuse(lockout.locked_error(seconds))
    if form.is_valid():
        return True
    if not seconds and username and form.cleaned_data.get("password") and form.get_user() is None:
        lockout.note_failure(request, username, door)
    return False


def password_change_attempt(*, request: HttpRequest, form: "LockoutPasswordChangeForm") -> bool:
    """A password change: the old password is checked like a sign-in, so a
    stolen session cannot be used to guess it. True when the form is valid.
    Side effect: one SignInFailure row per wrong old password."""
    old_password = form.old_password_as_typed()
    refusal = None
    if old_password:
        username = form.user.get_username()
        seconds = lockout.locked_for(request, username)
        if seconds:
            refusal = lockout.locked_error(seconds)
        elif not form.user.check_password(old_password):
            lockout.note_failure(request, username, SignInDoor.PASSWORD_CHANGE)
            refusal = ValidationError(form.error_messages["password_incorrect"], code="password_incorrect")
    form.old_password_verdict(refusal)
    return form.is_valid()


@dataclass(frozen=True)
class Reauthentication:
    """A person proved again who they are."""

    # How the two-factor code was accepted (two_factor.BY_*), None without a code.
    code_accepted_by: str | None


def reauthentication_attempt(
    *, request: HttpRequest, user: User, form: Form, door: str = SignInDoor.TWO_FACTOR
) -> Reauthentication | None:
    """Check a valid form's ``password`` (when it has that field) and then its
    two-factor ``code`` (when it has that field) for ``user``.

    None when refused, with the reason on the form: a locked pair before
    anything is checked; a wrong password or code, each a failure at
    ``door``. The code is only tried after the right password. Side effects:
    a SignInFailure row per wrong answer; an accepted authenticator code's
    time step is spent (it cannot be used again), a recovery code is used up.
    """
    cleaned = form.cleaned_data
    username = user.get_username()
    seconds = lockout.locked_for(request, username)
    if seconds:
        form.add_error(None, lockout.locked_error(seconds))
        return None
    if "password" in form.fields and not user.check_password(cleaned["password"]):
        lockout.note_failure(request, username, door)
        form.add_error("password", ValidationError(_("That is not your password."), code="wrong_password"))
        return None
    code_accepted_by = None
    if "code" in form.fields:
        code_accepted_by = two_factor.two_factor_verify(user=user, code=cleaned["code"])
        if code_accepted_by is None:
            lockout.note_failure(request, username, door)
            form.add_error("code", two_factor.wrong_code_error())
            return None
    return Reauthentication(code_accepted_by=code_accepted_by)
