from django.forms.renderers import TemplatesSetting


class TandemFormRenderer(TemplatesSetting):
    """Forms render with the project's templates, and each field with
    templates/includes/field.html: labels without a trailing colon (which
    reads wrongly after a Chinese question mark), checkboxes beside their label."""

    field_template_name = "includes/field.html"
