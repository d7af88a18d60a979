"""Fast, isolated test settings.

Unit tests run Celery tasks eagerly and use local memory for the cache and
e-mail. Tests marked ``celery_worker`` switch to a real worker on Redis
themselves (see tests/conftest.py).
"""

from config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
