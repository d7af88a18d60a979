"""Search tokens (no database) and catalogue search on the configured database
(SQLite by default, PostgreSQL in CI): Chinese, English and mixed queries."""

import pytest

from marketplace import selectors
from marketplace.search import MAX_QUERY_WORDS, build_document, index_tokens, query_hints, query_words
from tests.marketplace.factories import CapabilityFactory


def test_chinese_text_is_indexed_as_characters_and_pairs():
    tokens = index_tokens("发票识别")
    assert len(tokens) == 4 + 3  # 4 characters, 3 neighbouring pairs
    assert all(token.isascii() for token in tokens)


def test_latin_text_is_folded_and_stop_words_dropped():
    assert index_tokens("The Café, an OCR API!") == ["cafe", "ocr", "api"]


def test_full_width_letters_count_as_ascii():
    assert index_tokens("ＯＣＲ") == ["ocr"]


def test_query_is_cut_into_words_chinese_ones_held_as_their_pairs():
    words = query_words("发票识别 invoice 增值税")
    assert [word.text for word in words] == ["发票", "识别", "invoice", "增值税"]
    assert [[token.prefix for token in word.tokens] for word in words] == [[False], [False], [True], [False, False]]
    assert all(token.token in index_tokens("增值税") for token in words[3].tokens)
    assert query_words("云")[0].tokens[0].token == index_tokens("云")[0]


def test_a_character_the_segmenter_leaves_alone_joins_a_neighbour():
    assert [word.text for word in query_words("大模型")] == ["大模型"]
    assert [word.text for word in query_words("区块链")] == ["区块链"]
    assert [word.text for word in query_words("把纸质发票录进系统")] == ["纸质", "发票", "录进", "系统"]


def test_hints_stand_in_for_a_word_by_its_parts():
    hints = {hint.word.text: hint.stands_in_for for hint in query_hints(query_words("仓库 区块链 MES"))}
    assert hints["仓"] == hints["库"] == 0  # two characters: each finds listings for 仓库
    assert hints["区块"] == hints["块链"] == 1  # longer: its pairs do
    assert hints["链"] is None  # a single character of a longer word only scores
    assert hints["mes"] is None  # "mes" matched whole only scores


def test_query_is_bounded():
    assert len(query_words(" ".join(f"word{i}" for i in range(500)))) == MAX_QUERY_WORDS


def test_document_is_space_framed_and_deduplicated():
    document = build_document("api api", "API")
    assert document == " api "


def index(capability, *texts):
    capability.search_document = build_document(capability.title, capability.summary, *texts)
    capability.save(update_fields=["search_document"])
    return capability


@pytest.fixture
def catalogue(db):
    return {
        "invoice": index(CapabilityFactory(title="增值税发票 OCR 识别接口", summary="Invoice OCR for VAT invoices")),
        "route": index(
            CapabilityFactory(title="Route optimisation for cold-chain delivery", summary="冷链物流路线规划")
        ),
        "gpu": index(CapabilityFactory(title="GPU 算力租用", summary="A100 computing power by the hour")),
        "hidden": index(CapabilityFactory(title="发票 draft", summary="not published", status="draft")),
    }


def found(query):
    return [capability.pk for capability in selectors.capabilities_catalogue(query=query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("发票", "invoice"),
        ("发票识别", "invoice"),
        ("冷链", "route"),
        ("物流", "route"),
        ("算力", "gpu"),
        ("invoice", "invoice"),
        ("invoices", "invoice"),
        ("INVOICE", "invoice"),
        ("optim", "route"),
        ("gpu", "gpu"),
        ("增值税 invoice", "invoice"),
    ],
)
def test_catalogue_finds_chinese_english_and_mixed_queries(catalogue, query, expected):
    results = found(query)
    assert results, query
    assert results[0] == catalogue[expected].pk


def test_search_never_returns_unpublished_listings(catalogue):
    assert catalogue["hidden"].pk not in found("发票")


def test_more_matching_words_rank_higher(catalogue):
    # "OCR" is only in the invoice capability; "computing" only in the GPU one:
    # the one matching two query words comes first.
    results = found("computing power ocr gpu")
    assert results[0] == catalogue["gpu"].pk
    assert set(results) == {catalogue["gpu"].pk, catalogue["invoice"].pk}


def test_query_of_only_stop_words_or_symbols_returns_everything_unranked(catalogue):
    assert len(found("the and !!!")) == 3


def test_nothing_matches_unknown_words(catalogue):
    assert found("blockchain") == []
    assert found("区块链") == []


def test_a_title_containing_the_query_ranks_above_description_matches(db):
    # The title match is the older one: newest-first alone would put it second.
    titled = index(CapabilityFactory(title="发票 scanning", summary="Scans"))
    described = index(CapabilityFactory(title="Data cleaning service", summary="Also handles 发票 scans"))
    assert found("发票")[:2] == [titled.pk, described.pk]


def test_choice_set_fields_rebuild_from_migrations_as_declared():
    from marketplace.models import Capability, Need

    for model, name, blank in ((Need, "kinds_wanted", False), (Capability, "industries", True)):
        field = model._meta.get_field(name)
        _name, _path, args, kwargs = field.deconstruct()
        rebuilt = type(field)(*args, **kwargs)
        assert rebuilt.blank is blank
