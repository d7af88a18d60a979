"""Matching runs: needs re-matched against the published catalogue, a
capability placed among the needs it may fit, a withdrawn listing's
proposals taken down, the rebuild planned in chunks.

Only Celery tasks and management commands import this module (it loads the
numerical stack); web processes queue work through ``matching.services.hooks``.
"""

from dataclasses import replace

import numpy as np
from django.db.models import Q
from django.utils import timezone

from marketplace.models import Application, Capability, Need
from matching.ml.engine import eligible_pairs
from matching.ml.records import NeedRecord
from matching.models import Match
from matching.selectors import APPLIED_STATUSES
from matching.services.matcher_cache import matcher_get
from matching.services.proposals import proposals_store, proposals_withdraw
from matching.services.rankers import scorer_active
from matching.services.records import need_records
from matching.services.vectors import needs_vectors

# Proposals kept per need, and candidates scored to choose them.
PROPOSALS_PER_NEED = 20
CANDIDATE_DEPTH = 100
# Batches of at least this many needs (rebuild chunks) take the bulk path:
# the same proposals, found by a compiled top-n over the catalogue in parts.
BULK_FROM = 100
# A new capability is scored against this many of the most similar needs.
CAPABILITY_REACH = 200


def _already_applied(records: list[NeedRecord]) -> dict[int | str, set[int]]:
    """Per need (by ``NeedRecord.id``), the capabilities its SME has applied to
    (pending, accepted or declined): proposing them again would only repeat the question."""
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
        vectors = needs_vectors(matcher, records)
        if len(records) >= BULK_FROM:
            chunks = matcher.match_bulk(records, scorer, k=PROPOSALS_PER_NEED, depth=CANDIDATE_DEPTH, vectors=vectors)
            found = [row for chunk in chunks for row in chunk]
        else:
            found = matcher.match(records, scorer, k=PROPOSALS_PER_NEED, depth=CANDIDATE_DEPTH, vectors=vectors)
        for record, row in zip(records, found, strict=True):
            proposals.append([replace(p, reasons=_with_budget(p.reasons, record)) for p in row])
    return proposals_store(sorted(need_ids), proposals, version, started)


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
            queries, table = matcher.prepare(needs, needs_vectors(matcher, needs))
            rows = np.arange(len(needs))
            allowed = eligible_pairs(table, rows, matcher.table, np.full(len(needs), position))
            similarity = matcher.text_to(queries, position)
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
    deleted = proposals_withdraw(matches)
    if refill:
        match_needs(sorted(set(refill)))
    return deleted


def rebuild_plan(chunk_size: int) -> list[list[int]]:
    """The published needs in chunks, for workers to share."""
    ids = list(Need.objects.published().order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
