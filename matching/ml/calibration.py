"""Scores people can read: the prior's score mapped to the chance that the
pair is a good match.

The prior's score is a weighted sum of features (``ranker``): it orders pairs
well but its values mean little (near-perfect matches read about 0.35, noise
about 0.2). Platt scaling — a logistic function of the score, fitted on
labelled pairs — turns it into a probability: among pairs proposed with a fit
of 0.4, about four in ten were judged relevant. Fitted by ``bench.calibrate``
on our judged sets (Chinese, cross-language and English; each set weighted
alike); its reliability curve and Brier score are in docs/BENCHMARKS.md
("Calibration"). A learnt ranker is a logistic model of outcomes already: its
scores are probabilities and are shown as they are.

One threshold, ``GOOD_MATCH``, says "good match" everywhere (pages, dashboards,
digests, unmet demand); below ``RELEVANCE_FLOOR`` nothing is proposed.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calibration:
    """probability = 1 / (1 + exp(-(slope · score + intercept)))."""

    slope: float
    intercept: float

    def probability(self, scores: np.ndarray) -> np.ndarray:
        z = self.slope * np.asarray(scores, dtype=np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def score_for(self, probability: float) -> float:
        """The score at which the probability is reached (the inverse)."""
        return (np.log(probability / (1.0 - probability)) - self.intercept) / self.slope
