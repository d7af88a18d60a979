from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from marketplace.choices import ListingStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import AuditEvent, Capability, Need, Notification, Tag
from marketplace.services.listing_transitions import (
    LISTING_ACTIONS,
    listing_archive,
    listing_moderate_many,
    listing_publish,
    listing_request_changes,
    listing_retract,
    listing_submit,
)
from marketplace.services.listings import listing_create, listing_update
from tests.accounts.factories import UserFactory
from tests.marketplace.factories import CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db


def capability_fields(**overrides):
    fields = {
        "kind": "api",
        "title": "发票 OCR API",
        "summary": "Reads VAT invoices.",
        "description": "Upload an invoice image, get structured fields.",
        "industries": ["trade"],
        "regions": [],
        "access_model": "free_quota",
        "price_min_monthly": Decimal("0"),
        "price_max_monthly": Decimal("500"),
        "eligible_size_bands": ["micro", "small"],
        "terms_text": "Use fairly.",
    }
    fields.update(overrides)
    return fields


def need_fields(**overrides):
    fields = {
        "title": "Route planning for cold-chain vans",
        "description": "Twelve vans, two hundred stops a day.",
        "kinds_wanted": ["api", "tool"],
        "industry": "logistics",
        "region": "sichuan",
        "budget_min_monthly": Decimal("1000"),
        "budget_max_monthly": Decimal("5000"),
        "visibility": "public",
    }
    fields.update(overrides)
    return fields


def audit_actions(listing):
    return list(
        AuditEvent.objects.filter(object_id=listing.pk, content_type__model=listing._meta.model_name).values_list(
            "action", "from_state", "to_state"
        )
    )


class TestCreate:
    def test_platform_creates_a_draft_with_tags_search_and_audit(self, cast):
        capability = listing_create(
            model=Capability, membership=cast.dan, fields=capability_fields(), tag_names=["OCR", "发票", "ocr "]
        )
        assert capability.status == ListingStatus.DRAFT
        assert capability.organization == cast.platform
        assert sorted(tag.key for tag in capability.tags.all()) == ["ocr", "发票"]
        assert " api " in capability.search_document
        assert audit_actions(capability) == [("create", "", "draft")]

    def test_sme_cannot_create_capability_and_platform_cannot_create_need(self, cast):
        with pytest.raises(PermissionDenied):
            listing_create(model=Capability, membership=cast.alice, fields=capability_fields(), tag_names=[])
        with pytest.raises(PermissionDenied):
            listing_create(model=Need, membership=cast.dan, fields=need_fields(), tag_names=[])
        assert not Capability.objects.exists()
        assert not Need.objects.exists()

    @pytest.mark.parametrize(
        "overrides",
        [
            {"price_min_monthly": Decimal("10"), "price_max_monthly": Decimal("5")},
            {"price_min_monthly": Decimal("-1")},
            {"kind": "data"},  # a data set must be classified
            {"kind": "quantum"},
            {"industries": ["atlantis"]},
        ],
    )
    def test_invalid_capabilities_write_nothing(self, cast, overrides):
        with pytest.raises(ValidationError):
            listing_create(
                model=Capability, membership=cast.dan, fields=capability_fields(**overrides), tag_names=["x"]
            )
        assert not Capability.objects.exists()
        assert not Tag.objects.exists()

    @pytest.mark.parametrize(
        "overrides",
        [
            {"budget_min_monthly": Decimal("9000"), "budget_max_monthly": Decimal("10")},
            {"budget_min_monthly": Decimal("-5")},
            {"kinds_wanted": []},
            {"region": "atlantis"},
        ],
    )
    def test_invalid_needs_write_nothing(self, cast, overrides):
        with pytest.raises(ValidationError):
            listing_create(model=Need, membership=cast.alice, fields=need_fields(**overrides), tag_names=[])
        assert not Need.objects.exists()

    def test_too_many_tags_are_refused(self, cast):
        with pytest.raises(ValidationError):
            listing_create(
                model=Need, membership=cast.alice, fields=need_fields(), tag_names=[f"t{i}" for i in range(13)]
            )
        assert not Need.objects.exists()

    def test_non_data_capability_drops_a_classification(self, cast):
        capability = listing_create(
            model=Capability,
            membership=cast.dan,
            fields=capability_fields(data_classification="important"),
            tag_names=[],
        )
        assert capability.data_classification == ""


@pytest.fixture
def moderator(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["moderate_capability", "moderate_need"]))
    return user


class TestLifecycle:
    def test_submit_publish_archive(self, cast, moderator):
        need = listing_create(model=Need, membership=cast.bob, fields=need_fields(), tag_names=[])
        listing_submit(listing=need, membership=cast.bob)
        listing_publish(listing=need, user=moderator)
        need.refresh_from_db()
        assert need.status == ListingStatus.PUBLISHED
        assert need.published_at is not None
        listing_archive(listing=need, membership=cast.alice)
        assert Need.objects.get(pk=need.pk).status == ListingStatus.ARCHIVED
        assert [a[0] for a in audit_actions(need)] == ["create", "submit", "publish", "archive"]

    def test_moderation_decision_notifies_owner_in_app_and_by_mail(
        self, cast, moderator, django_capture_on_commit_callbacks
    ):
        capability = CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
        with django_capture_on_commit_callbacks(execute=True):
            listing_request_changes(listing=capability, user=moderator, reason="Add a price.")
        capability.refresh_from_db()
        assert capability.status == ListingStatus.CHANGES_REQUESTED
        assert capability.moderation_reason == "Add a price."
        notification = Notification.objects.get(recipient=cast.dan.user)
        assert capability.title in notification.title
        assert "Add a price." in notification.body
        assert [message.to for message in mail.outbox] == [["dan@example.com"]]
        assert audit_actions(capability)[-1] == ("request_changes", "submitted", "changes_requested")

    @pytest.mark.parametrize("action", ["request_changes", "reject", "suspend"])
    def test_moderation_that_refuses_needs_a_reason(self, cast, moderator, action):
        status = ListingStatus.PUBLISHED if action == "suspend" else ListingStatus.SUBMITTED
        capability = CapabilityFactory(organization=cast.platform, status=status)
        with pytest.raises(ValidationError):
            LISTING_ACTIONS[action].service(listing=capability, user=moderator, reason="  ")
        assert Capability.objects.get(pk=capability.pk).status == status
        assert not AuditEvent.objects.exists()

    @pytest.mark.parametrize(
        ("status", "action"),
        [
            (ListingStatus.PUBLISHED, "submit"),
            (ListingStatus.DRAFT, "publish"),
            (ListingStatus.ARCHIVED, "archive"),
            (ListingStatus.SUSPENDED, "archive"),
            (ListingStatus.REJECTED, "submit"),
            (ListingStatus.DRAFT, "suspend"),
        ],
    )
    def test_illegal_transitions_are_clear_errors_and_change_nothing(self, cast, moderator, status, action):
        capability = CapabilityFactory(organization=cast.platform, status=status)
        listing_action = LISTING_ACTIONS[action]
        with pytest.raises(TransitionNotAllowed) as caught:
            if listing_action.by_owner:
                listing_action.service(listing=capability, membership=cast.dan, reason="r")
            else:
                listing_action.service(listing=capability, user=moderator, reason="r")
        assert "cannot be" in str(caught.value)
        assert Capability.objects.get(pk=capability.pk).status == status
        assert not AuditEvent.objects.exists()

    def test_owner_actions_only_by_the_owner(self, cast):
        capability = CapabilityFactory(organization=cast.platform, status=ListingStatus.DRAFT)
        with pytest.raises(PermissionDenied):
            listing_submit(listing=capability, membership=cast.erin)
        assert Capability.objects.get(pk=capability.pk).status == ListingStatus.DRAFT

    def test_moderation_only_by_moderators(self, cast):
        staff_without_permission = UserFactory(is_staff=True)
        capability = CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
        for user in (cast.dan.user, staff_without_permission):
            with pytest.raises(PermissionDenied):
                listing_publish(listing=capability, user=user)
        assert Capability.objects.get(pk=capability.pk).status == ListingStatus.SUBMITTED

    def test_bulk_moderation_reports_each_failure(self, cast, moderator):
        ok = CapabilityFactory(organization=cast.platform, status=ListingStatus.SUBMITTED)
        wrong_state = CapabilityFactory(organization=cast.platform, status=ListingStatus.DRAFT)
        done, errors = listing_moderate_many(listings=[ok, wrong_state], action="publish", user=moderator)
        assert done == 1
        assert len(errors) == 1 and f"#{wrong_state.pk}" in errors[0]
        assert Capability.objects.get(pk=ok.pk).status == ListingStatus.PUBLISHED


class TestUpdate:
    def test_unverified_owner_editing_substance_goes_back_to_review(self, cast):
        need = NeedFactory(organization=cast.sme, status=ListingStatus.PUBLISHED)
        listing_update(membership=cast.alice, listing=need, fields=need_fields(title="New title"), tag_names=[])
        need.refresh_from_db()
        assert need.status == ListingStatus.SUBMITTED
        assert audit_actions(need)[-1] == ("edit_resubmit", "published", "submitted")

    def test_verified_owner_stays_published(self, cast):
        cast.sme.verified_at = cast.sme.created_at
        cast.sme.save()
        cast.alice.refresh_from_db()
        need = NeedFactory(organization=cast.sme, status=ListingStatus.PUBLISHED)
        listing_update(membership=cast.alice, listing=need, fields=need_fields(title="New title"), tag_names=[])
        assert Need.objects.get(pk=need.pk).status == ListingStatus.PUBLISHED

    def test_changing_terms_starts_a_new_version(self, cast):
        capability = listing_create(model=Capability, membership=cast.dan, fields=capability_fields(), tag_names=[])
        listing_update(membership=cast.dan, listing=capability, fields=capability_fields(), tag_names=[])
        assert Capability.objects.get(pk=capability.pk).terms_version == 1
        listing_update(
            membership=cast.dan,
            listing=capability,
            fields=capability_fields(terms_text="New terms."),
            tag_names=[],
        )
        assert Capability.objects.get(pk=capability.pk).terms_version == 2

    def test_archived_cannot_be_edited(self, cast):
        capability = CapabilityFactory(organization=cast.platform, status=ListingStatus.ARCHIVED, title="Old")
        with pytest.raises(TransitionNotAllowed):
            listing_update(membership=cast.dan, listing=capability, fields=capability_fields(), tag_names=[])
        assert Capability.objects.get(pk=capability.pk).title == "Old"

    def test_other_organization_cannot_edit(self, cast):
        capability = CapabilityFactory(organization=cast.platform, title="Mine")
        with pytest.raises(PermissionDenied):
            listing_update(membership=cast.erin, listing=capability, fields=capability_fields(), tag_names=[])
        assert Capability.objects.get(pk=capability.pk).title == "Mine"


class TestReviewFindings:
    def test_saving_without_changes_keeps_a_published_need_published(self, cast):
        need = listing_create(
            model=Need, membership=cast.alice, fields=need_fields(kinds_wanted=["tool", "api"]), tag_names=["OCR"]
        )
        Need.objects.filter(pk=need.pk).update(status=ListingStatus.PUBLISHED)
        listing_update(
            membership=cast.alice,
            listing=need,
            fields=need_fields(kinds_wanted=["tool", "api"]),
            tag_names=["ocr"],
        )
        assert Need.objects.get(pk=need.pk).status == ListingStatus.PUBLISHED
        assert [a[0] for a in audit_actions(need)] == ["create"]

    def test_a_listing_in_review_is_retracted_before_editing(self, cast):
        capability = listing_create(model=Capability, membership=cast.dan, fields=capability_fields(), tag_names=[])
        listing_submit(listing=capability, membership=cast.dan)
        with pytest.raises(TransitionNotAllowed):
            listing_update(
                membership=cast.dan,
                listing=capability,
                fields=capability_fields(title="X"),
                tag_names=[],
            )
        listing_retract(listing=capability, membership=cast.dan)
        listing_update(membership=cast.dan, listing=capability, fields=capability_fields(title="X"), tag_names=[])
        assert Capability.objects.get(pk=capability.pk).status == ListingStatus.DRAFT

    @pytest.mark.parametrize("name", ["\ufdfa" * 3, "x" * 51])
    def test_tags_too_long_after_normalisation_are_refused(self, cast, name):
        with pytest.raises(ValidationError):
            listing_create(model=Need, membership=cast.alice, fields=need_fields(), tag_names=[name])
        assert not Need.objects.exists()

    def test_tags_whose_case_folding_is_unusual_are_stored(self, cast):
        need = listing_create(model=Need, membership=cast.alice, fields=need_fields(), tag_names=["\uab70", "ǅ"])
        assert need.tags.count() == 2

    def test_notification_titles_are_one_line(self, cast, moderator, django_capture_on_commit_callbacks):
        capability = CapabilityFactory(
            organization=cast.platform, status=ListingStatus.SUBMITTED, title="Line one\nline two"
        )
        with django_capture_on_commit_callbacks(execute=True):
            listing_publish(listing=capability, user=moderator)
        assert "\n" not in Notification.objects.get().title
        assert mail.outbox[0].subject.startswith("[Tandem] ")


# Each listing transition: from which states, to which, by whom.
EXPECTED_TRANSITIONS = {
    "submit": ({ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED}, ListingStatus.SUBMITTED, "owner"),
    "retract": ({ListingStatus.SUBMITTED}, ListingStatus.DRAFT, "owner"),
    "archive": (
        {ListingStatus.PUBLISHED, ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED, ListingStatus.REJECTED},
        ListingStatus.ARCHIVED,
        "owner",
    ),
    "publish": ({ListingStatus.SUBMITTED}, ListingStatus.PUBLISHED, "moderator"),
    "request_changes": ({ListingStatus.SUBMITTED}, ListingStatus.CHANGES_REQUESTED, "moderator"),
    "reject": ({ListingStatus.SUBMITTED}, ListingStatus.REJECTED, "moderator"),
    "suspend": ({ListingStatus.PUBLISHED}, ListingStatus.SUSPENDED, "moderator"),
    "reinstate": ({ListingStatus.SUSPENDED}, ListingStatus.PUBLISHED, "moderator"),
}


def run_listing_action(action, listing, *, membership=None, user=None):
    listing_action = LISTING_ACTIONS[action]
    if listing_action.by_owner:
        return listing_action.service(listing=listing, membership=membership, reason="Why.")
    return listing_action.service(listing=listing, user=user, reason="Why.")


class TestEachTransition:
    """Every per-transition function: who may, from which state, the audit row."""

    def test_every_transition_is_offered(self):
        assert set(LISTING_ACTIONS) == set(EXPECTED_TRANSITIONS)
        for action, (_sources, _target, by) in EXPECTED_TRANSITIONS.items():
            assert LISTING_ACTIONS[action].by_owner == (by == "owner")

    @pytest.mark.parametrize("model", [Capability, Need])
    @pytest.mark.parametrize("status", ListingStatus.values)
    @pytest.mark.parametrize("action", sorted(EXPECTED_TRANSITIONS))
    def test_from_which_states_and_the_audit_row(self, cast, moderator, model, status, action):
        sources, target, by = EXPECTED_TRANSITIONS[action]
        membership = cast.dan if model is Capability else cast.alice
        factory = CapabilityFactory if model is Capability else NeedFactory
        listing = factory(organization=membership.organization, status=status)
        actor = membership.user if by == "owner" else moderator
        if status not in sources:
            with pytest.raises(TransitionNotAllowed):
                run_listing_action(action, listing, membership=membership, user=moderator)
            assert model.objects.get(pk=listing.pk).status == status
            assert audit_actions(listing) == []
            return
        changed = run_listing_action(action, listing, membership=membership, user=moderator)
        assert changed.status == target == model.objects.get(pk=listing.pk).status
        event = AuditEvent.objects.get(object_id=listing.pk, content_type__model=model._meta.model_name)
        assert (event.action, event.from_state, event.to_state) == (action, status, target)
        assert (event.actor, event.organization, event.reason) == (actor, membership.organization, "Why.")

    @pytest.mark.parametrize("action", sorted(EXPECTED_TRANSITIONS))
    def test_who_may_not(self, cast, moderator, action):
        sources, _target, by = EXPECTED_TRANSITIONS[action]
        capability = CapabilityFactory(organization=cast.platform, status=sorted(sources)[0])
        if by == "owner":
            # Another platform and an SME are not the owner.
            refused = [{"membership": cast.erin}, {"membership": cast.alice}]
        else:
            refused = [{"user": cast.dan.user}, {"user": UserFactory(is_staff=True)}]
        for who in refused:
            with pytest.raises(PermissionDenied):
                run_listing_action(action, capability, **who)
        assert Capability.objects.get(pk=capability.pk).status == sorted(sources)[0]
        assert audit_actions(capability) == []
