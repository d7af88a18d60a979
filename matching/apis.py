"""Matches through the API: the proposals for my organisation's needs (SMEs)
or capabilities (platforms), one need's or capability's list, and feedback.
Same selectors and service as the need and capability pages; each side sees
only its own feedback, as on the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.choices import PLATFORM, SME
from config.api.fields import StrictCharField
from config.api.filters import IdFilter, SelectorFilterSet
from config.api.permissions import ActsForOrganization
from config.api.views import ApiMixin, ApiViewSet
from marketplace import selectors as marketplace_selectors
from marketplace.apis.summaries import CapabilitySummarySerializer, NeedSummarySerializer
from matching import selectors
from matching.models import Feedback, Match
from matching.reasons import reason_sentences
from matching.services.feedback import REASON_MAX, match_feedback

# --- serializers -----------------------------------------------------------------


class MatchFeedbackSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Feedback.choices)
    reason = serializers.CharField(help_text="Why it is not relevant (dismissed only; may be empty).")
    at = serializers.DateTimeField()


class MatchSerializer(serializers.ModelSerializer):
    """A proposal as the caller's side sees it (``side``): the SME of the need
    or the platform of the capability."""

    side = serializers.SerializerMethodField(help_text="Your side of the match.")
    score_percent = serializers.IntegerField(read_only=True, help_text="How well it fits, from 0 to 100.")
    reasons = serializers.SerializerMethodField(help_text="Why it is proposed, in words (your language).")
    need = NeedSummarySerializer(read_only=True)
    capability = CapabilitySummarySerializer(read_only=True)
    feedback = serializers.SerializerMethodField(help_text="Your side's feedback; null if none.")
    applied = serializers.SerializerMethodField(
        help_text="Platforms: whether the SME has applied to the capability. Null for SMEs."
    )
    invited = serializers.SerializerMethodField(
        help_text="Platforms: whether you have invited the SME to apply (invitation still open). Null for SMEs."
    )

    class Meta:
        model = Match
        fields = [
            "id", "side", "rank", "score", "score_percent", "reasons", "need", "capability", "feedback", "applied",
            "invited",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[SME, PLATFORM]))
    def get_side(self, match) -> str:
        return self.context["side"]

    def get_reasons(self, match) -> list[str]:
        return reason_sentences(match, self.context["side"])

    @extend_schema_field(MatchFeedbackSerializer(allow_null=True))
    def get_feedback(self, match) -> dict | None:
        prefix = "sme" if self.context["side"] == SME else "platform"
        value = getattr(match, f"{prefix}_feedback")
        if not value:
            return None
        data = {
            "value": value,
            "reason": getattr(match, f"{prefix}_feedback_reason"),
            "at": getattr(match, f"{prefix}_feedback_at"),
        }
        return MatchFeedbackSerializer(data).data

    def get_applied(self, match) -> bool | None:
        return match.applied if self.context["side"] == PLATFORM else None

    def get_invited(self, match) -> bool | None:
        return match.invited if self.context["side"] == PLATFORM else None


class MatchFeedbackInputSerializer(serializers.Serializer):
    value = serializers.ChoiceField(
        choices=Feedback.choices,
        allow_blank=True,
        help_text="interested, dismissed (hides the match from your lists), or empty to take your feedback back.",
    )
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=REASON_MAX,
        help_text="Why it is not relevant (optional; kept with dismissed only).",
    )


# --- views -----------------------------------------------------------------------


class MatchFilter(SelectorFilterSet):
    need = IdFilter(help_text="Only the proposals for this need of yours.")
    capability = IdFilter(help_text="Only the proposals of this capability (yours, for platforms).")

    class Meta:
        model = Match
        fields: list[str] = []

    def select(self, data):
        return selectors.matches_for_membership(
            membership=self.request.membership,
            need_id=data.get("need"),
            capability_id=data.get("capability"),
        )


def side_of(membership) -> str:
    return PLATFORM if membership.organization.is_platform else SME


@extend_schema_view(
    list=extend_schema(
        summary="Your organisation's matches",
        description="SMEs: the capabilities proposed for their published needs; platforms: the published needs "
        "their capabilities fit. Best first; without those your side dismissed (and, for SMEs, those applied to).",
    ),
    retrieve=extend_schema(summary="One match", description="For the need's SME or the capability's platform."),
)
class MatchViewSet(ApiViewSet):
    serializer_class = MatchSerializer
    filterset_class = MatchFilter
    queryset = Match.objects.none()  # the list comes from the filter's selector

    def _output(self, match, side, **kwargs):
        return MatchSerializer(match, context={"request": self.request, "side": side}, **kwargs).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._output(page, side_of(request.membership), many=True))

    def retrieve(self, request, pk: str):
        match, side = selectors.match_get_shown(membership=request.membership, pk=int(pk))
        return Response(self._output(match, side))

    @extend_schema(
        summary="Give feedback on a match",
        description="Recorded for your side only (the other side does not see it) and learnt from. "
        "dismissed hides the match from your lists; an empty value takes your feedback back.",
        request=MatchFeedbackInputSerializer,
        responses=MatchSerializer,
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk: str):
        match, side = selectors.match_get_for_member(membership=request.membership, pk=int(pk))
        feedback = MatchFeedbackInputSerializer(data=request.data)
        feedback.is_valid(raise_exception=True)
        match_feedback(membership=request.membership, match=match, side=side, **feedback.validated_data)
        return self.retrieve(request, pk)


class ListingMatchesApi(ApiMixin, generics.ListAPIView):
    """The proposals of one of your listings, as on its page. Subclasses say
    the side and fetch them (``matches_of(pk)``) through the owner's
    permission-checked selector."""

    permission_classes = [ActsForOrganization]
    serializer_class = MatchSerializer
    side = ""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        return self.matches_of(self.kwargs["pk"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "side": self.side}


@extend_schema_view(
    get=extend_schema(
        summary="The capabilities proposed for one of your needs",
        description="For the need's SME only. The (at most 20) best, without those you dismissed or applied to.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The need's id.")],
    )
)
class NeedMatchesApi(ListingMatchesApi):
    side = SME

    def matches_of(self, pk: int):
        need = marketplace_selectors.need_get_for_owner(membership=self.request.membership, pk=pk)  # type: ignore[attr-defined]  # Request passes it on to HttpRequest
        return selectors.recommendations_for_need(need=need)


@extend_schema_view(
    get=extend_schema(
        summary="The needs one of your capabilities fits",
        description="For the capability's platform only. The (at most 20) best fits, without those you dismissed.",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="The capability's id.")],
    )
)
class CapabilityMatchesApi(ListingMatchesApi):
    side = PLATFORM

    def matches_of(self, pk: int):
        capability = marketplace_selectors.capability_get_for_owner(membership=self.request.membership, pk=pk)  # type: ignore[attr-defined]  # Request passes it on to HttpRequest
        return selectors.fitting_needs_for_capability(capability=capability)
