import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from tests.marketplace.factories import CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "alice", "bob", "carol", "dan", "erin", "mallory"]


def client_as(client, cast, role):
    if role != "anonymous":
        who = getattr(cast, role)
        client.force_login(getattr(who, "user", who))
    return client


@pytest.fixture
def listings(cast):
    def capability(status, **kwargs):
        return CapabilityFactory(organization=cast.platform, status=status, title=f"Cap {status}", **kwargs)

    def need(status, visibility="public", **kwargs):
        return NeedFactory(
            organization=cast.sme,
            status=status,
            visibility=visibility,
            title=f"Need {status} {visibility}",
            description=f"SECRET-DETAIL {status} {visibility}",
            **kwargs,
        )

    return {
        "cap_published": capability(ListingStatus.PUBLISHED),
        "cap_draft": capability(ListingStatus.DRAFT),
        "cap_suspended": capability(ListingStatus.SUSPENDED),
        "need_public": need(ListingStatus.PUBLISHED),
        "need_platforms": need(ListingStatus.PUBLISHED, "platforms_only"),
        "need_draft": need(ListingStatus.DRAFT),
    }


# --- who may see what ---------------------------------------------------------

CAPABILITY_DETAIL = {
    # role: (published, draft)
    "anonymous": (200, 404),
    "alice": (200, 404),
    "bob": (200, 404),
    "carol": (200, 404),
    "dan": (200, 200),  # owner
    "erin": (200, 404),
    "mallory": (200, 200),  # admin
}


@pytest.mark.parametrize("role", ROLES)
def test_capability_detail_by_role(client, cast, listings, role):
    client = client_as(client, cast, role)
    published, draft = CAPABILITY_DETAIL[role]
    assert (
        client.get(reverse("marketplace:capability_detail", args=[listings["cap_published"].pk])).status_code
        == published
    )
    assert client.get(reverse("marketplace:capability_detail", args=[listings["cap_draft"].pk])).status_code == draft
    expected_suspended = 200 if role in ("dan", "mallory") else 404
    response = client.get(reverse("marketplace:capability_detail", args=[listings["cap_suspended"].pk]))
    assert response.status_code == expected_suspended


NEED_DETAIL = {
    # role: (public, platforms_only, draft, sees details of public)
    "anonymous": (200, 404, 404, False),
    "alice": (200, 200, 200, True),  # owner
    "bob": (200, 200, 200, True),  # owner's member
    "carol": (200, 404, 404, False),  # another SME
    "dan": (200, 200, 404, True),  # platform staff
    "erin": (200, 200, 404, True),
    "mallory": (200, 200, 200, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_need_detail_by_role(client, cast, listings, role):
    client = client_as(client, cast, role)
    public, platforms_only, draft, details = NEED_DETAIL[role]
    response = client.get(reverse("marketplace:need_detail", args=[listings["need_public"].pk]))
    assert response.status_code == public
    assert ("SECRET-DETAIL" in response.text) is details
    assert (
        client.get(reverse("marketplace:need_detail", args=[listings["need_platforms"].pk])).status_code
        == platforms_only
    )
    assert client.get(reverse("marketplace:need_detail", args=[listings["need_draft"].pk])).status_code == draft


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_lists_only_published_capabilities(client, cast, listings, role):
    response = client_as(client, cast, role).get(reverse("marketplace:catalogue"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"].object_list] == [listings["cap_published"].pk]


@pytest.mark.parametrize("role", ROLES)
def test_needs_board_by_role(client, cast, listings, role):
    response = client_as(client, cast, role).get(reverse("marketplace:needs_board"))
    assert response.status_code == 200
    shown = {n.pk for n in response.context["page"].object_list}
    platform = role in ("dan", "erin")
    expected = {listings["need_public"].pk} | ({listings["need_platforms"].pk} if platform else set())
    assert shown == expected
    assert ("SECRET-DETAIL" in response.text) is platform


def test_visitors_find_needs_by_chinese_words_of_the_title(client, cast):
    from marketplace.services.listings import listing_create

    need = listing_create(
        model=Need,
        membership=cast.alice,
        fields={
            "title": "增值税发票识别服务",
            "description": "保密细节",
            "kinds_wanted": ["api"],
            "industry": "trade",
            "region": "zhejiang",
            "visibility": "public",
        },
        tag_names=[],
    )
    Need.objects.filter(pk=need.pk).update(status=ListingStatus.PUBLISHED)
    for query, expected in (("发票服务", [need.pk]), ("保密", [])):
        response = client.get(reverse("marketplace:needs_board"), {"q": query})
        assert [n.pk for n in response.context["page"].object_list] == expected, query


def test_board_search_by_visitors_does_not_reveal_descriptions(client, cast, listings):
    response = client.get(reverse("marketplace:needs_board"), {"q": "SECRET-DETAIL"})
    assert list(response.context["page"].object_list) == []
    client.force_login(cast.dan.user)
    response = client.get(reverse("marketplace:needs_board"), {"q": "secret"})
    assert {n.pk for n in response.context["page"].object_list} >= {listings["need_public"].pk}


# --- catalogue inputs -----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": "10000000000000000000000"},
        {"page": "abc"},
        {"kind": "quantum"},
        {"budget": "NaN"},
        {"budget": "-5"},
        {"budget": "1e400"},
        {"q": "x" * 5000},
        {"q": "\x00<script>"},
        {"sort": "price"},
        {"tag": "不存在"},
    ],
)
def test_catalogue_survives_bad_parameters(client, listings, params):
    response = client.get(reverse("marketplace:catalogue"), params)
    assert response.status_code == 200


def test_catalogue_filters_by_kind_tag_and_budget(client, cast, listings):
    data = CapabilityFactory(
        organization=cast.platform, kind="data", data_classification="public", price_min_monthly=5000
    )
    response = client.get(reverse("marketplace:catalogue"), {"kind": "data"})
    assert [c.pk for c in response.context["page"].object_list] == [data.pk]
    response = client.get(reverse("marketplace:catalogue"), {"budget": "1000"})
    assert data.pk not in [c.pk for c in response.context["page"].object_list]


@pytest.mark.parametrize("url_name", ["marketplace:catalogue", "marketplace:needs_board", "home"])
def test_list_pages_use_a_constant_number_of_queries(client, cast, url_name):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(url_name)).status_code == 200
        return len(captured)

    CapabilityFactory.create_batch(2, organization=cast.platform)
    NeedFactory.create_batch(2, organization=cast.sme)
    few = count_queries()
    CapabilityFactory.create_batch(20, organization=cast.platform)
    NeedFactory.create_batch(20, organization=cast.sme)
    assert count_queries() == few


# --- workspaces and owner actions -----------------------------------------------


def test_sme_cannot_open_the_capability_workspace(client, cast):
    client.force_login(cast.alice.user)
    assert client.get(reverse("marketplace:workspace_capabilities")).status_code == 403
    assert client.get(reverse("marketplace:capabilities_create")).status_code == 403
    assert client.get(reverse("marketplace:workspace_needs")).status_code == 200


def test_workspace_lists_only_own_listings(client, cast, listings):
    CapabilityFactory(organization=cast.other_platform, title="Erin's")
    client.force_login(cast.dan.user)
    response = client.get(reverse("marketplace:workspace_capabilities"))
    titles = {c.title for c in response.context["page"].object_list}
    assert titles == {"Cap published", "Cap draft", "Cap suspended"}


def test_platform_creates_a_capability_through_the_form(client, cast):
    client.force_login(cast.dan.user)
    data = {
        "kind": "model",
        "title": "工业质检视觉模型",
        "summary": "Defect detection for metal parts.",
        "description": "Fine-tuned on 200k images.",
        "access_model": "paid",
        "price_min_monthly": "1000",
        "price_max_monthly": "8000",
        "industries": ["manufacturing"],
        "tags": "质检，vision, 缺陷检测",
    }
    response = client.post(reverse("marketplace:capabilities_create"), data)
    capability = Capability.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("marketplace:capability_detail", args=[capability.pk])
    assert capability.status == ListingStatus.DRAFT
    assert capability.industries == ["manufacturing"]
    assert sorted(t.name for t in capability.tags.all()) == ["vision", "缺陷检测", "质检"]


def test_invalid_form_is_a_400_with_field_errors(client, cast):
    client.force_login(cast.dan.user)
    data = {"kind": "data", "title": "", "summary": "s", "description": "d", "access_model": "open"}
    data.update({"price_min_monthly": "9", "price_max_monthly": "1"})
    response = client.post(reverse("marketplace:capabilities_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"title", "data_classification", "price_max_monthly"} <= set(errors)
    assert not Capability.objects.exists()


def test_sme_posts_and_submits_a_need(client, cast):
    client.force_login(cast.bob.user)
    data = {
        "title": "需要发票识别",
        "description": "每月约两千张增值税发票。",
        "kinds_wanted": ["api"],
        "industry": "trade",
        "region": "zhejiang",
        "visibility": "public",
    }
    client.post(reverse("marketplace:needs_create"), data)
    need = Need.objects.get()
    response = client.post(reverse("marketplace:needs_action", args=[need.pk, "submit"]))
    assert response.status_code == 302
    assert Need.objects.get().status == ListingStatus.SUBMITTED


def test_owner_actions_by_others_are_404(client, cast, listings):
    client.force_login(cast.erin.user)
    draft = listings["cap_draft"]
    assert client.get(reverse("marketplace:capabilities_edit", args=[draft.pk])).status_code == 404
    assert client.post(reverse("marketplace:capabilities_action", args=[draft.pk, "submit"])).status_code == 404
    assert Capability.objects.get(pk=draft.pk).status == ListingStatus.DRAFT


def test_owner_cannot_publish_their_own_listing(client, cast, listings):
    client.force_login(cast.dan.user)
    draft = listings["cap_draft"]
    assert client.post(reverse("marketplace:capabilities_action", args=[draft.pk, "publish"])).status_code == 403
    assert Capability.objects.get(pk=draft.pk).status == ListingStatus.DRAFT


def test_illegal_owner_action_is_a_message(client, cast, listings):
    client.force_login(cast.dan.user)
    published = listings["cap_published"]
    response = client.post(reverse("marketplace:capabilities_action", args=[published.pk, "submit"]), follow=True)
    assert "cannot be submitted" in response.text
    assert Capability.objects.get(pk=published.pk).status == ListingStatus.PUBLISHED


def test_actions_are_post_only(client, cast, listings):
    client.force_login(cast.dan.user)
    url = reverse("marketplace:capabilities_action", args=[listings["cap_draft"].pk, "submit"])
    assert client.get(url).status_code == 405


def test_owner_takes_a_listing_back_from_review_to_edit_it(client, cast):
    capability = CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
    client.force_login(cast.dan.user)
    edit = reverse("marketplace:capabilities_edit", args=[capability.pk])
    response = client.get(edit)
    assert response.status_code == 302  # not editable while in review
    response = client.post(reverse("marketplace:capabilities_action", args=[capability.pk, "retract"]))
    assert response.status_code == 302
    assert response.url == edit
    assert Capability.objects.get(pk=capability.pk).status == ListingStatus.DRAFT
    assert client.get(edit).status_code == 200


def test_resubmitting_clears_the_old_moderation_reason(client, cast):
    need = NeedFactory(organization=cast.sme, status=ListingStatus.CHANGES_REQUESTED, moderation_reason="Add a budget.")
    client.force_login(cast.alice.user)
    client.post(reverse("marketplace:needs_action", args=[need.pk, "submit"]))
    need.refresh_from_db()
    assert (need.status, need.moderation_reason) == (ListingStatus.SUBMITTED, "")


def test_search_ranks_title_words_above_body_words(db, cast):
    # Body-only mention, newer; title mention, older: the title one comes first.
    titled = CapabilityFactory(organization=cast.platform, title="VAT invoice reader", summary="Reads scans")
    body = CapabilityFactory(organization=cast.platform, title="GPU hours", summary="VAT special invoices available")
    from marketplace.selectors import capabilities_catalogue

    assert [c.pk for c in capabilities_catalogue(query="invoices reader")][:2] == [titled.pk, body.pk]


@pytest.mark.django_db
def test_a_price_without_an_upper_end_reads_from(client, cast):
    capability = CapabilityFactory(organization=cast.platform, price_min_monthly=39700, price_max_monthly=None)

    html = client.get(reverse("marketplace:capability_detail", args=[capability.pk])).content.decode()

    assert "from CNY 39,700 per month" in html
    assert "39,700 – " not in html


def test_a_need_without_a_kind_says_what_to_choose(client, cast):
    client.force_login(cast.bob.user)
    data = {"title": "需要发票识别", "description": "每月两千张。", "industry": "trade", "region": "zhejiang"}
    response = client.post(reverse("marketplace:needs_create"), data | {"visibility": "public"})
    assert response.status_code == 400
    assert response.context["form"].errors["kinds_wanted"] == ["Choose at least one kind of capability."]
    assert not Need.objects.exists()
