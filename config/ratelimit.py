"""Rate limits on actions that cost others something: signing up, asking for
a password reset e-mail, applying, writing messages, inviting people to a
team (per person, organisation and address invited), creating organisations.

One counter per (action, who) in fixed windows in the cache: ``incr`` is
atomic on Redis, so parallel requests are all counted, and the HTML pages and
the REST API share the same counter for the same person. Rates come from
``settings.RATE_LIMITS`` ("N/second|minute|hour|day"), read on every check so
deployments and tests can change them.

When the cache cannot be reached the action is allowed (and logged): a rate
limit must not turn a Redis outage into a site outage. The sign-in lock-out,
which guards passwords, is kept in the database instead (accounts.lockout).
"""

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    count, _slash, period = text.partition("/")
    try:
        return Rate(int(count), PERIODS[period])
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"A rate is N/second|minute|hour|day, not {text!r}") from None


def rate_for(action: str) -> Rate:
    return parse_rate(settings.RATE_LIMITS[action])


def client_ip(request) -> str:
    """The caller's address, as the limits count it: REMOTE_ADDR, or with
    NUM_PROXIES trusted proxies in front, the address the outermost of them
    saw (counted from the right of X-Forwarded-For, so entries a client
    writes itself are never used). An IPv6 address counts as its /64, the
    block one subscriber gets; anything that is not an address counts as
    REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    address = remote
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            address = addresses[-min(proxies, len(addresses))]
    for candidate in (address, remote):
        try:
            parsed = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if parsed.version == 6:
            if parsed.ipv4_mapped is not None:
                return str(parsed.ipv4_mapped)
            return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
        return str(parsed)
    return "unknown"


def hit(action: str, who: str) -> float | None:
    """Count one ``action`` by ``who``. Returns None when it is allowed, or
    the seconds until the window ends when the limit is reached. The count
    is taken before the check, so parallel requests cannot all slip under
    the limit."""
    rate = rate_for(action)
    now = time.time()
    window = int(now // rate.seconds)
    key = f"ratelimit:{action}:{who}:{window}"
    wait = (window + 1) * rate.seconds - now
    try:
        cache.add(key, 0, rate.seconds + 1)
        if cache.incr(key) > rate.count:
            return wait
    except ValueError:  # the key is gone: the fail-soft cache lost Redis (config/cache.py logs that)
        pass
    except Exception:  # the cache is down: allow, and say so in the log
        logger.warning("Rate limit for %s not checked: the cache is unreachable", action, exc_info=True)
    return None


def hit_each(counts: list[tuple[str, str]]) -> float | None:
    """Count one action under several limits at once (``(action, who)``
    pairs: an invitation per person, per organisation, per address). None
    when every limit allows it, else the longest wait among those reached.
    Every limit is counted, refused or not, as ``hit`` does."""
    waits = [wait for action, who in counts if (wait := hit(action, who)) is not None]
    return max(waits) if waits else None


def by_person(request) -> str:
    return f"user:{request.user.pk}"


def by_address(request) -> str:
    return f"address:{client_ip(request)}"


def too_many(request, seconds: float):
    """The page for an action refused by its rate limit: 429, Retry-After."""
    from django.shortcuts import render

    seconds = math.ceil(seconds)
    minutes = max(1, math.ceil(seconds / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limited(action: str, *, who=by_person):
    """A view decorator: each POST counts as one ``action`` by ``who``;
    past the limit the POST is refused with 429 and nothing is done. Put it
    below the decorators that check who may use the view, so refused
    callers are not counted."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                wait = hit(action, who(request))
                if wait is not None:
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
