"""Fit the calibration of the prior's scores (matching.ml.calibration) on
judged relevance sets, and report how well it holds on held-out needs.

Each set is a folder with capabilities.jsonl and needs.jsonl (the format of
the evaluation command); a set given as CAPABILITIES.jsonl:NEEDS.jsonl takes
the two files apart (the cross-language set reuses an English catalogue).
Every need is matched by the production pipeline (both views, the prior);
its top 20 proposals are the labelled pairs (relevant or not). Half the needs
of each set fit the Platt scaling, each set weighted alike; the other half
gives the reliability curve (predicted vs observed rate in deciles) and the
Brier score.

    .venv/bin/python -m bench.calibrate bench/data/zh_sme \\
        ../shared/eval/toolbench_dev/capabilities.jsonl:bench/data/xlang_toolbench/needs.jsonl \\
        bench/data/zh_check bench/data/mixed_check ../shared/eval/toolbench_dev ../shared/eval/gorilla_apibench

``--cache DIR`` keeps the sentence vectors between runs (keyed by the
encoder's name and the texts).
"""

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from matching.ml.encoder import UniversalSentenceEncoder
from matching.ml.engine import Matcher, capability_semantic_text
from matching.ml.evaluation import load
from matching.ml.ranker import PRIOR

TOP = 20


class CachedEncoder:
    """The production encoder, its vectors kept on disk per batch of texts."""

    def __init__(self, folder: Path | None):
        self.inner = UniversalSentenceEncoder(threads=2)
        self.name, self.dim, self.folder = self.inner.name, self.inner.dim, folder

    def encode(self, texts):
        if self.folder is None:
            return self.inner.encode(texts)
        key = hashlib.sha256("\x00".join([self.name, *texts]).encode()).hexdigest()[:24]
        path = self.folder / f"{key}.npy"
        if path.exists():
            return np.load(path)
        rows = self.inner.encode(texts)
        self.folder.mkdir(parents=True, exist_ok=True)
        np.save(path, rows)
        return rows


def labelled_pairs(spec: str, encoder) -> tuple[str, np.ndarray]:
    """(name, rows of need index, score, relevant) for the top proposals of every need."""
    if ":" in spec:
        capabilities_path, needs_path = (Path(part) for part in spec.split(":", 1))
        name = needs_path.parent.name
    else:
        capabilities_path, needs_path = Path(spec) / "capabilities.jsonl", Path(spec) / "needs.jsonl"
        name = Path(spec).name
    capabilities, needs, relevant = load(capabilities_path, needs_path)
    vectors = encoder.encode([capability_semantic_text(record) for record in capabilities])
    matcher = Matcher(capabilities, extra_texts=[need.text for need in needs], encoder=encoder, vectors=vectors)
    need_vectors = encoder.encode([need.text for need in needs])
    proposals = matcher.match(needs, PRIOR, k=TOP, depth=100, explain=False, vectors=need_vectors)
    rows = [
        (index, proposal.score, proposal.capability_id in relevant[index])
        for index, row in enumerate(proposals)
        for proposal in row
    ]
    return name, np.array(rows, dtype=np.float64).reshape(-1, 3)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--cache", type=Path, help="keep sentence vectors in this folder")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    encoder = CachedEncoder(arguments.cache)
    rng = np.random.default_rng(arguments.seed)
    fit_parts, held_parts = [], []
    for spec in arguments.sets:
        name, rows = labelled_pairs(spec, encoder)
        needs = np.unique(rows[:, 0])
        held = np.isin(rows[:, 0], rng.permutation(needs)[: len(needs) // 2])
        weight = 1.0 / max(1, (~held).sum())
        fit_parts.append((rows[~held], weight))
        held_parts.append((name, rows[held]))
        print(f"{name:<18} {len(needs):>5} needs {len(rows):>6} pairs, {rows[:, 2].mean():.3f} relevant")
    scores = np.concatenate([rows[:, 1] for rows, _ in fit_parts])
    labels = np.concatenate([rows[:, 2] for rows, _ in fit_parts])
    weights = np.concatenate([np.full(len(rows), weight) for rows, weight in fit_parts])
    model = LogisticRegression(C=1e6).fit(scores[:, None], labels, sample_weight=weights / weights.mean())
    slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
    print(f"\nCalibration(slope={slope:.4f}, intercept={intercept:.4f})\n")

    def probability(values):
        return 1.0 / (1.0 + np.exp(-(slope * values + intercept)))

    print(f"{'held-out set':<18} {'pairs':>6} {'Brier':>7} {'mean fit':>9} {'observed':>9}")
    pooled_p, pooled_y = [], []
    for name, rows in held_parts:
        p = probability(rows[:, 1])
        pooled_p.append(p)
        pooled_y.append(rows[:, 2])
        brier = float(np.mean((p - rows[:, 2]) ** 2))
        print(f"{name:<18} {len(rows):>6} {brier:>7.4f} {p.mean():>9.3f} {rows[:, 2].mean():>9.3f}")
    p, y = np.concatenate(pooled_p), np.concatenate(pooled_y)
    print(f"{'all':<18} {len(p):>6} {float(np.mean((p - y) ** 2)):>7.4f} {p.mean():>9.3f} {y.mean():>9.3f}")
    print("\nReliability (held-out pairs in deciles of predicted fit):")
    print(f"{'decile':>6} {'pairs':>6} {'predicted':>10} {'observed':>9}")
    for number, chunk in enumerate(np.array_split(np.argsort(p, kind="stable"), 10), start=1):
        print(f"{number:>6} {len(chunk):>6} {p[chunk].mean():>10.3f} {y[chunk].mean():>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
