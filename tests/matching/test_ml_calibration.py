"""Scores people can read: the calibrated fit, the one good-match threshold
and the relevance floor."""

import numpy as np
import pytest

from matching.ml.calibration import BASELINE, CONTEXT, GOOD_MATCH, PRIOR_CALIBRATION, Calibration, need_context
from matching.ml.engine import Matcher
from matching.ml.ranker import PRIOR, LinearScorer
from matching.ml.records import CapabilityRecord, NeedRecord

NOW = 1_728_000_000.0


def test_the_context_is_the_margin_over_the_best_candidates_mean_and_the_gap_to_the_best():
    scores = np.r_[[0.5, 0.3, 0.1], np.full(CONTEXT - 3, 0.3), [0.4]]
    need_rows = np.r_[np.zeros(CONTEXT, dtype=int), [1]]
    margin, gap = need_context(scores, need_rows, 2)
    assert margin[:3] == pytest.approx([0.2, 0.0, -0.2])
    assert gap[:3] == pytest.approx([0.0, -0.2, -0.4])
    # A need with one candidate: the rest of its context counts as a pair with no evidence.
    assert margin[-1] == pytest.approx(0.4 - (0.4 + (CONTEXT - 1) * BASELINE) / CONTEXT)
    assert gap[-1] == 0.0


def test_only_the_best_candidates_make_a_needs_context():
    scores = np.r_[np.full(CONTEXT, 0.5), np.zeros(30)]
    margin, _gap = need_context(scores, np.zeros(len(scores), dtype=int), 1)
    assert margin[0] == pytest.approx(0.0)


def test_within_a_need_the_fit_grows_with_the_score():
    rng = np.random.default_rng(4)
    scores = np.sort(rng.uniform(0.1, 0.5, size=40))
    fit = PRIOR_CALIBRATION.probability(scores, np.zeros(40, dtype=int), 1)
    assert (np.diff(fit) >= 0).all()
    assert ((fit >= 0) & (fit <= 1)).all()


def test_a_clear_best_reads_high_and_a_field_of_equals_reads_low():
    others = np.full(CONTEXT, 0.18)
    clear = PRIOR_CALIBRATION.probability(np.r_[0.42, others], np.zeros(CONTEXT + 1, dtype=int), 1)
    crowd = PRIOR_CALIBRATION.probability(np.r_[0.2, others], np.zeros(CONTEXT + 1, dtype=int), 1)
    assert clear[0] >= GOOD_MATCH
    assert crowd.max() < GOOD_MATCH
    assert crowd.max() < clear[0]


def test_calibration_weights_may_not_turn_the_fit_against_the_score():
    with pytest.raises(ValueError):
        Calibration(score=1.0, margin=-1.0, gap=1.0, intercept=0.0)


def test_a_learnt_rankers_probabilities_are_shown_as_they_are():
    scorer = LinearScorer(weights=np.zeros(9), intercept=0.0, logistic=True)
    scores = np.array([0.7, 0.2])
    assert scorer.fit(scores, np.zeros(2, dtype=int), 1).tolist() == [0.7, 0.2]
    assert PRIOR.fit(scores, np.zeros(2, dtype=int), 1).tolist() != [0.7, 0.2]


CATALOGUE = [
    CapabilityRecord(1, "增值税发票 OCR 识别接口", description="上传发票图片，返回结构化字段"),
    CapabilityRecord(2, "发票 OCR 识别数据集"),
    CapabilityRecord(3, "冷链物流路线规划"),
    CapabilityRecord(4, "物流单据管理工具"),
    CapabilityRecord(5, "GPU 算力租用"),
]


def test_below_the_floor_nothing_is_proposed():
    need = NeedRecord("n", "增值税发票 OCR 识别接口 上传发票图片")
    everything = Matcher(CATALOGUE, relevance_floor=0.0).match([need], now=NOW)[0]
    floored = Matcher(CATALOGUE).match([need], now=NOW)[0]
    assert floored and len(floored) < len(everything)
    assert [p.capability_id for p in floored] == [p.capability_id for p in everything][: len(floored)]
    assert floored[0].capability_id == 1
    dropped = everything[len(floored) :]
    assert all(p.score < Matcher(CATALOGUE).relevance_floor for p in dropped)
