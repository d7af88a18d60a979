"""Catalogue search ranks the topic first: a small judged catalogue in both
languages, with the boilerplate lines and shared words that misled the old
ranking (issue "Relevance", part 6). The unmarked tests run on the configured
database (SQLite by default); the ``postgres`` one runs the same judgments on
PostgreSQL."""

import pytest

from marketplace import selectors
from marketplace.search import build_document
from tests.marketplace.factories import CapabilityFactory

# A line the demo adds to many descriptions, in both languages.
BOILERPLATE = "可开具增值税专用发票。VAT special invoices available. 欢迎先申请试用，效果满意再签约。"

LISTINGS = {
    "ocr_zh": (
        "增值税发票 OCR API",
        "识别增值税专用发票、普通发票和全电发票的票面字段，返回结构化结果。",
        "OCR 发票 invoice",
    ),
    "ocr_en": (
        "VAT invoice OCR API",
        "Reads every field of VAT invoices and returns structured JSON.",
        "OCR 发票 invoice",
    ),
    "gpu": ("GPU 推理算力（按量计费）", "A100 GPU compute for inference, billed by the hour.", "GPU 算力 compute"),
    "hpc_zh": ("HPC 仿真计算集群", "高性能计算集群，用于结构仿真和流体计算，按核时计费。", "HPC 算力 仿真"),
    "hpc_en": (
        "HPC cluster for simulation",
        "CPU cluster for structural and fluid simulation, billed by core hour.",
        "HPC 算力",
    ),
    "aps": ("智能排产 APS", "根据订单、产能和物料自动排产，云端运行，无需自备算力和服务器。", "排产 APS 制造"),
    "fraud": ("反欺诈风险识别 API", "识别虚假注册、恶意薅羊毛和交易欺诈，API 接入。", "风控 fraud API"),
    "fraud_en": ("Fraud risk detection API", "Flags fake sign-ups and payment fraud through one API.", "fraud API"),
    "llm": (
        "General-purpose LLM API",
        "Chat, writing and summaries through one API; fine-tune on your data.",
        "LLM API",
    ),
    "speech": ("Speech-to-text API", "Transcribes calls and meetings through an API, Chinese and English.", "ASR API"),
    "translation": (
        "Multilingual machine translation model",
        "Translates between Chinese and 30 languages, as an API or on your premises.",
        "翻译 translation",
    ),
    "translation_zh": ("多语种机器翻译模型", "中文与 30 种语言互译，可调用 API 或私有化部署。", "翻译 translation"),
    "license": ("营业执照识别 API", "识别营业执照的名称、信用代码和经营范围。", "OCR 工商"),
}


def _publish(title: str, summary: str, tags: str):
    description = f"{summary}\n\n{BOILERPLATE}"
    return CapabilityFactory(
        title=title,
        summary=summary,
        description=description,
        search_document=build_document(title, summary, description, tags),
        search_title=build_document(title),
    )


@pytest.fixture
def catalogue(db):
    return {key: _publish(*listing).pk for key, listing in LISTINGS.items()}


def ranking(query: str, catalogue) -> list[str]:
    names = {pk: key for key, pk in catalogue.items()}
    return [names[capability.pk] for capability in selectors.capabilities_catalogue(query=query)]


def first_of(ranked: list[str], group: set[str]) -> int:
    return min(ranked.index(key) for key in group)


# (query, the listings that must come first, in any order; listings that must come after all of them)
JUDGED = [
    ("invoice", {"ocr_zh", "ocr_en"}, {"gpu", "fraud", "llm"}),
    ("发票识别", {"ocr_zh"}, {"fraud", "license", "gpu"}),
    ("translation API", {"translation", "translation_zh"}, {"fraud", "fraud_en", "llm", "speech"}),
    ("翻译", {"translation", "translation_zh"}, set()),
    ("算力", {"hpc_zh", "hpc_en", "gpu"}, {"aps"}),
    ("invoice OCR", {"ocr_zh", "ocr_en"}, {"license", "gpu"}),
    ("fraud detection", {"fraud_en", "fraud"}, {"llm", "speech"}),
]


def assert_topic_first(catalogue, query: str, topic: set[str], below: set[str]) -> None:
    ranked = ranking(query, catalogue)
    assert set(ranked[: len(topic)]) == topic, (query, ranked)
    for key in below & set(ranked):
        assert ranked.index(key) > len(topic) - 1, (query, key, ranked)


@pytest.mark.parametrize(("query", "topic", "below"), JUDGED, ids=[query for query, _topic, _below in JUDGED])
def test_the_topic_comes_first(catalogue, query, topic, below):
    assert_topic_first(catalogue, query, topic, below)


def test_a_boilerplate_line_does_not_make_a_listing_hold_the_query(catalogue):
    # Every listing holds "invoice" through the boilerplate: found, but below
    # the listings about invoices.
    ranked = ranking("invoice", catalogue)
    assert set(ranked) == set(catalogue)
    assert first_of(ranked, {"gpu", "aps", "fraud", "llm", "speech"}) >= 2


def test_listings_holding_every_query_word_come_first(catalogue):
    # "API" is in the titles of five listings and only in the text of the
    # translation ones, but they alone hold both words.
    ranked = ranking("翻译 API", catalogue)
    assert set(ranked[:2]) == {"translation", "translation_zh"}
    assert {"fraud", "fraud_en", "llm", "speech", "license"} <= set(ranked[2:])


def test_one_shared_word_does_not_outrank_the_rarer_one(catalogue):
    # 识别 is in the titles of the fraud and business-licence APIs, 发票 in the
    # OCR one and, through the boilerplate, in every description.
    ranked = ranking("发票识别", catalogue)
    assert ranked[0] == "ocr_zh"
    assert ranked.index("fraud") > ranked.index("ocr_zh")


def test_unknown_words_find_nothing_and_parts_of_a_missing_word_stand_in(catalogue):
    assert ranking("区块链", catalogue) == []
    # No listing holds 集群计算, but its pairs (计算 ...) find the HPC listings.
    assert {"hpc_zh"} <= set(ranking("集群计算", catalogue)[:2])


def test_the_search_keeps_the_filters(catalogue):
    hpc = selectors.capabilities_catalogue(query="算力", access_model="no-such-model")
    assert list(hpc) == []


def test_cached_word_lookups_follow_the_catalogue(db):
    storage = _publish("仓储管理 SaaS", "出入库与库存管理。", "仓储")
    # No listing holds 仓库: its characters find the 仓储 one.
    assert list(selectors.capabilities_catalogue(query="仓库")) == [storage]
    warehouse = _publish("仓库管理系统", "仓库出入库管理。", "仓库")
    assert list(selectors.capabilities_catalogue(query="仓库")) == [warehouse]
    warehouse.title = "出入库管理系统"
    warehouse.search_document = warehouse.search_title = build_document(warehouse.title)
    warehouse.save()
    # Neither holds 仓库 now: its characters find both.
    assert set(selectors.capabilities_catalogue(query="仓库")) == {storage, warehouse}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_topic_comes_first_on_postgres(catalogue):
    for query, topic, below in JUDGED:
        assert_topic_first(catalogue, query, topic, below)
