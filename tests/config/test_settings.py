"""Settings behaviour: each case loads the settings in a fresh interpreter with
a controlled environment, exactly as a process would start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# A fresh interpreter per case (a second or more each): not in make test-fast.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from config.celery import app
print(json.dumps({
    "debug": settings.DEBUG,
    "database": settings.DATABASES["default"]["ENGINE"],
    "database_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "broker": app.conf.broker_url,
    "eager": app.conf.task_always_eager,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "serializer": app.conf.task_serializer,
    "accept": list(app.conf.accept_content),
    "time_limit": app.conf.task_time_limit,
    "cancel_on_connection_loss": app.conf.worker_cancel_long_running_tasks_on_connection_loss,
    "mailer": settings.MAILERS["default"],
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "csrf_trusted_origins": settings.CSRF_TRUSTED_ORIGINS,
    "languages": [code for code, _ in settings.LANGUAGES],
    "locale_middleware": "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE,
}))
"""

SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
)


def load(module: str, **variables) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(variables, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def settings_of(module: str, **variables) -> dict:
    result = load(module, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_need_no_server():
    loaded = settings_of("config.settings.local")
    assert loaded["database"] == "django.db.backends.sqlite3"
    assert loaded["database_name"] == str(ROOT / "db.sqlite3")
    assert loaded["cache"].endswith("LocMemCache")
    assert loaded["eager"] is True
    assert loaded["broker"] == "memory://localhost/"
    assert loaded["mailer"]["BACKEND"].endswith("console.EmailBackend")
    assert loaded["debug"] is True


def test_redis_url_makes_redis_the_broker_and_cache():
    loaded = settings_of("config.settings.local", REDIS_URL="redis://127.0.0.1:6379/3")
    assert loaded["broker"] == "redis://127.0.0.1:6379/3"
    assert loaded["eager"] is False
    assert loaded["cache"].endswith("RedisCache")
    # The cache gets the next database, so clearing it never drops queued tasks.
    assert loaded["cache_location"] == "redis://127.0.0.1:6379/4"


def test_redis_without_database_number_caches_in_database_1():
    loaded = settings_of("config.settings.local", REDIS_URL="redis://:secret@cache.internal:6380")
    assert loaded["broker"] == "redis://:secret@cache.internal:6380"
    assert loaded["cache_location"] == "redis://:secret@cache.internal:6380/1"


def test_database_url_selects_postgresql():
    loaded = settings_of("config.settings.local", DATABASE_URL="postgres://tandem:secret@db.internal:5432/tandem")
    assert loaded["database"] == "django.db.backends.postgresql"
    assert loaded["database_name"] == "tandem"


def test_celery_is_safe_by_default():
    loaded = settings_of("config.settings.local")
    assert loaded["acks_late"] is True
    assert loaded["reject_on_worker_lost"] is True
    assert loaded["prefetch"] == 1
    assert loaded["serializer"] == "json"
    assert loaded["accept"] == ["json"]
    assert loaded["time_limit"] > 0
    assert loaded["cancel_on_connection_loss"] is True


def test_email_url_configures_smtp():
    loaded = settings_of("config.settings.local", EMAIL_URL="smtp+tls://mailer:p%40ss@mail.example.com:587")
    assert loaded["mailer"]["BACKEND"].endswith("smtp.EmailBackend")
    assert loaded["mailer"]["OPTIONS"] == {
        "host": "mail.example.com",
        "port": 587,
        "username": "mailer",
        "password": "p@ss",
        "use_tls": True,
        "timeout": 10,
    }


def test_hosts_and_origins_are_lists():
    loaded = settings_of(
        "config.settings.local",
        ALLOWED_HOSTS="tandem.example,www.tandem.example",
        CSRF_TRUSTED_ORIGINS="https://tandem.example",
    )
    assert loaded["allowed_hosts"] == ["tandem.example", "www.tandem.example"]
    assert loaded["csrf_trusted_origins"] == ["https://tandem.example"]


def test_production_refuses_to_start_without_secret_key():
    result = load("config.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def deploy_check(**variables) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k" * 20 + "Z7#" + "q" * 40,
        ALLOWED_HOSTS="tandem.example",
        EMAIL_URL="smtp+tls://mailer@mail.tandem.example:587",
        **variables,
    )
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_deploy_check_passes_for_a_complete_production_configuration():
    result = deploy_check(REDIS_URL="redis://redis:6379/0", SITE_URL="https://tandem.example")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_flags_missing_redis_and_a_local_site_url():
    result = deploy_check(SITE_URL="http://127.0.0.1:8000")
    assert result.returncode != 0
    assert "tandem.W001" in result.stderr
    assert "tandem.W002" in result.stderr


def test_production_starts_with_secret_and_is_not_debug():
    loaded = settings_of("config.settings.production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="tandem.example")
    assert loaded["debug"] is False


def test_two_languages_and_locale_middleware():
    loaded = settings_of("config.settings.local")
    assert loaded["languages"] == ["en", "zh-hans"]
    assert loaded["locale_middleware"] is True


def test_templates_load_nothing_from_a_cdn():
    # Static assets are served by the site itself (whitenoise), never a CDN.
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "//cdn" not in text and "googleapis" not in text and "unpkg" not in text, template
