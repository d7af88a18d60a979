from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from marketplace.choices import ApplicationStatus, InvitationStatus, ListingStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, AuditEvent, Invitation, Message, Notification
from marketplace.services import applications as services
from marketplace.services import invitations as invitation_services
from tests.marketplace.factories import ApplicationFactory, NeedFactory

pytestmark = pytest.mark.django_db
A = ApplicationStatus


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
        assert application.status == A.SUBMITTED
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
        services.application_transition(
            pk=first.pk, action="decline", user=cast.dan.user, membership=cast.dan, reason="pricing"
        )
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
        services.application_transition(
            pk=application.pk, action="start_review", user=cast.dan.user, membership=cast.dan
        )
        services.application_transition(pk=application.pk, action="accept", user=cast.dan.user, membership=cast.dan)
        application.refresh_from_db()
        assert application.status == A.ACCEPTED
        assert application.decided_by == cast.dan.user
        assert [row[0] for row in audit(application)] == ["submit", "start_review", "accept"]

    def test_decline_needs_a_coded_reason_the_sme_sees(self, cast, capability):
        application = apply(cast, capability)
        with pytest.raises(ValidationError):
            services.application_transition(
                pk=application.pk, action="decline", user=cast.dan.user, membership=cast.dan
            )
        with pytest.raises(ValidationError):
            services.application_transition(
                pk=application.pk, action="decline", user=cast.dan.user, membership=cast.dan, reason="other"
            )
        assert Application.objects.get(pk=application.pk).status == A.SUBMITTED
        services.application_transition(
            pk=application.pk,
            action="decline",
            user=cast.dan.user,
            membership=cast.dan,
            reason="other",
            note="Beta full.",
        )
        application.refresh_from_db()
        assert (application.status, application.decline_reason, application.decline_note) == (
            A.DECLINED,
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
        services.application_transition(
            pk=application.pk, action="decline", user=cast.dan.user, membership=cast.dan, reason="pricing"
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
                services.application_transition(
                    pk=application.pk, action="accept", user=membership.user, membership=membership
                )
        assert Application.objects.get(pk=application.pk).status == A.SUBMITTED

    def test_only_the_applicant_withdraws(self, cast, capability):
        application = apply(cast, capability)
        with pytest.raises(PermissionDenied):
            services.application_transition(
                pk=application.pk, action="withdraw", user=cast.dan.user, membership=cast.dan
            )
        services.application_transition(
            pk=application.pk, action="withdraw", user=cast.alice.user, membership=cast.alice
        )
        assert Application.objects.get(pk=application.pk).status == A.WITHDRAWN

    @pytest.mark.parametrize("final", ["accept", "withdraw"])
    def test_nothing_moves_after_a_final_state(self, cast, capability, final):
        application = apply(cast, capability)
        actor = cast.dan if final == "accept" else cast.bob
        services.application_transition(pk=application.pk, action=final, user=actor.user, membership=actor)
        with pytest.raises(TransitionNotAllowed):
            services.application_transition(
                pk=application.pk, action="decline", user=cast.dan.user, membership=cast.dan, reason="pricing"
            )
        with pytest.raises(TransitionNotAllowed):
            services.application_transition(
                pk=application.pk, action="withdraw", user=cast.bob.user, membership=cast.bob
            )
        assert len(audit(application)) == 2


class TestCapabilityLeavesThePublicationWhileApplicationsWait:
    def test_accepting_needs_a_published_capability_and_applicants_are_told(self, cast, capability):
        from marketplace.services.listings import listing_transition

        application = apply(cast, capability)
        Notification.objects.all().delete()
        listing_transition(
            model=type(capability), pk=capability.pk, action="archive", user=cast.dan.user, membership=cast.dan
        )
        assert Notification.objects.filter(recipient=cast.bob.user, title__contains="no longer offered").exists()
        with pytest.raises(TransitionNotAllowed):
            services.application_transition(pk=application.pk, action="accept", user=cast.dan.user, membership=cast.dan)
        services.application_transition(pk=application.pk, action="withdraw", user=cast.bob.user, membership=cast.bob)
        assert Application.objects.get(pk=application.pk).status == A.WITHDRAWN


class TestExpiry:
    def test_overdue_open_applications_expire_and_both_sides_are_told(self, cast, capability, settings):
        old = apply(cast, capability)
        Application.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - timedelta(days=settings.APPLICATION_EXPIRY_DAYS + 1)
        )
        fresh = ApplicationFactory(sme=cast.other_sme, capability=capability)
        decided = ApplicationFactory(sme=cast.other_sme, capability=capability, status=A.ACCEPTED)
        Application.objects.filter(pk=decided.pk).update(created_at=timezone.now() - timedelta(days=90))
        Notification.objects.all().delete()
        assert services.applications_expire_overdue() == 1
        assert Application.objects.get(pk=old.pk).status == A.EXPIRED
        assert Application.objects.get(pk=fresh.pk).status == A.SUBMITTED
        assert Application.objects.get(pk=decided.pk).status == A.ACCEPTED
        assert audit(old)[-1] == ("expire", "submitted", "expired")
        told = set(Notification.objects.values_list("recipient__email", flat=True))
        assert told == {"alice@example.com", "bob@example.com", "dan@example.com"}
        assert services.applications_expire_overdue() == 0

    def test_people_cannot_expire_applications(self, cast, capability):
        application = apply(cast, capability)
        with pytest.raises(PermissionDenied):
            services.application_transition(pk=application.pk, action="expire", user=cast.dan.user, membership=cast.dan)


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
