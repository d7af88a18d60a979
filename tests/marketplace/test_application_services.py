from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from marketplace.choices import ApplicationStatus, InvitationStatus, ListingStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, AuditEvent, Invitation, Message, Notification
from marketplace.services import application_transitions
from marketplace.services import applications as services
from marketplace.services import invitations as invitation_services
from tests.marketplace.factories import ApplicationFactory, NeedFactory

pytestmark = pytest.mark.django_db


def apply(cast, capability, **overrides):
    arguments = {
        "membership": cast.bob,
        "capability_id": capability.pk,
        "intended_use": "Read our supplier invoices.",
        "answer": "About 2,000.",
        "accepted_terms_version": 3,
    }
    arguments.update(overrides)
    return services.application_submit(**arguments)


def audit(application):
    return list(
        AuditEvent.objects.filter(content_type__model="application", object_id=application.pk).values_list(
            "action", "from_state", "to_state"
        )
    )


class TestSubmit:
    def test_submission_stores_terms_and_notifies_the_platform(
        self, cast, capability, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            application = apply(cast, capability)
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.sme == cast.sme
        assert application.terms_version == 3
        assert application.terms_accepted_at is not None
        assert audit(application) == [("submit", "", "submitted")]
        assert list(Notification.objects.values_list("recipient__email", flat=True)) == ["dan@example.com"]
        assert mail.outbox[0].to == ["dan@example.com"]

    def test_second_open_application_is_refused(self, cast, capability):
        apply(cast, capability)
        with pytest.raises(TransitionNotAllowed):
            apply(cast, capability, membership=cast.alice)
        assert Application.objects.count() == 1

    def test_may_apply_again_after_a_decision(self, cast, capability):
        first = apply(cast, capability)
        application_transitions.application_decline(membership=cast.dan, application_id=first.pk, reason="pricing")
        apply(cast, capability)
        assert Application.objects.count() == 2

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"answer": "  "}, "answer"),
            ({"accepted_terms_version": None}, "accepted_terms_version"),
            ({"accepted_terms_version": 2}, "accepted_terms_version"),
            ({"intended_use": ""}, "intended_use"),
        ],
    )
    def test_missing_answer_terms_or_use_are_field_errors(self, cast, capability, overrides, field):
        with pytest.raises(ValidationError) as caught:
            apply(cast, capability, **overrides)
        assert field in caught.value.message_dict
        assert not Application.objects.exists()

    def test_need_must_be_the_applicants_own(self, cast, capability):
        foreign_need = NeedFactory(organization=cast.other_sme)
        with pytest.raises(ValidationError):
            apply(cast, capability, need_id=foreign_need.pk)
        own_need = NeedFactory(organization=cast.sme)
        assert apply(cast, capability, need_id=own_need.pk).need == own_need

    def test_platforms_cannot_apply(self, cast, capability):
        with pytest.raises(PermissionDenied):
            apply(cast, capability, membership=cast.erin)

    @pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.SUSPENDED, ListingStatus.ARCHIVED])
    def test_only_published_capabilities_take_applications(self, cast, capability, status):
        capability.status = status
        capability.save()
        with pytest.raises(TransitionNotAllowed):
            apply(cast, capability)

    def test_eligibility_by_size_and_verification(self, cast, capability):
        capability.eligible_size_bands = ["micro"]
        capability.save()
        with pytest.raises(ValidationError) as caught:
            apply(cast, capability)
        assert "Micro" in caught.value.messages[0]
        capability.eligible_size_bands = []
        capability.requires_verification = True
        capability.save()
        with pytest.raises(ValidationError):
            apply(cast, capability)
        assert not Application.objects.exists()


class TestDecisions:
    def test_review_then_accept(self, cast, capability):
        application = apply(cast, capability)
        application_transitions.application_start_review(membership=cast.dan, application_id=application.pk)
        application_transitions.application_accept(membership=cast.dan, application_id=application.pk)
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ACCEPTED
        assert application.decided_by == cast.dan.user
        assert [row[0] for row in audit(application)] == ["submit", "start_review", "accept"]

    def test_decline_needs_a_coded_reason_the_sme_sees(self, cast, capability):
        application = apply(cast, capability)
        with pytest.raises(ValidationError):
            application_transitions.application_decline(membership=cast.dan, application_id=application.pk, reason="")
        with pytest.raises(ValidationError):
            application_transitions.application_decline(
                membership=cast.dan, application_id=application.pk, reason="other"
            )
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
        application_transitions.application_decline(
            membership=cast.dan, application_id=application.pk, reason="other", note="Beta full."
        )
        application.refresh_from_db()
        assert (application.status, application.decline_reason, application.decline_note) == (
            ApplicationStatus.DECLINED,
            "other",
            "Beta full.",
        )
        told = Notification.objects.filter(recipient__email__in=["alice@example.com", "bob@example.com"])
        assert told.count() == 2
        assert all("Beta full." in notification.body for notification in told)

    def test_each_applicant_reads_the_decline_reason_in_their_own_language(self, cast, capability):
        application = apply(cast, capability)
        cast.bob.user.preferred_language = "zh-hans"
        cast.bob.user.save(update_fields=["preferred_language"])
        application_transitions.application_decline(
            membership=cast.dan, application_id=application.pk, reason="pricing"
        )
        bodies = dict(
            Notification.objects.filter(recipient__organizations=cast.alice.organization).values_list(
                "recipient__email", "body"
            )
        )
        assert bodies == {"alice@example.com": "Reason: Pricing", "bob@example.com": "理由：价格原因"}

    def test_only_the_offering_platform_decides(self, cast, capability):
        application = apply(cast, capability)
        for membership in (cast.erin, cast.bob):
            with pytest.raises(PermissionDenied):
                application_transitions.application_accept(membership=membership, application_id=application.pk)
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED

    def test_only_the_applicant_withdraws(self, cast, capability):
        application = apply(cast, capability)
        with pytest.raises(PermissionDenied):
            application_transitions.application_withdraw(membership=cast.dan, application_id=application.pk)
        application_transitions.application_withdraw(membership=cast.alice, application_id=application.pk)
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.WITHDRAWN

    @pytest.mark.parametrize(
        "final", [application_transitions.application_accept, application_transitions.application_withdraw]
    )
    def test_nothing_moves_after_a_final_state(self, cast, capability, final):
        application = apply(cast, capability)
        actor = cast.dan if final is application_transitions.application_accept else cast.bob
        final(membership=actor, application_id=application.pk)
        with pytest.raises(TransitionNotAllowed):
            application_transitions.application_decline(
                membership=cast.dan, application_id=application.pk, reason="pricing"
            )
        with pytest.raises(TransitionNotAllowed):
            application_transitions.application_withdraw(membership=cast.bob, application_id=application.pk)
        assert len(audit(application)) == 2


class TestCapabilityLeavesThePublicationWhileApplicationsWait:
    def test_accepting_needs_a_published_capability_and_applicants_are_told(self, cast, capability):
        from marketplace.services.listing_transitions import listing_archive

        application = apply(cast, capability)
        Notification.objects.all().delete()
        listing_archive(listing=capability, membership=cast.dan)
        assert Notification.objects.filter(recipient=cast.bob.user, title__contains="no longer offered").exists()
        with pytest.raises(TransitionNotAllowed):
            application_transitions.application_accept(membership=cast.dan, application_id=application.pk)
        application_transitions.application_withdraw(membership=cast.bob, application_id=application.pk)
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.WITHDRAWN


class TestExpiry:
    def test_overdue_open_applications_expire_and_both_sides_are_told(self, cast, capability, settings):
        old = apply(cast, capability)
        Application.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=settings.APPLICATION_EXPIRY_DAYS + 1)
        )
        fresh = ApplicationFactory(sme=cast.other_sme, capability=capability)
        decided = ApplicationFactory(sme=cast.other_sme, capability=capability, status=ApplicationStatus.ACCEPTED)
        Application.objects.filter(pk=decided.pk).update(created_at=timezone.now() - timedelta(days=90))
        Notification.objects.all().delete()
        assert application_transitions.applications_expire_overdue() == 1
        assert Application.objects.get(pk=old.pk).status == ApplicationStatus.EXPIRED
        assert Application.objects.get(pk=fresh.pk).status == ApplicationStatus.SUBMITTED
        assert Application.objects.get(pk=decided.pk).status == ApplicationStatus.ACCEPTED
        assert audit(old)[-1] == ("expire", "submitted", "expired")
        told = set(Notification.objects.values_list("recipient__email", flat=True))
        assert told == {"alice@example.com", "bob@example.com", "dan@example.com"}
        assert application_transitions.applications_expire_overdue() == 0

    def test_expiry_is_recorded_without_an_actor(self, cast, capability):
        application = apply(cast, capability)
        application_transitions.application_expire(application_id=application.pk)
        event = AuditEvent.objects.filter(object_id=application.pk, action="expire").get()
        assert (event.actor, event.from_state, event.to_state) == (None, "submitted", "expired")


def application_in(status, **fields):
    if status == ApplicationStatus.DECLINED:  # a declined application has its reason (a database check)
        fields["decline_reason"] = "pricing"
    return ApplicationFactory(status=status, **fields)


def run(service, membership, application):
    arguments = {"reason": "pricing"} if service is application_transitions.application_decline else {}
    return service(membership=membership, application_id=application.pk, **arguments)


OPEN = {ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW}
# service, who may (the rest of the cast may not), from which states, to which state, audit action
PER_TRANSITION = [
    pytest.param(
        application_transitions.application_start_review,
        "dan",
        {ApplicationStatus.SUBMITTED},
        ApplicationStatus.IN_REVIEW,
        "start_review",
        id="review",
    ),
    pytest.param(
        application_transitions.application_accept, "dan", OPEN, ApplicationStatus.ACCEPTED, "accept", id="accept"
    ),
    pytest.param(
        application_transitions.application_decline, "dan", OPEN, ApplicationStatus.DECLINED, "decline", id="decline"
    ),
    pytest.param(
        application_transitions.application_withdraw,
        "bob",
        OPEN,
        ApplicationStatus.WITHDRAWN,
        "withdraw",
        id="withdraw",
    ),
]


class TestEachTransition:
    """Every per-transition function: who may, from which state, the audit row."""

    @pytest.mark.parametrize("status", ApplicationStatus.values)
    @pytest.mark.parametrize(("service", "actor", "sources", "target", "action"), PER_TRANSITION)
    def test_from_which_states_and_the_audit_row(
        self, cast, capability, service, actor, sources, target, action, status
    ):
        application = application_in(status, sme=cast.sme, capability=capability)
        membership = getattr(cast, actor)
        if status not in sources:
            with pytest.raises(TransitionNotAllowed):
                run(service, membership, application)
            assert Application.objects.get(pk=application.pk).status == status
            assert audit(application) == []
            return
        run(service, membership, application)
        assert Application.objects.get(pk=application.pk).status == target
        event = AuditEvent.objects.get(content_type__model="application", object_id=application.pk)
        assert (event.action, event.from_state, event.to_state) == (action, status, target)
        assert (event.actor, event.organization) == (membership.user, cast.sme)

    @pytest.mark.parametrize(("service", "actor", "sources", "target", "action"), PER_TRANSITION)
    def test_who_may_not(self, cast, capability, service, actor, sources, target, action):
        application = ApplicationFactory(sme=cast.sme, capability=capability)
        # The applicant's side may not decide, the platform may not withdraw, outsiders may do nothing.
        allowed_side = getattr(cast, actor).organization_id
        for membership in (cast.alice, cast.bob, cast.carol, cast.dan, cast.erin):
            if membership.organization_id == allowed_side:
                continue
            with pytest.raises(PermissionDenied):
                run(service, membership, application)
        assert Application.objects.get(pk=application.pk).status == ApplicationStatus.SUBMITTED
        assert audit(application) == []

    def test_a_missing_application_is_refused_like_a_foreign_one(self, cast):
        with pytest.raises(PermissionDenied):
            application_transitions.application_accept(membership=cast.dan, application_id=2**31)

    @pytest.mark.parametrize("status", ApplicationStatus.values)
    def test_expiry_from_which_states(self, cast, capability, status):
        application = application_in(status, sme=cast.sme, capability=capability)
        if status in OPEN:
            application_transitions.application_expire(application_id=application.pk)
            assert audit(application) == [("expire", status, ApplicationStatus.EXPIRED)]
        else:
            with pytest.raises(TransitionNotAllowed):
                application_transitions.application_expire(application_id=application.pk)
            assert audit(application) == []


class TestMessages:
    def test_both_sides_write_and_the_other_is_told(self, cast, capability):
        application = apply(cast, capability)
        Notification.objects.all().delete()
        services.message_send(membership=cast.bob, application_id=application.pk, body="When can we start?")
        services.message_send(membership=cast.dan, application_id=application.pk, body="Next Monday.")
        assert list(application.messages.values_list("body", flat=True)) == ["When can we start?", "Next Monday."]
        told = sorted(Notification.objects.values_list("recipient__email", flat=True))
        assert told == ["alice@example.com", "bob@example.com", "dan@example.com"]

    def test_outsiders_and_empty_messages_are_refused(self, cast, capability):
        application = apply(cast, capability)
        with pytest.raises(PermissionDenied):
            services.message_send(membership=cast.carol, application_id=application.pk, body="Hi")
        with pytest.raises(PermissionDenied):
            services.message_send(membership=cast.erin, application_id=application.pk, body="Hi")
        with pytest.raises(ValidationError):
            services.message_send(membership=cast.bob, application_id=application.pk, body="   ")
        assert not Message.objects.exists()


class TestInvitations:
    def test_invite_then_apply_through_the_invitation(self, cast, capability):
        need = NeedFactory(organization=cast.sme)
        invitation = invitation_services.invitation_send(
            membership=cast.dan, capability_id=capability.pk, need_id=need.pk, message="Try our OCR."
        )
        assert Notification.objects.filter(recipient__email="alice@example.com", kind="invitation_new").exists()
        with pytest.raises(TransitionNotAllowed):
            invitation_services.invitation_send(membership=cast.dan, capability_id=capability.pk, need_id=need.pk)
        application = apply(cast, capability, need_id=need.pk, invitation_id=invitation.pk)
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.ACCEPTED
        assert invitation.application == application
        trail = AuditEvent.objects.filter(content_type__model="invitation", object_id=invitation.pk)
        assert list(trail.values_list("action", "to_state")) == [("invite", "open"), ("accepted", "accepted")]

    def test_decline_an_invitation(self, cast, capability):
        need = NeedFactory(organization=cast.sme)
        invitation = invitation_services.invitation_send(
            membership=cast.dan, capability_id=capability.pk, need_id=need.pk
        )
        with pytest.raises(PermissionDenied):
            invitation_services.invitation_decline(membership=cast.carol, invitation_id=invitation.pk)
        invitation_services.invitation_decline(membership=cast.bob, invitation_id=invitation.pk)
        assert Invitation.objects.get().status == InvitationStatus.DECLINED
        with pytest.raises(TransitionNotAllowed):
            invitation_services.invitation_decline(membership=cast.bob, invitation_id=invitation.pk)

    def test_only_own_published_capabilities_and_visible_needs(self, cast, capability):
        need = NeedFactory(organization=cast.sme)
        with pytest.raises(ValidationError):
            invitation_services.invitation_send(membership=cast.erin, capability_id=capability.pk, need_id=need.pk)
        hidden = NeedFactory(organization=cast.sme, status=ListingStatus.DRAFT)
        with pytest.raises(PermissionDenied):
            invitation_services.invitation_send(membership=cast.dan, capability_id=capability.pk, need_id=hidden.pk)
        with pytest.raises(PermissionDenied):
            invitation_services.invitation_send(membership=cast.alice, capability_id=capability.pk, need_id=need.pk)
        assert not Invitation.objects.exists()
