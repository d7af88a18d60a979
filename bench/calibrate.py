"""Fit the calibration of the prior's scores (matching.ml.calibration) on
judged relevance sets, and report how well it holds on held-out needs.

Each set is a folder with capabilities.jsonl and needs.jsonl (the format of
the evaluation command); a set given as CAPABILITIES.jsonl:NEEDS.jsonl takes
the two files apart (the cross-language set reuses an English catalogue).
Every need is matched by the production pipeline (both views, the prior);
its best 20 candidates are the labelled pairs (relevant or not), and again
without its relevant capabilities (a need with no good match). Half the needs
of each set fit the calibration (matching.ml.calibration), each set weighted
alike; the other half gives the reliability curve (predicted vs observed rate
in deciles), the Brier score, and how a need's best candidate reads when
nothing relevant is left.

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

from matching.ml.calibration import GOOD_MATCH, Calibration, need_context
from matching.ml.encoder import UniversalSentenceEncoder
from matching.ml.engine import Matcher, capability_semantic_text
from matching.ml.evaluation import load
from matching.ml.features import FEATURES
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


def labelled_pairs(spec: str, encoder) -> tuple[str, np.ndarray, np.ndarray]:
    """(name, pairs, pairs without the relevant capabilities). Pairs: rows of
    (need index, score, margin, gap, relevant) for each need's best ``TOP``
    candidates by the prior's raw score; the second set is each need matched
    as if its relevant capabilities were not in the catalogue (every pair
    irrelevant): what a need with no good match looks like."""
    if ":" in spec:
        capabilities_path, needs_path = (Path(part) for part in spec.split(":", 1))
        name = needs_path.parent.name
    else:
        capabilities_path, needs_path = Path(spec) / "capabilities.jsonl", Path(spec) / "needs.jsonl"
        name = Path(spec).name
    capabilities, needs, relevant = load(capabilities_path, needs_path)
    vectors = encoder.encode([capability_semantic_text(record) for record in capabilities])
    matcher = Matcher(
        capabilities, extra_texts=[need.text for need in needs], encoder=encoder, vectors=vectors, relevance_floor=0.0
    )
    need_vectors = encoder.encode([need.text for need in needs])
    extra = max(len(ids) for ids in relevant)
    proposals = matcher.match(needs, PRIOR, k=TOP + extra, depth=100, explain=False, vectors=need_vectors)
    variants = []
    for drop_relevant in (False, True):
        need_rows, scores, labels = [], [], []
        for index, row in enumerate(proposals):
            kept = [p for p in row if not (drop_relevant and p.capability_id in relevant[index])][:TOP]
            if not kept:
                continue
            features = np.array([[p.features[name] for name in FEATURES] for p in kept])
            need_rows.extend([index] * len(kept))
            scores.extend(PRIOR.score(features).tolist())
            labels.extend(p.capability_id in relevant[index] for p in kept)
        need_rows, scores = np.array(need_rows), np.array(scores)
        margin, gap = need_context(scores, need_rows, len(needs))
        variants.append(np.column_stack([need_rows, scores, margin, gap, np.array(labels, dtype=float)]))
    return name, variants[0], variants[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+")
    parser.add_argument("--cache", type=Path, help="keep sentence vectors in this folder")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args(argv)
    encoder = CachedEncoder(arguments.cache)
    rng = np.random.default_rng(arguments.seed)
    fit_rows, held_parts = [], []
    for spec in arguments.sets:
        name, rows, empty = labelled_pairs(spec, encoder)
        needs = np.unique(rows[:, 0])
        held_needs = rng.permutation(needs)[: len(needs) // 2]
        held, held_empty = np.isin(rows[:, 0], held_needs), np.isin(empty[:, 0], held_needs)
        # Each set weighs alike; within it, needs with and without a good match alike.
        for part in (rows[~held], empty[~held_empty]):
            fit_rows.append((part, 0.5 / max(1, len(part))))
        held_parts.append((name, rows[held], empty[held_empty]))
        print(f"{name:<18} {len(needs):>5} needs {len(rows):>6} pairs, {rows[:, 4].mean():.3f} relevant")
    inputs = np.vstack([part[:, 1:4] for part, _ in fit_rows])
    labels = np.concatenate([part[:, 4] for part, _ in fit_rows])
    weights = np.concatenate([np.full(len(part), weight) for part, weight in fit_rows])
    model = LogisticRegression(C=1e6, max_iter=1000).fit(inputs, labels, sample_weight=weights / weights.mean())
    score, margin, gap = (float(value) for value in model.coef_[0])
    calibration = Calibration(
        score=max(score, 0.0), margin=max(margin, 0.0), gap=max(gap, 0.0), intercept=float(model.intercept_[0])
    )
    print(
        f"\nCalibration(score={calibration.score:.3f}, margin={calibration.margin:.3f}, "
        f"gap={calibration.gap:.3f}, intercept={calibration.intercept:.3f})\n"
    )

    def probability(rows):
        z = calibration.score * rows[:, 1] + calibration.margin * rows[:, 2] + calibration.gap * rows[:, 3]
        return 1.0 / (1.0 + np.exp(-(z + calibration.intercept)))

    print(
        f"{'held-out set':<18} {'pairs':>6} {'Brier':>7} {'mean fit':>9} {'observed':>9} {'best, no match':>15} "
        f"{'good: relevant':>15} {'good: other':>12} {'good, no match':>15}"
    )
    pooled_p, pooled_y = [], []
    for name, rows, empty in held_parts:
        p = probability(rows)
        pooled_p.append(p)
        pooled_y.append(rows[:, 4])
        brier = float(np.mean((p - rows[:, 4]) ** 2))
        best_empty = probability(empty[empty[:, 3] == 0])
        relevant = rows[:, 4] == 1
        print(
            f"{name:<18} {len(rows):>6} {brier:>7.4f} {p.mean():>9.3f} {rows[:, 4].mean():>9.3f} "
            f"{np.median(best_empty):>15.3f} {np.mean(p[relevant] >= GOOD_MATCH):>15.3f} "
            f"{np.mean(p[~relevant] >= GOOD_MATCH):>12.3f} {np.mean(best_empty >= GOOD_MATCH):>15.3f}"
        )
    p, y = np.concatenate(pooled_p), np.concatenate(pooled_y)
    print(f"{'all':<18} {len(p):>6} {float(np.mean((p - y) ** 2)):>7.4f} {p.mean():>9.3f} {y.mean():>9.3f}")
    print("(best, no match: the median fit of a need's best candidate when its relevant capabilities are removed;")
    print(
        f" good: the share of relevant pairs, other pairs and such best candidates with a fit of GOOD_MATCH {GOOD_MATCH} or more)"
    )
    print("\nReliability (held-out pairs in deciles of predicted fit):")
    print(f"{'decile':>6} {'pairs':>6} {'predicted':>10} {'observed':>9}")
    for number, chunk in enumerate(np.array_split(np.argsort(p, kind="stable"), 10), start=1):
        print(f"{number:>6} {len(chunk):>6} {p[chunk].mean():>10.3f} {y[chunk].mean():>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
