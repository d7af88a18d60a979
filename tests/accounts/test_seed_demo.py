import pytest
from django.core.management import CommandError, call_command

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import Membership, Organization, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_logins_work(client):
    call_command("seed_demo")
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Organization.objects.count(), Membership.objects.count()) == counts
    assert Organization.objects.filter(kind="platform").exists()
    assert Organization.objects.filter(kind="sme").exists()
    for email in ("sme@tandem.example", "platform@tandem.example"):
        assert client.login(username=email, password=DEMO_PASSWORD)
        client.logout()
    for organization in Organization.objects.all():
        organization.full_clean()


def test_seed_demo_refuses_production_settings(settings):
    settings.SETTINGS_MODULE = "config.settings.production"
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()
