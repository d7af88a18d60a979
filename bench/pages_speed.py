"""Tandem's pages and API list against a bare Django project, side by side.

    .venv/bin/python -m bench.pages_speed [--seconds 5] [--rounds 2] [--concurrency 16]

Builds, in a temporary folder, a bare Django project of its own: one
template view rendering 20 rows of a model and a bare Django REST framework
list of 20 rows (a ``ModelSerializer``, page number pagination), with the
middleware and apps that ``startproject`` gives. Both it and Tandem (the demo
data of ``seed_demo``) are served by gunicorn with the same flags (2 sync
workers, DEBUG off) on 127.0.0.1, each on a PostgreSQL database of its own
(``--database-url`` and the same name with ``_bare``; both dropped and made
again), with database connections kept for ``--conn-max-age`` seconds (60, as
in production). Tandem runs as api_speed runs it: the local-memory cache,
Celery in-process, rate limits raised.

For each page, ``--concurrency`` client threads send GET requests back to back
(a new connection each, as gunicorn's sync workers close them) for
``--seconds`` to Tandem, then as long to the bare project, ``--rounds`` times,
the order swapped each round: both sides of a pair see the same load from
whatever else runs on the machine, so their ratio is fair even when absolute
figures move with it. Printed per page: requests per second, p95 latency, and
the CPU the gunicorn processes (master and workers) and the PostgreSQL
backends of that database spent per request, for Tandem and bare, and the
ratio of their throughputs. The client runs on the same machine and takes
CPU from both servers: the figures are a floor for a separate client.
"""

import argparse
import io
import json
import os
import socket
import statistics
import subprocess  # only to start our own gunicorn and the bare project's manage.py, fixed arguments
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from bench.api_speed import _free_port, _recreate_database, _server_env, wait_ready
from bench.load.run import _cpu_by_process, _cpu_used, _postgres_pids, _process_tree, _session, _stop

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tandem_pages_bench"
BARE_PAGE = "/rows/"
BARE_API = "/api/rows/"

# --- the bare project -----------------------------------------------------------------

BARE_FILES = {
    "manage.py": """
        import os
        import sys

        if __name__ == "__main__":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bareproject.settings")
            from django.core.management import execute_from_command_line

            execute_from_command_line(sys.argv)
    """,
    "bareproject/__init__.py": "",
    "bareproject/settings.py": """
        import os
        from pathlib import Path
        from urllib.parse import urlsplit

        BASE_DIR = Path(__file__).resolve().parent.parent
        SECRET_KEY = "bare-benchmark-only"
        DEBUG = False
        ALLOWED_HOSTS = ["127.0.0.1"]
        INSTALLED_APPS = [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "rest_framework",
            "rows",
        ]
        MIDDLEWARE = [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ]
        ROOT_URLCONF = "bareproject.urls"
        TEMPLATES = [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ],
                },
            },
        ]
        WSGI_APPLICATION = "bareproject.wsgi.application"
        _url = urlsplit(os.environ["BARE_DATABASE_URL"])
        DATABASES = {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": _url.path.lstrip("/"),
                "USER": _url.username or "",
                "PASSWORD": _url.password or "",
                "HOST": _url.hostname or "",
                "PORT": _url.port or 5432,
                "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE", "0")),
                "CONN_HEALTH_CHECKS": True,
            }
        }
        DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
        LANGUAGE_CODE = "en-us"
        TIME_ZONE = "UTC"
        USE_I18N = True
        USE_TZ = True
        STATIC_URL = "static/"
        REST_FRAMEWORK = {
            "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
            "PAGE_SIZE": 20,
        }
    """,
    "bareproject/urls.py": """
        from django.http import HttpResponse
        from django.urls import path

        from rows import views

        urlpatterns = [
            path("health/", lambda request: HttpResponse("ok")),
            path("rows/", views.row_list),
            path("api/rows/", views.RowListApi.as_view()),
        ]
    """,
    "bareproject/wsgi.py": """
        import os

        from django.core.wsgi import get_wsgi_application

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bareproject.settings")
        application = get_wsgi_application()
    """,
    "rows/__init__.py": "",
    "rows/models.py": """
        from django.db import models


        class Row(models.Model):
            title = models.CharField(max_length=200)
            summary = models.TextField()
            category = models.CharField(max_length=50)
            price = models.DecimalField(max_digits=10, decimal_places=2)
            created_at = models.DateTimeField(auto_now_add=True)

            class Meta:
                ordering = ["-created_at", "-pk"]
    """,
    "rows/views.py": """
        from django.shortcuts import render
        from rest_framework import generics, serializers

        from rows.models import Row


        def row_list(request):
            return render(request, "rows/list.html", {"rows": Row.objects.all()[:20]})


        class RowSerializer(serializers.ModelSerializer):
            class Meta:
                model = Row
                fields = ["id", "title", "summary", "category", "price", "created_at"]


        class RowListApi(generics.ListAPIView):
            queryset = Row.objects.all()
            serializer_class = RowSerializer
    """,
    "rows/management/__init__.py": "",
    "rows/management/commands/__init__.py": "",
    "rows/management/commands/seed_rows.py": """
        from decimal import Decimal

        from django.core.management.base import BaseCommand

        from rows.models import Row


        class Command(BaseCommand):
            def handle(self, *args, **options):
                Row.objects.all().delete()
                Row.objects.bulk_create(
                    Row(
                        title=f"Capability number {n}",
                        summary="A short description of what this row offers, about one sentence long. " * 2,
                        category=("api", "data", "compute", "service")[n % 4],
                        price=Decimal(n * 10),
                    )
                    for n in range(200)
                )
    """,
    "rows/templates/rows/list.html": """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><title>Rows</title></head>
        <body>
        <main>
          <h1>Rows</h1>
          <ul>
          {% for row in rows %}
            <li>
              <h2><a href="/rows/{{ row.pk }}/">{{ row.title }}</a></h2>
              <p>{{ row.summary|truncatewords:30 }}</p>
              <p>{{ row.category }} · {{ row.price }} · {{ row.created_at|date:"Y-m-d" }}</p>
            </li>
          {% endfor %}
          </ul>
        </main>
        </body>
        </html>
    """,
}


def build_bare_project(folder: Path, env: dict) -> None:
    for name, text in BARE_FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    python = str(VENV_BIN / "python")
    for command in (["makemigrations", "rows"], ["migrate", "--noinput"], ["seed_rows"]):
        subprocess.run([python, "manage.py", *command, "-v", "0"], cwd=folder, env=env, check=True)  # noqa: S603


# --- Tandem: data, sessions and the pages ---------------------------------------------


def prepare_tandem(database_url: str, env: dict, workdir: Path) -> dict:
    """Demo data, two API tokens and signed-in sessions, written by this process
    (Django set up with the server's environment). Returns what the pages need."""
    _recreate_database(database_url)
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    from django.db.models import Count

    from accounts.models import Membership, User
    from demo.management.commands.seed_demo import DEMO_ADMIN, DEMO_USERS
    from marketplace.models import Capability, Need

    call_command("migrate", "--noinput", verbosity=0)
    with open(workdir / "seed.log", "w") as seed_log:
        call_command("seed_demo", stdout=seed_log)
    call_command("demo_api_tokens", "--output", str(workdir / "tokens"), stdout=io.StringIO())
    tokens = dict(line.split("=", 1) for line in (workdir / "tokens").read_text().split())

    def signed_in(email: str) -> str:
        membership = Membership.objects.filter(user__email=email).select_related("user").order_by("pk").first()
        if membership is None:
            return _session(User.objects.get(email=email), None)
        return _session(membership.user, membership.organization_id)

    sme_email, platform_email = DEMO_USERS[0][0], DEMO_USERS[2][0]
    sme = Membership.objects.get(user__email=sme_email)
    platform = Membership.objects.get(user__email=platform_email)
    # The listings with the most proposals: the fullest recommendation lists.
    need = (
        Need.objects.filter(organization_id=sme.organization_id, status="published")
        .annotate(proposals=Count("matches"))
        .order_by("-proposals", "pk")
        .first()
    )
    capability = (
        Capability.objects.filter(organization_id=platform.organization_id, status="published")
        .annotate(proposals=Count("matches"))
        .order_by("-proposals", "pk")
        .first()
    )
    fill_proposals(need=need, capability=capability)
    from django.db import connections

    connections.close_all()
    return {
        "tokens": tokens,
        "sessions": {
            "sme": signed_in(sme_email),
            "platform": signed_in(platform_email),
            "staff": signed_in(DEMO_ADMIN[0]),
        },
        "need": need.pk,
        "need_proposals": need.matches.count(),
        "capability": capability.pk,
        "capability_proposals": capability.matches.count(),
    }


def fill_proposals(*, need, capability, count: int = 20) -> None:
    """Give the need and the capability ``count`` proposals each, as a full
    list shows them: the demo matcher proposes only a few per listing. The
    added rows copy the reasons and features of a real proposal and rank
    after the need's own; scores run from strong to weak, so both the list
    and its folded weaker part render."""
    from django.db.models import Max
    from django.utils import timezone

    from marketplace.models import Capability, Need
    from matching.models import Match

    template = Match.objects.exclude(reasons=[]).order_by("-score").first()
    taken = set(need.matches.values_list("capability_id", flat=True))
    capabilities = Capability.objects.filter(status="published").exclude(pk__in=taken).order_by("pk")
    pairs = [(need.pk, pk) for pk in capabilities.values_list("pk", flat=True)[: max(count - len(taken), 0)]]
    taken = set(capability.matches.values_list("need_id", flat=True))
    needs = Need.objects.filter(status="published").exclude(pk__in=taken | {need.pk}).order_by("pk")
    pairs += [(pk, capability.pk) for pk in needs.values_list("pk", flat=True)[: max(count - len(taken), 0)]]
    next_rank: dict[int, int] = {}
    rows = []
    for place, (need_id, capability_id) in enumerate(pairs):
        if need_id not in next_rank:
            next_rank[need_id] = (Match.objects.filter(need_id=need_id).aggregate(last=Max("rank"))["last"] or 0) + 1
        rows.append(
            Match(
                need_id=need_id,
                capability_id=capability_id,
                score=max(0.92 - (place % count) * 0.03, 0.2),
                rank=next_rank[need_id],
                features=template.features,
                reasons=template.reasons,
                computed_at=timezone.now(),
            )
        )
        next_rank[need_id] += 1
    Match.objects.bulk_create(rows)


def pages(prepared: dict) -> list[dict]:
    """(label, Tandem path, who, the bare path it is weighed against, a string the page must hold)."""
    need, capability = prepared["need"], prepared["capability"]
    return [
        {"label": "home", "path": "/", "bare": BARE_PAGE, "marker": "<main"},
        {"label": "catalogue", "path": "/capabilities/", "bare": BARE_PAGE, "marker": "card-grid"},
        {"label": "search en (q=OCR)", "path": "/capabilities/?q=OCR", "bare": BARE_PAGE, "marker": "<main"},
        {
            "label": "search zh (q=发票)",
            "path": "/capabilities/?q=" + quote("发票"),
            "bare": BARE_PAGE,
            "marker": "<main",
        },
        {
            "label": "catalogue, Chinese page",
            "path": "/capabilities/",
            "language": "zh-hans",
            "bare": BARE_PAGE,
            "marker": "<main",
        },
        {"label": "needs board (platform)", "path": "/needs/", "who": "platform", "bare": BARE_PAGE, "marker": "<main"},
        {
            "label": f"need detail, {prepared['need_proposals']} proposals (SME)",
            "path": f"/needs/{need}/",
            "who": "sme",
            "bare": BARE_PAGE,
            "marker": "match-list",
        },
        {
            "label": f"capability detail, {prepared['capability_proposals']} fits (platform)",
            "path": f"/capabilities/{capability}/",
            "who": "platform",
            "bare": BARE_PAGE,
            "marker": "match-list",
        },
        {"label": "dashboard (SME)", "path": "/dashboard/", "who": "sme", "bare": BARE_PAGE, "marker": "<main"},
        {
            "label": "dashboard (platform)",
            "path": "/dashboard/",
            "who": "platform",
            "bare": BARE_PAGE,
            "marker": "<main",
        },
        {
            "label": "dashboard (ecosystem, staff)",
            "path": "/dashboard/ecosystem/",
            "who": "staff",
            "bare": BARE_PAGE,
            "marker": "<main",
        },
        {
            "label": "API capabilities (token)",
            "path": "/api/v1/capabilities/",
            "token": "sme",
            "bare": BARE_API,
            "marker": '"results"',
        },
    ]


def request_bytes(path: str, *, session: str | None = None, token: str | None = None, language: str | None = None):
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", "Accept-Encoding: identity"]
    cookies = []
    if session:
        cookies.append(f"sessionid={session}")
    if language:
        cookies.append(f"django_language={language}")
    if cookies:
        lines.append("Cookie: " + "; ".join(cookies))
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- the load --------------------------------------------------------------------------


def fetch(port: int, raw: bytes) -> tuple[int, bytes]:
    """One request on a fresh connection: (status, whole response)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(raw)
        chunks = []
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    response = b"".join(chunks)
    return int(response[9:12] or 0), response


def load(port: int, raw: bytes, seconds: float, concurrency: int, cpu_groups) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _response = fetch(port, raw)
                failed += status != 200
            except (OSError, ValueError):
                failed += 1
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    before = [_cpu_by_process(pids()) for pids in cpu_groups]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    after = [_cpu_by_process(pids()) for pids in cpu_groups]
    server_cpu, database_cpu = (_cpu_used(b, a) for b, a in zip(before, after, strict=True))
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "latencies": latencies,
        "errors": errors[0],
        "server_cpu": server_cpu,
        "database_cpu": database_cpu,
    }


def combine(slices: list[dict]) -> dict:
    requests = sum(s["requests"] for s in slices)
    latencies = [value for s in slices for value in s["latencies"]]
    return {
        "requests": requests,
        "per_second": requests / sum(s["seconds"] for s in slices),
        "p95": statistics.quantiles(latencies, n=100)[94] * 1000 if len(latencies) > 1 else float("nan"),
        "errors": sum(s["errors"] for s in slices),
        "cpu_ms": 1000 * sum(s["server_cpu"] for s in slices) / max(requests, 1),
        "db_cpu_ms": 1000 * sum(s["database_cpu"] for s in slices) / max(requests, 1),
    }


def table(results: list[dict]) -> str:
    lines = [
        "| page | Tandem req/s | bare req/s | ratio | Tandem p95 ms | bare p95 ms | "
        "Tandem CPU ms/req (+ PostgreSQL) | bare CPU ms/req (+ PostgreSQL) | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        t, b = row["tandem"], row["bare"]
        lines.append(
            f"| {row['label']} | {t['per_second']:.0f} | {b['per_second']:.0f} | "
            f"{t['per_second'] / b['per_second']:.2f} | {t['p95']:.0f} | {b['p95']:.0f} | "
            f"{t['cpu_ms']:.1f} (+{t['db_cpu_ms']:.1f}) | {b['cpu_ms']:.1f} (+{b['db_cpu_ms']:.1f}) | "
            f"{t['errors'] + b['errors']} |"
        )
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------


def gunicorn(module: str, port: int, cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        module,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--error-logfile",
        str(log),
    ]
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL, help="Tandem's database; the bare one adds _bare")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per side per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--conn-max-age", type=int, default=60, help="seconds a database connection is kept")
    parser.add_argument("--only", help="only the pages whose label holds this text")
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    parts = urlsplit(args.database_url)
    tandem_db = parts.path.lstrip("/")
    bare_db = f"{tandem_db}_bare"
    bare_url = parts._replace(path=f"/{bare_db}").geturl()
    tandem_env = _server_env(args.database_url, args.conn_max_age)
    bare_env = {**os.environ, "BARE_DATABASE_URL": bare_url, "CONN_MAX_AGE": str(args.conn_max_age)}
    bare_env.pop("DJANGO_SETTINGS_MODULE", None)
    servers: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="tandem-pages-") as folder:
        workdir = Path(folder)
        print("preparing Tandem (migrate, seed_demo, tokens, sessions) and the bare project...", flush=True)
        prepared = prepare_tandem(args.database_url, tandem_env, workdir)
        _recreate_database(bare_url)
        bare_root = workdir / "bare"
        build_bare_project(bare_root, bare_env)
        try:
            tandem_port, bare_port = _free_port(), _free_port()
            servers.append(gunicorn("config.wsgi:application", tandem_port, ROOT, tandem_env, workdir / "tandem.log"))
            servers.append(
                gunicorn("bareproject.wsgi:application", bare_port, bare_root, bare_env, workdir / "bare.log")
            )
            wait_ready(tandem_port, seconds=60, process=servers[0], log_path=workdir / "tandem.log")
            wait_ready(bare_port, seconds=60, process=servers[1], log_path=workdir / "bare.log")
            sides = {
                "tandem": (tandem_port, [lambda: _process_tree(servers[0].pid), _postgres_pids(tandem_db)]),
                "bare": (bare_port, [lambda: _process_tree(servers[1].pid), _postgres_pids(bare_db)]),
            }
            print(
                f"gunicorn, 2 sync workers each, CONN_MAX_AGE={args.conn_max_age}; {args.concurrency} clients; "
                f"{args.rounds} × {args.seconds:g} s per side, interleaved\n",
                flush=True,
            )
            results = []
            for page in pages(prepared):
                if args.only and args.only not in page["label"]:
                    continue
                session = prepared["sessions"][page["who"]] if page.get("who") else None
                token = prepared["tokens"][page["token"]] if page.get("token") else None
                raws = {
                    "tandem": request_bytes(page["path"], session=session, token=token, language=page.get("language")),
                    "bare": request_bytes(page["bare"]),
                }
                for side, (port, _groups) in sides.items():
                    status, body = fetch(port, raws[side])
                    marker = (
                        page["marker"] if side == "tandem" else ("<li>" if page["bare"] == BARE_PAGE else '"results"')
                    )
                    if status != 200 or marker.encode() not in body:
                        raise SystemExit(f"{side} {page['path']}: status {status}, or {marker!r} missing")
                    load(port, raws[side], 1, args.concurrency, _groups)  # warm the workers
                slices: dict[str, list] = {"tandem": [], "bare": []}
                for round_ in range(args.rounds):
                    order = ["tandem", "bare"] if round_ % 2 == 0 else ["bare", "tandem"]
                    for side in order:
                        port, groups = sides[side]
                        slices[side].append(load(port, raws[side], args.seconds, args.concurrency, groups))
                row = {"label": page["label"], "path": page["path"], **{s: combine(v) for s, v in slices.items()}}
                results.append(row)
                t, b = row["tandem"], row["bare"]
                print(
                    f"{page['label']:42} Tandem {t['per_second']:6.0f} req/s p95 {t['p95']:6.1f} ms "
                    f"CPU {t['cpu_ms']:5.1f} ms/req | bare {b['per_second']:6.0f} req/s p95 {b['p95']:6.1f} ms "
                    f"CPU {b['cpu_ms']:5.1f} ms/req | ratio {t['per_second'] / b['per_second']:.2f}"
                    + (f" | ERRORS {t['errors'] + b['errors']}" if t["errors"] + b["errors"] else ""),
                    flush=True,
                )
            report = table(results)
            print("\n" + report + "\n", flush=True)
            if args.markdown:
                args.markdown.write_text(report + "\n")
            if args.json:
                args.json.write_text(json.dumps(results, indent=1))
            for name in ("tandem.log", "bare.log"):
                text = (workdir / name).read_text()
                if "Traceback" in text:
                    print(f"{name} holds errors:\n{text[-3000:]}", flush=True)
            return 1 if any(r["tandem"]["errors"] + r["bare"]["errors"] for r in results) else 0
        finally:
            for server in servers:
                _stop(server)
            for url in (args.database_url, bare_url):
                _drop_database(url)


def _drop_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


if __name__ == "__main__":
    sys.exit(main())
