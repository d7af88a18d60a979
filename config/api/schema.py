"""The OpenAPI schema: every operation lists the errors it can answer, in the
one error shape of config/api/errors.py, with an example each."""

import copy

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import permissions, serializers

from config.api.fields import ObjectIdField
from config.forms import validate_one_line


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="One sentence for a person, in the caller's language.")
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, conflict, throttled, …")
    extra = serializers.DictField(
        help_text="fields: per-field messages (400); wait: seconds until the next request is allowed (429)."
    )


def _error(code: int, description: str, message: str, kind: str, extra: dict | None = None) -> OpenApiResponse:
    """The documented error answer for one status code, with an example."""
    example = OpenApiExample(
        kind,
        value={"message": message, "code": kind, "extra": extra or {}},
        response_only=True,
        status_codes=[str(code)],
    )
    return OpenApiResponse(ErrorSerializer, description=description, examples=[example])


ERRORS = {
    400: _error(
        400,
        "The request is not valid: a field, a filter or a page parameter.",
        "title: This field is required.",
        "invalid",
        {"fields": {"title": ["This field is required."]}},
    ),
    401: _error(
        401,
        "No credentials, or a token that is mistyped, revoked or expired.",
        "Authentication credentials were not provided.",
        "not_authenticated",
    ),
    403: _error(
        403,
        "Signed in, but not allowed to do this (wrong kind of organisation or role).",
        "Only SMEs post needs.",
        "permission_denied",
    ),
    404: _error(
        404,
        "No such object, or one you may not see (other organisations' objects answer 404).",
        "No such capability.",
        "not_found",
    ),
    409: _error(
        409,
        "Not possible in the object's current state (an illegal state transition, a duplicate).",
        "This application is accepted, so it cannot be withdrawn.",
        "conflict",
    ),
    413: _error(
        413,
        "The body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE, 1 MB).",
        "The request body is larger than 1.0 MB.",
        "payload_too_large",
    ),
    415: _error(
        415,
        "The body must be JSON (Content-Type: application/json).",
        'Unsupported media type "text/plain" in request.',
        "unsupported_media_type",
    ),
    429: _error(
        429,
        "Too many requests; retry after extra.wait seconds (also in the Retry-After header).",
        "Request was throttled. Expected available in 12 seconds.",
        "throttled",
        {"wait": 12},
    ),
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _blank_dropped_by_read_only(field) -> bool:
    """A read-only serializer field whose model field may be blank ("").

    DRF drops ``allow_blank`` from read-only ModelSerializer fields (it only
    matters for input), so the schema would leave "" out of a choice's enum or
    forbid it by a string format ("uri", "email"), although responses carry
    it: the data classification of a capability that is not a data set, an
    organisation without a website."""
    is_choice = type(field) is serializers.ChoiceField  # not MultipleChoiceField: its items are never ""
    if not (is_choice or isinstance(field, serializers.CharField)) or not field.read_only or field.allow_blank:
        return False
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or len(getattr(field, "source_attrs", ())) != 1:
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    # The same test as DRF's for allow_blank on writable model fields.
    return model_field.blank and isinstance(model_field, models.CharField | models.TextField)


def _as_documented(field):
    if _blank_dropped_by_read_only(field):
        field = copy.copy(field)
        field.allow_blank = True
    return field


class TandemAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        return super()._map_serializer_field(_as_documented(field), direction, bypass_extensions)

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(_as_documented(field), schema)

    def _public_read(self) -> bool:
        if self.method != "GET":
            return False
        return any(
            isinstance(p, permissions.AllowAny) or getattr(p, "allows_public_read", False)
            for p in self.view.get_permissions()
        )

    def get_auth(self):
        """Each way to authenticate once (drf-spectacular adds the SECURITY
        setting's to the view's own), and "none" where the public may read:
        PublicRead endpoints are not AllowAny, which is all it recognises."""
        requirements = []
        for requirement in super().get_auth():
            if requirement not in requirements:
                requirements.append(requirement)
        if self._public_read() and {} not in requirements:
            requirements.append({})
        return requirements

    def _refers_to_objects(self) -> bool:
        """The request body names another object by id (``ObjectIdField``),
        which the endpoint fetches with a permission check: 404 if unseen."""
        serializer = force_instance(self.get_request_serializer())
        fields = getattr(serializer, "fields", {})
        return any(isinstance(field, ObjectIdField) and not field.read_only for field in fields.values())

    def error_codes(self, operation: dict) -> list[int]:
        parameters = operation.get("parameters", [])
        codes = {401, 429}
        if any(p["in"] == "query" for p in parameters) or "requestBody" in operation:
            codes.add(400)
        if not self._public_read():
            codes.add(403)
        if (
            any(p["in"] == "path" for p in parameters)
            or any(p["name"] == "page" for p in parameters)
            or ("requestBody" in operation and self._refers_to_objects())
        ):
            codes.add(404)
        if self.method in WRITES:
            codes.add(409)
        if "requestBody" in operation:
            codes |= {413, 415}
        return sorted(codes)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for code in self.error_codes(operation):
            operation["responses"].setdefault(str(code), self._get_response_for_code(ERRORS[code], str(code)))
        return operation


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tdm_<prefix>_<secret>",
            "description": "A personal API token from Account → API tokens; it acts for one organisation.",
        }


def _schema_pattern(regex: str) -> str:
    """A validator's regex as drf-spectacular writes it in the schema."""
    pattern = regex.encode("ascii", "backslashreplace").decode().replace(r"\x", r"\u00")
    return pattern.replace(r"\Z", "$").replace(r"\A", "^")


ONE_LINE_PATTERN = _schema_pattern(validate_one_line.regex.pattern)  # type: ignore[union-attr]  # a compiled regex


def _without_one_line_pattern(schema) -> None:
    if isinstance(schema, dict):
        if schema.get("pattern") == ONE_LINE_PATTERN:
            del schema["pattern"]
        for value in schema.values():
            _without_one_line_pattern(value)
    elif isinstance(schema, list):
        for value in schema:
            _without_one_line_pattern(value)


def one_line_pattern_for_requests_only(result, generator, request, public):
    """A postprocessing hook: the one-line pattern stays on what callers send
    (the request components, "…Request" with COMPONENT_SPLIT_REQUEST) and
    leaves the answers. It reaches the answers' schemas through the model
    fields' validator, but a value stored before the rule (or by an
    administrator) may hold a line break, and an answer that shows it must
    still conform to its schema."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            _without_one_line_pattern(schema)
    return result
