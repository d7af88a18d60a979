import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import ngettext

from accounts.selectors import memberships_current_and_others

# Session keys: when (Unix time, seconds) this session's user signed in, and
# when its expiry was last pushed on.
SIGNED_IN_AT = "_signed_in_at"
REFRESHED_AT = "_refreshed_at"
# How often a busy session is saved to push its expiry on.
REFRESH_EVERY = 60


def note_sign_in(sender, request, user, **kwargs):
    """On signing in (user_logged_in): the session starts both its clocks, in
    the same write as the sign-in itself."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[REFRESHED_AT] = now


class SessionTimeoutMiddleware:
    """The two time-outs of a signed-in session.

    Idle: Django ends a session ``SESSION_COOKIE_AGE`` after it was last
    saved. Saving it on every request (``SESSION_SAVE_EVERY_REQUEST``) would
    cost a database write per page; instead a request marks the session
    changed when its last refresh is over ``REFRESH_EVERY`` seconds old, so
    the idle limit holds to within that minute at one write a minute.

    Absolute: ``SESSION_ABSOLUTE_AGE`` seconds after signing in the user is
    signed out, however active since: a stolen session cookie is good for
    hours at most, not for as long as someone keeps using it. The sign-in
    time is noted when signing in (``note_sign_in``), or for a session from
    before this existed, on its next request. The request that
    finds the session too old goes on as an anonymous one: a page that needs
    an account sends the person to the sign-in page, which says why. Requests
    with an API token carry no session and pass untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                hours = settings.SESSION_ABSOLUTE_AGE // 3600
                message = ngettext(
                    "For your security, you are signed out %(hours)d hour after signing in. Please sign in again.",
                    "For your security, you are signed out %(hours)d hours after signing in. Please sign in again.",
                    hours,
                )
                messages.info(request, message % {"hours": hours})
            elif now - session.get(REFRESHED_AT, 0) >= REFRESH_EVERY:
                session[REFRESHED_AT] = now
        return self.get_response(request)


class CurrentMembershipMiddleware:
    """Set ``request.membership``: the organisation a signed-in user acts for.

    A user may belong to several organisations; the one chosen last is kept in
    the session. ``None`` for anonymous users and users without an organisation.
    ``request.other_memberships``: the user's other organisations, read in the
    same query, for the navigation's switcher; ``request.other_memberships_of``
    names the membership they are the others of (a view that changes
    ``request.membership`` leaves them to be read again).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership, request.other_memberships = None, []
        if request.user.is_authenticated:
            request.membership, request.other_memberships = memberships_current_and_others(
                user=request.user,
                organization_id=request.session.get("current_organization_id"),
            )
        request.other_memberships_of = request.membership
        return self.get_response(request)
