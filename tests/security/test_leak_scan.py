"""Isolation between organisations: the leak scan.

Two SMEs (A, B) and two platforms (P, Q), each with an owner and a plain
member, build a small marketplace through the services: listings in every
state, applications in several states with answers and a thread, invitations,
matches with feedback, notifications, API tokens, pending invitations to join.
Every private text carries a unique marker ``leak-<id>-<where>``; each marker
knows who may read it (THREAT_MODEL below). Then every route of the URL
resolver (pages, exports, API, admin) is called with GET, API routes also with
HEAD and OPTIONS, with the ids of every organisation's objects and with the
list routes' searches, filters, orderings and pages, by anonymous visitors, a
user without organisation, the owner and the member of A, B, P and Q, and a
person in both B and Q: pages by session, the API by each membership's token
and by session ("Who calls what" below). Any marker in a body or header that
the caller may not read is a leak; any 5xx fails too. Searching for a foreign
marker must find nothing, not even a count (a search that matches words the
caller may not read is an oracle). Where a need's organisation is a detail,
its legal name must not appear either.

Markers are matched case-insensitively on ``leak-<6 characters>``, so a marker
cut short after its id, upper-cased or inside an e-mail address still counts.
The credit code, which cannot hold a marker, is looked for as it is.

Each request runs in a savepoint that is rolled back: GETs that write (a
notification opened is marked read) do not change what later callers see.
"""

import logging
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.choices import Role
from dashboards.selectors.ecosystem import ECOSYSTEM_CHARTS
from dashboards.selectors.platform import PLATFORM_CHARTS
from dashboards.selectors.sme import SME_CHARTS
from marketplace.choices import ApplicationStatus, InvitationStatus, ListingStatus
from marketplace.models import Capability, Invitation, Need
from marketplace.services.listing_transitions import LISTING_ACTIONS
from marketplace.views.applications import APPLICATION_ACTIONS
from marketplace.views.listings import OWNER_ACTIONS
from tests.security.world import ORGANIZATIONS, PLATFORMS, PUBLIC_KEYS, THREAT_MODEL, World, org

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


# --- callers -----------------------------------------------------------------------

# Who calls what. Every caller requests every route it can reach with the id
# of every organisation's objects. Pages are read by session; the API by each
# membership's token, and by session for the people whose session is a case of
# its own (no organisation, two organisations, a plain member). The selectors
# scope lists by organisation and its kind, not by role, and the pages call the
# same selectors as the API: the lists' searches, filters, orderings and pages
# are run through the API by every owner's token and the person in two
# organisations, and on the pages by anonymous visitors, an SME's owner, a
# platform's owner and the person in two; the others repeat the lists without
# them. HEAD and OPTIONS go to every API route for an anonymous visitor, an SME
# and a platform; the admin (staff only) is tried by a visitor and by frank.
SESSION_API = {"frank", "olga", "bob"}
PAGE_QUERIES = {"alice", "dan", "olga"}
ADMIN_TRIED_BY = {"anonymous", "frank (session)"}
EVERY_METHOD = {"anonymous", "alice@A (token)", "dan@P (token)"}


@dataclass
class Caller:
    """Someone calling the site: anonymous, a person by session, or one
    membership's API token (API only). ``principals`` name what it may read:
    public, its person, its organisations, its person at each of them
    (notifications), platform staff, and managing a team."""

    name: str
    client: Client
    principals: frozenset
    via: str  # anonymous, session or token
    orgs: tuple = ()
    pages: bool = False
    api: bool = False
    queries: bool = False  # also the lists' searches, filters, orderings and pages

    @property
    def admin(self) -> bool:
        return self.name in ADMIN_TRIED_BY

    @property
    def every_method(self) -> bool:
        return self.name in EVERY_METHOD


def principals_of(name: str, memberships: list) -> frozenset:
    found = {"public", f"user:{name}"}
    for key, role in memberships:
        found |= {org(key), f"user:{name}@{key}"}
        if ORGANIZATIONS[key][0] == "platform":
            found.add(PLATFORMS)
        if role in (Role.OWNER, Role.MANAGER):
            found.add(f"manage:{key}")
    return frozenset(found)


def make_callers(w: World) -> list[Caller]:
    anonymous = Client(raise_request_exception=False)
    callers = [Caller("anonymous", anonymous, frozenset({"public"}), "anonymous", pages=True, api=True, queries=True)]
    people = defaultdict(list)
    for (name, key), membership in w.memberships.items():
        people[name].append((key, membership.role))
    for name in [*people, "frank"]:
        client = Client(raise_request_exception=False)
        client.force_login(w.users[name])
        orgs = tuple(key for key, _role in people[name])
        callers.append(
            Caller(
                f"{name} (session)",
                client,
                principals_of(name, people[name]),
                "session",
                orgs,
                pages=True,
                api=name in SESSION_API,
                queries=name in PAGE_QUERIES,
            )
        )
    for (name, key), raw in w.tokens.items():
        client = Client(raise_request_exception=False, headers={"authorization": f"Bearer {raw}"})
        role = w.memberships[(name, key)].role
        callers.append(
            Caller(
                f"{name}@{key} (token)",
                client,
                principals_of(name, [(key, role)]),
                "token",
                (key,),
                api=True,
                queries=role == Role.OWNER or len(people[name]) > 1,
            )
        )
    return callers


# --- routes ------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the namespaced name, or the pattern of an unnamed route
    name: str | None
    pattern: str
    params: tuple

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")


def all_routes(resolver=None, namespace: str = "", prefix: str = ""):
    """Every route of the URL resolver, named or not."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_routes(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            full = prefix + str(pattern.pattern)
            yield Route(name or full, name, full, tuple(pattern.pattern.regex.groupindex))


# The page routes' path parameters: where their values come from. A new route
# with a parameter fails test_every_route_is_scanned until it is added here.
PAGE_PARAMS = {
    "accounts:password_reset_confirm": {"uidb64": "link", "token": "link"},
    "accounts:api_token_revoke": {"pk": "api_token"},
    "accounts:member_role": {"pk": "membership"},
    "accounts:member_remove": {"pk": "membership"},
    "accounts:invitation_revoke": {"pk": "membership_invitation"},
    "accounts:invitation_accept": {"token": "link"},
    "accounts:digest_unsubscribe": {"token": "link"},
    "accounts:organization_public": {"pk": "organization"},
    "marketplace:capability_detail": {"pk": "capability"},
    "marketplace:application_apply": {"pk": "capability"},
    "marketplace:capabilities_edit": {"pk": "capability"},
    "marketplace:capabilities_action": {"pk": "capability", "action": "listing_action"},
    "marketplace:need_detail": {"pk": "need"},
    "marketplace:invitation_send": {"pk": "need"},
    "marketplace:needs_edit": {"pk": "need"},
    "marketplace:needs_action": {"pk": "need", "action": "listing_action"},
    "marketplace:application_detail": {"pk": "application"},
    "marketplace:application_message": {"pk": "application"},
    "marketplace:application_action": {"pk": "application", "action": "application_action"},
    "marketplace:invitation_decline": {"pk": "invitation"},
    "marketplace:notification_open": {"pk": "notification"},
    "dashboards:dashboard_export": {"slug": "chart"},
    "dashboards:ecosystem_export": {"slug": "ecosystem_chart"},
    "matching:feedback": {"pk": "match"},
}
# API routes take the entity of their name's prefix (api:membership-invitation-revoke: membership_invitation).
API_ENTITIES = (
    "organization", "membership", "membership-invitation", "capability", "need", "application", "invitation",
    "notification", "match",
)  # fmt: skip
# Static documents, the same for everyone and slow to build: called by the
# first caller of each kind (anonymous, session, token) only.
FEW_CALLERS = {
    "api-schema": "the OpenAPI document: generated from code, the same for every caller",
    "api-docs": "the Swagger page that loads the OpenAPI document",
}
# Routes not requested at all, each with the reason. Keep it empty if you can.
NOT_SCANNED: dict[str, str] = {}
# Routes that only write (POST): a GET answers 405. They are still called with
# GET, which proves they show nothing; a new one fails test_every_route_is_scanned
# until it is listed here.
POST_ONLY = {
    "set_language", "accounts:logout", "accounts:organization_switch", "accounts:api_token_revoke",
    "accounts:member_role", "accounts:member_remove", "accounts:invitation_revoke", "accounts:two_factor_disable",
    "marketplace:application_message", "marketplace:application_action", "marketplace:invitation_decline",
    "marketplace:notifications_mark_read", "marketplace:capabilities_action", "marketplace:needs_action",
    "matching:feedback",
    *(
        f"api:{entity}-{action.replace('_', '-')}"
        for entity in ("capability", "need")
        for action in LISTING_ACTIONS
    ),
    "api:application-accept", "api:application-decline", "api:application-start-review",
    "api:application-withdraw", "api:invitation-decline", "api:invitation-withdraw", "api:notification-read",
    "api:notification-mark-read", "api:match-feedback", "api:membership-invitation-revoke",
}  # fmt: skip
# Server errors found and not yet fixed: each fails test_known_server_errors_are_fixed
# (strict xfail) until fixed, then must be deleted. Never add a leak here.
# Where a need's organisation must not be named to callers who may not see a need's details.
NEED_ROUTES = {"marketplace:need_detail", "marketplace:needs_board", "api:need-detail", "api:need-list"}


TURNED_AWAY = {405, 401, "gate"}


@dataclass
class Variant:
    kwargs: dict
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    allow: frozenset = frozenset()  # markers the holder of a link may read
    oracle: frozenset | None = None  # a search for markers of this audience: must find nothing for others


def _values(w: World, source: str) -> list:
    if source == "listing_action":
        return sorted(OWNER_ACTIONS)
    if source == "application_action":
        return sorted([*APPLICATION_ACTIONS, "decline"])
    if source == "chart":
        return [*sorted({*SME_CHARTS, *PLATFORM_CHARTS}), "no-such-chart"]
    if source == "ecosystem_chart":
        return [*sorted(ECOSYSTEM_CHARTS), "no-such-chart"]
    return w.ids[source]


def path_variants(w: World, route: Route) -> list[Variant] | None:
    """The path parameters to try, or None when nobody said where they come from."""
    if not route.params:
        return [Variant({})]
    if route.is_admin:
        # Staff only: anyone else is sent to log in before any object is read.
        return [Variant({param: "accounts" if param == "app_label" else "1" for param in route.params})]
    if route.is_api:
        base = (route.name or "").removeprefix("api:")
        entity = next((e for e in sorted(API_ENTITIES, key=len, reverse=True) if base.startswith(e + "-")), None)
        if entity is None or route.params != ("pk",):
            return None
        return [Variant({"pk": pk}) for pk in w.ids[entity.replace("-", "_")]]
    sources = PAGE_PARAMS.get(route.key)
    if sources is None or set(sources) != set(route.params):
        return None
    if "link" in sources.values():
        return [Variant(dict.fromkeys(route.params, "x"))]  # the valid links are in extra_variants
    variants = [{}]
    for param, source in sources.items():
        variants = [{**kwargs, param: value} for kwargs in variants for value in _values(w, source)]
    return [Variant(kwargs) for kwargs in variants]


def query_variants(w: World) -> dict[str, list[Variant]]:
    """Searches, filters, orderings, pages and fragments of the list routes, on top of the plain GET."""

    def searches(model):
        found = [Variant({}, {"q": query}, oracle=audience) for query, audience in w.search_groups[model]]
        return [Variant({}, {"q": "leak"}), *found]

    def filters(**choices):
        return [Variant({}, {name: value}) for name, value in choices.items()]

    def each(name, source):
        return [Variant({}, {name: str(pk)}) for pk in w.ids[source]]

    tags = [Variant({}, {"tag": key}, oracle=audience) for key, audience in w.capability_tags]
    listing_states = [Variant({}, {"mine": "true", "status": status}) for status in ListingStatus.values]
    page_two = [Variant({}, {"page": "2"})]
    api_pages = [Variant({}, {"page_size": "1", "page": "2"}), Variant({}, {"page_size": "100"})]
    application_states = [Variant({}, {"status": status}) for status in ["open", *ApplicationStatus.values]]
    catalogue = filters(kind="api", industry="manufacturing", region="zhejiang", access_model="free_quota")
    catalogue += filters(budget="1000", sort="newest")
    board = filters(kind="api", industry="manufacturing", region="zhejiang")
    fragment = {"X-Tandem-Fragment": "results"}
    return {
        "marketplace:catalogue": [
            *searches(Capability), *tags, *catalogue, *page_two, Variant({}, {"q": "leak"}, fragment),
        ],
        "marketplace:needs_board": [*searches(Need), *board, *page_two, Variant({}, {"q": "leak"}, fragment)],
        "marketplace:applications": [*application_states, *each("capability", "linked_capability"), *page_two],
        "marketplace:invitations": page_two,
        "marketplace:notifications": page_two,
        "marketplace:workspace_capabilities": page_two,
        "marketplace:workspace_needs": page_two,
        "api:capability-list": [
            *searches(Capability), *tags, *catalogue, Variant({}, {"mine": "true"}), *listing_states,
            *filters(ordering="title"), *filters(ordering="-updated_at"), *api_pages,
        ],
        "api:need-list": [
            *searches(Need), *board, Variant({}, {"mine": "true"}), *listing_states,
            *filters(ordering="-title"), *filters(ordering="updated_at"), *api_pages,
        ],
        "api:application-list": [
            *application_states, *each("capability", "linked_capability"), *filters(ordering="created_at"),
            *api_pages,
        ],
        "api:invitation-list": [
            *[Variant({}, {"status": status}) for status in InvitationStatus.values],
            *filters(ordering="-answered_at"), *api_pages,
        ],
        "api:notification-list": [*filters(unread="true"), *filters(unread="false"), *api_pages],
        "api:match-list": [*each("need", "linked_need"), *each("capability", "linked_capability"), *api_pages],
        "api:organization-list": [
            *filters(kind="sme"), *filters(province="guangdong"), *filters(ordering="-verified_at"), *api_pages,
        ],
        "api:membership-list": api_pages,
        "api:membership-invitation-list": api_pages,
        "api:tag-list": [Variant({}, {"q": "leak"}), *api_pages],
    }  # fmt: skip


def extra_variants(w: World) -> dict[str, list[Variant]]:
    """Pages whose query names another object (every organisation's, to try
    crossing over), and the links that are credentials (an invitation to join,
    an unsubscribe link): their holder may read what they are about."""
    first_capability = w.ids["capability"][0]
    first_need = w.ids["need"][0]
    invitations = list(Invitation.objects.values_list("pk", "capability_id"))
    links = defaultdict(list)
    for name, kwargs, allow in w.link_tokens:
        links[name].append(Variant(kwargs, allow=frozenset(allow)))
    return {
        **links,
        "marketplace:application_apply": [
            *[Variant({"pk": capability}, {"invitation": str(pk)}) for pk, capability in invitations],
            *[Variant({"pk": first_capability}, {"need": str(pk)}) for pk in w.ids["need_sample"]],
        ],
        "marketplace:invitation_send": [
            Variant({"pk": first_need}, {"capability": str(pk)}) for pk in w.ids["capability_sample"]
        ],
        "marketplace:application_detail": [
            Variant({"pk": pk}, headers={"X-Tandem-Fragment": "thread"}) for pk in w.ids["application"]
        ],
    }


# --- the scan ----------------------------------------------------------------------


@dataclass
class Finding:
    route: str
    method: str
    url: str
    caller: str
    status: int
    detail: str

    def __str__(self) -> str:
        return f"{self.method} {self.url} [{self.route}] as {self.caller} → {self.status}: {self.detail}"


@dataclass
class Scan:
    routes: list = field(default_factory=list)
    callers: list = field(default_factory=list)
    requests: int = 0
    per_route: Counter = field(default_factory=Counter)
    per_caller: Counter = field(default_factory=Counter)
    token_routes: set = field(default_factory=set)  # API routes called with a token
    statuses: Counter = field(default_factory=Counter)
    leaks: list = field(default_factory=list)
    server_errors: list = field(default_factory=list)
    oracles: list = field(default_factory=list)
    unclassified: list = field(default_factory=list)
    seen: dict = field(default_factory=lambda: defaultdict(set))  # marker -> callers that read it rightly
    get_statuses: dict = field(default_factory=lambda: defaultdict(set))  # route -> statuses of its GETs
    answered: dict = field(default_factory=lambda: defaultdict(set))  # caller -> routes that answered 200
    named_needs: set = field(default_factory=set)  # callers shown a need's organisation on NEED_ROUTES
    found_by_search: set = field(default_factory=set)  # callers whose marker search found results
    seconds: float = 0.0
    route_seconds: Counter = field(default_factory=Counter)


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + body.decode("utf-8", "replace")


def result_count(response) -> int | None:
    """How many results a list answered: the API's count, or the page's paginator."""
    if response.get("Content-Type", "").startswith("application/json"):
        data = response.json()
        return data.get("count") if isinstance(data, dict) else None
    try:
        return response.context["page"].paginator.count
    except (KeyError, TypeError):
        return None


class Scanner:
    def __init__(self, w: World, callers: list[Caller]):
        self.w, self.callers, self.scan = w, callers, Scan(callers=callers)
        self.legal_names = {key: value[1] for key, value in ORGANIZATIONS.items() if value[0] == "sme"}
        # Where login_required and membership_required send those they turn away.
        self.gates = {reverse("accounts:login"), reverse("accounts:organization_create"), reverse("admin:login")}

    def url(self, route: Route, kwargs: dict) -> str:
        if route.name:
            return reverse(route.name, kwargs=kwargs or None)
        if "(?P<url>" in route.pattern:  # the admin's catch-all
            return "/" + route.pattern.split("(?P<url>")[0] + "no-such-page/"
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda found: str(kwargs[found.group(1)]), route.pattern)

    def call(self, caller: Caller, method: str, route: Route, variant: Variant) -> int | str:
        url = self.url(route, variant.kwargs)
        request = getattr(caller.client, method)
        started = time.monotonic()
        with transaction.atomic():
            response = request(url, query_params=variant.query, headers=variant.headers)
            transaction.set_rollback(True)
        scan = self.scan
        scan.route_seconds[route.key] += time.monotonic() - started
        scan.requests += 1
        scan.per_route[route.key] += 1
        scan.per_caller[caller.name] += 1
        scan.statuses[response.status_code] += 1
        if method == "get":
            scan.get_statuses[route.key].add(response.status_code)
            if response.status_code == 200:
                scan.answered[caller.name].add(route.key)
        if caller.via == "token":
            scan.token_routes.add(route.key)
        shown = url + ("?" + "&".join(f"{k}={v}" for k, v in variant.query.items()) if variant.query else "")

        def finding(detail):
            return Finding(route.key, method.upper(), shown, caller.name, response.status_code, detail)

        if response.status_code >= 500:
            scan.server_errors.append(finding("server error"))
        text = _text(response)
        # What the caller typed (a tag in the query) may be shown back; the oracle check covers the results.
        typed = self.w.book.found_in(" ".join(map(str, variant.query.values())))
        for marker in self.w.book.found_in(text):
            if marker.audience & caller.principals or marker in variant.allow or marker in typed:
                scan.seen[marker].add(caller.name)
            else:
                who = THREAT_MODEL.get(marker.key, ("", "?"))[1]
                scan.leaks.append(finding(f"{marker.where} — {marker.key}, for {who}"))
        if route.key in NEED_ROUTES:
            for key, legal_name in self.legal_names.items():
                if key in caller.orgs or legal_name not in text:
                    continue
                if PLATFORMS in caller.principals:
                    scan.named_needs.add(caller.name)
                else:
                    scan.leaks.append(finding(f"names {key} as a need's organisation — Need.details"))
        if variant.oracle is not None and response.status_code == 200:
            count = result_count(response)
            if variant.oracle & caller.principals:
                if count:
                    scan.found_by_search.add(caller.name)
            elif count != 0:
                scan.oracles.append(finding(f"a search for markers it may not read found {count} result(s)"))
        if response.status_code == 302 and response["Location"].split("?")[0] in self.gates:
            return "gate"
        return response.status_code

    def run(self) -> Scan:
        started = time.monotonic()
        routes = list(all_routes())
        self.scan.routes = routes
        queries, extras = query_variants(self.w), extra_variants(self.w)
        first_of_kind = {}
        for caller in self.callers:
            first_of_kind.setdefault(caller.via, caller)
        for route in routes:
            if route.key in NOT_SCANNED:
                continue
            plain = path_variants(self.w, route)
            if plain is None:
                self.scan.unclassified.append(route.key)
                continue
            first = plain[0]
            more = [Variant(first.kwargs, v.query, v.headers, v.allow, v.oracle) for v in queries.get(route.key, [])]
            more += extras.get(route.key, [])
            for caller in self.callers:
                if not (caller.admin if route.is_admin else caller.api if route.is_api else caller.pages):
                    continue
                if route.key in FEW_CALLERS and first_of_kind[caller.via] is not caller:
                    continue
                self.scan_route(caller, route, plain + more if caller.queries else plain)
        self.scan.seconds = time.monotonic() - started
        return self.scan

    def scan_route(self, caller: Caller, route: Route, variants: list[Variant]) -> None:
        for variant in variants:
            if self.call(caller, "get", route, variant) in TURNED_AWAY:
                # Refused before any object or query was read (not a GET
                # route, not signed in, no organisation): the rest answer the same.
                break
        if route.is_api and caller.every_method:
            self.call(caller, "head", route, variants[0])
            self.call(caller, "options", route, variants[0])


@pytest.fixture(scope="module")
def scan(world):
    # Thousands of 404s and 405s are expected here: their warnings would only fill the captured log.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return Scanner(world, make_callers(world)).run()
    finally:
        logger.setLevel(level)


# --- the tests ---------------------------------------------------------------------


def test_every_private_field_of_the_threat_model_is_seeded(world):
    seeded = Counter(marker.key for marker in world.book.all())
    assert set(seeded) <= set(THREAT_MODEL) - PUBLIC_KEYS
    assert set(THREAT_MODEL) - PUBLIC_KEYS - set(seeded) == set(), "seed a marker for every private field"
    # Markers are unique and each organisation has its own.
    assert len({marker.text for marker in world.book.all()}) == len(world.book.all())
    for key in ORGANIZATIONS:
        assert any(org(key) in marker.audience for marker in world.book.all()), key


def summary(findings: list[Finding]) -> str:
    """Findings grouped by route, method and what was found, with the callers and an example URL."""
    groups = defaultdict(list)
    for finding in findings:
        groups[(finding.route, finding.method, finding.detail)].append(finding)
    lines = [f"{len(findings)} finding(s) in {len(groups)} group(s):"]
    for (route, method, detail), found in sorted(groups.items()):
        callers = sorted({f.caller for f in found})
        lines.append(f"- {method} {route}: {detail}\n    e.g. {found[0]}\n    callers: {', '.join(callers)}")
    return "\n".join(lines)


def test_no_caller_reads_a_marker_it_may_not_see(scan):
    assert not scan.leaks, summary(scan.leaks)


def test_no_request_fails_with_a_server_error(scan):
    assert not scan.server_errors, summary(scan.server_errors)


def test_searching_for_a_foreign_marker_finds_nothing(scan):
    assert not scan.oracles, summary(scan.oracles)
    # The check can fail: the same searches find the listings for those who may read them.
    assert {"dan@P (token)", "dan (session)", "erin@Q (token)"} <= scan.found_by_search


def test_need_organisations_are_named_to_platforms_only(scan):
    """The leak check on NEED_ROUTES looks for the SMEs' legal names; platform
    staff are shown them, so the check would see a leak."""
    assert not [found for found in scan.leaks if "as a need's organisation" in found.detail]
    assert {"dan (session)", "erin@Q (token)"} <= scan.named_needs


def test_every_route_is_scanned(scan):
    keys = {route.key for route in scan.routes}
    assert scan.unclassified == [], "say where these routes' path parameters come from (PAGE_PARAMS)"
    assert set(NOT_SCANNED) <= keys and set(FEW_CALLERS) <= keys, "remove routes that no longer exist"
    assert keys - set(NOT_SCANNED) - set(scan.per_route) == set()
    # Routes that write answer GET with 405 (after turning away visitors), and none other does.
    refuse_get = {key for key, statuses in scan.get_statuses.items() if 405 in statuses}
    assert refuse_get == POST_ONLY, "list routes that only write in POST_ONLY (or stop refusing GET)"
    assert not any(scan.get_statuses[key] & {200, 201, 204} for key in POST_ONLY)
    api = {route.key for route in scan.routes if route.is_api}
    assert api - scan.token_routes == set(), "every API route is also called with API tokens"
    # Anonymous; every organisation's owner and member by session and by token; the person in two; frank.
    assert len(scan.callers) == 1 + 2 * len(ORGANIZATIONS) + 1 + 1 + 2 * len(ORGANIZATIONS) + 2
    # Each member is really signed in and acting for its organisation (a new
    # gate, such as a second factor, must be passed in make_callers, not
    # silently turn the scan into one of login pages).
    for caller in scan.callers:
        if caller.orgs and caller.pages:
            assert {"marketplace:applications", "accounts:organization_settings"} <= scan.answered[caller.name]
        if caller.orgs and caller.api:
            assert {"api:my-organization", "api:application-list"} <= scan.answered[caller.name]


def test_every_marker_is_read_by_someone_it_is_meant_for(scan, world):
    """A marker nobody reads proves nothing: the seeding or the pages changed.
    Every marker must reach at least one caller of its audience."""
    callers = set().union(*(caller.principals for caller in scan.callers))
    meant = [marker for marker in world.book.all() if marker.audience & callers]
    assert len(world.book.all()) - len(meant) == 1  # mallory's e-mail: no caller may read it
    unseen = sorted(f"{marker.where} ({marker.key})" for marker in meant if not scan.seen.get(marker))
    assert unseen == []


def test_report(scan, world):
    markers = Counter(marker.key for marker in world.book.all())
    pages = sum(1 for route in scan.routes if not route.is_api and not route.is_admin)
    print(
        f"\nLeak scan: {len(scan.routes)} routes ({pages} pages, "
        f"{sum(1 for route in scan.routes if route.is_api)} API, "
        f"{sum(1 for route in scan.routes if route.is_admin)} admin), {len(scan.callers)} callers, "
        f"{scan.requests} requests in {scan.seconds:.1f} s; {len(world.book.all())} markers seeded "
        f"({len(THREAT_MODEL) - len(PUBLIC_KEYS)} private fields); "
        f"statuses {dict(sorted(scan.statuses.items()))}; "
        f"leaks {len(scan.leaks)}, search oracles {len(scan.oracles)}, server errors {len(scan.server_errors)}"
    )
    for key, count in sorted(markers.items()):
        print(f"  {key:34} {count:3} markers  — {THREAT_MODEL[key][1]}")
    by_kind = Counter()
    for caller in scan.callers:
        by_kind[caller.via] += scan.per_caller[caller.name]
    print(f"  requests by caller kind: {dict(by_kind)}; slowest routes:")
    for key, seconds in scan.route_seconds.most_common(5):
        print(f"  {key:45} {seconds:6.2f} s {scan.per_route[key]:5} requests")
    assert scan.requests > 0
