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

A value that is one line (names, titles, tags, codes: every text input that
is not a textarea, every model CharField in the API) also refuses line
breaks (CR, LF and the other line and paragraph separators):
``validate_one_line``, the one validator the forms, the API's
``StrictLineField`` and the models that e-mails quote share. A name with a
line break made the team invitation e-mail's subject invalid: the mail was
never sent.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _


class TandemFormRenderer(TemplatesSetting):
    """Forms render with the project's templates, and each field with
    templates/includes/field.html: labels without a trailing colon (which
    reads wrongly after a Chinese question mark), checkboxes beside their label."""

    field_template_name = "includes/field.html"


REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
INVISIBLE_CHARACTERS = re.compile("[\u200b\u2060\ufeff]")


# One line: no CR, LF, vertical tab, form feed, file/group/record separators,
# NEL, line or paragraph separator. \A and \Z (not ^ and $, which would let
# a final "\n" through); the API's schema shows them as ^ and $.
validate_one_line = RegexValidator(
    regex=r"\A[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]*\Z",
    message=_("Write this on one line: line breaks are not allowed here."),
    code="line_break",
)


def clean_user_text(value: str) -> str:
    """``value`` without invisible zero-width characters; a ValidationError
    if it holds control characters (see the module's docstring)."""
    if REFUSED_CHARACTERS.search(value):
        raise ValidationError(
            _("Remove the control characters (such as NUL or text-direction overrides) from this text."),
            code="control_characters",
        )
    return INVISIBLE_CHARACTERS.sub("", value)


def canonical_email_address(email: str) -> str:
    """An e-mail address in the one form it is stored, found and counted in:
    compatibility characters folded (NFKC: full-width letters, the long ſ,
    the Kelvin sign), trimmed, lower case."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def validate_plain_email_address(email: str) -> None:
    """Refuse an address that is not plain ASCII in its canonical form: the
    dotless ı, the dotted İ and other letters outside it make addresses that
    look like (or that a database's case rules equate with) another one."""
    if not email.isascii():
        raise ValidationError(
            _(
                "Write the e-mail address in plain Latin letters, digits and punctuation: letters such as ı or İ "
                "make an address that looks like another one. (A domain in other scripts has an xn-- form.)"
            ),
            code="confusable_email",
        )


class UserTextFormMixin:
    """Apply ``clean_user_text`` to every text field of the form (lists of
    texts too, such as tags), except passwords, which are kept as typed;
    and ``validate_one_line`` to every one that is not a textarea. Put it
    first among the form's bases."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            field = self.fields.get(name)
            if field is None or isinstance(field.widget, forms.PasswordInput):
                continue
            one_line = not isinstance(field.widget, forms.Textarea)
            try:
                if isinstance(value, str):
                    cleaned[name] = clean_user_text(value)
                    if one_line:
                        validate_one_line(value)
                elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                    cleaned[name] = [clean_user_text(item) for item in value]
                    if one_line:
                        for item in value:
                            validate_one_line(item)
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
