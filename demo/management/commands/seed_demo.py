"""Load demo organisations and users, then the demo marketplace
(``demo.seed``): listings, applications, threads and invitations with
four months of history. Running it again creates nothing new."""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Industry, OrganizationKind, Province, Role, SizeBand
from accounts.models import Membership, Organization, User
from accounts.validators import credit_code_check_character
from demo import seed
from marketplace.choices import ApplicationStatus, InvitationStatus
from matching.services.hooks import matching_deferred

DEMO_PASSWORD = "tandem-demo-2026"  # noqa: S105 - published on purpose: demo logins

# Fictional firms. Codes are well-formed (valid check character) but belong to no one.
DEMO_ORGANIZATIONS = [
    {
        "body": "91330106MA2HDM001",
        "kind": OrganizationKind.PLATFORM,
        "legal_name": "Hangzhou Cloudbridge Technology Co., Ltd.",
        "size_band": SizeBand.LARGE,
        "industry": Industry.INFORMATION_TECHNOLOGY,
        "province": Province.ZHEJIANG,
        "website": "https://cloudbridge.example",
        "description": (
            "Cloud platform opening OCR, speech and logistics APIs, GPU compute and industry data sets to SMEs."
        ),
        "verified": True,
    },
    {
        "body": "91440300MA5GDM002",
        "kind": OrganizationKind.PLATFORM,
        "legal_name": "Shenzhen Lingyun Compute Co., Ltd.",
        "size_band": SizeBand.LARGE,
        "industry": Industry.INFORMATION_TECHNOLOGY,
        "province": Province.GUANGDONG,
        "website": "https://lingyun.example",
        "description": (
            "Computing-power platform: GPU hours, model fine-tuning and MLOps tools for small manufacturers."
        ),
        "verified": True,
    },
    {
        "body": "91330206MA2HDM003",
        "kind": OrganizationKind.SME,
        "legal_name": "Ningbo Haishan Precision Parts Co., Ltd.",
        "size_band": SizeBand.SMALL,
        "industry": Industry.MANUFACTURING,
        "province": Province.ZHEJIANG,
        "website": "https://haishan.example",
        "description": (
            "Precision machined parts for auto suppliers; looking for visual inspection and demand forecasting."
        ),
        "verified": True,
    },
    {
        "body": "91510100MA6CDM004",
        "kind": OrganizationKind.SME,
        "legal_name": "Chengdu Xiaoman Fresh Logistics Co., Ltd.",
        "size_band": SizeBand.MICRO,
        "industry": Industry.LOGISTICS,
        "province": Province.SICHUAN,
        "website": "",
        "description": "Cold-chain delivery for restaurants in Chengdu; needs route optimisation and invoice OCR.",
        "verified": False,
    },
    {
        "body": "91320500MA1MDM005",
        "kind": OrganizationKind.SME,
        "legal_name": "Suzhou Mingde Textile Co., Ltd.",
        "size_band": SizeBand.MEDIUM,
        "industry": Industry.MANUFACTURING,
        "province": Province.JIANGSU,
        "website": "https://mingde.example",
        "description": "Silk and technical textiles; wants fabric defect detection and export market data.",
        "verified": True,
    },
]

# (e-mail, display name, organisation body or None, role)
DEMO_USERS = [
    ("sme@tandem.example", "Chen Jing (Haishan)", "91330206MA2HDM003", Role.OWNER),
    ("sme-member@tandem.example", "Li Wei (Haishan)", "91330206MA2HDM003", Role.MEMBER),
    ("platform@tandem.example", "Wang Fang (Cloudbridge)", "91330106MA2HDM001", Role.OWNER),
    ("platform2@tandem.example", "Zhao Lei (Lingyun)", "91440300MA5GDM002", Role.OWNER),
    ("logistics@tandem.example", "Zhou Min (Xiaoman)", "91510100MA6CDM004", Role.OWNER),
    ("textile@tandem.example", "Sun Hao (Mingde)", "91320500MA1MDM005", Role.OWNER),
]
DEMO_ADMIN = ("admin@tandem.example", "Tandem Admin")


@contextmanager
def quiet_logger(name: str, level: int = logging.WARNING):
    """Raise a logger's level for a while: the demo's hundreds of (empty) e-mail
    tasks would each log a line and bury the output that matters."""
    logger = logging.getLogger(name)
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


class Command(BaseCommand):
    help = "Create demo organisations, users and a demo marketplace (idempotent). Not for production."

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith("production"):
            raise CommandError("seed_demo creates accounts with a published password; it refuses to run in production.")
        # One hash for every demo login: hashing takes about a second each.
        self.password_hash = make_password(DEMO_PASSWORD)
        started = timezone.now()
        with quiet_logger("celery.app.trace"), transaction.atomic():
            admin = self._user(*DEMO_ADMIN, is_staff=True, is_superuser=True)
            organizations = {}
            for spec in DEMO_ORGANIZATIONS:
                spec = dict(spec)
                body = spec.pop("body")
                verified = spec.pop("verified")
                organization, _created = Organization.objects.update_or_create(
                    credit_code=body + credit_code_check_character(body), defaults=spec
                )
                if verified and organization.verified_at is None:
                    organization.verified_at = timezone.now()
                    organization.verified_by = admin
                    organization.save(update_fields=["verified_at", "verified_by"])
                organizations[body] = organization
            for email, name, body, role in DEMO_USERS:
                user = self._user(email, name)
                Membership.objects.update_or_create(
                    user=user, organization=organizations[body], defaults={"role": role}
                )
            # Matching runs once over the whole demo, not once per listing.
            with matching_deferred():
                counts = seed.generate(admin=admin, password_hash=self.password_hash, stdout=self.stdout)
        # Matching ran when the block committed (in-process by default).
        seed.matches_backdate(since=started)
        created = counts["created"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['platforms']} platforms, {counts['smes']} SMEs, "
                f"{counts['capabilities']} capabilities, {counts['needs']} needs, "
                f"{sum(counts['applications'].values())} applications, {counts['messages']} messages, "
                f"{sum(counts['invitations'].values())} invitations "
                f"(created now: {created['organizations']} organisations, {created['users']} users, "
                f"{created['capabilities']} capabilities, {created['needs']} needs, "
                f"{created['applications']} applications, {created['messages']} messages, "
                f"{created['invitations']} invitations)."
            )
        )
        self.stdout.write(f"  Applications: {self._by_state(counts['applications'], ApplicationStatus)}")
        self.stdout.write(f"  Invitations:  {self._by_state(counts['invitations'], InvitationStatus)}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  SME owner       {DEMO_USERS[0][0]}")
        self.stdout.write(f"  SME member      {DEMO_USERS[1][0]}")
        self.stdout.write(f"  Platform staff  {DEMO_USERS[2][0]}")
        self.stdout.write(f"  Admin           {DEMO_ADMIN[0]}  (/admin/)")
        self.stdout.write(
            f"  More owners     owner-1@{seed.EMAIL_DOMAIN} … owner-{counts['owners']}@{seed.EMAIL_DOMAIN}"
        )

    @staticmethod
    def _by_state(counts: dict, states) -> str:
        return ", ".join(f"{counts.get(state, 0)} {str(state.label).lower()}" for state in states)

    def _user(self, email, display_name, **flags) -> User:
        user, _created = User.objects.get_or_create(email=email, defaults={"display_name": display_name, **flags})
        # Reset the password every run so the published demo logins always work.
        user.password = self.password_hash
        user.save(update_fields=["password"])
        return user
