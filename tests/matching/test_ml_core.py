"""The matching core on arrays: no database, no Django."""

import numpy as np
import pytest
from scipy import sparse

from matching.ml.metrics import ndcg_at_k, recall_at_k, reciprocal_rank, summarize
from matching.ml.retrieval import top_k
from matching.ml.text import TextModel, TextModelConfig, sentences, terms


def test_terms_are_words_word_pairs_and_chinese_pairs():
    assert terms("Invoice OCR 发票识别") == ["invoice", "ocr", "invoice ocr", "发票", "票识", "识别"]
    assert terms("云") == ["云"]


def test_word_pairs_do_not_cross_chinese_text():
    assert "api gpu" not in terms("API 算力 GPU")


def test_function_words_are_left_out_and_pairs_join_the_words_around_them():
    assert terms("Can you scan the invoices for us") == ["scan", "invoices", "scan invoices", "us", "invoices us"]
    # Words a listing could be about stay, though general stop lists drop them.
    assert {"system", "bill", "fire", "computer"} <= set(terms("system bill fire computer"))


def test_sentences_split_at_end_marks_in_both_languages_but_not_inside_numbers():
    assert sentences("We sell shoes. Need OCR v1.2 for invoices! 还要冷链。能否报价？") == [
        "We sell shoes.",
        "Need OCR v1.2 for invoices!",
        "还要冷链。",
        "能否报价？",
    ]
    assert sentences("OK. Fine") == ["Fine"]  # fragments are not sentences
    assert sentences("") == []


CAPABILITIES = [
    "增值税发票 OCR 识别接口 Invoice OCR API for VAT invoices",
    "冷链物流路线规划 Route optimisation for cold-chain delivery",
    "GPU 算力租用 A100 computing power by the hour",
    "工业质检视觉模型 Defect detection for metal parts",
]


@pytest.fixture(scope="module")
def model():
    return TextModel().fit(CAPABILITIES)


@pytest.mark.parametrize(
    ("need", "expected"),
    [
        ("我们需要识别发票", 0),
        ("scan supplier invoices", 0),
        ("配送路线优化", 1),
        ("GPU compute rental", 2),
        ("质检模型", 3),
        ("visual defect inspection 质检", 3),
    ],
)
def test_chinese_english_and_mixed_needs_find_their_capability(model, need, expected):
    indices, scores = top_k(model.transform([need]), model.transform(CAPABILITIES), k=2)
    assert indices[0, 0] == expected
    assert scores[0, 0] > scores[0, 1]


def test_fused_rows_give_the_weighted_sum_of_the_two_cosines():
    texts = ["cloud OCR api", "ocr for invoices", "gpu hours"]
    fused = TextModel(TextModelConfig(term_weight=0.3)).fit(texts)
    only_terms = TextModel(TextModelConfig(term_weight=1.0)).fit(texts)
    only_chars = TextModel(TextModelConfig(term_weight=0.0)).fit(texts)

    def cosine(m):
        rows = m.transform(texts[:2])
        return float((rows[0] @ rows[1].T).toarray()[0, 0])

    assert cosine(fused) == pytest.approx(0.3 * cosine(only_terms) + 0.7 * cosine(only_chars), abs=1e-5)


def test_weight_out_of_range_is_refused():
    with pytest.raises(ValueError):
        TextModel(TextModelConfig(term_weight=1.5))


def test_top_k_matches_a_dense_reference_in_every_chunking():
    rng = np.random.default_rng(7)
    queries = sparse.random(37, 50, density=0.2, random_state=rng, format="csr", dtype=np.float32)
    corpus = sparse.random(61, 50, density=0.2, random_state=rng, format="csr", dtype=np.float32)
    dense = (queries @ corpus.T).toarray()
    for chunk_size in (1, 5, 64):
        indices, scores = top_k(queries, corpus, k=4, chunk_size=chunk_size)
        for row in range(dense.shape[0]):
            nonzero = np.flatnonzero(dense[row])
            expected = sorted(nonzero, key=lambda column, r=row: (-dense[r, column], column))[:4]
            assert list(indices[row][: len(expected)]) == expected
            assert np.allclose(scores[row][: len(expected)], dense[row, expected], atol=1e-6)


def test_top_k_pads_rows_without_enough_matches():
    queries = sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 0.0]], dtype=np.float32))
    corpus = sparse.csr_matrix(np.array([[1.0, 0.0], [0.5, 0.0], [0.0, 1.0]], dtype=np.float32))
    indices, scores = top_k(queries, corpus, k=3)
    assert indices.tolist() == [[0, 1, -1], [-1, -1, -1]]
    assert scores[0].tolist() == pytest.approx([1.0, 0.5, 0.0])


def test_top_k_ties_go_to_the_lower_index():
    queries = sparse.csr_matrix(np.ones((1, 1), dtype=np.float32))
    corpus = sparse.csr_matrix(np.ones((50, 1), dtype=np.float32))
    assert top_k(queries, corpus, k=2)[0].tolist() == [[0, 1]]


def test_needs_without_shared_words_or_characters_find_nothing(model):
    # A lexical model cannot know that 零件缺陷检测 is about 质检: no match, no guess.
    indices, _scores = top_k(model.transform(["零件缺陷检测"]), model.transform(CAPABILITIES), k=1)
    assert indices.tolist() == [[-1]]


def test_top_k_refuses_mismatched_inputs():
    with pytest.raises(ValueError):
        top_k(sparse.csr_matrix((1, 3)), sparse.csr_matrix((2, 4)), k=1)
    with pytest.raises(ValueError):
        top_k(sparse.csr_matrix((1, 3)), sparse.csr_matrix((2, 3)), k=0)


def test_metrics_on_known_rankings():
    assert ndcg_at_k([5, 1, 2], {5}) == 1.0
    assert ndcg_at_k([1, 5], {5}) == pytest.approx(1 / np.log2(3))
    assert ndcg_at_k([1, 2], {5}) == 0.0
    assert recall_at_k([1, 2, 3], {2, 9}, 2) == 0.5
    assert reciprocal_rank([7, 8, 9], {9}) == pytest.approx(1 / 3)
    summary = summarize([[1, 2], [3]], [{2}, set()])
    assert summary["queries"] == 1
    assert summary["mrr"] == 0.5


def test_search_tokens_do_not_load_the_numerical_stack():
    import subprocess
    import sys

    code = "import sys, marketplace.search; print('sklearn' in sys.modules or 'numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_an_index_gives_the_same_results_as_one_off_retrieval():
    from matching.ml.retrieval import SparseIndex

    rng = np.random.default_rng(3)
    queries = sparse.random(9, 40, density=0.3, random_state=rng, format="csr", dtype=np.float32)
    corpus = sparse.random(25, 40, density=0.3, random_state=rng, format="csr", dtype=np.float32)
    index = SparseIndex(corpus)
    for _ in range(2):  # reusable
        indices, scores = index.search(queries, k=5)
        expected_indices, expected_scores = top_k(queries, corpus, k=5)
        assert (indices == expected_indices).all()
        assert np.allclose(scores, expected_scores)
