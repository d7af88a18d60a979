"""The catalogue search's hook for search by meaning (marketplace.semantic): a
higher app sets a backend; marketplace asks it on every search in relevance
order, keeps what the visitor may see, and fuses the similarity with the
words' score below the listings holding every query word."""

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


def test_meaning_adds_listings_after_those_holding_every_word_closest_first(db, backend):
    words = listing("Business licence OCR API")
    licence, invoice = listing("营业执照识别 API"), listing("增值税发票 OCR API")
    backend.answer = [(licence.pk, 0.6), (invoice.pk, 0.3), (words.pk, 0.2)]
    assert found("business licence") == [words.pk, licence.pk, invoice.pk]
    assert backend.calls == [("business licence", semantic.SEMANTIC_LIMIT)]


def test_meaning_keeps_only_what_the_visitor_may_see_and_the_filters_allow(db, backend):
    published = listing("营业执照识别 API", access_model="open")
    draft = listing("Licence reader draft", status="draft")
    paid = listing("Licence reader paid", access_model="paid")
    backend.answer = [(draft.pk, 0.9), (paid.pk, 0.8), (published.pk, 0.7), (987654, 0.6)]
    assert found("licence checking", access_model="open") == [published.pk]
    facets = selectors.capability_facets(selectors.capabilities_catalogue(query="licence checking"))
    assert sum(facets["kind"].values()) == 2  # the paid one and the published one


def test_meaning_orders_the_listings_holding_some_of_the_words(db, backend):
    # "scanning" is in no listing but the first. By words alone the printer
    # (invoice in its title) comes before the OCR tool (invoice in its text);
    # by meaning, the OCR tool is far closer to the query.
    both = listing("Invoice scanning app")
    printer = listing("Invoice printer")
    ocr = CapabilityFactory(
        title="Receipt OCR",
        search_document=build_document("Receipt OCR", "Reads receipts and invoices."),
        search_title=build_document("Receipt OCR"),
    )
    assert found("invoice scanning") == [both.pk, printer.pk, ocr.pk]
    backend.answer = [(ocr.pk, 0.55), (both.pk, 0.3), (printer.pk, 0.16)]
    assert found("invoice scanning") == [both.pk, ocr.pk, printer.pk]


def test_meaning_is_asked_only_for_the_relevance_order(db, backend):
    newest = listing("Invoice OCR")
    backend.answer = [(listing("增值税发票 OCR API").pk, 0.5)]
    assert [c.pk for c in selectors.capabilities_catalogue(query="invoice", sort="newest")] == [newest.pk]
    assert backend.calls == []
    found("")
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
