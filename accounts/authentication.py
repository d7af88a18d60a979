"""DRF authentication by personal API token: ``Authorization: Bearer tdm_…``."""

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts.api_tokens import api_token_authenticate


class ApiTokenAuthentication(BaseAuthentication):
    """The token's user, acting for the token's organisation (``request.auth``
    is the ApiToken; the API reads its membership)."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if parts and parts[0].lower() == b"token":
            raise AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the token as “Authorization: Bearer <token>”."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = api_token_authenticate(raw=raw)
        if token is None:
            raise AuthenticationFailed(_("This API token is not valid: mistyped, revoked or expired."))
        user = token.membership.user
        # A token acts for its organisation and nothing more. Staff powers
        # (reading every organisation's drafts, moderating) stay with the
        # signed-in session, so a leaked token of a staff member exposes one
        # organisation, not all. This copy of the user is never saved.
        user.is_staff = False
        user.is_superuser = False
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
