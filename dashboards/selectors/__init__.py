"""Reads for the dashboards: each chart's rows, labels resolved, in a fixed
number of grouped queries whatever the number of rows.

Three dashboards: an SME's (its needs' best matches, its applications and how
fast platforms answer), a platform's (its capabilities' applications, decline
reasons, the demand its catalogue does not meet) and the ecosystem's (Django
staff: collaborations across the marketplace, the reach of each platform, how
quickly needs are matched). Each chart is a ``charts.Series``, looked up by
its slug for the CSV export.

A *good match* is a capability the ranker proposes for a need with a score of
at least ``GOOD_MATCH_SCORE`` (pages show scores as "% fit"). Months are
calendar months in the site's time zone, the current one last.
"""

from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership
from dashboards.charts import Series, format_percent
from dashboards.selectors.common import GOOD_MATCH_SCORE, MATCHED_WITHIN_DAYS
from dashboards.selectors.ecosystem import ECOSYSTEM_CHARTS, ecosystem_headlines
from dashboards.selectors.platform import PLATFORM_CHARTS, platform_headlines, platform_unmet_extra
from dashboards.selectors.sme import SME_CHARTS, sme_headlines

__all__ = [
    "GOOD_MATCH_SCORE",
    "MATCHED_WITHIN_DAYS",
    "Dashboard",
    "dashboard_for_member",
    "dashboard_series_for_member",
    "ecosystem_check_viewer",
    "ecosystem_dashboard",
    "ecosystem_series",
]


@dataclass
class Dashboard:
    """A dashboard page: its headline figures and its charts, in order."""

    kind: str
    headlines: list[tuple[str, str]]
    series: dict[str, Series]
    extra: dict = field(default_factory=dict)


def ecosystem_check_viewer(*, user) -> None:
    """The ecosystem dashboard is for Django staff; anyone else is told it does not exist."""
    if not (user.is_authenticated and user.is_staff):
        raise Http404(_("No such page."))


def _charts_of(organization) -> dict:
    return PLATFORM_CHARTS if organization.is_platform else SME_CHARTS


def dashboard_for_member(*, membership: Membership) -> Dashboard:
    """The dashboard of the organisation the member acts for."""
    organization = membership.organization
    charts = _charts_of(organization)
    series = {slug: build(membership) for slug, build in charts.items()}
    headlines = (platform_headlines if organization.is_platform else sme_headlines)(series)
    extra = {"good_match": format_percent(GOOD_MATCH_SCORE)}
    if organization.is_platform:
        extra |= platform_unmet_extra(membership)
    return Dashboard(
        kind="platform" if organization.is_platform else "sme", headlines=headlines, series=series, extra=extra
    )


def dashboard_series_for_member(*, membership: Membership | None, slug: str) -> Series:
    """One chart of the member's dashboard (for its CSV); no organisation or no such chart: 404."""
    if membership is None:
        raise Http404(_("No such chart."))
    charts = _charts_of(membership.organization)
    if slug not in charts:
        raise Http404(_("No such chart."))
    return charts[slug](membership)


def ecosystem_dashboard(*, user) -> Dashboard:
    ecosystem_check_viewer(user=user)
    series = {slug: build() for slug, build in ECOSYSTEM_CHARTS.items()}
    return Dashboard(
        kind="ecosystem",
        headlines=ecosystem_headlines(series),
        series=series,
        extra={"good_match": format_percent(GOOD_MATCH_SCORE)},
    )


def ecosystem_series(*, user, slug: str) -> Series:
    ecosystem_check_viewer(user=user)
    if slug not in ECOSYSTEM_CHARTS:
        raise Http404(_("No such chart."))
    return ECOSYSTEM_CHARTS[slug]()
