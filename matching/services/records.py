"""Published listings as the plain records the matching core takes
(``matching.ml.records``), read as values rather than model instances: a
worker may read 100,000 of them."""

from django.db.models import Count, Q

from marketplace.choices import ApplicationStatus
from marketplace.models import Application, Capability, Need
from matching.ml.records import CapabilityRecord, NeedRecord


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


def need_records_any(need_ids) -> list[NeedRecord]:
    """Records of these needs, published or not (labels outlive publication)."""
    return _need_records(Need.objects.filter(pk__in=need_ids))
