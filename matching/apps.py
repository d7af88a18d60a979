from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self):
        from marketplace import semantic
        from matching import receivers
        from matching.services.semantic_search import capabilities_by_meaning

        receivers.connect()
        # Catalogue search asks matching for capabilities by meaning when its
        # words find few (marketplace declares the hook; see marketplace/semantic.py).
        semantic.semantic_search_backend_set(capabilities_by_meaning)
