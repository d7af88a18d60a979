from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from config.api.views import api_bad_request, api_not_found


@never_cache
def health(request):
    """Liveness and database reachability, for load balancers and compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers and the admin ask for /favicon.ico; ours is an SVG in static files."""
    return redirect(static("img/favicon.svg"), permanent=True)


def page_not_found(request, exception):
    """The site's 404 page; under /api/ the API's JSON error instead."""
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def bad_request_page(request, message: str):
    """The site's 400 page saying what was wrong: for input that a view
    refuses with no form to show the error on (a button's or a hidden
    field's unknown value), and for requests refused before any view."""
    return render(request, "400.html", {"message": message}, status=400)


def bad_request(request, exception):
    """The site's 400 page; under /api/ the API's JSON error (413 for a body
    that is too large)."""
    if request.path.startswith("/api/"):
        return api_bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        message = _("The form sent more than %(mb).1f MB. Shorten the text and try again.") % {"mb": limit}
        return bad_request_page(request, message)
    return defaults.bad_request(request, exception)
