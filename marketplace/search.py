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
kept in its ``search_document`` column, each once (and the title's alone in
``search_title``): PostgreSQL keeps their vectors in stored, GIN-indexed
columns and matches with ``@@``; SQLite matches tokens with ``LIKE``.

Queries are split into words, and a word matches a listing when all of its
tokens are in it: a Latin word is one token, matched as a prefix ("invoice"
finds "invoices"); a Chinese run is cut into words by a dictionary segmenter
(rjieba: "发票识别" is 发票 + 识别), and a Chinese word is its character when it
is one character long, else its bigrams, all required ("增值税" needs 增值 and
值税). The documents need no dictionary: only the query is segmented, so a
better dictionary changes no stored row. A character the dictionary leaves
alone joins a neighbour, and ``query_hints`` adds weak evidence: the
characters of Chinese words (which also find listings for a two-character word
no listing holds: 仓库 finds 仓储), the pairs of longer ones, Latin words
matched whole. ``SEGMENTERS`` keeps the dictionary-free ways too (each bigram a
word; unigrams and bigrams), for bench.search_quality to compare.
marketplace.ranking.text_search ranks (BM25F, every word held first).
"""

import re
from collections.abc import Callable
from typing import NamedTuple

import rjieba

from textkit.normalize import CJK_RANGES, fold

MAX_QUERY_WORDS = 12
MAX_QUERY_HINTS = 24

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
# Function words a segmenter returns on their own: in almost every listing, they
# would only make "every word matched" impossible ("把纸质发票录进系统").
CJK_STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "把",
        "被",
        "在",
        "是",
        "我",
        "我们",
        "你",
        "您",
        "给",
        "对",
        "用",
        "要",
        "想",
        "找",
        "有",
        "个",
        "一个",
        "等",
        "吗",
        "呢",
        "啊",
        "怎么",
        "如何",
        "什么",
        "哪些",
        "哪个",
        "可以",
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


def build_document(*texts: str) -> str:
    """The search_document of a listing: its tokens, space-framed so that
    ``LIKE '% token%'`` finds a token start on any database."""
    tokens = []
    for text in texts:
        tokens.extend(index_tokens(text or ""))
    return f" {' '.join(dict.fromkeys(tokens))} " if tokens else ""


class QueryWord(NamedTuple):
    """A word of a query: it matches a listing that holds all its tokens."""

    text: str
    tokens: tuple[QueryToken, ...]


def _cjk_word(word: str) -> QueryWord:
    if len(word) == 1:
        return QueryWord(word, (QueryToken(_cjk_token(word), prefix=False),))
    pairs = dict.fromkeys(QueryToken(_cjk_token(word[i : i + 2]), prefix=False) for i in range(len(word) - 1))
    return QueryWord(word, tuple(pairs))


def _segment_words(run: str) -> list[str]:
    """Dictionary words; a character the dictionary leaves alone stays joined to
    the next word, or the last (大 + 模型 is 大模型, 区块 + 链 is 区块链): alone, it is in
    countless listings that have nothing to do with the query."""
    words, pending = [], ""
    for word in rjieba.cut(run):
        if not word.strip() or word in CJK_STOP_WORDS:
            continue
        if len(pending + word) == 1:
            pending = word
        else:
            words.append(pending + word)
            pending = ""
    if pending and words:
        words[-1] += pending
    elif pending:
        words.append(pending)
    return words


def _segment_bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def _segment_unigrams_and_bigrams(run: str) -> list[str]:
    return list(run) + ([run[i : i + 2] for i in range(len(run) - 1)])


# How a run of Chinese characters in a query becomes words: "words" (a
# dictionary segmenter) is what search uses; the others are kept to measure it
# against (bench.search_quality --segmenter).
SEGMENTERS: dict[str, Callable[[str], list[str]]] = {
    "words": _segment_words,
    "bigrams": _segment_bigrams,
    "unigrams+bigrams": _segment_unigrams_and_bigrams,
}
SEGMENTER = "words"


def query_words(text: str) -> list[QueryWord]:
    """Distinct words of a search query, in order, at most MAX_QUERY_WORDS."""
    words = []
    for kind, value in _segments(text):
        if kind == "word":
            if value not in STOP_WORDS:
                words.append(QueryWord(value, (QueryToken(value, prefix=True),)))
            continue
        words.extend(_cjk_word(word) for word in SEGMENTERS[SEGMENTER](value))
    return list(dict.fromkeys(words))[:MAX_QUERY_WORDS]


class QueryHint(NamedTuple):
    """Weak evidence beside the query's words, never counted as a word held.
    ``stands_in_for``: the index of the query word it also finds listings
    for, when no listing holds that word itself."""

    word: QueryWord
    stands_in_for: int | None
    # Evidence in the text too, not only in the title. Parts of Chinese words
    # count in the text only while they stand in for a word no listing holds.
    in_text: bool = False


def query_hints(words: list[QueryWord]) -> list[QueryHint]:
    """The hints of a query's words: the characters of its Chinese words, and
    its Latin words matched whole (the listing about "MES" above "messaging").
    A two-character word no listing holds is found by its characters (仓库
    finds 仓储), a longer one by its pairs (区块链 finds 区块 but not 冷链)."""
    known = {word.text for word in words}
    hints: dict[str, QueryHint] = {}
    for index, word in enumerate(words):
        if not _is_cjk(word.text) or len(word.text) < 2:
            continue
        stands_in = index if len(word.text) == 2 else None
        for char in word.text:
            if char not in known and char not in CJK_STOP_WORDS:
                hints.setdefault(char, QueryHint(_cjk_word(char), stands_in))
        if len(word.text) > 2:
            for pair in _segment_bigrams(word.text):
                hints.setdefault(pair, QueryHint(_cjk_word(pair), index))
    whole = [
        QueryHint(QueryWord(word.text, (QueryToken(word.text, prefix=False),)), None, in_text=True)
        for word in words
        if word.tokens[0].prefix
    ]
    return ([hint for text, hint in hints.items() if text not in known] + whole)[:MAX_QUERY_HINTS]


def _is_cjk(text: str) -> bool:
    return bool(re.fullmatch(f"[{CJK_RANGES}]+", text))
