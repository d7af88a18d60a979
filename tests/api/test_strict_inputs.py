"""Every field a client writes takes only the JSON type the schema documents
(config/api/fields.py): DRF's own CharField, IntegerField, BooleanField and
DecimalField coerce other types, which schemathesis reports as "schema-
violating request accepted". Proposed for tests/api/test_strict_inputs.py;
fails with the list of fields still to switch."""

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import force_instance
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers

from config.api import fields as strict

STRICT = (strict.StrictStringMixin, strict.StrictIntegerField, strict.StrictBooleanField, strict.StrictDecimalField)
COERCING = (
    serializers.CharField,
    serializers.IntegerField,
    serializers.BooleanField,
    serializers.DecimalField,
    serializers.FloatField,
)
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _lenient(serializer, prefix=""):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListField):
            field, name = field.child, f"{name}[]"
        if isinstance(field, serializers.Serializer):
            yield from _lenient(field, f"{prefix}{name}.")
        elif isinstance(field, COERCING) and not isinstance(field, STRICT):
            yield f"{prefix}{name} ({type(field).__name__})"


def _request_serializers():
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, path_regex, method, view in generator._get_paths_and_endpoints():
        if method not in WRITES:
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        view.schema.method, view.schema.path, view.schema.path_regex = method, path, path_regex
        serializer = force_instance(view.schema.get_request_serializer())
        if isinstance(serializer, serializers.Serializer):
            yield f"{method} {path}", serializer


def test_every_request_field_takes_only_its_documented_json_type():
    lenient = sorted(
        f"{operation} {type(serializer).__name__}.{field}"
        for operation, serializer in _request_serializers()
        for field in _lenient(serializer)
    )
    assert lenient == []
