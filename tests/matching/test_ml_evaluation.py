"""Relevance evaluation on small JSONL files: loading, errors and metrics that
can be checked by hand. No database, no Django."""

import json
import math

import pytest

from matching.ml.evaluation import EvaluationError, evaluate, load

CAPABILITIES = [
    # Titles share no character, so each need below can only find the ones it names.
    {"id": "c1", "title": "发票识别", "description": "", "kind": "api", "tags": ["OCR"]},
    {"id": "c2", "title": "冷链物流", "kind": "tool"},
    {"id": "c3", "title": "算力租用"},
]
NEEDS = [
    # Ranking [c1]: recall 1, NDCG 1, reciprocal rank 1.
    {"id": "n1", "text": "发票", "relevant": ["c1"]},
    # Ranking [c2, c1]: recall 1, NDCG 1/log2(3), reciprocal rank 1/2.
    {"id": "n2", "text": "冷链物流 发票", "relevant": ["c1"]},
    # Ranking [c3], two relevant: recall 1/2, NDCG 1/(1 + 1/log2(3)), reciprocal rank 1.
    {"id": "n3", "text": "算力", "relevant": ["c3", "c2"]},
    # Ranking [c2], relevant c3 never found: all 0.
    {"id": "n4", "text": "冷链", "relevant": ["c3"]},
    # No relevant capability: not counted.
    {"id": "n5", "text": "发票", "relevant": []},
]


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    return write_jsonl(tmp_path / "capabilities.jsonl", CAPABILITIES), write_jsonl(tmp_path / "needs.jsonl", NEEDS)


def test_metrics_on_a_hand_checked_set(files):
    result = evaluate(*files)
    ndcg_second = 1 / math.log2(3)
    ndcg_third = 1 / (1 + 1 / math.log2(3))
    assert result["queries"] == 4
    assert result["needs"] == 5
    assert result["capabilities"] == 3
    assert result["recall@5"] == pytest.approx((1 + 1 + 0.5 + 0) / 4)
    assert result["recall@10"] == pytest.approx((1 + 1 + 0.5 + 0) / 4)
    assert result["ndcg@10"] == pytest.approx((1 + ndcg_second + ndcg_third + 0) / 4)
    assert result["mrr"] == pytest.approx((1 + 0.5 + 1 + 0) / 4)
    assert result["seconds"] >= 0


def test_the_ndcg_cut_off_follows_k(files):
    result = evaluate(*files, k=1)
    assert "ndcg@10" not in result
    # At 1: n1 scores 1, n2 0 (c2 first), n3 1 (one of two relevant, ideal 1), n4 0.
    assert result["ndcg@1"] == pytest.approx(0.5)


def test_load_builds_records_and_relevant_sets(files):
    capabilities, needs, relevant = load(*files)
    assert [c.id for c in capabilities] == ["c1", "c2", "c3"]
    assert capabilities[0].title == "发票识别"
    assert capabilities[0].kind == "api"
    assert capabilities[0].tags == ("OCR",)
    assert capabilities[1].description == ""
    assert capabilities[2].kind == ""
    assert capabilities[2].tags == ()
    assert [n.id for n in needs] == ["n1", "n2", "n3", "n4", "n5"]
    assert needs[1].text == "冷链物流 发票"
    assert relevant == [{"c1"}, {"c1"}, {"c3", "c2"}, {"c3"}, set()]


def test_blank_lines_are_skipped(tmp_path, files):
    capabilities, _needs = files
    needs = tmp_path / "spaced.jsonl"
    needs.write_text('\n{"id": "n1", "text": "发票", "relevant": ["c1"]}\n   \n\n', encoding="utf-8")
    assert [n.id for n in load(capabilities, needs)[1]] == ["n1"]


def test_integer_ids_match_integer_relevant_ids(tmp_path):
    capabilities = write_jsonl(tmp_path / "c.jsonl", [{"id": 1, "title": "发票识别"}, {"id": 2, "title": "算力租用"}])
    needs = write_jsonl(tmp_path / "n.jsonl", [{"id": 10, "text": "算力", "relevant": [2]}])
    result = evaluate(capabilities, needs)
    assert result["mrr"] == 1.0
    assert result["recall@5"] == 1.0


def test_a_missing_file_is_an_evaluation_error(tmp_path, files):
    capabilities, needs = files
    missing = tmp_path / "nowhere.jsonl"
    with pytest.raises(EvaluationError, match=r"cannot read .*nowhere\.jsonl"):
        load(missing, needs)
    with pytest.raises(EvaluationError, match=r"nowhere\.jsonl"):
        evaluate(capabilities, missing)


def test_a_bad_json_line_is_named_by_its_number(tmp_path, files):
    capabilities, _needs = files
    needs = tmp_path / "broken.jsonl"
    needs.write_text(
        '{"id": "n1", "text": "发票", "relevant": ["c1"]}\n\n{"id": "n2", "text": "发票", "relevant": [\n',
        encoding="utf-8",
    )
    with pytest.raises(EvaluationError, match=r"broken\.jsonl, line 3: not JSON"):
        load(capabilities, needs)


@pytest.mark.parametrize(
    ("which", "line", "message"),
    [
        ("capabilities", {"id": "c9"}, "id, title"),
        ("capabilities", {"title": "发票"}, "id, title"),
        ("needs", {"id": "n9", "text": "发票"}, "id, text, relevant"),
        ("needs", {"id": "n9", "relevant": []}, "id, text, relevant"),
        ("needs", ["n9", "发票", []], "id, text, relevant"),
    ],
)
def test_missing_keys_are_an_evaluation_error_naming_the_line_and_keys(tmp_path, files, which, line, message):
    capabilities, needs = files
    rows = CAPABILITIES if which == "capabilities" else NEEDS
    broken = write_jsonl(tmp_path / f"{which}-broken.jsonl", [*rows[:2], line])
    arguments = (broken, needs) if which == "capabilities" else (capabilities, broken)
    with pytest.raises(EvaluationError, match=rf"line 3: needs the keys {message}$"):
        load(*arguments)


@pytest.mark.parametrize("content", ["", "\n\n", "   \n"])
def test_an_empty_file_is_an_evaluation_error(tmp_path, files, content):
    capabilities, needs = files
    empty = tmp_path / "empty.jsonl"
    empty.write_text(content, encoding="utf-8")
    with pytest.raises(EvaluationError, match="holds no records"):
        load(empty, needs)
    with pytest.raises(EvaluationError, match="holds no records"):
        load(capabilities, empty)


def test_needs_without_any_relevant_capability_are_refused(tmp_path, files):
    capabilities, _needs = files
    needs = write_jsonl(tmp_path / "n.jsonl", [{"id": "n1", "text": "发票", "relevant": []}])
    with pytest.raises(ValueError, match="no query has a relevant item"):
        evaluate(capabilities, needs)


def test_a_file_that_is_not_utf8_is_an_evaluation_error(tmp_path, files):
    _capabilities, needs = files
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(json.dumps({"id": "c1", "title": "发票识别"}, ensure_ascii=False).encode("gbk") + b"\n")
    with pytest.raises(EvaluationError, match=r"gbk\.jsonl"):
        load(gbk, needs)


@pytest.mark.parametrize("relevant", [5, "c1"])
def test_relevant_must_be_a_list(tmp_path, files, relevant):
    capabilities, _needs = files
    needs = write_jsonl(tmp_path / "n.jsonl", [{"id": "n1", "text": "发票", "relevant": relevant}])
    with pytest.raises(EvaluationError, match="relevant"):
        load(capabilities, needs)
