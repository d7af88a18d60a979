"""Dashboards: who sees which, the figures on a small marketplace built here,
the CSV exports, the charts and their tables, Chinese, query counts and the
empty states.

The marketplace (``market``), times relative to now:

- Alice's SME sent five applications: to Dan's A (accepted after 2 days),
  Dan's B (declined, pricing, after 4 days), Erin's C (accepted after 10
  days), Dan's A again (withdrawn) and Dan's B again (still submitted).
- Carol's SME applied to Dan's A (in review) and B (declined, capacity full,
  after 1 day).
- Matches: Alice's N1 fits Dan's D1–D4 (0.9, 0.6, 0.4, 0.35; D1 first proposed
  a day after N1 was published); her N2 has no match; Carol's NC fits Dan's D1
  poorly (0.1) and Erin's C well (0.5, first proposed ten days after NC was
  published); a need published two days ago is too new to count for the
  seven-day share.
"""

import csv
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Industry, Province
from dashboards import selectors as dashboards
from marketplace.choices import ApplicationStatus, DeclineReason, ListingStatus
from marketplace.models import Application
from matching.models import Match
from tests.accounts.factories import MembershipFactory, OrganizationFactory, PlatformFactory
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

A = ApplicationStatus
DASHBOARD = reverse("dashboards:dashboard")
ECOSYSTEM = reverse("dashboards:ecosystem_dashboard")


def export(slug):
    return reverse("dashboards:dashboard_export", args=[slug])


def ecosystem_export(slug):
    return reverse("dashboards:ecosystem_export", args=[slug])


def apply(sme, capability, status, *, days_to_decide=None, reason="", submitted_days_ago=15):
    application = ApplicationFactory(
        sme=sme,
        capability=capability,
        status=status,
        decline_reason=reason,
        decline_note="See the reason." if reason == DeclineReason.OTHER else "",
    )
    submitted = timezone.now() - timedelta(days=submitted_days_ago)
    decided = submitted + timedelta(days=days_to_decide) if days_to_decide is not None else None
    Application.objects.filter(pk=application.pk).update(created_at=submitted, decided_at=decided)
    return application


def propose(need, capability, score, rank, *, days_after_publication=1):
    return Match.objects.create(
        need=need,
        capability=capability,
        score=score,
        rank=rank,
        computed_at=timezone.now(),
        created_at=need.published_at + timedelta(days=days_after_publication),
    )


@pytest.fixture
def market(cast):
    now = timezone.now()
    dan, erin = cast.platform, cast.other_platform
    a = CapabilityFactory(organization=dan, title="Dan A")
    b = CapabilityFactory(organization=dan, title='=HYPERLINK("http://evil")')
    c = CapabilityFactory(organization=erin, title="Erin C secret")
    d = [CapabilityFactory(organization=dan, title=f"Dan D{i}") for i in range(1, 5)]
    n1 = NeedFactory(organization=cast.sme, title="Alice N1", published_at=now - timedelta(days=20))
    n2 = NeedFactory(organization=cast.sme, title="Alice N2", published_at=now - timedelta(days=20))
    NeedFactory(organization=cast.sme, title="Alice draft", status=ListingStatus.DRAFT, published_at=None)
    nc = NeedFactory(
        organization=cast.other_sme, title="Carol NC", industry=Industry.TRADE, published_at=now - timedelta(days=30)
    )
    NeedFactory(organization=cast.other_sme, title="Carol new", published_at=now - timedelta(days=2))
    for rank, (capability, score) in enumerate(zip(d, [0.9, 0.6, 0.4, 0.35], strict=True), start=1):
        propose(n1, capability, score, rank)
    propose(nc, c, 0.5, 1, days_after_publication=10)
    propose(nc, d[0], 0.1, 2)
    cast.other_sme.province = Province.GUANGDONG
    cast.other_sme.save(update_fields=["province"])
    apply(cast.sme, a, A.ACCEPTED, days_to_decide=2)
    apply(cast.sme, b, A.DECLINED, days_to_decide=4, reason=DeclineReason.PRICING)
    apply(cast.sme, c, A.ACCEPTED, days_to_decide=10)
    apply(cast.sme, a, A.WITHDRAWN)
    apply(cast.sme, b, A.SUBMITTED)
    apply(cast.other_sme, a, A.IN_REVIEW)
    apply(cast.other_sme, b, A.DECLINED, days_to_decide=1, reason=DeclineReason.CAPACITY_FULL)
    return SimpleNamespace(a=a, b=b, c=c, d=d, n1=n1, n2=n2, nc=nc)


def rows_of(membership, slug):
    return dashboards.dashboard_series_for_member(membership=membership, slug=slug).rows


def by_label(rows, key="value"):
    return {str(row["label"]): row[key] for row in rows}


# --- who sees what ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [DASHBOARD, ECOSYSTEM, "/dashboard/export/applications.csv", "/dashboard/ecosystem/export/unmet-demand.csv"]
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_any_member_of_an_sme_sees_the_sme_dashboard(cast, market, login, who):
    response = login(getattr(cast, who)).get(DASHBOARD)

    assert response.status_code == 200
    assert response.templates[0].name == "dashboards/sme.html"
    assert "Alice N1" in response.text


def test_platform_staff_see_the_platform_dashboard(cast, market, login):
    response = login(cast.dan).get(DASHBOARD)

    assert response.status_code == 200
    assert response.templates[0].name == "dashboards/platform.html"
    assert "Dan A" in response.text


def test_another_organisations_data_never_appears(cast, market, login):
    sme_page = login(cast.alice).get(DASHBOARD).text
    platform_page = login(cast.dan).get(DASHBOARD).text

    assert "Carol" not in sme_page
    assert "Erin C secret" not in platform_page
    # Erin's capability is in Alice's own history (she applied to it), so it may appear for her.
    erin_page = login(cast.erin).get(DASHBOARD).text
    assert "Dan A" not in erin_page and "Dan D1" not in erin_page


def test_a_user_without_an_organisation_is_pointed_to_registering_one(cast, login):
    client = login(cast.frank)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert reverse("accounts:organization_create") in response.text
    assert client.get(export("applications")).status_code == 404


@pytest.mark.parametrize("who", ["alice", "dan", "frank"])
def test_only_staff_reach_the_ecosystem_dashboard_and_its_csv(cast, market, login, who):
    client = login(getattr(cast, who))

    assert client.get(ECOSYSTEM).status_code == 404
    assert client.get(ecosystem_export("unmet-demand")).status_code == 404


def test_staff_see_the_ecosystem_dashboard(cast, market, login):
    response = login(cast.mallory).get(ECOSYSTEM)

    assert response.status_code == 200
    assert 'aria-current="page">Ecosystem<' in response.text


def test_unknown_charts_and_the_other_sides_charts_are_not_found(cast, market, login):
    assert login(cast.alice).get(export("decline-reasons")).status_code == 404
    assert login(cast.dan).get(export("best-matches")).status_code == 404
    assert login(cast.dan).get(export("nope")).status_code == 404
    assert login(cast.mallory).get(ecosystem_export("nope")).status_code == 404


def test_the_navigation_links_the_dashboards(cast, login):
    alice_page = login(cast.alice).get(DASHBOARD).text
    assert f'<a href="{DASHBOARD}" aria-current="page">Dashboard</a>' in alice_page
    assert ECOSYSTEM not in alice_page

    admin_index = login(cast.mallory).get(reverse("admin:index"))
    assert admin_index.status_code == 200
    assert f'href="{ECOSYSTEM}"' in admin_index.text
    app_index = login(cast.mallory).get(reverse("admin:app_list", args=["marketplace"]))
    assert app_index.status_code == 200
    assert 'id="ecosystem-module"' not in app_index.text


# --- the figures -------------------------------------------------------------------


def test_the_sme_funnel_counts_each_step(cast, market):
    funnel = {row["key"]: row["value"] for row in rows_of(cast.alice, "applications")}

    assert funnel == {
        "sent": 5,
        "reviewed": 3,
        A.ACCEPTED: 2,
        A.DECLINED: 1,
        A.WITHDRAWN: 1,
        A.EXPIRED: 0,
        "waiting": 1,
    }


def test_an_application_reviewed_then_withdrawn_still_counts_as_taken_into_review(cast, application):
    from marketplace.services.applications import application_transition

    application_transition(pk=application.pk, action="start_review", user=cast.dan.user, membership=cast.dan)
    application_transition(pk=application.pk, action="withdraw", user=cast.alice.user, membership=cast.alice)

    funnel = {row["key"]: row["value"] for row in rows_of(cast.alice, "applications")}

    assert (funnel["sent"], funnel["reviewed"], funnel[A.WITHDRAWN]) == (1, 1, 1)


def test_the_sme_sees_its_needs_with_their_three_best_matches(cast, market):
    series = dashboards.dashboard_series_for_member(membership=cast.alice, slug="best-matches")

    groups = {group["title"]: [m["capability"] for m in group["matches"]] for group in series.extra["groups"]}
    assert groups == {"Alice N1": ["Dan D1", "Dan D2", "Dan D3"], "Alice N2": []}
    assert series.extra["groups"][0]["url"].endswith("#matches")


def test_response_times_are_the_median_and_the_90th_percentile_in_days(cast, market):
    for days in (1, 5, 6):
        apply(cast.sme, market.a, A.ACCEPTED, days_to_decide=days)
    series = dashboards.dashboard_series_for_member(membership=cast.alice, slug="response-times")

    assert series.extra["overall"]["decisions"] == 6
    assert series.extra["overall"]["median"] == pytest.approx(4.5)
    assert series.extra["overall"]["p90"] == pytest.approx(8)
    dan = next(row for row in series.rows if row["label"] == cast.platform.legal_name)
    # 1, 2, 4, 5, 6 days: the 90th percentile is 4/10 of the way from 5 to 6.
    assert (dan["decisions"], dan["value"], dan["p90"]) == (5, pytest.approx(4), pytest.approx(5.6))


def test_response_times_say_how_many_decisions_and_give_no_9_in_10_figure_below_five(cast, market):
    series = dashboards.dashboard_series_for_member(membership=cast.alice, slug="response-times")

    assert series.extra["overall"] == {"median": pytest.approx(4), "p90": None, "decisions": 3}
    dan = next(row for row in series.rows if row["label"] == cast.platform.legal_name)
    assert (dan["decisions"], dan["value"], dan["p90"]) == (2, pytest.approx(3), None)
    assert [bar.total_width for bar in series.figure.bars] == [None, None]  # no outer bar to draw
    assert [line.text for line in series.figure.bars[0].lines] == ["Dan Cloud Co., Ltd. (2 decisions)"]
    assert "Dan Cloud Co., Ltd. (2 decisions): median 3.0 days;" in series.description
    assert series.description.endswith("Erin Compute Co., Ltd. (1 decision): median 10.0 days")
    assert "fewer than 5 decisions" in series.note
    assert [text for _swatch, text in series.legend] == ["Median"]
    assert series.table[0][:2] == [
        {"text": "Dan Cloud Co., Ltd.", "link": "", "numeric": False},
        {"text": "2", "link": "", "numeric": True},
    ]
    assert series.table[0][3]["text"] == "–"
    assert series.csv_rows()[1] == ["Dan Cloud Co., Ltd.", 2, "3.0", ""]


def test_decisions_within_the_hour_still_draw_a_chart(cast):
    apply(cast.sme, CapabilityFactory(organization=cast.platform), A.ACCEPTED, days_to_decide=0)

    series = dashboards.dashboard_series_for_member(membership=cast.alice, slug="response-times")

    assert not series.is_empty
    assert series.rows[0]["value"] == 0


def test_the_platform_sees_applications_and_acceptance_rate_per_capability(cast, market):
    rows = {row["label"]: row for row in rows_of(cast.dan, "capabilities")}

    assert (rows["Dan A"]["received"], rows["Dan A"]["value"], rows["Dan A"]["rate"]) == (3, 1, 1.0)
    b = rows['=HYPERLINK("http://evil")']
    assert (b["received"], b["decided"], b["value"], b["rate"]) == (3, 2, 0, 0.0)
    assert rows["Dan D1"]["received"] == 0 and rows["Dan D1"]["rate"] is None
    assert "Erin C secret" not in rows


def test_decline_reasons_are_counted_with_their_labels(cast, market):
    reasons = by_label(rows_of(cast.dan, "decline-reasons"))

    assert reasons["Pricing"] == 1 and reasons["Capacity is full"] == 1 and reasons["Not eligible"] == 0


def test_applications_per_month_cover_twelve_months(cast, market):
    rows = rows_of(cast.dan, "applications-per-month")

    assert len(rows) == 12
    assert sum(row["value"] for row in rows) == 6


def test_unmet_demand_for_a_platform_is_needs_without_a_good_match_from_it(cast, market):
    # Dan: Alice N2 and Carol's new need (manufacturing), Carol NC (trade: D1 fits it at 0.1 only).
    assert by_label(rows_of(cast.dan, "unmet-demand")) == {"Manufacturing": 2, "Wholesale and retail trade": 1}
    # Erin: C fits Carol NC well; nothing of hers fits the other three.
    assert by_label(rows_of(cast.erin, "unmet-demand")) == {"Manufacturing": 3}


def test_the_platform_page_lists_the_newest_unmet_needs_and_explains_the_threshold(cast, market, login):
    page = login(cast.dan).get(DASHBOARD).text

    section = page[page.index('id="unmet-needs-title"') :]
    assert "Carol new" in section and "Carol NC" in section and "Alice N2" in section
    assert "Alice N1" not in section
    assert "fit of 30% or more" in page


def test_ecosystem_figures(cast, market):
    series = {slug: dashboards.ecosystem_series(user=cast.mallory, slug=slug) for slug in dashboards.ECOSYSTEM_CHARTS}

    assert sum(row["value"] for row in series["collaborations-per-month"].rows) == 2
    assert by_label(series["collaborations-by-province"].rows) == {"Zhejiang": 2}
    assert by_label(series["collaborations-by-industry"].rows) == {"Manufacturing": 2}
    reach = {row["label"]: (row["applied"], row["value"]) for row in series["platform-reach"].rows}
    assert reach == {cast.platform.legal_name: (2, 1), cast.other_platform.legal_name: (1, 1)}
    # Published 7+ days ago: N1 (matched the next day), N2 (never), NC (matched after ten days).
    assert series["matched-within-a-week"].extra["overall"] == pytest.approx(1 / 3)
    unmet = series["unmet-demand"]
    assert by_label(unmet.rows) == {"API": 2}  # Alice N2 and Carol's new need
    assert unmet.extra["overall"] == {"unmet": 2, "published": 4}


# --- the page: charts, tables, CSV, Chinese ----------------------------------------------


def test_each_chart_is_an_svg_with_a_title_and_a_table_of_the_same_numbers(cast, market, login):
    page = login(cast.dan).get(DASHBOARD).text

    figure = page[page.index('id="chart-decline-reasons"') :]
    figure = figure[: figure.index("</figure>")]
    assert re.search(
        r'<svg [^>]*role="img" aria-labelledby="chart-decline-reasons-title chart-decline-reasons-desc"', figure
    )
    assert '<title id="chart-decline-reasons-title">Why applications were declined</title>' in figure
    assert "Pricing: 1 (50%)" in figure  # the description screen readers hear
    assert '<caption id="chart-decline-reasons-caption">' in figure
    assert '<th scope="row">Pricing</th><td class="num">1</td><td class="num">50%</td>' in figure
    assert f'href="{export("decline-reasons")}"' in figure


def test_csv_export_has_a_bom_a_header_and_neutralised_formulas(cast, market, login):
    response = login(cast.dan).get(export("capabilities"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="tandem-capabilities-{today}.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == ["Capability", "Received", "Decided", "Accepted", "Acceptance rate"]
    assert ['\'=HYPERLINK("http://evil")', "3", "2", "0", "0.0%"] in rows
    assert ["Dan A", "3", "1", "1", "100.0%"] in rows


def test_ecosystem_csv_is_for_staff(cast, market, login):
    response = login(cast.mallory).get(ecosystem_export("platform-reach"))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Platform", "SMEs that applied", "SMEs accepted", "Share accepted"]
    assert [cast.platform.legal_name, "2", "1", "50.0%"] in rows


@pytest.mark.parametrize(("who", "url"), [("alice", DASHBOARD), ("dan", DASHBOARD), ("mallory", ECOSYSTEM)])
def test_dashboards_render_in_chinese(cast, market, login, who, url):
    client = login(getattr(cast, who))
    client.cookies["django_language"] = "zh-hans"

    response = client.get(url)

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
    if url == ECOSYSTEM:
        month = timezone.localdate()
        assert f"{month.year}年{month.month}月" in response.text  # months in the Chinese format, in the table


def test_empty_dashboards_say_so_instead_of_drawing(cast, login):
    sme_page = login(cast.alice).get(DASHBOARD).text
    platform_page = login(cast.dan).get(DASHBOARD).text

    assert "chart-svg" not in sme_page
    assert "Publish a need to see which capabilities fit it." in sme_page
    assert "No applications yet." in sme_page
    assert "No decisions yet" in sme_page
    assert "You have not declined any application." in platform_page
    assert "No applications in the last 12 months." in platform_page


# --- query counts ------------------------------------------------------------------------


def grow(cast, market, times):
    """More of everything: SMEs, capabilities, needs, matches and applications."""
    for i in range(times):
        sme = OrganizationFactory(industry=Industry.EDUCATION if i % 2 else Industry.FINANCE)
        MembershipFactory(organization=sme)
        need = NeedFactory(organization=sme, published_at=timezone.now() - timedelta(days=10 + i))
        capability = CapabilityFactory(organization=cast.platform if i % 2 else PlatformFactory())
        propose(need, capability, 0.2 + i / 100, 1)
        apply(sme, capability, A.ACCEPTED, days_to_decide=i % 5)
        apply(sme, market.a, A.DECLINED, days_to_decide=1, reason=DeclineReason.NOT_ELIGIBLE)
        own_need = NeedFactory(organization=cast.sme, published_at=timezone.now() - timedelta(days=i))
        propose(own_need, capability, 0.5, 1)
        apply(cast.sme, capability, A.DECLINED, days_to_decide=3, reason=DeclineReason.PRICING)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(("who", "url"), [("alice", DASHBOARD), ("dan", DASHBOARD), ("mallory", ECOSYSTEM)])
def test_query_count_does_not_grow_with_the_data(cast, market, login, who, url):
    client = login(getattr(cast, who))
    few = queries_for(client, url)

    grow(cast, market, 12)
    many = queries_for(client, url)

    assert many == few


def test_the_open_statistics_and_the_ecosystem_count_a_month_alike(cast, capability):
    """Both count calendar months in China Standard Time: a decision at 00:30
    on the first of the month, Beijing time, belongs to that month in both."""
    from datetime import datetime, time

    from marketplace.statistics import open_statistics

    first = timezone.localdate().replace(day=1)
    application = apply(cast.sme, capability, A.ACCEPTED)
    decided = timezone.make_aware(datetime.combine(first, time(0, 30)))
    Application.objects.filter(pk=application.pk).update(created_at=decided, decided_at=decided)

    by_month = dashboards.ecosystem_series(user=cast.mallory, slug="collaborations-per-month").rows
    collaborations = open_statistics()["collaborations"]

    assert (by_month[-1]["label"], by_month[-1]["value"]) == (first, 1)
    assert collaborations[-1] == {
        "month": first.strftime("%Y-%m"),
        "applications_submitted": 1,
        "applications_accepted": 1,
    }
