"""Widgets of the project's forms."""

from typing import ClassVar

from django import forms
from django.utils.translation import get_language


class MemoizedSelect(forms.Select):
    """A ``<select>`` rendered through Django's widget templates once per
    distinct input, then served from this process's memory.

    A long option list (the 34 provinces, the industries) costs milliseconds
    per page when every option goes through ``select_option.html``. The
    memo's key holds everything the HTML is made of: the widget's class, the
    field's name, the chosen values, the final attributes, every option's
    value and label as text in the current language, and the language
    itself. A changed label, translation, choice or selection is a new key,
    so an entry is never stale and nothing rendered for one language or one
    request's choices is shown for another; nothing depends on who asks.
    The memo is bounded: past ``MEMO_SIZE`` entries it starts afresh.
    """

    MEMO_SIZE = 512
    _memo: ClassVar[dict[tuple, str]] = {}

    def render(self, name, value, attrs=None, renderer=None):
        key = (
            type(self),
            name,
            tuple(str(item) for item in self.format_value(value)),
            tuple(sorted((str(k), str(v)) for k, v in self.build_attrs(self.attrs, attrs).items())),
            _choices_as_text(self.choices),
            get_language(),
            type(renderer),
        )
        html = self._memo.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = html
        return html


def _choices_as_text(choices) -> tuple:
    """The choices as text: (value, label) pairs, option groups as (name, pairs)."""
    text: list[tuple[str, object]] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            text.append((str(value), _choices_as_text(label)))
        else:
            text.append((str(value), str(label)))
    return tuple(text)
