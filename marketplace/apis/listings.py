"""Capabilities and needs: the public catalogue and board, and the owners'
create, edit and state changes. Same selectors and services as the pages."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.apis import OrganizationSummarySerializer
from accounts.choices import Industry, Province, SizeBand
from config.api.fields import StrictCharField, StrictDecimalField, StrictLineField, StrictModelSerializer, choice_list
from config.api.filters import BooleanFilter, OrderingFilter, SelectorFilterSet, WholeNumberFilter
from config.api.permissions import PublicReadActsForOrganization
from config.api.views import ApiViewSet
from marketplace import selectors
from marketplace.choices import AccessModel, CapabilityKind, ListingStatus
from marketplace.models import Capability, Need
from marketplace.services import listing_transitions
from marketplace.services import listings as listing_services
from marketplace.services.tags import MAX_TAG_LENGTH, MAX_TAGS


class TagNamesField(serializers.ListField):
    """Tags as an array of names (Chinese or English); read back as stored."""

    child = StrictLineField(max_length=MAX_TAG_LENGTH)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_TAGS)
        kwargs.setdefault("help_text", f'Up to {MAX_TAGS} keywords, e.g. ["OCR", "发票"].')
        super().__init__(**kwargs)

    def to_representation(self, data):
        return [tag.name for tag in data.all()]


MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": 0, "allow_null": True, "required": False}


# --- serializers -----------------------------------------------------------------


class ListingSerializer(serializers.ModelSerializer):
    """What capabilities and needs share in their output: the latest
    moderator's reason is for the owner only."""

    moderation_reason = serializers.CharField(
        read_only=True, allow_null=True, help_text="The latest moderator's reason; null unless it is yours."
    )

    def to_representation(self, listing):
        data = super().to_representation(listing)
        if "moderation_reason" in data and not selectors.listing_is_own(self.context["request"].membership, listing):
            data["moderation_reason"] = None
        return data


class CapabilitySerializer(ListingSerializer):
    organization = OrganizationSummarySerializer(read_only=True)
    tags = TagNamesField(read_only=True)
    industries = choice_list(Industry)
    regions = choice_list(Province)
    eligible_size_bands = choice_list(SizeBand)

    class Meta:
        model = Capability
        fields = [
            "id", "status", "organization", *Capability.editable_fields, "tags", "terms_version",
            "moderation_reason", "created_at", "updated_at", "submitted_at", "published_at",
        ]  # fmt: skip
        read_only_fields = fields


class CapabilityListItemSerializer(CapabilitySerializer):
    """A capability in a list: what a catalogue shows and filters on; the long
    texts (description, terms, price notes, quota) are on the capability itself."""

    class Meta(CapabilitySerializer.Meta):
        fields = [
            "id", "status", "organization", "kind", "title", "summary", "tags", "industries", "regions",
            "access_model", "price_min_monthly", "price_max_monthly", "eligible_size_bands", "requires_verification",
            "data_classification", "updated_at", "published_at",
        ]  # fmt: skip
        read_only_fields = fields


class CapabilityInputSerializer(StrictModelSerializer):
    """Writable fields of a capability; the rules behind them (data sets must
    be classified, price ranges in order…) are checked by the service."""

    tags = TagNamesField(required=False)
    industries = choice_list(Industry, help_text="Empty: suits every industry.")
    regions = choice_list(Province, help_text="Empty: all of China.")
    eligible_size_bands = choice_list(SizeBand, help_text="Empty: firms of every size may apply.")
    price_min_monthly = StrictDecimalField(**MONEY)
    price_max_monthly = StrictDecimalField(**MONEY)

    class Meta:
        model = Capability
        fields = [*Capability.editable_fields, "tags"]


class NeedSerializer(ListingSerializer):
    """A need; its details (organisation, description, tags, budget, start)
    are null for callers who may see only the title, kinds, industry and
    region (anonymous visitors and other SMEs): see details_visible."""

    DETAILS = ("organization", "description", "tags", "budget_min_monthly", "budget_max_monthly", "desired_start")

    organization = OrganizationSummarySerializer(read_only=True, allow_null=True)
    kinds_wanted = choice_list(CapabilityKind)
    details_visible = serializers.SerializerMethodField()
    description = serializers.CharField(read_only=True, allow_null=True)
    tags = TagNamesField(read_only=True, allow_null=True)

    class Meta:
        model = Need
        fields = [
            "id", "status", "organization", "title", "kinds_wanted", "industry", "region", "visibility",
            "details_visible", "description", "tags", "budget_min_monthly", "budget_max_monthly", "desired_start",
            "moderation_reason", "created_at", "updated_at", "submitted_at", "published_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_details_visible(self, need) -> bool:
        request = self.context["request"]
        return selectors.need_shows_details(need, request.user, request.membership)

    def to_representation(self, need):
        data = super().to_representation(need)
        if not data["details_visible"]:
            data.update(dict.fromkeys(self.DETAILS, None))
        return data


class NeedInputSerializer(StrictModelSerializer):
    tags = TagNamesField(required=False)
    kinds_wanted = choice_list(CapabilityKind, required=True)
    budget_min_monthly = StrictDecimalField(**MONEY)
    budget_max_monthly = StrictDecimalField(**MONEY)

    class Meta:
        model = Need
        fields = [*Need.editable_fields, "tags"]


class ReasonSerializer(serializers.Serializer):
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why (required when sending back, rejecting or suspending; the owner reads it).",
    )


# --- filters ---------------------------------------------------------------------


class ListingFilter(SelectorFilterSet):
    """The catalogue's or board's filters, or (mine=true) your own items."""

    mine = BooleanFilter(
        help_text="true: your organisation's own items in every state (only `status` filters them then)."
    )
    status = filters.ChoiceFilter(choices=ListingStatus.choices, help_text="With mine=true.")
    q = filters.CharFilter(max_length=200, help_text="Search words, Chinese or English.")
    ordering = OrderingFilter(
        fields=["published_at", "updated_at", "title"],
        help_text="Instead of the default order (best match with q, else newest first); - for descending.",
    )

    def select(self, data):
        if data.pop("mine", False):
            stray = sorted(set(data) - {"status"})
            if stray:
                raise ValidationError({stray[0]: [_("With mine=true only status filters the list.")]})
            membership = self.request.membership
            if membership is None:
                raise ValidationError({"mine": [_("You do not act for an organisation.")]})
            mine = self.of_organization(membership=membership)
            return mine.filter(status=data["status"]) if "status" in data else mine
        if "status" in data:
            raise ValidationError({"status": [_("Only your own items (mine=true) can be filtered by status.")]})
        return self.catalogue(data)


class CapabilityFilter(ListingFilter):
    kind = filters.ChoiceFilter(choices=CapabilityKind.choices)
    tag = filters.CharFilter(max_length=MAX_TAG_LENGTH)
    industry = filters.ChoiceFilter(choices=Industry.choices, help_text="Includes “every industry”.")
    region = filters.ChoiceFilter(choices=Province.choices, help_text="Includes “all of China”.")
    access_model = filters.ChoiceFilter(choices=AccessModel.choices)
    budget = WholeNumberFilter(
        min_value=0, max_value=10**9, help_text="Monthly budget in CNY (whole yuan): lowest price at most this."
    )
    sort = filters.ChoiceFilter(
        choices=[("relevance", "relevance"), ("newest", "newest")],
        help_text="relevance (with q; the default) or newest.",
    )

    class Meta:
        model = Capability
        fields: list[str] = []

    def of_organization(self, membership):
        return selectors.capabilities_of_organization(membership=membership)

    def catalogue(self, data):
        return selectors.capabilities_catalogue(
            query=data.pop("q", ""), tag=data.pop("tag", "").strip().casefold(), **data
        )


class NeedFilter(ListingFilter):
    kind = filters.ChoiceFilter(choices=CapabilityKind.choices)
    industry = filters.ChoiceFilter(choices=Industry.choices)
    region = filters.ChoiceFilter(choices=Province.choices)

    class Meta:
        model = Need
        fields: list[str] = []

    def of_organization(self, membership):
        return selectors.needs_of_organization(membership=membership)

    def catalogue(self, data):
        return selectors.needs_board(membership=self.request.membership, query=data.pop("q", ""), **data)


# --- views -----------------------------------------------------------------------


class ListingViewSet(ApiViewSet):
    """What the capability and need endpoints share; subclasses name the
    model, serializers and selectors."""

    permission_classes = [PublicReadActsForOrganization]
    model: type[Capability] | type[Need]
    input_serializer_class: type[serializers.Serializer]
    list_serializer_class: type[serializers.Serializer]
    get_for_viewer: Callable[..., Capability | Need]
    get_for_owner: Callable[..., Capability | Need]

    def get_queryset(self):
        return self.model.objects.none()  # lists come from the filter's selector

    def _output(self, listing, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(listing).data, status=status_code)

    def list(self, request):
        listings = self.filter_queryset(self.get_queryset())
        return self.page_of(listings, self.list_serializer_class)

    def retrieve(self, request, pk: str):
        listing = type(self).get_for_viewer(user=request.user, membership=request.membership, pk=int(pk))
        return self._output(listing)

    def _write_input(self, partial: bool = False, instance=None) -> tuple:
        serializer = self.input_serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        tags = fields.pop("tags", None)
        if tags is None:
            # PATCH keeps the tags it does not mention; POST and PUT without tags set none.
            tags = [tag.name for tag in instance.tags.all()] if partial else []
        return fields, tags

    def create(self, request):
        # Who may create comes before what was sent, as on the pages.
        listing_services.listing_require_kind(membership=request.membership, model=self.model)
        fields, tags = self._write_input()
        listing = listing_services.listing_create(
            model=self.model, membership=request.membership, fields=fields, tag_names=tags
        )
        return self._output(listing, status.HTTP_201_CREATED)

    def _update(self, request, pk: str, partial: bool):
        listing = type(self).get_for_owner(membership=request.membership, pk=int(pk))
        fields, tags = self._write_input(partial=partial, instance=listing)
        updated = listing_services.listing_update(
            listing=listing, membership=request.membership, fields=fields, tag_names=tags
        )
        return self._output(type(self).get_for_viewer(user=request.user, membership=request.membership, pk=updated.pk))

    def update(self, request, pk: str):
        return self._update(request, pk, partial=False)

    def partial_update(self, request, pk: str):
        return self._update(request, pk, partial=True)

    def _transition(self, request, pk: str, action_name: str):
        reason_input = ReasonSerializer(data=request.data)
        reason_input.is_valid(raise_exception=True)
        reason = reason_input.validated_data.get("reason", "")
        listing_action = listing_transitions.LISTING_ACTIONS[action_name]
        if listing_action.by_owner:
            listing = type(self).get_for_owner(membership=request.membership, pk=int(pk))
            changed = listing_action.service(listing=listing, membership=request.membership, reason=reason)
        else:
            listing = type(self).get_for_viewer(user=request.user, membership=request.membership, pk=int(pk))
            changed = listing_action.service(listing=listing, user=request.user, reason=reason)
        return self._output(type(self).get_for_viewer(user=request.user, membership=request.membership, pk=changed.pk))


def _transition_action(action_name: str, listing_label: str):
    listing_action = listing_transitions.LISTING_ACTIONS[action_name]
    transition = listing_action.transition
    who = "its owner" if listing_action.by_owner else "a moderator (admin staff)"
    sources = ", ".join(sorted(transition.sources))

    def transition_view(self, request, pk: str):
        return self._transition(request, pk, action_name)

    # Named before @action reads the name (it routes to the method by name).
    transition_view.__name__ = action_name
    transition_view = action(
        detail=True, methods=["post"], url_path=action_name, permission_classes=[permissions.IsAuthenticated]
    )(transition_view)
    return extend_schema(
        summary=f"{action_name.replace('_', ' ').capitalize()} a {listing_label}",
        description=f"By {who}. From {sources} to {transition.target}; any other state answers 409.",
        request=ReasonSerializer,
    )(transition_view)


def _documented(label: str, plural: str, list_help: str):
    """The viewset's operations described for the OpenAPI schema, and one
    POST action per state transition."""

    def decorate(cls):
        for action_name in listing_transitions.LISTING_ACTIONS:
            setattr(cls, action_name, _transition_action(action_name, label))
        write = {"request": cls.input_serializer_class, "responses": cls.serializer_class}
        return extend_schema_view(
            list=extend_schema(
                summary=f"List {plural}", description=list_help, responses=cls.list_serializer_class(many=True)
            ),
            retrieve=extend_schema(summary=f"One {label}"),
            create=extend_schema(summary=f"Create a draft {label}", **write),
            update=extend_schema(summary=f"Replace a {label}'s fields (owner)", **write),
            partial_update=extend_schema(summary=f"Change some of a {label}'s fields (owner)", **write),
        )(cls)

    return decorate


@_documented(
    "capability",
    "capabilities",
    "The public catalogue of published capabilities (anyone), or with mine=true your platform's own in every state.",
)
class CapabilityViewSet(ListingViewSet):
    model = Capability
    serializer_class = CapabilitySerializer
    list_serializer_class = CapabilityListItemSerializer
    input_serializer_class = CapabilityInputSerializer
    filterset_class = CapabilityFilter
    get_for_viewer = staticmethod(selectors.capability_get_for_viewer)
    get_for_owner = staticmethod(selectors.capability_get_for_owner)


@_documented(
    "need",
    "needs",
    "Published needs: public ones for everyone (details only for platform staff), platforms-only ones for "
    "platform staff; or with mine=true your SME's own in every state.",
)
class NeedViewSet(ListingViewSet):
    model = Need
    serializer_class = NeedSerializer
    list_serializer_class = NeedSerializer
    input_serializer_class = NeedInputSerializer
    filterset_class = NeedFilter
    get_for_viewer = staticmethod(selectors.need_get_for_viewer)
    get_for_owner = staticmethod(selectors.need_get_for_owner)


def routes(router) -> list:
    router.register("capabilities", CapabilityViewSet, basename="capability")
    router.register("needs", NeedViewSet, basename="need")
    return []
