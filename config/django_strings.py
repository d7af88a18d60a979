"""Django's own words that its Simplified Chinese catalogue does not have yet,
or says less well than a form should.

Listed here so that makemessages copies them into Tandem's catalogue, which
Django reads before its own (LOCALE_PATHS); admins and forms then show them
in Chinese too. The function is never called: it only marks the strings.
Remove an entry once Django ships its translation.
"""

from django.utils.translation import gettext, ngettext


def django_strings_missing_in_chinese() -> list[str]:
    return [
        gettext("- Select an option -"),
        gettext("No %s matches the given query."),
        gettext("“%(value)s” is not a valid binary value."),
        gettext(", "),
        gettext("Filter by %(field_name)s"),
        gettext("Logout"),
        gettext('The app "%s" could not be found.'),
        ngettext("…and %(count)d more object.", "…and %(count)d more objects.", 1),
        # Where Django's Chinese reads stiffly, ours says it as a form would.
        ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            1,
        ),
        ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            1,
        ),
        gettext("Ensure this value is greater than or equal to %(limit_value)s."),
        gettext("Ensure this value is less than or equal to %(limit_value)s."),
        gettext("Model name"),
        gettext("Add link"),
        gettext("Change or view list link"),
    ]
