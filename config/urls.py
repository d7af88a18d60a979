from django.contrib import admin
from django.urls import include, path

from config.views import health
from marketplace.views import home

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
