"""Load test: Locust against gunicorn, PostgreSQL, Redis and a Celery worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.load.run            # the full run (make load-test)
    ... .venv/bin/python -m bench.load.run --short    # CI's form: small data, two short steps

1. A throwaway database on DATABASE_URL's server (``tandem_load_<pid>``),
   migrated and seeded: ``seed_demo``, then ``bench.load.scale`` up to
   ``--capabilities`` published capabilities and ``--needs`` published needs
   over ``--platforms`` platform and ``--smes`` SME organisations; VACUUM
   ANALYZE; then the project's full rebuild of the matches (``rebuild_matches``).
2. Accounts for Locust: ``--sme-accounts`` SME owners and
   ``--platform-accounts`` platform owners, each signed in once (a session
   row, as signing in writes it) with an API token, and one open application
   per SME owner to a platform owner's capability, so both sides have a thread.
3. gunicorn (``--workers`` sync workers) and a Celery worker (one process),
   with DEBUG off, e-mail discarded, persistent database connections
   (CONN_MAX_AGE=60, as production) and Redis as broker and cache, on two
   Redis database numbers of their own (``--redis-db`` and the next one),
   emptied before and after. Rate limits (API_THROTTLE_*, RATE_LIMIT_APPLICATION,
   RATE_LIMIT_MESSAGE) are raised far above the load unless the environment
   sets them, so that the run measures the site, not its 429s; ``--env
   NAME=VALUE`` sets anything else for the server and the worker.
4. For each ``--users`` count: Locust, headless, for ``--seconds`` after all
   users have started (statistics reset then), with think times of
   ``--wait`` seconds. Per step: requests per second, p50/p95/p99, failures,
   per request kind too, and the cores that gunicorn, the Celery worker,
   the PostgreSQL backends of the run's database, Locust and the whole
   machine kept busy.

Prints a Markdown table (also written to ``--markdown`` if given) and the
highest user count whose p95 stayed under ``--target-p95`` ms with no
failure. Exit status 1 when ``--fail-on-error`` (implied by ``--short``) and
any request failed. The database, the processes and the Redis databases are
removed on exit. ``--keep`` keeps the database and the work folder, with an
``accounts.json`` that ``--reuse`` takes to run the steps again on that
database without preparing it anew (it is then kept).
"""

import argparse
import csv
import json
import os
import random
import shutil
import signal
import socket
import subprocess  # only to start our own gunicorn, Celery and Locust, fixed arguments
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.api_speed import wait_ready

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

FULL = {
    "capabilities": 10_000,
    "needs": 20_000,
    "platforms": 200,
    "smes": 2_000,
    "sme_accounts": 200,
    "platform_accounts": 100,
    "users": "5,10,20,30,40,60",
    "seconds": 60,
}
SHORT = {
    "capabilities": 600,
    "needs": 1_200,
    "platforms": 20,
    "smes": 100,
    "sme_accounts": 12,
    "platform_accounts": 6,
    "users": "5,10",
    "seconds": 15,
}
# Rate limits for the run, unless the environment sets them: far above what
# the load sends, so that it measures the site and not its 429 answers (the
# same account writes many applications and messages over the steps).
RAISED_LIMITS = {
    "API_THROTTLE_USER": "100000000/minute",
    "API_THROTTLE_ANON": "100000000/minute",
    "API_THROTTLE_FAILED_AUTH": "100000000/minute",
    "RATE_LIMIT_APPLICATION": "100000000/hour",
    "RATE_LIMIT_MESSAGE": "100000000/hour",
}
SEARCH_TERMS = ["OCR", "发票", "forecast", "物流", "GPU", "质检", "invoice", "数据", "API", "route", "模型", "客服"]


def log(message: str) -> None:
    print(f"[load-test] {message}", flush=True)


# --- the throwaway database and Redis ------------------------------------------------


def _database_urls(url: str, name: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"DATABASE_URL must point at PostgreSQL, not {parts.scheme or url!r}")
    admin = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username,
        "password": parts.password,
        "dbname": "postgres",
    }
    return parts._replace(path=f"/{name}").geturl(), admin


def _admin_sql(admin: dict, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(**admin)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def _redis_url(url: str, database: int) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise SystemExit(f"REDIS_URL must point at Redis, not {parts.scheme or url!r}")
    return parts._replace(path=f"/{database}").geturl()


def _redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- preparing the data (this process, Django set up for the throwaway database) -------


def _prepare(args, workdir: Path) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth.hashers import make_password

    from bench.load.scale import scale_marketplace
    from demo.management.commands.seed_demo import DEMO_PASSWORD

    started = time.perf_counter()
    if args.template:
        log(f"the demo copied from {args.template}, migrated and seeded")
    else:
        call_command("migrate", "--noinput", verbosity=0)
        with open(workdir / "seed.log", "w") as seed_log:
            call_command("seed_demo", stdout=seed_log)
        log(f"migrated and seeded the demo in {time.perf_counter() - started:.0f} s")
    step = time.perf_counter()
    organizations = scale_marketplace(
        capabilities=args.capabilities,
        needs=args.needs,
        platforms=args.platforms,
        smes=args.smes,
        password_hash=make_password(DEMO_PASSWORD),
    )
    _analyze()
    log(f"scaled to {args.capabilities:,} capabilities and {args.needs:,} needs in {time.perf_counter() - step:.0f} s")
    step = time.perf_counter()
    with open(workdir / "rebuild.log", "w") as rebuild_log:
        call_command("rebuild_matches", stdout=rebuild_log)
    _analyze()
    log(f"rebuilt the matches in {time.perf_counter() - step:.0f} s: {_last_line(workdir / 'rebuild.log')}")
    step = time.perf_counter()
    accounts = _accounts(args, organizations)
    log(
        f"{len(accounts['sme'])} SME and {len(accounts['platform'])} platform accounts in {time.perf_counter() - step:.0f} s"
    )
    return accounts


def _analyze() -> None:
    """VACUUM ANALYZE after the bulk inserts, as autovacuum would do on a live
    database in a while: without fresh statistics PostgreSQL plans for the
    demo's few hundred rows (the catalogue's first page took 116 ms instead
    of 1.3 ms), and without the visibility map counts cannot use the indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _last_line(path: Path) -> str:
    lines = path.read_text().replace("\r", "\n").strip().splitlines()
    return lines[-1] if lines else ""


def _session(user, organization_id: int) -> str:
    """A signed-in session, as django.contrib.auth.login and the sign-in
    signal write it (the password check itself is not part of the load)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.middleware import REFRESHED_AT, SIGNED_IN_AT

    session = SessionStore()
    now = int(time.time())
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = now
    session[REFRESHED_AT] = now
    session["current_organization_id"] = organization_id
    session.create()
    return session.session_key


def _eligible_capabilities(organization) -> list[tuple[int, int, int]]:
    """(id, terms version, platform id) of every published capability the SME may apply to."""
    from django.db.models import Q

    from marketplace.models import Capability

    return list(
        Capability.objects.published()
        .filter(Q(eligible_size_bands="") | Q(eligible_size_bands__has=organization.size_band))
        .filter(Q(requires_verification=False) | Q(requires_verification=organization.is_verified))
        .values_list("pk", "terms_version", "organization_id")
    )


def _accounts(args, organizations: dict) -> dict:
    from django.middleware.csrf import _get_new_csrf_string

    from accounts.api_tokens import api_token_create
    from accounts.models import Membership
    from marketplace.services.applications import application_submit

    rng = random.Random(11)  # noqa: S311 - benchmark data, not security
    accounts = {"sme": [], "platform": []}
    platform_orgs = organizations["platforms"][: args.platform_accounts]
    platform_ids = [org["id"] for org in platform_orgs]
    for org in platform_orgs:
        membership = Membership.objects.select_related("user", "organization").get(
            user_id=org["user_id"], organization_id=org["id"]
        )
        _token, raw = api_token_create(membership=membership, name="Load test", expires_in_days=None)
        accounts["platform"].append(
            {
                "email": org["email"],
                "organization": org["id"],
                "session": _session(membership.user, org["id"]),
                "csrf": _get_new_csrf_string(),
                "token": raw,
            }
        )
    for index, org in enumerate(organizations["smes"][: args.sme_accounts]):
        membership = Membership.objects.select_related("user", "organization").get(
            user_id=org["user_id"], organization_id=org["id"]
        )
        eligible = _eligible_capabilities(membership.organization)
        # The first application: to a capability of a platform account, so that
        # both sides have a thread to write in.
        platform_id = platform_ids[index % len(platform_ids)]
        first = next((pk for pk, _version, owner in eligible if owner == platform_id), None)
        if first is None:
            first = next(pk for pk, _version, owner in eligible if owner in platform_ids)
        terms = {pk: version for pk, version, _owner in eligible}
        application_submit(
            membership=membership,
            capability_id=first,
            intended_use="Load test: a first application, so that the thread has two sides.",
            answer="About 1,000 a month.",
            accepted_terms_version=terms[first],
        )
        _token, raw = api_token_create(membership=membership, name="Load test", expires_in_days=None)
        sample = rng.sample(list(terms), min(len(terms), 300))
        accounts["sme"].append(
            {
                "email": org["email"],
                "organization": org["id"],
                "session": _session(membership.user, org["id"]),
                "csrf": _get_new_csrf_string(),
                "token": raw,
                "candidates": [[pk, terms[pk]] for pk in sample if pk != first],
            }
        )
    return accounts


def _step_data(accounts: dict) -> dict:
    """What Locust reads for one step: the accounts with their current open
    applications, matches and not yet applied capabilities; public ids."""
    from django.db.models import Count

    from marketplace.choices import OPEN_APPLICATION_STATUSES, ListingStatus, NeedVisibility
    from marketplace.models import Application, Capability, Need
    from matching.models import Feedback, Match

    rng = random.Random()  # noqa: S311 - benchmark data, not security
    sme_ids = [account["organization"] for account in accounts["sme"]]
    platform_ids = [account["organization"] for account in accounts["platform"]]
    applied, open_by_org = set(), {}
    for pk, sme, capability, owner, status in Application.objects.filter(sme_id__in=sme_ids).values_list(
        "pk", "sme_id", "capability_id", "capability__organization_id", "status"
    ):
        applied.add((sme, capability))
        if status in OPEN_APPLICATION_STATUSES:
            open_by_org.setdefault(sme, []).append(pk)
            open_by_org.setdefault(owner, []).append(pk)
    needs_by_org, matches_by_org = {}, {}
    for pk, org in Need.objects.published().filter(organization_id__in=sme_ids).values_list("pk", "organization_id"):
        needs_by_org.setdefault(org, []).append(pk)
    for pk, org in (
        Match.objects.proposed()
        .filter(need__organization_id__in=sme_ids)
        .exclude(sme_feedback=Feedback.DISMISSED)
        .values_list("pk", "need__organization_id")
    ):
        matches_by_org.setdefault(org, []).append(pk)
    capabilities_by_org = {}
    for pk, org in (
        Capability.objects.published().filter(organization_id__in=platform_ids).values_list("pk", "organization_id")
    ):
        capabilities_by_org.setdefault(org, []).append(pk)
    sme_accounts = [
        {
            **account,
            "applications": open_by_org.get(account["organization"], []),
            "needs": needs_by_org[account["organization"]],
            "matches": rng.sample(
                matches_by_org.get(account["organization"], []),
                min(60, len(matches_by_org.get(account["organization"], []))),
            ),
            "to_apply": [pair for pair in account["candidates"] if (account["organization"], pair[0]) not in applied],
        }
        for account in accounts["sme"]
    ]
    platform_accounts = [
        {
            **account,
            "applications": open_by_org.get(account["organization"], []),
            "capabilities": capabilities_by_org[account["organization"]],
        }
        for account in accounts["platform"]
    ]
    capability_ids = list(Capability.objects.published().values_list("pk", flat=True))
    need_ids = list(
        Need.objects.filter(status=ListingStatus.PUBLISHED, visibility=NeedVisibility.PUBLIC).values_list(
            "pk", flat=True
        )
    )
    tags = [
        row["tag__key"]
        for row in Capability.tags.through.objects.values("tag__key")
        .annotate(uses=Count("capability_id"))
        .order_by("-uses")[:40]
    ]
    kinds = list(Capability.objects.published().order_by().values_list("kind", flat=True).distinct())
    regions = list(Need.objects.published().order_by().values_list("region", flat=True).distinct())
    industries = list(Need.objects.published().order_by().values_list("industry", flat=True).distinct())
    return {
        "sme": sme_accounts,
        "platform": platform_accounts,
        "public": {
            "capabilities": rng.sample(capability_ids, min(2000, len(capability_ids))),
            "needs": rng.sample(need_ids, min(2000, len(need_ids))),
            "tags": tags,
            "kinds": kinds,
            "regions": regions,
            "industries": industries,
            "queries": SEARCH_TERMS,
        },
    }


# --- the services under load ---------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(command: list[str], env: dict, output) -> subprocess.Popen:
    """Our own gunicorn, Celery worker or Locust: programs of the virtualenv, fixed arguments."""
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _process_tree(pid: int) -> list[int]:
    """The process and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def _cpu_by_process(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process."""
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return seconds


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two samples: what each process added, all of
    it for a process that started in between (one that ended is not seen)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _postgres_pids(database: str):
    """The PostgreSQL server processes serving ``database`` (its backends, by
    their process title), so that other databases' work is not counted."""

    def pids() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if title.startswith("postgres:") and f" {database} " in title:
                    found.append(int(entry.name))
        return found

    return pids


def _machine_busy_seconds() -> float:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _run_step(args, users: int, port: int, env: dict, workdir: Path, groups: dict) -> dict:
    prefix = workdir / f"step-{users}"
    # All users start within about two seconds; statistics are reset once
    # they have, so the figures are the steady state of ``users`` visitors.
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(users / 2, 1)),
        "--run-time",
        f"{args.seconds + 3}s",
        "--reset-stats",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    with open(f"{prefix}.log", "w") as locust_log:
        locust = _spawn(command, env, locust_log)
        groups = {**groups, "Locust": lambda: [locust.pid]}
        time.sleep(3)  # spawning; the CPU is counted from here, as the statistics
        before = {name: _cpu_by_process(pids()) for name, pids in groups.items()}
        busy_before, started = _machine_busy_seconds(), time.perf_counter()
        # Sampled at the end, before Locust exits.
        time.sleep(max(args.seconds - 1, 1))
        after = {name: _cpu_by_process(pids()) for name, pids in groups.items()}
        busy_after, elapsed = _machine_busy_seconds(), time.perf_counter() - started
        locust.wait(timeout=args.seconds + 120)
    stats = _read_stats(Path(f"{prefix}_stats.csv"))
    failures = _read_failures(Path(f"{prefix}_failures.csv"))
    cpu = {name: _cpu_used(before[name], after[name]) / elapsed for name in groups}
    cpu["whole machine"] = (busy_after - busy_before) / elapsed
    return {"users": users, "stats": stats, "failures": failures, "cpu": cpu}


def _read_stats(path: Path) -> dict:
    rows = {}
    with open(path, newline="") as file:
        for row in csv.DictReader(file):
            name = row["Name"] if row["Type"] else "all"
            if row["Name"] == "Aggregated":
                name = "all"
            rows[name] = {
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "per_second": float(row["Requests/s"]),
                "p50": _percentile(row["50%"]),
                "p95": _percentile(row["95%"]),
                "p99": _percentile(row["99%"]),
            }
    return rows


def _percentile(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def _read_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with open(path, newline="") as file:
        return [f"{row['Occurrences']}× {row['Method']} {row['Name']}: {row['Error']}" for row in csv.DictReader(file)]


# --- reporting -----------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _report(args, results: list[dict]) -> str:
    lines = [
        "| users | req/s | p50 ms | p95 ms | p99 ms | requests | errors | CPU: gunicorn | PostgreSQL | Celery | Locust | machine |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        total, cpu = result["stats"]["all"], result["cpu"]
        lines.append(
            f"| {result['users']} | {total['per_second']:,.1f} | {_ms(total['p50'])} | {_ms(total['p95'])} | "
            f"{_ms(total['p99'])} | {total['requests']:,} | {total['failures']} | {cpu['gunicorn']:.2f} | "
            f"{cpu['PostgreSQL']:.2f} | {cpu['Celery']:.2f} | {cpu['Locust']:.2f} | {cpu['whole machine']:.2f} |"
        )
    lines += ["", "CPU: cores busy on average during the step (2 = the whole machine)."]
    last = results[-1]
    lines += [
        "",
        f"Per request kind at {last['users']} users:",
        "",
        "| request | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in sorted(last["stats"].items(), key=lambda item: -item[1]["requests"]):
        if name != "all":
            lines.append(
                f"| {row['method']} {name} | {row['per_second']:,.1f} | {_ms(row['p50'])} | {_ms(row['p95'])} | "
                f"{_ms(row['p99'])} | {row['failures']} |"
            )
    sustained = [
        r["users"]
        for r in results
        if r["stats"]["all"]["failures"] == 0 and (r["stats"]["all"]["p95"] or 0) < args.target_p95
    ]
    lines += [
        "",
        f"Highest user count with p95 < {args.target_p95:g} ms and no error: "
        + (str(max(sustained)) if sustained else "none of the steps"),
    ]
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------


def _parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="CI's form: small data, two short steps, fail on errors")
    parser.add_argument("--capabilities", type=int)
    parser.add_argument("--needs", type=int)
    parser.add_argument("--platforms", type=int, help="platform organisations added")
    parser.add_argument("--smes", type=int, help="SME organisations added")
    parser.add_argument("--sme-accounts", type=int, help="SME owners Locust signs in as")
    parser.add_argument("--platform-accounts", type=int, help="platform owners Locust signs in as")
    parser.add_argument("--users", help="comma-separated user counts, one step each")
    parser.add_argument("--seconds", type=int, help="measured seconds per step")
    parser.add_argument("--wait", default="0.5,2.5", help="think time between a user's tasks: MIN,MAX seconds")
    # Two per core: a request often waits on PostgreSQL (on the same two
    # cores), and a slow search should not hold up the quick pages behind it.
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--target-p95", type=float, default=300)
    parser.add_argument(
        "--redis-db", type=int, default=14, help="Redis database for the broker; the cache takes the next"
    )
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="extra server environment")
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    parser.add_argument("--fail-on-error", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database, its accounts file and the work folder")
    parser.add_argument(
        "--template",
        metavar="DATABASE",
        help="copy this migrated and seeded demo database instead of migrating and seeding (CI: scripts/demo-template)",
    )
    parser.add_argument(
        "--reuse",
        metavar="ACCOUNTS_JSON",
        type=Path,
        help="run the steps again on the database a --keep run kept (its accounts.json names it); not dropped",
    )
    args = parser.parse_args(argv)
    for name, value in (SHORT if args.short else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.fail_on_error = args.fail_on_error or args.short
    args.user_steps = [int(value) for value in args.users.split(",")]
    args.wait_min, args.wait_max = (float(value) for value in args.wait.split(","))
    if not 0 <= args.redis_db < 15:
        parser.error("--redis-db must be 0-14 (the cache takes the next database)")
    return args


def main(argv=None) -> int:
    args = _parse(argv)
    for name in ("DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(name):
            raise SystemExit(f"set {name} (PostgreSQL and Redis servers for the run)")
    reused = json.loads(args.reuse.read_text()) if args.reuse else None
    name = reused["database"] if reused else f"tandem_load_{os.getpid()}"
    database_url, admin = _database_urls(os.environ["DATABASE_URL"], name)
    broker_url = _redis_url(os.environ["REDIS_URL"], args.redis_db)
    cache_url = _redis_url(os.environ["REDIS_URL"], args.redis_db + 1)
    workdir = Path(tempfile.mkdtemp(prefix="tandem-load-"))
    extra = dict(item.split("=", 1) for item in args.env)
    common = {
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        # Sessions are signed with it: a reused database keeps its run's key.
        "SECRET_KEY": reused["secret_key"] if reused else f"load-test-{os.urandom(24).hex()}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
    }
    # The site: Redis as broker and cache, persistent connections, limits raised.
    server_env = {
        **os.environ,
        **common,
        "REDIS_URL": broker_url,
        "REDIS_CACHE_URL": cache_url,
        "CONN_MAX_AGE": "60",
        **{name: os.environ.get(name, rate) for name, rate in RAISED_LIMITS.items()},
        **extra,
    }
    server = worker = None
    log(f"database {name}, work folder {workdir}")
    if not reused:
        template = f' TEMPLATE "{args.template}"' if args.template else ""
        _admin_sql(admin, f'CREATE DATABASE "{name}"{template}')
    try:
        _redis_flush(broker_url)
        _redis_flush(cache_url)
        # Preparing runs here, Celery eager (no REDIS_URL), no statement limit.
        os.environ.update({**common, "REDIS_URL": "", "REDIS_CACHE_URL": "", "DATABASE_STATEMENT_TIMEOUT": "0"})
        prepared = time.perf_counter()
        if reused:
            import django

            django.setup()
            accounts = reused["accounts"]
        else:
            accounts = _prepare(args, workdir)
            if args.keep:
                (workdir / "accounts.json").write_text(
                    json.dumps({"database": name, "secret_key": common["SECRET_KEY"], "accounts": accounts})
                )
        log(f"prepared in {time.perf_counter() - prepared:.0f} s")
        from django.db import connections

        port = _free_port()
        server_log = workdir / "gunicorn.log"
        gunicorn = [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
            "--error-logfile",
            str(server_log),
        ]
        server = _spawn(gunicorn, server_env, subprocess.DEVNULL)
        celery = [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ]
        with open(workdir / "celery.log", "w") as celery_log:
            worker = _spawn(celery, server_env, celery_log)
        wait_ready(port, seconds=60, process=server, log_path=server_log)
        log(f"gunicorn ({args.workers} sync workers) on port {port}, Celery worker (1 process)")
        groups = {
            "gunicorn": lambda: _process_tree(server.pid),
            "Celery": lambda: _process_tree(worker.pid),
            "PostgreSQL": _postgres_pids(name),
        }
        locust_env = {**os.environ, "LOAD_WAIT_MIN": str(args.wait_min), "LOAD_WAIT_MAX": str(args.wait_max)}
        results = []
        for users in args.user_steps:
            data_path = workdir / f"data-{users}.json"
            data_path.write_text(json.dumps(_step_data(accounts)))
            connections.close_all()
            result = _run_step(args, users, port, {**locust_env, "LOAD_DATA": str(data_path)}, workdir, groups)
            total = result["stats"]["all"]
            log(
                f"{users} users: {total['per_second']:.1f} req/s, p50 {_ms(total['p50'])} ms, "
                f"p95 {_ms(total['p95'])} ms, p99 {_ms(total['p99'])} ms, {total['failures']} errors "
                f"of {total['requests']:,} requests"
            )
            for line in result["failures"][:10]:
                log(f"  failure: {line}")
            results.append(result)
        report = _report(args, results)
        print("\n" + report + "\n", flush=True)
        if args.markdown:
            args.markdown.write_text(report + "\n")
        (workdir / "results.json").write_text(json.dumps(results, indent=1))
        if "Traceback" in server_log.read_text():
            log(f"server errors were logged:\n{server_log.read_text()[-5000:]}")
        failed = sum(result["stats"]["all"]["failures"] for result in results)
        if args.fail_on_error and failed:
            log(f"{failed} requests failed")
            return 1
        return 0
    finally:
        _stop(worker)
        _stop(server)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        for url in (broker_url, cache_url):
            try:
                _redis_flush(url)
            except Exception as error:  # noqa: BLE001 - cleaning up; say so and go on
                log(f"could not empty {url}: {error}")
        if args.keep:
            log(f"kept the database {name} and {workdir} (accounts.json there: for --reuse)")
        elif reused:
            log(f"kept the database {name} (reused)")
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            _admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
