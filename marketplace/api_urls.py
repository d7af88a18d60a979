"""The marketplace's API routes: each module registers its own."""

from rest_framework.routers import SimpleRouter

from marketplace.apis import applications, invitations, listings, notifications, public

router = SimpleRouter()
extra = [
    path for module in (listings, applications, invitations, notifications, public) for path in module.routes(router)
]
urlpatterns = [*router.urls, *extra]
