from decimal import Decimal

import factory
from django.utils import timezone

from accounts.choices import Industry, Province
from marketplace.choices import AccessModel, CapabilityKind, ListingStatus, NeedVisibility
from marketplace.models import Application, Capability, Need
from marketplace.search import build_document
from marketplace.services.tags import tags_get_or_create
from tests.accounts.factories import OrganizationFactory, PlatformFactory


def search_fields(listing, tag_names=()) -> dict:
    """The search columns as marketplace/services/listings.py fills them when
    a listing is saved: every text and tag in ``search_document``, the title
    alone in ``search_title`` (PostgreSQL derives the stored vectors from
    both). tests/marketplace/test_factories.py holds the two to the same
    result."""
    texts = [listing.title, getattr(listing, "summary", ""), listing.description, " ".join(tag_names)]
    return {"search_document": build_document(*texts), "search_title": build_document(listing.title)}


class ListingFactory(factory.django.DjangoModelFactory):
    """Listings searchable as the services leave them. ``tags=["OCR", "发票"]``
    sets tags (made as the services make them) and indexes them too."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True  # tags saves what it changes

    search_document = factory.LazyAttribute(lambda listing: search_fields(listing)["search_document"])
    search_title = factory.LazyAttribute(lambda listing: search_fields(listing)["search_title"])

    @factory.post_generation
    def tags(listing, create, names, **kwargs):
        if not create or not names:
            return
        listing.tags.set(tags_get_or_create(names=list(names)))
        for name, value in search_fields(listing, [tag.name for tag in listing.tags.all()]).items():
            setattr(listing, name, value)
        listing.save(update_fields=["search_document", "search_title"])


class CapabilityFactory(ListingFactory):
    class Meta:
        model = Capability

    organization = factory.SubFactory(PlatformFactory)
    kind = CapabilityKind.API
    title = factory.Sequence(lambda n: f"Capability {n}")
    summary = "A useful capability."
    description = "What it does and how to use it."
    access_model = AccessModel.FREE_QUOTA
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class NeedFactory(ListingFactory):
    class Meta:
        model = Need

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Need {n}")
    description = "What we need and why."
    kinds_wanted = factory.LazyFunction(lambda: [CapabilityKind.API])
    industry = Industry.MANUFACTURING
    region = Province.ZHEJIANG
    visibility = NeedVisibility.PUBLIC
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    sme = factory.SubFactory(OrganizationFactory)
    capability = factory.SubFactory(CapabilityFactory)
    intended_use = "Automate our invoices."
    terms_version = 1
    terms_accepted_at = factory.LazyFunction(timezone.now)


def capability_fields(**overrides) -> dict:
    """What a platform fills in for a capability: an invoice OCR API."""
    fields = {
        "kind": "api",
        "title": "增值税发票 OCR 识别接口",
        "summary": "Invoice OCR API: reads VAT invoices into structured fields.",
        "description": "上传发票图片，返回发票代码、金额和税额。Upload an invoice image, get the fields back.",
        "industries": [],
        "regions": [],
        "access_model": "free_quota",
        "price_min_monthly": Decimal("0"),
        "price_max_monthly": Decimal("500"),
        "eligible_size_bands": [],
        "requires_verification": False,
        "terms_text": "Use fairly.",
    }
    fields.update(overrides)
    return fields


def need_fields(**overrides) -> dict:
    """What an SME fills in for a need: invoice OCR, in Chinese and English."""
    fields = {
        "title": "发票自动识别 Automatic invoice OCR",
        "description": "我们每月处理两千张增值税发票，希望用 OCR 接口自动识别发票。"
        "We scan two thousand VAT invoices a month and want an invoice OCR API to read them.",
        "kinds_wanted": ["api"],
        "industry": "manufacturing",
        "region": "zhejiang",
        "budget_min_monthly": Decimal("0"),
        "budget_max_monthly": Decimal("1000"),
        "visibility": "public",
    }
    fields.update(overrides)
    return fields
