from django import forms
from django.utils.translation import gettext_lazy as _

from config.forms import UserTextFormMixin
from matching.models import Feedback


class FeedbackForm(UserTextFormMixin, forms.Form):
    value = forms.ChoiceField(
        label=_("Your view"),
        choices=[("", _("No opinion")), *Feedback.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose Interested or Not relevant.")},
    )
    # Its length is checked by the service, and only when dismissing: a reason
    # sent with another answer is ignored.
    reason = forms.CharField(label=_("Why not (optional)"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") != Feedback.DISMISSED:
            cleaned["reason"] = ""
        return cleaned
