"""Applications and their message threads: an SME applies, the platform
reviews and decides, the SME may withdraw; both write in the thread. Same
selectors and services as the pages in marketplace/views/applications.py.

Endpoints (route names in the ``api`` namespace):

- ``GET/POST /applications/`` (application-list): your side's applications; apply.
- ``GET /applications/{id}/`` (application-detail).
- ``GET /applications/{id}/history/`` (application-history): the audit trail, oldest first.
- ``POST /applications/{id}/start_review|accept|decline|withdraw/``
  (application-start-review, -accept, -decline, -withdraw).
- ``GET/POST /applications/{id}/messages/`` (application-messages): the thread, oldest first.
"""

from collections.abc import Callable

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.apis import OrganizationSummarySerializer
from config.api.fields import ObjectIdField, StrictCharField, StrictIntegerField
from config.api.filters import IdFilter, OrderingFilter, SelectorFilterSet
from config.api.throttling import ActionRateThrottle
from config.api.views import ApiViewSet
from marketplace import selectors
from marketplace.apis.summaries import CapabilitySummarySerializer, NeedSummarySerializer
from marketplace.choices import ApplicationStatus, DeclineReason
from marketplace.models import Application, AuditEvent, Message
from marketplace.services import application_transitions
from marketplace.services import applications as application_services

# --- serializers -----------------------------------------------------------------


class ApplicationSerializer(serializers.ModelSerializer):
    capability = CapabilitySummarySerializer(read_only=True)
    sme = OrganizationSummarySerializer(read_only=True, help_text="The applicant.")
    need = NeedSummarySerializer(read_only=True, allow_null=True, help_text="The SME's need it is for, if any.")
    decline_reason = serializers.SerializerMethodField(help_text="The coded reason; null unless declined.")
    decline_reason_label = serializers.SerializerMethodField(help_text="The reason in words; null unless declined.")
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id", "status", "capability", "sme", "need", "intended_use", "answer", "message", "terms_version",
            "terms_accepted_at", "decline_reason", "decline_reason_label", "decline_note", "decided_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=DeclineReason.choices, allow_null=True))
    def get_decline_reason(self, application) -> str | None:
        return application.decline_reason or None

    def get_decline_reason_label(self, application) -> str | None:
        return application.get_decline_reason_display() if application.decline_reason else None


class ApplicationSubmitSerializer(serializers.Serializer):
    """Applying; the rules (published capability, eligibility, the platform's
    question, current terms, one open application) are checked by the service."""

    capability = ObjectIdField(help_text="The capability to apply to.")
    need = ObjectIdField(required=False, allow_null=True, help_text="One of your organisation's published needs.")
    intended_use = StrictCharField(max_length=5000, help_text="What you will use it for.")
    answer = StrictCharField(
        max_length=5000, required=False, allow_blank=True, help_text="Required when the capability asks a question."
    )
    message = StrictCharField(max_length=5000, required=False, allow_blank=True)
    accepted_terms_version = StrictIntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text="The version of the capability's terms you accept (its terms_version); "
        "required when the capability has terms.",
    )
    invitation = ObjectIdField(
        required=False, allow_null=True, help_text="The invitation to this capability you are answering."
    )


class ApplicationDeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DeclineReason.choices, help_text="The reason the applicant will see.")
    note = StrictCharField(
        max_length=2000, required=False, allow_blank=True, help_text="Required for “other”; helpful for every reason."
    )


class ApplicationEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(help_text="Who did it; null when Tandem did (an expiry).")

    class Meta:
        model = AuditEvent
        fields = ["action", "from_state", "to_state", "reason", "actor", "created_at"]
        read_only_fields = fields

    def get_actor(self, event) -> str | None:
        return event.actor.display_name if event.actor else None


class ApplicationMessageSerializer(serializers.ModelSerializer):
    sender_name = serializers.SerializerMethodField(help_text="Null when the sender's account is gone.")
    sender_organization = OrganizationSummarySerializer(read_only=True)

    class Meta:
        model = Message
        fields = ["id", "body", "sender_name", "sender_organization", "created_at"]
        read_only_fields = fields

    def get_sender_name(self, message) -> str | None:
        return message.sender.display_name if message.sender else None


class ApplicationMessageInputSerializer(serializers.Serializer):
    body = StrictCharField(max_length=5000)


# --- filters ---------------------------------------------------------------------


class ApplicationFilter(SelectorFilterSet):
    """Validates the query string (unknown values are a 400) and hands it to
    the selector, which keeps each organisation to its own side."""

    status = filters.ChoiceFilter(
        choices=[("open", "open"), *ApplicationStatus.choices],
        help_text="A state, or open: submitted or in review.",
    )
    capability = IdFilter(help_text="A capability's id (platform staff: one of yours).")
    ordering = OrderingFilter(
        fields=["created_at", "updated_at"], help_text="Instead of the latest activity first; - for descending."
    )

    class Meta:
        model = Application
        fields: list[str] = []

    def select(self, data):
        return selectors.applications_for_membership(
            membership=self.request.membership,
            status=data.get("status") or "",
            capability_id=data.get("capability"),
        )


# --- views -----------------------------------------------------------------------

NO_BODY = {"request": None}


@extend_schema_view(
    list=extend_schema(
        summary="List applications",
        description="An SME's own applications, or the applications to a platform's capabilities; newest activity "
        "first.",
    ),
    retrieve=extend_schema(summary="One application", description="For the applicant SME and the platform."),
    create=extend_schema(
        summary="Apply to a capability (SMEs)",
        description="One open application per SME and capability: a second answers 409. The platform is notified.",
        request=ApplicationSubmitSerializer,
        responses={201: ApplicationSerializer},
    ),
)
class ApplicationViewSet(ApiViewSet):
    queryset = Application.objects.none()  # lists come from the filter's selector
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    rate_limited_actions = {"create": "application", "message_send": "message"}

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action in self.rate_limited_actions:
            throttles.append(ActionRateThrottle(self.rate_limited_actions[self.action]))
        return throttles

    def _get(self, pk) -> Application:
        return selectors.application_get_for_member(membership=self.request.membership, pk=int(pk))  # type: ignore[attr-defined]  # Request passes it on to HttpRequest

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _output(self, application, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(application).data, status=status_code)

    def list(self, request):
        return self.page_of(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk: str):
        return self._output(self._get(pk))

    def create(self, request):
        data = self._input(ApplicationSubmitSerializer)
        capability = selectors.capability_get_for_viewer(
            user=request.user, membership=request.membership, pk=data["capability"]
        )
        invitation = data.get("invitation")
        if invitation is not None:
            invitation = selectors.invitation_get_for_sme(
                membership=request.membership, pk=invitation, capability=capability
            ).pk
        application = application_services.application_submit(
            membership=request.membership,
            capability_id=capability.pk,
            need_id=data.get("need"),
            intended_use=data["intended_use"],
            answer=data.get("answer", ""),
            message=data.get("message", ""),
            accepted_terms_version=data.get("accepted_terms_version"),
            invitation_id=invitation,
        )
        return self._output(self._get(application.pk), status.HTTP_201_CREATED)

    def _transition(self, pk: str, service: Callable[..., Application], input_serializer=None) -> Response:
        """Run one transition service (application_accept, …) with the serializer's input."""
        application = self._get(pk)
        arguments = self._input(input_serializer) if input_serializer else {}
        service(membership=self.request.membership, application_id=application.pk, **arguments)  # type: ignore[attr-defined]  # Request passes it on to HttpRequest
        return self._output(self._get(application.pk))

    @extend_schema(
        summary="Start reviewing an application (the platform)",
        description="From submitted to in_review; the SME is told. Any other state answers 409.",
        **NO_BODY,
    )
    @action(detail=True, methods=["post"])
    def start_review(self, request, pk: str):
        return self._transition(pk, application_transitions.application_start_review)

    @extend_schema(
        summary="Accept an application (the platform)",
        description="From submitted or in_review, while the capability is published; the SME is told.",
        **NO_BODY,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk: str):
        return self._transition(pk, application_transitions.application_accept)

    @extend_schema(
        summary="Decline an application with a reason (the platform)",
        description="From submitted or in_review; the SME is told the reason (and the note).",
        request=ApplicationDeclineSerializer,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk: str):
        return self._transition(pk, application_transitions.application_decline, ApplicationDeclineSerializer)

    @extend_schema(
        summary="Withdraw an application (the SME)",
        description="From submitted or in_review; the platform is told. Any other state answers 409.",
        **NO_BODY,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk: str):
        return self._transition(pk, application_transitions.application_withdraw)

    @extend_schema(
        summary="An application's history",
        description="Every state change, oldest first: who, when, from, to, why.",
        responses=ApplicationEventSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk: str):
        events = selectors.audit_history(target=self._get(pk))
        return Response(ApplicationEventSerializer(events, many=True).data)

    @extend_schema(
        summary="An application's messages",
        description="The thread between the SME and the platform, oldest first.",
        responses=ApplicationMessageSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def messages(self, request, pk: str):
        return self.page_of(selectors.application_messages(application=self._get(pk)), ApplicationMessageSerializer)

    @extend_schema(
        summary="Write in an application's thread",
        description="The other organisation is notified. Only while the application is submitted, in review or "
        "accepted: a withdrawn, declined or expired application's thread is closed (409, its messages stay readable).",
        request=ApplicationMessageInputSerializer,
        responses={201: ApplicationMessageSerializer},
    )
    @messages.mapping.post
    def message_send(self, request, pk: str):
        application = self._get(pk)
        body = self._input(ApplicationMessageInputSerializer)["body"]
        message = application_services.message_send(
            membership=request.membership, application_id=application.pk, body=body
        )
        return Response(ApplicationMessageSerializer(message).data, status=status.HTTP_201_CREATED)


def routes(router) -> list:
    router.register("applications", ApplicationViewSet, basename="application")
    return []
