"""A capability or need in brief, as other objects show it (applications,
invitations, matches): one shape everywhere."""

from rest_framework import serializers

from accounts.apis import OrganizationSummarySerializer
from config.api.fields import choice_list
from marketplace.choices import CapabilityKind
from marketplace.models import Capability, Need


class CapabilitySummarySerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True, help_text="The platform that offers it.")

    class Meta:
        model = Capability
        fields = ["id", "title", "kind", "summary", "status", "organization"]
        read_only_fields = fields


class NeedSummarySerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True, help_text="The SME that posted it.")
    kinds_wanted = choice_list(CapabilityKind)

    class Meta:
        model = Need
        fields = ["id", "title", "kinds_wanted", "industry", "region", "status", "organization"]
        read_only_fields = fields
