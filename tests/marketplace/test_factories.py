"""The listing factories leave a listing as the services would: the same
search columns for the same texts and tags (and so, on PostgreSQL, the same
stored vectors), so a search test built on factories tests the search."""

import pytest

from marketplace.models import Capability, Need
from marketplace.services.listings import listing_create
from tests.marketplace.factories import CapabilityFactory, NeedFactory, capability_fields, need_fields

pytestmark = pytest.mark.django_db

TAGS = ["OCR", "发票", "Invoices"]
SEARCH_COLUMNS = ["search_document", "search_title"]


def _search_columns(model, pk) -> dict:
    return model.objects.values(*SEARCH_COLUMNS).get(pk=pk)


def test_a_capability_factory_indexes_it_as_listing_create_does(cast):
    fields = capability_fields()
    made = listing_create(model=Capability, membership=cast.dan, fields=fields, tag_names=TAGS)
    built = CapabilityFactory(
        organization=cast.platform,
        **{name: fields[name] for name in ("kind", "title", "summary", "description")},
        tags=TAGS,
    )
    assert _search_columns(Capability, built.pk) == _search_columns(Capability, made.pk)
    assert " ocr " in built.search_document


def test_a_need_factory_indexes_it_as_listing_create_does(cast):
    fields = need_fields()
    made = listing_create(model=Need, membership=cast.alice, fields=fields, tag_names=TAGS)
    built = NeedFactory(organization=cast.sme, title=fields["title"], description=fields["description"], tags=TAGS)
    assert _search_columns(Need, built.pk) == _search_columns(Need, made.pk)


def test_without_tags_the_texts_alone_are_indexed(db):
    capability = CapabilityFactory(title="GPU hours", summary="Rent a GPU", description="By the hour.")
    assert capability.search_title == " gpu hours "
    assert capability.search_document.split() == ["gpu", "hours", "rent", "hour"]  # "by", "a": stop words
