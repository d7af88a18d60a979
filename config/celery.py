"""The Celery application. Settings come from Django settings, prefix CELERY_."""

import logging
import os
from smtplib import SMTPException

from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# Options for tasks that send e-mail: retry with growing, jittered back-off
# when the mail server or the network fails; other errors are bugs and surface.
EMAIL_TASK_OPTIONS = {
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
}


def task_send(task, *args, **kwargs) -> bool:
    """Queue ``task`` without waiting on the result store; False, and a
    warning in the log, when the broker cannot be reached.

    For work queued after a commit: the write is already committed, so a
    broker outage must not turn it into an error page. Matching work left
    unqueued is found again by matching.tasks.matches_reconcile. No result
    is kept (nobody waits for one), which also spares the caller the result
    store's reconnection loop when Redis is down."""
    try:
        task.apply_async(args, kwargs, ignore_result=True)
    except (KombuOperationalError, RedisError, ConnectionError, TimeoutError) as error:
        logger.warning("Task %s not queued: the broker is unreachable (%s)", task.name, error)
        return False
    return True
