"""The API reads JSON bodies only, and only reasonably shaped ones."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of the API nests deeper than a few levels; 32 leaves room and
# keeps every later recursive step (validation, error rendering) shallow.
MAX_DEPTH = 32


def _depth_exceeds(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit. Python's decoder recurses: a body
    of 20,000 nested brackets would exhaust the stack and answer 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        message = _("The JSON body nests deeper than %(n)d levels.") % {"n": MAX_DEPTH}
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(message) from None
        if _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(message)
        return data
