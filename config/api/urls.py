"""``/api/v1/`` (the endpoints of every app, one namespace ``api``), the
OpenAPI schema at ``/api/schema/`` and its browsable docs at ``/api/docs/``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

import config.api.schema  # noqa: F401 - registers the token scheme with drf-spectacular
from accounts.api_urls import urlpatterns as accounts_api
from config.api.views import ApiDocsView, ApiRootView
from marketplace.api_urls import urlpatterns as marketplace_api
from matching.api_urls import urlpatterns as matching_api

api_v1 = [path("", ApiRootView.as_view(), name="root"), *accounts_api, *marketplace_api, *matching_api]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
