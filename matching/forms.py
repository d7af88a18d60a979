from django import forms
from django.utils.translation import gettext_lazy as _

from matching.models import Feedback
from matching.services.feedback import REASON_MAX


class FeedbackForm(forms.Form):
    value = forms.ChoiceField(
        label=_("Your view"),
        choices=[("", _("No opinion")), *Feedback.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose Interested or Not relevant.")},
    )
    reason = forms.CharField(label=_("Why not (optional)"), max_length=REASON_MAX, required=False)
