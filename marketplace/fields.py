"""A set of choice values stored in one text column, usable on every database.

Stored as ``,a,c,`` (sorted, comma-framed) so that "contains value" is a
plain ``LIKE '%,a,%'`` on PostgreSQL and SQLite alike: ``field__has="a"``.
"""

from django import forms
from django.core import exceptions
from django.db import models
from django.db.models import Lookup
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class ChoiceSetField(models.CharField):
    description = _("A set of choices")

    def __init__(self, *args, choice_class=None, **kwargs):
        self.choice_class = choice_class
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choice_class"] = self.choice_class
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("max_length") == 400:
            del kwargs["max_length"]
        # This field defaults to blank=True (Django's fields to False), so it
        # is the required case that must be written out.
        kwargs.pop("blank", None)
        if not self.blank:
            kwargs["blank"] = False
        return name, path, args, kwargs

    @property
    def allowed(self) -> dict:
        return dict(self.choice_class.choices)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [item for item in value.split(",") if item]
        return list(value)

    def get_prep_value(self, value):
        values = sorted(set(self.to_python(value)))
        return f",{','.join(values)}," if values else ""

    def validate(self, value, model_instance):
        unknown = [item for item in self.to_python(value) if item not in self.allowed]
        if unknown:
            raise exceptions.ValidationError(
                _("Unknown value: %(values)s."), code="invalid_choice", params={"values": ", ".join(unknown)}
            )
        if not self.blank and not value:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj):
        return ",".join(self.value_from_object(obj))

    def formfield(self, **kwargs):
        kwargs.pop("form_class", None)
        kwargs.pop("choices_form_class", None)
        defaults = {
            "choices": self.choice_class.choices,
            "required": not self.blank,
            "label": capfirst(self.verbose_name),
            "help_text": self.help_text,
            "widget": forms.CheckboxSelectMultiple,
        }
        return forms.MultipleChoiceField(**{**defaults, **kwargs})


@ChoiceSetField.register_lookup
class HasLookup(Lookup):
    lookup_name = "has"

    def get_db_prep_lookup(self, value, connection):
        return "%s", [f"%,{value},%"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", [*lhs_params, *rhs_params]
