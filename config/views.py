from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
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


def bad_request(request, exception):
    """The site's 400 page; under /api/ the API's JSON error (413 for a body
    that is too large)."""
    if request.path.startswith("/api/"):
        return api_bad_request(request, exception)
    return defaults.bad_request(request, exception)
