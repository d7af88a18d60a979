"""Capabilities and needs through the API: catalogue, create, edit, transitions."""

import pytest
from django.urls import reverse

from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from tests.marketplace.factories import CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db

CAPABILITY = {
    "kind": "api",
    "title": "发票 OCR API",
    "summary": "Reads invoices.",
    "description": "Extracts fields from VAT invoices.",
    "access_model": "free_quota",
    "industries": ["manufacturing"],
    "regions": [],
    "price_min_monthly": "0",
    "price_max_monthly": "500.00",
    "tags": ["OCR", "发票"],
}


def test_the_catalogue_is_public_and_filters_by_kind(api, cast):
    CapabilityFactory(organization=cast.platform, title="Compute hours", kind="compute")
    CapabilityFactory(organization=cast.platform, title="Draft", status=ListingStatus.DRAFT)
    ocr = CapabilityFactory(organization=cast.platform, title="Invoice OCR", kind="api")

    response = api().get(reverse("api:capability-list"), {"kind": "api"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [ocr.pk]
    # Lists carry what a catalogue shows; the long texts are on the capability.
    assert "description" not in response.json()["results"][0]
    assert api().get(reverse("api:capability-detail", args=[ocr.pk])).json()["moderation_reason"] is None


def test_an_unknown_filter_value_is_a_400_in_the_error_shape(api, cast):
    response = api().get(reverse("api:capability-list"), {"kind": "teleport"})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert "kind" in body["extra"]["fields"]


@pytest.mark.parametrize(("params", "field"), [({"page": "0"}, "page"), ({"page_size": "101"}, "page_size")])
def test_page_parameters_out_of_range_are_refused(api, cast, params, field):
    response = api().get(reverse("api:capability-list"), params)

    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_platform_staff_create_submit_and_see_their_draft(api, cast):
    client = api(cast.dan)

    created = client.post(reverse("api:capability-list"), CAPABILITY, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and sorted(body["tags"]) == ["OCR", "发票"]
    capability = Capability.objects.get(pk=body["id"])
    assert capability.organization == cast.platform and capability.created_by == cast.dan.user

    submitted = client.post(reverse("api:capability-submit", args=[capability.pk]), {}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    mine = client.get(reverse("api:capability-list"), {"mine": "true", "status": "submitted"})
    assert [item["id"] for item in mine.json()["results"]] == [capability.pk]
    assert api().get(reverse("api:capability-detail", args=[capability.pk])).status_code == 404


def test_smes_cannot_create_capabilities(api, cast):
    response = api(cast.alice).post(reverse("api:capability-list"), CAPABILITY, format="json")

    assert response.status_code == 403
    assert response.json()["message"] == "Only platform companies list capabilities."
    assert not Capability.objects.exists()


def test_service_rules_come_back_per_field(api, cast):
    data = {**CAPABILITY, "kind": "data", "price_min_monthly": "900"}

    response = api(cast.dan).post(reverse("api:capability-list"), data, format="json")

    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert set(fields) == {"data_classification", "price_max_monthly"}
    assert not Capability.objects.exists()


def test_an_illegal_transition_is_a_409(api, cast):
    need = NeedFactory(organization=cast.sme)

    response = api(cast.alice).post(reverse("api:need-retract", args=[need.pk]), {}, format="json")

    assert response.status_code == 409
    assert "published" in response.json()["message"]
    need.refresh_from_db()
    assert need.status == ListingStatus.PUBLISHED


def test_other_organisations_get_404_on_edit_and_owner_actions(api, cast):
    need = NeedFactory(organization=cast.sme)

    edit = api(cast.carol).patch(reverse("api:need-detail", args=[need.pk]), {"title": "Mine now"}, format="json")
    archive = api(cast.carol).post(reverse("api:need-archive", args=[need.pk]), {}, format="json")

    assert (edit.status_code, archive.status_code) == (404, 404)
    need.refresh_from_db()
    assert need.title != "Mine now" and need.status == ListingStatus.PUBLISHED


def test_a_partial_edit_keeps_tags_and_other_fields(api, cast):
    client = api(cast.alice)
    created = client.post(
        reverse("api:need-list"),
        {"title": "需要 OCR", "description": "发票", "kinds_wanted": ["api"], "industry": "manufacturing",
         "region": "zhejiang", "tags": ["OCR"]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()

    edited = client.patch(
        reverse("api:need-detail", args=[created.json()["id"]]), {"title": "需要发票 OCR"}, format="json"
    )

    assert edited.status_code == 200, edited.json()
    assert edited.json()["tags"] == ["OCR"] and edited.json()["description"] == "发票"
    assert Need.objects.get().title == "需要发票 OCR"


def test_anonymous_callers_see_only_a_needs_outline(api, cast):
    need = NeedFactory(organization=cast.sme, description="Secret volumes", budget_max_monthly=900)

    anonymous = api().get(reverse("api:need-detail", args=[need.pk])).json()
    platform = api(cast.dan).get(reverse("api:need-detail", args=[need.pk])).json()

    assert anonymous["details_visible"] is False
    assert anonymous["description"] is None and anonymous["organization"] is None
    assert anonymous["budget_max_monthly"] is None
    assert platform["description"] == "Secret volumes" and platform["budget_max_monthly"] == "900.00"


def test_writing_needs_credentials(api, cast):
    response = api().post(reverse("api:need-list"), {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_api_url_answers_json_404(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_wrong_kind_of_organisation_is_refused_before_its_input_is_read(api, cast):
    response = api(cast.alice).post(reverse("api:capability-list"), {}, format="json")

    assert response.status_code == 403


def test_put_replaces_everything_including_tags(api, cast):
    client = api(cast.dan)
    created = client.post(reverse("api:capability-list"), CAPABILITY, format="json").json()
    replacement = {key: value for key, value in CAPABILITY.items() if key != "tags"}

    replaced = client.put(reverse("api:capability-detail", args=[created["id"]]), replacement, format="json")

    assert replaced.status_code == 200, replaced.json()
    assert replaced.json()["tags"] == []
    assert not Capability.objects.get().tags.exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [({"mine": "maybe"}, "mine"), ({"budget": "12.5"}, "budget"), ({"ordering": "organization"}, "ordering")],
)
def test_mistyped_filters_are_refused_not_ignored(api, cast, params, field):
    response = api(cast.alice).get(reverse("api:need-list" if field == "mine" else "api:capability-list"), params)

    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_lists_can_be_ordered(api, cast):
    CapabilityFactory(organization=cast.platform, title="Beta")
    CapabilityFactory(organization=cast.platform, title="Alpha")

    titles = [
        item["title"] for item in api().get(reverse("api:capability-list"), {"ordering": "title"}).json()["results"]
    ]
    reverse_titles = [
        item["title"] for item in api().get(reverse("api:capability-list"), {"ordering": "-title"}).json()["results"]
    ]

    assert titles == ["Alpha", "Beta"] and reverse_titles == ["Beta", "Alpha"]


def test_ordering_is_stable_and_refuses_empty_items(api, cast):
    same = [CapabilityFactory(organization=cast.platform, title="Same") for _ in range(3)]

    first = api().get(reverse("api:capability-list"), {"ordering": "title", "page_size": 2}).json()
    second = api().get(reverse("api:capability-list"), {"ordering": "title", "page_size": 2, "page": 2}).json()
    empty = api().get(reverse("api:capability-list"), {"ordering": ","})

    seen = [item["id"] for item in first["results"] + second["results"]]
    assert sorted(seen) == sorted(c.pk for c in same) and seen == sorted(seen, reverse=True)
    assert empty.status_code == 400 and "ordering" in empty.json()["extra"]["fields"]


@pytest.mark.parametrize("budget", ["5.0", "+5", " 5", "1_000", "٥"])
def test_number_filters_take_digits_only(api, cast, budget):
    response = api().get(reverse("api:capability-list"), {"budget": budget})

    assert response.status_code == 400 and "budget" in response.json()["extra"]["fields"]


@pytest.mark.parametrize(("field", "value"), [("desired_start", "20270101"), ("kinds_wanted", [])])
def test_need_fields_take_only_what_the_schema_allows(api, cast, field, value):
    data = {
        "title": "t",
        "description": "d",
        "kinds_wanted": ["api"],
        "industry": "manufacturing",
        "region": "zhejiang",
    }

    response = api(cast.alice).post(reverse("api:need-list"), {**data, field: value}, format="json")

    assert response.status_code == 400 and field in response.json()["extra"]["fields"]
    assert not Need.objects.exists()
