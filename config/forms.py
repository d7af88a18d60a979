"""The project's form renderer, and the one rule every typed text follows.

Text people type (names, titles, descriptions, messages) goes through
``clean_user_text`` in every form that uses ``UserTextFormMixin`` and in the
API's string fields (config/api/fields.py):

- Refused, with a message: control characters other than tab and line
  breaks (NUL among them: PostgreSQL cannot store it), lone surrogates, and
  the bidirectional embedding, override and isolate controls (U+202A–U+202E,
  U+2066–U+2069). The last reorder what a reader sees ("Trojan Source"): a
  title could show one text and say another. Neither Chinese nor English
  needs them; right-to-left scripts display correctly without them.
- Removed without a word: the zero-width space, word joiner and zero-width
  no-break space (U+200B, U+2060, U+FEFF). They are invisible and mean
  nothing in the text Tandem holds, arrive in pasted text, and would make
  "Invoice" and "In​voice" two different names that look the same. Joiners
  (U+200C, U+200D) stay: emoji and some scripts need them.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class TandemFormRenderer(TemplatesSetting):
    """Forms render with the project's templates, and each field with
    templates/includes/field.html: labels without a trailing colon (which
    reads wrongly after a Chinese question mark), checkboxes beside their label."""

    field_template_name = "includes/field.html"


REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
INVISIBLE_CHARACTERS = re.compile("[\u200b\u2060\ufeff]")


def clean_user_text(value: str) -> str:
    """``value`` without invisible zero-width characters; a ValidationError
    if it holds control characters (see the module's docstring)."""
    if REFUSED_CHARACTERS.search(value):
        raise ValidationError(
            _("Remove the control characters (such as NUL or text-direction overrides) from this text."),
            code="control_characters",
        )
    return INVISIBLE_CHARACTERS.sub("", value)


class UserTextFormMixin:
    """Apply ``clean_user_text`` to every text field of the form (lists of
    texts too, such as tags), except passwords, which are kept as typed.
    Put it first among the form's bases."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if field is None or isinstance(field.widget, forms.PasswordInput):
                continue
            try:
                if isinstance(value, str):
                    cleaned[name] = clean_user_text(value)
                elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                    cleaned[name] = [clean_user_text(item) for item in value]
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned


def add_service_error(error: ValidationError, *forms: forms.BaseForm) -> None:
    """Show a service's ValidationError on the page: each field's errors on
    the form that has that field (a form's ``service_field_names`` maps a
    service's argument to the field that sets it), the rest at the top of the
    first form."""
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        owner = next((form for form in forms if _form_field(form, field) in form.fields), None)
        if owner is None:
            forms[0].add_error(None, field_errors)
        else:
            owner.add_error(_form_field(owner, field), field_errors)


def _form_field(form: forms.BaseForm, service_field: str) -> str:
    return getattr(form, "service_field_names", {}).get(service_field, service_field)
