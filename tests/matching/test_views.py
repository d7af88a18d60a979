"""Who sees proposed matches and who may give feedback on them: the need's
organisation on the need page, the capability's platform on the capability
page, each in its workspace panel; everyone else sees and changes nothing."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.choices import SME
from marketplace.models import Invitation
from matching.models import Feedback, Match
from matching.services.feedback import match_feedback

pytestmark = pytest.mark.django_db

RECOMMENDED = "Recommended capabilities"
FITTING = "Needs that fit"


def as_role(client, cast, role):
    if role != "anonymous":
        who = getattr(cast, role)
        client.force_login(getattr(who, "user", who))
    return client


def feedback_url(match):
    return reverse("matching:feedback", args=[match.pk])


@pytest.fixture
def invoice_match(catalogue, needs):
    """Dan's invoice OCR API proposed first for Alice's invoice need."""
    return Match.objects.get(need=needs.invoice, capability=catalogue.ocr)


@pytest.fixture
def other_match(catalogue, needs):
    """Erin's invoice API proposed second for the same need."""
    return Match.objects.get(need=needs.invoice, capability=catalogue.ocr_erin)


def feedback_state(match):
    match.refresh_from_db()
    return {
        "sme": (match.sme_feedback, match.sme_feedback_reason, match.sme_feedback_by_id, match.sme_feedback_at),
        "platform": (
            match.platform_feedback,
            match.platform_feedback_reason,
            match.platform_feedback_by_id,
            match.platform_feedback_at,
        ),
    }


class TestNeedPage:
    @pytest.mark.parametrize("role", ["alice", "bob"])
    def test_the_needs_organisation_sees_recommendations(self, client, cast, catalogue, needs, role):
        response = as_role(client, cast, role).get(reverse("marketplace:need_detail", args=[needs.invoice.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert RECOMMENDED in html
        shown = response.context["matches"] + response.context["weaker_matches"]
        assert [m.capability_id for m in shown] == [catalogue.ocr.pk, catalogue.ocr_erin.pk]
        assert catalogue.ocr.title in html and catalogue.ocr_erin.title in html
        assert catalogue.ocr_guangdong.title not in html
        assert "shared tags: OCR, 发票" in html
        assert "Not relevant" in html
        assert "% fit" in html

    @pytest.mark.parametrize("role", ["carol", "dan", "erin", "mallory", "anonymous"])
    def test_others_do_not_see_recommendations(self, client, cast, catalogue, needs, role):
        response = as_role(client, cast, role).get(reverse("marketplace:need_detail", args=[needs.invoice.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert needs.invoice.title in html
        assert RECOMMENDED not in html
        assert "matches" not in response.context
        assert feedback_url(Match.objects.filter(need=needs.invoice).first()) not in html

    def test_the_apply_link_preselects_the_need(self, client, cast, catalogue, needs):
        client = as_role(client, cast, "alice")
        html = client.get(reverse("marketplace:need_detail", args=[needs.invoice.pk])).content.decode()
        apply_url = f"{reverse('marketplace:application_apply', args=[catalogue.ocr.pk])}?need={needs.invoice.pk}"
        assert f'href="{apply_url}"' in html
        response = client.get(apply_url)
        assert response.status_code == 200
        assert response.context["form"]["need"].value() == needs.invoice.pk
        assert re.search(rf'<option value="{needs.invoice.pk}" selected>', response.content.decode())

    def test_a_need_without_matches_says_so(self, client, cast, needs):
        Match.objects.filter(need=needs.invoice).delete()
        response = as_role(client, cast, "alice").get(reverse("marketplace:need_detail", args=[needs.invoice.pk]))
        assert "No capability fits this need yet." in response.content.decode()


class TestCapabilityPage:
    def test_the_platform_sees_the_needs_that_fit(self, client, cast, catalogue, needs):
        response = as_role(client, cast, "dan").get(reverse("marketplace:capability_detail", args=[catalogue.ocr.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert FITTING in html
        assert [m.need_id for m in response.context["matches"]] == [needs.invoice.pk]
        assert needs.invoice.title in html
        assert needs.route.title not in html
        invite = f"{reverse('marketplace:invitation_send', args=[needs.invoice.pk])}?capability={catalogue.ocr.pk}"
        assert f'href="{invite}"' in html

    @pytest.mark.parametrize("role", ["erin", "alice", "carol", "mallory", "anonymous"])
    def test_others_do_not_see_the_needs_that_fit(self, client, cast, catalogue, needs, role):
        response = as_role(client, cast, role).get(reverse("marketplace:capability_detail", args=[catalogue.ocr.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert catalogue.ocr.title in html
        assert FITTING not in html
        assert "matches" not in response.context

    def test_inviting_a_need_that_fits_records_the_platforms_interest(
        self, client, cast, catalogue, needs, invoice_match
    ):
        client = as_role(client, cast, "dan")
        url = reverse("marketplace:invitation_send", args=[needs.invoice.pk])
        form = client.get(f"{url}?capability={catalogue.ocr.pk}").context["form"]
        assert form["capability"].value() == catalogue.ocr.pk
        response = client.post(url, {"capability": catalogue.ocr.pk, "message": "Try our OCR API."})
        assert response.status_code == 302
        assert Invitation.objects.filter(need=needs.invoice, capability=catalogue.ocr).exists()
        platform = feedback_state(invoice_match)["platform"]
        assert platform[:3] == (Feedback.INTERESTED, "", cast.dan.user.pk)
        assert platform[3] is not None
        assert feedback_state(invoice_match)["sme"] == ("", "", None, None)


class TestFeedback:
    @pytest.mark.parametrize("role", ["alice", "bob"])
    def test_the_sme_marks_a_match_interesting(self, client, cast, needs, invoice_match, role):
        response = as_role(client, cast, role).post(feedback_url(invoice_match), {"value": "interested"})
        assert response.status_code == 302
        assert response.url == reverse("marketplace:need_detail", args=[needs.invoice.pk]) + "#matches"
        value, reason, by, at = feedback_state(invoice_match)["sme"]
        assert (value, reason, by) == (Feedback.INTERESTED, "", getattr(cast, role).user.pk)
        assert at is not None
        assert feedback_state(invoice_match)["platform"] == ("", "", None, None)
        assert "you are interested" in next(iter(get_messages(response.wsgi_request))).message

    def test_a_dismissed_match_is_hidden_and_undo_brings_it_back(self, client, cast, needs, invoice_match, other_match):
        client = as_role(client, cast, "bob")
        need_url = reverse("marketplace:need_detail", args=[needs.invoice.pk])
        response = client.post(feedback_url(other_match), {"value": "dismissed", "reason": "  价格太高 too dear  "})
        assert response.status_code == 302
        value, reason, by, at = feedback_state(other_match)["sme"]
        assert (value, reason, by) == (Feedback.DISMISSED, "价格太高 too dear", cast.bob.user.pk)
        assert at is not None
        page = client.get(need_url)
        assert [m.pk for m in page.context["matches"] + page.context["weaker_matches"]] == [invoice_match.pk]
        assert other_match.capability.title not in page.content.decode()
        # Still proposed (ranked): only hidden from this side.
        other_match.refresh_from_db()
        assert other_match.rank == 2
        response = client.post(feedback_url(other_match), {"value": ""})
        assert response.status_code == 302
        assert feedback_state(other_match)["sme"] == ("", "", None, None)
        page = client.get(need_url)
        assert [m.pk for m in page.context["matches"] + page.context["weaker_matches"]] == [
            invoice_match.pk,
            other_match.pk,
        ]

    def test_a_reason_is_kept_only_when_dismissing(self, client, cast, invoice_match):
        as_role(client, cast, "alice").post(feedback_url(invoice_match), {"value": "interested", "reason": "nice"})
        assert feedback_state(invoice_match)["sme"][:2] == (Feedback.INTERESTED, "")

    def test_the_platform_gives_feedback_on_its_capabilitys_match(self, client, cast, catalogue, invoice_match):
        client = as_role(client, cast, "dan")
        response = client.post(feedback_url(invoice_match), {"value": "dismissed", "reason": "Not our market"})
        assert response.status_code == 302
        assert response.url == reverse("marketplace:capability_detail", args=[catalogue.ocr.pk]) + "#matches"
        assert feedback_state(invoice_match)["platform"][:3] == (Feedback.DISMISSED, "Not our market", cast.dan.user.pk)
        assert feedback_state(invoice_match)["sme"] == ("", "", None, None)
        page = client.get(reverse("marketplace:capability_detail", args=[catalogue.ocr.pk]))
        assert list(page.context["matches"]) == []
        # The SME still sees it: only the platform dismissed it.
        assert Match.objects.proposed().filter(pk=invoice_match.pk).exists()

    @pytest.mark.parametrize("role", ["carol", "erin"])
    def test_other_organisations_get_404_and_change_nothing(self, client, cast, invoice_match, role):
        before = feedback_state(invoice_match)
        response = as_role(client, cast, role).post(feedback_url(invoice_match), {"value": "dismissed"})
        assert response.status_code == 404
        assert feedback_state(invoice_match) == before

    @pytest.mark.parametrize("role", ["frank", "mallory"])
    def test_users_without_an_organisation_are_sent_to_register_one(self, client, cast, invoice_match, role):
        before = feedback_state(invoice_match)
        response = as_role(client, cast, role).post(feedback_url(invoice_match), {"value": "dismissed"})
        assert response.status_code == 302
        assert response.url == reverse("accounts:organization_create")
        assert feedback_state(invoice_match) == before

    def test_anonymous_is_sent_to_log_in(self, client, invoice_match):
        response = client.post(feedback_url(invoice_match), {"value": "interested"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert feedback_state(invoice_match)["sme"] == ("", "", None, None)

    def test_get_is_not_allowed(self, client, cast, invoice_match):
        response = as_role(client, cast, "alice").get(feedback_url(invoice_match), {"value": "interested"})
        assert response.status_code == 405
        assert feedback_state(invoice_match)["sme"] == ("", "", None, None)

    @pytest.mark.parametrize(
        "data",
        [
            {"value": "maybe"},
            {"value": "INTERESTED"},
            {"value": "dismissed", "reason": "x" * 301},
        ],
    )
    def test_invalid_feedback_is_400_and_writes_nothing(self, client, cast, invoice_match, data):
        response = as_role(client, cast, "alice").post(feedback_url(invoice_match), data)
        assert response.status_code == 400
        assert feedback_state(invoice_match)["sme"] == ("", "", None, None)

    def test_a_reason_sent_with_interested_is_ignored_whatever_its_length(self, client, cast, invoice_match):
        response = as_role(client, cast, "alice").post(
            feedback_url(invoice_match), {"value": "interested", "reason": "长" * 301}
        )
        assert response.status_code == 302
        invoice_match.refresh_from_db()
        assert (invoice_match.sme_feedback, invoice_match.sme_feedback_reason) == ("interested", "")

    def test_a_reason_of_300_characters_is_kept(self, client, cast, invoice_match):
        reason = "贵" * 300
        response = as_role(client, cast, "alice").post(
            feedback_url(invoice_match), {"value": "dismissed", "reason": reason}
        )
        assert response.status_code == 302
        assert feedback_state(invoice_match)["sme"][:2] == (Feedback.DISMISSED, reason)

    def test_a_withdrawn_match_takes_no_more_feedback(self, client, cast, invoice_match):
        match_feedback(membership=cast.alice, match=invoice_match, side=SME, value=Feedback.INTERESTED)
        Match.objects.filter(pk=invoice_match.pk).update(rank=None)
        before = feedback_state(invoice_match)
        response = as_role(client, cast, "alice").post(feedback_url(invoice_match), {"value": ""})
        assert response.status_code == 404
        assert feedback_state(invoice_match) == before

    def test_an_unknown_match_is_404(self, client, cast, needs):
        response = as_role(client, cast, "alice").post(reverse("matching:feedback", args=[999999]), {"value": ""})
        assert response.status_code == 404


class TestWorkspacePanels:
    def test_the_sme_panel_shows_its_needs_recommendations(self, client, cast, catalogue, needs, other_match):
        client = as_role(client, cast, "bob")
        response = client.get(reverse("marketplace:workspace_needs"))
        html = response.content.decode()
        assert "Recommended for your needs" in html
        assert [m.capability_id for m in response.context["recommendations"]] == [
            catalogue.ocr.pk,
            catalogue.ocr_erin.pk,
        ]
        assert catalogue.route.title not in html  # Carol's need's match
        client.post(feedback_url(other_match), {"value": "dismissed"})
        response = client.get(reverse("marketplace:workspace_needs"))
        assert [m.capability_id for m in response.context["recommendations"]] == [catalogue.ocr.pk]

    def test_the_platform_panel_shows_needs_that_fit_its_capabilities(self, client, cast, catalogue, needs):
        response = as_role(client, cast, "dan").get(reverse("marketplace:workspace_capabilities"))
        html = response.content.decode()
        assert "Needs that fit your capabilities" in html
        assert [(m.need_id, m.capability_id) for m in response.context["recommendations"]] == [
            (needs.invoice.pk, catalogue.ocr.pk)
        ]
        assert needs.invoice.title in html
        assert needs.route.title not in html  # proposed Erin's route tool, not Dan's

    def test_another_sme_sees_only_its_own(self, client, cast, catalogue, needs):
        response = as_role(client, cast, "carol").get(reverse("marketplace:workspace_needs"))
        assert [m.capability_id for m in response.context["recommendations"]] == [catalogue.route.pk]
        assert catalogue.ocr.title not in response.content.decode()

    def test_an_empty_panel_says_how_to_fill_it(self, client, cast, catalogue):
        response = as_role(client, cast, "alice").get(reverse("marketplace:workspace_needs"))
        assert "Publish a need and the capabilities that fit it appear here." in response.content.decode()


def test_a_wording_reason_without_shared_words_is_not_shown():
    from types import SimpleNamespace

    from matching.reasons import reason_sentences

    match = SimpleNamespace(
        reasons=[
            {"code": "text", "similarity": 0.04, "words": []},
            {"code": "text", "similarity": 0.3, "words": ["OCR"]},
        ]
    )

    assert reason_sentences(match) == ["similar wording: OCR"]
