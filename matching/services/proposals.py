"""Storing proposals: a need's proposals replaced in one transaction, the
matches of withdrawn listings taken down, stale ones pruned after a rebuild.
Rows that carry feedback are training labels and always stay."""

import csv
import io
import json
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from matching.ml.engine import Proposal
from matching.models import Match

STORE_BATCH = 1000


def proposals_store(need_ids: list[int], proposals: list[list[Proposal]], version: int, started: datetime) -> int:
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
            f"INSERT INTO {table} ({columns}, sme_feedback, sme_feedback_reason, platform_feedback, "  # noqa: S608 - names from the model's meta and constants  # nosec B608
            f"platform_feedback_reason, label_features) SELECT {columns}, '', '', '', '', '{{}}'::jsonb "
            f"FROM matching_incoming "
            f"ON CONFLICT (need_id, capability_id) DO UPDATE SET {updates}"
        )
        # Emptied now, not only at commit: a caller may store twice in one transaction.
        cursor.execute("DELETE FROM matching_incoming")


def proposals_withdraw(matches: QuerySet[Match]) -> int:
    """Take these matches out of the lists: rows with feedback stay, unranked,
    as labels; the others go. Returns how many rows were deleted."""
    with transaction.atomic():
        deleted, _ = matches.filter(sme_feedback="", platform_feedback="").delete()
        matches.update(rank=None)
    return deleted


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
