"""The platform dashboard: applications to its capabilities, its decisions and the demand it does not meet."""

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.choices import Industry, Province
from accounts.models import Membership
from dashboards.charts import (
    COLUMNS,
    COUNT,
    HBAR,
    PERCENT,
    Column,
    Series,
    format_count,
    format_percent,
)
from dashboards.selectors.common import (
    CHART_ROWS,
    DECIDED,
    NEWEST_UNMET,
    A,
    counted_text,
    good_match,
    month_axis_of,
    month_column,
    month_rows,
    rate,
    tallied_rows,
)
from marketplace.choices import DeclineReason, ListingStatus
from marketplace.models import Application, Capability, Need
from marketplace.statistics import MONTHS, month_window, per_month, tally


def _accepted_of_received(row: dict) -> str:
    return _("%(accepted)s of %(received)s accepted") % {
        "accepted": format_count(row["value"]),
        "received": format_count(row["received"]),
    }


def platform_capabilities(membership: Membership) -> Series:
    capabilities = (
        Capability.objects.filter(organization_id=membership.organization_id)
        .annotate(
            received=Count("applications"),
            accepted=Count("applications", filter=Q(applications__status=A.ACCEPTED)),
            decided=Count("applications", filter=Q(applications__status__in=DECIDED)),
        )
        .filter(Q(status=ListingStatus.PUBLISHED) | Q(received__gt=0))
        .order_by("-received", "title", "pk")
        .values("pk", "title", "received", "accepted", "decided")
    )
    rows = [
        {
            "label": capability["title"],
            "url": reverse("marketplace:capability_detail", args=[capability["pk"]]),
            "received": capability["received"],
            "decided": capability["decided"],
            "value": capability["accepted"],
            "rate": rate(capability["accepted"], capability["decided"]),
        }
        for capability in capabilities
    ]
    return Series(
        slug="capabilities",
        title=_("Applications per capability"),
        summary=_("Applications each capability received, and how many you accepted."),
        columns=[
            Column("label", gettext_lazy("Capability"), link="url"),
            Column("received", gettext_lazy("Received"), COUNT),
            Column("decided", gettext_lazy("Decided"), COUNT),
            Column("value", gettext_lazy("Accepted"), COUNT),
            Column("rate", gettext_lazy("Acceptance rate"), PERCENT),
        ],
        rows=rows,
        chart=HBAR,
        total="received",
        value_text=_accepted_of_received,
        legend=[("value", _("Accepted")), ("total", _("Received"))],
        note=_(
            "Acceptance rate: accepted applications as a share of decided ones (accepted or declined); "
            "open, withdrawn and expired applications are not counted in it."
        ),
        chart_limit=CHART_ROWS,
        empty_message=_("No published capabilities and no applications yet."),
    )


def platform_per_month(membership: Membership) -> Series:
    starts, since = month_window()
    counts = per_month(
        Application.objects.filter(capability__organization_id=membership.organization_id),
        "created_at",
        since,
        received=Count("pk"),
    )
    return Series(
        slug="applications-per-month",
        title=_("Applications per month"),
        summary=_("Applications received in each of the last %(months)s months.") % {"months": MONTHS},
        columns=[month_column(), Column("value", pgettext_lazy("number of applications", "Applications"), COUNT)],
        rows=month_rows(starts, counts, "received"),
        chart=COLUMNS,
        axis=month_axis_of,
        empty_message=_("No applications in the last %(months)s months.") % {"months": MONTHS},
    )


def platform_decline_reasons(membership: Membership) -> Series:
    counts = dict.fromkeys(DeclineReason.values, 0) | dict(
        Application.objects.filter(capability__organization_id=membership.organization_id, status=A.DECLINED)
        .order_by()
        .values_list("decline_reason")
        .annotate(number=Count("pk"))
    )
    total = sum(counts.values())
    rows = [
        {"label": str(DeclineReason(reason).label), "value": number, "share": rate(number, total)}
        for reason, number in counts.items()
        if reason in DeclineReason.values
    ]
    return Series(
        slug="decline-reasons",
        title=_("Why applications were declined"),
        summary=_("Declined applications per reason given, and each reason's share."),
        columns=[
            Column("label", gettext_lazy("Reason")),
            Column("value", gettext_lazy("Declined"), COUNT),
            Column("share", gettext_lazy("Share of declines"), PERCENT),
        ],
        rows=sorted(rows, key=lambda row: -row["value"]),
        chart=HBAR,
        value_text=counted_text,
        empty_message=_("You have not declined any application."),
    )


def _platform_unmet(membership: Membership) -> QuerySet[Need]:
    """Published needs no published capability of this platform is proposed for as a good match."""
    return Need.objects.published().filter(~good_match(capability__organization_id=membership.organization_id))


def platform_unmet_demand(membership: Membership) -> Series:
    return Series(
        slug="unmet-demand",
        title=_("Demand your catalogue does not meet"),
        summary=_("Published needs with no good match among your capabilities, by the SME's industry."),
        columns=[
            Column("label", gettext_lazy("Industry")),
            Column("value", pgettext_lazy("number of needs", "Needs"), COUNT),
            Column("share", gettext_lazy("Share"), PERCENT),
        ],
        rows=tallied_rows(tally(_platform_unmet(membership), "industry", Industry.values), Industry),
        chart=HBAR,
        value_text=counted_text,
        chart_limit=CHART_ROWS,
        empty_message=_("Every published need has a good match among your capabilities."),
    )


def platform_unmet_extra(membership: Membership) -> dict:
    """The newest needs without a good match in the catalogue, and how many needs are published."""
    newest = (
        _platform_unmet(membership)
        .order_by("-published_at", "-pk")
        .values("pk", "title", "industry", "region", "published_at")[:NEWEST_UNMET]
    )
    return {
        "newest_unmet": [
            need
            | {
                "url": reverse("marketplace:need_detail", args=[need["pk"]]),
                "industry_label": Industry(need["industry"]).label,
                "region_label": Province(need["region"]).label,
            }
            for need in newest
        ],
        "published_needs": Need.objects.published().count(),
    }


def platform_headlines(series: dict[str, Series]) -> list[tuple[str, str]]:
    capabilities = series["capabilities"].rows
    accepted = sum(row["value"] for row in capabilities)
    decided = sum(row["decided"] for row in capabilities)
    return [
        (_("Applications received"), format_count(sum(row["received"] for row in capabilities))),
        (_("Accepted"), format_count(accepted)),
        (_("Acceptance rate"), format_percent(rate(accepted, decided))),
        (_("Needs without a good match here"), format_count(sum(row["value"] for row in series["unmet-demand"].rows))),
    ]


PLATFORM_CHARTS: dict[str, Callable[[Membership], Series]] = {
    "capabilities": platform_capabilities,
    "applications-per-month": platform_per_month,
    "decline-reasons": platform_decline_reasons,
    "unmet-demand": platform_unmet_demand,
}
