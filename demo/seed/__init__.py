"""A realistic, bilingual demo marketplace: platforms, SMEs, capabilities and
needs in every state, applications in every state with their threads, and
invitations, spread over the past four months.

Loaded by ``python manage.py seed_demo`` through :func:`generate`.

- Deterministic: the whole demo is first *planned* from ``random.Random(SEED)``
  without reading the database (``plan``, ``history``, ``exchanges``), then
  *applied* (``apply``). The same code gives the same organisations, people,
  texts and history on every machine.
- Idempotent: organisations are found by credit code, users by e-mail,
  listings by (organisation, title), applications by (SME, capability) and
  invitations by (capability, need); whatever exists is left as it is, so a
  second run creates nothing and never overrides what someone did in the demo.
- Real writes: everything goes through the services (``accounts.services``,
  ``marketplace.services``), so audit events, search documents and
  notifications are what real use produces. Only the timestamps are then moved
  into the past (``backdate``): freshness and date-sorted lists need a history.

The modules: ``vocabulary`` and ``correspondence`` hold the words (all firms
fictional); ``plan`` the shapes of the plan, which ``organizations``,
``listings``, ``history`` (when things happened) and ``exchanges`` (who
applied to what, and what they wrote) fill in; ``apply`` writes it through
the services and ``backdate`` moves the timestamps.
"""

import random
from datetime import date

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from accounts.choices import OrganizationKind
from accounts.models import Organization, User
from accounts.validators import credit_code_check_character
from demo.seed.apply import Exchanges, apply_listing, apply_organizations, pending_listings
from demo.seed.backdate import History, history_start, matches_backdate
from demo.seed.exchanges import plan_exchanges
from demo.seed.history import plan_history
from demo.seed.listings import plan_listings
from demo.seed.organizations import SEED_SMES, plan_organizations
from demo.seed.plan import EMAIL_DOMAIN, SEED, Plan
from demo.seed.vocabulary import SEED_PLATFORMS
from marketplace.models import Application, Capability, Invitation, Message, Need, Notification

__all__ = ["EMAIL_DOMAIN", "SEED", "generate", "matches_backdate", "plan_demo"]


def plan_demo(*, seeded: dict, today: date) -> Plan:
    """The whole demo as data, from SEED alone. ``seeded`` maps the credit codes
    of seed_demo's organisations to their fields (read, not invented)."""
    rng = random.Random(SEED)  # noqa: S311 - demo content, not security
    platforms, smes = plan_organizations(rng, seeded)
    plan = Plan(platforms, smes, *plan_listings(rng, platforms, smes, today))
    # Generators of their own, so that the listings stay what they were before these existed.
    plan_history(plan, random.Random(SEED + 1))  # noqa: S311 - demo content, not security
    plan_exchanges(plan, random.Random(SEED + 2), today)  # noqa: S311 - demo content, not security
    return plan


def generate(*, admin: User, password_hash: str, stdout=None, today: date | None = None) -> dict:
    """Create what is missing of the demo marketplace; returns counts.

    ``admin`` verifies organisations and moderates listings; ``password_hash``
    (one hash of the demo password) is given to every generated owner. Runs in
    one transaction.

    Side effects: moderation, applications, messages and invitations create
    in-app notifications, whose e-mails the services queue for after the
    commit. The demo's made-up history is not e-mailed: just before
    committing, its notifications are marked as e-mailed, so the queued sends
    find nothing to do, eager or on a worker.
    """
    today = today or timezone.localdate()
    created = dict.fromkeys(
        ("organizations", "users", "capabilities", "needs", "applications", "messages", "invitations"), 0
    )
    with transaction.atomic():
        seeded = {
            organization["credit_code"]: organization
            for organization in Organization.objects.filter(credit_code__in=_seeded_codes()).values(
                "credit_code", "industry", "province", "size_band", "verified_at"
            )
        }
        plan = plan_demo(seeded=seeded, today=today)
        last_notification = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        history = History(history_start(today))
        owners = apply_organizations(
            plan.platforms + plan.smes, admin=admin, password_hash=password_hash, created=created
        )
        pending = pending_listings(plan.capabilities, owners) + pending_listings(plan.needs, owners)
        if stdout is not None and pending:
            stdout.write(f"Creating {len(pending)} demo capabilities and needs, then applications…")
        for listing, owner in pending:
            apply_listing(listing, owner, admin, history)
            created["capabilities" if listing.model is Capability else "needs"] += 1
        Exchanges(plan, owners, history, created).write()
        history.write()
        history.organizations(plan.platforms + plan.smes, owners)
        Notification.objects.filter(pk__gt=last_notification, emailed_at__isnull=True).update(emailed_at=timezone.now())
    organizations = Organization.objects.filter(credit_code__in=[org.credit_code for org in plan.platforms + plan.smes])
    applications = Application.objects.filter(sme__in=organizations)
    return {
        "platforms": organizations.filter(kind=OrganizationKind.PLATFORM).count(),
        "smes": organizations.filter(kind=OrganizationKind.SME).count(),
        "capabilities": Capability.objects.filter(organization__in=organizations).count(),
        "needs": Need.objects.filter(organization__in=organizations).count(),
        "applications": _by_status(applications),
        "messages": Message.objects.filter(application__in=applications).count(),
        "invitations": _by_status(Invitation.objects.filter(need__organization__in=organizations)),
        "owners": sum(1 for org in plan.platforms + plan.smes if org.owner_email),
        "created": created,
    }


def _by_status(queryset) -> dict:
    return dict(queryset.order_by().values_list("status").annotate(count=Count("pk")))


def _seeded_codes() -> list[str]:
    return [body + credit_code_check_character(body) for body in (*SEED_PLATFORMS, *SEED_SMES)]
