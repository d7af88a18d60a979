"""Matches through the API: each side sees its proposals with reasons in
words, gives feedback for its side only, and sees nothing of the other's."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import ApplicationStatus, ListingStatus
from marketplace.models import Invitation
from matching.models import Match
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db

REASONS = [
    {"code": "tags", "tags": ["OCR", "发票"]},
    {"code": "region", "region": "zhejiang"},
    {"code": "freshness", "days": 2},
]


def propose(need, capability, rank, score):
    return Match.objects.create(
        need=need, capability=capability, rank=rank, score=score, reasons=REASONS, computed_at=timezone.now()
    )


@pytest.fixture
def board(cast):
    """Alice's invoice need, proposed Dan's OCR API first and Erin's second;
    Carol's route need, proposed Dan's route planner."""
    invoice = NeedFactory(organization=cast.sme, title="Invoice OCR")
    route = NeedFactory(organization=cast.other_sme, title="Route planning")
    ocr = CapabilityFactory(organization=cast.platform, title="OCR API")
    ocr_erin = CapabilityFactory(organization=cast.other_platform, title="Erin OCR")
    planner = CapabilityFactory(organization=cast.platform, title="Route planner", kind="tool")
    return SimpleNamespace(
        invoice=invoice,
        route=route,
        ocr=ocr,
        ocr_erin=ocr_erin,
        planner=planner,
        first=propose(invoice, ocr, 1, 0.9),
        second=propose(invoice, ocr_erin, 2, 0.5),
        route_match=propose(route, planner, 1, 0.7),
    )


def ids(response):
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def feedback_columns(match):
    match.refresh_from_db()
    return {
        "sme": (match.sme_feedback, match.sme_feedback_reason, match.sme_feedback_by_id),
        "platform": (match.platform_feedback, match.platform_feedback_reason, match.platform_feedback_by_id),
    }


# --- lists -------------------------------------------------------------------------


def test_an_sme_sees_the_capabilities_proposed_for_its_needs(api, cast, board):
    response = api(cast.bob).get(reverse("api:match-list"))

    assert ids(response) == [board.first.pk, board.second.pk]
    first = response.json()["results"][0]
    assert first["side"] == "sme" and first["score_percent"] == 90
    assert first["reasons"] == ["shared tags: OCR, 发票", "same province: Zhejiang", "listed 2 days ago"]
    assert first["capability"]["title"] == "OCR API"
    assert first["capability"]["organization"]["legal_name"] == "Dan Cloud Co., Ltd."
    assert first["need"]["id"] == board.invoice.pk
    assert (first["feedback"], first["applied"], first["invited"]) == (None, None, None)


def test_a_platform_sees_the_needs_its_capabilities_fit(api, cast, board):
    response = api(cast.dan).get(reverse("api:match-list"))

    assert ids(response) == [board.first.pk, board.route_match.pk]
    first = response.json()["results"][0]
    assert first["side"] == "platform"
    # The platform is not told what it knows of its own capability.
    assert first["reasons"] == ["shared tags: OCR, 发票", "same province: Zhejiang"]
    assert first["need"]["organization"]["legal_name"] == "Alice Parts Co., Ltd."
    assert (first["applied"], first["invited"]) == (False, False)


def test_the_list_filters_by_need_and_capability(api, cast, board):
    assert ids(api(cast.dan).get(reverse("api:match-list"), {"capability": board.planner.pk})) == [board.route_match.pk]
    assert ids(api(cast.alice).get(reverse("api:match-list"), {"need": board.invoice.pk})) == [
        board.first.pk,
        board.second.pk,
    ]
    # Another organisation's need filters to nothing, it reveals nothing.
    assert ids(api(cast.alice).get(reverse("api:match-list"), {"need": board.route.pk})) == []


@pytest.mark.parametrize("value", ["abc", "0", "1.5"])
def test_a_bad_filter_is_a_400(api, cast, board, value):
    response = api(cast.alice).get(reverse("api:match-list"), {"need": value})

    assert response.status_code == 400
    assert "need" in response.json()["extra"]["fields"]


def test_organisations_without_proposals_see_none(api, cast, board):
    assert ids(api(cast.carol).get(reverse("api:match-list"), {"need": board.invoice.pk})) == []


def test_matches_need_credentials_and_an_organisation(api, cast, board):
    assert api().get(reverse("api:match-list")).status_code == 401
    assert api().get(reverse("api:match-detail", args=[board.first.pk])).status_code == 401
    assert api(cast.frank, session=True).get(reverse("api:match-list")).status_code == 403


def test_unpublished_needs_have_no_proposals(api, cast, board):
    board.invoice.status = ListingStatus.ARCHIVED
    board.invoice.save(update_fields=["status"])

    assert ids(api(cast.alice).get(reverse("api:match-list"))) == []
    assert api(cast.alice).get(reverse("api:match-detail", args=[board.first.pk])).status_code == 404


def test_applied_and_invited_are_shown_to_the_platform_and_hidden_from_the_sme(api, cast, board):
    ApplicationFactory(sme=cast.sme, capability=board.ocr, need=board.invoice, status=ApplicationStatus.SUBMITTED)
    Invitation.objects.create(capability=board.planner, need=board.route, invited_by=cast.dan.user)

    platform = {item["id"]: item for item in api(cast.dan).get(reverse("api:match-list")).json()["results"]}
    sme = ids(api(cast.alice).get(reverse("api:match-list")))

    assert (platform[board.first.pk]["applied"], platform[board.first.pk]["invited"]) == (True, False)
    assert (platform[board.route_match.pk]["applied"], platform[board.route_match.pk]["invited"]) == (False, True)
    assert sme == [board.second.pk]


# --- one match ---------------------------------------------------------------------


@pytest.mark.parametrize(("who", "side"), [("alice", "sme"), ("bob", "sme"), ("dan", "platform")])
def test_both_sides_read_a_match(api, cast, board, who, side):
    response = api(getattr(cast, who)).get(reverse("api:match-detail", args=[board.first.pk]))

    assert response.status_code == 200
    assert response.json()["side"] == side


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_others_get_a_404(api, cast, board, who):
    assert api(getattr(cast, who)).get(reverse("api:match-detail", args=[board.first.pk])).status_code == 404


# --- feedback ----------------------------------------------------------------------


def test_sme_feedback_is_stored_on_the_sme_side_only(api, cast, board):
    response = api(cast.bob).post(
        reverse("api:match-feedback", args=[board.first.pk]),
        {"value": "dismissed", "reason": "  Too expensive "},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["feedback"]["value"] == "dismissed"
    assert response.json()["feedback"]["reason"] == "Too expensive"
    assert feedback_columns(board.first) == {
        "sme": ("dismissed", "Too expensive", cast.bob.user.pk),
        "platform": ("", "", None),
    }
    # Dismissed: gone from the SME's lists, still readable (to take it back).
    assert ids(api(cast.alice).get(reverse("api:match-list"))) == [board.second.pk]
    assert api(cast.alice).get(reverse("api:match-detail", args=[board.first.pk])).json()["feedback"] is not None
    # The platform does not see the SME's opinion.
    platform_view = api(cast.dan).get(reverse("api:match-detail", args=[board.first.pk])).json()
    assert platform_view["feedback"] is None
    assert board.first.pk in ids(api(cast.dan).get(reverse("api:match-list")))


def test_platform_feedback_is_stored_on_the_platform_side_only(api, cast, board):
    response = api(cast.dan).post(
        reverse("api:match-feedback", args=[board.first.pk]),
        {"value": "interested", "reason": "ignored unless dismissed"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["feedback"]["value"] == "interested" and response.json()["feedback"]["reason"] == ""
    assert feedback_columns(board.first) == {
        "sme": ("", "", None),
        "platform": ("interested", "", cast.dan.user.pk),
    }
    assert api(cast.alice).get(reverse("api:match-detail", args=[board.first.pk])).json()["feedback"] is None


def test_an_empty_value_takes_feedback_back(api, cast, board):
    client = api(cast.alice)
    client.post(reverse("api:match-feedback", args=[board.first.pk]), {"value": "interested"}, format="json")

    response = client.post(reverse("api:match-feedback", args=[board.first.pk]), {"value": ""}, format="json")

    assert response.status_code == 200 and response.json()["feedback"] is None
    assert feedback_columns(board.first)["sme"] == ("", "", None)


@pytest.mark.parametrize(
    "data", [{"value": "maybe"}, {}, {"value": "dismissed", "reason": "x" * 301}, {"value": ["interested"]}]
)
def test_bad_feedback_is_a_400_and_nothing_is_written(api, cast, board, data):
    response = api(cast.alice).post(reverse("api:match-feedback", args=[board.first.pk]), data, format="json")

    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) <= {"value", "reason"}
    assert feedback_columns(board.first) == {"sme": ("", "", None), "platform": ("", "", None)}


@pytest.mark.parametrize("who", ["carol", "erin"])
def test_others_cannot_give_feedback(api, cast, board, who):
    response = api(getattr(cast, who)).post(
        reverse("api:match-feedback", args=[board.first.pk]), {"value": "dismissed"}, format="json"
    )

    assert response.status_code == 404
    assert feedback_columns(board.first) == {"sme": ("", "", None), "platform": ("", "", None)}


def test_feedback_needs_credentials(api, cast, board):
    response = api().post(reverse("api:match-feedback", args=[board.first.pk]), {"value": "dismissed"}, format="json")

    assert response.status_code == 401
    assert feedback_columns(board.first)["sme"] == ("", "", None)


# --- one need's or capability's proposals ---------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_needs_organisation_reads_its_proposals(api, cast, board, who):
    response = api(getattr(cast, who)).get(reverse("api:need-matches", args=[board.invoice.pk]))

    assert ids(response) == [board.first.pk, board.second.pk]
    assert response.json()["results"][0]["side"] == "sme"


@pytest.mark.parametrize("who", ["carol", "dan", "erin"])
def test_others_do_not_read_a_needs_proposals(api, cast, board, who):
    assert api(getattr(cast, who)).get(reverse("api:need-matches", args=[board.invoice.pk])).status_code == 404


def test_the_capabilitys_platform_reads_the_needs_it_fits(api, cast, board):
    ApplicationFactory(sme=cast.sme, capability=board.ocr, need=board.invoice, status=ApplicationStatus.SUBMITTED)

    response = api(cast.dan).get(reverse("api:capability-matches", args=[board.ocr.pk]))

    assert ids(response) == [board.first.pk]
    item = response.json()["results"][0]
    assert (item["side"], item["applied"], item["invited"]) == ("platform", True, False)
    assert "listed 2 days ago" not in item["reasons"]


@pytest.mark.parametrize("who", ["alice", "erin"])
def test_others_do_not_read_a_capabilitys_fits(api, cast, board, who):
    assert api(getattr(cast, who)).get(reverse("api:capability-matches", args=[board.ocr.pk])).status_code == 404


def test_listing_proposals_need_credentials(api, cast, board):
    assert api().get(reverse("api:need-matches", args=[board.invoice.pk])).status_code == 401
    assert api().get(reverse("api:capability-matches", args=[board.ocr.pk])).status_code == 401


def test_lists_take_a_fixed_number_of_queries(api, cast, board, django_assert_max_num_queries):
    for n in range(6):
        propose(board.invoice, CapabilityFactory(organization=cast.other_platform, title=f"More {n}"), 3 + n, 0.3)
    client = api(cast.alice)
    client.get(reverse("api:me"))  # the token's first use writes its last-used time

    with django_assert_max_num_queries(6):
        assert len(ids(client.get(reverse("api:need-matches", args=[board.invoice.pk])))) == 8
    with django_assert_max_num_queries(6):
        assert len(ids(client.get(reverse("api:match-list")))) == 8
