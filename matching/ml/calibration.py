"""Scores people can read: the prior's score of a pair turned into the
chance that it is a good match.

The prior's score is a weighted sum of features (``ranker``): it orders a
need's candidates well, but its values mean little on their own — a
near-perfect match reads about 0.35 and noise about 0.2, and both move with
the language and length of the texts. What tells a good match is the score
together with how it stands out among the need's own candidates. So the fit
is a logistic function (Platt scaling with two more inputs) of:

- the score;
- its margin over the mean score of the need's best ``CONTEXT`` candidates;
- its gap to the need's best score (0 for the best).

Within one need the fit grows with the score (all weights are positive), so
ranking by either is the same. Fitted by ``bench.calibrate`` on our judged
sets (Chinese, cross-language and English, each weighted alike), with each
need also matched once without its relevant capabilities, as a need with no
good match in the catalogue is; the reliability curve and the Brier score on
held-out needs are in docs/BENCHMARKS.md ("Calibration").

A learnt ranker is a logistic model of outcomes already: its scores are
probabilities and are shown as they are.

One threshold, ``GOOD_MATCH``, says "good match" everywhere (pages,
dashboards, digests, unmet demand); below ``RELEVANCE_FLOOR`` nothing is
proposed (no padding: a need with nothing above it says so).
"""

from dataclasses import dataclass

import numpy as np

# A need's context: its best this many candidates.
CONTEXT = 20
# What a need with fewer candidates than CONTEXT (a small catalogue, or few
# capabilities of the kind it wants) counts for the missing ones: the score
# of a need's 20th candidate in a larger catalogue (median .165 on our Chinese
# sets, .16–.22 across all, measured with the fusion of both views). Lower,
# and the best of a few unrelated candidates would stand out as a good match.
BASELINE = 0.165


def need_context(scores: np.ndarray, need_rows: np.ndarray, n_needs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: its margin over the mean of its need's best ``CONTEXT``
    scores (missing ones count as ``BASELINE``), and its gap to its need's
    best score."""
    scores = np.asarray(scores, dtype=np.float64)
    need_rows = np.asarray(need_rows, dtype=np.int64)
    order = np.lexsort((-scores, need_rows))
    sorted_needs = need_rows[order]
    starts = np.searchsorted(sorted_needs, np.arange(n_needs + 1))
    rank = np.arange(len(order)) - starts[sorted_needs]
    best = order[rank < CONTEXT]
    total = np.bincount(need_rows[best], weights=scores[best], minlength=n_needs)
    count = np.bincount(need_rows[best], minlength=n_needs)
    mean = (total + BASELINE * (CONTEXT - count)) / CONTEXT
    top = np.full(n_needs, -np.inf)
    np.maximum.at(top, need_rows, scores)
    return scores - mean[need_rows], scores - top[need_rows]


@dataclass(frozen=True)
class Calibration:
    """fit = 1 / (1 + exp(-(w_score·score + w_margin·margin + w_gap·gap + intercept)))."""

    score: float
    margin: float
    gap: float
    intercept: float

    def __post_init__(self) -> None:
        if min(self.score, self.margin, self.gap) < 0:
            raise ValueError("calibration weights must not be negative (the fit must grow with the score)")

    def probability(self, scores: np.ndarray, need_rows: np.ndarray, n_needs: int) -> np.ndarray:
        margin, gap = need_context(scores, need_rows, n_needs)
        z = self.score * np.asarray(scores, dtype=np.float64) + self.margin * margin + self.gap * gap + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


# Fitted by bench.calibrate (docs/BENCHMARKS.md, "Calibration").
PRIOR_CALIBRATION = Calibration(score=7.372, margin=47.071, gap=41.256, intercept=-4.502)
# On our held-out Chinese needs: 48 % of relevant pairs reach it, 0.2 % of
# the others; of needs with nothing relevant left in the catalogue, 9 % show
# a candidate this high (docs/BENCHMARKS.md, "Calibration").
GOOD_MATCH = 0.3
# Costs NDCG@10 .006 on the Chinese and cross-language sets (ranking the whole
# catalogue): lists shrink from everything to about five for a Chinese need.
RELEVANCE_FLOOR = 0.01
