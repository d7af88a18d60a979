"""Django's own words that its Simplified Chinese catalogue does not have yet.

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
    ]
