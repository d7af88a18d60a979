"""Learning from outcomes: training labels from feedback and decided
applications, and training a candidate ranker that is kept, and promoted
when it beats the active one."""

import time
from dataclasses import dataclass

import numpy as np
from django.db import IntegrityError, transaction

from marketplace.choices import ApplicationStatus
from marketplace.models import Application
from matching.ml.features import FEATURES, pair_features
from matching.ml.ranker import Labels, train
from matching.models import Feedback, Match, RankerModel, weights_digest
from matching.services.matcher_cache import matcher_get
from matching.services.rankers import ranker_activate, scorer_active
from matching.services.records import need_records_any
from matching.services.vectors import needs_vectors


def _feature_vector(features: dict) -> list[float] | None:
    try:
        return [float(features[name]) for name in FEATURES]
    except (KeyError, TypeError, ValueError):
        return None


def training_labels() -> Labels:
    """Outcomes as labels: SME and platform feedback on proposals, and decided
    applications made for a need (accepted good, declined bad). Feedback
    labels carry the features the pair had when the feedback was given;
    applications those of the pair's stored proposal, or, when it has none,
    the features computed now."""
    features, outcomes, needs, times = [], [], [], []

    def add(vector, outcome, need_id, when):
        features.append(vector)
        outcomes.append(outcome)
        needs.append(need_id)
        times.append(when.timestamp())

    stored = {}
    for match in Match.objects.exclude(sme_feedback="", platform_feedback="").iterator():
        vector = _feature_vector(match.label_features or match.features)
        if vector is None:
            continue
        stored[(match.need_id, match.capability_id)] = vector
        for value, when in (
            (match.sme_feedback, match.sme_feedback_at),
            (match.platform_feedback, match.platform_feedback_at),
        ):
            if value and when:
                add(vector, int(value == Feedback.INTERESTED), match.need_id, when)
    decided = list(
        Application.objects.filter(
            need__isnull=False,
            decided_at__isnull=False,
            status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED],
        ).values_list("need_id", "capability_id", "status", "decided_at")
    )
    proposals = Match.objects.filter(need_id__in={row[0] for row in decided}).values_list(
        "need_id", "capability_id", "features"
    )
    for need_id, capability_id, known in proposals.iterator():
        if (need_id, capability_id) not in stored:
            vector = _feature_vector(known)
            if vector is not None:
                stored[(need_id, capability_id)] = vector
    missing = []
    for need_id, capability_id, status, decided_at in decided:
        vector = stored.get((need_id, capability_id))
        if vector is None:
            missing.append((need_id, capability_id, status, decided_at))
            continue
        add(vector, int(status == ApplicationStatus.ACCEPTED), need_id, decided_at)
    for (need_id, _capability_id, status, decided_at), vector in zip(missing, _score_pairs(missing), strict=True):
        if vector is not None:
            add(vector, int(status == ApplicationStatus.ACCEPTED), need_id, decided_at)
    return Labels(
        features=np.array(features, dtype=np.float64).reshape(-1, len(FEATURES)),
        outcomes=np.array(outcomes, dtype=np.int64),
        needs=np.array(needs, dtype=np.int64),
        times=np.array(times, dtype=np.float64),
    )


def _score_pairs(pairs) -> list[list[float] | None]:
    """Features now of (need, capability) pairs never proposed; None for pairs
    whose capability is not in the published catalogue."""
    if not pairs:
        return []
    matcher = matcher_get()
    positions = matcher.positions
    records = need_records_any({need_id for need_id, *_ in pairs})
    row_of = {record.id: i for i, record in enumerate(records)}
    known = [
        i for i, (need_id, capability_id, *_) in enumerate(pairs) if need_id in row_of and capability_id in positions
    ]
    result: list[list[float] | None] = [None] * len(pairs)
    if not known:
        return result
    queries, table = matcher.prepare(records, needs_vectors(matcher, records))
    need_rows = np.array([row_of[pairs[i][0]] for i in known])
    cap_rows = np.array([positions[pairs[i][1]] for i in known])
    text = matcher.pair_text(queries, need_rows, cap_rows)
    vectors = pair_features(table, matcher.table, need_rows, cap_rows, text, time.time())
    for i, vector in zip(known, vectors, strict=True):
        result[i] = [float(v) for v in vector]
    return result


@dataclass
class TrainingOutcome:
    model: RankerModel | None
    promoted: bool
    explanation: str
    metrics: dict


def ranker_train() -> TrainingOutcome:
    """Train a candidate on the outcomes so far; keep it (with its metrics) and
    make it the active ranker only when it beats the active one on the newest
    labels. Promotion queues a rebuild so that new scores are used."""
    labels = training_labels()
    active, _version = scorer_active()
    result = train(labels, active)
    if result.candidate is None:
        return TrainingOutcome(None, False, result.explanation, result.metrics)
    weights = result.candidate.to_dict()
    try:
        model = _ranker_record(result, weights)
    except IntegrityError:
        # Another training took the same version number at the same moment.
        return TrainingOutcome(None, False, "another training finished first; this one is not kept", result.metrics)
    return TrainingOutcome(model, result.promote, result.explanation, result.metrics)


@transaction.atomic
def _ranker_record(result, weights: dict) -> RankerModel:
    """Keep the trained candidate as the next version; activate it if promoted."""
    latest = RankerModel.objects.select_for_update().order_by("-version").first()
    model = RankerModel(
        version=(latest.version if latest else 0) + 1,
        weights=weights,
        digest=weights_digest(weights),
        label_counts={
            key: result.metrics[key]
            for key in ("labels", "positives", "negatives", "train", "test")
            if key in result.metrics
        },
        metrics={key: result.metrics.get(key) for key in ("ndcg_candidate", "ndcg_active")},
        note=result.explanation,
    )
    model.save()
    if result.promote:
        ranker_activate(model=model)
    return model
