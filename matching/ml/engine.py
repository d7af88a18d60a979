"""The matching pipeline, the same for the web application, the rebuild and
the evaluation command:

1. text: needs and capabilities become fused TF-IDF rows (``text``);
2. retrieval: the ``depth`` most similar eligible capabilities per need, by
   chunked sparse products (``retrieval``), after the hard filters (kind,
   region, size, verification — ``features.eligible``);
3. features of every candidate pair (``features.pair_features``);
4. ranking by the active scorer (``ranker``), best ``k`` kept;
5. reasons: the largest positive contributions, with their concrete values.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.ml.features import (
    DAY,
    FEATURES,
    CapabilityTable,
    Codes,
    NeedTable,
    TagVocabulary,
    eligible,
    pair_features,
)
from matching.ml.ranker import PRIOR, LinearScorer
from matching.ml.records import CapabilityRecord, NeedRecord
from matching.ml.retrieval import SparseIndex
from matching.ml.text import TextModel, TextModelConfig

# Contributions below this (in score units) do not make a reason.
MIN_REASON = 0.005
MAX_REASONS = 3
MAX_WORDS = 3


@dataclass(frozen=True)
class Proposal:
    """One proposed capability for one need."""

    need_id: int | str
    capability_id: int | str
    score: float
    rank: int
    features: dict[str, float]
    reasons: list[dict]


@dataclass
class Candidates:
    """Candidate pairs as aligned arrays: rows of the need batch and of the catalogue."""

    need_rows: np.ndarray
    cap_rows: np.ndarray
    text: np.ndarray


class Matcher:
    """A catalogue of capabilities made ready for matching: its text rows
    indexed, its facts in columns. Build once per catalogue and keep it (a
    worker process keeps one in memory); then ``match`` any batch of needs."""

    def __init__(
        self,
        capabilities: Sequence[CapabilityRecord],
        *,
        extra_texts: Sequence[str] = (),
        config: TextModelConfig | None = None,
    ):
        self.capabilities = list(capabilities)
        texts = [record.text for record in self.capabilities]
        self.codes = Codes()
        self.tags = TagVocabulary()
        self.text_model = TextModel(config).fit(texts + list(extra_texts) or [""])
        self.matrix = self.text_model.transform(texts)
        self.index = SparseIndex(self.matrix)
        self.table = CapabilityTable(self.capabilities, self.codes, self.tags)
        self._term_names = None

    def __len__(self) -> int:
        return len(self.capabilities)

    # -- the pipeline ------------------------------------------------------------

    def prepare(self, needs: Sequence[NeedRecord]):
        """The needs' text rows and fact columns."""
        return self.text_model.transform([need.text for need in needs]), NeedTable(needs, self.codes, self.tags)

    def candidates(self, queries, table: NeedTable, depth: int, *, chunk_size: int = 512) -> Candidates:
        """The ``depth`` most similar eligible capabilities of each need."""
        indices, scores = self.index.search(
            queries, depth, chunk_size=chunk_size, keep=lambda row, columns: eligible(table, row, self.table, columns)
        )
        need_rows, slots = np.nonzero(indices >= 0)
        return Candidates(need_rows, indices[need_rows, slots].astype(np.int64), scores[need_rows, slots])

    def match(
        self,
        needs: Sequence[NeedRecord],
        scorer: LinearScorer = PRIOR,
        *,
        k: int = 20,
        depth: int = 100,
        now: float | None = None,
        explain: bool = True,
    ) -> list[list[Proposal]]:
        """The best ``k`` capabilities for each need, best first, with reasons."""
        if not needs or not self.capabilities:
            return [[] for _ in needs]
        now = time.time() if now is None else now
        queries, table = self.prepare(needs)
        found = self.candidates(queries, table, max(depth, k))
        features = pair_features(table, self.table, found.need_rows, found.cap_rows, found.text, now)
        scores = scorer.score(features)
        # Best first within each need; ties by text similarity, then catalogue order.
        order = np.lexsort((found.cap_rows, -found.text, -scores, found.need_rows))
        need_rows = found.need_rows[order]
        starts = np.searchsorted(need_rows, np.arange(len(needs) + 1))
        chosen = np.concatenate([order[starts[i] : min(starts[i + 1], starts[i] + k)] for i in range(len(needs))])
        reasons = (
            self.reasons(needs, queries, table, found, features, scorer, chosen, now)
            if explain
            else [[] for _ in chosen]
        )
        results: list[list[Proposal]] = [[] for _ in needs]
        for position, pair in enumerate(chosen.tolist()):
            row = int(found.need_rows[pair])
            results[row].append(
                Proposal(
                    need_id=needs[row].id,
                    capability_id=self.capabilities[int(found.cap_rows[pair])].id,
                    score=round(float(scores[pair]), 6),
                    rank=len(results[row]) + 1,
                    features={
                        name: round(float(value), 4) for name, value in zip(FEATURES, features[pair], strict=True)
                    },
                    reasons=reasons[position],
                )
            )
        return results

    # -- reasons -----------------------------------------------------------------

    def reasons(self, needs, queries, table, found, features, scorer, chosen, now) -> list[list[dict]]:
        """For each chosen pair, up to three reasons: the features that raised
        its score most, each with the values that make it concrete."""
        contributions = scorer.contributions(features[chosen])
        need_rows, cap_rows = found.need_rows[chosen], found.cap_rows[chosen]
        words = self._shared_words(queries, need_rows, cap_rows)
        shared_tags = (
            table.tags[need_rows][:, : self.table.tags.shape[1]]
            .multiply(self.table.tags[cap_rows][:, : table.tags.shape[1]])
            .tocsr()
        )
        result = []
        for position in range(len(chosen)):
            need = needs[int(need_rows[position])]
            capability = self.capabilities[int(cap_rows[position])]
            row = contributions[position]
            reasons = []
            for feature in np.argsort(-row, kind="stable")[:MAX_REASONS]:
                if row[feature] < MIN_REASON:
                    break
                name = FEATURES[feature]
                values = _reason_values(
                    name,
                    need,
                    capability,
                    features[chosen[position], feature],
                    words[position],
                    [
                        self.tags.names[c]
                        for c in shared_tags.indices[shared_tags.indptr[position] : shared_tags.indptr[position + 1]]
                    ],
                    now,
                )
                reasons.append({"code": name, **values})
            result.append(reasons)
        return result

    def _shared_words(self, queries, need_rows, cap_rows) -> list[list[str]]:
        """The rarest terms (highest TF-IDF weight product) both texts use."""
        width = self.text_model.term_columns
        if self._term_names is None:
            self._term_names = self.text_model.term_names()
        shared = queries[need_rows, :width].multiply(self.matrix[cap_rows, :width]).tocsr()
        words = []
        for row in range(shared.shape[0]):
            begin, end = shared.indptr[row], shared.indptr[row + 1]
            best = np.argsort(-shared.data[begin:end], kind="stable")[:MAX_WORDS]
            words.append([str(self._term_names[shared.indices[begin + i]]) for i in best])
        return words


def _reason_values(name, need: NeedRecord, capability: CapabilityRecord, value, words, tags, now) -> dict:
    if name == "text":
        return {"similarity": round(float(value), 2), "words": words}
    if name == "tags":
        return {"tags": sorted(tags)[:5]}
    if name == "kind":
        return {"kind": capability.kind}
    if name == "industry":
        return {"industry": need.industry}
    if name == "region":
        return {"region": need.region}
    if name == "budget":
        return {"price_min": capability.price_min, "price_max": capability.price_max}
    if name == "size":
        return {"size": need.size_band}
    if name == "track_record":
        return {"accepted": capability.accepted, "decided": capability.decided}
    if name == "freshness":
        days = None if capability.published_at is None else max(0, int((now - capability.published_at) // DAY))
        return {"days": days}
    raise ValueError(name)
