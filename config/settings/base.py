"""Settings shared by every environment.

Everything that differs between machines comes from environment variables
(documented in README.md, "Configuration"). Defaults are safe for a single
developer machine: SQLite, Celery running tasks in-process, local-memory cache,
e-mail printed to the console.
"""

from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.environment import mailer_from_url, redis_url_with_next_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file is a convenience for development; real environments set variables.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "marketplace",
    "matching",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session and authentication middleware: it reads the
    # caller they found (and the token DRF found) on the way out.
    "config.middleware.PrivateResponsesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.CurrentMembershipMiddleware",
    "config.middleware.Utf8RequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "config.forms.TandemFormRenderer"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.current_membership",
                "marketplace.context_processors.notifications",
            ],
        },
    },
]

# Database: one URL. Default is a SQLite file inside the project.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A persistent connection is tested before each request reuses it, so a
# restarted database costs one failed ping rather than one failed request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL ends any statement that runs longer than this (seconds; 0: no
# limit): a runaway query or a lock queue answers with an error instead of
# holding a worker and a connection. Long one-off work (a migration on a big
# table) can run with DATABASE_STATEMENT_TIMEOUT=0.
DATABASE_STATEMENT_TIMEOUT = env.int("DATABASE_STATEMENT_TIMEOUT", default=10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_STATEMENT_TIMEOUT > 0:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}".strip()
    )
# Seconds to wait for a PostgreSQL connection: a database that is down or
# restarting answers requests with a quick error page instead of holding them
# (and gunicorn's workers) for the operating system's TCP time-out.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Argon2id for new and changed passwords; the others still verify older
# hashes, which are upgraded to Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: signed out after SESSION_COOKIE_AGE without a request, and in
# any case SESSION_ABSOLUTE_AGE after signing in. SessionTimeoutMiddleware
# (accounts/middleware.py) enforces the second, and pushes the expiry on for
# the first at most once a minute: SESSION_SAVE_EVERY_REQUEST would do it
# with a database write on every page.
# SameSite=Lax on both cookies: a link from another site (an e-mail, a search
# result) still arrives signed in, while a cross-site POST, fetch or frame
# carries neither cookie. Strict would sign people out of every link they follow in.
SESSION_COOKIE_AGE = 2 * 3600
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers, in every environment so that tests and `make run` see
# what production serves (production.py adds HTTPS, HSTS and __Host- cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django.middleware.csp). Scripts run only from our
# own origin or with the per-response nonce (templates: nonce="{{ csp_nonce }}").
# Styles: our stylesheets and nonce'd <style> blocks, never style="..."
# attributes or unlabelled <style> (so injected markup cannot restyle a page
# to mislead); the pages set no inline style, and scripts change styles
# through element.style, which CSP allows. Images, fonts and fetches fall back
# to default-src: our origin only. The API docs page widens img-src for
# itself (ApiDocsView, config/api/views.py).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Request size limits: a body (other than files) above 1 MiB or with more
# than 1,000 fields is refused before it is parsed (400; 413 under /api/).
# The largest form, a listing filled to every maximum in Chinese, stays under
# 250 kB. Uploaded files above 2.5 MiB would be streamed to disk rather than
# held in memory (the site takes none yet).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)

# Internationalisation: English and Simplified Chinese from the first line.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Per-language date formats (config/formats/<lang>/formats.py); templates ask
# for SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT, never a fixed pattern.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Redis is optional. Unset: Celery runs tasks eagerly in this process and the
# cache is local memory, so one machine needs no server. Set: Redis is the
# Celery broker and result backend, and (next database number) the cache.
REDIS_URL = env("REDIS_URL", default="")


REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=redis_url_with_next_db(REDIS_URL) if REDIS_URL else "")

# Redis waits are short (seconds): a Redis that is down or hung must not hold
# requests. While it is unreachable the cache acts as an empty one (reads miss,
# writes are dropped, rate limits are not counted) instead of failing every
# request: see config/cache.py.
REDIS_SOCKET_TIMEOUTS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "OPTIONS": dict(REDIS_SOCKET_TIMEOUTS),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: read by config/celery.py through the CELERY_ namespace.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
# A task is acknowledged only when it has finished, and re-queued when the
# worker running it dies, so a crash never silently drops work. Tasks are
# written to be idempotent because of this.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# After a lost broker connection, unacknowledged tasks are redelivered; cancel
# the running copies so the same task does not run twice at once.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Broker and result store outages: connecting and each socket operation give
# up within seconds, and publishing tries three times within about a second,
# so a web request that queues work after its commit while Redis is down
# answers at once (config.celery.task_send logs it; the matching reconciler
# catches up). A worker killed outright (SIGKILL, a lost machine) leaves the
# tasks it had taken unacknowledged: Redis hands them out again once they are
# older than the visibility time-out, which must exceed the longest task
# (CELERY_TASK_TIME_LIMIT) and the longest retry countdown.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **REDIS_SOCKET_TIMEOUTS,
    "socket_timeout": 5.0,  # a worker's blocking read of the queue lasts up to a second
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    # How often a worker looks for such tasks: every unacked_restore_interval
    # seconds (every sweep looks; kombu's default looks at one in ten).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUTS["socket_connect_timeout"]
CELERY_REDIS_SOCKET_TIMEOUT = 5.0
# The result store reconnects a few times (not Celery's twenty, one a second)
# before a caller that waits on it is told.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
}
CELERY_TIMEZONE = TIME_ZONE
# Every periodic task, in one place (celery beat reads it; config/celery.py
# adds none).
CELERY_BEAT_SCHEDULE = {
    "prune-old-sign-in-failures": {"task": "accounts.tasks.sign_in_failures_prune", "schedule": 3600},
    "purge-stale-membership-invitations": {
        "task": "accounts.tasks.membership_invitations_purge",
        "schedule": 24 * 3600,
    },
    # Applications undecided after APPLICATION_EXPIRY_DAYS expire.
    "expire-overdue-applications": {"task": "marketplace.tasks.applications_expire_overdue", "schedule": 3600},
    # Matching: learn from the day's outcomes, then re-score everything with
    # the active ranker (a promotion also queues a rebuild at once).
    "retrain-ranker": {"task": "matching.tasks.ranker_retrain", "schedule": crontab(hour=2, minute=0)},
    "rebuild-matches": {"task": "matching.tasks.matches_rebuild", "schedule": crontab(hour=3, minute=0)},
    # Matching work that listings missed (the broker was down when they were
    # published, a worker died mid-task) is queued again (matching/services/reconcile.py).
    "reconcile-matches": {"task": "matching.tasks.matches_reconcile", "schedule": 600},
    # The weekly digest e-mail (matching/services/digests/): Monday 08:00 in
    # TIME_ZONE, after the night's rebuild; the same run at 14:00 sends only
    # what the morning left (failed e-mails, batches cut short or killed,
    # people with news only since): nobody gets two in one week.
    "send-weekly-digests": {
        "task": "matching.tasks.digests_send_weekly",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    "send-weekly-digests-retry": {
        "task": "matching.tasks.digests_send_weekly",
        "schedule": crontab(hour=14, minute=0, day_of_week="mon"),
    },
}

# E-mail: printed to the console unless EMAIL_URL points at a real server
# (smtp://user:password@host:587/?tls=True, smtp+ssl://..., consolemail://,
# filemail:///path, dummymail://). Django 6.1 configures mail through MAILERS.
MAILERS = {"default": mailer_from_url(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tandem <noreply@tandem.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Product settings.
MEMBERSHIP_INVITATION_MAX_AGE_DAYS = env.int("MEMBERSHIP_INVITATION_MAX_AGE_DAYS", default=7)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# The REST API (/api/v1/, config/api/). Personal API tokens first, so that a
# request without credentials is answered 401 with a WWW-Authenticate header;
# the browser's session (with CSRF) works too.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.AnonymousRateThrottle",
        "config.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.TandemAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "config.api.errors.api_exception_handler",
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Behind this many proxies the client address is read from
    # X-Forwarded-For; 0 (the default) trusts REMOTE_ADDR only, so a forged
    # header cannot dodge the anonymous rate limit.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
# Requests per client: per signed-in user (or token's user), and per IP
# address for anonymous callers. Format "N/second|minute|hour|day".
API_THROTTLE_RATES = {
    "user": env("API_THROTTLE_USER", default="1200/minute"),
    "anon": env("API_THROTTLE_ANON", default="120/minute"),
    # Failed token checks per address; past it the address is refused for the period.
    "failed_auth": env("API_THROTTLE_FAILED_AUTH", default="30/minute"),
}
# Actions that cost others something, per person (or per address before
# sign-in), shared by the pages and the API (config/ratelimit.py); past the
# limit the answer is 429 with Retry-After. "N/second|minute|hour|day".
RATE_LIMITS = {
    "signup": env("RATE_LIMIT_SIGNUP", default="10/hour"),  # per address
    "password_reset": env("RATE_LIMIT_PASSWORD_RESET", default="5/hour"),  # per address, and per e-mail address
    "application": env("RATE_LIMIT_APPLICATION", default="30/hour"),  # per person
    "message": env("RATE_LIMIT_MESSAGE", default="120/hour"),  # per person
    # Team invitations send an e-mail quoting the organisation's and the
    # inviter's names: limited per person, per organisation and per address
    # invited (pages and API together).
    "invitation": env("RATE_LIMIT_INVITATION", default="20/hour"),  # per person
    "invitation_organization": env("RATE_LIMIT_INVITATION_ORGANIZATION", default="50/hour"),  # per organisation
    "invitation_recipient": env("RATE_LIMIT_INVITATION_RECIPIENT", default="3/day"),  # per address invited
    "organization_create": env("RATE_LIMIT_ORGANIZATION_CREATE", default="5/day"),  # per person
}
# Sign-in lock-out (accounts/lockout.py): after this many failed sign-ins
# for one account from one address within the window, that pair is refused
# (even with the right password) until the window has passed; an address
# that fails this many times across accounts is refused for any account.
SIGN_IN_LOCKOUT_FAILURES = env.int("SIGN_IN_LOCKOUT_FAILURES", default=5)
SIGN_IN_LOCKOUT_ADDRESS_FAILURES = env.int("SIGN_IN_LOCKOUT_ADDRESS_FAILURES", default=30)
SIGN_IN_LOCKOUT_MINUTES = env.int("SIGN_IN_LOCKOUT_MINUTES", default=15)
# Two-factor authentication (accounts/two_factor.py) is open to everyone;
# with this on, Django staff and owners of platform organisations must set it
# up before their sign-in completes. config/settings/local.py turns it off.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100

SPECTACULAR_SETTINGS = {
    "TITLE": "Tandem API",
    "DESCRIPTION": """Capabilities that large platforms open to SMEs, the needs SMEs post,
applications and their threads, invitations, notifications, and the ranker's matches.

**Tokens.** Sign in to Tandem, open *API tokens* in the menu, and create one: it is shown
once. Send it as `Authorization: Bearer tdm_…`. A token acts as you, for one organisation;
it stops working when revoked, when it expires or when you leave the organisation. In the
browser the API also accepts your session (with the CSRF token for writes).

**Public reads.** The catalogue, public needs (outline only), verified organisations,
tags and statistics need no token.

**Errors** have one shape: `{"message": "...", "code": "...", "extra": {...}}`;
`extra.fields` holds per-field messages (400), `extra.wait` the seconds to wait (429).
Other organisations' objects answer 404, actions you may not take 403, actions the
object's state does not allow 409.

**Lists** take `page` and `page_size` (20 by default, at most 100) and answer
`{count, next, previous, results}`. Unknown filter values are a 400.

**Rate limits**: per user and per anonymous address (1,200 and 120 a minute by default).""",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are public and read no credentials (so a bad
    # token sent to them is neither looked up nor left uncounted).
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.one_line_pattern_for_requests_only",
    ],
    "ENUM_NAME_OVERRIDES": {
        "IndustryEnum": "accounts.choices.Industry",
        "ProvinceEnum": "accounts.choices.Province",
        "SizeBandEnum": "accounts.choices.SizeBand",
        "CapabilityKindEnum": "marketplace.choices.CapabilityKind",
        "ListingStatusEnum": "marketplace.choices.ListingStatus",
        "NotificationKindEnum": "marketplace.choices.NotificationKind",
        "DeclineReasonEnum": "marketplace.choices.DeclineReason",
        "OrganizationKindEnum": "accounts.choices.OrganizationKind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SECURITY": [{"tokenAuth": []}, {"cookieAuth": []}],
}

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Marketplace: an application the platform has not decided within this many
# days expires (an hourly Celery task: CELERY_BEAT_SCHEDULE above).
APPLICATION_EXPIRY_DAYS = env.int("APPLICATION_EXPIRY_DAYS", default=30)
# A withdrawn, declined or expired application's thread takes last words for
# this many days after it ended, then closes (marketplace.services.applications).
APPLICATION_THREAD_GRACE_DAYS = env.int("APPLICATION_THREAD_GRACE_DAYS", default=7)

# Matching: proposals whose calibrated fit is below this are not made (no
# padding). Unset: matching's own floor (RELEVANCE_FLOOR in
# matching/ml/calibration.py, which says why it is what it is).
MATCHING_RELEVANCE_FLOOR = env.float("MATCHING_RELEVANCE_FLOOR", default=None)
# The semantic view's sentence encoder: "use" (Universal Sentence Encoder
# multilingual, installed from requirements-models.txt) or "none" (words only).
MATCHING_ENCODER = env.str("MATCHING_ENCODER", default="use")
