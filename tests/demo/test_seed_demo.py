import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db

# Idempotency, volumes and demo logins are tested once, on one seeded
# database, in tests/marketplace/test_demo.py (seeding takes seconds).


def test_seed_demo_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
