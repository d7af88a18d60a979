"""Serializer fields the apps' APIs share."""

from rest_framework import serializers

# Path ids: digits only, and few enough to fit a 64-bit key, so "abc" or a
# 30-digit number is a 404 from the URL resolver, never a database error.
ID_PATTERN = "[0-9]{1,18}"


def choice_list(choices, *, required: bool = False, help_text: str = "") -> serializers.ListField:
    """A set of choice values as a JSON array (ChoiceSetField in the models)."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices.choices),
        allow_empty=not required,
        required=required,
        max_length=len(choices.choices),
        help_text=help_text,
    )
