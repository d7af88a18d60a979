"""A real Celery worker process for tests marked ``celery_worker``.

The worker runs ``celery -A config worker`` against Redis and against the
*test* database, on the test run's own queue. Because it is another process it
sees only committed rows, so tests that use it must be transactional
(``@pytest.mark.django_db(transaction=True)``).
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from tests.service_gates import missing_service

WORKER_START_TIMEOUT = 60


def _database_url(settings_dict) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict["HOST"] or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url or connection.vendor != "postgresql":
        missing_service("a real Celery worker needs REDIS_URL and a PostgreSQL DATABASE_URL")
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    nodename = f"{queue}@{socket.gethostname()}"
    log_path = Path(tmp_path_factory.mktemp("celery")) / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        # After django_db_setup, NAME is the test database's name.
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--queues", queue, "--hostname", nodename,
        "--pool", "prefork", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--loglevel", "INFO",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    def log_tail() -> str:
        return log_path.read_text(errors="replace")[-4000:]

    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited with {process.returncode}:\n{log_tail()}", pytrace=False)
        if app.control.ping(destination=[nodename], timeout=1.0):
            break
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker did not answer within {WORKER_START_TIMEOUT}s:\n{log_tail()}")
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def celery_worker(celery_worker_process):
    """Send tasks to the real worker instead of running them in-process."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        app.conf.task_always_eager = previous
