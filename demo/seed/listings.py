"""Planning the demo's capabilities and needs: texts from the vocabulary in
Chinese, English or both, prices, eligibility, terms, and a state for each,
with the moderator's reason where one is given."""

import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.choices import SizeBand
from accounts.validators import credit_code_check_character
from demo.seed.fit import solvers_for
from demo.seed.plan import SHOWCASE, ListingPlan, OrgPlan
from demo.seed.vocabulary import (
    ACCESS_TEXT,
    CLOSING,
    DATA_REASONS,
    DELIVERY,
    EN,
    EXPECTATIONS,
    GENERIC_TAGS,
    INDUSTRY_EN,
    INDUSTRY_PROBLEMS,
    INDUSTRY_ZH,
    KIND_EN,
    KIND_ZH,
    MAINLAND,
    MIXED,
    NEED_TITLE_EN,
    NEED_TITLE_ZH,
    OFFERINGS,
    PITCH,
    PROBLEMS,
    QUESTIONS,
    REASONS,
    SIZE_EN,
    SIZE_ZH,
    TERMS,
    TITLE_SUFFIX_EN,
    TITLE_SUFFIX_ZH,
    ZH,
    Offering,
    Problem,
    problem_suits,
)
from marketplace.choices import AccessModel, CapabilityKind, DataClassification, ListingStatus, NeedVisibility
from marketplace.models import Capability, Need

K, A, S = CapabilityKind, AccessModel, ListingStatus


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, 100) if high - low >= 100 else low)


def _language(rng: random.Random, base: str) -> str:
    """Mostly the organisation's language; some listings in the other one or in both."""
    other = EN if base == ZH else ZH
    return rng.choices([base, other, MIXED], weights=[65, 17, 18])[0]


def _statuses(rng: random.Random, count: int, shares: dict) -> list[str]:
    """Every listing state at least twice, the rest published, in random order."""
    statuses = []
    for status, share in shares.items():
        statuses += [status] * max(2, round(count * share))
    statuses += [S.PUBLISHED] * max(0, count - len(statuses))
    rng.shuffle(statuses)
    return statuses[:count]


def _price(rng: random.Random, kind: str, access: str) -> tuple[Decimal | None, Decimal | None, str, str]:
    """(min, max, notes in Chinese, notes in English) of a monthly price."""
    low, high = {
        K.API: (200, 8000), K.COMPUTE: (1500, 120000), K.DATA: (1000, 30000),
        K.MODEL: (2000, 50000), K.TOOL: (100, 5000), K.EXPERTISE: (5000, 80000),
    }[kind]  # fmt: skip
    if access == A.OPEN:
        free = Decimal(0) if rng.random() < 0.6 else None
        return free, free, *ACCESS_TEXT[access]
    if access == A.REVENUE_SHARE:
        share = rng.choice([3, 5, 8, 10, 15])
        return None, None, f"按新增收入的 {share}% 分成，无固定费用。", f"{share}% of the extra revenue; no fixed fee."
    a, b = sorted([_money(rng, low, high), _money(rng, low, high)])
    if access == A.FREE_QUOTA:
        quota = rng.choice(["1,000 次", "1 万次", "10 万次", "100 小时"])
        quota_en = {
            "1,000 次": "1,000 calls",
            "1 万次": "10,000 calls",
            "10 万次": "100,000 calls",
            "100 小时": "100 hours",
        }
        return (
            Decimal(0),
            b,
            f"每月免费 {quota}，超出部分按量计费。",
            f"{quota_en[quota]} a month free, then billed by use.",
        )
    if access == A.BY_APPLICATION and rng.random() < 0.5:
        return None, None, *ACCESS_TEXT[access]
    if rng.random() < 0.15:
        return a, None, f"{a:,.0f} 元/月起。", f"From CNY {a:,.0f} a month."
    return a, b, f"{a:,.0f}–{b:,.0f} 元/月，视用量而定。", f"CNY {a:,.0f}–{b:,.0f} a month depending on use."


def _pick(language: str, pair: tuple[str, str]) -> str:
    zh, en = pair
    return en if language == EN else zh


def _both(language: str, pair: tuple[str, str], sep: str = " ") -> str:
    zh, en = pair
    return {ZH: zh, EN: en, MIXED: f"{zh}{sep}{en}"}[language]


def title_key(title: str) -> str:
    """What makes two titles the same title: case and spacing aside."""
    return " ".join(title.casefold().split())


def _capability_title(rng: random.Random, language: str, offering: Offering, used_titles: set) -> tuple[str, str]:
    """(title, language): a title no other capability of the demo has. The
    same offering opened by two platforms gets another edition or the other
    language's name, so a title always names one listing."""
    kind = offering.kind
    zh = [offering.zh + suffix for suffix in dict.fromkeys(TITLE_SUFFIX_ZH[kind])]
    en = [offering.en + suffix for suffix in dict.fromkeys(TITLE_SUFFIX_EN[kind])]
    first = (
        offering.en + rng.choice(TITLE_SUFFIX_EN[kind])
        if language == EN
        else offering.zh + rng.choice(TITLE_SUFFIX_ZH[kind])
    )
    others = [(title, language) for title in (en if language == EN else zh)]
    others += [(title, ZH if language == EN else EN) for title in (zh if language == EN else en)]
    for title, title_language in [(first, language), *others]:
        if title_key(title) not in used_titles:
            used_titles.add(title_key(title))
            return title, title_language
    raise ValueError(f"every title of {offering.zh} is taken: {len(others)} editions are not enough")


def _capability_plan(rng: random.Random, org: OrgPlan, offering: Offering, used_titles: set) -> ListingPlan:
    title, language = _capability_title(rng, _language(rng, org.language), offering, used_titles)
    kind = offering.kind
    access = rng.choices(
        list(A),
        weights={
            K.API: [15, 40, 35, 0, 10], K.COMPUTE: [0, 20, 60, 0, 20], K.DATA: [20, 0, 30, 10, 40],
            K.MODEL: [0, 25, 35, 20, 20], K.TOOL: [10, 35, 40, 15, 0], K.EXPERTISE: [0, 0, 50, 20, 30],
        }[kind],
    )[0]  # fmt: skip
    price_min, price_max, notes_zh, notes_en = _price(rng, kind, access)
    classification = ""
    if kind == K.DATA:
        classification = offering.classification or rng.choices(list(DataClassification), weights=[45, 40, 15])[0]
    industries = list(offering.industries) if offering.industries and rng.random() < 0.7 else []
    if not offering.industries and rng.random() < 0.2:
        industries = rng.sample(list(INDUSTRY_EN), rng.randint(2, 3))
    regions = []
    if rng.random() < 0.25:
        regions = sorted({org.fields["province"], *rng.sample(MAINLAND, rng.randint(2, 6))})
    sensitive = classification in (DataClassification.GENERAL, DataClassification.IMPORTANT)
    what = (offering.zh_what + "。", offering.en_what[0].upper() + offering.en_what[1:] + ".")
    industry_line = (
        f"适用行业：{'、'.join(INDUSTRY_ZH[i] for i in industries)}。" if industries else "适用于各行业的中小企业。",
        f"Suits {', '.join(INDUSTRY_EN[i] for i in industries)} firms."
        if industries
        else "Suits SMEs of every industry.",
    )
    short = (org.short_zh, org.short_en)
    intro = (f"{short[0]}向中小企业开放：{what[0]}", f"{short[1]} opens this to SMEs: {offering.en_what}.")
    paragraphs_zh = [intro[0], industry_line[0], DELIVERY[kind][0], ACCESS_TEXT[access][0], rng.choice(CLOSING)[0]]
    paragraphs_en = [intro[1], industry_line[1], DELIVERY[kind][1], ACCESS_TEXT[access][1], rng.choice(CLOSING)[1]]
    description = {
        ZH: "\n\n".join(paragraphs_zh),
        EN: "\n\n".join(paragraphs_en),
        MIXED: "\n\n".join(paragraphs_zh) + "\n\n---\n\n" + "\n\n".join(paragraphs_en),
    }[language]
    quota = {
        K.API: (f"可用性 {rng.choice(['99.9', '99.95'])}%；默认 QPS {rng.choice([10, 20, 50])}，可申请提升。", "99.9% availability; rate limits can be raised on request."),
        K.COMPUTE: ("资源独享；故障 30 分钟内响应。", "Dedicated resources; incidents answered within 30 minutes."),
        K.DATA: (f"每{rng.choice(['日', '周', '月'])}更新；历史数据回溯至 {rng.randint(2012, 2020)} 年。", "Updated regularly; history goes back several years."),
        K.MODEL: ("在线调用 P95 延迟低于 800 毫秒；私有化部署含一年维护。", "Online p95 latency under 800 ms; on-premises deployments include a year of maintenance."),
        K.TOOL: ("工作日 9:00–18:00 在线支持；数据每日备份。", "Support on working days 9:00–18:00; daily backups."),
        K.EXPERTISE: (f"项目周期 {rng.randint(2, 8)} 周，含 {rng.randint(1, 3)} 次现场工作。", "A project of a few weeks, with on-site days included."),
    }[kind]  # fmt: skip
    terms = ""
    if kind == K.DATA or access in (A.BY_APPLICATION, A.REVENUE_SHARE) or rng.random() < 0.1:
        clauses = [pair for pair in TERMS if rng.random() < 0.7] or TERMS[:2]
        terms = "\n".join(f"{n}. {_both(language, pair)}" for n, pair in enumerate(clauses, 1))
    question = ""
    if access == A.BY_APPLICATION or sensitive or rng.random() < 0.15:
        question = _both(language, rng.choice(QUESTIONS))
    summary = {ZH: what[0] + PITCH[kind][0], EN: f"{what[1]} {PITCH[kind][1]}", MIXED: f"{what[0]} {what[1]}"}[language]
    tags = list(offering.tags) + rng.sample(GENERIC_TAGS, rng.randint(0, 2))
    fields = {
        "kind": kind,
        "title": title,
        "summary": summary[:300],
        "description": description,
        "industries": industries,
        "regions": regions,
        "access_model": access,
        "price_notes": _both(language, (notes_zh, notes_en)),
        "price_min_monthly": price_min,
        "price_max_monthly": price_max,
        "quota_sla": _both(language, quota),
        "eligible_size_bands": rng.choice([[SizeBand.MICRO, SizeBand.SMALL], [SizeBand.SMALL, SizeBand.MEDIUM]])
        if rng.random() < 0.3
        else [],
        "requires_verification": sensitive or (access == A.BY_APPLICATION and rng.random() < 0.5) or rng.random() < 0.1,
        "data_classification": classification,
        "application_question": question,
        "terms_text": terms,
    }
    return ListingPlan(Capability, org, fields, list(dict.fromkeys(tags))[:12], language, offering=offering)


def _plan_capabilities(platforms: list[OrgPlan]) -> list[ListingPlan]:
    """Each platform opens offerings of its domains, first those no platform
    before it opens, so that every offering is in the catalogue."""
    plans = []
    used_titles, opened = set(), set()
    for org in platforms:
        rng = random.Random(org.seed)  # noqa: S311 - demo content, not security
        pool = list(dict.fromkeys(offering for domain in org.domains for offering in OFFERINGS[domain]))
        fresh = [offering for offering in pool if offering not in opened]
        count = min(org.listings, len(pool))
        chosen = rng.sample(fresh, min(count, len(fresh)))
        chosen += rng.sample([offering for offering in pool if offering in opened], count - len(chosen))
        for offering in chosen:
            opened.add(offering)
            plans.append(_capability_plan(rng, org, offering, used_titles))
    return plans


def _need_plan(
    rng: random.Random, org: OrgPlan, problem: Problem, used_titles: set, today: date, solver_kinds: set
) -> ListingPlan | None:
    language = _language(rng, org.language)
    sector, city = org.sector, org.city
    if language == EN:
        title = rng.choice(NEED_TITLE_EN).format(p=problem.en, city=city[1], noun=sector.en_noun)
        title = title[0].upper() + title[1:]
    else:
        title = rng.choice(NEED_TITLE_ZH).format(p=problem.zh, city=city[0], noun=sector.zh_noun)
    if title in used_titles:
        return None
    used_titles.add(title)
    size_band = org.fields.get("size_band", SizeBand.SMALL)
    ceiling = {SizeBand.MICRO: 3000, SizeBand.SMALL: 12000, SizeBand.MEDIUM: 50000}.get(size_band, 12000)
    low, high = sorted([_money(rng, 0, ceiling), _money(rng, 500, ceiling)])
    budget = rng.choices([(low, high), (None, high), (low, None), (None, None)], weights=[65, 12, 8, 15])[0]
    budget_text = {
        (True, True): (f"预算每月 {low:,.0f}–{high:,.0f} 元。", f"Budget: CNY {low:,.0f}–{high:,.0f} a month."),
        (False, True): (f"预算每月不超过 {high:,.0f} 元。", f"Budget: up to CNY {high:,.0f} a month."),
        (True, False): (
            f"预算每月 {low:,.0f} 元起，效果好可以追加。",
            f"Budget: from CNY {low:,.0f} a month, more if it works.",
        ),
        (False, False): ("预算可以面议。", "Budget open to discussion."),
    }[(budget[0] is not None, budget[1] is not None)]
    start = today + timedelta(days=rng.randint(10, 150)) if rng.random() < 0.75 else None
    start_text = (
        (f"希望 {start.year} 年 {start.month} 月开始。", f"We would like to start in {start:%B %Y}.")
        if start
        else ("", "")
    )
    # Computing power is rented: wanting it on the premises would contradict the need.
    expectation = rng.choice(EXPECTATIONS if K.COMPUTE not in problem.kinds else EXPECTATIONS[:1] + EXPECTATIONS[2:])
    kinds = list(problem.kinds)
    # Some SMEs would take another kind of answer too, if the catalogue has a fitting one of it.
    extra = sorted(solver_kinds - set(kinds))
    if rng.random() < 0.2 and extra:
        kinds.append(rng.choice(extra))
    kinds_zh = "或".join(KIND_ZH[k] for k in kinds)
    kinds_en = " or ".join(KIND_EN[k] for k in kinds)
    size_zh, size_en = SIZE_ZH.get(size_band, ""), SIZE_EN.get(size_band, "small")
    zh = (
        f"我们是{city[0]}的一家{size_zh}{sector.zh_noun}，主营{sector.zh_products}。{problem.zh_why}。"
        f"希望找到「{problem.zh}」方面的{kinds_zh}，{expectation[0]}。{budget_text[0]}{start_text[0]}"
    )
    en = (
        f"We are a {size_en} {sector.en_noun} in {city[1]} ({sector.en_products}). "
        f"{problem.en_why[0].upper() + problem.en_why[1:]}. We are looking for {kinds_en} for {problem.en}, "
        f"{expectation[1]}. {budget_text[1]} {start_text[1]}".rstrip()
    )
    description = {ZH: zh, EN: en, MIXED: f"{zh}\n\n{en}"}[language]
    industry = org.fields.get("industry", "")
    region = org.fields.get("province", "")  # where the firm is: its texts name its city
    fields = {
        "title": title,
        "description": description,
        "kinds_wanted": kinds,
        "industry": industry,
        "region": region,
        "budget_min_monthly": budget[0],
        "budget_max_monthly": budget[1],
        "desired_start": start,
        "visibility": NeedVisibility.PLATFORMS_ONLY if rng.random() < 0.15 else NeedVisibility.PUBLIC,
    }
    # What it is about, not who asks: the firm's industry is a field of its own, and as a tag
    # it would tie the need to every capability that names the industry ("物流", "logistics").
    return ListingPlan(Need, org, fields, list(problem.tags), language, problem=problem)


def _plan_needs(smes: list[OrgPlan], today: date, capabilities: list[ListingPlan]) -> list[ListingPlan]:
    """Each SME posts problems a firm of its industry and sector has (two
    thirds its trade's, a third everyone's), each one the catalogue has a
    published answer to that the SME may use."""
    plans = []
    for org in smes:
        rng = random.Random(org.seed)  # noqa: S311 - demo content, not security
        industry = org.fields["industry"]

        def answered(problem: Problem, org=org, industry=industry) -> bool:
            suits = problem_suits(problem, industry, org.sector)
            return suits and bool(solvers_for(org, problem, problem.kinds, capabilities))

        own = [
            problem for problem in PROBLEMS[INDUSTRY_PROBLEMS.get(industry, "business_services")] if answered(problem)
        ]
        general = [problem for problem in PROBLEMS["general"] if answered(problem)]
        chosen = [problem for problem in own + general if problem.zh in org.problems]
        own, general = [p for p in own if p not in chosen], [p for p in general if p not in chosen]
        count = org.listings
        chosen += rng.sample(own, max(0, min(len(own), count - count // 3 - len(chosen))))
        chosen += rng.sample(general, min(len(general), count - len(chosen)))
        used_titles = set()
        for problem in chosen:
            solver_kinds = {plan.fields["kind"] for plan in solvers_for(org, problem, set(K), capabilities)}
            plan = _need_plan(rng, org, problem, used_titles, today, solver_kinds)
            if plan is not None:
                plans.append(plan)
    return plans


CAPABILITY_STATE_SHARES = {
    S.DRAFT: 0.05, S.SUBMITTED: 0.06, S.CHANGES_REQUESTED: 0.04, S.REJECTED: 0.025, S.ARCHIVED: 0.03, S.SUSPENDED: 0.02,
}  # fmt: skip
NEED_STATE_SHARES = {
    S.DRAFT: 0.05, S.SUBMITTED: 0.06, S.CHANGES_REQUESTED: 0.03, S.REJECTED: 0.02, S.ARCHIVED: 0.04, S.SUSPENDED: 0.015,
}  # fmt: skip


def _showcase(listings: list[ListingPlan], credit_code: str) -> None:
    own = [listing for listing in listings if listing.org.credit_code == credit_code]
    for status in (S.CHANGES_REQUESTED, S.SUBMITTED, S.DRAFT):
        published = [listing for listing in own if listing.status == S.PUBLISHED]
        if len(published) < 3 or any(listing.status == status for listing in own):
            continue
        donor = next(listing for listing in listings if listing.status == status and listing not in own)
        published[-1].status, donor.status = status, S.PUBLISHED


def plan_listings(
    rng: random.Random, platforms: list[OrgPlan], smes: list[OrgPlan], today: date
) -> tuple[list[ListingPlan], list[ListingPlan]]:
    """(capabilities, needs), each in its state; the demo logins' organisations
    show work in progress too: something to finish, something waiting for
    review, a moderator's request."""
    capabilities = _plan_capabilities(platforms)
    _plan_states(rng, capabilities, CAPABILITY_STATE_SHARES)
    # Needs after the capabilities' states: each is one the published catalogue answers.
    needs = _plan_needs(smes, today, capabilities)
    _plan_states(rng, needs, NEED_STATE_SHARES)
    return capabilities, needs


def _plan_states(rng: random.Random, listings: list[ListingPlan], shares: dict) -> None:
    model = listings[0].model
    for listing, status in zip(listings, _statuses(rng, len(listings), shares), strict=True):
        listing.status = status
    for body in SHOWCASE:
        _showcase(listings, body + credit_code_check_character(body))
    for listing in listings:
        listing.with_changes_round = listing.status == S.PUBLISHED and rng.random() < 0.1
        action = {S.CHANGES_REQUESTED: "request_changes", S.REJECTED: "reject", S.SUSPENDED: "suspend"}.get(
            S.CHANGES_REQUESTED if listing.with_changes_round else listing.status
        )
        if action:
            reasons = REASONS[(model, action)]
            if listing.fields.get("kind") == K.DATA:
                reasons = reasons + DATA_REASONS.get(action, [])
            listing.reason = _pick(listing.language, rng.choice(reasons))
