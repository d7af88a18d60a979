"""Small text helpers that follow the reader's language."""

from django.utils.translation import pgettext


def human_list(items) -> str:
    """Items joined as the active language lists things: "A, B" or "A、B"."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
