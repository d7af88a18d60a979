"""Serializer fields the apps' APIs share.

DRF's input fields are lenient where the schema is not: a CharField takes 0
(and stores "0"), an IntegerField "12" and 12.0, a BooleanField "yes" and 1,
a DecimalField 100 although decimals are strings in this API. A request the
schema calls invalid must be refused (400; schemathesis checks it), so input
serializers use the strict fields below: ``StrictModelSerializer`` maps model
fields to them, fields declared by hand use them directly, and an id in a
request body is an ``ObjectIdField``.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.forms import canonical_email_address, clean_user_text, validate_one_line, validate_plain_email_address

# Path ids: digits only, and few enough to fit a 64-bit key, so "abc" or a
# 30-digit number is a 404 from the URL resolver, never a database error.
ID_PATTERN = "[0-9]{1,18}"
# The largest id ID_PATTERN lets through a path; the same bound for ids in
# bodies, so no id overflows a database integer.
MAX_ID = 10**18 - 1


class StrictStringMixin:
    """A JSON string only: DRF's string fields also take numbers. The
    length limit applies to the string as sent, as the schema's maxLength
    does (DRF measures it after trimming whitespace). The text then follows
    the pages' rule (config/forms.py): control characters are refused,
    invisible zero-width ones removed."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        try:
            data = clean_user_text(data)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None
        return super().to_internal_value(data)


class StrictCharField(StrictStringMixin, serializers.CharField):
    pass


class StrictLineField(StrictCharField):
    """A one-line text (a name, a title, a tag): line breaks refused with
    the pages' validator (config/forms.py); the schema shows it as a pattern."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_one_line)


class StrictEmailField(StrictStringMixin, serializers.EmailField):
    """An address in its canonical form (config.forms.canonical_email_address),
    refused when it is a look-alike (not plain ASCII there), as on the pages."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_plain_email_address)

    def to_internal_value(self, data):
        return canonical_email_address(super().to_internal_value(data))


class StrictURLField(StrictStringMixin, serializers.URLField):
    pass


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: DRF's IntegerField also takes "12" and 12.0."""

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false only: DRF's BooleanField also takes "yes", "on", 1…"""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


# What the schema's decimal pattern allows at all: an optional minus, digits,
# an optional point and digits. DRF then checks the number of digits and
# places (with its own, clearer messages).
DECIMAL_FORM = re.compile(r"-?[0-9]*(?:\.[0-9]*)?")


class StrictDecimalField(serializers.DecimalField):
    """A decimal as a JSON string ("100.00"), the way the API writes them
    (COERCE_DECIMAL_TO_STRING) and the schema documents them. DRF's
    DecimalField also takes the JSON number 100 and strings such as "1e5",
    "+5" or " 5", which the schema's pattern does not allow."""

    default_error_messages = {
        **serializers.DecimalField.default_error_messages,
        "not_a_string": _('A number written as a string, e.g. "100.00".'),
    }

    def validate_empty_values(self, data):
        # DRF reads "  " as null; only "" (which the pattern allows) is.
        if isinstance(data, str) and data and not data.strip():
            self.fail("invalid")
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        if not DECIMAL_FORM.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateField(serializers.DateField):
    """A date as the schema writes it, YYYY-MM-DD (DRF also reads 20270101
    or 2027-W01-1, which the schema's "date" format does not allow)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


class ObjectIdField(StrictIntegerField):
    """The id of another object a request body refers to. The endpoint
    fetches it with the permission-checked selector, so an object the caller
    may not see answers 404; the schema documents that 404 for every
    operation with such a field (config/api/schema.py)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose generated fields take only the JSON types the
    schema documents (fields declared on the class are as declared; choice
    fields take only their values already)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictLineField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.URLField: StrictURLField,
        models.IntegerField: StrictIntegerField,
        models.SmallIntegerField: StrictIntegerField,
        models.PositiveIntegerField: StrictIntegerField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.BooleanField: StrictBooleanField,
        models.DecimalField: StrictDecimalField,
        models.DateField: StrictDateField,
    }


def choice_list(choices, *, required: bool = False, help_text: str = "") -> serializers.ListField:
    """A set of choice values as a JSON array (ChoiceSetField in the models)."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices.choices),
        allow_empty=not required,
        required=required,
        min_length=1 if required else None,
        max_length=len(choices.choices),
        help_text=help_text,
    )
