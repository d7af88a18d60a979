"""Learning from outcomes, simulated: does the learnt ranker beat the prior?

    .venv/bin/python -m bench.learning_simulation

A synthetic marketplace, a hidden preference model standing in for the SMEs,
and the production loop: needs are shown their top 10 by ``Matcher.match``
with the active scorer, the simulated SMEs say *interested* (1) or
*dismissed* (0), the labels accumulate, and at each checkpoint (0, 500, 2,000
and 10,000 labels by default) ``ranker.train`` fits a candidate on the older
labels, compares it with the active scorer on the newer ones and promotes it
only when it wins. Everything is seeded: the same flags print the same table.

The world
---------
- 12 topics (invoices, logistics, compute, inspection, …), each a vocabulary of
  English and Chinese words and a few tags. A capability belongs to one topic
  and touches a second one; its title and description mix its topic's words,
  some of the second topic's and generic marketplace words. A need is written
  in its topic's words with some off-topic and generic words, so text
  similarity is informative but noisy.
- Kinds (api, compute, data, model, tool, expertise) with a kind mix per
  topic; needs name one kind (55%), two (15%) or none.
- 12 provinces: a quarter of the capabilities are provincial programmes (1-3
  provinces), the rest nationwide; every need has a province.
- 10 industries: 45% of the capabilities serve every industry, the others name
  one or two; every need has an industry.
- Size bands (micro, small, medium): 20% of the capabilities are restricted;
  10% require verification, 70% of the SMEs are verified.
- Monthly prices (log-normal around 3,000; 8% free, 10% unknown) against
  budgets that grow with the firm's size (log-normal; 20% unknown).
- Each capability has a true acceptance rate (Beta(3, 2)); its record of
  decided applications (0-60, skewed low) and acceptances is a binomial draw
  of it, so the track-record feature is a noisy estimate. Publication dates
  are spread over two years.

The hidden preference model
---------------------------
The true utility of a (need, capability) pair, from its facts, not from the
ranker's features::

    U =  3.0 * topic        1 same topic, 0.4 the capability's second topic, else 0
       + industry           +1 names the SME's industry, 0 serves all, -1 names only others
       + budget             +0.5 price within budget (or free); over budget
                            -1 - log2(cheapest price / budget ceiling), down to -3;
                            0 when either side is unknown
       + 2.0 * (p - 0.5)    p the capability's true acceptance rate
       + 0.3 * regional     a provincial programme of the SME's own province

Size band, kind, tags and freshness carry no utility of their own (size and
kind are hard filters). Compared with the prior (text 0.60, budget 0.08,
industry 0.08, track record 0.02), these SMEs care much more about budget,
industry fit and their chance of acceptance. An SME looks at the proposal at
rank r (1-10) with probability 1 / (1 + 0.12 (r - 1)) and, when it does, is
interested with probability logistic(1.5 * (U + e - 3.0)), where e ~ N(0, 0.7)
is the taste of that SME for that capability, which no feature sees. Its
answer comes 0-3 days after the need was posted; needs arrive 20 a day.

Evaluation against the hidden truth
-----------------------------------
Held-out needs (never shown, never labelled) are ranked by ``Matcher.match``
(retrieval depth 100, the production path) with each scorer. Each eligible
capability of the whole catalogue gets a grade from its utility U (without
the taste noise): 3 for U >= 4, 2 for U >= 3, 1 for U >= 2, else 0; NDCG@10
uses gains 2^grade - 1 and the ideal order over all eligible capabilities,
so retrieval misses count against every scorer alike. Two lines of context
come first: "ceiling", the best any re-ranker of the same retrieved
candidates could do; "reference", a logistic fit on labels without exposure
bias (every retrieved candidate of 300 other needs answered), about the best
a linear scorer on these features reaches.

Columns: labels collected (a checkpoint is reached with the need that
crosses it, so counts overshoot a little); needs shown so far; the share of
labels that say interested; the result of ``train`` (promoted, kept, or
refused); the candidate's and the active scorer's NDCG@10 on the newest 20% of
the labels (what ``train`` decides on); NDCG@10 against the hidden truth for
the prior, the candidate and the active scorer after the decision. The
active scorer's weights are printed at the end.

Flags: ``--labels 0,500,2000,10000`` (checkpoints), ``--capabilities 2400``,
``--eval-needs 300``, ``--reference-needs 300``, ``--depth 100``, ``--seed 2026``.
"""

import argparse
import sys
import time
from dataclasses import dataclass

import numpy as np

from matching.ml.engine import Matcher
from matching.ml.features import DAY, FEATURES, NEUTRAL, eligible
from matching.ml.ranker import PRIOR, Labels, LinearScorer, fit_logistic, train
from matching.ml.records import CapabilityRecord, NeedRecord

TOPICS = {
    "invoices": (
        "invoice ocr vat receipt scanning tax reimbursement payable bookkeeping ledger expense "
        "audit reconciliation 发票 报销 记账 财务 税务 对账",
        ("OCR", "发票", "财务"),
    ),
    "logistics": (
        "cold chain delivery route optimisation fleet tracking warehouse freight dispatch courier "
        "shipment truck 物流 配送 仓储 冷链 运输 车队",
        ("物流", "route planning", "冷链"),
    ),
    "compute": (
        "gpu a100 compute rental hourly cluster training inference cuda server hosting "
        "kubernetes 算力 服务器 云主机 显卡 集群",
        ("GPU", "算力", "cloud hosting"),
    ),
    "inspection": (
        "defect detection visual inspection metal parts camera quality assembly line welding "
        "surface scratch 质检 缺陷 视觉 检测 产线",
        ("质检", "machine vision", "defect"),
    ),
    "payments": (
        "cross border payment settlement currency exchange remittance merchant acquiring "
        "wallet refund 支付 结算 跨境 收款 汇率 外汇",
        ("支付", "跨境收款", "payments"),
    ),
    "marketing": (
        "advertising campaign social media influencer livestream conversion leads brand "
        "copywriting audience 营销 直播 广告 投放 种草 引流",
        ("营销", "直播", "ads"),
    ),
    "hr": (
        "payroll recruitment hiring attendance social insurance employees onboarding resume "
        "interview salary 招聘 薪酬 社保 考勤 员工 人事",
        ("招聘", "HR", "薪酬"),
    ),
    "legal": (
        "contract review compliance trademark patent filing legal counsel dispute lawyer "
        "licence litigation 合同 法务 知识产权 商标 专利 合规",
        ("法务", "合同审查", "trademark"),
    ),
    "security": (
        "cybersecurity firewall penetration testing vulnerability scanning ddos protection "
        "intrusion encryption backup 安全 漏洞 防护 渗透 加密 等保",
        ("网络安全", "security", "等保"),
    ),
    "ecommerce": (
        "online store storefront catalogue product listing marketplace orders inventory sync "
        "shopify checkout 电商 店铺 订单 上架 库存 商品",
        ("电商", "online store", "库存"),
    ),
    "energy": (
        "energy monitoring electricity consumption solar carbon emissions meter heating "
        "efficiency battery 能耗 碳排放 光伏 节能 电表 储能",
        ("节能", "carbon", "光伏"),
    ),
    "translation": (
        "translation localisation interpreting multilingual documents subtitles proofreading "
        "glossary website 翻译 本地化 多语言 字幕 口译 校对",
        ("翻译", "localisation", "多语言"),
    ),
}
GENERIC = [
    "platform",
    "service",
    "solution",
    "support",
    "enterprise",
    "business",
    "digital",
    "online",
    "system",
    "management",
    "fast",
    "secure",
    "integration",
    "custom",
    "smart",
    "professional",
    "efficient",
    "平台",
    "服务",
    "企业",
    "解决方案",
    "智能",
    "数字化",
    "高效",
    "一站式",
]
KINDS = ("api", "compute", "data", "model", "tool", "expertise")
PROVINCES = [
    "beijing",
    "shanghai",
    "guangdong",
    "zhejiang",
    "jiangsu",
    "sichuan",
    "hubei",
    "shandong",
    "fujian",
    "henan",
    "hunan",
    "shaanxi",
]
INDUSTRIES = [
    "manufacturing",
    "retail",
    "logistics",
    "agriculture",
    "healthcare",
    "education",
    "construction",
    "finance",
    "tourism",
    "software",
]
SIZES = ("micro", "small", "medium")
BUDGET_MEDIAN = {"micro": 1500.0, "small": 4000.0, "medium": 10000.0}

START = 1_767_225_600.0  # 2026-01-01 UTC
NEEDS_PER_DAY = 20
SHOWN = 10

# The hidden preference model (see the module docstring).
W_TOPIC, SECOND_TOPIC = 3.0, 0.4
W_TRACK = 2.0
W_REGIONAL = 0.3
BUDGET_FITS, OVER_BUDGET_STEP, OVER_BUDGET_FLOOR = 0.5, 1.0, -3.0
RESPONSE_SLOPE, RESPONSE_OFFSET, TASTE_SD = 1.5, 3.0, 0.7
EXAMINATION_DECAY = 0.12
GRADE_CUTS = (2.0, 3.0, 4.0)


@dataclass
class World:
    """The catalogue and the hidden facts the simulated SMEs judge it by."""

    capabilities: list[CapabilityRecord]
    topic: np.ndarray  # capability -> topic index
    second: np.ndarray  # capability -> second topic index
    industries: np.ndarray  # capability x industry, bool
    regions: np.ndarray  # capability x province, bool
    price_min: np.ndarray  # nan when unknown
    acceptance: np.ndarray  # true acceptance rate
    topic_kinds: np.ndarray  # topic x kind probabilities


@dataclass(frozen=True)
class Need:
    record: NeedRecord
    topic: int
    industry: int
    region: int
    budget_max: float  # nan when unknown


def _words(rng, vocabulary: list[str], count: int) -> list[str]:
    return [vocabulary[i] for i in rng.integers(0, len(vocabulary), size=count)]


def _mixed_text(rng, parts: list[tuple[list[str], float]], length: int) -> str:
    """``length`` words, each drawn from one of ``parts`` with its probability."""
    shares = np.array([share for _, share in parts])
    sources = rng.choice(len(parts), size=length, p=shares / shares.sum())
    return " ".join(_words(rng, parts[s][0], 1)[0] for s in sources)


TOPIC_NAMES = list(TOPICS)
VOCABULARIES = [TOPICS[name][0].split() for name in TOPIC_NAMES]
TOPIC_TAGS = [list(TOPICS[name][1]) for name in TOPIC_NAMES]


def _subset(rng, names, low: int, high: int) -> list[int]:
    count = int(rng.integers(low, high + 1))
    return sorted(rng.choice(len(names), size=count, replace=False).tolist())


def build_world(rng: np.random.Generator, count: int) -> World:
    topics = len(TOPIC_NAMES)
    topic_kinds = rng.dirichlet(np.full(len(KINDS), 0.6), size=topics)
    topic = rng.integers(0, topics, size=count)
    second = (topic + rng.integers(1, topics, size=count)) % topics
    industries = np.zeros((count, len(INDUSTRIES)), dtype=bool)
    regions = np.zeros((count, len(PROVINCES)), dtype=bool)
    price_min = np.full(count, np.nan)
    acceptance = rng.beta(3.0, 2.0, size=count)
    records = []
    for i in range(count):
        own, other = VOCABULARIES[topic[i]], VOCABULARIES[second[i]]
        kind = KINDS[rng.choice(len(KINDS), p=topic_kinds[topic[i]])]
        title = " ".join([*_words(rng, own, int(rng.integers(2, 4))), kind])
        description = _mixed_text(rng, [(own, 0.55), (other, 0.15), (GENERIC, 0.30)], int(rng.integers(12, 21)))
        tags = tuple(sorted({TOPIC_TAGS[topic[i]][j] for j in _subset(rng, TOPIC_TAGS[topic[i]], 1, 3)}))
        if rng.random() < 0.55:
            industries[i, _subset(rng, INDUSTRIES, 1, 2)] = True
        if rng.random() < 0.25:
            regions[i, _subset(rng, PROVINCES, 1, 3)] = True
        sizes = frozenset(SIZES[j] for j in _subset(rng, SIZES, 1, 2)) if rng.random() < 0.2 else frozenset()
        roll = rng.random()
        if roll < 0.08:
            low, high = 0.0, 0.0
        elif roll < 0.18:
            low = high = None
        else:
            low = float(round(rng.lognormal(np.log(3000.0), 1.0), -1))
            high = float(round(low * rng.uniform(1.0, 3.0), -1))
        price_min[i] = np.nan if low is None else low
        decided = int(min(rng.negative_binomial(1, 0.08), 60))
        records.append(
            CapabilityRecord(
                id=i,
                title=title,
                description=description,
                kind=kind,
                tags=tags,
                industries=frozenset(INDUSTRIES[j] for j in np.flatnonzero(industries[i])),
                regions=frozenset(PROVINCES[j] for j in np.flatnonzero(regions[i])),
                size_bands=sizes,
                requires_verification=bool(rng.random() < 0.1),
                price_min=low,
                price_max=high,
                accepted=int(rng.binomial(decided, acceptance[i])),
                decided=decided,
                published_at=START - float(rng.uniform(0.0, 730.0)) * DAY,
            )
        )
    return World(records, topic, second, industries, regions, price_min, acceptance, topic_kinds)


def make_need(rng: np.random.Generator, world: World, need_id: str, posted: float) -> Need:
    topic = int(rng.integers(0, len(TOPIC_NAMES)))
    other = VOCABULARIES[(topic + int(rng.integers(1, len(TOPIC_NAMES)))) % len(TOPIC_NAMES)]
    text = _mixed_text(rng, [(VOCABULARIES[topic], 0.6), (other, 0.15), (GENERIC, 0.25)], int(rng.integers(6, 13)))
    roll = rng.random()
    kind_count = 1 if roll < 0.55 else 2 if roll < 0.70 else 0
    kinds = rng.choice(len(KINDS), size=kind_count, replace=False, p=world.topic_kinds[topic]) if kind_count else []
    tags: tuple[str, ...] = ()
    if rng.random() < 0.4:
        tag_topic = topic if rng.random() < 0.9 else int(rng.integers(0, len(TOPIC_NAMES)))
        tags = tuple(TOPIC_TAGS[tag_topic][j] for j in _subset(rng, TOPIC_TAGS[tag_topic], 1, 2))
    industry = int(rng.integers(0, len(INDUSTRIES)))
    region = int(rng.integers(0, len(PROVINCES)))
    size = SIZES[rng.choice(3, p=[0.45, 0.4, 0.15])]
    budget_max = np.nan
    budget_min = None
    if rng.random() < 0.8:
        budget_max = max(float(round(rng.lognormal(np.log(BUDGET_MEDIAN[size]), 0.8), -1)), 10.0)
        budget_min = float(round(budget_max * rng.uniform(0.2, 0.6), -1))
    record = NeedRecord(
        id=need_id,
        text=text,
        kinds=frozenset(KINDS[k] for k in kinds),
        tags=tags,
        industry=INDUSTRIES[industry],
        region=PROVINCES[region],
        size_band=size,
        verified=bool(rng.random() < 0.7),
        budget_min=budget_min,
        budget_max=None if np.isnan(budget_max) else budget_max,
        published_at=posted,
    )
    return Need(record, topic, industry, region, budget_max)


def utility(world: World, need: Need, caps: np.ndarray) -> np.ndarray:
    """The hidden utility U of the need's pairs with capabilities ``caps``."""
    topic = np.where(
        world.topic[caps] == need.topic, 1.0, np.where(world.second[caps] == need.topic, SECOND_TOPIC, 0.0)
    )
    named = world.industries[caps].any(axis=1)
    industry = np.where(named, np.where(world.industries[caps, need.industry], 1.0, -1.0), 0.0)
    price = world.price_min[caps]
    budget = np.zeros(len(caps))
    if not np.isnan(need.budget_max):
        known = ~np.isnan(price)
        over = known & (price > need.budget_max)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log2(np.where(over, price, need.budget_max) / need.budget_max)
        budget = np.where(
            known, np.where(over, np.maximum(-OVER_BUDGET_STEP - ratio, OVER_BUDGET_FLOOR), BUDGET_FITS), 0.0
        )
    regional = world.regions[caps, need.region]
    return W_TOPIC * topic + industry + budget + W_TRACK * (world.acceptance[caps] - 0.5) + W_REGIONAL * regional


def grades(values: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.array(GRADE_CUTS), values, side="right")


def dcg(grade_list: np.ndarray, k: int = 10) -> float:
    top = np.asarray(grade_list[:k], dtype=np.float64)
    return float(np.sum((2.0**top - 1.0) / np.log2(np.arange(len(top)) + 2.0)))


def match_one(matcher: Matcher, need: NeedRecord, scorer: LinearScorer, *, k: int, depth: int, now: float):
    # One need per call: each need is matched at its own time, as it arrives.
    return matcher.match([need], scorer, k=k, depth=depth, now=now, explain=False)[0]


class TruthEvaluation:
    """NDCG@10 of a scorer against the hidden utilities, on held-out needs."""

    def __init__(self, world: World, matcher: Matcher, needs: list[Need], depth: int, now: float):
        self.world, self.matcher, self.needs, self.depth, self.now = world, matcher, needs, depth, now
        _, table = matcher.prepare([need.record for need in needs])
        everything = np.arange(len(world.capabilities))
        self.utilities, self.ideal = [], []
        for row, need in enumerate(needs):
            values = np.full(len(everything), -np.inf)
            allowed = eligible(table, row, matcher.table, everything)
            values[allowed] = utility(world, need, everything[allowed])
            self.utilities.append(values)
            self.ideal.append(dcg(np.sort(grades(values[allowed]))[::-1]))
        self.scored = [i for i, ideal in enumerate(self.ideal) if ideal > 0]

    def ndcg(self, scorer: LinearScorer) -> float:
        values = []
        for i in self.scored:
            proposals = match_one(self.matcher, self.needs[i].record, scorer, k=10, depth=self.depth, now=self.now)
            ranked = np.array([proposal.capability_id for proposal in proposals], dtype=np.int64)
            values.append(dcg(grades(self.utilities[i][ranked])) / self.ideal[i])
        return float(np.mean(values))

    def ceiling(self) -> float:
        """The best re-ranking of the retrieved candidates: sorted by true utility."""
        values = []
        for i in self.scored:
            proposals = match_one(
                self.matcher, self.needs[i].record, PRIOR, k=self.depth, depth=self.depth, now=self.now
            )
            ranked = np.array([proposal.capability_id for proposal in proposals], dtype=np.int64)
            best = np.sort(grades(self.utilities[i][ranked]))[::-1]
            values.append(dcg(best) / self.ideal[i])
        return float(np.mean(values))


def respond(world: World, need: Need, proposals, rng: np.random.Generator) -> np.ndarray:
    """The SME's answers (True: interested) to proposals it looks at."""
    caps = np.array([proposal.capability_id for proposal in proposals], dtype=np.int64)
    noisy = utility(world, need, caps) + rng.normal(0.0, TASTE_SD, size=len(caps))
    interest = 1.0 / (1.0 + np.exp(-RESPONSE_SLOPE * (noisy - RESPONSE_OFFSET)))
    return rng.random(len(caps)) < interest


def unbiased_reference(world: World, matcher: Matcher, rng: np.random.Generator, count: int, depth: int, now: float):
    """A logistic fit (``ranker.fit_logistic``) on labels without exposure bias:
    every retrieved candidate of ``count`` fresh needs answered. What a linear
    scorer on these features can reach with plenty of unbiased data."""
    rows, outcomes, needs = [], [], []
    for i in range(count):
        need = make_need(rng, world, f"reference-{i}", now)
        proposals = match_one(matcher, need.record, PRIOR, k=depth, depth=depth, now=now)
        rows += [[proposal.features[name] for name in FEATURES] for proposal in proposals]
        outcomes += respond(world, need, proposals, rng).astype(np.int64).tolist()
        needs += [i] * len(proposals)
    labels = Labels(np.array(rows), np.array(outcomes), np.array(needs), np.zeros(len(needs)))
    return fit_logistic(labels), len(labels)


class Feedback:
    """The stream of needs shown to the active scorer and the SMEs' answers."""

    def __init__(self, world: World, matcher: Matcher, rng: np.random.Generator, depth: int):
        self.world, self.matcher, self.rng, self.depth = world, matcher, rng, depth
        self.features: list[list[float]] = []
        self.outcomes: list[int] = []
        self.needs: list[int] = []
        self.times: list[float] = []
        self.shown = 0

    def show_next(self, scorer: LinearScorer) -> None:
        posted = START + self.shown * DAY / NEEDS_PER_DAY
        need = make_need(self.rng, self.world, f"stream-{self.shown}", posted)
        proposals = match_one(self.matcher, need.record, scorer, k=SHOWN, depth=self.depth, now=posted)
        if proposals:
            answers = respond(self.world, need, proposals, self.rng)
            looked = self.rng.random(len(proposals)) < 1.0 / (1.0 + EXAMINATION_DECAY * np.arange(len(proposals)))
            answered_at = posted + self.rng.uniform(0.0, 3.0, size=len(proposals)) * DAY
            for position in np.flatnonzero(looked):
                self.features.append([proposals[position].features[name] for name in FEATURES])
                self.outcomes.append(int(answers[position]))
                self.needs.append(self.shown)
                self.times.append(float(answered_at[position]))
        self.shown += 1

    def labels(self) -> Labels:
        return Labels(
            features=np.array(self.features, dtype=np.float64).reshape(-1, len(FEATURES)),
            outcomes=np.array(self.outcomes, dtype=np.int64),
            needs=np.array(self.needs, dtype=np.int64),
            times=np.array(self.times, dtype=np.float64),
        )


def _fmt(value) -> str:
    return "   —  " if value is None else f"{value:6.3f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", default="0,500,2000,10000", help="comma-separated label checkpoints")
    parser.add_argument("--capabilities", type=int, default=2400)
    parser.add_argument("--eval-needs", type=int, default=300)
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument("--reference-needs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args(argv)
    checkpoints = sorted(int(value) for value in arguments.labels.split(","))

    started = time.perf_counter()
    world_rng, eval_rng, stream_rng, reference_rng = (
        np.random.default_rng([arguments.seed, part]) for part in range(4)
    )
    world = build_world(world_rng, arguments.capabilities)
    matcher = Matcher(world.capabilities)
    eval_now = START + 120 * DAY
    held_out = [make_need(eval_rng, world, f"held-out-{i}", eval_now) for i in range(arguments.eval_needs)]
    truth = TruthEvaluation(world, matcher, held_out, arguments.depth, eval_now)
    prior_truth = truth.ndcg(PRIOR)
    print(
        f"{len(world.capabilities):,} capabilities; {len(truth.scored)} of {len(held_out)} held-out needs have a "
        f"capability of grade >= 1; retrieval depth {arguments.depth}; seed {arguments.seed}"
    )
    print(f"ceiling (retrieved candidates in true-utility order): NDCG@10 {truth.ceiling():.3f}")
    reference, reference_count = unbiased_reference(
        world, matcher, reference_rng, arguments.reference_needs, arguments.depth, eval_now
    )
    print(
        f"reference (logistic fit on {reference_count:,} labels without exposure bias: every retrieved candidate "
        f"of {arguments.reference_needs} needs answered): NDCG@10 {truth.ndcg(reference):.3f}"
    )
    print()
    header = (
        f"{'labels':>7} {'needs':>6} {'interest':>8}  {'decision':<9} {'split NDCG@10':^15}  "
        f"{'NDCG@10 vs hidden truth':^26}"
    )
    print(header)
    print(f"{'':>7} {'':>6} {'':>8}  {'':<9} {'cand.':>7} {'active':>7}  {'prior':>7} {'cand.':>7} {'active':>8}")
    active = PRIOR
    feedback = Feedback(world, matcher, stream_rng, arguments.depth)
    for checkpoint in checkpoints:
        while len(feedback.outcomes) < checkpoint:
            feedback.show_next(active)
        labels = feedback.labels()
        result = train(labels, active)
        decision = "refused" if result.candidate is None else "promoted" if result.promote else "kept"
        if result.promote:
            active = result.candidate
        candidate_truth = truth.ndcg(result.candidate) if result.candidate is not None else None
        active_truth = truth.ndcg(active)
        interest = float(np.mean(labels.outcomes)) if len(labels) else None
        print(
            f"{len(labels):>7,} {feedback.shown:>6,} {_fmt(interest):>8}  {decision:<9} "
            f"{_fmt(result.metrics.get('ndcg_candidate')):>7} {_fmt(result.metrics.get('ndcg_active')):>7}  "
            f"{prior_truth:7.3f} {_fmt(candidate_truth):>7} {active_truth:8.3f}"
        )
    print()
    # What raising each feature from neutral to the highest value seen in
    # training does to the active score (additive, so exact).
    raised = np.tile(NEUTRAL, (len(FEATURES), 1))
    np.fill_diagonal(raised, active.upper if active.upper is not None else 1.0)
    effects = np.diag(active.contributions(raised))
    print("active model, effect of each feature from neutral to its highest value in training:")
    print("  " + ", ".join(f"{n} {e:+.2f}" for n, e in zip(FEATURES, effects, strict=True)))
    print(f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
