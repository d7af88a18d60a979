"""Planning the demo's organisations and their owners: the platforms and SMEs
seed_demo creates (found, not invented), then fictional ones all over China."""

import random

from accounts.choices import Industry, OrganizationKind, Province, SizeBand
from accounts.validators import credit_code_check_character
from demo.seed.plan import EMAIL_DOMAIN, OrgPlan
from demo.seed.vocabulary import (
    BRANDS,
    EN,
    GIVEN_NAMES,
    MAINLAND,
    PLACES,
    PLATFORMS,
    PROVINCE_OF_CITY,
    SECTORS,
    SEED_PLATFORMS,
    SIZE_EN,
    SME_MIX,
    STAFF,
    SURNAMES,
    ZH,
)


def _credit_code(province: str, number: int) -> str:
    body = f"91{PLACES[province][0]}0100MA7DM{number:04d}"
    return body + credit_code_check_character(body)


def _person(rng: random.Random, language: str) -> tuple[str, str]:
    """(display name, preferred language)."""
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
    if language == "zh-hans":
        return surname[0] + given[0], language
    return f"{surname[1]} {given[1]}", language


def _plan_platforms(rng: random.Random) -> list[OrgPlan]:
    plans = []
    for body, platform in SEED_PLATFORMS.items():
        plans.append(
            OrgPlan(
                kind=OrganizationKind.PLATFORM,
                seed=rng.getrandbits(64),
                credit_code=body + credit_code_check_character(body),
                language=platform.language,
                short_zh=platform.short_zh,
                short_en=platform.short_en,
                domains=platform.domains,
                listings=platform.listings,
                fields={"province": platform.province},
            )
        )
    for platform in PLATFORMS:
        owner_language = "zh-hans" if platform.language == ZH else "en"
        name, owner_language = _person(rng, owner_language)
        plans.append(
            OrgPlan(
                kind=OrganizationKind.PLATFORM,
                seed=rng.getrandbits(64),
                credit_code=_credit_code(platform.province, platform.number),
                fields={
                    "legal_name": platform.name,
                    "size_band": platform.size_band,
                    "industry": platform.industry,
                    "province": platform.province,
                    "website": f"https://{platform.short_en.lower().replace(' ', '')}.example",
                    "description": platform.description,
                },
                owner_name=name,
                owner_language=owner_language,
                language=platform.language,
                short_zh=platform.short_zh,
                short_en=platform.short_en,
                domains=platform.domains,
                listings=platform.listings,
            )
        )
    return plans


# seed_demo's SMEs: credit code body → (city, sector, the problems its
# profile says it has, posted first), so their needs read like the rest.
SEED_SMES = {
    "91330206MA2HDM003": (("宁波", "Ningbo"), SECTORS[Industry.MANUFACTURING][0], ("零件表面缺陷视觉检测", "成品需求预测")),
    "91510100MA6CDM004": (("成都", "Chengdu"), SECTORS[Industry.LOGISTICS][2], ("配送路线优化", "增值税发票识别与录入")),
    "91320500MA1MDM005": (("苏州", "Suzhou"), SECTORS[Industry.MANUFACTURING][3], ("织物瑕疵自动检测", "出口市场数据")),
}  # fmt: skip


SEED_SME_FALLBACK = {"industry": Industry.MANUFACTURING, "province": Province.ZHEJIANG, "size_band": SizeBand.SMALL}


def _plan_smes(rng: random.Random, seeded: dict) -> list[OrgPlan]:
    plans = []
    for body, (city, sector, problems) in SEED_SMES.items():
        code = body + credit_code_check_character(body)
        # Planned even when missing (then never applied), so the draws stay the same.
        fallback = {**SEED_SME_FALLBACK, "province": PROVINCE_OF_CITY[city[0]]}
        fields = {name: seeded.get(code, fallback)[name] for name in fallback}
        if PROVINCE_OF_CITY[city[0]] != fields["province"] and fields["province"] in PLACES:
            city = PLACES[fields["province"]][1][0]  # moved since seed_demo made it: its needs name where it is
        plans.append(
            OrgPlan(
                OrganizationKind.SME,
                code,
                fields,
                verified=seeded.get(code, {}).get("verified_at") is not None,
                language=EN,
                city=city,
                sector=sector,
                problems=problems,
                listings=6,
                seed=rng.getrandbits(64),
            )
        )
    industries = [industry for industry, count in SME_MIX.items() for _ in range(count)]
    # Every mainland province once, then the busiest manufacturing and trade regions again.
    provinces = [
        *MAINLAND, Province.ZHEJIANG, Province.JIANGSU, Province.GUANGDONG, Province.SHANDONG, Province.FUJIAN,
        Province.GUANGDONG, Province.ZHEJIANG, Province.JIANGSU, Province.HENAN, Province.HUBEI,
        Province.SICHUAN, Province.ANHUI, Province.HUNAN,
    ]  # fmt: skip
    rng.shuffle(provinces)
    brands = rng.sample(BRANDS, len(industries))
    for index, (industry, province, brand) in enumerate(zip(industries, provinces, brands, strict=False)):
        number = 100 + index
        city = rng.choice(PLACES[province][1])
        sector = rng.choice(SECTORS[industry])
        language = ZH if rng.random() < 0.6 else EN
        size_band = rng.choices([SizeBand.MICRO, SizeBand.SMALL, SizeBand.MEDIUM], weights=[25, 45, 30])[0]
        staff = rng.randint(*STAFF[size_band])
        founded = rng.randint(1998, 2022)
        if language == ZH:
            legal_name = f"{city[0]}{brand[0]}{sector.zh_name}有限公司"
            description = (
                f"{city[0]}的{sector.zh_noun}，主营{sector.zh_products}。成立于 {founded} 年，员工约 {staff} 人。"
            )
        else:
            legal_name = f"{city[1]} {brand[1]} {sector.en_name} Co., Ltd."
            description = f"A {SIZE_EN[size_band]} {sector.en_noun} in {city[1]}: {sector.en_products}. Founded in {founded}, about {staff} staff."
        # Most owners prefer the language their firm's name is in; some the other.
        preferred = ["zh-hans", "en"] if language == ZH else ["en", "zh-hans"]
        name, preferred = _person(rng, rng.choices(preferred, weights=[85, 15])[0])
        plans.append(
            OrgPlan(
                kind=OrganizationKind.SME,
                seed=rng.getrandbits(64),
                credit_code=_credit_code(province, number),
                fields={
                    "legal_name": legal_name,
                    "size_band": size_band,
                    "industry": industry,
                    "province": province,
                    "website": f"https://{brand[1].lower().replace('ü', 'v')}-{number}.example"
                    if rng.random() < 0.6
                    else "",
                    "description": description,
                },
                verified=rng.random() < 0.85,
                owner_name=name,
                owner_language=preferred,
                language=language,
                city=city,
                sector=sector,
                listings=rng.randint(4, 6),
            )
        )
    return plans


def _plan_owners(plans: list[OrgPlan]) -> None:
    """Number the owners of generated organisations: owner-1@…, owner-2@…"""
    number = 0
    for plan in plans:
        if plan.owner_name:
            number += 1
            plan.owner_email = f"owner-{number}@{EMAIL_DOMAIN}"


def plan_organizations(rng: random.Random, seeded: dict) -> tuple[list[OrgPlan], list[OrgPlan]]:
    """(platforms, SMEs). ``seeded`` maps the credit codes of seed_demo's
    organisations to their fields (read, not invented)."""
    platforms = _plan_platforms(rng)
    smes = _plan_smes(rng, seeded)
    _plan_owners(platforms + smes)
    return platforms, smes
