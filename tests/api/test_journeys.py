"""The marketplace's main journeys through the API alone: tokens for the two
organisations, an admin's session for moderation, nothing else."""

import pytest
from django.urls import reverse

from marketplace.models import Application
from matching.models import Match
from tests.marketplace.factories import CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def test_sme_and_platform_meet_through_the_api(api, cast, django_capture_on_commit_callbacks):
    sme, platform, admin = api(cast.alice), api(cast.dan), api(cast.mallory, session=True)

    # The platform lists a capability and submits it; an admin publishes it.
    capability = ok(
        platform.post(
            reverse("api:capability-list"),
            {
                "kind": "api",
                "title": "发票识别 OCR API",
                "summary": "Reads VAT invoices.",
                "description": "Extracts seller, buyer, amounts and tax from 增值税发票 images.",
                "access_model": "free_quota",
                "regions": ["zhejiang"],
                "price_min_monthly": "0",
                "price_max_monthly": "800",
                "tags": ["OCR", "发票"],
                "application_question": "How many invoices a month?",
            },
            format="json",
        ),
        201,
    )
    ok(platform.post(reverse("api:capability-submit", args=[capability["id"]]), {}, format="json"))
    # (Matching is queued on commit; here it runs at once, as without REDIS_URL.)
    with django_capture_on_commit_callbacks(execute=True):
        published = ok(admin.post(reverse("api:capability-publish", args=[capability["id"]]), {}, format="json"))
    assert published["status"] == "published"

    # The SME posts a need in Chinese and has it published.
    need = ok(
        sme.post(
            reverse("api:need-list"),
            {
                "title": "需要识别增值税发票",
                "description": "每月约两千张发票需要 OCR 识别，录入 ERP。",
                "kinds_wanted": ["api"],
                "industry": "manufacturing",
                "region": "zhejiang",
                "budget_max_monthly": "1000",
                "tags": ["发票", "OCR"],
            },
            format="json",
        ),
        201,
    )
    ok(sme.post(reverse("api:need-submit", args=[need["id"]]), {}, format="json"))
    with django_capture_on_commit_callbacks(execute=True):
        ok(admin.post(reverse("api:need-publish", args=[need["id"]]), {}, format="json"))

    # Matching ran after the commits: each side sees the other, with reasons.
    recommended = ok(sme.get(reverse("api:need-matches", args=[need["id"]])))["results"]
    assert [m["capability"]["id"] for m in recommended] == [capability["id"]]
    assert recommended[0]["reasons"], recommended[0]
    fitting = ok(platform.get(reverse("api:capability-matches", args=[capability["id"]])))["results"]
    assert [m["need"]["id"] for m in fitting] == [need["id"]]

    # Both give feedback on the same match, each on its own side.
    match_id = recommended[0]["id"]
    ok(sme.post(reverse("api:match-feedback", args=[match_id]), {"value": "interested"}, format="json"))
    ok(platform.post(reverse("api:match-feedback", args=[match_id]), {"value": "interested"}, format="json"))
    match = Match.objects.get(pk=match_id)
    assert (match.sme_feedback, match.platform_feedback) == ("interested", "interested")

    # The SME applies for its need, answering the question; the platform is told.
    application = ok(
        sme.post(
            reverse("api:application-list"),
            {
                "capability": capability["id"],
                "need": need["id"],
                "intended_use": "Read our supplier invoices into the ERP.",
                "answer": "About 2,000.",
            },
            format="json",
        ),
        201,
    )
    assert application["status"] == "submitted" and application["need"]["id"] == need["id"]
    platform_news = ok(platform.get(reverse("api:notification-list"), {"unread": "true"}))["results"]
    assert any("application" in item["title"].lower() for item in platform_news)

    # They talk; the platform reviews and accepts; the SME sees the decision.
    ok(
        platform.post(
            reverse("api:application-messages", args=[application["id"]]),
            {"body": "Which invoice types?"},
            format="json",
        ),
        201,
    )
    ok(
        sme.post(
            reverse("api:application-messages", args=[application["id"]]),
            {"body": "增值税专用发票 and ordinary ones."},
            format="json",
        ),
        201,
    )
    ok(platform.post(reverse("api:application-start-review", args=[application["id"]]), {}, format="json"))
    ok(platform.post(reverse("api:application-accept", args=[application["id"]]), {}, format="json"))

    seen_by_sme = ok(sme.get(reverse("api:application-detail", args=[application["id"]])))
    assert seen_by_sme["status"] == "accepted"
    thread = ok(sme.get(reverse("api:application-messages", args=[application["id"]])))["results"]
    assert [m["body"] for m in thread] == ["Which invoice types?", "增值税专用发票 and ordinary ones."]
    history = ok(sme.get(reverse("api:application-history", args=[application["id"]])))
    assert [event["to_state"] for event in history] == ["submitted", "in_review", "accepted"]
    assert Application.objects.get().status == "accepted"

    # An illegal step afterwards is a 409 and changes nothing.
    refused = sme.post(reverse("api:application-withdraw", args=[application["id"]]), {}, format="json")
    assert refused.status_code == 409
    assert Application.objects.get().status == "accepted"


def test_a_platform_invites_and_the_sme_applies_through_the_invitation(api, cast):
    need = NeedFactory(organization=cast.sme)
    capability = CapabilityFactory(organization=cast.platform)
    sme, platform = api(cast.alice), api(cast.dan)

    invitation = ok(
        platform.post(
            reverse("api:invitation-list"),
            {"need": need.pk, "capability": capability.pk, "message": "Try our API."},
            format="json",
        ),
        201,
    )
    received = ok(sme.get(reverse("api:invitation-list")))["results"]
    assert [item["id"] for item in received] == [invitation["id"]]

    ok(
        sme.post(
            reverse("api:application-list"),
            {"capability": capability.pk, "need": need.pk, "intended_use": "Invoices.", "invitation": invitation["id"]},
            format="json",
        ),
        201,
    )

    assert ok(platform.get(reverse("api:invitation-detail", args=[invitation["id"]])))["status"] == "accepted"
