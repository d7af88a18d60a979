"""Fast, isolated test settings.

Unit tests run Celery tasks eagerly and use local memory for the cache and
e-mail. Tests marked ``celery_worker`` switch to a real worker on Redis
themselves (see tests/celery_worker.py).
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789"  # noqa: S105 - test settings; production requires SECRET_KEY from the environment
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Tests that use a real worker send to a queue of their own, so a developer's
# running worker on the same Redis never takes (and runs against the wrong
# database) a test's task. The worker started by the tests is given this name.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default=f"tandem-test-{os.getpid()}")

# Serve static files from the app folders; no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Rate limits far above what a test makes: the counts live in the shared
# local-memory cache across tests. The throttling tests set their own rates.
API_THROTTLE_RATES = {"user": "100000/minute", "anon": "100000/minute", "failed_auth": "100000/minute"}
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "100000/hour")  # noqa: F405

# Tests of eligibility, withdrawal, rebuilds and learning use catalogues of a
# handful of capabilities and count every eligible proposal; the relevance
# floor is a rule of its own, tested where it is set (tests/matching:
# test_ml_calibration.py and TestRelevanceFloor in test_services.py).
MATCHING_RELEVANCE_FLOOR = 0.0
# Likewise they match by words alone; the semantic view (stored vectors, a
# need finding a capability in another language) is tested with the real
# encoder where it is the subject (tests/matching/test_semantic_services.py).
MATCHING_ENCODER = "none"
