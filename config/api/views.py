"""The API's base view, its root and its answer to unknown URLs."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import api_error_response
from config.api.fields import ID_PATTERN
from config.api.permissions import ActsForOrganization
from config.api.throttling import FailedAuthenticationThrottle


def acting_membership(request):
    """The organisation the caller acts for: the token's, or the one chosen in
    the browser session (set by CurrentMembershipMiddleware). A token
    (accounts.ApiToken, from ApiTokenAuthentication) carries its membership;
    a session authenticates with no token (``request.auth`` is None)."""
    if request.auth is not None and hasattr(request.auth, "membership"):
        return request.auth.membership
    return getattr(request._request, "membership", None)


class ApiMixin:
    """Every API view: after authentication, ``request.membership`` is the
    acting organisation's membership (or None). Rate limits count refused
    requests too: failed tokens per address, and 401/403 answers."""

    def perform_authentication(self, request):
        if "HTTP_AUTHORIZATION" in request.META:
            failures = FailedAuthenticationThrottle()
            wait = failures.blocked(request)
            if wait is not None:
                self.throttled(request, wait)
            try:
                super().perform_authentication(request)
            except exceptions.AuthenticationFailed:
                failures.record(request)
                raise
        else:
            super().perform_authentication(request)
        request.membership = acting_membership(request)

    def check_permissions(self, request):
        # DRF checks throttles after permissions, so refused calls would
        # never count; check them first (once).
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if not getattr(request, "_throttles_checked", False):
            request._throttles_checked = True
            super().check_throttles(request)


class ApiView(ApiMixin, APIView):
    pass


class ApiViewSet(ApiMixin, viewsets.GenericViewSet):
    """Every API viewset: ids as ID_PATTERN allows, callers acting for an
    organisation unless the viewset says otherwise, lists paginated."""

    permission_classes = [ActsForOrganization]
    lookup_value_regex = ID_PATTERN

    def page_of(self, rows, serializer_class=None):
        """The page the query string asks for, serialized, with its links."""
        page = self.paginate_queryset(rows)
        serializer = (
            serializer_class(page, many=True, context=self.get_serializer_context())
            if serializer_class
            else (self.get_serializer(page, many=True))
        )
        return self.get_paginated_response(serializer.data)


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


class ApiRootView(ApiView):
    permission_classes = [permissions.AllowAny]

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
    def get(self, request):
        absolute = request.build_absolute_uri
        endpoints = {name: absolute(reverse(f"api:{name}-list")) for name in COLLECTIONS}
        for name in ("me", "my-organization", "stats"):
            endpoints[name] = absolute(reverse(f"api:{name}"))
        return Response(
            {"schema": absolute(reverse("api-schema")), "docs": absolute(reverse("api-docs")), "endpoints": endpoints}
        )


@method_decorator(csp_override({**settings.SECURE_CSP, "img-src": [CSP.SELF, "data:"]}), name="get")
class ApiDocsView(SpectacularSwaggerView):
    """Swagger UI (/api/docs/) under the site's Content-Security-Policy. Our
    copy of its template (templates/drf_spectacular/swagger_ui.html) gives
    its inline script and style the nonce; Swagger UI draws its icons as
    ``data:`` images, so this page alone also allows those (an image cannot
    run script). drf-spectacular answers ``Cross-Origin-Opener-Policy:
    unsafe-none`` here for OAuth2 sign-in pop-ups, which Tandem does not use:
    this page keeps the site's policy like every other. Only GET and HEAD:
    DRF's OPTIONS answer would be drawn through the page's template and fail."""

    http_method_names = ["get", "head"]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.headers["Cross-Origin-Opener-Policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
        return response


def api_not_found(request, exception=None):
    return api_error_response(exceptions.NotFound(_("No such API endpoint. The list is at /api/v1/.")))


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


def api_bad_request(request, exception=None):
    """Requests Django refuses before any view runs (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields), in the API's error shape."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return api_error_response(
            PayloadTooLarge(_("The request body is larger than %(mb).1f MB.") % {"mb": limit / 1024 / 1024})
        )
    return api_error_response(exceptions.ParseError(_("The request could not be read.")))
