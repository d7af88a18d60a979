"""Who may call what: every API route × method × role × object.

Roles: anonymous, the SME owner (alice) and an SME member (bob), another SME's
owner (carol), platform staff (dan), another platform's staff (erin), and an
admin (mallory, Django staff without an organisation, signed in by session).

Objects: each role is tried on an object of its own organisation ("own": the
SME's need, application or match; for platform staff the ones that involve
their platform) and on the same kind of object of the other side ("other").
The world has two sides: side A is alice's SME and dan's platform, side B is
carol's SME and erin's platform; a role's own side is A for alice, bob and dan,
B for carol and erin. Anonymous callers and the admin try A then B.

Each cell runs in a savepoint that is rolled back, so every call meets the
same world. test_every_route_is_in_the_matrix fails when a route or method is
added without a row here.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_tokens import api_token_create
from accounts.choices import Role
from accounts.models import MembershipInvitation
from marketplace.choices import InvitationStatus, NotificationKind
from marketplace.models import Invitation, Notification
from matching.models import Match
from tests.accounts.factories import MembershipFactory
from tests.marketplace.factories import ApplicationFactory, CapabilityFactory, NeedFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "sme_owner", "sme_member", "other_sme", "platform", "other_platform", "admin")
CAST = {
    "sme_owner": "alice",
    "sme_member": "bob",
    "other_sme": "carol",
    "platform": "dan",
    "other_platform": "erin",
    "admin": "mallory",
}
OWN_SIDE = {"sme_owner": "A", "sme_member": "A", "platform": "A", "other_sme": "B", "other_platform": "B"}
OTHER = {"A": "B", "B": "A"}

CAPABILITY = {
    "kind": "api",
    "title": "Invoice OCR",
    "summary": "Reads invoices.",
    "description": "Extracts the fields of VAT invoices.",
    "access_model": "free_quota",
}
NEED = {
    "title": "发票识别",
    "description": "We need to read 2,000 invoices a month.",
    "kinds_wanted": ["api"],
    "industry": "manufacturing",
    "region": "zhejiang",
}


def named_patterns(resolver=None, namespace=""):
    """(namespaced route name, URLPattern) for every named route."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from named_patterns(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def http_methods(pattern: URLPattern) -> list[str]:
    """The methods a route answers, less HEAD and OPTIONS (which follow GET)."""
    callback = pattern.callback
    if hasattr(callback, "actions"):  # a viewset's route
        methods = callback.actions
    else:
        view = getattr(callback, "cls", None) or callback.view_class
        methods = [method for method in view.http_method_names if hasattr(view, method)]
    return [method.upper() for method in methods if method not in ("head", "options")]


def api_routes():
    """(route name, METHOD) for every route in the ``api`` namespace."""
    return sorted(
        (name, method)
        for name, pattern in named_patterns()
        if name.startswith("api:")
        for method in http_methods(pattern)
    )


@pytest.fixture
def world(cast):
    """Two sides, each with the objects every route needs."""
    w = SimpleNamespace(cast=cast, side={})
    for side, sme, platform, owner, staff in (
        ("A", cast.sme, cast.platform, cast.alice, cast.dan),
        ("B", cast.other_sme, cast.other_platform, cast.carol, cast.erin),
    ):
        for organization in (sme, platform):
            organization.verified_at = timezone.now()
            organization.save(update_fields=["verified_at"])
        need = NeedFactory(organization=sme)
        capability = CapabilityFactory(organization=platform)
        apply_target = CapabilityFactory(organization=platform)
        # Offered to no one yet: the capability its platform invites with.
        invite_with = CapabilityFactory(organization=platform)
        w.side[side] = SimpleNamespace(
            sme=sme,
            platform=platform,
            need=need,
            capability=capability,
            apply_target=apply_target,
            invite_with=invite_with,
            application=ApplicationFactory(sme=sme, capability=capability, need=need),
            invitation=Invitation.objects.create(
                capability=apply_target, need=need, invited_by=staff.user, status=InvitationStatus.OPEN
            ),
            match=Match.objects.create(need=need, capability=capability, score=0.8, rank=1, computed_at=timezone.now()),
            teammate={org.pk: MembershipFactory(organization=org, role=Role.MEMBER) for org in (sme, platform)},
            membership_invitation={
                org.pk: MembershipInvitation.objects.create(
                    organization=org, email=f"new-{org.pk}@example.com", role=Role.MEMBER, invited_by=owner.user
                )
                for org in (sme, platform)
            },
        )
    w.notification = {
        name: Notification.objects.create(
            recipient=getattr(cast, name).user if name != "mallory" else cast.mallory,
            organization=getattr(cast, name).organization if name != "mallory" else None,
            kind=NotificationKind.MESSAGE_NEW,
            title=f"For {name}",
        )
        for name in CAST.values()
    }
    w.clients = {"anonymous": APIClient()}
    for role, name in CAST.items():
        who = getattr(cast, name)
        client = APIClient()
        if role == "admin":
            client.force_login(who)
        else:
            _token, raw = api_token_create(membership=who, name="matrix", expires_in_days=None)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        w.clients[role] = client
    return w


@dataclass
class Cell:
    """What one call is about: the role, and the side whose object it uses."""

    role: str
    side: str  # "A" or "B"

    @property
    def own(self) -> bool:
        return OWN_SIDE.get(self.role, "A") == self.side


def _org(world, cell: Cell, kind: str):
    """The organisation of the cell's side: its SME or its platform."""
    return getattr(world.side[cell.side], kind)


def _acting_org(world, cell: Cell):
    name = CAST.get(cell.role)
    membership = getattr(world.cast, name, None) if name and cell.role != "admin" else None
    return membership.organization if membership else None


def _team_organization(world, cell):
    """For team routes: the acting organisation when it is on the cell's
    side, else the organisation of the same kind over there."""
    acting = _acting_org(world, cell)
    kind = "platform" if acting is not None and acting.is_platform else "sme"
    return acting if cell.own and acting is not None else _org(world, cell, kind)


def _membership_target(world, cell):
    """A plain member of the cell's team organisation."""
    return world.side[cell.side].teammate[_team_organization(world, cell).pk]


def _invitation_target(world, cell):
    """A pending invitation to the cell's team organisation."""
    return world.side[cell.side].membership_invitation[_team_organization(world, cell).pk]


def _notification(world, cell):
    name = CAST.get(cell.role)
    if cell.own and name:
        return world.notification[name]
    return world.notification["carol" if cell.side == "B" else "alice"]


def _capability_to_invite_with(world, cell):
    """The inviting platform's own capability when it is a platform."""
    acting = _acting_org(world, cell)
    side = OWN_SIDE[cell.role] if acting is not None and acting.is_platform else cell.side
    return world.side[side].invite_with


# The object each route's path id names.
OBJECT = {
    "need": lambda w, c: w.side[c.side].need,
    "capability": lambda w, c: w.side[c.side].capability,
    "application": lambda w, c: w.side[c.side].application,
    "invitation": lambda w, c: w.side[c.side].invitation,
    "match": lambda w, c: w.side[c.side].match,
    "organization": lambda w, c: _org(w, c, "platform" if (_acting_org(w, c) or w.cast.sme).is_platform else "sme"),
    "notification": _notification,
    "membership": _membership_target,
    "membership-invitation": _invitation_target,
}

# Request bodies of the writing routes (valid, so that the status says who may).
BODY = {
    ("api:capability-list", "POST"): lambda w, c: CAPABILITY,
    ("api:capability-detail", "PUT"): lambda w, c: CAPABILITY,
    ("api:capability-detail", "PATCH"): lambda w, c: {"title": "Renamed"},
    ("api:need-list", "POST"): lambda w, c: NEED,
    ("api:need-detail", "PUT"): lambda w, c: NEED,
    ("api:need-detail", "PATCH"): lambda w, c: {"title": "Renamed"},
    ("api:application-list", "POST"): lambda w, c: {
        "capability": w.side[c.side].apply_target.pk,
        "intended_use": "Our invoices.",
    },
    ("api:application-decline", "POST"): lambda w, c: {"reason": "other", "note": "Not now."},
    ("api:application-messages", "POST"): lambda w, c: {"body": "Hello"},
    ("api:invitation-list", "POST"): lambda w, c: {
        "need": w.side[c.side].need.pk,
        "capability": _capability_to_invite_with(w, c).pk,
    },
    ("api:match-feedback", "POST"): lambda w, c: {"value": "interested"},
    ("api:membership-detail", "PATCH"): lambda w, c: {"role": "manager"},
    ("api:membership-invitation-list", "POST"): lambda w, c: {"email": "someone@example.com", "role": "member"},
    ("api:my-organization", "PATCH"): lambda w, c: {"description": "Updated."},
}
REASON = {"reason": "Because the rules say so."}


def call(world, route: str, method: str, cell: Cell):
    base = route.removeprefix("api:")
    entity = next((name for name in sorted(OBJECT, key=len, reverse=True) if base.startswith(name + "-")), None)
    path_has_id = "pk" in str(dict(named_patterns())[route].pattern)
    kwargs = {"pk": OBJECT[entity](world, cell).pk} if path_has_id else {}
    body = BODY.get((route, method), lambda w, c: REASON)(world, cell) if method != "GET" else None
    client = world.clients[cell.role]
    return getattr(client, method.lower())(reverse(route, kwargs=kwargs or None), body, format="json")


def expected(row: str) -> dict:
    """ "401 200/404 …" → {role: (status on own side's object, on the other's)}."""
    cells = row.split()
    assert len(cells) == len(ROLES), row
    result = {}
    for role, cell in zip(ROLES, cells, strict=True):
        own, _slash, other = cell.partition("/")
        result[role] = (int(own), int(other or own))
    return result


# Columns: anonymous, SME owner, SME member, other SME, platform staff, other platform, admin.
# "own/other" where the object matters; one number where it does not.
MATRIX = {
    ("api:application-accept", "POST"): "401 403/404 403/404 403/404 200/404 200/404 403",
    ("api:application-decline", "POST"): "401 403/404 403/404 403/404 200/404 200/404 403",
    ("api:application-detail", "GET"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:application-history", "GET"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:application-list", "GET"): "401 200 200 200 200 200 403",
    ("api:application-list", "POST"): "401 201 201 201 403 403 403",
    ("api:application-messages", "GET"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:application-messages", "POST"): "401 201/404 201/404 201/404 201/404 201/404 403",
    ("api:application-start-review", "POST"): "401 403/404 403/404 403/404 200/404 200/404 403",
    ("api:application-withdraw", "POST"): "401 200/404 200/404 200/404 403/404 403/404 403",
    ("api:capability-archive", "POST"): "401 404 404 404 200/404 200/404 404",
    ("api:capability-detail", "GET"): "200 200 200 200 200 200 200",
    ("api:capability-detail", "PATCH"): "401 404 404 404 200/404 200/404 403",
    ("api:capability-detail", "PUT"): "401 404 404 404 200/404 200/404 403",
    ("api:capability-list", "GET"): "200 200 200 200 200 200 200",
    ("api:capability-list", "POST"): "401 403 403 403 201 201 403",
    ("api:capability-matches", "GET"): "401 404 404 404 200/404 200/404 403",
    ("api:capability-publish", "POST"): "401 403 403 403 403 403 409",
    ("api:capability-reinstate", "POST"): "401 403 403 403 403 403 409",
    ("api:capability-reject", "POST"): "401 403 403 403 403 403 409",
    ("api:capability-request-changes", "POST"): "401 403 403 403 403 403 409",
    ("api:capability-retract", "POST"): "401 404 404 404 409/404 409/404 404",
    ("api:capability-submit", "POST"): "401 404 404 404 409/404 409/404 404",
    ("api:capability-suspend", "POST"): "401 403 403 403 403 403 200",
    ("api:invitation-decline", "POST"): "401 200/404 200/404 200/404 403/404 403/404 403",
    ("api:invitation-detail", "GET"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:invitation-list", "GET"): "401 200 200 200 200 200 403",
    ("api:invitation-list", "POST"): "401 403 403 403 201 201 403",
    ("api:invitation-withdraw", "POST"): "401 403/404 403/404 403/404 200/404 200/404 403",
    ("api:match-detail", "GET"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:match-feedback", "POST"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:match-list", "GET"): "401 200 200 200 200 200 403",
    ("api:me", "GET"): "401 200 200 200 200 200 200",
    ("api:membership-detail", "DELETE"): "401 204/404 403/404 204/404 204/404 204/404 403",
    ("api:membership-detail", "GET"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:membership-detail", "PATCH"): "401 200/404 403/404 200/404 200/404 200/404 403",
    ("api:membership-invitation-list", "GET"): "401 200 403 200 200 200 403",
    ("api:membership-invitation-list", "POST"): "401 201 403 201 201 201 403",
    ("api:membership-invitation-revoke", "POST"): "401 204/404 403 204/404 204/404 204/404 403",
    ("api:membership-list", "GET"): "401 200 200 200 200 200 403",
    ("api:my-organization", "GET"): "401 200 200 200 200 200 403",
    ("api:my-organization", "PATCH"): "401 200 403 200 200 200 403",
    ("api:need-archive", "POST"): "401 200/404 200/404 200/404 404 404 404",
    ("api:need-detail", "GET"): "200 200 200 200 200 200 200",
    ("api:need-detail", "PATCH"): "401 200/404 200/404 200/404 404 404 403",
    ("api:need-detail", "PUT"): "401 200/404 200/404 200/404 404 404 403",
    ("api:need-list", "GET"): "200 200 200 200 200 200 200",
    ("api:need-list", "POST"): "401 201 201 201 403 403 403",
    ("api:need-matches", "GET"): "401 200/404 200/404 200/404 404 404 403",
    ("api:need-publish", "POST"): "401 403 403 403 403 403 409",
    ("api:need-reinstate", "POST"): "401 403 403 403 403 403 409",
    ("api:need-reject", "POST"): "401 403 403 403 403 403 409",
    ("api:need-request-changes", "POST"): "401 403 403 403 403 403 409",
    ("api:need-retract", "POST"): "401 409/404 409/404 409/404 404 404 404",
    ("api:need-submit", "POST"): "401 409/404 409/404 409/404 404 404 404",
    ("api:need-suspend", "POST"): "401 403 403 403 403 403 200",
    ("api:notification-detail", "GET"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:notification-list", "GET"): "401 200 200 200 200 200 403",
    ("api:notification-mark-read", "POST"): "401 200 200 200 200 200 403",
    ("api:notification-read", "POST"): "401 200/404 200/404 200/404 200/404 200/404 403",
    ("api:organization-detail", "GET"): "200 200 200 200 200 200 200",
    ("api:organization-list", "GET"): "200 200 200 200 200 200 200",
    ("api:root", "GET"): "200 200 200 200 200 200 200",
    ("api:stats", "GET"): "200 200 200 200 200 200 200",
    ("api:tag-list", "GET"): "200 200 200 200 200 200 200",
}


@pytest.mark.parametrize(("route", "method"), sorted(MATRIX))
def test_permission_matrix(world, route, method):
    failures = []
    for role, (own_status, other_status) in expected(MATRIX[(route, method)]).items():
        for side in ("A", "B"):
            cell = Cell(role, side)
            want = own_status if cell.own else other_status
            with transaction.atomic():
                response = call(world, route, method, cell)
                transaction.set_rollback(True)
            if response.status_code != want:
                failures.append(f"{role} on {'own' if cell.own else 'other'}: {response.status_code}, want {want}")
            # Every answer to a caller with credentials (a token; the admin's
            # session) is for them alone: no shared cache may keep it.
            directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            if role != "anonymous" and not {"private", "no-store"} <= directives:
                failures.append(f"{role}: Cache-Control {response.get('Cache-Control')!r}, want private, no-store")
            if role == "anonymous" and "no-store" in directives:
                failures.append(f"anonymous: Cache-Control {response.get('Cache-Control')!r}, want cacheable")
    assert not failures, failures


def test_every_route_is_in_the_matrix():
    assert set(api_routes()) - set(MATRIX) == set(), "add the new API routes to MATRIX"
    assert set(MATRIX) - set(api_routes()) == set(), "remove routes that no longer exist"
