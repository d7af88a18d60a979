"""Applications, invitations and message threads of the demo, planned.

Who applies to what follows what the SMEs posted: an SME applies to published
capabilities of a kind one of its published needs wants and that it is
eligible for (size band, verification), preferring those that share tags and
industry with it. The better the fit, the likelier the platform accepts;
declines carry the reason a platform would give: a price above the budget, a
region not served, a full pilot. Platforms invite the SMEs behind needs their
capabilities serve: of a kind the need wants, and about the same thing (see
``serves``). The organisations of the demo logins get a bit of everything
first.

Times follow ``history``: an application comes after the capability (and the
need) was published; open ones are less than APPLICATION_EXPIRY_DAYS old,
expired ones more; messages are in order and in office hours.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from accounts.choices import PLATFORM, SME
from accounts.validators import credit_code_check_character
from demo.seed.correspondence import (
    ANSWERS,
    APPLICATION_NOTES,
    BUDGET_BELOW_PRICE,
    CLOSINGS,
    DECLINE_NOTES,
    DEFAULT_SCOPE,
    ERP_SYSTEMS,
    INFO_REQUESTS,
    INTENDED_USE_FOR_NEED,
    INTENDED_USE_WITHOUT_NEED,
    INVITATIONS,
    METRICS,
    MONTHS_EN,
    NUDGES,
    PERKS,
    PURPOSES,
    QUESTIONS_ANY_KIND,
    QUESTIONS_BY_KIND,
    REGION_NOT_SERVED,
    SCOPES,
    VOLUMES,
)
from demo.seed.fit import fits
from demo.seed.history import DAY, DAYS, LAST, after, before_last, between
from demo.seed.plan import (
    SHOWCASE,
    ApplicationPlan,
    InvitationPlan,
    ListingPlan,
    OrgPlan,
    Plan,
    Step,
)
from demo.seed.vocabulary import BROAD_TAGS, EN, INDUSTRY_EN, INDUSTRY_ZH, MIXED, QUESTIONS, ZH
from marketplace.choices import ApplicationStatus, DeclineReason, InvitationStatus, ListingStatus
from marketplace.models.tags import normalize_tag

TARGETS = {
    ApplicationStatus.SUBMITTED: 20,
    ApplicationStatus.IN_REVIEW: 22,
    ApplicationStatus.ACCEPTED: 34,
    ApplicationStatus.DECLINED: 30,
    ApplicationStatus.WITHDRAWN: 12,
    ApplicationStatus.EXPIRED: 10,
}
INVITATION_TARGETS = {InvitationStatus.OPEN: 20, InvitationStatus.DECLINED: 12, InvitationStatus.ACCEPTED: 12}
# What became of the applications made on invitation, in turn.
INVITED_OUTCOMES = [
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.WITHDRAWN,
]
# The demo logins' organisations: what the SME's own applications and the
# platform's incoming ones became.
SHOWCASE_SME_STATES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.EXPIRED,
]
SHOWCASE_PLATFORM_STATES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.DECLINED,
    ApplicationStatus.WITHDRAWN,
]
SHOWCASE_INVITATIONS = [
    InvitationStatus.OPEN,
    InvitationStatus.OPEN,
    InvitationStatus.OPEN,
    InvitationStatus.ACCEPTED,
    InvitationStatus.DECLINED,
]  # sent by the platform
THREAD_CHANCE = {ApplicationStatus.SUBMITTED: 0.5, ApplicationStatus.IN_REVIEW: 0.8, ApplicationStatus.ACCEPTED: 0.75, ApplicationStatus.DECLINED: 0.6, ApplicationStatus.WITHDRAWN: 0.85, ApplicationStatus.EXPIRED: 0.4}  # fmt: skip
REVIEW_CHANCE = 0.65  # that a platform formally starts a review before deciding
LIMITS = {"sme": 7, "capability": 4, "need": 2}
FINAL_ACTION = {
    ApplicationStatus.ACCEPTED: "accept",
    ApplicationStatus.DECLINED: "decline",
    ApplicationStatus.WITHDRAWN: "withdraw",
}


@dataclass
class Candidate:
    """A capability an SME could apply to, for one of its needs (or none)."""

    sme: OrgPlan
    capability: ListingPlan
    need: ListingPlan | None
    fit: float
    earliest: float  # both listings published, the SME a member


def _eligible(sme: OrgPlan, capability: ListingPlan) -> bool:
    bands = capability.fields["eligible_size_bands"]
    if bands and sme.fields.get("size_band") not in bands:
        return False
    return sme.verified or not capability.fields["requires_verification"]


def _region_served(sme: OrgPlan, capability: ListingPlan, need: ListingPlan | None) -> bool:
    regions = capability.fields["regions"]
    return not regions or (need.fields["region"] if need else sme.fields.get("province")) in regions


def _budget_short(capability: ListingPlan, need: ListingPlan | None) -> bool:
    budget, price = need and need.fields["budget_max_monthly"], capability.fields["price_min_monthly"]
    return bool(budget and price and budget < price)


def _topics(listing: ListingPlan) -> set[str]:
    """What a listing is about: its tags, less the broad ones (industry names, "SME", "AI"…)."""
    return {normalize_tag(tag) for tag in listing.tags} - BROAD_TAGS


def serves(capability: ListingPlan, need: ListingPlan) -> bool:
    """Whether a capability plausibly serves a need: it is of a kind the need
    wants and they are about the same thing (a tag in common beyond the broad
    ones). A shared industry alone is not enough: a customs paperwork tool is
    no answer to a manufacturer's search for raw material price data."""
    return capability.fields["kind"] in need.fields["kinds_wanted"] and bool(_topics(capability) & _topics(need))


def _candidate(sme: OrgPlan, capability: ListingPlan, need: ListingPlan | None) -> Candidate:
    shared = {normalize_tag(tag) for tag in capability.tags} & {
        normalize_tag(tag) for tag in (need.tags if need else [])
    }
    industries = capability.fields["industries"]
    fit = 2 * len(shared) + (1 if sme.fields.get("industry") in industries else -1 if industries else 0)
    fit -= 2 * (not _region_served(sme, capability, need)) + _budget_short(capability, need)
    published = [capability.published_time, need.published_time if need else 0, sme.joined]
    return Candidate(sme, capability, need, fit, max(published) + 2)


def _candidates(plan: Plan) -> list[Candidate]:
    capabilities = [listing for listing in plan.capabilities if listing.status == ListingStatus.PUBLISHED]
    found = []
    for need in plan.needs:
        if need.status != ListingStatus.PUBLISHED:
            continue
        wanted = set(need.fields["kinds_wanted"])
        for capability in capabilities:
            if capability.fields["kind"] in wanted and _eligible(need.org, capability):
                found.append(_candidate(need.org, capability, need))
    return found


def _window(status: str, earliest: float) -> tuple[float, float]:
    """When an application in ``status`` can have been made (open ones must not be overdue yet)."""
    if status == ApplicationStatus.SUBMITTED:
        return max(earliest, LAST - 14 * DAY), LAST - 3
    if status == ApplicationStatus.IN_REVIEW:
        return max(earliest, LAST - 24 * DAY), LAST - DAY
    if status == ApplicationStatus.EXPIRED:
        return earliest, LAST - 32 * DAY
    return earliest, LAST - 4 * DAY


def _text(language: str, pair: tuple[str, str], context: dict) -> str:
    zh, en = pair[0].format(**context), pair[1].format(**context)
    return {ZH: zh, EN: en, MIXED: f"{zh}\n\n{en}"}[language]


def _context(rng: random.Random, candidate: Candidate, time: float, today: date) -> dict:
    sme, capability, need = candidate.sme, candidate.capability, candidate.need
    kind = capability.fields["kind"]
    problem = need.problem if need else None  # the SME's, even when it does not link the need
    use = (problem.zh, problem.en) if problem else PURPOSES[kind]
    offering = capability.offering
    why = (problem.zh_why, problem.en_why[0].upper() + problem.en_why[1:]) if problem else ("", "")
    start = today + timedelta(days=int(time // DAY) - DAYS + rng.randint(25, 60))  # when they hope to begin
    sector, platform = sme.sector, capability.org
    industries = capability.fields["industries"]
    return {
        "cap": capability.fields["title"],
        "what_zh": offering.zh_what if offering else use[0], "what_en": offering.en_what if offering else use[1],
        "need": need.fields["title"] if need else "",
        "use_zh": use[0], "use_en": use[1], "why_zh": why[0], "why_en": why[1],
        "scope_zh": SCOPES.get(sme.fields.get("industry"), DEFAULT_SCOPE)[0],
        "scope_en": SCOPES.get(sme.fields.get("industry"), DEFAULT_SCOPE)[1],
        "volume_zh": (volume := rng.choice(VOLUMES[kind]))[0], "volume_en": volume[1],
        "month_zh": str(start.month), "month_en": MONTHS_EN[start.month - 1],
        "city_zh": sme.city[0], "city_en": sme.city[1],
        "noun_zh": sector.zh_noun if sector else "企业", "noun_en": sector.en_noun if sector else "firm",
        "products_zh": sector.zh_products if sector else "", "products_en": sector.en_products if sector else "",
        "erp_zh": (erp := rng.choice(ERP_SYSTEMS))[0], "erp_en": erp[1],
        "metric_zh": (metric := rng.choice(METRICS))[0], "metric_en": metric[1],
        "weeks": rng.randint(2, 8), "users": rng.choice([5, 10, 20, 30]), "size": rng.randint(2, 40),
        "orders": f"{rng.randrange(800, 20000, 100):,}", "samples": rng.randint(10, 50),
        "platform_zh": platform.short_zh, "platform_en": platform.short_en,
        "perk_zh": (perk := rng.choice(PERKS))[0], "perk_en": perk[1],
        "industries_zh": "、".join(INDUSTRY_ZH[value] for value in industries),
        "industries_en": ", ".join(INDUSTRY_EN.get(value, value) for value in industries),
    }  # fmt: skip


def _decline(rng: random.Random, application: ApplicationPlan, context: dict, language: str) -> tuple[str, str]:
    """(reason, note): the reason a platform would give for this pair."""
    sme, capability, need = application.sme, application.capability, application.need
    if _budget_short(capability, need) and rng.random() < 0.8:
        budget, price = need.fields["budget_max_monthly"], capability.fields["price_min_monthly"]
        return DeclineReason.PRICING, _text(
            language, BUDGET_BELOW_PRICE, {"budget": f"{budget:,.0f}", "price": f"{price:,.0f}"}
        )
    if not _region_served(sme, capability, need) and rng.random() < 0.8:
        return DeclineReason.OTHER, _text(language, REGION_NOT_SERVED, context)
    if capability.fields["industries"] and sme.fields.get("industry") not in capability.fields["industries"]:
        return DeclineReason.NOT_ELIGIBLE, _text(language, DECLINE_NOTES[DeclineReason.NOT_ELIGIBLE][0], context)
    reason = rng.choice(
        [DeclineReason.OUT_OF_SCOPE] * 3 * (application.fit <= 0)
        + [DeclineReason.USE_CASE_UNCLEAR] * 2 * (need is None)
        + [DeclineReason.CAPACITY_FULL] * 2 * (capability.fields["kind"] in ("compute", "expertise"))
        + [
            DeclineReason.CAPACITY_FULL,
            DeclineReason.USE_CASE_UNCLEAR,
            DeclineReason.OUT_OF_SCOPE,
            DeclineReason.PRICING,
            DeclineReason.OTHER,
        ]
    )
    return reason, _decline_note(rng, reason, language, context)


def _decline_note(rng: random.Random, reason: str, language: str, context: dict) -> str:
    notes = DECLINE_NOTES[reason][1:] if reason == DeclineReason.NOT_ELIGIBLE else DECLINE_NOTES[reason]
    # A note is optional except for "other"; most platforms write one anyway.
    return _text(language, rng.choice(notes), context) if reason == DeclineReason.OTHER or rng.random() < 0.75 else ""


def _every_reason(rng: random.Random, applications: list[ApplicationPlan], contexts: dict) -> None:
    """Each decline reason at least twice: take the missing ones from the commonest."""
    declined = [application for application in applications if application.status == ApplicationStatus.DECLINED]
    if len(declined) < 2 * len(DeclineReason.values):
        return
    for reason in DeclineReason.values:
        while sum(application.decline_reason == reason for application in declined) < 2:
            common = Counter(application.decline_reason for application in declined).most_common(1)[0][0]
            donor = next(application for application in declined if application.decline_reason == common)
            language = contexts[id(donor)][1]
            donor.decline_reason = reason
            donor.decline_note = _decline_note(rng, reason, language, contexts[id(donor)][0])
            if reason == DeclineReason.OTHER and not donor.decline_note:
                donor.decline_note = _text(language, DECLINE_NOTES[DeclineReason.OTHER][0], contexts[id(donor)][0])


def _steps(
    rng: random.Random, application: ApplicationPlan, start: float, threaded: bool, language: str, context: dict
) -> list[Step]:
    """Submission, transitions and messages in time order: see the closings in ``correspondence``."""
    status = application.status
    steps = [Step(start, "submit", SME)]

    def message(side: str, pair: tuple[str, str], time: float) -> None:
        steps.append(Step(time, "message", side, _text(language, pair, context)))

    time = start
    reviewed = status == ApplicationStatus.IN_REVIEW or (
        status != ApplicationStatus.SUBMITTED and rng.random() < REVIEW_CHANCE
    )
    if reviewed:
        time = after(rng, time, 2, 72)
        steps.append(Step(time, "start_review", PLATFORM))
    if status == ApplicationStatus.EXPIRED:
        if threaded:
            message(SME, rng.choice(NUDGES), after(rng, max(time, start + 3 * DAY), 2, 17 * DAY))
        steps.append(Step(start + 30 * DAY + rng.uniform(2, 22), "expire"))  # the nightly task: no office hours
        return steps
    lead = PLATFORM if reviewed and rng.random() < 0.4 else SME
    other = SME if lead == PLATFORM else PLATFORM
    closing = rng.choice(CLOSINGS[(status, lead)]) if threaded and (status, lead) in CLOSINGS else None
    if threaded:
        kind = application.capability.fields["kind"]
        pool = INFO_REQUESTS if lead == PLATFORM else QUESTIONS_BY_KIND[kind] + QUESTIONS_ANY_KIND
        count = (
            rng.choices([0, 1, 2], weights=[4, 4, 2])[0] if closing else rng.choices([1, 2, 3], weights=[5, 3, 2])[0]
        )
        for first, second in rng.sample(pool, count):
            time = after(rng, time, 1, 48)
            message(lead, first, time)
            time = after(rng, time, 0.5, 26)
            message(other, second, time)
    action = FINAL_ACTION.get(status)
    if action is None:
        return steps
    time = after(rng, time, 4, 120) if closing else after(rng, time, 12, 240)
    if closing is None:
        steps.append(Step(time, action, PLATFORM if action != "withdraw" else SME))
    elif action == "withdraw":  # the SME withdraws right after saying so
        message(lead, closing[0], time)
        if lead == SME:
            steps.append(Step(time + 0.1, action, SME))
            message(other, closing[1], after(rng, time, 1, 24))
        else:
            time = after(rng, time, 1, 48)
            message(other, closing[1], time)
            steps.append(Step(time + 0.1, action, SME))
    elif lead == PLATFORM:  # the platform writes right after deciding
        steps.append(Step(time, action, PLATFORM))
        message(lead, closing[0], time + 0.1)
        message(other, closing[1], after(rng, time, 1, 24))
    else:
        message(lead, closing[0], time)
        time = after(rng, time, 1, 48)
        steps.append(Step(time, action, PLATFORM))
        message(other, closing[1], time + 0.1)
    return steps


def _application(
    rng: random.Random,
    candidate: Candidate,
    status: str,
    today: date,
    contexts: dict,
    *,
    threaded: bool | None = None,
    start: float | None = None,
    invitation: InvitationPlan | None = None,
) -> ApplicationPlan:
    """An application in ``status``: its texts, and its steps from submission on."""
    low, high = _window(status, candidate.earliest)
    start = start if start is not None else between(rng, low, high)
    sme, capability = candidate.sme, candidate.capability
    # Linking the need is optional on the form; some applicants skip it.
    need = candidate.need if candidate.need is None or invitation or rng.random() < 0.8 else None
    language = MIXED if rng.random() < 0.12 else sme.language
    context = _context(rng, candidate, start, today)
    application = ApplicationPlan(sme, capability, need, status, candidate.fit, invitation=invitation)
    templates = INTENDED_USE_WITHOUT_NEED
    if candidate.need is not None and candidate.need.problem:
        templates = [pair for pair in INTENDED_USE_FOR_NEED if need or "{need}" not in pair[0]]
    application.intended_use = _text(language, rng.choice(templates), context)
    question = capability.fields["application_question"]
    for index, asked in enumerate(QUESTIONS):
        if question and (asked[0] in question or asked[1] in question):
            application.answer = _text(language, ANSWERS[index], context)
    if rng.random() < 0.35:
        application.message = _text(language, rng.choice(APPLICATION_NOTES), context)
    if status == ApplicationStatus.DECLINED:
        application.decline_reason, application.decline_note = _decline(rng, application, context, language)
    threaded = rng.random() < THREAD_CHANCE[status] if threaded is None else threaded
    steps = _steps(rng, application, start, threaded, language, context)
    times = [step.time for step in steps]
    if invitation is None:
        times = before_last(times, low)
    else:  # the invitation moves with the application, which must stay in its window
        times = before_last([invitation.sent, *times], max(candidate.earliest, low - (start - invitation.sent)))
        invitation.sent, invitation.answered, times = times[0], times[1], times[1:]
    application.steps = [Step(time, step.action, step.side, step.body) for step, time in zip(steps, times, strict=True)]
    contexts[id(application)] = (context, language)
    return application


def _invitation(
    rng: random.Random, candidate: Candidate, outcome: str, today: date, contexts: dict, *, status: str
) -> tuple[InvitationPlan, ApplicationPlan | None]:
    """An invitation; when accepted, also the application (in ``status``) that accepted it."""
    capability, need = candidate.capability, candidate.need
    context = _context(rng, candidate, 0, today)
    message = _text(need.language, rng.choice(INVITATIONS if candidate.fit >= 2 else INVITATIONS[2:]), context)
    invitation = InvitationPlan(capability, need, message, outcome)
    if outcome == InvitationStatus.OPEN:
        invitation.sent = min(between(rng, max(candidate.earliest, LAST - 18 * DAY), LAST - 2), LAST - 1)
        return invitation, None
    if outcome == InvitationStatus.DECLINED:
        invitation.sent = between(rng, candidate.earliest, LAST - 3 * DAY)
        invitation.answered = min(after(rng, invitation.sent, 4, 120), LAST)
        return invitation, None
    low, high = _window(status, candidate.earliest + 4)
    invitation.sent = between(rng, max(candidate.earliest, low - 72), high - 48)
    start = max(after(rng, invitation.sent, 2, 96), low)
    return invitation, _application(rng, candidate, status, today, contexts, start=start, invitation=invitation)


def _ranked(rng: random.Random, candidates: list[Candidate]) -> list[Candidate]:
    """Best fits first, give or take: a little luck decides among similar ones."""
    noisy = [(candidate.fit + rng.uniform(0, 3), index) for index, candidate in enumerate(candidates)]
    noisy.sort(reverse=True)
    return [candidates[index] for _score, index in noisy]


class Planner:
    """Chooses candidates once each, within the per-SME, -capability and -need
    limits, and turns them into applications and invitations.

    An SME never applies to the last capability that fits one of its
    published needs (``fit.fits``): the need's suggestions leave out what its
    SME applied to, and every need keeps something fitting to suggest."""

    def __init__(self, rng: random.Random, today: date, plan: Plan):
        self.rng, self.today = rng, today
        self.fitting = {}  # SME's credit code → for each published need, the ids of the capabilities that fit it
        for need in plan.needs:
            if need.status == ListingStatus.PUBLISHED:
                found = {id(capability) for capability in fits(need, plan.capabilities)}
                self.fitting.setdefault(need.org.credit_code, []).append(found)
        self.applied = {}  # SME's credit code → ids of the capabilities it applied to
        self.pairs = set()  # (SME, capability): applied or invited
        self.invited = set()  # (capability, need)
        self.counts = Counter()
        self.contexts = {}  # id(application) → (context, language), to rewrite decline notes
        self.applications, self.invitations = [], []

    def _leaves_a_fit(self, sme: str, capability: int) -> bool:
        """Whether each of the SME's needs still has a fitting capability it
        has not applied to once it applies to ``capability``."""
        applied = self.applied.get(sme, set()) | {capability}
        return all(found - applied for found in self.fitting.get(sme, []) if capability in found)

    def pick(self, candidates, fits=lambda candidate: True, limits=LIMITS, applies: bool = True) -> Candidate | None:
        for candidate in candidates:
            pair = (candidate.sme.credit_code, id(candidate.capability))
            # Applications without a need count each as a need of their own.
            keys = {"sme": pair[0], "capability": pair[1], "need": id(candidate.need or candidate)}
            if pair in self.pairs or not fits(candidate) or (applies and not self._leaves_a_fit(*pair)):
                continue
            if any(self.counts[(name, keys[name])] >= limit for name, limit in limits.items()):
                continue
            self.pairs.add(pair)
            self.counts.update((name, keys[name]) for name in limits)
            if applies:
                self.applied.setdefault(pair[0], set()).add(pair[1])
            return candidate
        return None

    def add_application(self, pool, status: str, *, limits=LIMITS, threaded=None) -> None:
        def feasible(candidate):
            low, high = _window(status, candidate.earliest)
            return low < high

        candidate = self.pick(pool, feasible, limits)
        if candidate is not None:
            self.applications.append(
                _application(self.rng, candidate, status, self.today, self.contexts, threaded=threaded)
            )

    def add_invitation(self, pool, outcome: str) -> None:
        def invitable(candidate):
            key = (id(candidate.capability), id(candidate.need))
            return (
                candidate.earliest < LAST - 3 * DAY
                and key not in self.invited
                and serves(candidate.capability, candidate.need)
            )

        candidate = self.pick(pool, invitable, limits={}, applies=outcome == InvitationStatus.ACCEPTED)
        if candidate is None:
            return
        self.invited.add((id(candidate.capability), id(candidate.need)))
        accepted = sum(invitation.outcome == InvitationStatus.ACCEPTED for invitation in self.invitations)
        status = INVITED_OUTCOMES[accepted % len(INVITED_OUTCOMES)]
        invitation, application = _invitation(self.rng, candidate, outcome, self.today, self.contexts, status=status)
        self.invitations.append(invitation)
        if application is not None:
            self.applications.append(application)


def plan_exchanges(plan: Plan, rng: random.Random, today: date) -> None:
    """Fill ``plan.applications`` and ``plan.invitations``."""
    candidates = _candidates(plan)
    platform_code, sme_code = (body + credit_code_check_character(body) for body in SHOWCASE)
    planner = Planner(rng, today, plan)
    # The demo logins first. The SME applies for its needs and, browsing, to
    # the demo platform too, and is invited; the platform has applications of
    # every kind to answer and invites SMEs.
    sme = next((org for org in plan.smes if org.credit_code == sme_code), None)
    own = _ranked(rng, [candidate for candidate in candidates if candidate.sme is sme])
    browsing = _ranked(rng, [
        _candidate(sme, capability, None)
        for capability in plan.capabilities
        if sme and capability.status == ListingStatus.PUBLISHED and _eligible(sme, capability)
    ])  # fmt: skip
    to_platform = [candidate for candidate in browsing if candidate.capability.org.credit_code == platform_code]
    for status in SHOWCASE_SME_STATES:
        good = [candidate for candidate in own if candidate.fit >= 2][:2]  # and a good one left to be invited to
        planner.add_application(to_platform[:2] + good + browsing, status, limits={"need": 3}, threaded=True)
    for _ in range(2):
        planner.add_invitation(own, InvitationStatus.OPEN)
    incoming = _ranked(rng, [c for c in candidates if c.capability.org.credit_code == platform_code])
    for status in SHOWCASE_PLATFORM_STATES:
        planner.add_application(incoming, status, limits={"need": 3}, threaded=True)
    for outcome in SHOWCASE_INVITATIONS:
        planner.add_invitation(incoming, outcome)
    # Other platforms invite the SMEs that suit them best.
    to_invite = Counter(INVITATION_TARGETS) - Counter(invitation.outcome for invitation in planner.invitations)
    ranked = _ranked(rng, [candidate for candidate in candidates if candidate.fit > 0])
    for outcome in (InvitationStatus.ACCEPTED, InvitationStatus.DECLINED, InvitationStatus.OPEN):
        for _ in range(to_invite[outcome]):
            planner.add_invitation(ranked, outcome)
    # Everyone else: the best fits accepted, weak ones declined, the rest in between.
    remaining = Counter(TARGETS) - Counter(application.status for application in planner.applications)
    ranked = _ranked(rng, candidates)
    weak = [candidate for candidate in rng.sample(candidates, len(candidates)) if candidate.fit <= 1]
    for status in (
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.EXPIRED,
        ApplicationStatus.DECLINED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.WITHDRAWN,
    ):
        for _ in range(remaining[status]):
            planner.add_application(weak + ranked if status == ApplicationStatus.DECLINED else ranked, status)
    _every_reason(rng, planner.applications, planner.contexts)
    plan.applications, plan.invitations = planner.applications, planner.invitations
