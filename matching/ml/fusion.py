"""Fusing the lexical and the semantic similarity of a need and a capability
into the one text similarity the ranker sees.

Within one language the two views agree often and add up: shared words are
precise (product names, API names, 增值税), meaning catches paraphrase (显卡
for GPU, "spots on the fabric" for defect detection). So the text similarity
is their weighted sum. The weight depends on the language: the encoder is
stronger than character pairs on Chinese and weaker than words on long
English documentation (docs/BENCHMARKS.md, "Relevance"), so the lexical view
weighs ``lexical_weight_english`` for two English texts, ``lexical_weight_chinese``
for two Chinese ones, and in proportion between. The semantic similarity is
raised to ``semantic_power`` first: unrelated texts still score 0.2–0.3 by
cosine, and the power keeps that floor from adding up to a match.

Across languages shared words are rare and mostly accidental ("API", a
number), so a weighted sum drags a good pair written in two languages far
below a mediocre pair written in one: in a bilingual catalogue a Chinese need
would see Chinese near-misses before the English capability that fits. A
pair therefore scores at least ``cross_language × semantic`` in proportion
to how far apart the two texts' languages are (``text.chinese_share``):
meaning alone carries it, and shared words still raise it. The weights were
chosen on our judged sets, including Chinese needs against a catalogue of
English capabilities mixed with Chinese ones.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionConfig:
    # Weight of the lexical view for two English texts, and for two Chinese
    # ones (the semantic view has the rest; mixed pairs lie between).
    lexical_weight_english: float = 0.8
    lexical_weight_chinese: float = 0.7
    # The semantic similarity counts as its power (1: as it is).
    semantic_power: float = 1.5
    # The share of the semantic similarity a pair keeps when its texts are in different languages.
    cross_language: float = 0.3

    def __post_init__(self) -> None:
        weights = (self.lexical_weight_english, self.lexical_weight_chinese, self.cross_language)
        if not all(0.0 <= weight <= 1.0 for weight in weights):
            raise ValueError("fusion weights must lie between 0 and 1")
        if self.semantic_power <= 0:
            raise ValueError("the semantic power must be positive")


@dataclass(frozen=True)
class Parts:
    """The two views' shares of the fused similarity of aligned pairs."""

    lexical: np.ndarray
    semantic: np.ndarray
    fused: np.ndarray


def fusion_parts(
    lexical: np.ndarray,
    semantic: np.ndarray,
    need_share: np.ndarray,
    capability_share: np.ndarray,
    config: FusionConfig,
) -> Parts:
    """The text similarity of aligned pairs (0 to 1) and what each view
    contributed to it. ``*_share``: how Chinese each side's text is (0 to 1),
    aligned with the pairs."""
    meaning = np.clip(semantic, 0.0, 1.0) ** config.semantic_power
    chinese = (need_share + capability_share) / 2.0
    weight = config.lexical_weight_english + (config.lexical_weight_chinese - config.lexical_weight_english) * chinese
    lexical_part = weight * lexical
    semantic_part = (1.0 - weight) * meaning
    apart = np.abs(need_share - capability_share)
    across = config.cross_language * apart * meaning
    # Across languages meaning alone may carry the pair: then it is all semantic.
    carried = across > lexical_part + semantic_part
    semantic_part = np.where(carried, across, semantic_part)
    lexical_part = np.where(carried, 0.0, lexical_part)
    fused = (lexical_part + semantic_part).astype(np.float32)
    return Parts(lexical_part.astype(np.float32), semantic_part.astype(np.float32), fused)


def fuse(
    lexical: np.ndarray,
    semantic: np.ndarray,
    need_share: np.ndarray,
    capability_share: np.ndarray,
    config: FusionConfig,
) -> np.ndarray:
    """The text similarity of aligned pairs (0 to 1); see ``fusion_parts``."""
    return fusion_parts(lexical, semantic, need_share, capability_share, config).fused
