"""The full rebuild end to end, into PostgreSQL, through the production code.

    .venv/bin/python -m bench.rebuild_postgres --needs 100000 --capabilities 100000 --workers 2

Needs a PostgreSQL server (default ``postgres://postgres@127.0.0.1:5432/tandem_bench``,
or ``--database-url``); the database is created if missing and emptied of
listings and matches first. Never point it at a database you care about.

1. Load (not timed as part of the rebuild): the synthetic catalogue and needs
   of ``bench.matching_speed`` written as published Capability and Need rows,
   with their tags, through bulk inserts.
2. The rebuild, timed, as the Celery chunks run it: each worker process
   (``--workers``, forked after Django is set up, each with its own database
   connection) reads the published catalogue, builds its matcher
   (``matcher_cache.matcher_get``), then takes need chunks
   (``rematch.rebuild_plan``) and runs ``rematch.match_needs`` on each: read
   the needs, match them (bulk path), store the proposals (upsert, one
   transaction per chunk). Finally ``proposals.matches_prune``.

Printed: load time; per worker, seconds to build its matcher and to match and
store its chunks, and its peak memory; the wall-clock time of the whole
rebuild; the number of Match rows.
"""

import argparse
import multiprocessing
import os
import resource
import sys
import time
from decimal import Decimal
from urllib.parse import urlsplit

from bench.matching_speed import NOW, synthetic_capabilities, synthetic_needs

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tandem_bench"
LOAD_BATCH = 5000


def _ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # As the production worker: the rebuild's long statements are not web requests.
    os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def _money(value):
    return None if value is None else Decimal(str(value))


def load(capability_count: int, need_count: int) -> float:
    """Write the synthetic marketplace; returns the seconds it took."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organization
    from accounts.validators import credit_code_check_character
    from marketplace.models import Capability, Need, Tag
    from marketplace.models.tags import normalize_tag as tag_key
    from marketplace.search import build_document
    from matching.models import Match

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    Match.objects.all().delete()
    Capability.objects.all().delete()
    Need.objects.all().delete()

    def organization(number: int, kind: str, size: str, verified: bool) -> Organization:
        body = f"91110000MA0BE{number:04d}"
        code = body + credit_code_check_character(body)
        org, _ = Organization.objects.update_or_create(
            credit_code=code,
            defaults={
                "kind": kind,
                "legal_name": f"Bench organisation {number}",
                "size_band": size,
                "industry": "information_technology",
                "province": "beijing",
                "verified_at": timezone.now() if verified else None,
            },
        )
        return org

    platform = organization(1, "platform", "large", True)
    smes = {
        (size, verified): organization(10 + i, "sme", size, verified)
        for i, (size, verified) in enumerate(
            (size, verified) for size in ("micro", "small", "medium", "large") for verified in (False, True)
        )
    }
    capabilities = synthetic_capabilities(capability_count)
    needs = synthetic_needs(need_count)
    now = timezone.now()

    names = {name for record in capabilities for name in record.tags} | {n for r in needs for n in r.tags}
    tags = {}
    for name in sorted(names):
        tags.setdefault(tag_key(name), name)
    Tag.objects.bulk_create([Tag(name=name, key=key) for key, name in tags.items()], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.values_list("key", "pk"))

    def published(seconds_ago: float):
        return now - timezone.timedelta(seconds=max(seconds_ago, 0))

    with transaction.atomic():
        for start in range(0, len(capabilities), LOAD_BATCH):
            batch = capabilities[start : start + LOAD_BATCH]
            rows = Capability.objects.bulk_create(
                [
                    Capability(
                        organization=platform,
                        title=record.title[:200],
                        summary=record.title[:300],
                        description=record.description,
                        kind=record.kind,
                        industries=sorted(record.industries),
                        regions=sorted(record.regions),
                        eligible_size_bands=sorted(record.size_bands),
                        requires_verification=record.requires_verification,
                        price_min_monthly=_money(record.price_min),
                        price_max_monthly=_money(
                            record.price_max
                            if record.price_min is None or record.price_max is None
                            else max(record.price_max, record.price_min)
                        ),
                        data_classification="general" if record.kind == "data" else "",
                        access_model="paid",
                        status="published",
                        published_at=published(0.0 if record.published_at is None else NOW - record.published_at),
                        search_document=build_document(record.title, record.description),
                    )
                    for record in batch
                ]
            )
            Capability.tags.through.objects.bulk_create(
                [
                    Capability.tags.through(capability_id=row.pk, tag_id=tag_ids[tag_key(name)])
                    for row, record in zip(rows, batch, strict=True)
                    for name in dict.fromkeys(record.tags)
                ],
                ignore_conflicts=True,
            )
        for start in range(0, len(needs), LOAD_BATCH):
            batch = needs[start : start + LOAD_BATCH]
            rows = Need.objects.bulk_create(
                [
                    Need(
                        organization=smes[(record.size_band or "small", record.verified)],
                        title=record.text[:60],
                        description=record.text,
                        # A need names at least one kind; "any kind" is all of them.
                        kinds_wanted=sorted(record.kinds) or ["api", "compute", "data", "expertise", "model", "tool"],
                        industry=record.industry or "information_technology",
                        region=record.region or "beijing",
                        budget_min_monthly=_money(record.budget_min),
                        budget_max_monthly=_money(record.budget_max),
                        status="published",
                        published_at=published(0.0 if record.published_at is None else NOW - record.published_at),
                        search_document=build_document(record.text),
                    )
                    for record in batch
                ]
            )
            Need.tags.through.objects.bulk_create(
                [
                    Need.tags.through(need_id=row.pk, tag_id=tag_ids[tag_key(name)])
                    for row, record in zip(rows, batch, strict=True)
                    for name in dict.fromkeys(record.tags)
                ],
                ignore_conflicts=True,
            )
    return time.perf_counter() - started


def _worker(arguments) -> dict:
    """One worker process: its matcher, then its share of the chunks."""
    chunks, index, workers = arguments
    from django.db import connections

    from matching.services import matcher_cache, rematch

    connections.close_all()  # never share the parent's connection
    started = time.perf_counter()
    matcher_cache.matcher_get()
    built = time.perf_counter()
    stored = 0
    for chunk in chunks[index::workers]:
        stored += rematch.match_needs(chunk)
    done = time.perf_counter()
    return {
        "pid": os.getpid(),
        "matcher": built - started,
        "match_and_store": done - built,
        "stored": stored,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capabilities", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-load", action="store_true", help="reuse the rows of the last run")
    arguments = parser.parse_args(argv)
    if not arguments.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL")
    _ensure_database(arguments.database_url)
    _setup(arguments.database_url)

    from django.db import connections

    from matching.models import Match
    from matching.services import proposals, rematch

    if not arguments.skip_load:
        seconds = load(arguments.capabilities, arguments.needs)
        print(f"loaded {arguments.capabilities:,} capabilities and {arguments.needs:,} needs in {seconds:.1f} s")
    Match.objects.all().delete()
    chunks = rematch.rebuild_plan(arguments.chunk_size)
    connections.close_all()

    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with context.Pool(arguments.workers) as pool:
        results = pool.map(_worker, [(chunks, i, arguments.workers) for i in range(arguments.workers)])
    pruned = proposals.matches_prune()
    wall = time.perf_counter() - started

    for result in results:
        print(
            f"worker {result['pid']}: matcher built in {result['matcher']:.1f} s, "
            f"matched and stored {result['stored']:,} proposals in {result['match_and_store']:.1f} s, "
            f"peak memory {result['peak_mb']:,.0f} MB"
        )
    rows = Match.objects.count()
    print(
        f"rebuild end to end with {arguments.workers} worker process(es), {len(chunks)} chunks: "
        f"{wall:.1f} s wall-clock; {rows:,} Match rows; {pruned} pruned"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
