"""Scoring pairs: a transparent prior, then a model learnt from outcomes.

Both are linear in the features of ``matching.ml.features``, so every score
splits exactly into per-feature contributions, measured from the features'
neutral values: the reasons shown with a match are its largest positive
contributions. A learnt model is a scikit-learn logistic regression on the
standardised features; only its weights are kept (JSON, nothing executed on
load).

The prior's weights (they sum to 1, so prior scores lie between 0 and 1):

=============  ======  ====================================================
feature        weight  why
=============  ======  ====================================================
text           0.60    what the need says it needs is the first evidence
tags           0.10    a shared tag is an explicit, checked topic
industry       0.08    a capability made for the SME's industry fits better
budget         0.08    a price beyond the budget ends most conversations
region         0.06    a provincial programme beats a nationwide listing
kind           0.02    already a hard filter; wanting one kind is sharper
size           0.02    already a hard filter; a scheme for the SME's size
track_record   0.02    capabilities that accept applicants, a little first
freshness      0.02    newer listings, a little first
=============  ======  ====================================================
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from matching.ml.features import FEATURES, NEUTRAL
from matching.ml.metrics import ndcg_at_k

PRIOR_WEIGHTS = {
    "text": 0.60,
    "tags": 0.10,
    "kind": 0.02,
    "industry": 0.08,
    "region": 0.06,
    "budget": 0.08,
    "size": 0.02,
    "track_record": 0.02,
    "freshness": 0.02,
}

# Fewer labels than this and the prior stays: too little to learn from.
MIN_LABELS = 50
# A candidate must beat the active model's held-out NDCG@10 by this much.
PROMOTION_MARGIN = 0.005


@dataclass(frozen=True)
class LinearScorer:
    """score = intercept + Σ weight·feature, squashed by the logistic function
    for learnt models (a probability of a good outcome)."""

    weights: np.ndarray
    intercept: float = 0.0
    logistic: bool = False

    def __post_init__(self):
        if self.weights.shape != (len(FEATURES),):
            raise ValueError(f"expected {len(FEATURES)} weights")

    def score(self, features: np.ndarray) -> np.ndarray:
        z = features @ self.weights + self.intercept
        return 1.0 / (1.0 + np.exp(-z)) if self.logistic else z

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Per pair and feature, how much it moved the (linear) score away from
        a pair whose features are all neutral."""
        return (features - NEUTRAL) * self.weights

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": [float(w) for w in self.weights],
            "intercept": float(self.intercept),
            "logistic": self.logistic,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "LinearScorer":
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError("the stored model was trained on other features")
        weights = np.array([float(w) for w in data["weights"]], dtype=np.float64)
        if not np.all(np.isfinite(weights)):
            raise ValueError("the stored model has non-finite weights")
        return cls(weights=weights, intercept=float(data["intercept"]), logistic=bool(data["logistic"]))


PRIOR = LinearScorer(weights=np.array([PRIOR_WEIGHTS[name] for name in FEATURES], dtype=np.float64))


@dataclass
class Labels:
    """Labelled pairs: features, outcome (1 good, 0 bad), the need they belong
    to (rankings are compared within a need) and when the outcome happened."""

    features: np.ndarray
    outcomes: np.ndarray
    needs: np.ndarray
    times: np.ndarray

    def __len__(self) -> int:
        return len(self.outcomes)

    def subset(self, mask: np.ndarray) -> "Labels":
        return Labels(self.features[mask], self.outcomes[mask], self.needs[mask], self.times[mask])


def time_split(labels: Labels, held_out: float = 0.2) -> tuple[Labels, Labels]:
    """The oldest (1 - held_out) of the labels to learn from, the newest to test on."""
    order = np.argsort(labels.times, kind="stable")
    cut = round(len(order) * (1.0 - held_out))
    train = np.zeros(len(order), dtype=bool)
    train[order[:cut]] = True
    return labels.subset(train), labels.subset(~train)


def grouped_ndcg(scores: np.ndarray, labels: Labels, k: int = 10) -> float | None:
    """Mean NDCG@k over needs with at least two labelled pairs and one good one:
    how well the scores order each need's labelled pairs. None when no need qualifies."""
    values = []
    for need in np.unique(labels.needs):
        rows = np.flatnonzero(labels.needs == need)
        if len(rows) < 2 or not labels.outcomes[rows].any():
            continue
        order = rows[np.lexsort((rows, -scores[rows]))]
        relevant = {int(row) for row in rows if labels.outcomes[row]}
        values.append(ndcg_at_k([int(row) for row in order], relevant, k))
    return float(np.mean(values)) if values else None


def fit_logistic(labels: Labels, *, regularisation: float = 1.0) -> LinearScorer:
    """Logistic regression on standardised features, folded back into weights
    on the raw features."""
    scaler = StandardScaler().fit(labels.features)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=regularisation, max_iter=1000)
    model.fit((labels.features - scaler.mean_) / scale, labels.outcomes)
    weights = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scale))
    return LinearScorer(weights=weights, intercept=intercept, logistic=True)


@dataclass
class TrainingResult:
    candidate: LinearScorer | None
    promote: bool
    metrics: dict = field(default_factory=dict)
    explanation: str = ""


def train(labels: Labels, active: LinearScorer, *, held_out: float = 0.2) -> TrainingResult:
    """Fit on the older labels, compare with the active scorer on the newer
    ones, and say whether the candidate should replace it."""
    positives = int(labels.outcomes.sum())
    metrics = {"labels": len(labels), "positives": positives, "negatives": len(labels) - positives}
    if len(labels) < MIN_LABELS or positives == 0 or positives == len(labels):
        return TrainingResult(
            None, False, metrics, f"needs at least {MIN_LABELS} labels of both outcomes to learn from"
        )
    train_set, test_set = time_split(labels, held_out)
    metrics.update(train=len(train_set), test=len(test_set))
    if train_set.outcomes.min() == train_set.outcomes.max():
        return TrainingResult(None, False, metrics, "the older labels have only one outcome")
    candidate = fit_logistic(train_set)
    candidate_ndcg = grouped_ndcg(candidate.score(test_set.features), test_set)
    active_ndcg = grouped_ndcg(active.score(test_set.features), test_set)
    metrics.update(ndcg_candidate=candidate_ndcg, ndcg_active=active_ndcg)
    if candidate_ndcg is None or active_ndcg is None:
        return TrainingResult(candidate, False, metrics, "no held-out need has two labelled pairs to rank")
    promote = candidate_ndcg > active_ndcg + PROMOTION_MARGIN
    verdict = "beats" if promote else "does not beat"
    explanation = f"candidate NDCG@10 {candidate_ndcg:.3f} {verdict} the active {active_ndcg:.3f} on {len(test_set)} held-out labels"
    return TrainingResult(candidate, promote, metrics, explanation)
