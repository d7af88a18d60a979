"""demo_api_tokens: the API tokens scripts/api-fuzz calls the API with, made
for the demo SME owner and the demo platform owner that seed_demo creates."""

import stat

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_authenticate
from accounts.choices import Role
from accounts.models import ApiToken
from demo.management.commands.demo_api_tokens import TOKEN_NAME
from demo.management.commands.seed_demo import DEMO_USERS
from tests.accounts.factories import MembershipFactory, OrganizationFactory, PlatformFactory

pytestmark = pytest.mark.django_db

SME_OWNER, SME_MEMBER, PLATFORM_OWNER = DEMO_USERS[0][0], DEMO_USERS[1][0], DEMO_USERS[2][0]


@pytest.fixture
def demo():
    """The demo logins the command looks for, without the whole demo
    marketplace (seed_demo takes seconds; tests/marketplace/test_demo.py
    covers it)."""
    sme, platform = OrganizationFactory(), PlatformFactory()
    return {
        "sme": MembershipFactory(user__email=SME_OWNER, organization=sme, role=Role.OWNER),
        "sme_member": MembershipFactory(user__email=SME_MEMBER, organization=sme, role=Role.MEMBER),
        "platform": MembershipFactory(user__email=PLATFORM_OWNER, organization=platform, role=Role.OWNER),
    }


def read_tokens(path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_writes_a_working_token_for_the_sme_owner_and_the_platform_owner(demo, tmp_path):
    path = tmp_path / "tokens"

    call_command("demo_api_tokens", output=str(path))

    tokens = read_tokens(path)
    assert set(tokens) == {"sme", "platform"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for role, raw in tokens.items():
        token = api_token_authenticate(raw=raw)
        assert token is not None
        assert token.membership == demo[role]
        assert token.name == TOKEN_NAME
        assert token.expires_at is None
    assert ApiToken.objects.count() == 2
    assert not ApiToken.objects.filter(membership=demo["sme_member"]).exists()


def test_the_tokens_authenticate_api_requests_for_their_organisation(demo, tmp_path):
    path = tmp_path / "tokens"
    call_command("demo_api_tokens", output=str(path))

    for role, raw in read_tokens(path).items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.get("/api/v1/me/")
        assert response.status_code == 200
        assert response.json()["membership"]["id"] == demo[role].pk
        assert response.json()["via_token"] is True


def test_running_again_revokes_the_earlier_tokens_and_keeps_other_tokens(demo, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("demo_api_tokens", output=str(first))
    call_command("demo_api_tokens", output=str(second))

    for raw in read_tokens(first).values():
        assert api_token_authenticate(raw=raw) is None
    for raw in read_tokens(second).values():
        assert api_token_authenticate(raw=raw) is not None
    live = ApiToken.objects.filter(revoked_at__isnull=True)
    assert live.count() == 2
    assert ApiToken.objects.count() == 4


def test_an_existing_file_is_overwritten_and_made_private(demo, tmp_path):
    path = tmp_path / "tokens"
    path.write_text("stale\n" * 10)
    path.chmod(0o644)

    call_command("demo_api_tokens", output=str(path))

    assert set(read_tokens(path)) == {"sme", "platform"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_without_output_the_tokens_are_printed(demo, capsys):
    call_command("demo_api_tokens")

    printed = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert set(printed) == {"sme", "platform"}
    assert api_token_authenticate(raw=printed["platform"]).membership == demo["platform"]


def test_without_the_demo_logins_it_fails_and_creates_nothing(tmp_path):
    path = tmp_path / "tokens"
    # The SME owner exists; the platform owner does not.
    MembershipFactory(user__email=SME_OWNER, organization=OrganizationFactory(), role=Role.OWNER)

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_api_tokens", output=str(path))

    assert not ApiToken.objects.exists()
    assert not path.exists()


def test_a_demo_login_that_is_no_longer_an_owner_is_not_given_a_token(demo, tmp_path):
    demo["platform"].role = Role.MEMBER
    demo["platform"].save(update_fields=["role"])

    with pytest.raises(CommandError):
        call_command("demo_api_tokens", output=str(tmp_path / "tokens"))

    assert not ApiToken.objects.exists()


def test_refuses_production_settings(demo, settings, tmp_path):
    settings.SETTINGS_MODULE = "config.settings.production"

    with pytest.raises(CommandError):
        call_command("demo_api_tokens", output=str(tmp_path / "tokens"))

    assert not ApiToken.objects.exists()
