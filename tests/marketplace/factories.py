from decimal import Decimal

import factory
from django.utils import timezone

from accounts.choices import Industry, Province
from marketplace.choices import AccessModel, CapabilityKind, ListingStatus, NeedVisibility
from marketplace.models import Application, Capability, Need
from tests.accounts.factories import OrganizationFactory, PlatformFactory


class CapabilityFactory(factory.django.DjangoModelFactory):
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


class NeedFactory(factory.django.DjangoModelFactory):
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
