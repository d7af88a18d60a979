"""The answer when the database cannot be reached: 503 and a short wait.

A database that is down or restarting makes a request fail when it connects
(within DATABASE_CONNECT_TIMEOUT) or mid-query. That is not a bug of the
page: the person is told the service is briefly unavailable, under /api/ in
the API's error shape, with Retry-After, rather than the generic 500 page.
Every other error still gets the 500 page.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from rest_framework import exceptions

from config.api.errors import api_error_response

RETRY_AFTER_SECONDS = 10


class DatabaseUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = _("The service is briefly unavailable. Try again in a moment.")
    default_code = "unavailable"


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: called while the uncaught exception is being handled."""
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request, template_name)
    if request.path.startswith("/api/"):
        response = api_error_response(DatabaseUnavailable())
    else:
        # Rendered without a request context: the context processors read the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
