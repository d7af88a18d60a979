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
