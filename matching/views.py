from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.choices import PLATFORM, SME
from accounts.decorators import membership_required
from config.fragments import fragment_requested, vary_on_fragment
from matching import selectors
from matching.forms import FeedbackForm
from matching.models import Feedback
from matching.services.feedback import match_feedback

CONFIRMATIONS = {
    Feedback.INTERESTED: _("Noted: you are interested. Suggestions learn from this."),
    Feedback.DISMISSED: _("Hidden. Thank you: suggestions learn from this."),
    "": _("Feedback undone."),
}
# One match as each side's list shows it; tandem.js swaps it in place of the old one.
MATCH_TEMPLATES = {
    SME: "matching/includes/recommendation_item.html",
    PLATFORM: "matching/includes/fitting_need_item.html",
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
    errors: list[str] = [str(error) for field_errors in form.errors.values() for error in field_errors]
    if not errors:
        try:
            match_feedback(membership=request.membership, match=match, side=side, **form.cleaned_data)
        except ValidationError as error:
            errors = error.messages
    in_place = fragment_requested(request, "match")
    if errors:
        template = "matching/feedback_error.html#errors" if in_place else "matching/feedback_error.html"
        return vary_on_fragment(render(request, template, {"errors": errors, "back": back}, status=400))
    confirmation = CONFIRMATIONS[form.cleaned_data["value"]]
    if in_place:
        match, side = selectors.match_get_shown(membership=request.membership, pk=match.pk)
        return vary_on_fragment(render(request, MATCH_TEMPLATES[side], {"match": match, "confirmation": confirmation}))
    messages.success(request, confirmation)
    return vary_on_fragment(redirect(f"{back}#matches"))
