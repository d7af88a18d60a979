"""One error shape for every 4xx answer of the API.

    {"message": "<one sentence for a person>",
     "code": "<machine-readable code>",
     "extra": {"fields": {"<field>": ["<message>", ...]}, ...}}

``extra.fields`` is present for validation errors (400), ``extra.wait`` (in
seconds) for throttled requests (429). Services raise Django's exceptions;
they are translated here: ValidationError → 400, PermissionDenied → 403,
Http404 → 404, StateConflict (config/errors.py; the marketplace's
TransitionNotAllowed is one) → 409.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from config.errors import StateConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("That is not possible in the object's current state.")
    default_code = "conflict"


def _django_validation_detail(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


def as_api_exception(exc: Exception) -> Exception:
    """Django's and the services' exceptions as DRF ones, keeping their message."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=_django_validation_detail(exc))
    if isinstance(exc, StateConflict):
        return Conflict(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or None)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    return exc


def _first_message(detail) -> str:
    while isinstance(detail, dict | list) and detail:
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail) if detail else ""


def error_body(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        fields: dict[Any, Any] = (
            exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        )
        general = fields.get(api_settings.NON_FIELD_ERRORS_KEY)
        if general:
            message = _first_message(general)
        elif len(fields) == 1:
            name = next(iter(fields))
            message = _("%(field)s: %(message)s") % {"field": name, "message": _first_message(fields[name])}
        else:
            message = _("Some fields are not valid; see extra.fields.")
        return {"message": message, "code": "invalid", "extra": {"fields": fields}}
    extra = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:  # type: ignore[attr-defined]  # the stubs lack Throttled.wait
        extra["wait"] = round(exc.wait)  # type: ignore[attr-defined]
    codes = exc.get_codes()
    return {"message": _first_message(exc.detail), "code": codes if isinstance(codes, str) else "error", "extra": extra}


def _encodable(data):
    """Messages that quote the input (`"…" is not a valid choice`) with
    any lone surrogate replaced: UTF-8 cannot write one, and the JSON
    renderer would fail with a 500."""
    if isinstance(data, dict):
        return {_encodable(key): _encodable(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_encodable(item) for item in data]
    if isinstance(data, str):
        return data.encode("utf-8", "replace").decode("utf-8")
    return data


def api_exception_handler(exc, context):
    exc = as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an expected error: Django's 500 handling and logging
    response.data = _encodable(error_body(exc))
    return response


def api_error_response(exc: exceptions.APIException) -> JsonResponse:
    """The same shape outside DRF's views (unknown /api/ URLs)."""
    return JsonResponse(error_body(exc), status=exc.status_code)
