"""Request rates per signed-in user and per anonymous IP address.

Rates come from settings.API_THROTTLE_RATES (env API_THROTTLE_USER and
API_THROTTLE_ANON), read when a request is checked, so tests and deployments
can change them. Counts live in the default cache (Redis in production).
"""

from django.conf import settings
from rest_framework import throttling

from config import ratelimit


class _RateFromSettings:
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        # One reading of the caller's address for every limit (config/ratelimit.py).
        return ratelimit.client_ip(request)


class AnonymousRateThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    scope = "anon"


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        # Anonymous callers are counted by AnonymousRateThrottle alone.
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class FailedAuthenticationThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """Failed token checks per client address, in fixed windows. Once an
    address reaches the limit, its requests that carry credentials are
    refused (429) before any token is looked up, until the window ends; its
    requests without credentials (the public catalogue, a browser session)
    are not, so one broken script does not lock out an office behind NAT.

    The count is one cache counter per window: ``incr`` is atomic on Redis,
    so parallel guesses are all counted."""

    scope = "failed_auth"

    def __init__(self):
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def _key_and_window_end(self, request) -> tuple[str, float]:
        now = self.timer()
        window = int(now // self.duration)
        key = f"throttle_{self.scope}_{self.get_ident(request)}_{window}"
        return key, (window + 1) * self.duration - now

    def blocked(self, request) -> float | None:
        """Seconds to wait when the address is over the limit, else None."""
        key, remaining = self._key_and_window_end(request)
        return remaining if self.cache.get(key, 0) >= self.num_requests else None

    def record(self, request) -> None:
        key, _remaining = self._key_and_window_end(request)
        self.cache.add(key, 0, self.duration)
        try:
            self.cache.incr(key)
        except ValueError:  # expired between add and incr
            self.cache.set(key, 1, self.duration)


class ActionRateThrottle(throttling.BaseThrottle):
    """One action's rate limit (config/ratelimit.py: applying, writing
    messages), counted per person on the same counter as the HTML pages, so
    switching between the site and the API does not double the allowance."""

    def __init__(self, action: str):
        self.action = action
        self._wait: float | None = None

    def allow_request(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return True  # refused as unauthenticated, not counted
        self._wait = ratelimit.hit(self.action, ratelimit.by_person(request))
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait
