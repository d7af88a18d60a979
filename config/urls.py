from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from accounts.views import language_set
from config.views import favicon, health
from marketplace.views import home

admin.site.site_header = _("Tandem administration")
admin.site.site_title = _("Tandem admin")
admin.site.index_title = _("Moderation and verification")

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("accounts.urls")),
    path("", include("marketplace.urls")),
    path("", include("matching.urls")),
    path("", include("dashboards.urls")),
    path("i18n/setlang/", language_set, name="set_language"),
    path("", include("config.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "config.views.bad_request"
handler404 = "config.views.page_not_found"
handler500 = "config.outages.server_error"
