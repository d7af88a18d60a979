from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import membership_required
from matching import selectors
from matching.forms import FeedbackForm
from matching.models import Feedback
from matching.selectors import SME
from matching.services.feedback import match_feedback

CONFIRMATIONS = {
    Feedback.INTERESTED: _("Noted: you are interested. Suggestions learn from this."),
    Feedback.DISMISSED: _("Hidden. Thank you: suggestions learn from this."),
    "": _("Your feedback was taken back."),
}


@require_POST
@membership_required
def feedback(request, pk: int):
    match, side = selectors.match_get_for_member(membership=request.membership, pk=pk)
    if side == SME:
        back = reverse("marketplace:need_detail", args=[match.need_id])
    else:
        back = reverse("marketplace:capability_detail", args=[match.capability_id])
    form = FeedbackForm(request.POST)
    errors = [error for field_errors in form.errors.values() for error in field_errors]
    if not errors:
        try:
            match_feedback(membership=request.membership, match=match, side=side, **form.cleaned_data)
        except ValidationError as error:
            errors = error.messages
    if errors:
        return render(request, "matching/feedback_error.html", {"errors": errors, "back": back}, status=400)
    messages.success(request, CONFIRMATIONS[form.cleaned_data["value"]])
    return redirect(f"{back}#matches")
