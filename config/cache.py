"""The Redis cache, failing soft: while Redis cannot be reached the cache
behaves as an empty one that keeps nothing, instead of raising.

What the cache holds here can be lost: API request counts and the rate
limits' counters (config/api/throttling.py, config/ratelimit.py). So a Redis
outage lifts those limits for its duration rather than answering every API
request with a 500; the sign-in lock-out, which guards passwords, lives in the
database and stays in force. The outage is logged, at most once a minute per
process. Short socket time-outs (CACHES OPTIONS) keep a hung Redis from
holding requests.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY = 60.0
_last_warning = [0.0]


def _unreachable(operation: str) -> None:
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY:
        _last_warning[0] = now
        logger.warning("Cache %s skipped: Redis is unreachable (counters and limits are not kept)", operation)


class FailSoftRedisCacheClient(RedisCacheClient):
    def add(self, key, value, timeout):
        try:
            return super().add(key, value, timeout)
        except UNREACHABLE:
            _unreachable("add")
            return False

    def get(self, key, default):
        try:
            return super().get(key, default)
        except UNREACHABLE:
            _unreachable("get")
            return default

    def set(self, key, value, timeout):
        try:
            super().set(key, value, timeout)
        except UNREACHABLE:
            _unreachable("set")

    def touch(self, key, timeout):
        try:
            return super().touch(key, timeout)
        except UNREACHABLE:
            _unreachable("touch")
            return False

    def delete(self, key):
        try:
            return super().delete(key)
        except UNREACHABLE:
            _unreachable("delete")
            return False

    def get_many(self, keys):
        try:
            return super().get_many(keys)
        except UNREACHABLE:
            _unreachable("get_many")
            return {}

    def has_key(self, key):
        try:
            return super().has_key(key)
        except UNREACHABLE:
            _unreachable("has_key")
            return False

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except UNREACHABLE:
            _unreachable("incr")
            # As an empty cache answers: the key is not there.
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)") from None

    def set_many(self, data, timeout):
        try:
            super().set_many(data, timeout)
        except UNREACHABLE:
            _unreachable("set_many")

    def delete_many(self, keys):
        try:
            super().delete_many(keys)
        except UNREACHABLE:
            _unreachable("delete_many")

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE:
            _unreachable("clear")
            return False


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache whose operations act as on an empty cache while
    Redis is unreachable (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient
