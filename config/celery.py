"""The Celery application. Settings come from Django settings, prefix CELERY_."""

import logging
import os
from smtplib import SMTPException

from celery import Celery, Task
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


class EmailTask(Task):
    """A task that sends an e-mail: no failure is silent. A failure the task
    will not retry (a bug, or the mail server still failing after the last
    retry) is logged as an error naming the task and its arguments. Run in
    the request that queued it (no broker: ``make run``), its failure is
    logged and not raised: the write that queued it committed, and the
    request must not answer 500 for an e-mail."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error(
            "E-mail task %s%r failed and the e-mail was not sent: %s: %s",
            self.name,
            tuple(args or ()),
            type(exc).__name__,
            exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )

    def apply(self, *args, **kwargs):
        kwargs["throw"] = False  # eager: logged by on_failure, not raised into the request
        return super().apply(*args, **kwargs)


# Options for tasks that send e-mail: retry with growing, jittered back-off
# when the mail server or the network fails; other errors are bugs, logged as
# errors (EmailTask).
EMAIL_TASK_OPTIONS = {
    "base": EmailTask,
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
