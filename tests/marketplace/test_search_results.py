"""Search results as a queryset (marketplace.ranking.RankedResults): the order
is computed in Python, a page reads only its rows by id, the count costs no
query, and anything that changes the results (a filter, another order) is
read in SQL and stays right. The unmarked tests run on the configured database
(SQLite by default); the ``postgres`` one runs them on PostgreSQL, with the
candidates passed both as an array and as a bitmap."""

import pytest

from marketplace import ranking, search_index, selectors
from marketplace.search import build_document
from tests.marketplace.factories import CapabilityFactory


def _publish(title: str, text: str = "", **fields):
    return CapabilityFactory(
        title=title,
        search_document=build_document(title, text),
        search_title=build_document(title),
        **fields,
    )


@pytest.fixture
def invoices(db):
    """Nine listings holding "invoice" (in the title, or only in the text) or
    "invoice" and "OCR", and two holding neither."""
    listings = [
        _publish("Invoice OCR API", kind="api"),
        _publish("Invoice archive", "Keeps every invoice for ten years.", kind="tool"),
        _publish("Receipt and invoice OCR", kind="model"),
        _publish("Expense tool", "Scans receipts and invoices.", kind="tool"),
        _publish("Invoice printer", kind="tool"),
        _publish("VAT invoice checker", "Checks an invoice against the tax office.", kind="api"),
        _publish("Accounts payable", "Matches each invoice with its order; OCR of paper invoices.", kind="tool"),
        _publish("Invoice financing", kind="expertise"),
        _publish("Invoice templates", "Invoice layouts for small shops.", kind="tool"),
        _publish("GPU rental", "A100 servers by the hour.", kind="compute"),
        _publish("Translation API", "Chinese and English.", kind="api"),
    ]
    return listings


def pages_of(results, size: int) -> list:
    found = []
    for start in range(0, results.count(), size):
        found.extend(results[start : start + size])
    return found


def test_pages_read_by_id_follow_the_ranking_the_sql_order_gives(invoices):
    results = selectors.capabilities_catalogue(query="invoice OCR")
    in_sql = list(selectors.capabilities_catalogue(query="invoice OCR").filter(pk__gt=0))
    assert results.count() == len(in_sql) == 9
    assert pages_of(results, 4) == in_sql
    # Every word first: the three holding "invoice" and "OCR".
    assert set(in_sql[:3]) == {invoices[0], invoices[2], invoices[6]}


def test_pages_keep_the_whole_ranking_past_the_depth_the_sql_order_keeps(invoices, monkeypatch):
    ranked = pages_of(selectors.capabilities_catalogue(query="invoice OCR"), 2)
    monkeypatch.setattr(ranking, "RANKED_DEPTH", 2)
    assert pages_of(selectors.capabilities_catalogue(query="invoice OCR"), 2) == ranked
    # Read in SQL, past the first two they come in publication order.
    in_sql = list(selectors.capabilities_catalogue(query="invoice OCR").filter(pk__gt=0))
    assert in_sql[:2] == ranked[:2]
    assert set(in_sql) == set(ranked)


def test_results_filtered_again_or_reordered_are_read_in_sql(invoices):
    results = selectors.capabilities_catalogue(query="invoice")
    ranked = list(results)
    saas = results.filter(kind="tool")
    assert saas.count() == 5
    assert list(saas[:3]) == [listing for listing in ranked if listing.kind == "tool"][:3]
    assert list(results.exclude(kind="tool")[1:3]) == [listing for listing in ranked if listing.kind != "tool"][1:3]
    by_title = results.order_by("title")
    assert [listing.title for listing in by_title[:2]] == ["Accounts payable", "Expense tool"]
    assert list(results.values_list("pk", flat=True)[:2]) == [listing.pk for listing in ranked[:2]]


def test_the_count_costs_no_query_and_a_page_one(invoices, django_assert_num_queries):
    selectors.capabilities_catalogue(query="invoice")  # the words' listings read and cached
    with django_assert_num_queries(1):  # the fingerprint of the searched listings
        results = selectors.capabilities_catalogue(query="invoice")
    with django_assert_num_queries(0):
        assert results.count() == 9
    with django_assert_num_queries(2):  # the page's rows, their tags
        page = list(results[3:6])
    assert len(page) == 3


def test_a_slice_past_the_end_or_a_single_row(invoices):
    results = selectors.capabilities_catalogue(query="invoice")
    ranked = list(results.filter(pk__gt=0))
    assert list(results[20:40]) == []
    assert results[0] == ranked[0]
    assert list(results[7:]) == ranked[7:]


def test_the_cache_forgets_the_least_recently_used_beyond_its_budget():
    cache = search_index._SearchCache(budget=2000)
    entry = search_index.Holders(text=search_index.np.zeros(100, dtype="int64"), title=search_index.np.zeros(0))
    cache.set_many({"a": entry, "b": entry})
    assert set(cache.get_many(["a"])) == {"a"}  # a used last
    cache.set_many({"c": entry})
    assert set(cache.get_many(["a", "b", "c"])) == {"a", "c"}
    assert cache.used <= 2000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("array_ids", [500, 2], ids=["array", "bitmap"])
def test_pages_and_filters_on_postgres(invoices, monkeypatch, array_ids):
    monkeypatch.setattr(search_index.IdIn, "ARRAY_IDS", array_ids)
    results = selectors.capabilities_catalogue(query="invoice OCR")
    in_sql = list(selectors.capabilities_catalogue(query="invoice OCR").filter(pk__gt=0))
    assert results.count() == len(in_sql) == 9
    assert pages_of(results, 4) == in_sql
    assert results.filter(kind="tool").count() == 5
    facets = selectors.capability_facets(results)
    assert sum(facets["kind"].values()) == 9
