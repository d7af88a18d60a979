"""Matcher.match end to end on small catalogues: order, limits, hard filters,
ties and reasons. No database, no Django."""

import numpy as np
import pytest

from matching.ml.calibration import PRIOR_CALIBRATION
from matching.ml.engine import MAX_REASONS, MIN_REASON, NOT_REASONS, Matcher
from matching.ml.features import DAY, FEATURES, NEUTRAL
from matching.ml.ranker import PRIOR
from matching.ml.records import CapabilityRecord, NeedRecord
from matching.ml.text import terms

NOW = 20_000 * DAY

CATALOGUE = [
    CapabilityRecord(
        1,
        "增值税发票 OCR 识别接口",
        "Invoice OCR API for VAT invoices",
        kind="api",
        tags=("OCR", "发票"),
    ),
    CapabilityRecord(
        2,
        "冷链物流路线规划",
        "Route optimisation for cold-chain delivery",
        kind="tool",
        tags=("物流", "Route planning"),
    ),
    CapabilityRecord(3, "GPU 算力租用", "A100 computing power by the hour", kind="compute", tags=("GPU", "算力")),
    CapabilityRecord(
        4,
        "工业质检视觉模型",
        "Defect detection for metal parts",
        kind="model",
        tags=("质检",),
        industries=frozenset({"manufacturing"}),
    ),
    CapabilityRecord(
        5,
        "广东中小企业发票 OCR 补贴",
        "Subsidised invoice OCR for small firms in Guangdong",
        kind="api",
        tags=("OCR",),
        regions=frozenset({"guangdong"}),
        size_bands=frozenset({"micro", "small"}),
    ),
    CapabilityRecord(
        6,
        "企业级发票 OCR 私有部署",
        "On-premise invoice OCR for verified firms",
        kind="api",
        requires_verification=True,
        price_min=5000.0,
    ),
]
BY_ID = {record.id: record for record in CATALOGUE}


@pytest.fixture(scope="module")
def matcher():
    return Matcher(CATALOGUE)


def is_eligible(need: NeedRecord, capability: CapabilityRecord) -> bool:
    """The hard filters, restated on records."""
    if need.kinds and capability.kind not in need.kinds:
        return False
    if capability.regions and need.region not in capability.regions:
        return False
    if capability.size_bands and need.size_band not in capability.size_bands:
        return False
    return need.verified or not capability.requires_verification


def check_reasons(proposal):
    """What every reason list must satisfy: at most three, each a feature that
    moved the score up from its neutral value, biggest contribution first."""
    reasons = proposal.reasons
    assert len(reasons) <= MAX_REASONS
    codes = [reason["code"] for reason in reasons]
    assert len(set(codes)) == len(codes)
    values = np.array([proposal.features[name] for name in FEATURES])
    contributions = dict(zip(FEATURES, PRIOR.contributions(values[None, :])[0], strict=True))
    for code in codes:
        assert code in FEATURES
        assert proposal.features[code] != NEUTRAL[FEATURES.index(code)]
        assert contributions[code] >= MIN_REASON - 1e-3
    assert [contributions[code] for code in codes] == sorted((contributions[code] for code in codes), reverse=True)
    # Nothing with a clearly larger contribution was left out.
    assert not set(codes) & set(NOT_REASONS)
    if len(reasons) < MAX_REASONS:
        left_out = [v for name, v in contributions.items() if name not in codes and name not in NOT_REASONS]
        assert all(value < MIN_REASON + 1e-3 for value in left_out)


def reason(proposal, code):
    matching = [r for r in proposal.reasons if r["code"] == code]
    assert matching, f"no {code} reason in {proposal.reasons}"
    return matching[0]


# Order, limits, filters -------------------------------------------------------


def test_results_are_best_first_ranked_one_to_n_and_at_most_k(matcher):
    needs = [NeedRecord("a", "invoice OCR 发票识别"), NeedRecord("b", "route delivery GPU computing")]
    for k in (1, 2, 3, 20):
        for need, proposals in zip(needs, matcher.match(needs, k=k, now=NOW), strict=True):
            assert 0 < len(proposals) <= k
            assert [p.rank for p in proposals] == list(range(1, len(proposals) + 1))
            assert [p.score for p in proposals] == sorted((p.score for p in proposals), reverse=True)
            assert all(p.need_id == need.id for p in proposals)
            assert len({p.capability_id for p in proposals}) == len(proposals)


def test_the_score_is_the_calibrated_fit_of_the_scorer_applied_to_the_features():
    matcher = Matcher(CATALOGUE, relevance_floor=0.0)
    proposals = matcher.match([NeedRecord("a", "invoice OCR 发票识别")], now=NOW)[0]
    raw = PRIOR.score(np.array([[proposal.features[name] for name in FEATURES] for proposal in proposals]))
    # Every candidate is proposed (no floor), so the proposals are the need's whole context.
    fit = PRIOR_CALIBRATION.probability(raw, np.zeros(len(raw), dtype=int), 1)
    assert [proposal.score for proposal in proposals] == pytest.approx(fit.tolist(), abs=1e-4)
    assert [proposal.score for proposal in proposals] == sorted(
        (proposal.score for proposal in proposals), reverse=True
    )


@pytest.mark.parametrize(
    "need",
    [
        NeedRecord("plain", "发票 OCR invoice"),
        NeedRecord("gd-small", "发票 OCR invoice", region="guangdong", size_band="small"),
        NeedRecord("gd-large", "发票 OCR invoice", region="guangdong", size_band="large"),
        NeedRecord("zj-micro", "发票 OCR invoice", region="zhejiang", size_band="micro"),
        NeedRecord("verified", "发票 OCR invoice", verified=True, region="guangdong", size_band="micro"),
        NeedRecord("api-only", "发票 OCR invoice 算力 GPU 质检 物流", kinds=frozenset({"api"})),
        NeedRecord("two-kinds", "发票 OCR invoice 算力 GPU 质检 物流", kinds=frozenset({"compute", "model"})),
        NeedRecord("absent-kind", "发票 OCR invoice", kinds=frozenset({"expertise"})),
    ],
    ids=lambda need: need.id,
)
def test_never_an_ineligible_capability(matcher, need):
    proposals = matcher.match([need], k=20, now=NOW)[0]
    found = [p.capability_id for p in proposals]
    assert all(is_eligible(need, BY_ID[identifier]) for identifier in found)
    # And every eligible capability about invoices is there: the filter removes no more.
    about_invoices = [c.id for c in CATALOGUE if "发票" in c.title and is_eligible(need, c)]
    assert set(about_invoices) <= set(found)


def test_regional_and_verified_capabilities_appear_only_for_those_they_serve(matcher):
    plain, local, verified = matcher.match(
        [
            NeedRecord("plain", "发票 OCR"),
            NeedRecord("local", "发票 OCR", region="guangdong", size_band="micro"),
            NeedRecord("verified", "发票 OCR", verified=True),
        ],
        now=NOW,
    )
    assert {p.capability_id for p in plain} & {5, 6} == set()
    assert 5 in {p.capability_id for p in local}
    assert 6 not in {p.capability_id for p in local}
    assert 6 in {p.capability_id for p in verified}


def test_a_batch_gives_each_need_what_it_would_get_alone(matcher):
    needs = [
        NeedRecord("a", "发票识别", region="guangdong", size_band="small"),
        NeedRecord("b", "GPU computing power"),
        NeedRecord("c", "nothing in common here xyzzy"),
        NeedRecord("d", "质检 defect detection", kinds=frozenset({"model"})),
    ]
    together = matcher.match(needs, now=NOW)
    alone = [matcher.match([need], now=NOW)[0] for need in needs]
    reversed_batch = matcher.match(needs[::-1], now=NOW)[::-1]
    assert together == alone == reversed_batch


def test_ties_go_to_catalogue_order_and_repeat_exactly():
    catalogue = [CapabilityRecord(identifier, "发票 OCR 识别") for identifier in ("e", "b", "d", "a", "c")]
    matcher = Matcher(catalogue)
    need = NeedRecord("n", "发票 OCR")
    first = matcher.match([need], k=5, now=NOW)[0]
    assert [p.capability_id for p in first] == ["e", "b", "d", "a", "c"]
    assert len({p.score for p in first}) == 1
    assert matcher.match([need], k=5, now=NOW)[0] == first
    assert Matcher(catalogue).match([need], k=5, now=NOW)[0] == first
    # A shallower search keeps the first in catalogue order too.
    assert [p.capability_id for p in matcher.match([need], k=2, depth=2, now=NOW)[0]] == ["e", "b"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们需要识别增值税发票", 1),
        ("scan supplier invoices automatically", 1),
        ("冷链配送路线优化", 2),
        ("cold-chain delivery routes", 2),
        ("GPU compute rental by the hour", 3),
        ("租用 GPU 算力训练模型", 3),
        ("金属零件质检", 4),
        ("visual defect inspection 质检", 4),
        ("metal parts defect detection", 4),
    ],
)
def test_chinese_english_and_mixed_needs_find_their_capability(matcher, text, expected):
    proposals = matcher.match([NeedRecord("n", text)], now=NOW)[0]
    assert proposals, "no proposal at all"
    assert proposals[0].capability_id == expected
    if len(proposals) > 1:
        assert proposals[0].score > proposals[1].score


def test_a_need_with_no_similar_text_gets_no_proposals(matcher):
    assert matcher.match([NeedRecord("n", "区块链溯源")], now=NOW) == [[]]
    assert matcher.match([NeedRecord("n", "")], now=NOW) == [[]]
    assert matcher.match([NeedRecord("n", "。，！？")], now=NOW) == [[]]


def test_an_empty_needs_list_gives_an_empty_list(matcher):
    assert matcher.match([], now=NOW) == []


def test_without_explanations_the_ranking_is_the_same_and_reasons_are_empty(matcher):
    needs = [NeedRecord("a", "invoice OCR 发票识别"), NeedRecord("b", "GPU 算力")]
    explained = matcher.match(needs, now=NOW)
    bare = matcher.match(needs, now=NOW, explain=False)
    for left, right in zip(explained, bare, strict=True):
        assert [(p.capability_id, p.score, p.rank) for p in left] == [(p.capability_id, p.score, p.rank) for p in right]
        assert all(p.reasons == [] for p in right)


# Reasons -----------------------------------------------------------------------


def test_reasons_are_at_most_three_known_codes_and_never_a_neutral_feature(matcher):
    needs = [
        NeedRecord("a", "发票 OCR invoice", tags=("ｏｃｒ", "发票"), kinds=frozenset({"api"}), budget_max=9000.0),
        NeedRecord("b", "GPU 算力", tags=("gpu",), region="guangdong", size_band="micro", industry="manufacturing"),
        NeedRecord("c", "质检 defect detection", industry="manufacturing", tags=("质检",), budget_max=1.0),
        NeedRecord("d", "冷链物流 route planning"),
    ]
    count = 0
    for proposals in matcher.match(needs, now=NOW):
        for proposal in proposals:
            check_reasons(proposal)
            count += 1
    assert count >= len(needs)


def test_three_reasons_when_many_features_speak_for_the_pair(matcher):
    need = NeedRecord(
        "n",
        "广东中小企业发票 OCR 补贴",
        tags=("ocr", "发票"),
        kinds=frozenset({"api"}),
        industry="manufacturing",
        region="guangdong",
        size_band="small",
        budget_max=100.0,
    )
    top = matcher.match([need], now=NOW)[0][0]
    check_reasons(top)
    assert top.capability_id == 5
    # Five features speak for it (text, tags, region, kind, size); the three largest are shown.
    assert [r["code"] for r in top.reasons] == ["text", "tags", "region"]
    assert top.features["kind"] == 1.0
    assert top.features["size"] == 1.0


def test_text_reason_carries_the_similarity_and_shared_words(matcher):
    need = NeedRecord("n", "scan VAT invoices with OCR")
    top = matcher.match([need], now=NOW)[0][0]
    assert top.capability_id == 1
    text = reason(top, "text")
    assert set(text) == {"code", "similarity", "words"}
    assert text["similarity"] == pytest.approx(top.features["text"], abs=0.01)
    assert 0 < len(text["words"]) <= 3
    shared = set(terms(need.text)) & set(terms(BY_ID[1].text))
    assert set(text["words"]) <= shared
    assert set(text["words"]) & {"ocr", "vat", "invoices", "vat invoices"}


def test_text_reason_words_for_chinese_are_whole_words_both_texts_contain(matcher):
    need = NeedRecord("n", "我们需要识别增值税发票")
    top = matcher.match([need], now=NOW)[0][0]
    words = reason(top, "text")["words"]
    # The pairs 增值, 值税, 税发, 发票 stand for the segmenter's words 增值税 and 发票,
    # one phrase in both texts; 税发 alone stands for nothing.
    assert "增值税发票" in words
    assert "税发" not in words
    assert all(word in need.text and word in BY_ID[top.capability_id].text for word in words)
    assert "需要" not in words and "我们" not in words


def test_tags_reason_names_the_shared_tags_as_the_catalogue_writes_them(matcher):
    top = matcher.match([NeedRecord("n", "发票 OCR", tags=("ｏｃｒ", "发票", "blockchain"))], now=NOW)[0][0]
    assert top.capability_id == 1
    assert top.features["tags"] == 1.0
    assert reason(top, "tags") == {"code": "tags", "tags": ["OCR", "发票"]}


def test_region_and_size_reasons_carry_the_needs_codes(matcher):
    need = NeedRecord("n", "广东中小企业发票 OCR 补贴", region="guangdong", size_band="small")
    top = matcher.match([need], now=NOW)[0][0]
    assert top.capability_id == 5
    assert reason(top, "region") == {"code": "region", "region": "guangdong"}
    assert reason(top, "size") == {"code": "size", "size": "small"}
    check_reasons(top)


def test_industry_reason_carries_the_needs_industry(matcher):
    top = matcher.match([NeedRecord("n", "工业质检视觉模型", industry="manufacturing")], now=NOW)[0][0]
    assert top.capability_id == 4
    assert reason(top, "industry") == {"code": "industry", "industry": "manufacturing"}


def test_the_kind_wanted_is_never_a_reason_for_fit(matcher):
    # It raises the score (wanting one kind is sharper) but says nothing the SME did not choose.
    top = matcher.match([NeedRecord("n", "GPU 算力租用", kinds=frozenset({"compute"}))], now=NOW)[0][0]
    assert top.capability_id == 3
    assert top.features["kind"] > NEUTRAL[FEATURES.index("kind")]
    assert "kind" not in [r["code"] for r in top.reasons]


def test_no_reason_for_features_at_their_neutral_value(matcher):
    # Nothing known about the need beyond its text, nothing restricted on capability 1.
    top = matcher.match([NeedRecord("n", "增值税发票 OCR 识别接口")], now=NOW)[0][0]
    assert top.capability_id == 1
    assert [r["code"] for r in top.reasons] == ["text"]
    for name in FEATURES[2:]:
        assert top.features[name] == NEUTRAL[FEATURES.index(name)]


def test_budget_and_track_record_reasons_carry_their_values_and_age_is_no_reason():
    catalogue = [
        CapabilityRecord(
            "priced",
            "发票 OCR",
            price_min=100.0,
            price_max=300.0,
            accepted=9,
            decided=10,
            published_at=NOW - 10 * DAY,
        ),
        CapabilityRecord("proven", "发票 OCR 识别", accepted=19, decided=20, published_at=NOW - 3 * DAY),
    ]
    matcher = Matcher(catalogue)
    with_budget, without_budget = matcher.match(
        [NeedRecord("a", "发票 OCR", budget_max=500.0), NeedRecord("b", "发票 OCR 识别")], now=NOW
    )
    priced = next(p for p in with_budget if p.capability_id == "priced")
    assert [r["code"] for r in priced.reasons] == ["text", "budget", "track_record"]
    assert reason(priced, "budget") == {"code": "budget", "price_min": 100.0, "price_max": 300.0}
    proven = next(p for p in without_budget if p.capability_id == "proven")
    assert [r["code"] for r in proven.reasons] == ["text", "track_record"]
    assert reason(proven, "track_record") == {"code": "track_record", "accepted": 19, "decided": 20}
    # Both were listed days ago and freshness raised their scores, but age is no reason for fit.
    assert proven.features["freshness"] > NEUTRAL[FEATURES.index("freshness")]
    for proposal in with_budget + without_budget:
        check_reasons(proposal)


def test_a_price_far_above_budget_ranks_below_an_affordable_twin():
    catalogue = [
        CapabilityRecord("dear", "发票 OCR 识别", price_min=10000.0),
        CapabilityRecord("cheap", "发票 OCR 识别", price_min=100.0),
    ]
    proposals = Matcher(catalogue, relevance_floor=0.0).match([NeedRecord("n", "发票 OCR", budget_max=500.0)], now=NOW)[
        0
    ]
    assert [p.capability_id for p in proposals] == ["cheap", "dear"]
    assert "budget" not in [r["code"] for r in proposals[1].reasons]


# Regressions and known bugs -----------------------------------------------------


def test_a_batch_where_a_need_has_more_candidates_than_the_depth():
    # Regression: retrieval once rebound its filter argument after the first such need.
    matcher = Matcher([CapabilityRecord(i, "invoice OCR") for i in range(3)])
    needs = [NeedRecord("a", "invoice OCR"), NeedRecord("b", "invoice OCR")]
    result = matcher.match(needs, k=1, depth=1, now=NOW)
    assert [[p.capability_id for p in row] for row in result] == [[0], [0]]


@pytest.mark.parametrize("catalogue", [[], [CapabilityRecord(1, "")], [CapabilityRecord(1, "——")]])
def test_a_catalogue_without_text_matches_nothing(catalogue):
    matcher = Matcher(catalogue)
    assert matcher.match([NeedRecord("n", "发票 OCR")], now=NOW) == [[]]
    assert matcher.match([], now=NOW) == []


def test_a_catalogue_using_every_choice_value():
    kinds = [f"kind-{i}" for i in range(6)]
    industries = [f"industry-{i}" for i in range(20)]
    provinces = [f"province-{i}" for i in range(34)]
    sizes = ["micro", "small", "medium", "large"]
    catalogue = [
        CapabilityRecord(
            i,
            f"发票 OCR {i}",
            kind=kinds[i % 6],
            industries=frozenset({industries[i % 20]}),
            regions=frozenset({provinces[i]}),
            size_bands=frozenset({sizes[i % 4]}),
        )
        for i in range(34)
    ]
    matcher = Matcher(catalogue)
    need = NeedRecord("n", "发票 OCR", region="province-0", size_band="micro", industry="industry-0")
    assert [p.capability_id for p in matcher.match([need], now=NOW)[0]] == [0]


def test_a_need_of_several_sentences_is_also_compared_sentence_by_sentence(monkeypatch):
    """A request that says who the firm is and then what it needs: the
    capability that fits the one sentence of need gains from that sentence's
    own similarity; a need of one sentence is judged on its whole text only."""
    from matching.ml import engine

    capabilities = [
        CapabilityRecord(id=1, title="VAT invoice OCR", description="Reads scanned VAT invoices into data."),
        CapabilityRecord(id=2, title="Bakery staff rotas", description="Rotas for small family bakeries in Suzhou."),
    ]
    several = NeedRecord(
        id=1, text="We are a small family bakery in Suzhou with twelve staff. We need OCR for scanned invoices."
    )
    one = NeedRecord(id=2, text="We need OCR for scanned invoices")

    def text_similarity(share):
        monkeypatch.setattr(engine, "BEST_SENTENCE", share)
        found = engine.Matcher(capabilities, relevance_floor=0).match([several, one], now=NOW)
        return [{p.capability_id: p.features["text"] for p in row} for row in found]

    share = engine.BEST_SENTENCE
    whole, blended = text_similarity(0.0), text_similarity(share)
    assert blended[0][1] > whole[0][1] + 0.03
    assert blended[0][1] - whole[0][1] > blended[0][2] - whole[0][2]
    assert blended[1] == whole[1]


def test_one_capability_against_every_need_blends_sentences_as_pairs_do():
    """``text_to`` (a capability against all needs, one product) gives what
    ``pair_text`` gives pair by pair, for needs of one and of several sentences."""
    rng = np.random.default_rng(1)
    words = ["invoice", "ocr", "gpu", "rental", "fabric", "defect", "route", "cold", "chain", "staff"]
    capabilities = [
        CapabilityRecord(id=i, title=" ".join(rng.choice(words, 3)), description=" ".join(rng.choice(words, 6)))
        for i in range(12)
    ]
    needs = [
        NeedRecord(id=i, text=". ".join(" ".join(rng.choice(words, 4)) for _ in range(1 + i % 3))) for i in range(15)
    ]
    matcher = Matcher(capabilities, relevance_floor=0)
    queries, _table = matcher.prepare(needs)
    assert queries.sentences is not None
    rows = np.arange(len(needs))
    for position in range(len(capabilities)):
        expected = matcher.pair_text(queries, rows, np.full(len(needs), position))
        assert matcher.text_to(queries, position) == pytest.approx(expected, abs=1e-6)
