"""Open data: the tags in use and the public statistics for policy
researchers. Anonymous callers welcome; only aggregate counts of what is
public anyway (marketplace/statistics.py)."""

from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers
from rest_framework.response import Response

from accounts.choices import Industry, OrganizationKind, Province
from config.api.filters import SelectorFilterSet
from config.api.permissions import PublicRead
from config.api.views import ApiView, ApiViewSet
from marketplace import statistics
from marketplace.choices import CapabilityKind
from marketplace.models import Tag
from marketplace.services.tags import MAX_TAG_LENGTH

# --- tags ------------------------------------------------------------------------


class TagUsageSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="As first written, e.g. “OCR” or “发票”.")
    key = serializers.CharField(help_text="The comparison key (case-folded): the catalogue's `tag` filter.")
    capabilities = serializers.IntegerField(min_value=1, help_text="Published capabilities with this tag.")


class TagFilter(SelectorFilterSet):
    q = filters.CharFilter(
        max_length=MAX_TAG_LENGTH,
        help_text="Only tags containing this (any case); those starting with it come first.",
    )

    class Meta:
        model = Tag
        fields: list[str] = []

    def select(self, data):
        return statistics.tags_in_use(query=data.get("q", ""))


@extend_schema_view(
    list=extend_schema(
        summary="Tags in use",
        description="Tags of published capabilities with how many use each, most used first.",
    )
)
class TagViewSet(ApiViewSet):
    permission_classes = [PublicRead]
    serializer_class = TagUsageSerializer
    filterset_class = TagFilter
    queryset = Tag.objects.none()  # the list comes from the filter's selector

    def list(self, request):
        return self.page_of(self.filter_queryset(self.get_queryset()))


# --- statistics ------------------------------------------------------------------


def _counts(name: str, keys: list[str], doc: str) -> type[serializers.Serializer]:
    """An object with one count per key, every key present (zero-filled)."""
    fields = {key: serializers.IntegerField(min_value=0) for key in keys}
    return type(name, (serializers.Serializer,), {**fields, "__doc__": doc})


CapabilityKindCountsSerializer = _counts("CapabilityKindCountsSerializer", CapabilityKind.values, "Count per kind.")
RegionsServedCountsSerializer = _counts(
    "RegionsServedCountsSerializer",
    statistics.REGIONS_SERVED,
    f"Count per province or region served; `{statistics.ALL_CHINA}`: capabilities that serve all of China "
    "(name no region). A capability serving several regions counts in each.",
)
IndustriesServedCountsSerializer = _counts(
    "IndustriesServedCountsSerializer",
    statistics.INDUSTRIES_SERVED,
    f"Count per industry (GB/T 4754-2017 section); `{statistics.EVERY_INDUSTRY}`: capabilities that suit every "
    "industry (name none). A capability naming several industries counts in each.",
)
ProvinceCountsSerializer = _counts("ProvinceCountsSerializer", Province.values, "Count per province or region.")
IndustryCountsSerializer = _counts(
    "IndustryCountsSerializer", Industry.values, "Count per industry (GB/T 4754-2017 section)."
)
OrganizationKindCountsSerializer = _counts(
    "OrganizationKindCountsSerializer", OrganizationKind.values, "Count per kind of organisation."
)


class CapabilityStatisticsSerializer(serializers.Serializer):
    published = serializers.IntegerField(min_value=0, help_text="Published capabilities.")
    by_kind = CapabilityKindCountsSerializer()
    by_region = RegionsServedCountsSerializer()
    by_industry = IndustriesServedCountsSerializer()


class NeedStatisticsSerializer(serializers.Serializer):
    published = serializers.IntegerField(
        min_value=0, help_text="Published needs of public visibility (platforms-only needs are not counted)."
    )
    by_kind = CapabilityKindCountsSerializer(help_text="A need wanting several kinds counts in each.")
    by_region = ProvinceCountsSerializer()
    by_industry = IndustryCountsSerializer()


class OrganizationStatisticsSerializer(serializers.Serializer):
    verified = serializers.IntegerField(min_value=0, help_text="Organisations verified by an administrator.")
    by_kind = OrganizationKindCountsSerializer()


class CollaborationMonthSerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$", help_text="Calendar month in China Standard Time (UTC+8), YYYY-MM."
    )
    applications_submitted = serializers.IntegerField(min_value=0, help_text="Applications submitted that month.")
    applications_accepted = serializers.IntegerField(
        min_value=0, help_text="Applications accepted by the platform that month: collaborations begun."
    )


class StatisticsSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    capabilities = CapabilityStatisticsSerializer()
    needs = NeedStatisticsSerializer()
    organizations = OrganizationStatisticsSerializer()
    collaborations = CollaborationMonthSerializer(
        many=True, help_text=f"The last {statistics.MONTHS} calendar months, oldest first, the current one last."
    )


class StatisticsApi(ApiView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Open statistics",
        description="Aggregate counts for researchers: published capabilities and public needs by kind, region "
        "and industry; verified organisations by kind; applications submitted and accepted per month. "
        "Drafts, listings under review and platforms-only needs are not counted; nothing names an organisation.",
        responses=StatisticsSerializer,
    )
    def get(self, request):
        return Response(StatisticsSerializer(statistics.open_statistics()).data)


def routes(router) -> list:
    router.register("tags", TagViewSet, basename="tag")
    return [path("stats/", StatisticsApi.as_view(), name="stats")]
