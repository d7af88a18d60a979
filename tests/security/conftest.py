"""The seeded marketplace shared by the leak scan and the bad-input catalogue."""

import pytest
from django.db import transaction

from matching.services import matcher_cache
from tests.security.world import seed_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker):
    """The leak scan's marketplace (tests/security/world.py), seeded once for
    the package and rolled back when the run leaves the package. The tests
    that use it run together, after the package's other tests of the same
    kind (pytest_collection_modifyitems below), so no other test sees its rows
    and it is seeded once."""
    with django_db_blocker.unblock(), transaction.atomic():
        matcher_cache._cache.matcher = None
        matcher_cache._cache.fingerprint = None
        yield seed_world()
        transaction.set_rollback(True)


def pytest_collection_modifyitems(items):
    """The tests that use the seeded world run as one block, right after the
    last other test of the package that ran before them: the world's
    transaction stays open from the block's first test to its last, and
    nothing else runs in between. (pytest-django has already put database
    tests before the others, so the package may be in two parts: the block
    stays in the first.)"""

    def in_package(item):
        return item.nodeid.startswith("tests/security/")

    users = [index for index, item in enumerate(items) if in_package(item) and "world" in item.fixturenames]
    if not users:
        return
    block = [items[index] for index in users]
    before = [index for index, item in enumerate(items) if in_package(item) and index < users[-1] and item not in block]
    anchor = items[before[-1]] if before else None
    rest = [item for item in items if item not in block]
    position = rest.index(anchor) + 1 if anchor is not None else users[0]
    items[:] = rest[:position] + block + rest[position:]
