"""Learning from outcomes, end to end: feedback on stored matches becomes
labels, a ranker is trained on them and promoted only when it beats the
active one on the newest labels, and a promotion rescores every match.

The market here follows a clear pattern the prior gets wrong: SMEs with a
budget of CNY 1,000 a month want the cheap document-capture services and
dismiss the invoice OCR APIs that read almost like their needs but cost
CNY 20,000 and more. The prior, led by text similarity, ranks the dear ones
first."""

import datetime
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from accounts.choices import SME
from marketplace.choices import ApplicationStatus, DeclineReason
from marketplace.models import Need
from matching.ml.calibration import PRIOR_CALIBRATION
from matching.ml.features import FEATURES
from matching.ml.ranker import MIN_LABELS, PRIOR, PRIOR_WEIGHTS
from matching.models import Feedback, Match, RankerModel, weights_digest
from matching.services import learning, matcher_cache, rankers, rematch
from matching.services.feedback import match_feedback
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory
from tests.matching.conftest import need_fields

pytestmark = pytest.mark.django_db

KINDS_OF_INVOICE = [
    "增值税发票", "电子发票", "进项发票", "采购发票", "报销发票", "销售发票", "海关发票", "运输发票",
    "餐饮发票", "差旅发票", "专用发票", "普通发票", "机打发票", "定额发票", "通行费发票",
]  # fmt: skip
DEAR_TITLES = ["OCR 识别接口", "OCR 识别 API", "智能识别接口", "识别服务"]
CHEAP_TITLES = ["票据录入", "单据扫描", "文档数字化", "表格提取"]
START = timezone.now() - datetime.timedelta(days=60)


@pytest.fixture
def market(cast):
    dear = [
        CapabilityFactory(
            organization=cast.platform,
            title=f"发票 {words} Invoice OCR API",
            summary="Invoice OCR API 发票 OCR 识别接口",
            description="发票 OCR 识别接口 Invoice OCR API",
            price_min_monthly=Decimal("20000"),
            price_max_monthly=Decimal("50000"),
        )
        for words in DEAR_TITLES
    ]
    cheap = [
        CapabilityFactory(
            organization=cast.other_platform,
            title=f"{words} 服务 Document capture",
            summary="Scans paper documents",
            description="扫描纸质单据 paper documents to text",
            price_min_monthly=Decimal("0"),
            price_max_monthly=Decimal("800"),
        )
        for words in CHEAP_TITLES
    ]
    needs = [
        NeedFactory(
            organization=cast.sme,
            title=f"{kind} OCR 识别接口",
            description=f"需要发票 OCR 识别接口 Invoice OCR API for {kind}, some paper documents too.",
            budget_min_monthly=Decimal("0"),
            budget_max_monthly=Decimal("1000"),
        )
        for kind in KINDS_OF_INVOICE
    ]
    rematch.match_needs([need.pk for need in needs])
    return {"dear": {c.pk for c in dear}, "cheap": {c.pk for c in cheap}, "needs": needs}


def ranking(need):
    return list(Match.objects.filter(need=need).order_by("rank").values_list("capability_id", flat=True))


def label(cast, market, interested):
    """Alice's firm gives feedback on every proposal, need after need (older
    needs first), interested in those ``interested(match)`` picks."""
    for position, need in enumerate(market["needs"]):
        for offset, match in enumerate(Match.objects.filter(need=need).order_by("rank")):
            liked = interested(match)
            match_feedback(
                membership=cast.alice,
                match=match,
                side=SME,
                value=Feedback.INTERESTED if liked else Feedback.DISMISSED,
                reason="" if liked else "太贵 too expensive",
            )
            when = START + datetime.timedelta(days=position, minutes=offset)
            Match.objects.filter(pk=match.pk).update(sme_feedback_at=when)


@pytest.fixture
def promoted(cast, market, django_capture_on_commit_callbacks):
    """Labels that follow the budget, and the ranker trained on them."""
    label(cast, market, lambda match: match.capability_id in market["cheap"])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = learning.ranker_train()
    return outcome


def test_the_prior_ranks_the_dear_look_alikes_first(market):
    for need in market["needs"]:
        assert set(ranking(need)[:4]) == market["dear"]
        assert set(ranking(need)[4:]) == market["cheap"]
    assert set(Match.objects.values_list("ranker_version", flat=True)) == {0}


def test_a_ranker_learnt_from_feedback_is_promoted_and_rescores_every_match(
    cast, market, django_capture_on_commit_callbacks
):
    before = {(m.need_id, m.capability_id): m.score for m in Match.objects.all()}
    label(cast, market, lambda match: match.capability_id in market["cheap"])
    labels = learning.training_labels()
    assert len(labels) == 120
    assert labels.outcomes.sum() == 60

    with django_capture_on_commit_callbacks(execute=True):
        outcome = learning.ranker_train()

    assert outcome.promoted
    model = RankerModel.objects.get()
    assert (model.version, model.is_active, model.digest_ok) == (1, True, True)
    assert model.activated_at is not None
    assert model.label_counts == {"labels": 120, "positives": 60, "negatives": 60, "train": 96, "test": 24}
    assert model.metrics["ndcg_candidate"] > model.metrics["ndcg_active"] + 0.005
    assert model.metrics["ndcg_candidate"] == pytest.approx(1.0)
    assert "beats" in model.note
    assert rankers.scorer_active()[1] == 1

    # The promotion queued a rebuild: every match is rescored by the new ranker.
    matches = list(Match.objects.all())
    assert len(matches) == 120
    assert {m.ranker_version for m in matches} == {1}
    for match in matches:
        assert 0.0 < match.score < 1.0  # a probability now
        assert match.score != pytest.approx(before[(match.need_id, match.capability_id)], abs=1e-3)
    for need in market["needs"]:
        assert set(ranking(need)[:4]) == market["cheap"]
        assert set(ranking(need)[4:]) == market["dear"]
    # The labels are still there, the dismissed ones hidden from the SME.
    assert Match.objects.filter(sme_feedback=Feedback.DISMISSED).count() == 60
    assert Match.objects.filter(sme_feedback=Feedback.INTERESTED, rank__lte=4).count() == 60


def test_a_need_published_after_the_promotion_is_ranked_by_the_new_ranker(cast, market, promoted, publish, proposed):
    assert promoted.promoted
    need = publish(Need, cast.alice, need_fields(title="电子发票 OCR 识别接口", budget_max_monthly=Decimal("1000")))
    assert set(Match.objects.filter(need=need).values_list("ranker_version", flat=True)) == {1}
    assert set(proposed(need)[:4]) == market["cheap"]


def test_labels_that_follow_the_prior_promote_nothing(cast, market, django_capture_on_commit_callbacks):
    before = sorted(Match.objects.values_list("pk", "score", "ranker_version"))
    label(cast, market, lambda match: match.capability_id in market["dear"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = learning.ranker_train()
    assert not outcome.promoted
    model = RankerModel.objects.get()  # kept for the record
    assert not model.is_active
    assert model.metrics["ndcg_active"] == pytest.approx(1.0)
    assert "beats" not in model.note
    assert rankers.scorer_active() == (PRIOR, 0)
    assert callbacks == []  # no rebuild queued
    assert sorted(Match.objects.values_list("pk", "score", "ranker_version")) == before


def test_retraining_on_labels_the_active_ranker_already_follows_keeps_it(
    cast, market, promoted, django_capture_on_commit_callbacks
):
    """The budget ranker is active; more of the same labels do not replace it."""
    with django_capture_on_commit_callbacks(execute=True):
        again = learning.ranker_train()
    assert not again.promoted
    assert again.model.version == 2
    assert list(RankerModel.objects.filter(is_active=True).values_list("version", flat=True)) == [1]
    assert set(Match.objects.values_list("ranker_version", flat=True)) == {1}


def test_retraining_on_noise_keeps_the_active_ranker(cast, market, promoted, django_capture_on_commit_callbacks):
    """Labels unrelated to the features, ten times over: a candidate fitted to
    noise replaces the budget ranker at most once."""
    assert promoted.promoted
    replaced = 0
    for seed in range(10):
        rng = np.random.default_rng(seed)
        for match in Match.objects.exclude(sme_feedback=""):
            value = Feedback.INTERESTED if rng.random() < 0.5 else Feedback.DISMISSED
            Match.objects.filter(pk=match.pk).update(sme_feedback=value)
        with django_capture_on_commit_callbacks(execute=False):
            outcome = learning.ranker_train()
        if outcome.promoted:
            replaced += 1
            RankerModel.objects.update(is_active=False)
            RankerModel.objects.filter(version=1).update(is_active=True)
    assert replaced <= 1


def test_too_few_labels_train_nothing(cast, market):
    needs = market["needs"][:5]
    for need in needs:
        for match in Match.objects.filter(need=need):
            value = Feedback.INTERESTED if match.capability_id in market["cheap"] else Feedback.DISMISSED
            match_feedback(membership=cast.alice, match=match, side=SME, value=value)
    assert len(learning.training_labels()) == 40 < MIN_LABELS
    outcome = learning.ranker_train()
    assert (outcome.model, outcome.promoted) == (None, False)
    assert not RankerModel.objects.exists()


def test_a_tampered_ranker_falls_back_to_the_prior(cast, market, promoted):
    model = RankerModel.objects.get(is_active=True)
    weights = model.weights
    weights["weights"][FEATURES.index("budget")] = -50.0
    RankerModel.objects.filter(pk=model.pk).update(weights=weights)  # the digest is not updated
    assert not RankerModel.objects.get(pk=model.pk).digest_ok
    assert rankers.scorer_active() == (PRIOR, 0)
    need = market["needs"][0]
    rematch.match_need(need.pk)
    matches = list(Match.objects.filter(need=need))
    assert {m.ranker_version for m in matches} == {0}
    # The prior's calibrated fit of its weighted sums (every candidate of the need is stored here).
    raw = np.array([sum(PRIOR_WEIGHTS[name] * value for name, value in m.features.items()) for m in matches])
    fits = PRIOR_CALIBRATION.probability(raw, np.zeros(len(raw), dtype=int), 1)
    assert [m.score for m in matches] == pytest.approx(fits.tolist(), abs=5e-3)
    assert set(ranking(need)[:4]) == market["dear"]


class TestTrainingLabels:
    def test_sme_and_platform_feedback_are_each_a_label(self, cast, market):
        match = Match.objects.filter(need=market["needs"][0]).first()
        match_feedback(membership=cast.alice, match=match, side=SME, value=Feedback.INTERESTED)
        match_feedback(membership=cast.dan, match=match, side="platform", value=Feedback.DISMISSED)
        labels = learning.training_labels()
        assert sorted(labels.outcomes.tolist()) == [0, 1]
        assert labels.needs.tolist() == [match.need_id, match.need_id]
        expected = [match.features[name] for name in FEATURES]
        assert labels.features.tolist() == [expected, expected]

    def test_taken_back_feedback_is_no_label(self, cast, market):
        match = Match.objects.filter(need=market["needs"][0]).first()
        match_feedback(membership=cast.alice, match=match, side=SME, value=Feedback.INTERESTED)
        match_feedback(membership=cast.alice, match=match, side=SME, value="")
        assert len(learning.training_labels()) == 0

    def test_decided_applications_are_labels(self, cast, market):
        need = market["needs"][0]
        accepted, declined = (Match.objects.get(need=need, rank=rank) for rank in (5, 1))
        second, third = (Match.objects.get(need=need, rank=rank).capability for rank in (2, 3))
        now = timezone.now()
        ApplicationFactory(
            sme=cast.sme, capability=accepted.capability, need=need, status=ApplicationStatus.ACCEPTED,
            decided_at=now,
        )  # fmt: skip
        ApplicationFactory(
            sme=cast.sme, capability=declined.capability, need=need, status=ApplicationStatus.DECLINED,
            decline_reason=DeclineReason.PRICING, decided_at=now,
        )  # fmt: skip
        # Open ones and those made for no need are not outcomes.
        ApplicationFactory(sme=cast.sme, capability=second, need=need)
        ApplicationFactory(sme=cast.sme, capability=third, status=ApplicationStatus.ACCEPTED, decided_at=now)
        # A pair never proposed is scored now.
        Match.objects.filter(pk=declined.pk).delete()
        # Track records are refreshed with each day's matcher: as the next day.
        matcher_cache._cache.matcher = None
        labels = learning.training_labels()
        assert sorted(zip(labels.outcomes.tolist(), labels.needs.tolist(), strict=True)) == [(0, need.pk), (1, need.pk)]
        by_outcome = dict(zip(labels.outcomes.tolist(), labels.features.tolist(), strict=True))
        assert by_outcome[1] == [accepted.features[name] for name in FEATURES]
        # Track record and freshness are as of now; the rest as when it was proposed.
        stable = [i for i, name in enumerate(FEATURES) if name not in ("track_record", "freshness")]
        assert [by_outcome[0][i] for i in stable] == pytest.approx(
            [declined.features[FEATURES[i]] for i in stable], abs=1e-3
        )
        assert by_outcome[0][FEATURES.index("track_record")] == pytest.approx(1 / 3)  # 0 of 1 decided accepted


@pytest.mark.parametrize(
    "change",
    [
        {"features": [name for name in FEATURES if name != "freshness"]},
        {"basis": "cubic"},
        {"weights": [1.0, 2.0]},
    ],
)
def test_an_intact_ranker_that_cannot_be_loaded_falls_back_to_the_prior(cast, market, promoted, change):
    model = RankerModel.objects.get(is_active=True)
    weights = {**model.weights, **change}
    RankerModel.objects.filter(pk=model.pk).update(weights=weights, digest=weights_digest(weights))
    assert RankerModel.objects.get(pk=model.pk).digest_ok
    assert rankers.scorer_active() == (PRIOR, 0)
    need = market["needs"][0]
    assert rematch.match_need(need.pk) == 8
    assert set(Match.objects.filter(need=need).values_list("ranker_version", flat=True)) == {0}
