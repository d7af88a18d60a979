"""The demo tells the truth about matching: every need is one its firm would
have, the catalogue genuinely answers it (and holds near misses beside the
answer), and every title names one thing. Checked on the plan, without the
database: fast, and the same plan seed_demo writes."""

import re
from collections import Counter
from datetime import date

import pytest

from accounts.validators import credit_code_check_character
from demo.management.commands.seed_demo import DEMO_ORGANIZATIONS
from demo.seed import plan_demo
from demo.seed.listings import title_key
from demo.seed.vocabulary import (
    BROAD_TAGS,
    INDUSTRY_EN,
    INDUSTRY_PROBLEMS,
    INDUSTRY_ZH,
    OFFERINGS,
    PROBLEMS,
    SECTORS,
)
from marketplace.choices import ApplicationStatus, CapabilityKind, ListingStatus
from marketplace.models.tags import normalize_tag

OFFERING_NAMES = {offering.zh: offering for offerings in OFFERINGS.values() for offering in offerings}
SECTOR_NAMES = {sector.en_name for sectors in SECTORS.values() for sector in sectors}
# Applications after which the matcher no longer suggests the capability to that SME.
HIDING = {
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.DECLINED,
}


@pytest.fixture(scope="module")
def plan():
    """The plan seed_demo makes, with its own organisations as it creates them."""
    seeded = {
        spec["body"] + credit_code_check_character(spec["body"]): {
            "industry": spec["industry"],
            "province": spec["province"],
            "size_band": spec["size_band"],
            "verified_at": date(2026, 1, 1) if spec["verified"] else None,
        }
        for spec in DEMO_ORGANIZATIONS
    }
    return plan_demo(seeded=seeded, today=date(2026, 3, 1))


def _published(listings):
    return [listing for listing in listings if listing.status == ListingStatus.PUBLISHED]


def _topics(tags) -> set[str]:
    return {normalize_tag(tag) for tag in tags} - BROAD_TAGS


def _usable(need, capability) -> bool:
    """The matcher's hard filters: kind, region, size band, verification."""
    fields = capability.fields
    org = need.org
    return (
        fields["kind"] in need.fields["kinds_wanted"]
        and (not fields["regions"] or need.fields["region"] in fields["regions"])
        and (not fields["eligible_size_bands"] or org.fields["size_band"] in fields["eligible_size_bands"])
        and (org.verified or not fields["requires_verification"])
    )


def _answers(need, capabilities) -> list:
    """Published capabilities that genuinely solve the need and that its SME may use."""
    return [
        capability
        for capability in _published(capabilities)
        if capability.offering.zh in need.problem.solved_by and _usable(need, capability)
    ]


# --- the vocabulary ----------------------------------------------------------------------


def test_every_problem_is_solved_by_real_offerings_about_the_same_thing():
    for problems in PROBLEMS.values():
        for problem in problems:
            assert problem.solved_by, problem.zh
            solvers = [OFFERING_NAMES.get(name) for name in problem.solved_by]
            assert None not in solvers, (problem.zh, problem.solved_by)
            # One of them is of a kind every need of this problem asks for.
            assert {solver.kind for solver in solvers} & set(problem.kinds), problem.zh
            for solver in solvers:
                assert _topics(problem.tags) & _topics(solver.tags), (problem.zh, solver.zh)


def test_problems_name_real_sectors_and_industries_that_draw_from_their_list():
    for key, problems in PROBLEMS.items():
        drawing = [industry for industry, name in INDUSTRY_PROBLEMS.items() if name == key]
        sectors = {sector.en_name for industry in drawing for sector in SECTORS[industry]}
        for problem in problems:
            assert set(problem.sectors) <= (SECTOR_NAMES if key == "general" else sectors), problem.zh
            assert set(problem.industries) <= set(INDUSTRY_PROBLEMS), problem.zh


def test_every_sector_has_problems_of_its_own():
    for industry, sectors in SECTORS.items():
        own = PROBLEMS[INDUSTRY_PROBLEMS[industry]]
        for sector in sectors:
            count = sum(not problem.sectors or sector.en_name in problem.sectors for problem in own)
            assert count >= 3, sector.en_name


# --- the plan ----------------------------------------------------------------------------


def test_the_demo_keeps_its_size(plan):
    assert len(plan.capabilities) >= 160
    assert len(plan.needs) >= 230
    assert len({capability.offering.zh for capability in plan.capabilities}) == len(OFFERING_NAMES)


def test_needs_are_problems_their_firm_has(plan):
    for need in plan.needs:
        org, problem = need.org, need.problem
        industry = org.fields["industry"]
        assert problem in PROBLEMS[INDUSTRY_PROBLEMS[industry]] + PROBLEMS["general"], (need.fields["title"], industry)
        assert not problem.sectors or org.sector.en_name in problem.sectors, (need.fields["title"], org.sector)
        assert not problem.industries or industry in problem.industries, (need.fields["title"], industry)


def test_need_texts_agree_with_their_title_and_firm(plan):
    for need in plan.needs:
        title, description, problem, sector = (
            need.fields["title"],
            need.fields["description"],
            need.problem,
            need.org.sector,
        )
        assert problem.zh in title or problem.en.lower() in title.lower(), title
        assert problem.zh in description or problem.en in description, title
        assert sector.zh_noun in description or sector.en_noun in description, title
        assert set(problem.kinds) <= set(need.fields["kinds_wanted"]), title
        if CapabilityKind.COMPUTE in problem.kinds:  # rented computing power is never on the premises
            assert "私有化部署" not in description and "on our premises" not in description, title


def test_every_published_need_has_an_answer_its_sme_can_see(plan):
    """Of a kind it wants, allowed to its SME, and not hidden from its
    suggestions by an application of that SME."""
    applied = {}
    for application in plan.applications:
        if application.status in HIDING:
            applied.setdefault(application.sme.credit_code, set()).add(id(application.capability))
    for need in _published(plan.needs):
        answers = _answers(need, plan.capabilities)
        visible = [c for c in answers if id(c) not in applied.get(need.org.credit_code, set())]
        assert visible, (need.fields["title"], [c.fields["title"] for c in answers])


def test_every_published_need_has_plausible_distractors(plan):
    """Near misses: published capabilities it may use, of a kind it wants or made
    for its industry, that do not solve it."""
    for need in _published(plan.needs):
        industry = need.org.fields["industry"]
        near = [
            capability
            for capability in _published(plan.capabilities)
            if capability.offering.zh not in need.problem.solved_by
            and (capability.fields["kind"] in need.fields["kinds_wanted"] or industry in capability.offering.industries)
        ]
        assert len(near) >= 3, need.fields["title"]


def test_extra_kinds_a_need_asks_for_are_kinds_its_answers_come_in(plan):
    for need in plan.needs:
        extra = set(need.fields["kinds_wanted"]) - set(need.problem.kinds)
        kinds = {OFFERING_NAMES[name].kind for name in need.problem.solved_by}
        assert extra <= kinds, (need.fields["title"], extra)


def test_capability_titles_name_one_listing(plan):
    keys = Counter(title_key(capability.fields["title"]) for capability in plan.capabilities)
    assert [key for key, count in keys.items() if count > 1] == []
    need_titles = {title_key(need.fields["title"]) for need in plan.needs}
    assert not need_titles & set(keys)


def test_an_sme_never_posts_the_same_title_twice(plan):
    titles = Counter((need.org.credit_code, title_key(need.fields["title"])) for need in plan.needs)
    assert [pair for pair, count in titles.items() if count > 1] == []
    problems = Counter((need.org.credit_code, need.problem.zh) for need in plan.needs)
    assert [pair for pair, count in problems.items() if count > 1] == []


def test_capability_texts_agree_with_their_title(plan):
    for capability in plan.capabilities:
        offering, title = capability.offering, capability.fields["title"]
        assert title.startswith((offering.zh, offering.en)), title
        assert (
            offering.zh_what in capability.fields["description"] or offering.en_what in capability.fields["description"]
        )
        assert capability.fields["kind"] == offering.kind


def test_need_titles_read_as_requests_not_offers(plan):
    """A bare topic ("Bookkeeping and tax filing") reads as an offer on the
    needs board: every need title says it is wanted."""
    offers = {title_key(name) for offering in OFFERING_NAMES.values() for name in (offering.zh, offering.en)}
    for need in plan.needs:
        title, problem = need.fields["title"], need.problem
        assert title_key(title) not in offers, title
        assert title_key(title) not in {title_key(problem.zh), title_key(problem.en)}, title


@pytest.mark.parametrize("word", ["Produce", "Store", "Process", "Record", "Present", "Project"])
def test_english_capability_titles_do_not_open_with_a_word_that_is_also_a_verb(word):
    """ "Produce traceability codes": make them, or codes for farm produce?"""
    for offering in OFFERING_NAMES.values():
        assert not re.match(rf"{word}\b", offering.en), offering.en


def test_the_demo_smes_post_what_their_profiles_promise(plan):
    """The demo logins' firms: the need the tester looks at first has its
    answer in the catalogue (the textile mill's fabric inspection, the
    machining shop's visual inspection)."""
    expected = {
        "91330206MA2HDM003": ("零件表面缺陷视觉检测", {"工业视觉缺陷检测模型"}),
        "91320500MA1MDM005": ("织物瑕疵自动检测", {"织物瑕疵检测模型", "工业视觉缺陷检测模型"}),
        "91510100MA6CDM004": ("配送路线优化", {"车辆路径优化工具"}),
    }
    for body, (problem, offerings) in expected.items():
        code = body + credit_code_check_character(body)
        needs = [need for need in plan.needs if need.org.credit_code == code and need.problem.zh == problem]
        assert len(needs) == 1, (body, problem)
        answers = {capability.offering.zh for capability in _answers(needs[0], plan.capabilities)}
        assert answers & offerings, (problem, answers)
    # The fabric defect need is the textile mill's, never a machining shop's.
    for need in plan.needs:
        if need.problem.zh == "织物瑕疵自动检测":
            assert need.org.sector.en_name == "Textile", need.org.fields


def test_every_offering_kind_is_in_the_catalogue(plan):
    assert {capability.fields["kind"] for capability in _published(plan.capabilities)} == set(CapabilityKind.values)


def test_need_tags_are_about_the_problem_not_the_firm_s_industry(plan):
    """An industry name as a tag would tie a need to every capability naming
    that industry ("物流" on a parcel tracking API and on an address cleaning need)."""
    industries = {normalize_tag(name) for name in (*INDUSTRY_ZH.values(), *INDUSTRY_EN.values())}
    for need in plan.needs:
        assert not {normalize_tag(tag) for tag in need.tags} & industries, (need.fields["title"], need.tags)
