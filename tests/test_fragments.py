"""Pages that tandem.js updates in place: with the X-Tandem-Fragment header a
view answers with one partial of its page (same context, same results), without
it with the whole page as before; both vary on the header."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from marketplace.models import Message
from marketplace.search import build_document
from matching.models import Feedback, Match
from tests.marketplace.factories import CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db

SHELL = "<html"


def fragment(name):
    return {"headers": {"X-Tandem-Fragment": name}}


def varies_on_fragment(response):
    return "x-tandem-fragment" in response.headers.get("Vary", "").lower()


def searchable(listing, text):
    listing.search_document = build_document(listing.title, text)
    if hasattr(listing, "search_title"):
        listing.search_title = build_document(listing.title)
    listing.save()
    return listing


def between(html, start, end=None):
    """The HTML from ``start`` up to (not including) ``end`` or to its end, stripped."""
    begin = html.index(start)
    return html[begin : html.index(end, begin) if end else len(html)].strip()


# --- live results: the catalogue and the needs board ---------------------------


@pytest.fixture
def offers(cast):
    """Three published capabilities (two APIs, one tool) and a draft."""
    return {
        "ocr": searchable(CapabilityFactory(organization=cast.platform, title="Invoice OCR API"), "invoice ocr"),
        "maps": searchable(CapabilityFactory(organization=cast.platform, title="Maps API"), "route maps"),
        "tool": searchable(
            CapabilityFactory(organization=cast.other_platform, title="Invoice checker tool", kind="tool"),
            "invoice checker",
        ),
        "draft": searchable(
            CapabilityFactory(organization=cast.platform, title="Invoice draft", status="draft"), "invoice"
        ),
    }


@pytest.fixture
def wanted(cast):
    return {
        "invoice": searchable(
            NeedFactory(organization=cast.sme, title="Read our invoices", region="zhejiang"), "invoice reading"
        ),
        "route": searchable(
            NeedFactory(organization=cast.other_sme, title="Plan delivery routes", region="guangdong"), "routes"
        ),
    }


PAGES = {
    "catalogue": ("marketplace:catalogue", "catalogue-results", '<div id="catalogue-tags"'),
    "needs": ("marketplace:needs_board", "needs-results", None),
}


@pytest.mark.parametrize("page", PAGES)
def test_the_fragment_is_the_results_partial_without_the_page_shell(client, offers, wanted, page):
    url_name, slot, _ = PAGES[page]
    response = client.get(reverse(url_name), **fragment("results"))
    html = response.content.decode()
    assert response.status_code == 200
    assert varies_on_fragment(response)
    assert SHELL not in html
    assert 'role="search"' not in html  # the filter form stays on the page
    assert f'<div id="{slot}" data-live-slot>' in html
    assert "data-live-count" in html
    if page == "catalogue":
        assert "Invoice OCR API" in html and "Maps API" in html and "Invoice draft" not in html
        assert "3 capabilities" in html
    else:
        assert "Read our invoices" in html and "Plan delivery routes" in html
        assert "2 needs" in html


@pytest.mark.parametrize("page", PAGES)
def test_without_the_header_the_whole_page_is_served(client, offers, wanted, page):
    url_name, slot, _ = PAGES[page]
    response = client.get(reverse(url_name))
    html = response.content.decode()
    assert response.status_code == 200
    assert varies_on_fragment(response)
    assert SHELL in html
    assert 'role="search"' in html and "data-live-results" in html
    assert f'<div id="{slot}" data-live-slot>' in html
    # The fetched partial is not in the page twice.
    assert "data-live-option-labels" not in html


@pytest.mark.parametrize(
    ("page", "params", "expected"),
    [
        ("catalogue", {"q": "invoice"}, ["ocr", "tool"]),
        ("catalogue", {"q": "invoice", "kind": "api"}, ["ocr"]),
        ("catalogue", {"kind": "tool", "sort": "newest"}, ["tool"]),
        ("needs", {"q": "invoice"}, ["invoice"]),
        ("needs", {"region": "guangdong"}, ["route"]),
    ],
)
def test_fragment_results_equal_the_full_pages(client, offers, wanted, page, params, expected):
    url_name, slot, end = PAGES[page]
    listings = offers if page == "catalogue" else wanted
    full = client.get(reverse(url_name), params)
    part = client.get(reverse(url_name), params, **fragment("results"))
    assert {x.pk for x in part.context["page"].object_list} == {listings[key].pk for key in expected}
    assert [x.pk for x in part.context["page"].object_list] == [x.pk for x in full.context["page"].object_list]
    # The very same HTML: the page renders the partial in place.
    start = f'<div id="{slot}"'
    assert between(part.content.decode(), start, end) == between(full.content.decode(), start, "</section>")


def test_catalogue_fragment_carries_the_tags_and_the_choice_counts_of_its_results(client, offers):
    response = client.get(reverse("marketplace:catalogue"), {"q": "invoice"}, **fragment("results"))
    html = response.content.decode()
    assert '<div id="catalogue-tags" data-live-slot>' in html
    assert '<template data-live-option-labels="id_kind">' in html
    assert '<option value="api">API (1)</option>' in html
    assert '<option value="tool">Tool (1)</option>' in html


@pytest.mark.parametrize(
    ("page", "params", "label"),
    [
        ("catalogue", {"q": "invoice"}, "Show 2 capabilities"),
        ("catalogue", {"kind": "tool"}, "Show 1 capability"),
        ("needs", {}, "Show 2 needs"),
        ("needs", {"q": "nothing like it"}, "Show 0 needs"),
    ],
)
def test_the_results_give_the_filter_button_its_count(client, offers, wanted, page, params, label):
    """On phones the results are below the open filters: the script puts the
    count in the button. Without the script the button has no count, which
    would be that of the results shown, not of the choices in the form."""
    url_name, *_ = PAGES[page]
    part = client.get(reverse(url_name), params, **fragment("results")).content.decode()
    full = client.get(reverse(url_name), params).content.decode()

    assert f'data-live-submit-label="{label}"' in part
    assert f'data-live-submit-label="{label}"' in full
    button = between(full, '<button type="submit" class="button" data-live-submit>', "</button>")
    assert button.endswith("Show capabilities" if page == "catalogue" else "Show needs")


def test_pagination_links_of_the_fragment_keep_the_query(client, cast):
    for number in range(25):
        searchable(CapabilityFactory(organization=cast.platform, title=f"Invoice API {number}"), "invoice")
    response = client.get(reverse("marketplace:catalogue"), {"q": "invoice", "page": "2"}, **fragment("results"))
    html = response.content.decode()
    assert response.context["page"].number == 2
    assert 'href="?q=invoice&amp;page=1" rel="prev"' in html
    assert "Page 2 of 2" in html


@pytest.mark.parametrize("page", PAGES)
def test_the_results_heading_says_which_page_after_the_first(client, cast, page):
    url_name, *_ = PAGES[page]
    if page == "catalogue":
        CapabilityFactory.create_batch(25, organization=cast.platform)
    else:
        NeedFactory.create_batch(25, organization=cast.sme)

    first = client.get(reverse(url_name), **fragment("results")).content.decode()
    second = client.get(reverse(url_name), {"page": "2"}, **fragment("results")).content.decode()

    assert "Page 1 of 2" not in between(first, '<h2 id="results-heading"', "</h2>")
    heading = between(second, '<h2 id="results-heading"', "</h2>")
    assert heading.endswith(" · Page 2 of 2")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "params",
    [
        {"kind": "bogus"},
        {"region": "atlantis", "q": "invoice"},
        {"page": "abc"},
        {"q": "x" * 5000},
    ],
)
def test_bad_filters_in_fragment_mode_behave_as_the_full_page(client, offers, wanted, page, params):
    url_name, *_ = PAGES[page]
    full = client.get(reverse(url_name), params)
    part = client.get(reverse(url_name), params, **fragment("results"))
    assert part.status_code == full.status_code == 200
    assert [x.pk for x in part.context["page"].object_list] == [x.pk for x in full.context["page"].object_list]
    html = part.content.decode()
    if set(params) - {"page"}:
        # The filters left out are named in the results themselves, in both modes.
        assert "data-filter-errors" in html and "data-filter-errors" in full.content.decode()
        assert "data-invalid-field=" in html
    else:
        assert "data-filter-errors" not in html


def test_catalogue_budget_error_is_named_in_the_fragment(client, offers):
    response = client.get(reverse("marketplace:catalogue"), {"budget": "-5"}, **fragment("results"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-invalid-field="id_budget"' in html
    assert "greater than or equal to 0" in html
    assert len(response.context["page"].object_list) == 3  # the budget was left out, not the rest


@pytest.mark.parametrize("name", ["nonsense", "results-list", "", "tags"])
def test_a_header_naming_no_offered_partial_gets_the_whole_page(client, offers, name):
    response = client.get(reverse("marketplace:catalogue"), **fragment(name))
    assert response.status_code == 200
    assert SHELL in response.content.decode()


# --- messages on an application ----------------------------------------------


def message_url(application):
    return reverse("marketplace:application_message", args=[application.pk])


def test_sending_a_message_in_place_returns_the_thread_with_it(client, cast, application):
    client.force_login(cast.alice.user)
    response = client.post(message_url(application), {"body": "Can we start on Monday?"}, **fragment("thread"))
    html = response.content.decode()
    assert response.status_code == 200
    assert varies_on_fragment(response)
    message = Message.objects.get(application=application)
    assert message.body == "Can we start on Monday?"
    assert message.sender_organization == cast.sme
    assert SHELL not in html
    assert f'id="message-{message.pk}"' in html
    assert "Can we start on Monday?" in html
    # The field comes back empty, without errors; nothing is left to flash on the next page.
    assert '<div id="message-fields" data-live-slot>' in html
    assert 'aria-invalid="true"' not in html
    assert "Can we start on Monday?</textarea>" not in html
    assert list(get_messages(response.wsgi_request)) == []


def test_the_thread_fragment_holds_earlier_messages_of_both_sides(client, cast, application):
    client.force_login(cast.dan.user)
    client.post(message_url(application), {"body": "First from the platform"}, **fragment("thread"))
    client.force_login(cast.bob.user)
    response = client.post(message_url(application), {"body": "Reply from the SME"}, **fragment("thread"))
    html = response.content.decode()
    assert html.index("First from the platform") < html.index("Reply from the SME")
    assert Message.objects.filter(application=application).count() == 2


@pytest.mark.parametrize("body", ["", "   \n  ", "x" * 5001])
def test_an_empty_or_oversized_message_in_place_is_a_400_with_the_field_error(client, cast, application, body):
    client.force_login(cast.alice.user)
    response = client.post(message_url(application), {"body": body}, **fragment("thread"))
    html = response.content.decode()
    assert response.status_code == 400
    assert varies_on_fragment(response)
    assert not Message.objects.exists()
    assert SHELL not in html
    assert '<div id="message-fields" data-live-slot>' in html
    assert 'class="errorlist"' in html and 'aria-invalid="true"' in html
    assert "No messages yet." in html


def test_without_the_header_sending_still_redirects_to_the_thread(client, cast, application):
    client.force_login(cast.alice.user)
    response = client.post(message_url(application), {"body": "Plain form post"})
    assert response.status_code == 302
    assert response.url == reverse("marketplace:application_detail", args=[application.pk]) + "#thread"
    assert varies_on_fragment(response)
    assert Message.objects.get().body == "Plain form post"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Message sent."]


def test_without_the_header_an_empty_message_is_the_whole_page_with_a_400(client, cast, application):
    client.force_login(cast.alice.user)
    response = client.post(message_url(application), {"body": ""})
    assert response.status_code == 400
    assert SHELL in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize("role", ["carol", "erin"])
def test_others_cannot_send_in_place_either(client, cast, application, role):
    client.force_login(getattr(cast, role).user)
    response = client.post(message_url(application), {"body": "Let me in"}, **fragment("thread"))
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_the_application_page_marks_the_thread_for_the_script(client, cast, application):
    client.force_login(cast.alice.user)
    html = client.get(reverse("marketplace:application_detail", args=[application.pk])).content.decode()
    assert 'data-live-message="thread"' in html
    assert 'data-sent="Message sent."' in html
    assert '<div id="thread-messages" data-live-slot>' in html


# --- match feedback ------------------------------------------------------------


@pytest.fixture
def match(cast):
    """Dan's OCR API proposed for Alice's invoice need."""
    need = NeedFactory(organization=cast.sme, title="Read our invoices")
    capability = CapabilityFactory(organization=cast.platform, title="Invoice OCR API")
    return Match.objects.create(need=need, capability=capability, score=0.8, rank=1, computed_at=timezone.now())


def feedback_url(match):
    return reverse("matching:feedback", args=[match.pk])


def test_interest_in_place_returns_the_match_in_its_new_state(client, cast, match):
    client.force_login(cast.alice.user)
    response = client.post(feedback_url(match), {"value": "interested"}, **fragment("match"))
    html = response.content.decode()
    assert response.status_code == 200
    assert varies_on_fragment(response)
    match.refresh_from_db()
    assert match.sme_feedback == Feedback.INTERESTED
    assert match.sme_feedback_by == cast.alice.user
    assert match.platform_feedback == ""
    assert SHELL not in html
    assert html.count("data-live-slot") == 1
    assert f'<li class="match" id="match-{match.pk}" data-live-slot>' in html
    assert "Noted: you are interested. Suggestions learn from this." in html
    assert "badge-interested" in html
    assert 'name="value" value=""' in html  # Undo
    assert 'name="value" value="interested"' not in html
    assert list(get_messages(response.wsgi_request)) == []


def test_taking_feedback_back_in_place_shows_the_buttons_again(client, cast, match):
    client.force_login(cast.alice.user)
    client.post(feedback_url(match), {"value": "interested"}, **fragment("match"))
    response = client.post(feedback_url(match), {"value": ""}, **fragment("match"))
    html = response.content.decode()
    assert response.status_code == 200
    match.refresh_from_db()
    assert match.sme_feedback == ""
    assert match.sme_feedback_at is None
    assert "Feedback undone." in html
    assert 'name="value" value="interested"' in html
    assert "badge-interested" not in html


def test_dismissing_in_place_leaves_a_way_back(client, cast, match):
    client.force_login(cast.bob.user)
    response = client.post(feedback_url(match), {"value": "dismissed", "reason": "too expensive"}, **fragment("match"))
    html = response.content.decode()
    assert response.status_code == 200
    match.refresh_from_db()
    assert (match.sme_feedback, match.sme_feedback_reason) == (Feedback.DISMISSED, "too expensive")
    assert f'id="match-{match.pk}"' in html and "match-dismissed" in html
    assert "Hidden. Thank you: suggestions learn from this." in html
    assert 'name="value" value=""' in html
    assert "Hide this suggestion" not in html
    # The need's page no longer lists it; undoing brings it back.
    need_page = reverse("marketplace:need_detail", args=[match.need_id])
    assert f'id="match-{match.pk}"' not in client.get(need_page).content.decode()
    client.post(feedback_url(match), {"value": ""}, **fragment("match"))
    assert f'id="match-{match.pk}"' in client.get(need_page).content.decode()


def test_the_platform_side_gets_its_own_view_of_the_match(client, cast, match):
    client.force_login(cast.dan.user)
    response = client.post(feedback_url(match), {"value": "interested"}, **fragment("match"))
    html = response.content.decode()
    assert response.status_code == 200
    match.refresh_from_db()
    assert (match.platform_feedback, match.sme_feedback) == (Feedback.INTERESTED, "")
    assert "Read our invoices" in html  # the need, as the capability's page lists it
    assert reverse("marketplace:invitation_send", args=[match.need_id]) in html


def test_invalid_feedback_in_place_is_a_400_with_the_errors_only(client, cast, match):
    client.force_login(cast.alice.user)
    response = client.post(feedback_url(match), {"value": "love"}, **fragment("match"))
    html = response.content.decode()
    assert response.status_code == 400
    assert varies_on_fragment(response)
    assert SHELL not in html
    assert "data-feedback-errors" in html
    assert "Choose Interested or Not relevant." in html
    match.refresh_from_db()
    assert match.sme_feedback == ""


def test_without_the_header_feedback_still_redirects(client, cast, match):
    client.force_login(cast.alice.user)
    response = client.post(feedback_url(match), {"value": "interested"})
    assert response.status_code == 302
    assert response.url == reverse("marketplace:need_detail", args=[match.need_id]) + "#matches"
    assert varies_on_fragment(response)
    match.refresh_from_db()
    assert match.sme_feedback == Feedback.INTERESTED


@pytest.mark.parametrize("role", ["carol", "erin"])
def test_others_cannot_give_feedback_in_place(client, cast, match, role):
    client.force_login(getattr(cast, role).user)
    response = client.post(feedback_url(match), {"value": "interested"}, **fragment("match"))
    assert response.status_code == 404
    match.refresh_from_db()
    assert (match.sme_feedback, match.platform_feedback) == ("", "")


def test_the_need_page_marks_feedback_forms_for_the_script(client, cast, match):
    client.force_login(cast.alice.user)
    html = client.get(reverse("marketplace:need_detail", args=[match.need_id])).content.decode()
    assert f'<li class="match" id="match-{match.pk}" data-live-slot>' in html
    assert html.count("data-live-feedback") == 2  # Interested, Hide this suggestion
    assert 'id="matches-status"' in html
