"""Personal API tokens for two demo logins made by ``seed_demo``: the demo SME
owner and the demo platform owner. scripts/api-fuzz uses them to call the API
as each kind of organisation; a developer can use them to try the API.

Each run revokes the tokens an earlier run made (same name) and makes new
ones, so running it again never piles up live tokens. The tokens are written
to the file given (mode 0600, ``role=token`` lines) or printed.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.api_tokens import api_token_create, api_token_revoke, api_tokens_for_user
from accounts.choices import OrganizationKind, Role
from accounts.models import Membership
from demo.management.commands.seed_demo import DEMO_USERS

TOKEN_NAME = "Demo API token (demo_api_tokens)"  # noqa: S105 - a label, not a secret
# role in the output → (e-mail of the demo login, the kind of organisation it must own)
DEMO_TOKEN_OWNERS = {
    "sme": (DEMO_USERS[0][0], OrganizationKind.SME),
    "platform": (DEMO_USERS[2][0], OrganizationKind.PLATFORM),
}


class Command(BaseCommand):
    help = "Create API tokens for the demo SME owner and the demo platform owner (run seed_demo first). Not for production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help="Write 'sme=<token>' and 'platform=<token>' lines to PATH (mode 0600) instead of printing them.",
        )

    def handle(self, *args, output=None, **options):
        if settings.SETTINGS_MODULE.endswith("production"):
            raise CommandError("demo_api_tokens makes tokens for the published demo logins; it refuses production.")
        with transaction.atomic():
            tokens = {role: self._fresh_token(email, kind) for role, (email, kind) in DEMO_TOKEN_OWNERS.items()}
        lines = "".join(f"{role}={raw}\n" for role, raw in tokens.items())
        if output is None:
            self.stdout.write(lines, ending="")
            return
        path = Path(output)
        # Created 0600 from the start: the file holds working credentials.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
        with os.fdopen(descriptor, "w") as file:
            file.write(lines)
        self.stdout.write(self.style.SUCCESS(f"API tokens for {', '.join(tokens)} written to {path}."))

    def _fresh_token(self, email: str, kind: str) -> str:
        membership = (
            Membership.objects.filter(user__email=email, role=Role.OWNER, organization__kind=kind)
            .select_related("user", "organization")
            .first()
        )
        if membership is None:
            raise CommandError(f"No demo {kind} owner {email}: run `manage.py seed_demo` first.")
        for token in api_tokens_for_user(user=membership.user).filter(name=TOKEN_NAME, revoked_at__isnull=True):
            api_token_revoke(user=membership.user, token_id=token.pk)
        _token, raw = api_token_create(membership=membership, name=TOKEN_NAME, expires_in_days=None)
        return raw
