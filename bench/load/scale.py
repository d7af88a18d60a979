"""The demo marketplace scaled up for the load test, by bulk inserts.

``seed_demo`` writes a few hundred listings through the services (audit
events, notifications, search documents): realistic, but far too slow for
tens of thousands. This module takes the demo's *published* capabilities and
needs as templates and writes many more like them, straight into the tables:

- ``platforms`` platform and ``smes`` SME organisations, all verified, each
  with an owner who signs in with the demo password;
- capabilities spread over the platforms and needs over the SMEs, each a copy
  of a template with a city in its title and first sentence, a region, an
  industry, prices or a budget moved by a random factor and a publication
  date in the last four months; the template's tags; the search columns
  computed as the services compute them (``build_document``).

Deterministic for a given seed. Import it after ``django.setup()``. For
benchmarks only: nothing here is audited or moderated.
"""

import random
import re
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganizationKind, Role, SizeBand
from accounts.models import Membership, Organization, User
from accounts.validators import credit_code_check_character
from demo.seed.vocabulary import BRANDS, PLACES
from marketplace.choices import ListingStatus, NeedVisibility
from marketplace.models import Capability, Need, Tag
from marketplace.search import build_document

BATCH = 2000
EMAIL_DOMAIN = "load.tandem.example"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Listing columns copied from a template as they are.
CAPABILITY_COPIED = (
    "kind",
    "summary",
    "industries",
    "access_model",
    "price_notes",
    "quota_sla",
    "eligible_size_bands",
    "requires_verification",
    "data_classification",
    "application_question",
    "terms_text",
    "terms_version",
)
NEED_COPIED = ("kinds_wanted", "industry", "desired_start")
SME_SIZES = (SizeBand.MICRO, SizeBand.SMALL, SizeBand.SMALL, SizeBand.MEDIUM)


def _code(prefix: str, number: int) -> str:
    body = f"91{prefix}MA1L{number:05d}"
    return body + credit_code_check_character(body)


def _templates(model, copied: tuple[str, ...]) -> list[dict]:
    through = model.tags.through
    column = f"{model._meta.model_name}_id"
    tags: dict[int, list[int]] = {}
    for listing_id, tag_id in through.objects.values_list(column, "tag_id"):
        tags.setdefault(listing_id, []).append(tag_id)
    names = dict(Tag.objects.values_list("pk", "name"))
    rows = list(
        model.objects.filter(status=ListingStatus.PUBLISHED)
        .order_by("pk")
        .values("pk", "title", "description", *copied)
    )
    for row in rows:
        row["tag_ids"] = tags.get(row["pk"], [])
        row["tag_names"] = " ".join(names[tag_id] for tag_id in row["tag_ids"])
    if not rows:
        raise SystemExit(f"no published {model._meta.verbose_name_plural} to copy: run seed_demo first")
    return rows


def _place(rng: random.Random) -> tuple[str, str, str]:
    province = rng.choice(list(PLACES))
    city_zh, city_en = rng.choice(PLACES[province][1])
    return province, city_zh, city_en


def _localised(text: str, city_zh: str, city_en: str) -> tuple[str, str]:
    """A title suffix and an opening sentence in the language of the text."""
    if _CJK.search(text):
        return f"（{city_zh}）", f"面向{city_zh}及周边企业。"
    return f" ({city_en})", f"For firms in and around {city_en}. "


def _scaled(value: Decimal | None, factor: float) -> Decimal | None:
    return None if value is None else (value * Decimal(str(factor))).quantize(Decimal("1"))


def _organizations(rng: random.Random, kind: str, count: int, password_hash: str, first_number: int) -> list[dict]:
    """``count`` verified organisations of ``kind`` with one owner each; returns
    their ids, owners and facts."""
    now = timezone.now()
    planned = []
    for index in range(count):
        number = first_number + index
        province, city_zh, city_en = _place(rng)
        brand_zh, brand_en = rng.choice(BRANDS)
        size = SizeBand.LARGE if kind == OrganizationKind.PLATFORM else rng.choice(SME_SIZES)
        planned.append(
            (
                Organization(
                    kind=kind,
                    legal_name=f"{city_en} {brand_en} {'Platform' if kind == OrganizationKind.PLATFORM else 'Works'} "
                    f"No. {number} Co., Ltd.",
                    credit_code=_code(PLACES[province][0] + "0000", number),
                    size_band=size,
                    industry=rng.choice(["manufacturing", "logistics", "trade", "information_technology"]),
                    province=province,
                    description=f"{city_zh}{brand_zh}：负载测试用的虚构企业。",
                    verified_at=now,
                ),
                User(
                    email=f"{kind}-{number}@{EMAIL_DOMAIN}",
                    display_name=f"{brand_en} {kind} owner {number}",
                    password=password_hash,
                ),
            )
        )
    organizations = Organization.objects.bulk_create([org for org, _user in planned], batch_size=BATCH)
    users = User.objects.bulk_create([user for _org, user in planned], batch_size=BATCH)
    Membership.objects.bulk_create(
        [
            Membership(user=user, organization=org, role=Role.OWNER)
            for org, user in zip(organizations, users, strict=True)
        ],
        batch_size=BATCH,
    )
    return [
        {"id": org.pk, "user_id": user.pk, "email": user.email, "size_band": org.size_band, "province": org.province}
        for org, user in zip(organizations, users, strict=True)
    ]


def _published_at(rng: random.Random, now):
    return now - timedelta(hours=rng.uniform(1, 24 * 120))


def _write(model, rows: list, tag_lists: list[list[int]]) -> int:
    through = model.tags.through
    column = f"{model._meta.model_name}_id"
    written = 0
    for start in range(0, len(rows), BATCH):
        created = model.objects.bulk_create(rows[start : start + BATCH])
        through.objects.bulk_create(
            [
                through(**{column: row.pk, "tag_id": tag_id})
                for row, tags in zip(created, tag_lists[start : start + BATCH], strict=True)
                for tag_id in tags
            ],
            ignore_conflicts=True,
        )
        written += len(created)
    return written


def _capabilities(rng: random.Random, count: int, platforms: list[dict], now) -> int:
    templates = _templates(Capability, (*CAPABILITY_COPIED, "price_min_monthly", "price_max_monthly"))
    rows, tag_lists = [], []
    for index in range(count):
        template = templates[index % len(templates)]
        platform = platforms[index % len(platforms)]
        province, city_zh, city_en = _place(rng)
        suffix, opening = _localised(template["title"], city_zh, city_en)
        title = template["title"][: 200 - len(suffix)] + suffix
        description = (opening + template["description"])[:10000]
        factor = rng.uniform(0.5, 2.0)
        low = _scaled(template["price_min_monthly"], factor)
        high = _scaled(template["price_max_monthly"], factor)
        if low is not None and high is not None and high < low:
            high = low
        rows.append(
            Capability(
                organization_id=platform["id"],
                created_by_id=platform["user_id"],
                title=title,
                description=description,
                # A quarter serve one province only, the rest all of China.
                regions=[province] if rng.random() < 0.25 else [],
                price_min_monthly=low,
                price_max_monthly=high,
                status=ListingStatus.PUBLISHED,
                submitted_at=now,
                published_at=_published_at(rng, now),
                search_document=build_document(title, template["summary"], description, template["tag_names"]),
                search_title=build_document(title),
                **{name: template[name] for name in CAPABILITY_COPIED},
            )
        )
        tag_lists.append(template["tag_ids"])
    return _write(Capability, rows, tag_lists)


def _needs(rng: random.Random, count: int, smes: list[dict], now) -> int:
    templates = _templates(Need, (*NEED_COPIED, "budget_min_monthly", "budget_max_monthly"))
    rows, tag_lists = [], []
    for index in range(count):
        template = templates[index % len(templates)]
        sme = smes[index % len(smes)]
        province = sme["province"]
        city_zh, city_en = rng.choice(PLACES[province][1])
        suffix, opening = _localised(template["title"], city_zh, city_en)
        title = template["title"][: 200 - len(suffix)] + suffix
        description = (opening + template["description"])[:10000]
        factor = rng.uniform(0.5, 2.0)
        low = _scaled(template["budget_min_monthly"], factor)
        high = _scaled(template["budget_max_monthly"], factor)
        if low is not None and high is not None and high < low:
            high = low
        rows.append(
            Need(
                organization_id=sme["id"],
                created_by_id=sme["user_id"],
                title=title,
                description=description,
                region=province,
                budget_min_monthly=low,
                budget_max_monthly=high,
                visibility=NeedVisibility.PLATFORMS_ONLY if rng.random() < 0.15 else NeedVisibility.PUBLIC,
                status=ListingStatus.PUBLISHED,
                submitted_at=now,
                published_at=_published_at(rng, now),
                search_document=build_document(title, description, template["tag_names"]),
                search_title=build_document(title),
                **{name: template[name] for name in NEED_COPIED},
            )
        )
        tag_lists.append(template["tag_ids"])
    return _write(Need, rows, tag_lists)


def scale_marketplace(
    *, capabilities: int, needs: int, platforms: int, smes: int, password_hash: str, seed: int = 7
) -> dict:
    """Add organisations, capabilities and needs until the published totals
    reach ``capabilities`` and ``needs``; returns the new organisations
    (``{"platforms": [...], "smes": [...]}``, ids, owners, facts)."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    now = timezone.now()
    with transaction.atomic():
        platform_orgs = _organizations(rng, OrganizationKind.PLATFORM, platforms, password_hash, 1)
        sme_orgs = _organizations(rng, OrganizationKind.SME, smes, password_hash, 50001)
        missing_capabilities = max(0, capabilities - Capability.objects.published().count())
        missing_needs = max(0, needs - Need.objects.published().count())
        _capabilities(rng, missing_capabilities, platform_orgs, now)
        _needs(rng, missing_needs, sme_orgs, now)
    return {"platforms": platform_orgs, "smes": sme_orgs}
