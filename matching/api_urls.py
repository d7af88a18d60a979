from django.urls import re_path
from rest_framework.routers import SimpleRouter

from config.api.fields import ID_PATTERN
from matching import apis

router = SimpleRouter()
router.register("matches", apis.MatchViewSet, basename="match")

urlpatterns = [
    *router.urls,
    re_path(rf"^needs/(?P<pk>{ID_PATTERN})/matches/$", apis.NeedMatchesApi.as_view(), name="need-matches"),
    re_path(
        rf"^capabilities/(?P<pk>{ID_PATTERN})/matches/$", apis.CapabilityMatchesApi.as_view(), name="capability-matches"
    ),
]
