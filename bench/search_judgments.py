"""Check the judged catalogue-search queries in bench/data/search/queries.jsonl
against the demo catalogue, and expand their judgments to every title the demo
can store.

Judgments are keyed by an offering's Chinese title (``Offering.zh`` in the demo
vocabulary). A seeded capability's stored title is that Chinese title or the
English one (``Offering.en``), each with or without a suffix such as
"（SaaS 版）" or " (monthly)", so one judged offering answers to several stored
titles; ``stored_grades`` maps any of them back to the grade.

    .venv/bin/python -m bench.search_judgments            # check and print counts
    .venv/bin/python -m bench.search_judgments --expand   # one line per query, judgments keyed by every stored title
"""

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path

QUERIES = Path(__file__).resolve().parent / "data" / "search" / "queries.jsonl"


def _vocabulary():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from demo.seed import vocabulary

    return vocabulary


def title_variants() -> dict[str, str]:
    """Every title the demo can store for an offering → that offering's Chinese title."""
    v = _vocabulary()
    variants = {}
    for offerings in v.OFFERINGS.values():
        for o in offerings:
            for suffix in v.TITLE_SUFFIX_ZH[o.kind]:
                variants[o.zh + suffix] = o.zh
            for suffix in v.TITLE_SUFFIX_EN[o.kind]:
                variants[o.en + suffix] = o.zh
    return variants


def load(path: Path = QUERIES) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def stored_grades(query: dict, variants: dict[str, str]) -> dict[str, int]:
    """The query's grades keyed by every stored title of each judged offering."""
    return {title: query["judgments"][zh] for title, zh in variants.items() if zh in query["judgments"]}


def check(queries: list[dict], variants: dict[str, str]) -> list[str]:
    known = set(variants.values())
    problems, seen = [], set()
    for q in queries:
        if q["id"] in seen:
            problems.append(f"{q['id']}: duplicate id")
        seen.add(q["id"])
        if q["lang"] not in ("zh", "en"):
            problems.append(f"{q['id']}: lang {q['lang']!r}")
        if 2 not in q["judgments"].values():
            problems.append(f"{q['id']}: no grade-2 item")
        for title, grade in q["judgments"].items():
            if title not in known:
                problems.append(f"{q['id']}: {title!r} is not a demo offering's Chinese title")
            if grade not in (1, 2):
                problems.append(f"{q['id']}: grade {grade} for {title!r}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--expand", action="store_true", help="print the queries with judgments keyed by stored titles")
    arguments = parser.parse_args(argv)
    variants = title_variants()
    queries = load(arguments.queries)
    problems = check(queries, variants)
    for problem in problems:
        print(problem, file=sys.stderr)
    if arguments.expand:
        for q in queries:
            print(json.dumps({**q, "judgments": stored_grades(q, variants)}, ensure_ascii=False))
    else:
        languages = Counter(q["lang"] for q in queries)
        grades = Counter(g for q in queries for g in q["judgments"].values())
        judged = {t for q in queries for t in q["judgments"]}
        print(
            f"{len(queries)} queries ({languages['zh']} zh, {languages['en']} en); "
            f"{grades[2]} grade-2 and {grades[1]} grade-1 judgments; "
            f"{len(judged)} of {len(set(variants.values()))} offerings judged at least once"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
