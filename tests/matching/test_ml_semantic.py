"""The semantic view: the encoder interface, dense retrieval, the fusion of
the two views, and the matcher finding what shares no word with the need."""

import numpy as np
import pytest

from matching.ml.encoder import HashingEncoder, UniversalSentenceEncoder, encoder_for, listing_text
from matching.ml.engine import Matcher
from matching.ml.fusion import FusionConfig, fuse, fusion_parts
from matching.ml.records import CapabilityRecord, NeedRecord
from matching.ml.retrieval import DenseIndex
from matching.ml.text import chinese_share

NOW = 1_728_000_000.0


# -- the encoder interface ---------------------------------------------------------


def test_hashing_encoder_gives_unit_rows_and_zero_rows_for_empty_text():
    rows = HashingEncoder(dim=32).encode(["invoice OCR", "", "invoice OCR"])
    assert rows.shape == (3, 32) and rows.dtype == np.float32
    assert np.isclose(np.linalg.norm(rows[0]), 1.0)
    assert not rows[1].any()
    assert np.array_equal(rows[0], rows[2])


def test_encoder_for_knows_its_names_and_refuses_others():
    assert isinstance(encoder_for("use"), UniversalSentenceEncoder)
    assert isinstance(encoder_for("hashing"), HashingEncoder)
    with pytest.raises(ValueError, match="unknown encoder"):
        encoder_for("bert")


def test_listing_text_reads_title_tags_and_the_opening_of_the_description():
    text = listing_text("Fabric defect model", "q" * 1000, ["vision", "textile"])
    assert text.startswith("Fabric defect model vision textile ")
    assert text.count("q") == 300


def test_the_real_encoder_places_a_chinese_need_next_to_its_english_capability():
    """The production model, once: meaning crosses languages (the lexical view cannot)."""
    encoder = UniversalSentenceEncoder()
    need, fitting, other = encoder.encode(
        ["布匹瑕疵自动检测", "Automatic fabric defect inspection", "GPU rental by the hour"]
    )
    assert np.isclose(np.linalg.norm(need), 1.0, atol=1e-5)
    assert need @ fitting > need @ other + 0.1


# -- dense retrieval ------------------------------------------------------------------


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_dense_search_is_the_brute_force_top_k_with_filters_and_ties_by_lower_row():
    rng = np.random.default_rng(3)
    corpus = _unit(rng.normal(size=(50, 8)))
    corpus[7] = corpus[3]  # a tie: the lower row first
    queries = np.vstack([corpus[3], _unit(rng.normal(size=(4, 8)))])
    keep = lambda row, columns: columns % 5 != 0  # noqa: E731
    indices, scores = DenseIndex(corpus).search(queries, 6, keep=keep)
    for row, query in enumerate(queries):
        similarity = corpus @ query
        allowed = [c for c in range(50) if c % 5 != 0 and similarity[c] > 0]
        expected = sorted(allowed, key=lambda c: (-similarity[c], c))[:6]
        got = [c for c in indices[row].tolist() if c >= 0]
        assert got == expected
        assert np.allclose(scores[row, : len(got)], similarity[expected], atol=1e-6)
    assert indices[0, :2].tolist() == [3, 7]


def test_dense_parts_pool_keeps_the_best_n_per_part_and_a_floor_for_the_rest():
    rng = np.random.default_rng(5)
    corpus = _unit(rng.normal(size=(40, 6)))
    parts = [np.arange(0, 20), np.arange(20, 40)]
    queries = _unit(rng.normal(size=(3, 6)))
    pool = DenseIndex(corpus, parts).search_parts(queries, 4, [np.array([0, 1]), np.array([1, 2])])
    for query, part in ((0, 0), (1, 0), (1, 1), (2, 1)):
        similarity = corpus[parts[part]] @ queries[query]
        kept = pool.corpus_rows[pool.query_rows == query]
        kept = kept[np.isin(kept, parts[part])]
        best = parts[part][np.argsort(-similarity)[:4]]
        assert set(kept.tolist()) == {int(row) for row in best if corpus[row] @ queries[query] > 0}
        left_out = np.setdiff1d(parts[part], kept)
        assert (corpus[left_out] @ queries[query] <= pool.floor[query] + 1e-6).all()
    exact = DenseIndex(corpus, parts).search_parts(
        queries, 1, [np.array([0]), np.array([], dtype=np.int64)], exact=True
    )
    assert len(exact) == int((corpus[:20] @ queries[0] > 0).sum())


def test_dense_parts_are_stored_once_when_they_nest_and_search_as_copies_would():
    """A province's all-kinds part holds its kind parts: one layout serves
    them all (a row in two provinces is stored twice, no row more), and each
    part still finds its own best rows."""
    rng = np.random.default_rng(9)
    corpus = _unit(rng.normal(size=(30, 5)))
    north, south = np.arange(0, 18), np.arange(12, 30)  # rows 12..17 in both provinces
    parts = [north, north[north % 2 == 0], north[north % 2 == 1], south, south[south % 2 == 0], south[south % 2 == 1]]
    index = DenseIndex(corpus, parts)
    assert index.nbytes < corpus.nbytes * 1.3 + 1000
    assert np.array_equal(index.vectors(np.arange(30)), corpus)
    queries = _unit(rng.normal(size=(2, 5)))
    # Each query searches parts that do not overlap: 0 the even north and the odd south, 1 the others.
    zero, one = np.array([0]), np.array([1])
    empty = np.array([], dtype=np.int64)
    wanted = [empty, zero, one, empty, one, zero]
    pool = index.search_parts(queries, 3, wanted)
    for query, part in ((0, 1), (0, 5), (1, 2), (1, 4)):
        rows = parts[part]
        expected = {int(rows[i]) for i in np.argsort(-(corpus[rows] @ queries[query]))[:3]}
        expected = {row for row in expected if corpus[row] @ queries[query] > 0}
        found = set(pool.corpus_rows[pool.query_rows == query].tolist()) & set(rows.tolist())
        assert found == expected


# -- fusion ---------------------------------------------------------------------------


def test_chinese_share_counts_characters_against_latin_words():
    assert chinese_share("Invoice OCR API") == 0.0
    assert chinese_share("发票识别") == 1.0
    assert chinese_share("用 OCR 识别发票") == pytest.approx(5 / 6)
    assert chinese_share("2026 / 100") == 0.0


def test_fusion_grows_with_either_view_within_one_language():
    config = FusionConfig()
    lexical = np.array([0.0, 0.2, 0.4, 0.4])
    semantic = np.array([0.5, 0.5, 0.5, 0.7])
    same = np.zeros(4)
    fused = fuse(lexical, semantic, same, same, config)
    assert (np.diff(fused) > 0).all()


def test_across_languages_shared_words_cannot_drag_a_pair_below_its_meaning():
    """A Chinese need and an English capability that mean the same thing keep
    ``cross_language`` of their (powered) semantic similarity, however few
    words they share; within one language the same pair is judged on both views."""
    config = FusionConfig(cross_language=0.5)
    meaning = 0.8**config.semantic_power
    cross = fuse(np.array([0.0]), np.array([0.8]), np.array([1.0]), np.array([0.0]), config)[0]
    assert cross == pytest.approx(config.cross_language * meaning)
    same = fuse(np.array([0.0]), np.array([0.8]), np.array([1.0]), np.array([1.0]), config)[0]
    assert same == pytest.approx((1 - config.lexical_weight_chinese) * meaning)
    assert cross > same
    # Shared words still raise a pair across languages once they outweigh the floor.
    assert fuse(np.array([0.9]), np.array([0.8]), np.array([1.0]), np.array([0.0]), config)[0] > cross
    # Negative cosines count as no similarity.
    assert fuse(np.array([0.1]), np.array([-0.5]), np.array([0.0]), np.array([0.0]), config)[0] == pytest.approx(
        config.lexical_weight_english * 0.1
    )


def test_meaning_weighs_more_between_chinese_texts_than_between_english_ones():
    config = FusionConfig()
    lexical, semantic = np.array([0.1]), np.array([0.7])
    english = fuse(lexical, semantic, np.array([0.0]), np.array([0.0]), config)[0]
    chinese = fuse(lexical, semantic, np.array([1.0]), np.array([1.0]), config)[0]
    assert chinese > english
    parts = fusion_parts(lexical, semantic, np.array([0.0]), np.array([0.0]), config)
    assert parts.lexical[0] == pytest.approx(config.lexical_weight_english * 0.1)
    assert parts.lexical[0] + parts.semantic[0] == pytest.approx(english)


def test_the_semantic_power_keeps_unrelated_texts_from_adding_up():
    """Cosines of unrelated texts sit around 0.2–0.3: powered, they count for
    less, relative to a close pair, than as they are."""
    plain, powered = FusionConfig(semantic_power=1.0), FusionConfig()
    unrelated, close = np.array([0.0, 0.0]), np.array([0.25, 0.8])
    same = np.zeros(2)
    ratio_plain = np.divide(*fuse(unrelated, close, same, same, plain)[::-1])
    ratio_powered = np.divide(*fuse(unrelated, close, same, same, powered)[::-1])
    assert ratio_powered > ratio_plain


def test_fusion_weights_are_checked():
    with pytest.raises(ValueError):
        FusionConfig(lexical_weight_english=1.5)
    with pytest.raises(ValueError):
        FusionConfig(cross_language=-0.1)
    with pytest.raises(ValueError):
        FusionConfig(semantic_power=0)


# -- the matcher with both views ----------------------------------------------------------


class TableEncoder:
    """Meaning by hand: each text's vector is looked up, so a test can say what
    means what without a model."""

    name = "table/1"
    dim = 3

    def __init__(self, meanings: dict[str, list[float]]):
        self.meanings = meanings

    def encode(self, texts):
        rows = np.array([self.meanings.get(text, [0.0, 0.0, 1.0]) for text in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


CATALOGUE = [
    CapabilityRecord(id="defects", title="Fabric defect inspection model", kind="model"),
    CapabilityRecord(id="gpu", title="GPU rental by the hour", kind="compute"),
    CapabilityRecord(id="ocr", title="Invoice OCR API", kind="api"),
]
MEANINGS = {
    listing_text("Fabric defect inspection model"): [1.0, 0.0, 0.0],
    listing_text("GPU rental by the hour"): [0.0, 1.0, 0.0],
    listing_text("Invoice OCR API"): [0.0, 0.2, 1.0],
    "布匹瑕疵自动检测": [0.95, 0.05, 0.1],
}


def test_a_need_sharing_no_word_is_matched_by_meaning():
    need = NeedRecord(id="n", text="布匹瑕疵自动检测")
    lexical_only = Matcher(CATALOGUE)
    assert lexical_only.match([need], now=NOW) == [[]]
    both = Matcher(CATALOGUE, encoder=TableEncoder(MEANINGS))
    proposals = both.match([need], now=NOW)[0]
    assert proposals[0].capability_id == "defects"


def test_stored_vectors_are_used_instead_of_encoding():
    class Refusing(TableEncoder):
        def encode(self, texts):
            raise AssertionError("stored vectors should have been used")

    vectors = TableEncoder(MEANINGS).encode([listing_text(record.title) for record in CATALOGUE])
    matcher = Matcher(CATALOGUE, encoder=Refusing(MEANINGS), vectors=vectors)
    need_vector = TableEncoder(MEANINGS).encode(["布匹瑕疵自动检测"])
    proposals = matcher.match([NeedRecord(id="n", text="布匹瑕疵自动检测")], now=NOW, vectors=need_vector)[0]
    assert proposals[0].capability_id == "defects"


def test_bulk_and_single_matching_agree_with_both_views():
    rng = np.random.default_rng(11)
    words = ["invoice", "ocr", "gpu", "rental", "fabric", "defect", "route", "cold", "chain", "translation"]
    capabilities = [
        CapabilityRecord(
            id=i,
            title=" ".join(rng.choice(words, size=3)),
            kind=str(rng.choice(["api", "model", "compute"])),
            regions=frozenset() if i % 3 else frozenset({"zhejiang"}),
        )
        for i in range(60)
    ]
    needs = [
        NeedRecord(
            id=f"n{i}",
            text=" ".join(rng.choice(words, size=4)),
            kinds=frozenset() if i % 2 else frozenset({"api"}),
            region="zhejiang" if i % 4 == 0 else "jiangsu",
        )
        for i in range(25)
    ]
    matcher = Matcher(capabilities, encoder=HashingEncoder())
    single = matcher.match(needs, k=5, depth=8, now=NOW)
    bulk = [row for chunk in matcher.match_bulk(needs, k=5, depth=8, now=NOW, chunk_size=7) for row in chunk]
    assert [[(p.capability_id, p.rank) for p in row] for row in single] == [
        [(p.capability_id, p.rank) for p in row] for row in bulk
    ]
    single_scores = [p.score for row in single for p in row]
    assert single_scores == pytest.approx([p.score for row in bulk for p in row])


def test_one_need_finds_the_semantic_views_exact_eligible_top_by_the_parts():
    """``match`` searches only the parts a need may see: the same candidates as
    a scan of the whole catalogue with the hard filters, and the lexical
    similarity of the semantic view's candidates is the product's, bit for bit."""
    rng = np.random.default_rng(4)
    words = ["invoice", "ocr", "gpu", "rental", "fabric", "defect", "route", "cold", "chain", "translation"]
    capabilities = [
        CapabilityRecord(
            id=i,
            title=" ".join(rng.choice(words, size=3)),
            kind=str(rng.choice(["api", "model", "compute"])),
            regions=frozenset() if i % 3 else frozenset({"zhejiang", "jiangsu"} if i % 2 else {"zhejiang"}),
            size_bands=frozenset({"micro"}) if i % 5 == 0 else frozenset(),
        )
        for i in range(80)
    ]
    needs = [
        NeedRecord(
            id=f"n{i}",
            text=" ".join(rng.choice(words, size=4)),
            kinds=frozenset() if i % 2 else frozenset({"api"}),
            region="zhejiang" if i % 4 == 0 else "jiangsu",
            size_band="small",
        )
        for i in range(12)
    ]
    vectors = _unit(rng.normal(size=(80, 16)))
    need_vectors = _unit(rng.normal(size=(12, 16)))
    matcher = Matcher(capabilities, encoder=HashingEncoder(dim=16), vectors=vectors)
    queries, table = matcher.prepare(needs, need_vectors)
    found = matcher.candidates(queries, table, 6)
    for row in range(len(needs)):
        eligible = [
            cap
            for cap in range(80)
            if vectors[cap] @ need_vectors[row] > 0
            and (not needs[row].kinds or capabilities[cap].kind in needs[row].kinds)
            and (not capabilities[cap].regions or needs[row].region in capabilities[cap].regions)
            and not capabilities[cap].size_bands
        ]
        best = sorted(eligible, key=lambda cap: (-float(vectors[cap] @ need_vectors[row]), cap))[:6]
        assert set(best) <= set(found.cap_rows[found.need_rows == row].tolist())
    pairs = (found.need_rows, found.cap_rows)
    lexical = matcher._lexical_pairs(queries.lexical, *pairs)
    products = [
        (matcher.matrix[cap] @ queries.lexical[need].T).toarray()[0, 0] for need, cap in zip(*pairs, strict=True)
    ]
    assert np.array_equal(lexical, np.array(products, dtype=np.float32))
