from django.urls import path
from rest_framework.routers import SimpleRouter

from matching import apis

router = SimpleRouter()
router.register("matches", apis.MatchViewSet, basename="match")

urlpatterns = [
    *router.urls,
    path("needs/<int:pk>/matches/", apis.NeedMatchesApi.as_view(), name="need-matches"),
    path("capabilities/<int:pk>/matches/", apis.CapabilityMatchesApi.as_view(), name="capability-matches"),
]
