"""Invitations to apply: platform staff invite the SME behind a published need
to apply to one of their capabilities; the SME applies (POST /applications/
with ``invitation``) or declines; the platform may withdraw an open one.
Same selectors and services as the pages.

Endpoints (route names in the ``api`` namespace):

- ``GET/POST /invitations/`` (invitation-list): received by your SME or sent by your platform; invite.
- ``GET /invitations/{id}/`` (invitation-detail).
- ``POST /invitations/{id}/decline/`` (invitation-decline, the SME),
  ``POST /invitations/{id}/withdraw/`` (invitation-withdraw, the platform).
"""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.fields import ObjectIdField, StrictCharField
from config.api.filters import OrderingFilter, StrictFilterSet
from config.api.views import ApiViewSet
from marketplace import selectors
from marketplace.apis.summaries import CapabilitySummarySerializer, NeedSummarySerializer
from marketplace.choices import InvitationStatus
from marketplace.models import Application, Invitation
from marketplace.services import invitations as invitation_services


class InvitationSerializer(serializers.ModelSerializer):
    capability = CapabilitySummarySerializer(read_only=True)
    need = NeedSummarySerializer(read_only=True)
    application: "serializers.PrimaryKeyRelatedField[Application]" = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The application that answered it (status accepted), or null."
    )
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "status", "capability", "need", "message", "application", "created_at", "answered_at"]
        read_only_fields = fields


class InvitationSendSerializer(serializers.Serializer):
    need = ObjectIdField(help_text="A published need; its SME is invited.")
    capability = ObjectIdField(help_text="One of your platform's published capabilities.")
    message = StrictCharField(max_length=2000, required=False, allow_blank=True, help_text="A note to the SME.")


class InvitationFilter(StrictFilterSet):
    status = filters.ChoiceFilter(choices=InvitationStatus.choices)
    ordering = OrderingFilter(fields=["created_at", "answered_at"], help_text="Instead of newest first.")

    class Meta:
        model = Invitation
        fields: list[str] = []


ANSWER = {"request": None}


@extend_schema_view(
    list=extend_schema(
        summary="List invitations", description="Received by your SME, or sent by your platform; newest first."
    ),
    retrieve=extend_schema(summary="One invitation", description="For the SME invited and the platform that sent it."),
    create=extend_schema(
        summary="Invite an SME to apply (platform staff)",
        description="For a published need, to one of your published capabilities; the SME is notified. "
        "A second open invitation for the same pair, or one to an SME that has already applied, answers 409.",
        request=InvitationSendSerializer,
        responses={201: InvitationSerializer},
    ),
)
class InvitationViewSet(ApiViewSet):
    queryset = Invitation.objects.none()  # lists come from the selector
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter

    def _get(self, pk) -> Invitation:
        return selectors.invitation_get_for_member(membership=self.request.membership, pk=int(pk))  # type: ignore[attr-defined]  # Request passes it on to HttpRequest

    def _output(self, invitation, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(invitation).data, status=status_code)

    def list(self, request):
        invitations = self.filter_queryset(selectors.invitations_for_membership(membership=request.membership))
        return self.page_of(invitations)

    def retrieve(self, request, pk: str):
        return self._output(self._get(pk))

    def create(self, request):
        serializer = InvitationSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        need = selectors.need_get_for_viewer(user=request.user, membership=request.membership, pk=data["need"])
        invitation = invitation_services.invitation_send(
            membership=request.membership,
            capability_id=data["capability"],
            need_id=need.pk,
            message=data.get("message", ""),
        )
        return self._output(self._get(invitation.pk), status.HTTP_201_CREATED)

    @extend_schema(
        summary="Decline an invitation (the SME invited)",
        description="Only an open invitation (else 409); the platform is told.",
        **ANSWER,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk: str):
        invitation = self._get(pk)
        invitation_services.invitation_decline(membership=request.membership, invitation_id=invitation.pk)
        return self._output(self._get(invitation.pk))

    @extend_schema(
        summary="Withdraw an invitation (the platform that sent it)",
        description="Only an open invitation (else 409).",
        **ANSWER,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk: str):
        invitation = self._get(pk)
        invitation_services.invitation_withdraw(membership=request.membership, invitation_id=invitation.pk)
        return self._output(self._get(invitation.pk))


def routes(router) -> list:
    router.register("invitations", InvitationViewSet, basename="invitation")
    return []
