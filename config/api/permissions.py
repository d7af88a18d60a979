"""Permission classes shared by the API's endpoints. Object-level rules stay
in the selectors (one permission-checked fetch per entity): these only say
who may call an endpoint at all."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class PublicRead(permissions.BasePermission):
    """Anyone may read (GET/HEAD/OPTIONS); writing needs a signed-in caller."""

    allows_public_read = True

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(request.user and request.user.is_authenticated)


class ActsForOrganization(permissions.IsAuthenticated):
    """Signed in and acting for an organisation (a token always is; a session
    user once they have registered or joined one)."""

    message = _("Register your organisation or accept an invitation to an organisation first.")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and getattr(request, "membership", None) is not None


class PublicReadActsForOrganization(ActsForOrganization):
    """Anyone may read; writes need an organisation."""

    allows_public_read = True

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or super().has_permission(request, view)
