"""The API for accounts: who am I, my organisation, public organisation
profiles, the team (memberships) and invitations to join it. Same services and
selectors as the pages in accounts/views.py."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import limits, selectors, services
from accounts.choices import Industry, OrganizationKind, Province, Role, SizeBand
from accounts.models import Membership, MembershipInvitation, Organization, User
from accounts.validators import CREDIT_CODE_LENGTH
from config.api.fields import StrictCharField, StrictEmailField, StrictLineField, StrictURLField
from config.api.filters import OrderingFilter, SelectorFilterSet
from config.api.permissions import ActsForOrganization, PublicRead
from config.api.schema import ERRORS
from config.api.views import ApiView, ApiViewSet

# --- serializers -----------------------------------------------------------------


class OrganizationSummarySerializer(serializers.ModelSerializer):
    verified = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "kind", "legal_name", "province", "industry", "size_band", "verified"]

    def get_verified(self, organization) -> bool:
        return organization.is_verified


class OrganizationPublicSerializer(OrganizationSummarySerializer):
    """What the public profile page shows (no credit code)."""

    # A plain string: an organisation without a website has "", which is no URI.
    website = serializers.CharField(read_only=True, help_text="The organisation's website URL, or empty.")

    class Meta(OrganizationSummarySerializer.Meta):
        fields = [*OrganizationSummarySerializer.Meta.fields, "website", "description", "created_at"]
        read_only_fields = fields


class OrganizationProfileSerializer(OrganizationSummarySerializer):
    """Your own organisation's full profile, as on its settings page."""

    class Meta(OrganizationSummarySerializer.Meta):
        fields = [*OrganizationPublicSerializer.Meta.fields, "credit_code", "verified_at"]
        read_only_fields = fields


class OrganizationUpdateSerializer(serializers.Serializer):
    """The editable fields; send only those you change. The service checks the
    credit code (after removing spaces and hyphens) and its uniqueness."""

    legal_name = StrictLineField(max_length=200)
    credit_code = StrictLineField(
        max_length=CREDIT_CODE_LENGTH * 2,
        help_text="The 18-character Unified Social Credit Code; spaces and hyphens are ignored. "
        "Changing it, or the legal name, of a verified organisation clears its verification.",
    )
    size_band = serializers.ChoiceField(choices=SizeBand.choices)
    industry = serializers.ChoiceField(choices=Industry.choices)
    province = serializers.ChoiceField(choices=Province.choices)
    website = StrictURLField(max_length=200, allow_blank=True)
    description = StrictCharField(max_length=5000, allow_blank=True, trim_whitespace=False)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "display_name", "preferred_language"]


class MembershipOfMeSerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer()

    class Meta:
        model = Membership
        fields = ["id", "role", "organization"]


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    membership = MembershipOfMeSerializer(allow_null=True, help_text="The organisation you act for; null if none.")
    via_token = serializers.BooleanField(help_text="True when this request was authenticated by an API token.")


class TeamMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "display_name", "email"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    user = TeamMemberSerializer(read_only=True)
    is_you = serializers.SerializerMethodField(help_text="True for the membership you act through.")

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at", "is_you"]
        read_only_fields = fields

    def get_is_you(self, membership) -> bool:
        return membership.pk == self.context["request"].membership.pk


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(
        choices=Role.choices, help_text="Only owners may grant or take away the owner role; one owner must remain."
    )


class MembershipInvitationSerializer(serializers.ModelSerializer):
    expires_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = MembershipInvitation
        fields = ["id", "email", "role", "created_at", "sent_at", "expires_at"]
        read_only_fields = fields


class MembershipInvitationCreateSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, help_text="Only owners may invite another owner.")


# --- permissions -------------------------------------------------------------------


# As on the pages, a member without a manager role is refused before the input
# is read; the services check the role again, under a lock, before they write.


class ManagesMembers(permissions.BasePermission):
    """Owners and managers: the team page shows invitations to them only."""

    message = _("Only owners and managers can invite people or see invitations.")

    def has_permission(self, request, view):
        return request.membership.can_manage_members


class EditsOrganization(permissions.BasePermission):
    """Every member reads the organisation's profile; owners and managers edit it."""

    message = _("Only owners and managers can edit the organisation.")

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.membership.can_manage_members


# --- views -------------------------------------------------------------------------


class MeApi(ApiView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="The caller and the organisation they act for", responses=MeSerializer)
    def get(self, request):
        data = {"user": request.user, "membership": request.membership, "via_token": request.auth is not None}
        return Response(MeSerializer(data).data)


class MyOrganizationApi(ApiView):
    permission_classes = [ActsForOrganization, EditsOrganization]

    @extend_schema(summary="Your organisation's profile", responses=OrganizationProfileSerializer)
    def get(self, request):
        return Response(OrganizationProfileSerializer(request.membership.organization).data)

    @extend_schema(
        summary="Edit your organisation's profile (owners and managers)",
        description="Changing the legal name or credit code of a verified organisation clears its verification: "
        "an administrator checks the new identity.",
        request=OrganizationUpdateSerializer,
        responses=OrganizationProfileSerializer,
    )
    def patch(self, request):
        fields = OrganizationUpdateSerializer(data=request.data, partial=True)
        fields.is_valid(raise_exception=True)
        organization = services.organization_update(actor=request.membership, **fields.validated_data)
        return Response(OrganizationProfileSerializer(organization).data)


class OrganizationFilter(SelectorFilterSet):
    kind = filters.ChoiceFilter(choices=OrganizationKind.choices)
    province = filters.ChoiceFilter(choices=Province.choices)
    industry = filters.ChoiceFilter(choices=Industry.choices)
    ordering = OrderingFilter(fields=["legal_name", "verified_at"], help_text="Instead of by name; - for descending.")

    class Meta:
        model = Organization
        fields: list[str] = []

    def select(self, data):
        return selectors.organizations_directory(**data)


@extend_schema_view(
    list=extend_schema(
        summary="List verified organisations",
        description="The public directory of verified platform companies and SMEs, by name.",
    ),
    retrieve=extend_schema(summary="One organisation's public profile", description="Verified or not."),
)
class OrganizationViewSet(mixins.ListModelMixin, ApiViewSet):
    permission_classes = [PublicRead]
    serializer_class = OrganizationPublicSerializer
    filterset_class = OrganizationFilter
    queryset = Organization.objects.none()  # the list comes from the filter's selector

    def retrieve(self, request, pk: str):
        return Response(self.get_serializer(selectors.organization_get_public(pk=int(pk))).data)


@extend_schema_view(
    list=extend_schema(summary="Your organisation's team", description="Owners first, then managers, then members."),
    retrieve=extend_schema(summary="One member of your organisation"),
    partial_update=extend_schema(
        summary="Change a member's role (owners and managers)",
        request=MembershipRoleSerializer,
        responses=MembershipSerializer,
    ),
    destroy=extend_schema(
        summary="Remove a member, or leave (your own membership)",
        description="Owners and managers remove members; only owners remove owners; anyone may leave. "
        "The last owner can neither leave nor be removed (400). Leaving revokes your API tokens for the organisation.",
        responses={204: None, 400: ERRORS[400]},
    ),
)
class MembershipViewSet(ApiViewSet):
    serializer_class = MembershipSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]
    queryset = Membership.objects.none()  # lists come from the selector

    def list(self, request):
        return self.page_of(selectors.organization_members(organization=request.membership.organization))

    def retrieve(self, request, pk: str):
        return Response(
            self.get_serializer(selectors.membership_get_for_actor(actor=request.membership, pk=int(pk))).data
        )

    def partial_update(self, request, pk: str):
        target = selectors.membership_get_for_actor(actor=request.membership, pk=int(pk))
        role = MembershipRoleSerializer(data=request.data)
        role.is_valid(raise_exception=True)
        target = services.membership_change_role(
            actor=request.membership, membership_id=target.pk, role=role.validated_data["role"]
        )
        return Response(self.get_serializer(target).data)

    def destroy(self, request, pk: str):
        target = selectors.membership_get_for_actor(actor=request.membership, pk=int(pk))
        services.membership_remove(actor=request.membership, membership_id=target.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Pending invitations to your organisation (owners and managers)"),
    create=extend_schema(
        summary="Invite someone to your organisation (owners and managers)",
        description="An e-mail with a link that works once is sent after the invitation is saved. "
        "Inviting an address again replaces its earlier pending invitation. Invitations are limited per person, "
        "per organisation and per address invited (429 past a limit).",
        request=MembershipInvitationCreateSerializer,
        responses={201: MembershipInvitationSerializer},
    ),
)
class MembershipInvitationViewSet(ApiViewSet):
    permission_classes = [ActsForOrganization, ManagesMembers]
    serializer_class = MembershipInvitationSerializer
    queryset = MembershipInvitation.objects.none()  # lists come from the selector

    def list(self, request):
        organization = request.membership.organization
        return self.page_of(selectors.organization_pending_invitations(organization=organization))

    def create(self, request):
        invitation = MembershipInvitationCreateSerializer(data=request.data)
        invitation.is_valid(raise_exception=True)
        try:
            invitation = services.membership_invite(actor=request.membership, **invitation.validated_data)
        except limits.LimitReached as reached:
            raise exceptions.Throttled(wait=reached.refusal.seconds, detail=reached.refusal.message) from None
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revoke a pending invitation (owners and managers)",
        description="The link stops working. An invitation already accepted or revoked answers 400.",
        request=None,
        responses={204: None, 400: ERRORS[400]},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk: str):
        invitation = selectors.membership_invitation_get_for_actor(actor=request.membership, pk=int(pk))
        services.membership_invitation_revoke(actor=request.membership, invitation_id=invitation.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
