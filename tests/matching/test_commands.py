"""The management commands: rebuild_matches, train_ranker, evaluate_matching."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from matching.ml.features import FEATURES
from matching.models import Match, RankerModel


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestRebuildMatches:
    def test_prints_a_progress_bar_and_the_totals(self, catalogue, needs, snapshot):
        expected = snapshot()
        Match.objects.all().delete()
        Capability.objects.filter(pk=catalogue.gpu.pk).update(status=ListingStatus.ARCHIVED)
        output = run("rebuild_matches", "--chunk-size", "1")
        assert "[..............................] 0/2 needs" in output
        assert "[###############...............] 1/2 needs" in output
        assert "[##############################] 2/2 needs" in output
        assert "3 matches for 2 needs in " in output
        assert "0 stale matches removed." in output
        assert snapshot() == expected

    def test_reports_stale_matches_it_removed(self, catalogue, needs):
        # Carol's need withdrawn without its withdrawal task: its match is stale.
        Need.objects.filter(pk=needs.route.pk).update(status=ListingStatus.ARCHIVED)
        output = run("rebuild_matches")
        assert "2 matches for 1 needs in " in output
        assert "1 stale matches removed." in output
        assert not Match.objects.filter(need=needs.route).exists()

    def test_with_no_published_need(self, db):
        output = run("rebuild_matches")
        assert "0/0 needs" in output
        assert "0 matches for 0 needs" in output

    @pytest.mark.parametrize("size", ["0", "-3"])
    def test_a_chunk_size_below_one_is_refused(self, catalogue, needs, size):
        before = set(Match.objects.values_list("pk", flat=True))
        with pytest.raises(CommandError, match="--chunk-size must be at least 1"):
            run("rebuild_matches", "--chunk-size", size)
        assert set(Match.objects.values_list("pk", flat=True)) == before

    def test_queue_hands_the_rebuild_to_the_workers(self, catalogue, needs, snapshot):
        expected = snapshot()
        Match.objects.all().delete()
        assert run("rebuild_matches", "--queue").strip() == "Rebuild queued."
        assert snapshot() == expected  # eager in tests: the workers' chord ran


@pytest.mark.django_db
class TestTrainRanker:
    def test_without_labels_it_says_so_and_creates_no_model(self, catalogue, needs):
        output = run("train_ranker")
        assert "Labels: 0 (0 good, 0 bad)" in output
        assert "needs at least 50 labels of both outcomes" in output
        assert "No model trained; the active ranker stays." in output
        assert not RankerModel.objects.exists()


# evaluate_matching ----------------------------------------------------------------

CAPABILITIES = [
    {"id": "ocr", "title": "增值税发票 OCR 识别接口", "description": "Invoice OCR API", "kind": "api", "tags": ["OCR"]},
    {
        "id": "route",
        "title": "冷链物流路线规划",
        "description": "Cold-chain route planning",
        "kind": "tool",
        "tags": [],
    },
    {"id": "gpu", "title": "GPU 算力租用", "description": "A100 computing power by the hour", "kind": "compute"},
    {"id": "qc", "title": "工业质检视觉模型", "description": "Defect detection for metal parts", "kind": "model"},
]
NEEDS = [
    {"id": 1, "text": "发票 OCR 识别 invoice OCR", "relevant": ["ocr"]},
    {"id": 2, "text": "冷链 route planning for vans", "relevant": ["route"]},
    {"id": 3, "text": "GPU 算力 for training", "relevant": ["gpu"]},
    {"id": 4, "text": "nothing relevant here", "relevant": []},
]


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def figures(output):
    """The printed metrics by name."""
    lines = (line.split() for line in output.splitlines()[1:])
    return {name: float(value) for name, value, *_ in lines}


@pytest.fixture
def files(tmp_path):
    return write_jsonl(tmp_path / "capabilities.jsonl", CAPABILITIES), write_jsonl(tmp_path / "needs.jsonl", NEEDS)


class TestEvaluateMatching:
    def test_prints_the_metrics_and_writes_json_without_touching_the_database(
        self, db, files, tmp_path, django_assert_num_queries
    ):
        capabilities, needs = files
        out = tmp_path / "result.json"
        with django_assert_num_queries(0):
            output = run(
                "evaluate_matching", "--capabilities", str(capabilities), "--needs", str(needs), "--json", str(out)
            )
        assert "4 needs against 4 capabilities (3 with a relevant capability)" in output
        for line in ("Recall@5   1.000", "Recall@10  1.000", "NDCG@10     1.000", "MRR        1.000"):
            assert line in output
        result = json.loads(out.read_text(encoding="utf-8"))
        assert result["recall@5"] == result["recall@10"] == result["ndcg@10"] == result["mrr"] == 1.0
        assert (result["needs"], result["capabilities"], result["queries"]) == (4, 4, 3)

    def test_runs_without_database_access_at_all(self, files):
        """No django_db mark: any query would fail the test."""
        capabilities, needs = files
        output = run("evaluate_matching", "--capabilities", str(capabilities), "--needs", str(needs), "--k", "3")
        assert "NDCG@3      1.000" in output

    def test_weights_exported_from_a_ranker_are_used(self, files, tmp_path):
        capabilities, needs = files
        weights = tmp_path / "weights.json"
        # Text counts against: the least similar capability comes first.
        weights.write_text(
            json.dumps(
                {
                    "features": list(FEATURES),
                    "weights": [-1.0] + [0.0] * (len(FEATURES) - 1),
                    "intercept": 0.0,
                    "logistic": False,
                }
            ),
            encoding="utf-8",
        )
        output = run(
            "evaluate_matching", "--capabilities", str(capabilities), "--needs", str(needs), "--weights", str(weights)
        )
        assert figures(output)["MRR"] < 0.5
        assert figures(output)["Recall@10"] == 1.0  # the same capabilities, in the opposite order

    @pytest.mark.parametrize(
        ("arguments", "message"),
        [
            (["--capabilities", "{tmp}/missing.jsonl", "--needs", "{needs}"], "cannot read {tmp}/missing.jsonl"),
            (["--capabilities", "{capabilities}", "--needs", "{tmp}/missing.jsonl"], "cannot read {tmp}/missing.jsonl"),
            (["--capabilities", "{capabilities}", "--needs", "{bad}"], "line 1: not JSON"),
            (["--capabilities", "{capabilities}", "--needs", "{empty}"], "holds no records"),
            (["--capabilities", "{needs}", "--needs", "{needs}"], "needs the keys id, title"),
            (["--capabilities", "{capabilities}", "--needs", "{needs}", "--k", "0"], "--k must be at least 1"),
            (
                ["--capabilities", "{capabilities}", "--needs", "{needs}", "--weights", "{tmp}/none.json"],
                "cannot use the weights in {tmp}/none.json",
            ),
            (
                ["--capabilities", "{capabilities}", "--needs", "{needs}", "--weights", "{bad}"],
                "cannot use the weights in {bad}",
            ),
            (
                ["--capabilities", "{capabilities}", "--needs", "{needs}", "--json", "{tmp}/no/such/dir/out.json"],
                "cannot write {tmp}/no/such/dir/out.json",
            ),
        ],
    )
    def test_errors_are_clear_command_errors(self, files, tmp_path, arguments, message):
        capabilities, needs = files
        bad = tmp_path / "bad.jsonl"
        bad.write_text("{not json\n", encoding="utf-8")
        empty = tmp_path / "empty.jsonl"
        empty.write_text("\n", encoding="utf-8")
        values = {"tmp": tmp_path, "capabilities": capabilities, "needs": needs, "bad": bad, "empty": empty}
        with pytest.raises(CommandError) as caught:
            run("evaluate_matching", *[argument.format(**values) for argument in arguments])
        assert message.format(**values) in str(caught.value)
        assert "Traceback" not in str(caught.value)
