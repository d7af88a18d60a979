from django import template

from config.text import human_list

register = template.Library()


@register.filter
def choice_labels(obj, field_name: str) -> list[str]:
    """Human labels of a ChoiceSetField's values, in the field's choice order."""
    field = obj._meta.get_field(field_name)
    values = set(getattr(obj, field_name))
    return [str(label) for value, label in field.choice_class.choices if value in values]


@register.filter
def listing_can(listing, action: str) -> bool:
    """Whether the listing's state allows an owner action ("edit", "submit", "archive")."""
    from marketplace.services.listing_transitions import LISTING_ACTIONS
    from marketplace.services.listings import EDITABLE

    if action == "edit":
        return listing.status in EDITABLE
    return LISTING_ACTIONS[action].transition.allowed_from(listing.status)


@register.filter
def application_state(value: str) -> str:
    """The label of an application state code, as recorded in the audit trail."""
    from marketplace.choices import ApplicationStatus

    try:
        return str(ApplicationStatus(value).label)
    except ValueError:
        return value


@register.filter
def join_list(labels) -> str:
    """Labels joined as the reader's language lists things ("A, B" / "A、B")."""
    return human_list(labels)


@register.filter
def percent_of(value: float, whole: float) -> str:
    """``value`` as a percentage of ``whole`` ("12.5%"): where a chart's marks
    go across, laid out at its narrowest width and stretched to its box."""
    return f"{round(value / whole * 100, 3):g}%"
