"""Text search that works for Chinese, English and mixed text, on both databases.

PostgreSQL's full-text parser does not split Chinese into words, and SQLite has
no full-text search at all, so Tandem prepares the text itself:

- Latin text: accents removed, case-folded, split into words; a few English
  stop words dropped.
- Chinese (CJK) text: every single character and every pair of neighbouring
  characters (unigrams and bigrams), the usual way to index Chinese without a
  dictionary. "发票识别" is indexed as 发, 票, 识, 别, 发票, 票识, 识别.

Each CJK n-gram is written as an ASCII token ("z" + hex code points) so both
databases treat every token as one plain word. The tokens of a listing are
kept in its ``search_document`` column: PostgreSQL indexes it with a GIN index
on ``to_tsvector('simple', ...)`` and ranks with ``ts_rank``; SQLite matches
tokens with ``LIKE`` and ranks by the number of tokens matched.

Queries use the same tokens: Latin words as prefixes ("invoice" finds
"invoices"), a Chinese run as its bigrams (or the character itself when it is
one character long). Any token may match; more matches rank higher.
"""

import re
from typing import NamedTuple

from textkit.normalize import CJK_RANGES, fold

MAX_QUERY_TOKENS = 24

_SEGMENTS = re.compile(f"([{CJK_RANGES}]+)|([a-z0-9]+)")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "the",
        "to",
        "we",
        "with",
        "you",
        "your",
    ]
)


def _cjk_token(chars: str) -> str:
    return "z" + "x".join(f"{ord(char):x}" for char in chars)


def _segments(text: str):
    for match in _SEGMENTS.finditer(fold(text)):
        cjk, word = match.groups()
        yield ("cjk", cjk) if cjk else ("word", word)


def index_tokens(text: str) -> list[str]:
    """Tokens under which a text is found."""
    tokens = []
    for kind, value in _segments(text):
        if kind == "word":
            if value not in STOP_WORDS:
                tokens.append(value)
            continue
        tokens.extend(_cjk_token(char) for char in value)
        tokens.extend(_cjk_token(value[i : i + 2]) for i in range(len(value) - 1))
    return tokens


class QueryToken(NamedTuple):
    token: str
    prefix: bool  # Latin words match as prefixes, Chinese n-grams exactly


def query_tokens(text: str) -> list[QueryToken]:
    """Distinct tokens of a search query, in order, at most MAX_QUERY_TOKENS."""
    tokens = []
    for kind, value in _segments(text):
        if kind == "word":
            if value not in STOP_WORDS:
                tokens.append(QueryToken(value, prefix=True))
        elif len(value) == 1:
            tokens.append(QueryToken(_cjk_token(value), prefix=False))
        else:
            tokens.extend(QueryToken(_cjk_token(value[i : i + 2]), prefix=False) for i in range(len(value) - 1))
    return list(dict.fromkeys(tokens))[:MAX_QUERY_TOKENS]


def build_document(*texts: str) -> str:
    """The search_document of a listing: its tokens, space-framed so that
    ``LIKE '% token%'`` finds a token start on any database."""
    tokens = []
    for text in texts:
        tokens.extend(index_tokens(text or ""))
    return f" {' '.join(dict.fromkeys(tokens))} " if tokens else ""
