"""Environment values turned into settings (used by config/settings/): helpers
live here so that the settings modules hold only settings."""

from urllib.parse import urlsplit, urlunsplit

import environ


def redis_url_with_next_db(url: str) -> str:
    """The same Redis server, next database number: the cache lives apart from
    the Celery queues, so clearing the cache (FLUSHDB) never drops tasks."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{database + 1}"))


# E-mail URL options and the names Django's SMTP backend takes for them.
_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",  # the name of an SMTP option, not a password  # nosec B105
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
}


def mailer_from_url(url: str) -> dict:
    """One MAILERS entry from an e-mail URL (parsed by django-environ)."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {name: config[key] for key, name in _SMTP_OPTIONS.items() if config.get(key) not in (None, "")}
        options.setdefault("timeout", 10)
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": config["EMAIL_FILE_PATH"]}
    return {"BACKEND": backend, "OPTIONS": options}
