import os

import pytest


def missing_service(reason: str) -> None:
    """Skip a test whose service is not configured, or fail it when
    REQUIRE_SERVICES=1 (CI must never skip these silently)."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)
