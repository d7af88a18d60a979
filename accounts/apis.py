"""The API for accounts: who am I, organisations, memberships."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response

from accounts.models import Membership, Organization, User
from config.api.views import ApiView


class OrganizationSummarySerializer(serializers.ModelSerializer):
    verified = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "kind", "legal_name", "province", "industry", "size_band", "verified"]

    def get_verified(self, organization) -> bool:
        return organization.is_verified


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


class MeApi(ApiView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="The caller and the organisation they act for", responses=MeSerializer)
    def get(self, request):
        data = {"user": request.user, "membership": request.membership, "via_token": request.auth is not None}
        return Response(MeSerializer(data).data)
