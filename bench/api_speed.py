"""Throughput and latency of API reads, served as in production.

    .venv/bin/python -m bench.api_speed [--seconds 10] [--concurrency 8]

Needs a PostgreSQL server (``--database-url``, default
``postgres://postgres@127.0.0.1:5432/tandem_bench_api``); that database is
dropped and made again with the demo data (``seed_demo``) and two tokens
(``demo_api_tokens``). The site is served by gunicorn (2 sync workers, DEBUG
off, Celery in-process, rate limits raised, database connections kept for
``--conn-max-age`` seconds: 60 as in production; 0 opens one per request, as
development settings do) on 127.0.0.1. For each scenario,
``--concurrency`` client threads send GET requests back to back for
``--seconds``; printed: requests per second, latency percentiles and errors.
The client runs on the same machine and takes CPU from the server: the
figures are a floor for a separate client.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess  # only to start our own gunicorn, fixed arguments
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench_api"

# (label, path, whose token)
SCENARIOS = [
    ("HTML catalogue page (anonymous)", "/capabilities/", None),
    ("API capabilities, 20 per page (anonymous)", "/api/v1/capabilities/", None),
    ("API capabilities, search q=OCR (anonymous)", "/api/v1/capabilities/?q=OCR", None),
    ("API needs board (platform token)", "/api/v1/needs/", "platform"),
    ("API matches (SME token)", "/api/v1/matches/", "sme"),
    ("API applications (platform token)", "/api/v1/applications/", "platform"),
    ("API open statistics (anonymous)", "/api/v1/stats/", None),
]


def _recreate_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        name = parts.path.lstrip("/")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(database_url: str, conn_max_age: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "",
        "REDIS_CACHE_URL": "",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "ERROR",
        "CONN_MAX_AGE": str(conn_max_age),
        "API_THROTTLE_USER": "100000000/minute",
        "API_THROTTLE_ANON": "100000000/minute",
        "API_THROTTLE_FAILED_AUTH": "100000000/minute",
    }


def _prepare(database_url: str, env: dict, workdir: Path) -> dict:
    """The demo data and two tokens, written by this process (Django set up
    with the server's environment)."""
    _recreate_database(database_url)
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("demo_api_tokens", "--output", str(workdir / "tokens"), verbosity=0)
    lines = (workdir / "tokens").read_text().split()
    return dict(line.split("=", 1) for line in lines)


def wait_ready(port: int, *, seconds: int = 30, process=None, log_path=None) -> None:
    """Wait until gunicorn on ``port`` answers /health/; stop with its log's
    end if ``process`` exits first."""
    for _ in range(seconds * 5):
        if process is not None and process.poll() is not None:
            tail = log_path.read_text()[-3000:] if log_path else ""
            raise SystemExit(f"gunicorn exited:\n{tail}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /health/ in {seconds} s")


def _load(port: int, path: str, token: str | None, seconds: float, concurrency: int) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies, errors = [], [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except OSError:
                failed += 1
            finally:
                connection.close()
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50": cuts[49] * 1000,
        "p95": cuts[94] * 1000,
        "p99": cuts[98] * 1000,
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--conn-max-age", type=int, default=60, help="seconds a database connection is kept")
    args = parser.parse_args()

    env = _server_env(args.database_url, args.conn_max_age)
    with tempfile.TemporaryDirectory() as workdir:
        print("preparing the database (migrate, seed_demo, demo_api_tokens)...", flush=True)
        tokens = _prepare(args.database_url, env, Path(workdir))
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [f"{ROOT}/.venv/bin/gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(port)
            print(
                f"gunicorn, 2 workers, CONN_MAX_AGE={args.conn_max_age}; {args.concurrency} client threads; "
                f"{args.seconds:g} s per scenario\n"
            )
            print(f"{'scenario':48} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}")
            for label, path, who in SCENARIOS:
                token = tokens[who] if who else None
                _load(port, path, token, 1, args.concurrency)  # warm the workers
                result = _load(port, path, token, args.seconds, args.concurrency)
                print(
                    f"{label:48} {result['per_second']:7.0f} {result['p50']:7.1f} {result['p95']:7.1f} "
                    f"{result['p99']:7.1f} {result['errors']:7d}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
