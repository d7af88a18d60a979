"""Matching joined to the database: records from the models, the matcher kept
in the worker's memory, matches stored, rankers trained.

Only Celery tasks and management commands import this module (it loads the
numerical stack); web processes use ``matching.services.feedback``.
"""

import csv
import io
import json
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from marketplace.choices import ApplicationStatus, ListingStatus
from marketplace.models import Application, Capability, Need
from matching.ml.engine import Matcher, Proposal, eligible_pairs
from matching.ml.features import FEATURES, pair_features
from matching.ml.ranker import PRIOR, Labels, LinearScorer, train
from matching.ml.records import CapabilityRecord, NeedRecord
from matching.models import Feedback, Match, RankerModel, weights_digest
from matching.selectors import APPLIED_STATUSES
from matching.services.feedback import ranker_activate

logger = logging.getLogger(__name__)

# Proposals kept per need, and candidates scored to choose them.
PROPOSALS_PER_NEED = 20
CANDIDATE_DEPTH = 100
# Needs whose texts are used, with the catalogue's, to weigh words.
NEED_TEXTS_FOR_WEIGHTS = 20_000
# Batches of at least this many needs (rebuild chunks) take the bulk path:
# the same proposals, found by a compiled top-n over the catalogue in parts.
BULK_FROM = 100
# A new capability is scored against this many of the most similar needs.
CAPABILITY_REACH = 200
STORE_BATCH = 1000


def _timestamp(value) -> float | None:
    return value.timestamp() if value else None


def _money(value) -> float | None:
    return None if value is None else float(value)


CAPABILITY_VALUES = (
    "pk",
    "title",
    "summary",
    "description",
    "kind",
    "industries",
    "regions",
    "eligible_size_bands",
    "requires_verification",
    "price_min_monthly",
    "price_max_monthly",
    "published_at",
)


def _tag_names(model, listings) -> dict[int, list[str]]:
    """Tag names per listing id (capabilities or needs), in key order, read
    as plain values in one streamed query."""
    column = f"{model._meta.model_name}_id"
    rows = (
        model.tags.through.objects.filter(**{f"{model._meta.model_name}__in": listings})
        .order_by(column, "tag__key")
        .values_list(column, "tag__name")
    )
    tags: dict[int, list[str]] = {}
    for listing_id, name in rows.iterator(chunk_size=10000):
        tags.setdefault(listing_id, []).append(name)
    return tags


def capability_records() -> list[CapabilityRecord]:
    """The published catalogue as records, read as plain values: model
    instances of a 100,000-row catalogue would cost a worker gigabytes."""
    published = Capability.objects.published()
    tags = _tag_names(Capability, published)
    track = {
        row["capability_id"]: (row["accepted"], row["decided"])
        for row in Application.objects.filter(
            capability__in=published, status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.DECLINED]
        )
        .values("capability_id")
        .annotate(accepted=Count("pk", filter=Q(status=ApplicationStatus.ACCEPTED)), decided=Count("pk"))
        .order_by()
    }
    records = []
    for row in published.order_by("pk").values(*CAPABILITY_VALUES).iterator(chunk_size=5000):
        accepted, decided = track.get(row["pk"], (0, 0))
        records.append(
            CapabilityRecord(
                id=row["pk"],
                title=row["title"],
                description=f"{row['summary']} {row['description']}",
                kind=row["kind"],
                tags=tuple(tags.get(row["pk"], ())),
                industries=frozenset(row["industries"]),
                regions=frozenset(row["regions"]),
                size_bands=frozenset(row["eligible_size_bands"]),
                requires_verification=row["requires_verification"],
                price_min=_money(row["price_min_monthly"]),
                price_max=_money(row["price_max_monthly"]),
                accepted=accepted,
                decided=decided,
                published_at=_timestamp(row["published_at"]),
            )
        )
    return records


NEED_VALUES = (
    "pk",
    "title",
    "description",
    "kinds_wanted",
    "industry",
    "region",
    "organization__size_band",
    "organization__verified_at",
    "budget_min_monthly",
    "budget_max_monthly",
    "published_at",
)


def _need_records(needs) -> list[NeedRecord]:
    """Records of a queryset of needs, read as plain values (a worker may read
    100,000 of them to place a new capability)."""
    tags = _tag_names(Need, needs)
    return [
        NeedRecord(
            id=row["pk"],
            text=f"{row['title']} {row['description']}",
            kinds=frozenset(row["kinds_wanted"]),
            tags=tuple(tags.get(row["pk"], ())),
            industry=row["industry"],
            region=row["region"],
            size_band=row["organization__size_band"],
            verified=row["organization__verified_at"] is not None,
            budget_min=_money(row["budget_min_monthly"]),
            budget_max=_money(row["budget_max_monthly"]),
            published_at=_timestamp(row["published_at"]),
        )
        for row in needs.order_by("pk").values(*NEED_VALUES).iterator(chunk_size=5000)
    ]


def need_records(need_ids=None) -> list[NeedRecord]:
    """The published needs (or those of them in ``need_ids``) as records."""
    needs = Need.objects.published()
    if need_ids is not None:
        needs = needs.filter(pk__in=need_ids)
    return _need_records(needs)


# The matcher kept in memory ---------------------------------------------------


def _catalogue_fingerprint() -> tuple:
    """Changes whenever the catalogue changes (a capability published, edited
    or withdrawn), and each day: track records (decided applications) are
    refreshed daily rather than rebuilding every worker's matcher per decision."""
    capabilities = Capability.objects.published().aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return (capabilities["n"], capabilities["last"], capabilities["top"], timezone.localdate())


@dataclass
class _Cache:
    fingerprint: tuple | None = None
    matcher: Matcher | None = None


_cache = _Cache()
_cache_lock = threading.Lock()


def matcher_get() -> Matcher:
    """The matcher for the published catalogue, built once per worker process
    and rebuilt when the catalogue changes (one aggregate query tells)."""
    fingerprint = _catalogue_fingerprint()
    with _cache_lock:
        if _cache.matcher is None or _cache.fingerprint != fingerprint:
            # The old matcher goes first: two catalogues in memory at once are not needed.
            _cache.matcher = None
            capabilities = capability_records()
            # The newest needs' texts join the capabilities' to weigh words (IDF);
            # a sample is enough, and fitting on every need would double the
            # worker's peak memory at 100,000 needs.
            need_texts = list(
                Need.objects.published().order_by("-pk").values_list("title", "description")[:NEED_TEXTS_FOR_WEIGHTS]
            )
            _cache.matcher = Matcher(capabilities, extra_texts=[f"{title} {text}" for title, text in need_texts])
            _cache.fingerprint = fingerprint
        return _cache.matcher


def scorer_active() -> tuple[LinearScorer, int]:
    """The active ranker and its version; the prior (version 0) when none is
    active or its stored weights fail their digest."""
    model = RankerModel.objects.filter(is_active=True).first()
    if model is None or not model.digest_ok:
        return PRIOR, 0
    try:
        return LinearScorer.from_dict(model.weights), model.version
    except (ValueError, KeyError, TypeError, AttributeError):
        # Intact but unusable (trained on other features, say): matching goes on with the prior.
        logger.warning("Ranker %s cannot be loaded; the prior scores matches instead.", model.version)
        return PRIOR, 0


# Storing proposals -------------------------------------------------------------


def _store(need_ids: list[int], proposals: list[list[Proposal]], version: int, started: datetime) -> int:
    """Replace the proposals of these needs in one transaction. A pair proposed
    again keeps its row (and id: pages already open still post to it); rows
    carrying feedback are training labels and stay, unranked, when no longer
    proposed; the rest go. The needs are marked matched as of ``started``
    (when their rows were read) in the same transaction."""
    now = timezone.now()
    rows = [
        Match(
            need_id=p.need_id,
            capability_id=p.capability_id,
            score=p.score,
            rank=p.rank,
            features=p.features,
            reasons=p.reasons,
            ranker_version=version,
            computed_at=now,
        )
        for row in proposals
        for p in row
    ]
    proposed = {(row.need_id, row.capability_id) for row in rows}
    with transaction.atomic():
        # Two tasks re-matching the same need (a publish and a rebuild) queue up
        # on these row locks instead of interleaving deletes and inserts; ids in
        # order so that overlapping batches cannot deadlock.
        list(Need.objects.select_for_update().filter(pk__in=need_ids).order_by("pk").values_list("pk", flat=True))
        dropped, unranked = [], []
        existing = Match.objects.filter(need_id__in=need_ids).values_list(
            "pk", "need_id", "capability_id", "sme_feedback", "platform_feedback", "rank"
        )
        for pk, need_id, capability_id, sme_feedback, platform_feedback, rank in existing.iterator():
            if (need_id, capability_id) in proposed:
                continue
            if sme_feedback or platform_feedback:
                if rank is not None:
                    unranked.append(pk)
            else:
                dropped.append(pk)
        for start in range(0, len(dropped), STORE_BATCH):
            # The feedback condition again: feedback given since the read above
            # (a click while this runs) keeps its row.
            Match.objects.filter(
                pk__in=dropped[start : start + STORE_BATCH], sme_feedback="", platform_feedback=""
            ).delete()
        for start in range(0, len(unranked), STORE_BATCH):
            Match.objects.filter(pk__in=unranked[start : start + STORE_BATCH]).update(rank=None)
        _upsert(rows)
        # The start, not the end: an edit committed while this ran is newer
        # than what was matched, and the reconciler will see it as stale. Never
        # moved back by a slower run that started earlier.
        Need.objects.filter(pk__in=need_ids).filter(Q(matched_at__isnull=True) | Q(matched_at__lt=started)).update(
            matched_at=started
        )
    return len(rows)


UPSERT_FIELDS = ["score", "rank", "features", "reasons", "ranker_version", "computed_at"]


def _upsert(rows: list[Match]) -> None:
    """Insert the proposals, or update the pairs that have a row (keeping its
    feedback). On PostgreSQL through COPY and one INSERT … ON CONFLICT: a
    rebuild writes two million rows, several times faster than INSERTs."""
    if connection.vendor != "postgresql":
        Match.objects.bulk_create(
            rows,
            batch_size=STORE_BATCH,
            update_conflicts=True,
            unique_fields=["need", "capability"],
            update_fields=UPSERT_FIELDS,
        )
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(
            [
                row.need_id,
                row.capability_id,
                repr(float(row.score)),
                "" if row.rank is None else row.rank,
                json.dumps(row.features),
                json.dumps(row.reasons),
                row.ranker_version,
                row.computed_at.isoformat(),
            ]
        )
    buffer.seek(0)
    table = Match._meta.db_table
    columns = "need_id, capability_id, score, rank, features, reasons, ranker_version, computed_at"
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in UPSERT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS matching_incoming (need_id bigint, capability_id bigint, "
            "score double precision, rank smallint, features jsonb, reasons jsonb, ranker_version integer, "
            "computed_at timestamptz) ON COMMIT DELETE ROWS"
        )
        cursor.copy_expert(f"COPY matching_incoming ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)
        # Table and column names come from the model and constants, never from input.
        cursor.execute(
            f"INSERT INTO {table} ({columns}, sme_feedback, sme_feedback_reason, platform_feedback, "  # noqa: S608 - names from the model's meta and constants
            f"platform_feedback_reason, label_features) SELECT {columns}, '', '', '', '', '{{}}'::jsonb "
            f"FROM matching_incoming "
            f"ON CONFLICT (need_id, capability_id) DO UPDATE SET {updates}"
        )
        # Emptied now, not only at commit: a caller may store twice in one transaction.
        cursor.execute("DELETE FROM matching_incoming")


def _already_applied(records: list[NeedRecord]) -> dict[int | str, set[int]]:
    """Per need, the capabilities its SME has applied to (pending, accepted or
    declined): proposing them again would only repeat the question."""
    needs = Need.objects.filter(pk__in=[record.id for record in records]).values_list("pk", "organization_id")
    organization_of = dict(needs)
    applied: dict[int, set[int]] = {}
    for organization_id, capability_id in Application.objects.filter(
        sme_id__in=set(organization_of.values()), status__in=APPLIED_STATUSES
    ).values_list("sme_id", "capability_id"):
        applied.setdefault(organization_id, set()).add(capability_id)
    return {need_id: applied.get(organization_id, set()) for need_id, organization_id in organization_of.items()}


def _with_budget(reasons: list[dict], need: NeedRecord) -> list[dict]:
    """The budget reason shows the need's budget beside the price."""
    return [
        {**reason, "budget_min": need.budget_min, "budget_max": need.budget_max}
        if reason["code"] == "budget"
        else reason
        for reason in reasons
    ]


def match_needs(need_ids: list[int]) -> int:
    """Re-match these needs against the published catalogue; needs no longer
    published lose their proposals. Returns the number of proposals stored."""
    started = timezone.now()
    records = need_records(need_ids)
    proposals = []
    scorer, version = scorer_active()
    if records:
        applied = _already_applied(records)
        # Capabilities the SME applied to are filtered out like ineligible ones.
        records = [replace(record, excluded=frozenset(applied.get(record.id, ()))) for record in records]
        matcher = matcher_get()
        options: dict[str, Any] = {"k": PROPOSALS_PER_NEED, "depth": CANDIDATE_DEPTH}
        if len(records) >= BULK_FROM:
            found = [row for chunk in matcher.match_bulk(records, scorer, **options) for row in chunk]
        else:
            found = matcher.match(records, scorer, **options)
        for record, row in zip(records, found, strict=True):
            proposals.append([replace(p, reasons=_with_budget(p.reasons, record)) for p in row])
    return _store(sorted(need_ids), proposals, version, started)


def match_need(need_id: int) -> int:
    return match_needs([need_id])


def match_organization_needs(organization_id: int) -> int:
    """Re-match every published need of an organisation (its eligibility changed)."""
    need_ids = list(
        Need.objects.published().filter(organization_id=organization_id).order_by("pk").values_list("pk", flat=True)
    )
    return match_needs(need_ids) if need_ids else 0


def match_capability(capability_id: int) -> int:
    """A capability published or edited: re-match the eligible needs whose
    text is closest to it (it may now belong in their lists) and those it was
    proposed for. The capability is marked matched as of the start."""
    started = timezone.now()
    matcher = matcher_get()
    affected = set(Match.objects.filter(capability_id=capability_id).values_list("need_id", flat=True))
    if Capability.objects.published().filter(pk=capability_id).exists():
        needs = need_records()
        position = matcher.positions.get(capability_id)
        if needs and position is not None:
            queries, table = matcher.prepare(needs)
            rows = np.arange(len(needs))
            allowed = eligible_pairs(table, rows, matcher.table, np.full(len(needs), position))
            similarity = np.asarray((queries @ matcher.matrix[position].T).todense()).ravel()
            similarity[~allowed] = 0.0
            closest = np.argsort(-similarity, kind="stable")[:CAPABILITY_REACH]
            affected |= {needs[i].id for i in closest if similarity[i] > 0}
    stored = match_needs(sorted(affected)) if affected else 0
    Capability.objects.filter(pk=capability_id).filter(Q(matched_at__isnull=True) | Q(matched_at__lt=started)).update(
        matched_at=started
    )
    return stored


def matches_withdraw(*, need_id: int | None = None, capability_id: int | None = None) -> int:
    """A listing stopped being published: its matches are no longer proposed.
    Rows with feedback stay as labels; the others go. Needs that lose a
    proposed capability get their lists refilled. Queued when the listing
    left the published state: if it is published again by the time this
    runs (a suspension undone, a review passed), it is re-matched instead."""
    if need_id and Need.objects.published().filter(pk=need_id).exists():
        return match_needs([need_id])
    if capability_id and Capability.objects.published().filter(pk=capability_id).exists():
        return match_capability(capability_id)
    matches = Match.objects.filter(Q(need_id=need_id) if need_id else Q(capability_id=capability_id))
    refill = list(matches.filter(rank__isnull=False).values_list("need_id", flat=True)) if capability_id else []
    with transaction.atomic():
        deleted, _ = matches.filter(sme_feedback="", platform_feedback="").delete()
        matches.update(rank=None)
    if refill:
        match_needs(sorted(set(refill)))
    return deleted


# Rebuild -----------------------------------------------------------------------


def rebuild_plan(chunk_size: int) -> list[list[int]]:
    """The published needs in chunks, for workers to share."""
    ids = list(Need.objects.published().order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]


def capabilities_mark_matched(*, started: datetime) -> int:
    """After a full rebuild that started at ``started``: every published
    capability not changed since then has been matched against every need,
    so the reconciler need not queue it again."""
    return (
        Capability.objects.published()
        .filter(updated_at__lte=started)
        .filter(Q(matched_at__isnull=True) | Q(matched_at__lt=started))
        .update(matched_at=started)
    )


def matches_prune() -> int:
    """After a rebuild: nothing proposed between listings that are not both
    published (a listing withdrawn while the rebuild ran)."""
    unpublished = ~Q(need__status=ListingStatus.PUBLISHED) | ~Q(capability__status=ListingStatus.PUBLISHED)
    with transaction.atomic():
        stale = Match.objects.filter(unpublished)
        deleted, _ = stale.filter(sme_feedback="", platform_feedback="").delete()
        Match.objects.filter(unpublished, rank__isnull=False).update(rank=None)
    return deleted


# Training ----------------------------------------------------------------------


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
    queries, table = matcher.prepare(records)
    need_rows = np.array([row_of[pairs[i][0]] for i in known])
    cap_rows = np.array([positions[pairs[i][1]] for i in known])
    text = np.asarray(queries[need_rows].multiply(matcher.matrix[cap_rows]).sum(axis=1)).ravel()
    vectors = pair_features(table, matcher.table, need_rows, cap_rows, text, time.time())
    for i, vector in zip(known, vectors, strict=True):
        result[i] = [float(v) for v in vector]
    return result


def need_records_any(need_ids) -> list[NeedRecord]:
    """Records of these needs, published or not (labels outlive publication)."""
    return _need_records(Need.objects.filter(pk__in=need_ids))


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
