"""Every word a template shows goes through the translation catalogue.

Each template's source is read as a person would see it: the template tags
are taken out, text inside {% translate %} and {% blocktranslate %} is
dropped, and what is left of the page text and of the attributes people read
or hear (title, alt, placeholder, aria-label, …) must hold no words. A string
typed straight into a template fails here, before a Chinese reader meets
English on a page."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(path for path in (ROOT / "templates").rglob("*") if path.suffix in {".html", ".txt"})

# Words that are the same in every language: the product's name, the
# currency code, language names written in their own language (a switcher
# shows "中文" to English readers on purpose), and format names.
SAME_IN_EVERY_LANGUAGE = {"Tandem", "CNY", "API", "CSV", "SVG", "English", "中文", "curl", "JSON"}
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription", "label"}
# Text the script shows: confirmations, "copied", "sent", failures.
SCRIPT_TEXT_ATTRIBUTES = {"data-confirm", "data-copied", "data-sent", "data-live-failed"}
BUTTON_INPUTS = {"submit", "button", "reset"}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp"}

COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
TRANSLATED_BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
WORD = re.compile(r"[^\W\d_]{2,}")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        self._attributes(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._attributes(tag, attrs)

    def _attributes(self, tag, attrs):
        shown = READ_ATTRIBUTES | SCRIPT_TEXT_ATTRIBUTES
        if tag == "input" and dict(attrs).get("type") in BUTTON_INPUTS:
            shown = shown | {"value"}
        self.found += [value for name, value in attrs if name in shown and value]

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.found.append(data)


def untranslated_words(source: str) -> list[str]:
    """The words of a template's source that no translation tag covers."""
    source = COMMENT.sub(" ", source)
    source = TRANSLATED_BLOCK.sub(" ", source)
    # Template tags (and so {% translate "…" %}) become a space, so that a tag
    # built from tags (<a{% if … %} aria-current="page"{% endif %}>) still parses.
    source = TAG.sub(" ", source)
    reader = _Reader()
    reader.feed(source)
    reader.close()
    words = []
    for text in reader.found:
        for word in WORD.findall(text):
            if word not in SAME_IN_EVERY_LANGUAGE:
                words.append(word)
    return words


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "templates")))
def test_template_text_is_marked_for_translation(path):
    words = untranslated_words(path.read_text(encoding="utf-8"))

    assert words == [], f"text outside {{% translate %}} in {path.name}: {' '.join(words[:20])}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello there</p>", ["Hello", "there"]),
        ('<p>{% translate "Hello" %}</p>', []),
        ("<p>{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}</p>", []),
        ('<img src="x.png" alt="A chart">', ["chart"]),
        ("<img alt=\"{% translate 'A chart' %}\">", []),
        ('<input placeholder="Search">', ["Search"]),
        ('<form data-confirm="Really remove this member?">', ["Really", "remove", "this", "member"]),
        ('<input type="submit" value="Save">', ["Save"]),
        ('<input type="hidden" name="next" value="/needs/">', []),
        ("<p>{{ listing.title }} · {{ count }}</p>", []),
        ("<script>const label = 'Loading';</script>", []),
        ("{# a note #}<p>{% comment %}Draft text{% endcomment %}</p>", []),
        ("<p>Tandem · CNY</p>", []),
    ],
)
def test_the_check_finds_what_a_reader_would_see(source, expected):
    assert untranslated_words(source) == expected
