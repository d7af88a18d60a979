"""What the proposal lists leave out and keep: pairs already applied for,
invitations sent, stable rows across re-matching, weaker suggestions folded."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from marketplace.services.applications import application_submit
from marketplace.services.invitations import invitation_send
from matching.models import Match
from matching.reasons import reason_sentence
from matching.selectors import fitting_needs_for_capability, recommendations_for_need, strong_and_weaker
from matching.services import learning, rematch


@pytest.fixture
def applied(cast, catalogue, needs):
    return application_submit(
        membership=cast.alice,
        capability_id=catalogue.ocr.pk,
        intended_use="Read our supplier invoices.",
        need_id=needs.invoice.pk,
        accepted_terms_version=catalogue.ocr.terms_version,
    )


def test_a_capability_the_sme_applied_to_leaves_its_list_at_once_and_at_the_next_match(
    cast, catalogue, needs, applied, proposed
):
    assert catalogue.ocr.pk in proposed(needs.invoice)  # stored before the application…
    shown = [match.capability_id for match in recommendations_for_need(need=needs.invoice)]
    assert catalogue.ocr.pk not in shown  # …but no longer shown
    rematch.match_need(needs.invoice.pk)
    assert catalogue.ocr.pk not in proposed(needs.invoice)
    assert proposed(needs.invoice) == sorted(proposed(needs.invoice), key=proposed(needs.invoice).index)
    ranks = list(
        Match.objects.filter(need=needs.invoice, rank__isnull=False).order_by("rank").values_list("rank", flat=True)
    )
    assert ranks == list(range(1, len(ranks) + 1))


def test_the_platform_sees_who_applied_and_whom_it_invited(cast, catalogue, needs, applied):
    listed = {match.need_id: match for match in fitting_needs_for_capability(capability=catalogue.ocr)}
    assert listed[needs.invoice.pk].applied and not listed[needs.invoice.pk].invited
    ocr_erin = fitting_needs_for_capability(capability=catalogue.ocr_erin)
    assert not any(match.invited for match in ocr_erin)
    invitation_send(membership=cast.erin, capability_id=catalogue.ocr_erin.pk, need_id=needs.invoice.pk)
    invited = {match.need_id: match for match in fitting_needs_for_capability(capability=catalogue.ocr_erin)}
    assert invited[needs.invoice.pk].invited


def test_the_capability_page_shows_badges_instead_of_a_second_invite(cast, catalogue, needs, applied, login):
    page = login(cast.dan).get(reverse("marketplace:capability_detail", args=[catalogue.ocr.pk])).content.decode()
    assert "Has applied" in page
    assert reverse("marketplace:invitation_send", args=[needs.invoice.pk]) not in page


def test_re_matching_keeps_the_rows_of_pairs_still_proposed(catalogue, needs):
    before = dict(Match.objects.filter(need=needs.invoice).values_list("capability_id", "pk"))
    rematch.match_need(needs.invoice.pk)
    after = dict(Match.objects.filter(need=needs.invoice).values_list("capability_id", "pk"))
    assert before and before == after


def fake(score):
    return SimpleNamespace(score=score)


@pytest.mark.parametrize(
    ("scores", "shown"),
    [
        ([], 0),
        ([0.9, 0.2], 1),
        ([0.9, 0.8, 0.7, 0.6, 0.3, 0.29], 5),  # a good match: a fit of 0.3 or more
        ([0.2, 0.1], 0),  # no good match: the page says so, the rest folded
    ],
)
def test_only_good_matches_are_shown_unfolded(scores, shown):
    strong, weaker = strong_and_weaker([fake(score) for score in scores])
    assert len(strong) == shown
    assert len(strong) + len(weaker) == len(scores)


@pytest.mark.parametrize(
    ("reason", "sentence"),
    [
        ({"code": "budget", "price_min": 0, "price_max": 0}, "free to use"),
        ({"code": "budget", "price_min": 1200, "price_max": 4100}, "price CNY 1,200–4,100 a month"),
        (
            {"code": "budget", "price_min": 39700, "price_max": None, "budget_min": None, "budget_max": 50000},
            "price from CNY 39,700 a month; budget up to CNY 50,000",
        ),
        ({"code": "region", "region": "zhejiang"}, "same province: Zhejiang"),
        ({"code": "tags", "tags": ["OCR", "发票"]}, "shared tags: OCR, 发票"),
        ({"code": "text", "similarity": 0.4, "words": ["需求预测"]}, "similar wording: 需求预测"),
    ],
)
def test_reason_sentences_carry_their_values(reason, sentence):
    assert reason_sentence(reason) == sentence


def test_a_late_withdrawal_of_a_listing_published_again_re_matches_it(catalogue, needs, proposed):
    before = proposed(needs.invoice)
    assert before
    rematch.matches_withdraw(need_id=needs.invoice.pk)  # queued by a suspension since undone
    assert proposed(needs.invoice) == before


def test_feedback_keeps_the_features_the_pair_had_then(cast, catalogue, needs):
    from matching.services.feedback import match_feedback

    match = Match.objects.filter(need=needs.invoice, rank__isnull=False).first()
    shown = dict(match.features)
    match_feedback(membership=cast.alice, match=match, side="sme", value="interested")
    Match.objects.filter(pk=match.pk).update(features={**shown, "text": 0.0})  # a later re-match
    match.refresh_from_db()
    assert match.label_features == shown
    labels = learning.training_labels()
    assert labels.features[0].tolist() == [shown[name] for name in learning.FEATURES]


def test_an_admin_changing_an_smes_size_re_matches_its_needs(
    cast, catalogue, needs, proposed, login, django_capture_on_commit_callbacks
):
    # Alice's SME is small: the capability for medium and large firms is not proposed.
    assert catalogue.ocr_medium.pk not in proposed(needs.invoice)
    sme = cast.sme
    data = {
        "kind": "sme",
        "legal_name": sme.legal_name,
        "credit_code": sme.credit_code,
        "size_band": "medium",
        "industry": sme.industry,
        "province": sme.province,
        "website": "",
        "description": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = login(cast.mallory).post(reverse("admin:accounts_organization_change", args=[sme.pk]), data)
    assert response.status_code == 302
    assert catalogue.ocr_medium.pk in proposed(needs.invoice)
