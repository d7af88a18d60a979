"""A capability or need in brief, as other objects show it (applications,
invitations, matches): one shape everywhere, and no more than the pages show
of a listing that is no longer public."""

from rest_framework import serializers

from accounts.apis import OrganizationSummarySerializer
from config.api.fields import choice_list
from marketplace.choices import CapabilityKind
from marketplace.models import Capability, Need


class CapabilitySummarySerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True, help_text="The platform that offers it.")
    summary = serializers.SerializerMethodField(help_text="Null while the capability is not published.")

    class Meta:
        model = Capability
        fields = ["id", "title", "kind", "summary", "status", "organization"]
        read_only_fields = fields

    def get_summary(self, capability) -> str | None:
        return capability.summary if capability.is_published else None


class NeedSummarySerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True, help_text="The SME that posted it.")
    kinds_wanted = choice_list(CapabilityKind)

    class Meta:
        model = Need
        fields = ["id", "title", "kinds_wanted", "industry", "region", "organization"]
        read_only_fields = fields
