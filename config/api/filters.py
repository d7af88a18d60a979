"""Query-string filters the apps' APIs share.

The FilterSets of the API validate the query string (an unknown choice, a
mistyped boolean or id is a 400 naming the parameter) and hand the clean
values to a selector, which owns search and visibility; they never filter by
themselves. Only the ordering is applied here, after the selector.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from config.api.fields import MAX_ID


def _true(value: str) -> bool:
    return value == "true"


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class BooleanFilter(filters.TypedChoiceFilter):
    """true or false, nothing else (django-filter's BooleanFilter reads
    "maybe" as "not given", so a typo would silently widen a list)."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("true", "true"), ("false", "false")], coerce=_true, **kwargs)


class DigitsField(forms.IntegerField):
    """Digits only: forms.IntegerField also reads "5.0", "+5", " 5", "1_000"
    and other scripts' digits, which the schema's integer does not allow."""

    def to_python(self, value):
        if value not in self.empty_values and not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class WholeNumberFilter(filters.Filter):
    """A whole number in a range, or a 400 (django-filter's NumberFilter takes
    decimals, which the selectors would have to round)."""

    field_class = DigitsField

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        # The schema of this instance, with its own range.
        set_override(self, "field", {"type": "integer", "minimum": min_value, "maximum": max_value})


class IdFilter(WholeNumberFilter):
    """An object's id."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class OrderingFilter(filters.OrderingFilter):
    """django-filter's ordering, ending with -pk so that rows with equal
    values keep one order across pages, and with no empty items
    (``?ordering=,`` is a 400, not "unordered")."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        if any(item in EMPTY_VALUES for item in value):
            raise ValidationError({self.field_name: [_("Name a field to order by, e.g. -created_at.")]})
        return qs.order_by(*(self.get_ordering_value(item) for item in value), "-pk")


class StrictFilterSet(filters.FilterSet):
    """A parameter that is given must have a value: ``?kind=`` or ``?budget=``
    is a 400, as ``?page=`` is (django-filter reads it as "not given", and the
    schema's enum or number does not allow ""). Text filters keep "": an
    empty search is no search."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        getlist = getattr(self.data, "getlist", None)
        if getlist is None:
            return valid
        for name, filter_ in self.filters.items():
            if not isinstance(filter_, filters.CharFilter) and "" in getlist(name):
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid


class SelectorFilterSet(StrictFilterSet):
    """Validate, then hand the parameters that were given to the subclass's
    ``select(data)``, which calls its selector; then order by ``ordering``
    when the FilterSet declares one."""

    def filter_queryset(self, queryset):
        data = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}
        ordering = data.pop("ordering", None)
        selected = self.select(data)
        if ordering:
            selected = self.filters["ordering"].filter(selected, ordering)
        return selected
