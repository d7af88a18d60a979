"""Choice labels read from a table built once per field.

Django's ``get_<field>_display()`` builds a dictionary of the field's whole
choice list (made hashable item by item) on every call: a catalogue page
asks for two labels per card, a recommendation list for a few per match, and
those dictionaries were a tenth of the catalogue's rendering time. The
mixin keeps one table per field and per choice list. The labels in it are
the lazy translations themselves, so each call still answers in the
language of the request, as Django's does.
"""

from django.utils.encoding import force_str


class ChoiceLabelsMixin:
    """Put it first among a model's bases: its ``get_<field>_display()``
    read the labels from a table kept per field."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        labels = _labels(field)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value (a list): Django's own way handles it
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


def _labels(field) -> dict:
    """The field's value → label table, built again if its choices were replaced."""
    kept = field.__dict__.get("_choice_labels")
    if kept is None or kept[0] is not field.choices:
        kept = (field.choices, dict(field.flatchoices))
        field.__dict__["_choice_labels"] = kept
    return kept[1]
