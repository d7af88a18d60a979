"""The shared strict input fields (config/api/fields.py) and what the schema
generator makes of them and of read-only blank model fields
(config/api/schema.py). Proposed for tests/api/test_strict_fields.py."""

from decimal import Decimal

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Organization
from config.api.fields import (
    MAX_ID,
    ObjectIdField,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictEmailField,
    StrictIntegerField,
    StrictModelSerializer,
)
from config.api.permissions import PublicRead
from config.api.views import ApiView
from marketplace.models import Capability


class Input(serializers.Serializer):
    text = StrictCharField(required=False, allow_blank=True, max_length=5)
    email = StrictEmailField(required=False)
    number = StrictIntegerField(required=False)
    flag = StrictBooleanField(required=False)
    money = StrictDecimalField(required=False, allow_null=True, max_digits=12, decimal_places=2)
    target = ObjectIdField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        {"text": "ok", "email": "a@b.cn", "number": 3, "flag": False, "money": "100.5", "target": 7},
        {"text": ""},
        {"money": None},
        {"money": ""},
        {"money": ".5"},
        {"target": MAX_ID},
    ],
)
def test_values_of_the_documented_json_type_are_accepted(data):
    assert Input(data=data).is_valid()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": 0}, "text"),
        ({"text": 1.5}, "text"),
        ({"text": True}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": " abcde"}, "text"),  # six characters as sent
        ({"email": 5}, "email"),
        ({"number": "3"}, "number"),
        ({"number": 3.0}, "number"),
        ({"number": True}, "number"),
        ({"flag": "true"}, "flag"),
        ({"flag": 1}, "flag"),
        ({"money": 100}, "money"),
        ({"money": "1e5"}, "money"),
        ({"money": "+5"}, "money"),
        ({"money": " 5"}, "money"),
        ({"money": "  "}, "money"),
        ({"money": "1.234"}, "money"),
        ({"target": 0}, "target"),
        ({"target": MAX_ID + 1}, "target"),
        ({"target": "5"}, "target"),
    ],
)
def test_values_the_schema_calls_invalid_are_refused(data, field):
    serializer = Input(data=data)
    assert not serializer.is_valid()
    assert set(serializer.errors) == {field}


def test_the_decimal_value_is_a_decimal():
    serializer = Input(data={"money": "100.5"})
    assert serializer.is_valid()
    assert serializer.validated_data["money"] == Decimal("100.50")


class CapabilityInput(StrictModelSerializer):
    class Meta:
        model = Capability
        fields = ["title", "requires_verification", "price_min_monthly", "kind"]


def test_a_strict_model_serializer_generates_strict_fields():
    serializer = CapabilityInput(data={"title": 5, "requires_verification": "yes", "price_min_monthly": 5, "kind": 1})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"title", "requires_verification", "price_min_monthly", "kind"}


class WithId(serializers.Serializer):
    need = ObjectIdField()


class WithIds(serializers.Serializer):
    ids = serializers.ListField(child=ObjectIdField())


class ReadOrganization(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["website", "kind"]
        read_only_fields = fields


class ReadCapability(serializers.ModelSerializer):
    class Meta:
        model = Capability
        fields = ["data_classification"]
        read_only_fields = fields


class RefersToNeed(ApiView):
    @extend_schema(request=WithId, responses=ReadOrganization)
    def post(self, request):
        return Response()


class RefersToMany(ApiView):
    @extend_schema(request=WithIds, responses=ReadCapability)
    def post(self, request):
        return Response()


class PublicList(ApiView):
    permission_classes = [PublicRead]

    @extend_schema(responses=ReadOrganization)
    def get(self, request):
        return Response()


@pytest.fixture(scope="module")
def schema():
    patterns = [
        path("api/v1/one/", RefersToNeed.as_view()),
        path("api/v1/many/", RefersToMany.as_view()),
        path("api/v1/public/", PublicList.as_view()),
    ]
    return SchemaGenerator(patterns=patterns).get_schema(public=True)


def test_an_id_in_the_body_documents_404(schema):
    assert "404" in schema["paths"]["/api/v1/one/"]["post"]["responses"]


def test_a_list_of_ids_does_not_document_404(schema):
    """Lists of ids (mark these read) skip the ones not yours."""
    assert "404" not in schema["paths"]["/api/v1/many/"]["post"]["responses"]


def test_a_read_only_blank_url_admits_the_empty_string(schema):
    website = schema["components"]["schemas"]["ReadOrganization"]["properties"]["website"]
    assert {"type": "string", "maxLength": 0} in website["oneOf"]


def test_a_read_only_blank_choice_admits_the_empty_string(schema):
    classification = schema["components"]["schemas"]["ReadCapability"]["properties"]["data_classification"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in classification["oneOf"]


def test_a_read_only_choice_that_cannot_be_blank_stays_a_plain_enum(schema):
    kind = schema["components"]["schemas"]["ReadOrganization"]["properties"]["kind"]
    assert "oneOf" not in kind


def test_each_way_to_authenticate_is_listed_once(schema):
    assert schema["paths"]["/api/v1/one/"]["post"]["security"] == [{"tokenAuth": []}, {"cookieAuth": []}]


def test_a_public_read_may_be_anonymous(schema):
    assert schema["paths"]["/api/v1/public/"]["get"]["security"] == [{"tokenAuth": []}, {"cookieAuth": []}, {}]
