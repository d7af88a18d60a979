"""The SME dashboard: its needs' best matches, its applications and how fast platforms answer."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts.models import Membership
from dashboards.charts import (
    COUNT,
    DAYS,
    HBAR,
    PERCENT,
    Column,
    Series,
    format_count,
    format_days_long,
)
from dashboards.selectors.common import (
    CHART_ROWS,
    DECIDED,
    TOP_MATCHES,
    counted_text,
    percentile,
    rate,
)
from marketplace.choices import ApplicationStatus
from marketplace.models import Application, AuditEvent, Need
from matching.selectors import matches_for_membership


def sme_best_matches(membership: Membership) -> Series:
    """Each published need with its best TOP_MATCHES suggestions, as its
    recommendations list shows them (without those dismissed or applied to)."""
    needs = list(
        Need.objects.published()
        .filter(organization_id=membership.organization_id)
        .order_by("-published_at", "-pk")
        .values("pk", "title")
    )
    matches = (
        matches_for_membership(membership=membership)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("need_id")], order_by=[F("score").desc(), F("pk").asc()])
        )
        .filter(position__lte=TOP_MATCHES)
    )
    by_need: dict[int, list] = {}
    for match in matches:
        by_need.setdefault(match.need_id, []).append(match)
    rows, groups = [], []
    for need in needs:
        url = reverse("marketplace:need_detail", args=[need["pk"]]) + "#matches"
        group = {"title": need["title"], "url": url, "matches": []}
        for match in sorted(by_need.get(need["pk"], []), key=lambda m: -m.score):
            row = {
                "label": need["title"],
                "need_url": url,
                "capability": match.capability.title,
                "capability_url": reverse("marketplace:capability_detail", args=[match.capability_id]),
                "platform": match.capability.organization.legal_name,
                "value": match.score,
                "percent": match.score_percent,
            }
            group["matches"].append(row)
            rows.append(row)
        if not group["matches"]:
            rows.append({"label": need["title"], "need_url": url, "capability": "", "platform": "", "value": None})
        groups.append(group)
    series = Series(
        slug="best-matches",
        title=_("Your needs and their best matches"),
        summary=_("The %(count)s capabilities that fit each published need best.") % {"count": TOP_MATCHES},
        columns=[
            Column("label", gettext_lazy("Need"), link="need_url"),
            Column("capability", gettext_lazy("Capability"), link="capability_url"),
            Column("platform", gettext_lazy("Platform")),
            Column("value", gettext_lazy("Fit"), PERCENT),
        ],
        rows=rows,
        value_kind=PERCENT,
        empty_message=_("No suggestions yet: they appear here a few minutes after a need is published.")
        if needs
        else _("Publish a need to see which capabilities fit it."),
    )
    series.extra["groups"] = groups
    return series


def sme_funnel(membership: Membership) -> Series:
    applications = Application.objects.filter(sme_id=membership.organization_id)
    counts = dict(applications.order_by().values_list("status").annotate(number=Count("pk")))
    total = sum(counts.values())
    # Taken into review: its trail says so (it may since have been withdrawn
    # or have expired), or it is in review or decided now.
    review_started = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Application), object_id=OuterRef("pk"), action="start_review"
    )
    reviewed = applications.filter(
        Q(status__in=(ApplicationStatus.IN_REVIEW, *DECIDED)) | Q(Exists(review_started))
    ).count()
    # Each of the first three steps is part of the one before; the rest are
    # the other ends an application comes to, and those still waiting.
    stages = [
        ("sent", _("All applications sent"), total),
        (
            "reviewed",
            _("Taken into review or decided"),
            reviewed,
        ),
        (ApplicationStatus.ACCEPTED, ApplicationStatus.ACCEPTED.label, counts.get(ApplicationStatus.ACCEPTED, 0)),
        (ApplicationStatus.DECLINED, ApplicationStatus.DECLINED.label, counts.get(ApplicationStatus.DECLINED, 0)),
        (ApplicationStatus.WITHDRAWN, ApplicationStatus.WITHDRAWN.label, counts.get(ApplicationStatus.WITHDRAWN, 0)),
        (ApplicationStatus.EXPIRED, ApplicationStatus.EXPIRED.label, counts.get(ApplicationStatus.EXPIRED, 0)),
        ("waiting", _("Waiting for review"), counts.get(ApplicationStatus.SUBMITTED, 0)),
    ]
    return Series(
        slug="applications",
        title=_("Your applications, from sending to a decision"),
        summary=_("How many applications reached each step, and their share of all you sent."),
        columns=[
            Column("label", gettext_lazy("Step")),
            Column("value", pgettext_lazy("number of applications", "Applications"), COUNT),
            Column("share", gettext_lazy("Share of all sent"), PERCENT),
        ],
        rows=[
            {"key": str(key), "label": str(label), "value": number, "share": rate(number, total)}
            for key, label, number in stages
        ],
        chart=HBAR,
        value_text=counted_text,
        empty_message=_("No applications yet. Apply to a capability from its page or from a need's suggestions."),
    )


# Fewer decisions than this and "9 in 10 within" is only the slowest one or two.
P90_MIN_DECISIONS = 5


def _p90(values: list[float]) -> float | None:
    return percentile(values, 0.9) if len(values) >= P90_MIN_DECISIONS else None


def _response_label(row: dict) -> str:
    return ngettext("%(platform)s (%(count)s decision)", "%(platform)s (%(count)s decisions)", row["decisions"]) % {
        "platform": row["label"],
        "count": format_count(row["decisions"]),
    }


def _response_text(row: dict) -> str:
    if row["p90"] is None:  # the note says why
        return _("median %(median)s") % {"median": format_days_long(row["value"])}
    return _("median %(median)s · 9 in 10 within %(p90)s") % {
        "median": format_days_long(row["value"]),
        "p90": format_days_long(row["p90"]),
    }


def sme_response_times(membership: Membership) -> Series:
    """Days from submission to the platform's decision (accepted or declined), per platform."""
    decisions = (
        Application.objects.filter(sme_id=membership.organization_id, status__in=DECIDED, decided_at__isnull=False)
        .order_by()
        .values_list("capability__organization_id", "capability__organization__legal_name", "created_at", "decided_at")
    )
    days: dict[tuple[int, str], list[float]] = {}
    for platform_id, name, submitted, decided in decisions:
        days.setdefault((platform_id, name), []).append(max(0.0, (decided - submitted).total_seconds() / 86400))  # type: ignore[operator]  # decided_at__isnull=False above
    rows = [
        {"label": name, "decisions": len(values), "value": percentile(values, 0.5), "p90": _p90(values)}
        for (_platform_id, name), values in sorted(days.items(), key=lambda item: (-len(item[1]), item[0][1]))
    ]
    for row in rows:
        row["chart_label"] = _response_label(row)
    every = [value for values in days.values() for value in values]
    series = Series(
        slug="response-times",
        title=_("How fast platforms decide"),
        summary=_("Days from sending an application to the platform's decision, per platform."),
        columns=[
            Column("label", gettext_lazy("Platform")),
            Column("decisions", gettext_lazy("Decisions"), COUNT),
            Column("value", gettext_lazy("Median (days)"), DAYS),
            Column("p90", gettext_lazy("9 in 10 within (days)"), DAYS),
        ],
        rows=rows,
        chart=HBAR,
        label="chart_label",
        total="p90",
        value_kind=DAYS,
        value_text=_response_text,
        legend=[("value", _("Median"))]
        + ([("total", _("9 in 10 decided within"))] if any(row["p90"] is not None for row in rows) else []),
        note=" ".join(
            [
                _("Decisions are acceptances and declines; withdrawn and expired applications have none."),
                ngettext(
                    "The 9-in-10 figure is left out for a platform with fewer than %(count)s decision.",
                    "The 9-in-10 figure is left out for a platform with fewer than %(count)s decisions.",
                    P90_MIN_DECISIONS,
                )
                % {"count": P90_MIN_DECISIONS},
            ]
        ),
        chart_limit=CHART_ROWS,
        presence="decisions",  # a decision within the hour is a median of 0 days, and still a decision
        empty_message=_("No decisions yet: platforms have not answered any of your applications."),
    )
    series.extra["overall"] = {"median": percentile(every, 0.5), "p90": _p90(every), "decisions": len(every)}
    return series


def sme_headlines(series: dict[str, Series]) -> list[tuple[str, str]]:
    funnel = {row["key"]: row["value"] for row in series["applications"].rows}
    overall = series["response-times"].extra["overall"]
    median = format_days_long(overall["median"]) if overall["median"] is not None else _("no decisions yet")
    return [
        (_("Published needs"), format_count(len(series["best-matches"].extra["groups"]))),
        (_("Applications sent"), format_count(funnel["sent"])),
        (_("Accepted"), format_count(funnel[ApplicationStatus.ACCEPTED])),
        (_("Median time to a decision"), median),
    ]


SME_CHARTS: dict[str, Callable[[Membership], Series]] = {
    "best-matches": sme_best_matches,
    "applications": sme_funnel,
    "response-times": sme_response_times,
}
