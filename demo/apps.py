from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo marketplace (``manage.py seed_demo``) and its API tokens
    (``manage.py demo_api_tokens``): written through every app's services,
    so it sits above them all."""

    name = "demo"
    verbose_name = _("Demo data")
