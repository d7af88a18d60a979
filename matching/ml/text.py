"""Text representation for Chinese, English and mixed text.

Two TF-IDF views of the same text, fused into one sparse matrix:

- *terms*: Latin words and neighbouring word pairs, plus Chinese character
  pairs (single characters for one-character runs) — what a word model
  captures in both languages without a dictionary;
- *characters*: character n-grams within word boundaries (``char_wb``, 2-5),
  robust to inflection, compounds and typos, and natural for Chinese.

Each view is L2-normalised and scaled by the square root of its weight, then
the two are stacked side by side: the dot product of two fused rows is
``w * cos(terms) + (1 - w) * cos(characters)``, so one sparse product gives
the fused similarity. Measured on the development sets (docs/BENCHMARKS.md):
the fusion beats either view alone.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from textkit.normalize import CJK_RANGES, fold

_SEGMENT = re.compile(f"([{CJK_RANGES}]+)|([^\\W_]+)")

# English function words: they carry no topic, and in long requests ("I'm
# looking for … Can you also …") their sheer number outweighs the few words
# that matter. Only grammar is listed, never a word a listing could be about
# (so not "system", "bill" or "fire", which general stop lists drop).
FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "this", "that", "these", "those", "it", "its", "i", "me", "my", "mine", "we", "our",
        "ours", "you", "your", "yours", "he", "him", "his", "she", "her", "hers", "they", "them", "their", "theirs",
        "who", "whom", "whose", "which", "what", "whatever", "whoever", "there", "here", "am", "is", "are", "was",
        "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "done", "will",
        "would", "shall", "should", "can", "could", "may", "might", "must", "ought", "let", "and", "or", "but",
        "nor", "so", "yet", "if", "then", "than", "because", "as", "until", "while", "although", "though",
        "whether", "either", "neither", "both", "of", "at", "by", "for", "with", "about", "against", "between",
        "into", "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out",
        "on", "off", "over", "under", "again", "further", "once", "via", "per", "all", "any", "each", "every",
        "few", "more", "most", "other", "some", "such", "no", "not", "only", "own", "same", "too", "very", "just",
        "also", "even", "s", "t", "d", "ll", "m", "re", "ve", "don",
    }
)  # fmt: skip


# A Latin end mark ends a sentence before a space (not in "v1.2" or "e.g.x");
# a Chinese one always.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|(?<=[。！？；])\s*|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of a text (Chinese and Latin end marks, line breaks);
    fragments of under four characters are not sentences."""
    parts = (part.strip() for part in _SENTENCE_END.split(text or ""))
    return [part for part in parts if len(part) > 3]


def terms(text: str) -> list[str]:
    """Latin words and word pairs (function words left out: a pair joins the
    words around them); Chinese character pairs (or the character)."""
    result: list[str] = []
    previous_word = None
    for match in _SEGMENT.finditer(fold(text)):
        cjk, word = match.groups()
        if cjk:
            previous_word = None
            if len(cjk) == 1:
                result.append(cjk)
            else:
                result.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
            continue
        if word in FUNCTION_WORDS:
            continue
        result.append(word)
        if previous_word is not None:
            result.append(f"{previous_word} {word}")
        previous_word = word
    return result


_SCRIPT = re.compile(f"([{CJK_RANGES}])|([^\\W\\d_]+)")


def chinese_share(text: str) -> float:
    """How much of a text is Chinese: Chinese characters over Chinese
    characters plus Latin words (0 for English, 1 for Chinese, between for
    mixed text such as 用 OCR 识别发票). Digits and punctuation do not count."""
    chinese = latin = 0
    for match in _SCRIPT.finditer(text or ""):
        if match.group(1):
            chinese += 1
        else:
            latin += 1
    return chinese / (chinese + latin) if chinese + latin else 0.0


@dataclass(frozen=True)
class TextModelConfig:
    term_weight: float = 0.5
    char_ngrams: tuple[int, int] = (2, 5)
    sublinear_tf: bool = True
    min_df: int = 1
    max_features: int | None = None


class TextModel:
    """Fit on the texts of both sides (capabilities and needs), then transform
    each side into rows whose dot products are fused cosine similarities."""

    def __init__(self, config: TextModelConfig | None = None):
        self.config = config or TextModelConfig()
        if not 0.0 <= self.config.term_weight <= 1.0:
            raise ValueError("term_weight must be between 0 and 1")
        self._terms = TfidfVectorizer(
            analyzer=terms,
            sublinear_tf=self.config.sublinear_tf,
            min_df=self.config.min_df,
            max_features=self.config.max_features,
            dtype=np.float32,
        )
        self._chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.config.char_ngrams,
            preprocessor=fold,
            sublinear_tf=self.config.sublinear_tf,
            min_df=self.config.min_df,
            max_features=self.config.max_features,
            dtype=np.float32,
        )

    def fit(self, texts: Iterable[str]) -> "TextModel":
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        """Fit on ``texts`` and return their rows (one pass over the texts
        instead of two). A view that finds nothing to learn in any text (no
        word at all, say) gives zero rows: nothing matches through it."""
        texts = list(texts)
        if not texts:
            raise ValueError("cannot fit a text model on no texts")
        self._fitted = []
        blocks = []
        for vectorizer, weight in self._views():
            try:
                rows = vectorizer.fit_transform(texts)
            except ValueError:  # an empty vocabulary
                self._fitted.append(False)
                rows = sparse.csr_matrix((len(texts), 1), dtype=np.float32)
            else:
                self._fitted.append(True)
            blocks.append(normalize(rows) * weight)
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        texts = list(texts)
        blocks = [
            normalize(vectorizer.transform(texts)) * weight
            if fitted
            else sparse.csr_matrix((len(texts), 1), dtype=np.float32)
            for (vectorizer, weight), fitted in zip(self._views(), self._fitted, strict=True)
        ]
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def _views(self) -> list[tuple[TfidfVectorizer, np.float32]]:
        """Each view and the factor its normalised rows are scaled by."""
        weight = self.config.term_weight
        return [(self._terms, np.float32(np.sqrt(weight))), (self._chars, np.float32(np.sqrt(1.0 - weight)))]

    @property
    def term_columns(self) -> int:
        """The fused rows' first this many columns are the term view."""
        return len(self._terms.vocabulary_) if self._fitted[0] else 1

    def term_names(self) -> np.ndarray:
        return self._terms.get_feature_names_out() if self._fitted[0] else np.array([""])
