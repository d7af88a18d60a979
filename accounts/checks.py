"""Deployment checks (``manage.py check --deploy``) for Tandem's own settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


@register(Tags.security, deploy=True)
def deployment_settings(app_configs, **kwargs):
    problems = []
    if not settings.REDIS_URL:
        problems.append(
            Warning(
                "REDIS_URL is not set, so Celery tasks (e-mails, matching) run inside web requests.",
                hint="Set REDIS_URL and run a Celery worker and beat.",
                id="tandem.W001",
            )
        )
    site = urlsplit(settings.SITE_URL)
    if site.scheme != "https" or site.hostname in LOCAL_HOSTS:
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}; links in e-mails would not reach users.",
                hint="Set SITE_URL to the public https:// address of the site.",
                id="tandem.W002",
            )
        )
    return problems
