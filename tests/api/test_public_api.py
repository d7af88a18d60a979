"""Open data through the API: the tags in use and the public statistics."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import ApplicationStatus, ListingStatus, NeedVisibility
from marketplace.models import Application
from marketplace.services.tags import tags_get_or_create
from marketplace.statistics import MONTHS, month_starts
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db


def tagged(listing, *names):
    listing.tags.set(tags_get_or_create(names=list(names)))
    return listing


# --- tags --------------------------------------------------------------------------


def test_tags_of_published_capabilities_with_counts_most_used_first(api, cast):
    tagged(CapabilityFactory(organization=cast.platform), "OCR", "发票")
    tagged(CapabilityFactory(organization=cast.other_platform), "ocr")
    tagged(CapabilityFactory(organization=cast.platform, status=ListingStatus.DRAFT), "Secret", "OCR")
    tagged(NeedFactory(organization=cast.sme), "Need only")

    response = api().get(reverse("api:tag-list"))

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"name": "OCR", "key": "ocr", "capabilities": 2},
        {"name": "发票", "key": "发票", "capabilities": 1},
    ]


def test_tags_found_by_part_of_their_key_prefix_first(api, cast):
    tagged(CapabilityFactory(organization=cast.platform), "Cloud OCR")
    tagged(CapabilityFactory(organization=cast.platform), "Cloud OCR", "OCR SDK")
    tagged(CapabilityFactory(organization=cast.platform), "GPU")

    response = api().get(reverse("api:tag-list"), {"q": "ＯＣＲ"})

    assert [item["key"] for item in response.json()["results"]] == ["ocr sdk", "cloud ocr"]


def test_a_too_long_tag_query_is_a_400(api, cast):
    response = api().get(reverse("api:tag-list"), {"q": "x" * 51})

    assert response.status_code == 400
    assert "q" in response.json()["extra"]["fields"]


# --- statistics --------------------------------------------------------------------


@pytest.fixture
def stats(api):
    def _stats():
        response = api().get(reverse("api:stats"))
        assert response.status_code == 200
        return response.json()

    return _stats


def test_statistics_are_public_and_zero_filled(stats, cast):
    body = stats()

    assert body["capabilities"]["published"] == 0
    assert set(body["capabilities"]["by_kind"].values()) == {0}
    assert body["capabilities"]["by_region"]["all_china"] == 0 and len(body["capabilities"]["by_region"]) == 35
    assert body["capabilities"]["by_industry"]["every_industry"] == 0
    assert len(body["needs"]["by_region"]) == 34 and "all_china" not in body["needs"]["by_region"]
    assert body["organizations"] == {"verified": 0, "by_kind": {"platform": 0, "sme": 0}}
    assert len(body["collaborations"]) == MONTHS


def test_capabilities_count_by_kind_region_served_and_industry(stats, cast):
    CapabilityFactory(organization=cast.platform, kind="api", regions=[], industries=[])
    CapabilityFactory(organization=cast.platform, kind="api", regions=["zhejiang", "jiangsu"], industries=["finance"])
    CapabilityFactory(organization=cast.other_platform, kind="data", data_classification="public", regions=["zhejiang"])
    for status in (ListingStatus.DRAFT, ListingStatus.SUBMITTED, ListingStatus.ARCHIVED, ListingStatus.SUSPENDED):
        CapabilityFactory(organization=cast.platform, kind="compute", regions=["beijing"], status=status)

    capabilities = stats()["capabilities"]

    assert capabilities["published"] == 3
    assert capabilities["by_kind"] == {"api": 2, "compute": 0, "data": 1, "model": 0, "tool": 0, "expertise": 0}
    by_region = capabilities["by_region"]
    assert (by_region["zhejiang"], by_region["jiangsu"], by_region["all_china"], by_region["beijing"]) == (2, 1, 1, 0)
    assert capabilities["by_industry"]["finance"] == 1 and capabilities["by_industry"]["every_industry"] == 2


def test_needs_count_public_published_ones_only(stats, cast):
    NeedFactory(organization=cast.sme, kinds_wanted=["api", "data"], region="zhejiang", industry="manufacturing")
    NeedFactory(organization=cast.other_sme, kinds_wanted=["tool"], region="sichuan", industry="logistics")
    NeedFactory(
        organization=cast.sme, kinds_wanted=["model"], region="beijing", visibility=NeedVisibility.PLATFORMS_ONLY
    )
    NeedFactory(organization=cast.sme, kinds_wanted=["model"], region="beijing", status=ListingStatus.DRAFT)

    needs = stats()["needs"]

    assert needs["published"] == 2
    assert needs["by_kind"] == {"api": 1, "compute": 0, "data": 1, "model": 0, "tool": 1, "expertise": 0}
    assert (needs["by_region"]["zhejiang"], needs["by_region"]["sichuan"], needs["by_region"]["beijing"]) == (1, 1, 0)
    assert needs["by_industry"]["manufacturing"] == 1 and needs["by_industry"]["logistics"] == 1


def test_verified_organisations_count_by_kind(stats, cast):
    for organization in (cast.sme, cast.other_sme, cast.platform):
        organization.verified_at = timezone.now()
        organization.save(update_fields=["verified_at"])

    assert stats()["organizations"] == {"verified": 3, "by_kind": {"platform": 1, "sme": 2}}


def test_collaborations_per_calendar_month(stats, cast):
    now = timezone.now()
    this_month = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    long_ago = this_month - timedelta(days=400)
    capability = CapabilityFactory(organization=cast.platform)
    ApplicationFactory(sme=cast.sme, capability=capability)
    accepted = ApplicationFactory(sme=cast.other_sme, capability=capability, status=ApplicationStatus.ACCEPTED)
    Application.objects.filter(pk=accepted.pk).update(created_at=last_month + timedelta(hours=1), decided_at=now)
    old = ApplicationFactory(sme=cast.sme, capability=CapabilityFactory(organization=cast.platform))
    Application.objects.filter(pk=old.pk).update(created_at=long_ago)

    months = stats()["collaborations"]

    assert months[-1] == {
        "month": this_month.strftime("%Y-%m"),
        "applications_submitted": 1,
        "applications_accepted": 1,
    }
    assert months[-2] == {
        "month": last_month.strftime("%Y-%m"),
        "applications_submitted": 1,
        "applications_accepted": 0,
    }
    assert sum(month["applications_submitted"] for month in months) == 2


def test_month_starts_cross_the_year():
    starts = month_starts(datetime(2026, 2, 15, tzinfo=UTC).date())

    assert [start.isoformat() for start in (starts[0], starts[-2], starts[-1])] == [
        "2025-03-01",
        "2026-01-01",
        "2026-02-01",
    ]
    assert len(starts) == MONTHS


def test_statistics_name_no_one_and_take_a_fixed_number_of_queries(api, cast, django_assert_max_num_queries):
    for n in range(5):
        CapabilityFactory(organization=cast.platform, title=f"Capability {n}", regions=["zhejiang", "hubei"])
        NeedFactory(organization=cast.sme, title=f"Secret need {n}")
        ApplicationFactory(sme=cast.sme, capability=CapabilityFactory(organization=cast.other_platform))

    with django_assert_max_num_queries(9):
        response = api().get(reverse("api:stats"))

    text = response.content.decode()
    for private in ("Alice Parts", "Dan Cloud", "Secret need", "Capability 0", str(cast.sme.credit_code)):
        assert private not in text
