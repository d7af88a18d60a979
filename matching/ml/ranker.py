"""Scoring pairs: a transparent prior, then a model learnt from outcomes.

Both are additive in the features of ``matching.ml.features``: a score is a
sum of one term per feature, so it splits exactly into per-feature
contributions, measured from the features' neutral values, and the reasons
shown with a match are its largest positive contributions. The prior is
linear. A learnt model is a scikit-learn logistic regression on an additive
basis — each feature and its square, so it can learn that a little text
similarity is worth less than a lot — fitted on standardised columns; only its
weights are kept (JSON, nothing executed on load).

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
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from matching.ml.calibration import PRIOR_CALIBRATION
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
# A candidate must beat the active model's held-out NDCG@10 by at least this
# much, and by more than Z standard errors of the per-need differences: small
# held-out sets are noisy, and a model promoted by chance would be used for
# every SME until the next training.
PROMOTION_MARGIN = 0.005
PROMOTION_Z = 1.645

# Basis of learnt models: per feature, the feature itself and its square.
BASES = {"linear": 1, "quadratic": 2}


def expand(features: np.ndarray, basis: str) -> np.ndarray:
    """The basis columns: the features, then (quadratic) their squares."""
    if basis == "linear":
        return features
    return np.hstack([features, features**2])


@dataclass(frozen=True)
class LinearScorer:
    """score = intercept + Σ weight·basis(feature), squashed by the logistic
    function for learnt models (a probability of a good outcome). ``weights``
    has one entry per basis column: FEATURES, then their squares if quadratic."""

    weights: np.ndarray
    intercept: float = 0.0
    logistic: bool = False
    basis: str = "linear"
    # The largest value of each feature seen in training: a curve fitted below
    # it is not extrapolated beyond (a quadratic could turn down past the data,
    # ranking a near-identical text below a merely similar one).
    upper: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ValueError(f"unknown basis {self.basis!r}")
        if self.weights.shape != (len(FEATURES) * BASES[self.basis],):
            raise ValueError(f"expected {len(FEATURES) * BASES[self.basis]} weights")
        if self.upper is not None and self.upper.shape != (len(FEATURES),):
            raise ValueError(f"expected {len(FEATURES)} upper bounds")

    def _within(self, features: np.ndarray) -> np.ndarray:
        return features if self.upper is None else np.minimum(features, self.upper)

    def score(self, features: np.ndarray) -> np.ndarray:
        z: np.ndarray = expand(self._within(features), self.basis) @ self.weights + self.intercept
        return 1.0 / (1.0 + np.exp(-z)) if self.logistic else z

    def fit(self, scores: np.ndarray, need_rows: np.ndarray, n_needs: int) -> np.ndarray:
        """The fit shown for these candidates' scores: a probability of a good
        match. A learnt model's scores are probabilities already; the prior's
        are calibrated (``calibration``) against the need's other candidates."""
        if self.logistic:
            return np.asarray(scores, dtype=np.float64)
        return PRIOR_CALIBRATION.probability(scores, need_rows, n_needs)

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Per pair and feature, how much it moved the additive score away from
        a pair whose features are all neutral."""
        baseline = expand(self._within(NEUTRAL[None, :]), self.basis)
        terms = (expand(self._within(features), self.basis) - baseline) * self.weights
        summed: np.ndarray = terms.reshape(len(features), BASES[self.basis], len(FEATURES)).sum(axis=1)
        return summed

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "basis": self.basis,
            "weights": [float(w) for w in self.weights],
            "intercept": float(self.intercept),
            "logistic": self.logistic,
            "upper": None if self.upper is None else [float(u) for u in self.upper],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LinearScorer":
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError("the stored model was trained on other features")
        weights = np.array([float(w) for w in data["weights"]], dtype=np.float64)
        intercept = float(data["intercept"])
        if not (np.all(np.isfinite(weights)) and np.isfinite(intercept)):
            raise ValueError("the stored model has non-finite weights")
        if not isinstance(data["logistic"], bool):
            raise ValueError("the stored model's 'logistic' must be true or false")
        upper = data.get("upper")
        if upper is not None:
            upper = np.array([float(u) for u in upper], dtype=np.float64)
            if not np.all(np.isfinite(upper)):
                raise ValueError("the stored model has non-finite bounds")
        return cls(
            weights=weights,
            intercept=intercept,
            logistic=data["logistic"],
            basis=data.get("basis", "linear"),
            upper=upper,
        )


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
    values = per_need_ndcg(scores, labels, k)
    return float(np.mean(values)) if len(values) else None


def per_need_ndcg(scores: np.ndarray, labels: Labels, k: int = 10) -> np.ndarray:
    """NDCG@k of each qualifying need, in need order."""
    values = []
    for need in np.unique(labels.needs):
        rows = np.flatnonzero(labels.needs == need)
        if len(rows) < 2 or not labels.outcomes[rows].any():
            continue
        order = rows[np.lexsort((rows, -scores[rows]))]
        relevant = {int(row) for row in rows if labels.outcomes[row]}
        values.append(ndcg_at_k([int(row) for row in order], relevant, k))
    return np.array(values, dtype=np.float64)


def fit_logistic(labels: Labels, *, regularisation: float = 1.0, basis: str = "quadratic") -> LinearScorer:
    """Logistic regression on the standardised basis columns, folded back into
    weights on the raw ones."""
    columns = expand(labels.features, basis)
    scaler = StandardScaler().fit(columns)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=regularisation, max_iter=1000)
    model.fit((columns - scaler.mean_) / scale, labels.outcomes)
    weights = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scale))
    upper = labels.features.max(axis=0) if len(labels) else None
    return LinearScorer(weights=weights, intercept=intercept, logistic=True, basis=basis, upper=upper)


@dataclass
class TrainingResult:
    candidate: LinearScorer | None
    promote: bool
    metrics: dict[str, float] = field(default_factory=dict)
    explanation: str = ""


def train(labels: Labels, active: LinearScorer, *, held_out: float = 0.2) -> TrainingResult:
    """Fit on the older labels, compare with the active scorer on the newer
    ones, and say whether the candidate should replace it."""
    positives = int(labels.outcomes.sum())
    metrics: dict[str, float] = {"labels": len(labels), "positives": positives, "negatives": len(labels) - positives}
    if len(labels) < MIN_LABELS or positives == 0 or positives == len(labels):
        return TrainingResult(
            None, False, metrics, f"needs at least {MIN_LABELS} labels of both outcomes to learn from"
        )
    train_set, test_set = time_split(labels, held_out)
    metrics.update(train=len(train_set), test=len(test_set))
    if train_set.outcomes.min() == train_set.outcomes.max():
        return TrainingResult(None, False, metrics, "the older labels have only one outcome")
    candidate = fit_logistic(train_set)
    candidate_values = per_need_ndcg(candidate.score(test_set.features), test_set)
    active_values = per_need_ndcg(active.score(test_set.features), test_set)
    if len(candidate_values) < 2:
        return TrainingResult(candidate, False, metrics, "too few held-out needs with two labelled pairs to compare")
    candidate_ndcg, active_ndcg = float(candidate_values.mean()), float(active_values.mean())
    # The same needs, scored by both: the paired differences measure the gain.
    differences = candidate_values - active_values
    spread = float(differences.std(ddof=1) / np.sqrt(len(differences)))
    needed = max(PROMOTION_MARGIN, PROMOTION_Z * spread)
    metrics.update(
        ndcg_candidate=candidate_ndcg, ndcg_active=active_ndcg, held_out_needs=len(differences), gain_needed=needed
    )
    promote = candidate_ndcg - active_ndcg > needed
    verdict = "beats" if promote else "does not clearly beat"
    explanation = (
        f"candidate NDCG@10 {candidate_ndcg:.3f} {verdict} the active {active_ndcg:.3f} "
        f"on {len(differences)} held-out needs (gain needed: {needed:.3f})"
    )
    return TrainingResult(candidate, promote, metrics, explanation)
