"""The ecosystem dashboard (Django staff): collaborations, the reach of each
platform, how quickly needs are matched and the demand no one meets. Figures
cover the last MONTHS months, except unmet demand (now)."""

from collections.abc import Callable
from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from accounts.choices import Industry, Province
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
    GOOD_MATCH_SCORE,
    MATCHED_WITHIN_DAYS,
    A,
    counted_text,
    good_match,
    month_axis_of,
    month_column,
    month_rows,
    rate,
    tallied_rows,
)
from marketplace.choices import CapabilityKind
from marketplace.models import Application, Need
from marketplace.statistics import MONTHS, month_window, per_month, tally
from matching.selectors import need_has_good_match


def ecosystem_collaborations_by_month() -> Series:
    starts, since = month_window()
    counts = per_month(Application.objects.filter(status=A.ACCEPTED), "decided_at", since, accepted=Count("pk"))
    return Series(
        slug="collaborations-per-month",
        title=_("Collaborations per month"),
        summary=_("Applications accepted in each of the last %(months)s months.") % {"months": MONTHS},
        columns=[month_column(), Column("value", gettext_lazy("Collaborations"), COUNT)],
        rows=month_rows(starts, counts, "accepted"),
        chart=COLUMNS,
        axis=month_axis_of,
        empty_message=_("No application was accepted in the last %(months)s months.") % {"months": MONTHS},
    )


def _collaborations_by(field_name: str, choices, slug: str, title: str, summary: str, heading) -> Series:
    _starts, since = month_window()
    accepted = Application.objects.filter(status=A.ACCEPTED, decided_at__gte=since)
    return Series(
        slug=slug,
        title=title,
        summary=summary,
        columns=[
            Column("label", heading),
            Column("value", gettext_lazy("Collaborations"), COUNT),
            Column("share", gettext_lazy("Share"), PERCENT),
        ],
        rows=tallied_rows(tally(accepted, field_name, choices.values), choices),
        chart=HBAR,
        value_text=counted_text,
        chart_limit=CHART_ROWS,
        empty_message=_("No application was accepted in the last %(months)s months.") % {"months": MONTHS},
    )


def ecosystem_by_province() -> Series:
    return _collaborations_by(
        "sme__province",
        Province,
        "collaborations-by-province",
        _("Collaborations by the SME's province"),
        _("Applications accepted in the last %(months)s months, by where the SME is registered.") % {"months": MONTHS},
        gettext_lazy("Province or region"),
    )


def ecosystem_by_industry() -> Series:
    return _collaborations_by(
        "sme__industry",
        Industry,
        "collaborations-by-industry",
        _("Collaborations by the SME's industry"),
        _("Applications accepted in the last %(months)s months, by the SME's industry.") % {"months": MONTHS},
        gettext_lazy("Industry"),
    )


def _reach_text(row: dict) -> str:
    return ngettext(
        "%(accepted)s of %(applied)s SME accepted", "%(accepted)s of %(applied)s SMEs accepted", row["applied"]
    ) % {"accepted": format_count(row["value"]), "applied": format_count(row["applied"])}


def ecosystem_platform_reach() -> Series:
    _starts, since = month_window()
    platforms = (
        Application.objects.filter(created_at__gte=since)
        .order_by()
        .values(platform=F("capability__organization__legal_name"), platform_id=F("capability__organization_id"))
        .annotate(
            applied=Count("sme_id", distinct=True),
            accepted=Count("sme_id", distinct=True, filter=Q(status=A.ACCEPTED)),
        )
    )
    rows = [
        {
            "label": row["platform"],
            "applied": row["applied"],
            "value": row["accepted"],
            "rate": rate(row["accepted"], row["applied"]),
        }
        for row in platforms
    ]
    return Series(
        slug="platform-reach",
        title=_("SMEs reached by each platform"),
        summary=_(
            "Different SMEs that applied to each platform in the last %(months)s months, and how many it accepted."
        )
        % {"months": MONTHS},
        columns=[
            Column("label", gettext_lazy("Platform")),
            Column("applied", gettext_lazy("SMEs that applied"), COUNT),
            Column("value", gettext_lazy("SMEs accepted"), COUNT),
            Column("rate", gettext_lazy("Share accepted"), PERCENT),
        ],
        rows=sorted(rows, key=lambda row: (-row["applied"], -row["value"], row["label"])),
        chart=HBAR,
        total="applied",
        value_text=_reach_text,
        legend=[("value", _("SMEs accepted")), ("total", _("SMEs that applied"))],
        note=_("An SME accepted by a platform counts once for it, however many of its capabilities it uses."),
        chart_limit=CHART_ROWS,
        empty_message=_("No applications in the last %(months)s months.") % {"months": MONTHS},
    )


def ecosystem_matched_quickly() -> Series:
    """Of the needs published (and still published) in the last MONTHS months
    and at least MATCHED_WITHIN_DAYS ago, the share that had a good match first
    proposed within MATCHED_WITHIN_DAYS of publication (Match.created_at is when
    a pair was first proposed; its score is the latest)."""
    starts, since = month_window()
    window = timedelta(days=MATCHED_WITHIN_DAYS)
    quick = need_has_good_match(min_score=GOOD_MATCH_SCORE, first_proposed_within=window)
    needs = Need.objects.published().filter(published_at__lte=timezone.now() - window).annotate(quick=quick)
    counts = per_month(needs, "published_at", since, needs=Count("pk"), quick=Count("pk", filter=Q(quick=True)))
    rows = []
    for start in starts:
        month = counts.get(start, {"needs": 0, "quick": 0})
        rows.append(
            {
                "label": start,
                "needs": month["needs"],
                "quick": month["quick"],
                "value": rate(month["quick"], month["needs"]),
            }
        )
    series = Series(
        slug="matched-within-a-week",
        title=_("Needs matched within %(days)s days") % {"days": MATCHED_WITHIN_DAYS},
        summary=_("Share of each month's new needs that had a good match within %(days)s days of publication.")
        % {"days": MATCHED_WITHIN_DAYS},
        columns=[
            month_column(),
            Column("needs", gettext_lazy("Needs published"), COUNT),
            Column("quick", gettext_lazy("Matched in time"), COUNT),
            Column("value", gettext_lazy("Share"), PERCENT),
        ],
        rows=rows,
        chart=COLUMNS,
        axis=month_axis_of,
        value_kind=PERCENT,
        presence="needs",
        note=_(
            "Measured on the needs published in the last %(months)s months that are still published and were "
            "published at least %(days)s days ago: a need counts as matched in time when a capability with a fit of "
            "%(fit)s or more was first proposed for it within %(days)s days of its publication (the fit is the latest "
            "score)."
        )
        % {"months": MONTHS, "days": MATCHED_WITHIN_DAYS, "fit": format_percent(GOOD_MATCH_SCORE)},
        empty_message=_("No needs published in the last %(months)s months yet.") % {"months": MONTHS},
    )
    total = sum(row["needs"] for row in rows)
    series.extra["overall"] = rate(sum(row["quick"] for row in rows), total)
    return series


def ecosystem_unmet_by_kind() -> Series:
    unmet = Need.objects.published().filter(~good_match())
    unmet_count = unmet.count()
    series = Series(
        slug="unmet-demand",
        title=_("Unmet demand by kind"),
        summary=_("Published needs with no good match in the whole catalogue, by the kind of capability wanted."),
        columns=[
            Column("label", gettext_lazy("Kind wanted")),
            Column("value", pgettext_lazy("number of needs", "Needs"), COUNT),
            Column("share", gettext_lazy("Share of unmet needs"), PERCENT),
        ],
        rows=tallied_rows(tally(unmet, "kinds_wanted", CapabilityKind.values), CapabilityKind, whole=unmet_count),
        chart=HBAR,
        value_text=counted_text,
        note=_("A need that wants several kinds counts under each of them, so the shares add up to more than 100%."),
        empty_message=_("Every published need has a good match."),
    )
    series.extra["overall"] = {"unmet": unmet_count, "published": Need.objects.published().count()}
    return series


def ecosystem_headlines(series: dict[str, Series]) -> list[tuple[str, str]]:
    unmet = series["unmet-demand"].extra["overall"]
    return [
        (
            _("Collaborations in the last %(months)s months") % {"months": MONTHS},
            format_count(sum(row["value"] for row in series["collaborations-per-month"].rows)),
        ),
        (
            _("Needs matched within %(days)s days") % {"days": MATCHED_WITHIN_DAYS},
            format_percent(series["matched-within-a-week"].extra["overall"]),
        ),
        (
            _("Published needs without a good match"),
            _("%(unmet)s of %(published)s")
            % {"unmet": format_count(unmet["unmet"]), "published": format_count(unmet["published"])},
        ),
    ]


ECOSYSTEM_CHARTS: dict[str, Callable[[], Series]] = {
    "collaborations-per-month": ecosystem_collaborations_by_month,
    "collaborations-by-province": ecosystem_by_province,
    "collaborations-by-industry": ecosystem_by_industry,
    "platform-reach": ecosystem_platform_reach,
    "matched-within-a-week": ecosystem_matched_quickly,
    "unmet-demand": ecosystem_unmet_by_kind,
}
