"""Catalogue search quality on the demo catalogue: NDCG@10 of the 148 judged
queries of bench/data/search/queries.jsonl, and how long each search takes.

    .venv/bin/python -m bench.search_quality                 # throwaway SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench_search .venv/bin/python -m bench.search_quality
    .venv/bin/python -m bench.search_quality --keep /tmp/demo.sqlite3   # seed once, reuse on later runs

The database is made and seeded with ``seed_demo`` (a PostgreSQL database
named by DATABASE_URL is dropped and made again first: never point it at one
you care about). Each query then goes through the selector the catalogue page
uses, as an anonymous visitor with no filters (``capabilities_catalogue``);
the first ten titles are graded with the judgments expanded to every title the
demo can store (``bench.search_judgments.stored_grades``): 2 exactly what was
searched for, 1 related, 0 unjudged. NDCG@10 uses the grade as the gain and
log2(rank + 1) as the discount; the ideal ranking is every published
capability sorted by grade, so copies of one offering share its grade.

Time per query: the page's database work for the search (the count for the
pager and the first page of 20), each query run ``--repeat`` times after one
warm-up pass; p50 and p95 over all runs. ``--scale 10000`` first adds copies
of the demo's capabilities (bench.load.scale: a city in each title) until
10,000 are published, and prints the times only: the judgments know the
demo's titles, not the copies'.

The queries are split in two halves by a hash of their id (``half``): the
ranking's constants were tuned on the first (``tuning``, 83 queries) and the
second (``held out``, 65) checks that they were not fitted to it. 11 queries
judge only capabilities the demo does not publish (drafts, archived, not
seeded): they score 0 whatever the ranking, so "answerable" gives the mean over
the others too. ``--meaning-weight`` and ``--min-similarity`` override the
fusion's constants for a run (tuning).
"""

import argparse
import hashlib
import math
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

PAGE_SIZE = 20


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("REDIS_URL", "")
    os.environ.setdefault("REDIS_CACHE_URL", "")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def _scale(capabilities: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from bench.load.scale import scale_marketplace
    from marketplace.models import Need

    print(f"adding capabilities up to {capabilities:,}...", file=sys.stderr, flush=True)
    needs = Need.objects.published().count()
    scale_marketplace(capabilities=capabilities, needs=needs, platforms=20, smes=0, password_hash=make_password(None))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _seed(*, fresh: bool) -> None:
    from django.core.management import call_command

    from marketplace.models import Capability

    call_command("migrate", "--noinput", verbosity=0)
    if fresh or not Capability.objects.exists():
        print("seeding the demo (seed_demo)...", file=sys.stderr, flush=True)
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


def ndcg_at(grades: list[int], ideal: list[int], k: int = 10) -> float:
    def dcg(values):
        return sum(grade / math.log2(rank + 2) for rank, grade in enumerate(values[:k]))

    best = dcg(sorted(ideal, reverse=True))
    return dcg(grades) / best if best else 0.0


def half(query: dict) -> str:
    """The half of the judged set a query belongs to, by a hash of its id."""
    return "held out" if hashlib.sha256(query["id"].encode()).digest()[0] & 1 else "tuning"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def evaluate(queries: list[dict], variants: dict[str, str], *, repeat: int, show: int = 0, judge: bool = True) -> dict:
    from bench.search_judgments import stored_grades
    from marketplace.models import Capability
    from marketplace.selectors import capabilities_catalogue

    published = list(Capability.objects.published().values_list("title", flat=True))
    scores, timings = defaultdict(list), []
    for query in queries if judge else []:
        grades = stored_grades(query, variants)
        titles = list(capabilities_catalogue(query=query["query"]).values_list("title", flat=True)[:10])
        found = [grades.get(title, 0) for title in titles]
        ideal = [grades.get(title, 0) for title in published]
        score = ndcg_at(found, ideal)
        for group in ("all", query["lang"], half(query)) + (("answerable",) if any(ideal) else ()):
            scores[group].append(score)
        if show and score < 1:
            print(
                f"{score:.3f} {query['id']} {query['query']!r}: "
                + " | ".join(f"{title}={grade}" for title, grade in zip(titles[:show], found, strict=False))
            )
    for run in range(repeat + 1):
        for query in queries:
            started = time.perf_counter()
            results = capabilities_catalogue(query=query["query"])
            results.count()
            list(results[:PAGE_SIZE])
            if run:  # the first pass warms caches and connections
                timings.append(time.perf_counter() - started)
    return {
        "ndcg": {group: statistics.fmean(values) for group, values in scores.items()},
        "answerable": scores["answerable"],
        "p50_ms": 1000 * percentile(timings, 0.5),
        "p95_ms": 1000 * percentile(timings, 0.95),
        "capabilities": len(published),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="SQLite file to seed once and reuse (default: a throwaway one)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of every query (default 3)")
    parser.add_argument(
        "--segmenter",
        choices=["words", "bigrams", "unigrams+bigrams"],
        help="how Chinese query runs become words (default: marketplace.search.SEGMENTER)",
    )
    parser.add_argument("--scale", type=int, help="time the search over this many capabilities (no NDCG)")
    parser.add_argument("--show", type=int, default=0, help="print the top N titles of every query below NDCG 1")
    parser.add_argument("--meaning-weight", type=float, help="override marketplace.ranking.MEANING_WEIGHT")
    parser.add_argument(
        "--min-similarity", type=float, help="override matching.services.semantic_search.MIN_SIMILARITY"
    )
    arguments = parser.parse_args(argv)
    if arguments.scale and arguments.keep:
        parser.error("--scale adds thousands of rows: not into a kept database")
    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as workdir:
        if database_url.startswith("postgres"):
            from bench.api_speed import _recreate_database

            _recreate_database(database_url)
            fresh = True
        else:
            path = arguments.keep or Path(workdir) / "search.sqlite3"
            database_url, fresh = f"sqlite:///{path}", False
        _setup_django(database_url)
        _seed(fresh=fresh)
        if arguments.scale:
            _scale(arguments.scale)
        from bench.search_judgments import load, title_variants
        from marketplace import search

        search.SEGMENTER = arguments.segmenter or search.SEGMENTER
        from marketplace import ranking
        from matching.services import semantic_search

        if arguments.meaning_weight is not None:
            ranking.MEANING_WEIGHT = arguments.meaning_weight
        if arguments.min_similarity is not None:
            semantic_search.MIN_SIMILARITY = arguments.min_similarity

        judge = not arguments.scale
        result = evaluate(load(), title_variants(), repeat=arguments.repeat, show=arguments.show, judge=judge)
        from django.db import connection

        print(
            f"{connection.vendor}, Chinese segmented as {search.SEGMENTER}, "
            f"{result['capabilities']:,} published capabilities, {len(load())} queries"
        )
        ndcg = result["ndcg"]
        if judge:
            print(f"NDCG@10  all {ndcg['all']:.3f}   zh {ndcg['zh']:.3f}   en {ndcg['en']:.3f}")
            print(
                f"         tuning half {ndcg['tuning']:.3f}   held-out half {ndcg['held out']:.3f}   "
                f"answerable ({len(result['answerable'])}) {ndcg['answerable']:.3f}"
            )
        print(f"time per search (count + first page)  p50 {result['p50_ms']:.1f} ms   p95 {result['p95_ms']:.1f} ms")
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
