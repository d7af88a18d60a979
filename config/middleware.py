"""The project's middleware: requests whose text is not UTF-8 are refused
(Utf8RequestMiddleware); responses that depend on who asks are not kept by
shared caches (PrivateResponsesMiddleware).

Requests whose text is not UTF-8 are refused before any view reads them.

Django decodes a query string or a form body that is not valid UTF-8 by
replacing the broken bytes with U+FFFD: a lone surrogate or a cut-off
character would be stored as "�" without anyone noticing. Browsers always
send UTF-8 to a UTF-8 page, so such a request is a broken client or a probe:
answer 400 with a message (in the API's error shape under /api/).
"""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError

from config.api.errors import api_error_response
from config.views import bad_request_page

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _is_utf8(encoded: bytes) -> bool:
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Utf8RequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # WSGI hands the query string over as latin-1: these are its bytes.
        query = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
        readable = _is_utf8(query)
        if readable and request.content_type == FORM_CONTENT_TYPE and request.method == "POST":
            # Reading the body here also applies DATA_UPLOAD_MAX_MEMORY_SIZE
            # to every form post, including views that ignore their body.
            readable = _is_utf8(request.body)
        if not readable:
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        message = _("The request holds text that is not valid UTF-8. Send the text as UTF-8 and try again.")
        if request.path.startswith("/api/"):
            return api_error_response(ParseError(message))
        return bad_request_page(request, message)


class PrivateResponsesMiddleware:
    """``Cache-Control: private, no-store`` by default on every response that
    depends on who is asking: the caller is signed in (a session or an API
    token), or sent a session cookie or credentials (Django marks such
    responses ``Vary: Cookie``; a shared cache might otherwise keep one
    person's dashboard, thread, notifications or CSV export and hand it to
    the next). A view's own directives stay, with ``public`` turned into
    ``private``. Anonymous requests without a session (the public catalogue
    and profiles) are left as they are: the same for every visitor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.depends_on_caller(request):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def depends_on_caller(request) -> bool:
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
