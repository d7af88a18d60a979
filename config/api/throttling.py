"""Request rates per signed-in user and per anonymous IP address.

Rates come from settings.API_THROTTLE_RATES (env API_THROTTLE_USER and
API_THROTTLE_ANON), read when a request is checked, so tests and deployments
can change them. Counts live in the default cache (Redis in production).
"""

from django.conf import settings
from rest_framework import throttling


class _RateFromSettings:
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]


class AnonymousRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    scope = "anon"


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    scope = "user"
