"""Relevance evaluation on external JSONL files, through the production pipeline.

capabilities: one object per line, ``{"id", "title", "description", "kind", "tags"}``;
needs: ``{"id", "text", "relevant": [capability ids]}``.

Every need is ranked against the whole catalogue by ``Matcher.match`` (the
code the web application and the rebuild use), with the given scorer.
"""

import json
import time
from pathlib import Path
from typing import Any

from matching.ml.encoder import Encoder
from matching.ml.engine import Matcher
from matching.ml.metrics import summarize
from matching.ml.ranker import PRIOR, LinearScorer
from matching.ml.records import CapabilityRecord, NeedRecord
from matching.ml.text import TextModelConfig


class EvaluationError(ValueError):
    """A file that cannot be read as an evaluation set."""


def _read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    try:
        # utf-8-sig: a byte-order mark, as some editors write, is not an error.
        with Path(path).open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise EvaluationError(f"{path}, line {number}: not JSON ({error.msg})") from error
                if not isinstance(row, dict) or any(key not in row for key in required):
                    raise EvaluationError(f"{path}, line {number}: needs the keys {', '.join(required)}")
                rows.append(row)
    except OSError as error:
        raise EvaluationError(f"cannot read {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise EvaluationError(f"{path} is not UTF-8 text") from error
    if not rows:
        raise EvaluationError(f"{path} holds no records")
    return rows


def load(capabilities_path: Path, needs_path: Path) -> tuple[list[CapabilityRecord], list[NeedRecord], list[set[Any]]]:
    capabilities = [
        CapabilityRecord(
            id=row["id"],
            title=str(row.get("title") or ""),
            description=str(row.get("description") or ""),
            kind=str(row.get("kind") or ""),
            tags=tuple(str(tag) for tag in row.get("tags") or ()),
        )
        for row in _read_jsonl(capabilities_path, ("id", "title"))
    ]
    rows = _read_jsonl(needs_path, ("id", "text", "relevant"))
    for number, row in enumerate(rows, start=1):
        if not isinstance(row["relevant"], list):
            raise EvaluationError(f'{needs_path}, need {number}: "relevant" must be a list of capability ids')
    needs = [NeedRecord(id=row["id"], text=str(row["text"])) for row in rows]
    relevant = [set(row["relevant"]) for row in rows]
    return capabilities, needs, relevant


def evaluate(
    capabilities_path: Path,
    needs_path: Path,
    *,
    k: int = 10,
    scorer: LinearScorer = PRIOR,
    config: TextModelConfig | None = None,
    encoder: Encoder | None = None,
    floor: float = 0.0,
) -> dict[str, Any]:
    """Recall@5, Recall@10, NDCG@k and MRR over the needs, and the seconds taken
    (fitting the text model, encoding and indexing the catalogue and ranking
    every need). ``encoder``: the semantic view (None: lexical only). ``floor``:
    the relevance floor below which nothing is proposed; 0 (the default) ranks
    the whole catalogue, which is what NDCG and recall measure."""
    capabilities, needs, relevant = load(capabilities_path, needs_path)
    started = time.perf_counter()
    matcher = Matcher(
        capabilities, extra_texts=[need.text for need in needs], config=config, encoder=encoder, relevance_floor=floor
    )
    depth = len(capabilities)
    proposals = matcher.match(needs, scorer, k=depth, depth=depth, explain=False)
    seconds = time.perf_counter() - started
    rankings = [[proposal.capability_id for proposal in row] for row in proposals]
    try:
        result = summarize(rankings, relevant, k=k)
    except ValueError as error:
        raise EvaluationError(f"{needs_path}: {error}") from error
    result.update(seconds=round(seconds, 2), capabilities=len(capabilities), needs=len(needs))
    return result
