"""Integrity and concurrency on the real PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from accounts import services
from accounts.choices import Role
from accounts.models import Membership, MembershipInvitation, Organization, User, normalize_email_address
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one_owner(cast):
    second_owner = MembershipFactory(organization=cast.sme, role=Role.OWNER)
    barrier = threading.Barrier(2)

    def remove(actor, target):
        try:
            barrier.wait(timeout=10)
            services.membership_remove(actor=actor, membership_id=target.pk)
            return "removed"
        except (PermissionDenied, ValidationError):
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(remove, [cast.alice, second_owner], [second_owner, cast.alice]))
    assert sorted(outcomes) == ["refused", "removed"]
    assert Membership.objects.filter(organization=cast.sme, role=Role.OWNER).count() == 1


@pytest.mark.django_db
def test_database_refuses_an_invalid_role(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=cast.bob.pk).update(role="emperor")


@pytest.mark.django_db
def test_database_refuses_duplicate_membership(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create([Membership(user=cast.bob.user, organization=cast.sme)])


@pytest.mark.django_db
def test_database_refuses_emails_differing_only_in_case(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="ALICE@example.com", display_name="Alice again")])


@pytest.mark.django_db
def test_database_refuses_unknown_province(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=cast.sme.pk).update(province="atlantis")


@pytest.mark.django_db
def test_database_allows_one_pending_invitation_per_address(cast):
    MembershipInvitation.objects.create(organization=cast.sme, email="x@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipInvitation.objects.create(organization=cast.sme, email="X@example.com")


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["al\u0131ce@example.com", "AL\u0131CE@EXAMPLE.COM"])
def test_a_dotless_i_finds_no_account(cast, typed):
    # PostgreSQL: upper('ı') = 'I'; email__iexact found alice@example.com.
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key(typed)
    assert not User.objects.filter(email=normalize_email_address(typed)).exists()
