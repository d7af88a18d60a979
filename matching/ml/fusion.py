"""Fusing the lexical and the semantic similarity of a need and a capability
into the one text similarity the ranker sees.

Within one language the two views agree often and add up: shared words are
precise (product names, API names, 增值税), meaning catches paraphrase (显卡
for GPU, "spots on the fabric" for defect detection). So the text similarity
is their weighted sum.

Across languages shared words are rare and mostly accidental ("API", a
number), so a weighted sum drags a good pair written in two languages far
below a mediocre pair written in one: in a bilingual catalogue a Chinese need
would see Chinese near-misses before the English capability that fits. A
pair therefore scores at least ``cross_language × semantic`` in proportion
to how far apart the two texts' languages are (``text.chinese_share``):
meaning alone carries it, and shared words still raise it. The weights were
chosen on our judged sets (docs/BENCHMARKS.md, "Relevance"), including Chinese
needs against a catalogue of English capabilities mixed with Chinese ones.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionConfig:
    # Weight of the lexical view within one language (the semantic view has the rest).
    lexical_weight: float = 0.75
    # The share of the semantic similarity a pair keeps when its texts are in different languages.
    cross_language: float = 0.4

    def __post_init__(self) -> None:
        if not 0.0 <= self.lexical_weight <= 1.0 or not 0.0 <= self.cross_language <= 1.0:
            raise ValueError("fusion weights must lie between 0 and 1")


def fuse(
    lexical: np.ndarray,
    semantic: np.ndarray,
    need_share: np.ndarray,
    capability_share: np.ndarray,
    config: FusionConfig,
) -> np.ndarray:
    """The text similarity of aligned pairs (0 to 1). ``*_share``: how Chinese
    each side's text is (0 to 1), aligned with the pairs."""
    semantic = np.clip(semantic, 0.0, 1.0)
    weighted = config.lexical_weight * lexical + (1.0 - config.lexical_weight) * semantic
    apart = np.abs(need_share - capability_share)
    fused: np.ndarray = np.maximum(weighted, config.cross_language * apart * semantic).astype(np.float32)
    return fused
