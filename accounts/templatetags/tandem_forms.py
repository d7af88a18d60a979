from django import template

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms):
    """One list of every error on the page, each linking to its field."""
    problems = []
    for form in forms:
        if form is None or not form.errors:
            continue
        problems.extend({"label": None, "anchor": None, "message": error} for error in form.non_field_errors())
        for field in form:
            # Radio groups have no single labelled input; link to the first option.
            anchor = field.id_for_label or (f"{field.auto_id}_0" if field.auto_id else None)
            problems.extend({"label": field.label, "anchor": anchor, "message": error} for error in field.errors)
    return {"problems": problems}
