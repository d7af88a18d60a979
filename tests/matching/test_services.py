"""Matching joined to the marketplace: listings published, edited and withdrawn
through the services propose, re-rank and withdraw matches; hard filters hold;
storing is idempotent and a rebuild interrupted and run again leaves exactly
what a clean one leaves."""

from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from accounts.choices import PLATFORM, SME, Industry, Province, SizeBand
from accounts.models import Organization
from accounts.services import organization_update, organization_verify
from marketplace.choices import CapabilityKind, ListingStatus
from marketplace.models import Capability, Need
from marketplace.services.listing_transitions import listing_publish, listing_submit
from marketplace.services.listings import listing_create
from matching import tasks
from matching.ml.calibration import PRIOR_CALIBRATION
from matching.ml.features import FEATURES
from matching.ml.ranker import PRIOR_WEIGHTS
from matching.models import Feedback, Match
from matching.selectors import recommendations_for_need
from matching.services import proposals, rematch
from matching.services.feedback import match_feedback
from tests.accounts.factories import MembershipFactory, OrganizationFactory, make_credit_code
from tests.marketplace.factories import NeedFactory
from tests.matching.conftest import capability_fields, need_fields

pytestmark = pytest.mark.django_db


def match_of(need, capability):
    return Match.objects.get(need=need, capability=capability)


class TestPublishing:
    def test_a_published_need_gets_ranked_matches_with_reasons_and_features(self, catalogue, needs, proposed):
        assert proposed(needs.invoice) == [catalogue.ocr.pk, catalogue.ocr_erin.pk]
        assert proposed(needs.route) == [catalogue.route.pk]
        first, second = Match.objects.filter(need=needs.invoice).order_by("rank")
        assert (first.rank, second.rank) == (1, 2)
        assert first.score > second.score
        # Version 0 is the prior: the score is the calibrated fit of its weighted
        # sums of the stored features (every candidate of the need is stored here).
        raw = [sum(PRIOR_WEIGHTS[name] * value for name, value in m.features.items()) for m in (first, second)]
        fits = PRIOR_CALIBRATION.probability(np.array(raw), np.zeros(2, dtype=int), 1)
        for match, fit in zip((first, second), fits, strict=True):
            assert set(match.features) == set(FEATURES)
            assert all(0.0 <= value <= 1.0 for value in match.features.values())
            assert match.ranker_version == 0
            assert match.score == pytest.approx(fit, abs=5e-3)
            assert match.computed_at is not None
            assert match.reasons[0]["code"] == "text"
        reasons = {reason["code"]: reason for reason in first.reasons}
        assert "发票" in reasons["text"]["words"]
        assert sorted(reasons["tags"]["tags"]) == ["OCR", "发票"]
        assert first.features["tags"] == 1.0
        assert second.features["industry"] == 1.0  # made for manufacturers, as Alice's firm is

    def test_matching_runs_only_after_the_commit(self, cast, catalogue, moderator, django_capture_on_commit_callbacks):
        need = listing_create(model=Need, membership=cast.alice, fields=need_fields(), tag_names=[])
        listing_submit(listing=need, membership=cast.alice)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            listing_publish(listing=need, user=moderator)
        assert not Match.objects.filter(need=need).exists()
        assert len(callbacks) >= 1
        for callback in callbacks:
            callback()
        assert Match.objects.filter(need=need, rank=1, capability=catalogue.ocr).exists()

    def test_a_draft_or_submitted_need_gets_no_matches(self, cast, catalogue, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            need = listing_create(model=Need, membership=cast.alice, fields=need_fields(), tag_names=[])
            listing_submit(listing=need, membership=cast.alice)
        assert not Match.objects.exists()

    def test_a_published_capability_enters_the_lists_of_needs_it_fits(self, cast, needs, publish, proposed):
        batch = publish(
            Capability,
            cast.dan,
            capability_fields(title="增值税发票批量 OCR 识别接口 Batch invoice OCR API"),
            ["OCR", "发票"],
        )
        assert batch.pk in proposed(needs.invoice)
        assert batch.pk not in proposed(needs.route)  # Carol wants a tool
        ranks = sorted(Match.objects.filter(need=needs.invoice).values_list("rank", flat=True))
        assert ranks == list(range(1, len(ranks) + 1))

    @pytest.mark.parametrize(
        "restriction",
        [
            {"regions": ["guangdong"]},
            {"requires_verification": True},
            {"eligible_size_bands": ["medium"]},
            {"kind": "model"},
        ],
    )
    def test_a_capability_published_later_is_still_filtered(self, cast, needs, publish, restriction):
        restricted = publish(
            Capability,
            cast.dan,
            capability_fields(title="增值税发票批量 OCR 识别接口 Batch invoice OCR API", **restriction),
            ["OCR", "发票"],
        )
        assert not Match.objects.filter(capability=restricted).exists()


class TestEligibility:
    def test_ineligible_capabilities_are_never_proposed(self, catalogue, needs):
        ineligible = [catalogue.ocr_data, catalogue.ocr_guangdong, catalogue.ocr_verified, catalogue.ocr_medium]
        assert not Match.objects.filter(capability__in=ineligible).exists()
        # Neither is anything of another kind than the need wants.
        assert not Match.objects.filter(need=needs.invoice, capability__in=[catalogue.gpu, catalogue.route]).exists()

    @pytest.mark.parametrize("unlocked", ["ocr_data", "ocr_guangdong", "ocr_verified", "ocr_medium"])
    def test_each_filter_alone_kept_its_capability_out(self, cast, catalogue, needs, proposed, unlocked):
        """Meeting the one condition a capability failed lets it in: the filter,
        not its text, kept it out."""
        need, organization = Need.objects.filter(pk=needs.invoice.pk), Organization.objects.filter(pk=cast.sme.pk)
        if unlocked == "ocr_data":
            need.update(kinds_wanted=[CapabilityKind.API, CapabilityKind.DATA])
        elif unlocked == "ocr_guangdong":
            need.update(region=Province.GUANGDONG)
        elif unlocked == "ocr_verified":
            organization.update(verified_at=timezone.now())
        else:
            organization.update(size_band=SizeBand.MEDIUM)
        rematch.match_need(needs.invoice.pk)
        capability = getattr(catalogue, unlocked)
        assert capability.pk in proposed(needs.invoice)
        others = {"ocr_data", "ocr_guangdong", "ocr_verified", "ocr_medium"} - {unlocked}
        assert not Match.objects.filter(capability__in=[getattr(catalogue, name) for name in others]).exists()


class TestEditing:
    def test_editing_a_published_need_rematches_it(self, cast, catalogue, needs, act, proposed):
        act.edit(needs.invoice, cast.alice, region=Province.GUANGDONG)
        assert needs.invoice.status == ListingStatus.PUBLISHED
        assert catalogue.ocr_guangdong.pk in proposed(needs.invoice)
        assert match_of(needs.invoice, catalogue.ocr_guangdong).features["region"] == 1.0

    def test_editing_a_published_capability_rematches_the_needs(self, cast, catalogue, needs, act):
        assert match_of(needs.invoice, catalogue.ocr).features["budget"] == 1.0
        act.edit(catalogue.ocr, cast.dan, price_min_monthly=Decimal("4000"), price_max_monthly=Decimal("8000"))
        assert catalogue.ocr.status == ListingStatus.PUBLISHED
        assert match_of(needs.invoice, catalogue.ocr).features["budget"] == pytest.approx(0.125)

    def test_a_capability_edited_out_of_a_region_leaves_its_lists(self, cast, catalogue, needs, act, proposed):
        act.edit(catalogue.ocr, cast.dan, regions=[Province.GUANGDONG])
        assert catalogue.ocr.status == ListingStatus.PUBLISHED
        assert proposed(needs.invoice) == [catalogue.ocr_erin.pk]
        assert not Match.objects.filter(capability=catalogue.ocr).exists()

    def test_a_substantive_edit_sent_back_to_review_withdraws_until_published(
        self, cast, catalogue, needs, act, proposed
    ):
        act.edit(needs.invoice, cast.alice, title="发票 OCR 识别 Invoice OCR, revised")
        assert needs.invoice.status == ListingStatus.SUBMITTED  # Alice's firm is unverified
        assert not Match.objects.filter(need=needs.invoice).exists()
        act.transition(needs.invoice, "publish")
        assert proposed(needs.invoice)[0] == catalogue.ocr.pk


class TestWithdrawal:
    @pytest.mark.parametrize("action", ["archive", "suspend"])
    def test_a_withdrawn_need_loses_its_matches_but_keeps_labels(self, cast, catalogue, needs, act, action):
        labelled = match_of(needs.invoice, catalogue.ocr_erin)
        match_feedback(membership=cast.bob, match=labelled, side=SME, value=Feedback.DISMISSED, reason="too dear")
        owner = cast.alice if action == "archive" else None
        act.transition(needs.invoice, action, owner, reason="Spam." if owner is None else "")
        rows = list(Match.objects.filter(need=needs.invoice))
        assert [(row.capability_id, row.rank) for row in rows] == [(catalogue.ocr_erin.pk, None)]
        assert (rows[0].sme_feedback, rows[0].sme_feedback_reason) == (Feedback.DISMISSED, "too dear")
        assert not recommendations_for_need(need=needs.invoice).exists()
        assert Match.objects.filter(need=needs.route, rank=1).exists()  # other needs untouched

    @pytest.mark.parametrize("action", ["archive", "suspend"])
    def test_a_withdrawn_capability_leaves_every_list_which_is_refilled(
        self, cast, catalogue, needs, act, proposed, action
    ):
        labelled = match_of(needs.invoice, catalogue.ocr)
        match_feedback(membership=cast.dan, match=labelled, side=PLATFORM, value=Feedback.INTERESTED)
        owner = cast.dan if action == "archive" else None
        act.transition(catalogue.ocr, action, owner, reason="Spam." if owner is None else "")
        kept = match_of(needs.invoice, catalogue.ocr)
        assert kept.rank is None
        assert (kept.platform_feedback, kept.platform_feedback_by) == (Feedback.INTERESTED, cast.dan.user)
        assert proposed(needs.invoice) == [catalogue.ocr_erin.pk]
        assert match_of(needs.invoice, catalogue.ocr_erin).rank == 1

    def test_a_withdrawn_capability_without_feedback_leaves_no_row(self, cast, catalogue, needs, act):
        act.transition(catalogue.ocr, "archive", cast.dan)
        assert not Match.objects.filter(capability=catalogue.ocr).exists()

    def test_a_reinstated_capability_is_proposed_again_with_its_feedback(self, cast, catalogue, needs, act, proposed):
        labelled = match_of(needs.invoice, catalogue.ocr)
        match_feedback(membership=cast.alice, match=labelled, side=SME, value=Feedback.INTERESTED)
        act.transition(catalogue.ocr, "suspend", reason="Checking the terms.")
        act.transition(catalogue.ocr, "reinstate")
        assert proposed(needs.invoice) == [catalogue.ocr.pk, catalogue.ocr_erin.pk]
        again = match_of(needs.invoice, catalogue.ocr)
        assert (again.sme_feedback, again.sme_feedback_by) == (Feedback.INTERESTED, cast.alice.user)
        assert Match.objects.filter(need=needs.invoice).count() == 2


class TestIdempotency:
    def test_matching_a_need_twice_stores_the_same_rows(self, needs, snapshot):
        before = snapshot()
        scores = dict(Match.objects.values_list("capability_id", "score").filter(need=needs.invoice))
        assert rematch.match_need(needs.invoice.pk) == 2
        assert rematch.match_need(needs.invoice.pk) == 2
        assert snapshot() == before
        again = dict(Match.objects.values_list("capability_id", "score").filter(need=needs.invoice))
        assert again == pytest.approx(scores, abs=1e-4)

    def test_matching_a_withdrawn_need_removes_what_it_had(self, needs):
        Need.objects.filter(pk=needs.invoice.pk).update(status=ListingStatus.ARCHIVED)
        assert rematch.match_need(needs.invoice.pk) == 0
        assert not Match.objects.filter(need=needs.invoice).exists()

    def test_an_interrupted_rebuild_run_again_equals_a_clean_rebuild(self, cast, catalogue, needs, snapshot):
        labelled = match_of(needs.invoice, catalogue.ocr)
        match_feedback(membership=cast.alice, match=labelled, side=SME, value=Feedback.INTERESTED)
        plan = rematch.rebuild_plan(1)
        assert plan == [[needs.invoice.pk], [needs.route.pk]]
        rematch.match_needs(plan[0])
        # Meanwhile a capability and a need stop being published; their own
        # withdrawal tasks have not run. The rebuild stops here.
        Capability.objects.filter(pk=catalogue.ocr.pk).update(status=ListingStatus.ARCHIVED)
        Need.objects.filter(pk=needs.route.pk).update(status=ListingStatus.ARCHIVED)
        # The rest of the stale plan, then the whole rebuild again.
        rematch.match_needs(plan[1])
        tasks.matches_rebuild.delay(1)
        rerun = snapshot()
        assert rerun == [
            (needs.invoice.pk, catalogue.ocr.pk, None, Feedback.INTERESTED, ""),
            (needs.invoice.pk, catalogue.ocr_erin.pk, 1, "", ""),
        ]
        # A clean rebuild from nothing but the labels gives the same rows.
        Match.objects.filter(sme_feedback="", platform_feedback="").delete()
        Match.objects.update(rank=None, score=0.0, features={})
        tasks.matches_rebuild.delay(1)
        assert snapshot() == rerun

    def test_feedback_survives_rebuilds(self, cast, catalogue, needs):
        dismissed = match_of(needs.invoice, catalogue.ocr_erin)
        match_feedback(membership=cast.bob, match=dismissed, side=SME, value=Feedback.DISMISSED, reason="wrong fit")
        liked = match_of(needs.invoice, catalogue.ocr)
        match_feedback(membership=cast.dan, match=liked, side=PLATFORM, value=Feedback.INTERESTED)
        before = {m.pk: m for m in Match.objects.exclude(sme_feedback="", platform_feedback="")}
        for _ in range(2):
            tasks.matches_rebuild.delay()
        after = {m.pk: m for m in Match.objects.exclude(sme_feedback="", platform_feedback="")}
        assert after.keys() == before.keys()
        for pk, match in after.items():
            old = before[pk]
            assert match.rank is not None
            assert (match.sme_feedback, match.sme_feedback_reason, match.sme_feedback_at, match.sme_feedback_by_id) == (
                old.sme_feedback,
                old.sme_feedback_reason,
                old.sme_feedback_at,
                old.sme_feedback_by_id,
            )
            assert (match.platform_feedback, match.platform_feedback_at, match.platform_feedback_by_id) == (
                old.platform_feedback,
                old.platform_feedback_at,
                old.platform_feedback_by_id,
            )
        assert [m.capability_id for m in recommendations_for_need(need=needs.invoice)] == [catalogue.ocr.pk]

    def test_a_rebuild_prunes_matches_of_listings_withdrawn_behind_its_back(self, catalogue, needs):
        Capability.objects.filter(pk=catalogue.route.pk).update(status=ListingStatus.SUSPENDED)
        assert proposals.matches_prune() == 1
        assert not Match.objects.filter(capability=catalogue.route).exists()
        assert Match.objects.filter(need=needs.invoice).count() == 2


def test_needs_from_every_province_and_industry_can_be_matched(cast, catalogue, needs):
    """6 kinds, 20 industries, 34 provinces and 4 sizes: more values than one 64-bit mask holds."""
    sizes = list(SizeBand.values)
    kinds = list(CapabilityKind.values)
    for number, province in enumerate(Province.values):
        organization = OrganizationFactory(size_band=sizes[number % len(sizes)], province=province)
        MembershipFactory(organization=organization)
        NeedFactory(
            organization=organization,
            title="增值税发票 OCR 识别 Invoice OCR",
            region=province,
            industry=Industry.values[number % len(Industry.values)],
            kinds_wanted=[kinds[number % len(kinds)], "api"],
        )
    published = list(Need.objects.published().values_list("pk", flat=True))
    assert len(published) == 2 + len(Province.values)
    rematch.match_needs(published)  # one batch, as a rebuild chunk
    # Every need gets the invoice OCR API open to all of China.
    proposed_for = set(
        Match.objects.filter(capability=catalogue.ocr, rank__isnull=False).values_list("need", flat=True)
    )
    assert proposed_for >= set(published) - {needs.route.pk}


class TestOrganisationChanges:
    """The SME's size and verification are part of every need's eligibility."""

    @pytest.mark.parametrize("change", ["identity", "size"])
    def test_an_sme_that_loses_eligibility_loses_those_proposals(
        self, cast, catalogue, needs, publish, proposed, django_capture_on_commit_callbacks, change
    ):
        organization_verify(organizations=Organization.objects.filter(pk=cast.sme.pk), admin=cast.mallory)
        rematch.match_need(needs.invoice.pk)  # as the nightly rebuild would
        small_only = publish(
            Capability,
            cast.dan,
            capability_fields(
                title="小微企业增值税发票 OCR 识别接口 Invoice OCR for small firms",
                eligible_size_bands=[SizeBand.MICRO, SizeBand.SMALL],
            ),
            ["OCR", "发票"],
        )
        assert {catalogue.ocr_verified.pk, small_only.pk} <= set(proposed(needs.invoice))
        with django_capture_on_commit_callbacks(execute=True):
            if change == "identity":  # verification is cleared: an admin must check the new identity
                organization_update(actor=cast.alice, credit_code=make_credit_code(424242))
            else:
                organization_update(actor=cast.alice, size_band=SizeBand.MEDIUM)
        cast.sme.refresh_from_db()
        assert (cast.sme.is_verified, cast.sme.size_band) == (
            (False, SizeBand.SMALL) if change == "identity" else (True, SizeBand.MEDIUM)
        )
        lost = catalogue.ocr_verified.pk if change == "identity" else small_only.pk
        assert lost not in proposed(needs.invoice)

    def test_a_newly_verified_sme_is_proposed_verified_only_capabilities(
        self, cast, catalogue, needs, proposed, django_capture_on_commit_callbacks
    ):
        assert catalogue.ocr_verified.pk not in proposed(needs.invoice)
        with django_capture_on_commit_callbacks(execute=True):
            organization_verify(organizations=Organization.objects.filter(pk=cast.sme.pk), admin=cast.mallory)
        assert catalogue.ocr_verified.pk in proposed(needs.invoice)
