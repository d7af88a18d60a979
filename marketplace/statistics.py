"""Open statistics and tag usage: aggregate counts of what is public anyway.

Only published capabilities, published needs of public visibility, verified
organisations and numbers of applications are counted; nothing names an
organisation, and platforms-only needs, drafts and listings under review are
left out. Each count is one GROUP BY query, whatever the number of rows.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.choices import Industry, OrganizationKind, Province
from accounts.models import Organization
from marketplace.choices import ApplicationStatus, CapabilityKind, ListingStatus, NeedVisibility
from marketplace.models import Application, Capability, Need
from marketplace.models.tags import normalize_tag

# Capabilities that name no region serve all of China; those that name no
# industry suit every industry. Each is a bucket of its own.
ALL_CHINA = "all_china"
EVERY_INDUSTRY = "every_industry"
REGIONS_SERVED = [*Province.values, ALL_CHINA]
INDUSTRIES_SERVED = [*Industry.values, EVERY_INDUSTRY]
MONTHS = 12


def tally(queryset: QuerySet, field: str, keys: Iterable[str], *, empty: str = "") -> dict[str, int]:
    """Rows per value of ``field``, zero-filled over ``keys``. A set-valued
    field (ChoiceSetField) groups by the stored set; each set then counts once
    for each of its values, or for ``empty`` when it has none."""
    counts = dict.fromkeys(keys, 0)
    for value, number in queryset.order_by().values_list(field).annotate(number=Count("pk")):
        for key in (value if isinstance(value, list) else [value]) or [empty]:
            if key in counts:
                counts[key] += number
    return counts


def month_starts(today: date) -> list[date]:
    """The first days of the last MONTHS calendar months, oldest first, this one last."""
    year, month = today.year, today.month
    starts = []
    for _i in range(MONTHS):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def month_window() -> tuple[list[date], datetime]:
    """The first days of the last MONTHS calendar months in the site's time
    zone (China Standard Time), and the start of the first as a datetime."""
    starts = month_starts(timezone.localdate())
    return starts, timezone.make_aware(datetime.combine(starts[0], datetime.min.time()))


def per_month(queryset: QuerySet, field_name: str, since: datetime, **aggregates) -> dict[date, dict]:
    """Aggregates per calendar month of ``field_name`` (site time zone), from
    ``since``: the open statistics and the dashboards count months alike."""
    rows = (
        queryset.filter(**{f"{field_name}__gte": since})
        .annotate(month=TruncMonth(field_name))
        .order_by()
        .values("month")
        .annotate(**aggregates)
    )
    return {timezone.localtime(row.pop("month")).date(): row for row in rows}


def open_statistics() -> dict:
    """Counts for policy researchers (the public statistics endpoint).

    Capabilities count once per kind, and once for each region and industry
    they name (or under ALL_CHINA / EVERY_INDUSTRY when they name none); needs
    once per kind wanted and once under their region and industry. Months are
    calendar months in the site's time zone (China Standard Time), the current
    one last.
    """
    now = timezone.now()
    capabilities = Capability.objects.published()
    needs = Need.objects.published().filter(visibility=NeedVisibility.PUBLIC)
    capability_kinds = tally(capabilities, "kind", CapabilityKind.values)
    need_regions = tally(needs, "region", Province.values)
    organization_kinds = tally(Organization.objects.filter(verified_at__isnull=False), "kind", OrganizationKind.values)
    starts, since = month_window()
    submitted = per_month(Application.objects.all(), "created_at", since, number=Count("pk"))
    accepted = per_month(
        Application.objects.filter(status=ApplicationStatus.ACCEPTED), "decided_at", since, number=Count("pk")
    )
    return {
        "generated_at": now,
        "capabilities": {
            "published": sum(capability_kinds.values()),
            "by_kind": capability_kinds,
            "by_region": tally(capabilities, "regions", REGIONS_SERVED, empty=ALL_CHINA),
            "by_industry": tally(capabilities, "industries", INDUSTRIES_SERVED, empty=EVERY_INDUSTRY),
        },
        "needs": {
            "published": sum(need_regions.values()),
            "by_kind": tally(needs, "kinds_wanted", CapabilityKind.values),
            "by_region": need_regions,
            "by_industry": tally(needs, "industry", Industry.values),
        },
        "organizations": {"verified": sum(organization_kinds.values()), "by_kind": organization_kinds},
        "collaborations": [
            {
                "month": start.strftime("%Y-%m"),
                "applications_submitted": submitted.get(start, {}).get("number", 0),
                "applications_accepted": accepted.get(start, {}).get("number", 0),
            }
            for start in starts
        ],
    }


def tags_in_use(*, query: str = "") -> QuerySet:
    """Tags of published capabilities with how many use each (``name``,
    ``key``, ``capabilities``), most used first. ``query`` keeps the tags
    whose key contains it, those that start with it first."""
    rows = (
        Capability.tags.through.objects.filter(capability__status=ListingStatus.PUBLISHED)
        .values(name=F("tag__name"), key=F("tag__key"))
        .annotate(capabilities=Count("capability_id"))
    )
    order = ["-capabilities", "key"]
    key = normalize_tag(query)
    if key:
        rows = rows.filter(tag__key__contains=key).annotate(
            starts_with=Case(
                When(tag__key__startswith=key, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        order = ["-starts_with", *order]
    return rows.order_by(*order)
