"""The ranker on arrays: the prior, stored models, the time split, grouped
NDCG and the promotion decision. No database, no Django."""

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from matching.ml.features import FEATURES, NEUTRAL
from matching.ml.ranker import (
    MIN_LABELS,
    PRIOR,
    PRIOR_WEIGHTS,
    Labels,
    LinearScorer,
    fit_logistic,
    grouped_ndcg,
    time_split,
    train,
)

TEXT, BUDGET = FEATURES.index("text"), FEATURES.index("budget")


def labels_of(features, outcomes, needs, times=None) -> Labels:
    features = np.asarray(features, dtype=np.float64)
    times = np.arange(len(outcomes), dtype=np.float64) if times is None else np.asarray(times, dtype=np.float64)
    return Labels(features, np.asarray(outcomes, dtype=np.int64), np.asarray(needs, dtype=np.int64), times)


def proposals(rng, needs: int, per_need: int = 8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random features for ``per_need`` pairs of each need, needs in time order."""
    features = rng.random((needs * per_need, len(FEATURES)))
    need_ids = np.repeat(np.arange(needs), per_need)
    times = need_ids + rng.random(len(need_ids)) * 0.5
    return features, need_ids, times


# The prior ---------------------------------------------------------------------


def test_prior_weights_cover_the_features_and_sum_to_one():
    assert set(PRIOR_WEIGHTS) == set(FEATURES)
    assert sum(PRIOR_WEIGHTS.values()) == pytest.approx(1.0)
    assert np.all(PRIOR.weights >= 0)
    assert PRIOR.intercept == 0.0
    assert not PRIOR.logistic


def test_prior_scores_lie_between_zero_and_one():
    features = np.vstack([np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.random.default_rng(1).random((500, 9))])
    scores = PRIOR.score(features)
    assert scores[0] == pytest.approx(0.0)
    assert scores[1] == pytest.approx(1.0)
    assert np.all((scores >= 0.0) & (scores <= 1.0))


def test_contributions_are_measured_from_the_neutral_values():
    assert np.allclose(PRIOR.contributions(NEUTRAL[None, :]), 0.0)
    features = NEUTRAL.copy()
    features[BUDGET] = 1.0  # within budget
    contributions = PRIOR.contributions(features[None, :])[0]
    assert contributions[BUDGET] == pytest.approx(0.5 * PRIOR_WEIGHTS["budget"])
    assert np.count_nonzero(contributions) == 1
    # For a linear score, the contributions add up to the move away from a neutral pair.
    sample = np.random.default_rng(2).random((20, len(FEATURES)))
    moved = PRIOR.score(sample) - PRIOR.score(NEUTRAL[None, :])
    assert np.allclose(PRIOR.contributions(sample).sum(axis=1), moved)


def test_a_scorer_needs_one_weight_per_feature():
    with pytest.raises(ValueError, match="weights"):
        LinearScorer(weights=np.ones(len(FEATURES) - 1))


# Stored models -----------------------------------------------------------------


def test_a_learnt_scorer_survives_a_json_round_trip():
    scorer = LinearScorer(weights=np.linspace(-1.0, 2.0, len(FEATURES)), intercept=-0.75, logistic=True)
    restored = LinearScorer.from_dict(json.loads(json.dumps(scorer.to_dict())))
    assert np.array_equal(restored.weights, scorer.weights)
    assert restored.intercept == scorer.intercept
    assert restored.logistic is True
    sample = np.random.default_rng(3).random((10, len(FEATURES)))
    assert np.array_equal(restored.score(sample), scorer.score(sample))


def test_the_prior_survives_a_round_trip_as_a_linear_scorer():
    restored = LinearScorer.from_dict(PRIOR.to_dict())
    assert restored.logistic is False
    assert np.array_equal(restored.weights, PRIOR.weights)


@pytest.mark.parametrize(
    "features",
    [
        list(reversed(FEATURES)),
        list(FEATURES[:-1]),
        [*FEATURES, "popularity"],
        [],
    ],
)
def test_a_stored_model_on_other_features_is_refused(features):
    data = PRIOR.to_dict()
    data["features"] = features
    with pytest.raises(ValueError, match="other features"):
        LinearScorer.from_dict(data)


def test_a_stored_model_without_a_feature_list_is_refused():
    data = PRIOR.to_dict()
    del data["features"]
    with pytest.raises(ValueError, match="other features"):
        LinearScorer.from_dict(data)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_stored_model_with_non_finite_weights_is_refused(bad):
    data = PRIOR.to_dict()
    data["weights"][BUDGET] = bad
    with pytest.raises(ValueError, match="non-finite"):
        LinearScorer.from_dict(data)


def test_a_stored_model_with_the_wrong_number_of_weights_is_refused():
    data = PRIOR.to_dict()
    data["weights"] = data["weights"][:-1]
    with pytest.raises(ValueError):
        LinearScorer.from_dict(data)


def test_a_stored_model_with_a_non_finite_intercept_is_refused():
    data = PRIOR.to_dict()
    data["intercept"] = float("nan")
    with pytest.raises(ValueError):
        LinearScorer.from_dict(data)


# The time split ----------------------------------------------------------------


def test_time_split_keeps_the_newest_labels_for_testing():
    rng = np.random.default_rng(4)
    times = rng.permutation(100).astype(np.float64)
    labels = labels_of(rng.random((100, len(FEATURES))), rng.integers(0, 2, 100), np.arange(100), times)
    train_set, test_set = time_split(labels)  # a fifth held out by default
    assert len(train_set) == 80
    assert len(test_set) == 20
    assert train_set.times.max() < test_set.times.min()
    assert sorted(test_set.times) == list(range(80, 100))
    # Rows keep their features, outcomes and needs together.
    for part in (train_set, test_set):
        for row in range(len(part)):
            original = int(np.flatnonzero(labels.times == part.times[row])[0])
            assert part.needs[row] == labels.needs[original]
            assert part.outcomes[row] == labels.outcomes[original]
            assert np.array_equal(part.features[row], labels.features[original])


def test_time_split_follows_the_held_out_share():
    labels = labels_of(np.zeros((50, len(FEATURES))), [0, 1] * 25, np.arange(50))
    train_set, test_set = time_split(labels, held_out=0.5)
    assert len(train_set) == len(test_set) == 25
    assert list(test_set.times) == list(range(25, 50))


# Grouped NDCG ------------------------------------------------------------------


def test_grouped_ndcg_skips_needs_with_one_label_or_no_good_outcome():
    labels = labels_of(
        np.zeros((6, len(FEATURES))),
        outcomes=[1, 0, 0, 0, 0, 1],
        needs=[1, 2, 2, 2, 3, 3],  # need 1: one label; need 2: no good one; need 3: qualifies
    )
    # Need 3's good pair ranked second: 1 / log2(3). Needs 1 and 2 would each pull the mean to 1 or 0.
    scores = np.array([0.9, 0.1, 0.2, 0.3, 0.8, 0.4])
    assert grouped_ndcg(scores, labels) == pytest.approx(1.0 / np.log2(3.0))
    scores[5] = 0.95
    assert grouped_ndcg(scores, labels) == pytest.approx(1.0)


def test_grouped_ndcg_averages_the_qualifying_needs():
    labels = labels_of(np.zeros((4, len(FEATURES))), outcomes=[1, 0, 0, 1], needs=[1, 1, 2, 2])
    scores = np.array([0.9, 0.1, 0.9, 0.1])  # need 1 perfect, need 2 good pair second
    assert grouped_ndcg(scores, labels) == pytest.approx((1.0 + 1.0 / np.log2(3.0)) / 2)


def test_grouped_ndcg_is_none_when_no_need_qualifies():
    labels = labels_of(np.zeros((4, len(FEATURES))), outcomes=[1, 0, 0, 1], needs=[1, 2, 2, 3])
    assert grouped_ndcg(np.array([0.1, 0.2, 0.3, 0.4]), labels) is None
    assert grouped_ndcg(np.zeros(0), labels.subset(np.zeros(4, dtype=bool))) is None


def test_grouped_ndcg_breaks_score_ties_by_row_order():
    labels = labels_of(np.zeros((2, len(FEATURES))), outcomes=[0, 1], needs=[7, 7])
    assert grouped_ndcg(np.array([0.5, 0.5]), labels) == pytest.approx(1.0 / np.log2(3.0))


# Fitting -----------------------------------------------------------------------


def test_fit_logistic_folds_the_standardisation_into_the_weights():
    rng = np.random.default_rng(5)
    features, needs, times = proposals(rng, 60)
    features[:, FEATURES.index("size")] = 0.5  # a constant column
    outcomes = (rng.random(len(needs)) < features[:, BUDGET]).astype(np.int64)
    scorer = fit_logistic(labels_of(features, outcomes, needs, times))
    columns = np.hstack([features, features**2])  # the quadratic basis
    scaler = StandardScaler().fit(columns)
    reference = LogisticRegression(C=1.0, max_iter=1000).fit(scaler.transform(columns), outcomes)
    expected = reference.predict_proba(scaler.transform(columns))[:, 1]
    assert scorer.logistic
    assert scorer.basis == "quadratic"
    assert np.allclose(scorer.score(features), expected, atol=1e-9)
    size = FEATURES.index("size")
    assert scorer.weights[size] == scorer.weights[len(FEATURES) + size] == 0.0


# The promotion decision --------------------------------------------------------


def test_train_refuses_too_few_labels():
    rng = np.random.default_rng(6)
    count = MIN_LABELS - 1
    labels = labels_of(rng.random((count, len(FEATURES))), np.arange(count) % 2, np.arange(count) // 5)
    result = train(labels, PRIOR)
    assert result.candidate is None
    assert not result.promote
    assert result.metrics["labels"] == count
    assert str(MIN_LABELS) in result.explanation


@pytest.mark.parametrize("outcome", [0, 1])
def test_train_refuses_labels_of_one_outcome(outcome):
    rng = np.random.default_rng(7)
    labels = labels_of(rng.random((200, len(FEATURES))), np.full(200, outcome), np.arange(200) // 5)
    result = train(labels, PRIOR)
    assert result.candidate is None
    assert not result.promote


def test_train_refuses_when_the_older_labels_have_one_outcome():
    rng = np.random.default_rng(8)
    outcomes = np.zeros(200, dtype=np.int64)
    outcomes[-20:] = 1  # only the newest labels (the test part) are good
    labels = labels_of(rng.random((200, len(FEATURES))), outcomes, np.arange(200) // 5)
    result = train(labels, PRIOR)
    assert result.candidate is None
    assert not result.promote
    assert "older labels" in result.explanation


def budget_world(seed: int, needs: int = 150):
    """Pairs whose outcome is decided by the budget, while the text
    similarity points the other way: the prior, led by text, ranks them badly."""
    rng = np.random.default_rng(seed)
    features, need_ids, times = proposals(rng, needs)
    fits = rng.random(len(need_ids)) < 0.4
    features[:, BUDGET] = np.where(fits, 1.0, rng.uniform(0.05, 0.45, len(need_ids)))
    features[:, TEXT] = np.where(fits, rng.uniform(0.1, 0.4, len(need_ids)), rng.uniform(0.3, 0.7, len(need_ids)))
    return labels_of(features, fits.astype(np.int64), need_ids, times)


def test_train_promotes_a_candidate_that_learnt_what_the_prior_gets_wrong():
    labels = budget_world(9)
    result = train(labels, PRIOR)
    assert result.promote, result.explanation
    assert result.metrics["train"] + result.metrics["test"] == len(labels) == result.metrics["labels"]
    assert result.metrics["test"] == round(0.2 * len(labels))
    assert result.metrics["ndcg_candidate"] > 0.95
    assert result.metrics["ndcg_active"] < 0.7
    # What raising each feature from neutral to 1 does to the learnt score.
    raised = np.tile(NEUTRAL, (len(FEATURES), 1))
    np.fill_diagonal(raised, 1.0)
    effect = dict(zip(FEATURES, np.diag(result.candidate.contributions(raised)), strict=True))
    assert effect["budget"] > 0 > effect["text"]
    assert "beats" in result.explanation


def test_a_promoted_candidate_is_not_replaced_by_an_equal_one():
    labels = budget_world(10)
    first = train(labels, PRIOR)
    assert first.promote
    second = train(labels, first.candidate)
    # The same labels give the same candidate: it cannot beat itself by the margin.
    assert second.metrics["ndcg_candidate"] == pytest.approx(second.metrics["ndcg_active"])
    assert not second.promote
    assert "does not clearly beat" in second.explanation


def test_train_does_not_promote_when_the_labels_follow_the_prior():
    rng = np.random.default_rng(11)
    features, need_ids, times = proposals(rng, 150)
    scores = PRIOR.score(features)
    # The two pairs the prior ranks first in each need are the good ones.
    ranks = np.empty(len(scores), dtype=np.int64)
    for need in np.unique(need_ids):
        rows = np.flatnonzero(need_ids == need)
        ranks[rows[np.argsort(-scores[rows])]] = np.arange(len(rows))
    labels = labels_of(features, (ranks < 2).astype(np.int64), need_ids, times)
    result = train(labels, PRIOR)
    assert result.candidate is not None
    assert result.metrics["ndcg_active"] == pytest.approx(1.0)
    assert not result.promote


def test_train_does_not_promote_a_candidate_that_only_ties():
    rng = np.random.default_rng(12)
    _, need_ids, times = proposals(rng, 100)
    features = np.tile(NEUTRAL, (len(need_ids), 1))  # nothing to tell the pairs apart
    labels = labels_of(features, (rng.random(len(need_ids)) < 0.3).astype(np.int64), need_ids, times)
    result = train(labels, PRIOR)
    assert result.candidate is not None
    assert result.metrics["ndcg_candidate"] == result.metrics["ndcg_active"]
    assert not result.promote


@pytest.mark.slow
def test_train_rarely_promotes_a_candidate_fitted_to_noise():
    promoted = 0
    for seed in range(40):
        rng = np.random.default_rng(1000 + seed)
        features, need_ids, times = proposals(rng, 200)
        outcomes = (rng.random(len(need_ids)) < 0.3).astype(np.int64)  # unrelated to the features
        promoted += train(labels_of(features, outcomes, need_ids, times), PRIOR).promote
    assert promoted <= 4  # at most one time in ten


def test_a_learnt_curve_is_not_extrapolated_beyond_the_training_range():
    rng = np.random.default_rng(21)
    features, needs, times = proposals(rng, 80)
    text = FEATURES.index("text")
    features[:, text] = rng.uniform(0.0, 0.4, len(needs))
    # Interest peaks at middling similarity: the fitted square term is negative.
    outcomes = (np.abs(features[:, text] - 0.3) < 0.08).astype(np.int64)
    scorer = fit_logistic(labels_of(features, outcomes, needs, times))
    assert scorer.weights[len(FEATURES) + text] < 0
    at_edge, far_beyond = np.tile(NEUTRAL, (2, 1))
    at_edge[text], far_beyond[text] = scorer.upper[text], 1.0
    assert scorer.score(far_beyond[None, :])[0] == pytest.approx(scorer.score(at_edge[None, :])[0])
    assert LinearScorer.from_dict(scorer.to_dict()).upper.tolist() == scorer.upper.tolist()
