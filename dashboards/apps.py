from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The dashboards and their charts: reads that compose the marketplace's
    and matching's data, so they sit above both."""

    name = "dashboards"
    verbose_name = _("Dashboards")
