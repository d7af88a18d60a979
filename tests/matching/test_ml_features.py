"""Pair features and hard filters of the matching core, on hand-made arrays
and records: no database, no Django."""

import numpy as np
import pytest

from matching.ml.features import (
    DAY,
    FEATURES,
    FRESHNESS_HALF_LIFE_DAYS,
    NEUTRAL,
    RELEVANT_TEXT,
    CapabilityTable,
    Codes,
    NeedTable,
    TagVocabulary,
    budget_fit,
    eligible,
    freshness,
    industry_match,
    kind_match,
    pair_features,
    region_match,
    relevance_gate,
    shared_tag_counts,
    size_eligibility,
    tag_overlap,
    text_similarity,
    track_record,
)
from matching.ml.records import CapabilityRecord, NeedRecord

NAN = np.nan


def tables(capabilities, needs):
    """Capability and need tables sharing one Codes and one TagVocabulary, the
    catalogue first (as the matcher builds them)."""
    codes, tags = Codes(), TagVocabulary()
    caps = CapabilityTable(capabilities, codes, tags)
    return caps, NeedTable(needs, codes, tags), codes, tags


def kept(capabilities, need):
    """Ids of the capabilities ``eligible`` keeps for ``need``."""
    caps, needs, _codes, _tags = tables(capabilities, [need])
    mask = eligible(needs, 0, caps, np.arange(len(capabilities)))
    return [record.id for record, keep in zip(capabilities, mask, strict=True) if keep]


# Codes ------------------------------------------------------------------------


def test_codes_give_each_value_its_own_bit_and_the_same_bit_again():
    codes = Codes()
    bits = [codes.bit(value) for value in ("api", "data", "model")]
    assert bits == [1, 2, 4]
    assert codes.bit("data") == 2


def test_codes_give_no_bit_to_the_empty_string():
    codes = Codes()
    assert codes.bit("") == 0
    assert codes.bit("api") == 1  # the empty string used no bit


def test_codes_mask_is_the_union_of_bits_and_empty_for_no_values():
    codes = Codes()
    assert codes.mask([]) == 0
    assert codes.mask(["", ""]) == 0
    assert codes.mask(["a", "b", "a", ""]) == codes.bit("a") | codes.bit("b") == 3


def test_codes_hold_63_values_in_distinct_bits_that_fit_int64_and_refuse_a_64th():
    codes = Codes()
    bits = [codes.bit(f"value-{i}") for i in range(63)]
    assert len(set(bits)) == 63
    assert all(bit & (bit - 1) == 0 for bit in bits)  # one bit each
    assert np.array(bits, dtype=np.int64).max() == 1 << 62
    assert codes.bit("value-0") == 1  # known values still work at the limit
    with pytest.raises(ValueError, match="63"):
        codes.bit("value-63")


# TagVocabulary ----------------------------------------------------------------


def test_tag_vocabulary_folds_case_width_and_surrounding_space():
    vocabulary = TagVocabulary()
    column = vocabulary.add("OCR")
    assert vocabulary.add("ocr") == column
    assert vocabulary.add("ＯＣＲ") == column
    assert vocabulary.add(" Ocr ") == column
    assert vocabulary.add("发票") != column
    # The name shown is the first spelling seen.
    assert vocabulary.names == ["OCR", "发票"]


def test_tag_matrix_counts_a_tag_named_twice_once():
    vocabulary = TagVocabulary()
    matrix = vocabulary.matrix([["OCR", "ocr", "ＯＣＲ", "发票"], []], add=True)
    assert matrix.shape == (2, 2)
    assert matrix.toarray().tolist() == [[1.0, 1.0], [0.0, 0.0]]


def test_tag_matrix_without_add_ignores_tags_outside_the_catalogue():
    vocabulary = TagVocabulary()
    vocabulary.matrix([["OCR"]], add=True)
    needs = vocabulary.matrix([["ｏｃｒ", "blockchain"]], add=False)
    assert vocabulary.names == ["OCR"]
    assert needs.toarray().tolist() == [[1.0]]


def test_shared_tag_counts_match_folded_tags_once_each():
    caps, needs, _codes, _tags = tables(
        [
            CapabilityRecord(1, "a", tags=("OCR", "发票", "OCR")),
            CapabilityRecord(2, "b", tags=("GPU",)),
            CapabilityRecord(3, "c"),
        ],
        [NeedRecord("n", "x", tags=("ｏｃｒ", "发票", "发票", "unknown"))],
    )
    counts = shared_tag_counts(caps=caps, needs=needs, need_rows=np.zeros(3, dtype=int), cap_rows=np.arange(3))
    assert counts.tolist() == [2.0, 0.0, 0.0]


# Feature functions ------------------------------------------------------------


def test_text_similarity_is_clipped_to_the_unit_interval():
    assert text_similarity(np.array([-0.1, 0.0, 0.42, 1.0, 1.2])).tolist() == [0.0, 0.0, 0.42, 1.0, 1.0]


def test_tag_overlap_one_tag_is_half_two_or_more_are_full():
    assert tag_overlap(np.array([0.0, 1.0, 2.0, 5.0])).tolist() == [0.0, 0.5, 1.0, 1.0]


def test_kind_match_exact_shared_missed_and_unnamed():
    api, data, model = 1, 2, 4
    wanted = np.array([api, api | data, api | data | model, data, 0])
    count = np.array([1, 2, 3, 1, 0], dtype=np.float64)
    kind = np.array([api, api, api, api, api])
    assert kind_match(wanted, count, kind).tolist() == pytest.approx([1.0, 0.5, 1 / 3, 0.0, 0.5])


@pytest.mark.parametrize("function", [industry_match, region_match, size_eligibility])
def test_membership_named_open_and_excluded(function):
    guangdong, zhejiang, beijing = 1, 2, 4
    need = np.array([guangdong, guangdong, guangdong, 0, 0])
    allowed = np.array([guangdong | zhejiang, 0, zhejiang | beijing, zhejiang, 0])
    # named; capability open to all; excluded; need does not say; both open
    assert function(need, allowed).tolist() == [1.0, 0.5, 0.0, 0.5, 0.5]


def budget(budget_min, budget_max, price_min, price_max):
    values = [np.array([NAN if v is None else v], dtype=np.float64) for v in (budget_min, budget_max)]
    prices = [np.array([NAN if v is None else v], dtype=np.float64) for v in (price_min, price_max)]
    return float(budget_fit(*values, *prices)[0])


@pytest.mark.parametrize(
    ("budget_min", "budget_max", "price_min", "price_max", "expected"),
    [
        (None, 1000, 200, 800, 1.0),  # inside the budget
        (None, 1000, 1000, 2000, 1.0),  # the cheapest price is exactly the ceiling
        (None, 1000, 500, 5000, 1.0),  # the ranges overlap
        (None, 1000, None, 800, 1.0),  # only a maximum price, within budget
        (2000, None, 800, None, 1.0),  # a budget floor only: no ceiling to exceed
        (None, None, 200, 800, 0.5),  # budget unknown
        (100, 1000, None, None, 0.5),  # price unknown
        (None, None, None, None, 0.5),  # both unknown
    ],
)
def test_budget_fit_meets_and_unknown(budget_min, budget_max, price_min, price_max, expected):
    assert budget(budget_min, budget_max, price_min, price_max) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("budget_min", "budget_max", "price_min", "price_max"),
    [(None, 1000, 0, 0), (None, 1000, 0, None), (None, 1000, None, 0), (0, 0, 0, 0), (None, None, 0, 0)],
)
def test_budget_fit_free_capabilities_always_fit(budget_min, budget_max, price_min, price_max):
    assert budget(budget_min, budget_max, price_min, price_max) == 1.0


def test_budget_fit_falls_with_the_ratio_when_the_cheapest_price_is_above_budget():
    prices = [1250, 2000, 4000, 10000, 100000]
    values = [budget(None, 1000, price, None) for price in prices]
    assert values == pytest.approx([0.4, 0.25, 0.125, 0.05, 0.005])
    assert all(value < 0.5 for value in values)
    assert values == sorted(values, reverse=True)
    # Only the cheapest price counts: a higher maximum changes nothing.
    assert budget(None, 1000, 2000, 9000) == pytest.approx(0.25)
    # A need that can pay nothing and a capability that costs something: no fit at all.
    assert budget(0, 0, 10, 20) == 0.0


def test_budget_fit_is_vectorised_pair_by_pair():
    result = budget_fit(
        np.array([NAN, NAN, NAN]),
        np.array([1000.0, 1000.0, NAN]),
        np.array([500.0, 2000.0, 500.0]),
        np.array([NAN, NAN, NAN]),
    )
    assert result.tolist() == pytest.approx([1.0, 0.25, 0.5])


def test_track_record_is_smoothed_towards_one_half():
    accepted = np.array([0.0, 1.0, 0.0, 10.0, 0.0, 90.0])
    decided = np.array([0.0, 1.0, 1.0, 10.0, 10.0, 100.0])
    values = track_record(accepted, decided)
    assert values.tolist() == pytest.approx([1 / 2, 2 / 3, 1 / 3, 11 / 12, 1 / 12, 91 / 102])
    # Never certain either way, however many decisions.
    assert ((values > 0) & (values < 1)).all()


def test_freshness_halves_every_half_life_and_is_neutral_when_unknown():
    now = 1000 * DAY
    half_life = FRESHNESS_HALF_LIFE_DAYS * DAY
    published = np.array([now, now - half_life, now - 2 * half_life, now - half_life / 2, NAN])
    assert freshness(published, now).tolist() == pytest.approx([1.0, 0.5, 0.25, 2**-0.5, 0.5])


def test_freshness_of_a_future_publication_is_one_not_more():
    now = 1000 * DAY
    assert freshness(np.array([now + DAY, now + 365 * DAY]), now).tolist() == [1.0, 1.0]


# pair_features ----------------------------------------------------------------


def test_an_unknown_pair_without_shared_text_is_all_neutral():
    caps, needs, _codes, _tags = tables([CapabilityRecord(1, "a")], [NeedRecord("n", "b")])
    row = pair_features(needs, caps, np.array([0]), np.array([0]), np.array([0.0], dtype=np.float32), now=1e9)
    assert row.shape == (1, len(FEATURES))
    assert row[0].tolist() == NEUTRAL.tolist()


def test_pair_features_put_each_feature_in_its_named_column():
    now = 1000 * DAY
    caps, needs, _codes, _tags = tables(
        [
            CapabilityRecord(
                1,
                "a",
                kind="api",
                tags=("OCR", "发票"),
                industries=frozenset({"manufacturing"}),
                regions=frozenset({"guangdong"}),
                size_bands=frozenset({"small"}),
                price_min=2000.0,
                accepted=3,
                decided=4,
                published_at=now - FRESHNESS_HALF_LIFE_DAYS * DAY,
            ),
            CapabilityRecord(2, "b", kind="data", industries=frozenset({"finance"})),
        ],
        [
            NeedRecord(
                "n",
                "x",
                kinds=frozenset({"api", "data"}),
                tags=("ocr", "发票"),
                industry="manufacturing",
                region="guangdong",
                size_band="small",
                budget_max=1000.0,
            )
        ],
    )
    rows = pair_features(
        needs, caps, np.array([0, 0]), np.array([0, 1]), np.array([0.7, 0.2], dtype=np.float32), now=now
    )
    first = dict(zip(FEATURES, rows[0], strict=True))
    second = dict(zip(FEATURES, rows[1], strict=True))
    assert first == pytest.approx(
        {
            "text": 0.7,
            "tags": 1.0,
            "kind": 0.5,
            "industry": 1.0,
            "region": 1.0,
            "budget": 0.25,
            "size": 1.0,
            "track_record": 4 / 6,
            "freshness": 0.5,
        }
    )
    assert second == pytest.approx(
        {
            "text": 0.2,
            "tags": 0.0,
            "kind": 0.5,
            "industry": 0.0,
            "region": 0.5,
            "budget": 0.5,
            "size": 0.5,
            "track_record": 0.5,
            "freshness": 0.5,
        }
    )


def test_context_counts_only_as_far_as_the_texts_fit():
    """The same capability, made for the SME's industry and province: with no
    text in common its context is neutral (no fit is made of an industry
    alone), with half the relevant similarity half of it counts, then all."""
    caps, needs, _codes, _tags = tables(
        [CapabilityRecord(1, "a", industries=frozenset({"textiles"}), regions=frozenset({"zhejiang"}))],
        [NeedRecord("n", "b", industry="textiles", region="zhejiang")],
    )
    texts = np.array([0.0, RELEVANT_TEXT / 2, RELEVANT_TEXT, 0.6], dtype=np.float32)
    rows = pair_features(needs, caps, np.zeros(4, dtype=np.int64), np.zeros(4, dtype=np.int64), texts, now=1e9)
    industry, region = FEATURES.index("industry"), FEATURES.index("region")
    assert rows[:, industry].tolist() == pytest.approx([0.5, 0.75, 1.0, 1.0])
    assert rows[:, region].tolist() == pytest.approx([0.5, 0.75, 1.0, 1.0])
    # The gate itself: nothing for no (or a negative) similarity, all from RELEVANT_TEXT on.
    assert relevance_gate(np.array([-0.1, 0.0, RELEVANT_TEXT * 2])).tolist() == [0.0, 0.0, 1.0]


def test_pair_features_of_no_pairs_is_an_empty_matrix():
    caps, needs, _codes, _tags = tables([CapabilityRecord(1, "a")], [NeedRecord("n", "b")])
    empty = np.array([], dtype=np.int64)
    rows = pair_features(needs, caps, empty, empty, np.array([], dtype=np.float32), now=0.0)
    assert rows.shape == (0, len(FEATURES))


def test_every_feature_stays_in_the_unit_interval():
    rng = np.random.default_rng(11)
    n = 500
    budget_max = np.where(rng.random(n) < 0.3, NAN, rng.uniform(0, 5000, n))
    price_min = np.where(rng.random(n) < 0.3, NAN, rng.uniform(0, 5000, n))
    price_max = np.where(rng.random(n) < 0.3, NAN, rng.uniform(0, 9000, n))
    values = [
        budget_fit(np.full(n, NAN), budget_max, price_min, price_max),
        track_record(rng.integers(0, 50, n).astype(float), rng.integers(50, 100, n).astype(float)),
        freshness(np.where(rng.random(n) < 0.2, NAN, rng.uniform(0, 2000 * DAY, n)), 1000 * DAY),
        tag_overlap(rng.integers(0, 6, n).astype(float)),
    ]
    for column in values:
        assert np.isfinite(column).all()
        assert ((column >= 0) & (column <= 1)).all()


# eligible: the hard filters ---------------------------------------------------


def test_eligible_keeps_only_the_kinds_a_need_names():
    catalogue = [
        CapabilityRecord(1, "a", kind="api"),
        CapabilityRecord(2, "b", kind="data"),
        CapabilityRecord(3, "c", kind="model"),
        CapabilityRecord(4, "d"),  # no kind given
    ]
    assert kept(catalogue, NeedRecord("n", "x", kinds=frozenset({"api", "model"}))) == [1, 3]
    assert kept(catalogue, NeedRecord("n", "x", kinds=frozenset({"tool"}))) == []


def test_eligible_keeps_every_kind_when_a_need_names_none():
    catalogue = [CapabilityRecord(1, "a", kind="api"), CapabilityRecord(2, "b", kind="data"), CapabilityRecord(3, "c")]
    assert kept(catalogue, NeedRecord("n", "x")) == [1, 2, 3]


def test_eligible_offers_regional_capabilities_only_in_their_provinces():
    catalogue = [
        CapabilityRecord(1, "national"),
        CapabilityRecord(2, "guangdong", regions=frozenset({"guangdong"})),
        CapabilityRecord(3, "delta", regions=frozenset({"zhejiang", "jiangsu", "shanghai"})),
    ]
    assert kept(catalogue, NeedRecord("n", "x", region="guangdong")) == [1, 2]
    assert kept(catalogue, NeedRecord("n", "x", region="jiangsu")) == [1, 3]
    assert kept(catalogue, NeedRecord("n", "x", region="xinjiang")) == [1]
    # A need that says nowhere sees only the nationwide listings.
    assert kept(catalogue, NeedRecord("n", "x")) == [1]


def test_eligible_checks_size_bands():
    catalogue = [
        CapabilityRecord(1, "any size"),
        CapabilityRecord(2, "small firms", size_bands=frozenset({"micro", "small"})),
        CapabilityRecord(3, "large firms", size_bands=frozenset({"large"})),
    ]
    assert kept(catalogue, NeedRecord("n", "x", size_band="micro")) == [1, 2]
    assert kept(catalogue, NeedRecord("n", "x", size_band="large")) == [1, 3]
    assert kept(catalogue, NeedRecord("n", "x", size_band="medium")) == [1]
    assert kept(catalogue, NeedRecord("n", "x")) == [1]


def test_eligible_requires_verification_only_where_the_capability_asks_for_it():
    catalogue = [CapabilityRecord(1, "open"), CapabilityRecord(2, "verified only", requires_verification=True)]
    assert kept(catalogue, NeedRecord("n", "x", verified=False)) == [1]
    assert kept(catalogue, NeedRecord("n", "x", verified=True)) == [1, 2]


def test_eligible_applies_all_filters_together_on_a_subset_of_columns():
    catalogue = [
        CapabilityRecord(0, "a", kind="api", regions=frozenset({"guangdong"})),
        CapabilityRecord(1, "b", kind="api", regions=frozenset({"zhejiang"})),
        CapabilityRecord(2, "c", kind="data"),
        CapabilityRecord(3, "d", kind="api", requires_verification=True),
        CapabilityRecord(4, "e", kind="api", size_bands=frozenset({"small"})),
        CapabilityRecord(5, "f", kind="api"),
    ]
    caps, needs, _codes, _tags = tables(
        catalogue, [NeedRecord("n", "x", kinds=frozenset({"api"}), region="guangdong", size_band="medium")]
    )
    columns = np.array([5, 4, 3, 2, 1, 0])
    assert eligible(needs, 0, caps, columns).tolist() == [True, False, False, False, False, True]


def test_needs_do_not_widen_each_other_in_one_batch():
    catalogue = [CapabilityRecord(1, "gd", regions=frozenset({"guangdong"})), CapabilityRecord(2, "all")]
    caps, needs, _codes, _tags = tables(
        catalogue, [NeedRecord("a", "x", region="guangdong"), NeedRecord("b", "x", region="hunan")]
    )
    columns = np.arange(2)
    assert eligible(needs, 0, caps, columns).tolist() == [True, True]
    assert eligible(needs, 1, caps, columns).tolist() == [False, True]


def test_a_blank_kind_is_the_same_as_no_kind():
    caps, needs, _codes, _tags = tables(
        [CapabilityRecord(1, "a", kind="api")], [NeedRecord("n", "x", kinds=frozenset({""}))]
    )
    assert eligible(needs, 0, caps, np.arange(1)).tolist() == [True]
    assert kind_match(needs.kinds, needs.kind_count, caps.kind).tolist() == [0.5]
