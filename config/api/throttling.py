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


class FailedAuthenticationThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Failed token checks per client address. Past the limit, every request
    from that address is refused (429) before any token is looked up, so
    guessing tokens is slow and cheap to refuse."""

    scope = "failed_auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def blocked(self, request) -> bool:
        self._load(request)
        return len(self.history) >= self.num_requests

    def record(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
