"""The API's base view, its root and its answer to unknown URLs."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from config.api.errors import api_error_response


def acting_membership(request):
    """The organisation the caller acts for: the token's, or the one chosen in
    the browser session (set by CurrentMembershipMiddleware)."""
    if isinstance(request.auth, ApiToken):
        return request.auth.membership
    return getattr(request._request, "membership", None)


class ApiMixin:
    """Every API view: after authentication, ``request.membership`` is the
    acting organisation's membership (or None)."""

    def perform_authentication(self, request):
        super().perform_authentication(request)
        request.membership = acting_membership(request)


class ApiView(ApiMixin, APIView):
    pass


COLLECTIONS = (
    "capability",
    "need",
    "application",
    "invitation",
    "notification",
    "match",
    "organization",
    "membership",
    "membership-invitation",
    "tag",
)


@extend_schema(
    summary="Where to start",
    responses=inline_serializer(
        "ApiRoot",
        {
            "schema": serializers.URLField(),
            "docs": serializers.URLField(),
            "endpoints": serializers.DictField(child=serializers.URLField()),
        },
    ),
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def api_root(request):
    endpoints = {name: request.build_absolute_uri(reverse(f"api:{name}-list")) for name in COLLECTIONS}
    for name in ("me", "my-organization", "stats"):
        endpoints[name] = request.build_absolute_uri(reverse(f"api:{name}"))
    return Response(
        {
            "schema": request.build_absolute_uri(reverse("api-schema")),
            "docs": request.build_absolute_uri(reverse("api-docs")),
            "endpoints": endpoints,
        }
    )


def api_not_found(request, exception=None):
    return api_error_response(exceptions.NotFound(_("No such API endpoint. The list is at /api/v1/.")))
