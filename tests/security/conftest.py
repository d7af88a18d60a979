"""The seeded marketplace shared by the leak scan and the bad-input catalogue."""

import pytest
from django.db import transaction

from matching.services import compute
from tests.security.world import seed_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The leak scan's marketplace (tests/security/world.py), seeded once for
    the package and rolled back after its last test. The tests that use it run
    last in the package (pytest_collection_modifyitems below), so no other
    test of the package sees its rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        compute._cache.matcher = None
        compute._cache.fingerprint = None
        yield seed_world()
        transaction.set_rollback(True)


def pytest_collection_modifyitems(items):
    """Within tests/security, the tests that use the seeded world go last:
    the world's transaction stays open from its first user to the package's
    last test."""
    package = [index for index, item in enumerate(items) if item.nodeid.startswith("tests/security/")]
    if not package:
        return
    chosen = [items[index] for index in package]
    reordered = [item for item in chosen if "world" not in item.fixturenames] + [
        item for item in chosen if "world" in item.fixturenames
    ]
    for index, item in zip(package, reordered, strict=True):
        items[index] = item
