"""The matching tests' small catalogue, published and matched through the
services, for the demo's tests of dated matches."""

from tests.matching.conftest import catalogue, needs, publish  # noqa: F401 - fixtures
