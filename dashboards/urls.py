from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/<slug:slug>.csv", views.dashboard_export, name="dashboard_export"),
    path("dashboard/ecosystem/", views.ecosystem_dashboard, name="ecosystem_dashboard"),
    path("dashboard/ecosystem/export/<slug:slug>.csv", views.ecosystem_export, name="ecosystem_export"),
]
