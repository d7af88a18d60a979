import factory

from accounts.choices import Industry, OrganizationKind, Province, Role, SizeBand
from accounts.models import Membership, MembershipInvitation, Organization, User
from accounts.validators import credit_code_check_character

TEST_PASSWORD = "correct-horse-battery-staple"


def make_credit_code(n: int) -> str:
    """A well-formed credit code, different for every ``n``."""
    body = f"913301{n:011d}"
    return body + credit_code_check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.SME
    legal_name = factory.Sequence(lambda n: f"Test Firm {n} Co., Ltd.")
    credit_code = factory.Sequence(make_credit_code)
    size_band = SizeBand.SMALL
    industry = Industry.MANUFACTURING
    province = Province.ZHEJIANG


class PlatformFactory(OrganizationFactory):
    kind = OrganizationKind.PLATFORM
    size_band = SizeBand.LARGE
    industry = Industry.INFORMATION_TECHNOLOGY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER


class MembershipInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipInvitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.MEMBER
