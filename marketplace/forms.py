from typing import cast

from django import forms
from django.core.validators import MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.choices import Industry, Province
from config.forms import UserTextFormMixin
from config.widgets import MemoizedSelect
from marketplace.choices import AccessModel, ApplicationStatus, CapabilityKind, DeclineReason
from marketplace.models import Capability, Need
from marketplace.services.tags import MAX_TAGS, tags_parse

# Formatted when shown, in the reader's language (fields are built at import).
_tags_help = lazy(
    lambda: _("Up to %(n)d keywords, separated by commas, e.g. OCR, 发票, logistics.") % {"n": MAX_TAGS}, str
)


class TagsField(forms.CharField):
    """Tags typed as text, separated by commas (Chinese commas too)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 700)
        kwargs.setdefault("label", _("Tags"))
        kwargs.setdefault("help_text", _tags_help())
        super().__init__(**kwargs)

    def to_python(self, value):
        return tags_parse(super().to_python(value))

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(getattr(tag, "name", tag)) for tag in value)
        return value


class ListingForm(UserTextFormMixin, forms.ModelForm):
    tags = TagsField()

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        if instance is not None and instance.pk:
            self.initial["tags"] = list(instance.tags.all())
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                # Prices and budgets are never negative: said on the field, rather
                # than as the database check constraint's name at the top of the form.
                field.validators.append(MinValueValidator(0))
                field.widget.attrs.setdefault("min", "0")

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "tags"}


class CapabilityForm(ListingForm):
    class Meta:
        model = Capability
        fields = list(Capability.editable_fields)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "price_notes": forms.Textarea(attrs={"rows": 2}),
            "quota_sla": forms.Textarea(attrs={"rows": 2}),
            "terms_text": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "terms_text": _("Applicants must accept these terms. Changing them starts a new version."),
        }


class NeedForm(ListingForm):
    class Meta:
        model = Need
        fields = list(Need.editable_fields)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "desired_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {"kinds_wanted": {"required": _("Choose at least one kind of capability.")}}


def _choices_with_any(choices, any_label):
    return [("", any_label), *choices]


class CatalogueFilterForm(forms.Form):
    """The catalogue's query string. Unknown values are ignored, not errors:
    a stale bookmark still shows the catalogue."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        widget=MemoizedSelect,
        choices=_choices_with_any(CapabilityKind.choices, _("Any kind")),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    industry = forms.ChoiceField(
        label=_("Industry"),
        required=False,
        widget=MemoizedSelect,
        choices=_choices_with_any(Industry.choices, _("Any industry")),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        widget=MemoizedSelect,
        choices=_choices_with_any(Province.choices, _("Anywhere in China")),
    )
    access_model = forms.ChoiceField(
        label=_("Access"),
        required=False,
        widget=MemoizedSelect,
        choices=_choices_with_any(AccessModel.choices, _("Any access model")),
    )
    budget = forms.IntegerField(label=_("Monthly budget up to (CNY)"), required=False, min_value=0, max_value=10**9)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        widget=MemoizedSelect,
        choices=[("relevance", _("Relevance")), ("newest", _("Newest"))],
    )

    def label_choices_with_counts(self, facets: dict) -> None:
        """Show how many results each kind and access model has: "API (12)"."""
        for name in ("kind", "access_model"):
            counts = facets.get(name, {})
            field = cast(forms.ChoiceField, self.fields[name])
            choices = cast("list[tuple[str, str]]", field.choices)
            field.choices = [
                (value, f"{label} ({counts.get(value, 0)})" if value else label) for value, label in choices
            ]

    def filters(self) -> dict:
        """The valid filters; invalid fields are dropped."""
        self.is_valid()
        cleaned = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "query": cleaned.get("q", ""),
            "kind": cleaned.get("kind", ""),
            "tag": cleaned.get("tag", "").strip().casefold(),
            "industry": cleaned.get("industry", ""),
            "region": cleaned.get("region", ""),
            "access_model": cleaned.get("access_model", ""),
            "budget": cleaned.get("budget"),
            "sort": cleaned.get("sort") or "relevance",
        }


class NeedsFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        widget=MemoizedSelect,
        choices=_choices_with_any(CapabilityKind.choices, _("Any kind")),
    )
    industry = forms.ChoiceField(
        label=_("Industry"),
        required=False,
        widget=MemoizedSelect,
        choices=_choices_with_any(Industry.choices, _("Any industry")),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        widget=MemoizedSelect,
        choices=_choices_with_any(Province.choices, _("Anywhere in China")),
    )

    def filters(self) -> dict:
        self.is_valid()
        cleaned = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {
            "query": cleaned.get("q", ""),
            "kind": cleaned.get("kind", ""),
            "industry": cleaned.get("industry", ""),
            "region": cleaned.get("region", ""),
        }


class ApplicationForm(UserTextFormMixin, forms.Form):
    """Applying to a capability. Its fields depend on the capability: the
    platform's question and terms appear only when the capability sets them."""

    intended_use = forms.CharField(
        label=_("What will you use it for?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The platform decides on this. Be concrete: volumes, users, timeline."),
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    need = forms.TypedChoiceField(label=_("For which of your needs?"), required=False, coerce=int, empty_value=None)
    message = forms.CharField(
        label=_("Message to the platform (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_terms = forms.BooleanField(label=_("I have read and accept the terms above."), required=False)
    # The version the person was shown: if the platform changes the terms in
    # the meantime, the service refuses and asks them to read the new ones.
    # The service's errors about it belong beside the checkbox.
    terms_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31)
    service_field_names = {"accepted_terms_version": "accept_terms"}

    def __init__(self, *args, capability, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.capability = capability
        self.fields["need"].choices = [("", _("None")), *[(need.pk, need.title) for need in needs]]
        if capability.application_question:
            self.fields["answer"].label = capability.application_question
            self.fields["answer"].required = True
        else:
            del self.fields["answer"]
        if capability.terms_text:
            self.fields["accept_terms"].required = True
            self.fields["terms_version"].initial = capability.terms_version
        else:
            del self.fields["accept_terms"]
            del self.fields["terms_version"]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "intended_use": data["intended_use"],
            "answer": data.get("answer", ""),
            "message": data.get("message", ""),
            "need_id": data.get("need"),
            "accepted_terms_version": data.get("terms_version") if data.get("accept_terms") else None,
        }


class DeclineForm(UserTextFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason the applicant will see"), choices=[("", _("Choose a reason")), *DeclineReason.choices]
    )
    note = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “Other”; helpful for every reason."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == DeclineReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", _("Explain the reason in a few words."))
        return cleaned


class MessageForm(UserTextFormMixin, forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ApplicationsFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("open", _("Waiting for a decision")),
            *ApplicationStatus.choices,
        ],
    )
    capability = forms.TypedChoiceField(label=_("Capability"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, capabilities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = [("", _("All capabilities")), *[(c.pk, c.title) for c in capabilities]]
        if not capabilities:
            del self.fields["capability"]

    def filters(self) -> dict:
        self.is_valid()
        cleaned = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return {"status": cleaned.get("status", ""), "capability_id": cleaned.get("capability")}


class InvitationForm(UserTextFormMixin, forms.Form):
    capability = forms.TypedChoiceField(label=_("Which of your capabilities?"), coerce=int)
    message = forms.CharField(
        label=_("A note to the SME (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, capabilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = [("", _("Choose a capability")), *[(c.pk, c.title) for c in capabilities]]
