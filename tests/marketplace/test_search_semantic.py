"""The catalogue search's hook for search by meaning (marketplace.semantic): a
higher app sets a backend; marketplace asks it when the words find few
capabilities and keeps what the visitor may see, after the word matches."""

import pytest

from marketplace import selectors, semantic
from marketplace.search import build_document
from tests.marketplace.factories import CapabilityFactory


def listing(title: str, **fields):
    return CapabilityFactory(
        title=title, search_document=build_document(title), search_title=build_document(title), **fields
    )


@pytest.fixture
def backend(monkeypatch):
    calls = []

    def by_meaning(*, query, limit):
        calls.append((query, limit))
        return list(by_meaning.answer)

    by_meaning.answer = []
    by_meaning.calls = calls
    monkeypatch.setattr(semantic, "semantic_search_backend", None)
    semantic.semantic_search_backend_set(by_meaning)
    return by_meaning


def found(query, **filters):
    return [capability.pk for capability in selectors.capabilities_catalogue(query=query, **filters)]


def test_meaning_adds_listings_after_the_word_matches_in_the_backend_s_order(db, backend):
    words = listing("Business licence OCR API")
    licence, invoice = listing("营业执照识别 API"), listing("增值税发票 OCR API")
    backend.answer = [invoice.pk, licence.pk, words.pk]
    assert found("business license") == [words.pk, invoice.pk, licence.pk]
    assert backend.calls == [("business license", semantic.SEMANTIC_LIMIT)]


def test_meaning_keeps_only_what_the_visitor_may_see_and_the_filters_allow(db, backend):
    published = listing("营业执照识别 API", access_model="open")
    draft = listing("Licence reader draft", status="draft")
    paid = listing("Licence reader paid", access_model="paid")
    backend.answer = [draft.pk, paid.pk, published.pk, 987654]
    assert found("licence checking", access_model="open") == [published.pk]
    facets = selectors.capability_facets(selectors.capabilities_catalogue(query="licence checking"))
    assert sum(facets["kind"].values()) == 2  # the paid one and the published one


def test_meaning_is_not_asked_when_the_words_find_enough(db, backend):
    for number in range(semantic.MIN_LEXICAL_RESULTS):
        listing(f"Invoice OCR {number}")
    backend.answer = [listing("增值税发票 OCR API").pk]
    assert len(found("invoice")) == semantic.MIN_LEXICAL_RESULTS
    assert backend.calls == []


def test_a_failing_backend_leaves_the_word_search(db, backend, caplog):
    words = listing("Business licence OCR API")

    def broken(*, query, limit):
        raise TimeoutError("encoder down")

    semantic.semantic_search_backend_set(broken)
    assert found("business licence") == [words.pk]
    assert "semantic search backend failed" in caplog.text


def test_without_a_backend_only_words_find(db, monkeypatch):
    monkeypatch.setattr(semantic, "semantic_search_backend", None)
    listing("营业执照识别 API")
    assert found("business licence") == []
