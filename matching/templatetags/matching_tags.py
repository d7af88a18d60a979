"""Template tags of matching. The proposal panels on the marketplace's pages
(a need's recommendations, a capability's fitting needs, the workspace panel)
read their matches here, so the marketplace's views need not know matching."""

from django import template

from matching import reasons, selectors

register = template.Library()
register.filter("reason_sentences", reasons.reason_sentences)


@register.simple_tag(takes_context=True)
def need_proposals(context, need) -> str:
    """For the need's owner: sets ``matches`` (the capabilities shown) and
    ``weaker_matches`` (those folded away) in the panel's context."""
    context["matches"], context["weaker_matches"] = selectors.strong_and_weaker(
        selectors.recommendations_for_need(need=need)
    )
    return ""


@register.simple_tag(takes_context=True)
def capability_proposals(context, capability) -> str:
    """For the capability's owner: sets ``matches`` (the needs it fits) and
    ``weaker_matches`` in the panel's context."""
    context["matches"], context["weaker_matches"] = selectors.strong_and_weaker(
        selectors.fitting_needs_for_capability(capability=capability)
    )
    return ""


@register.simple_tag
def membership_recommendations(membership):
    """The workspace panel's proposals for the organisation the member acts for."""
    return selectors.recommendations_for_membership(membership=membership)
