from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import apis

router = SimpleRouter()
router.register("organizations", apis.OrganizationViewSet, basename="organization")
router.register("memberships", apis.MembershipViewSet, basename="membership")
router.register("membership-invitations", apis.MembershipInvitationViewSet, basename="membership-invitation")

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="me"),
    path("me/organization/", apis.MyOrganizationApi.as_view(), name="my-organization"),
    *router.urls,
]
