"""The bad-input catalogue: every form and API field is
sent the values of tests/security/bad_input_cases.py.

Pages: every page the URL resolver knows is read as a visitor, an SME owner,
a platform owner and a person without an organisation, with the leak scan's
seeded marketplace and path parameters; every form found (method POST) is
posted once as the page fills it (with the shared factories' valid listing
fields where the page leaves a field empty), then once per field and bad
value with the other fields as they were. The pages' filter forms (method
GET) and page numbers get the query-string values. API: every operation of
the OpenAPI schema with a request body gets, per property, the values of its
kind and wrong JSON types, and whole bodies that are not valid JSON objects
(those the parser refuses for every route alike: to the first operation of
each method); every query parameter gets the values of its kind (a parameter
already tried under another operation: a representative set); every route
that takes a body also gets 10 MB. Within one form or body, the first field of each kind
gets all the values of its kind and the next ones of that kind a
representative set (bad_input_cases.REPRESENTED_FORM_VALUES and
REPRESENTED_JSON_VALUES); a form or schema already tried under another route
gets the shared set.

Each request runs in a savepoint that is rolled back, with the cache cleared
(no rate limit counts across cases). A case must never answer 5xx; a refused
one answers 4xx with a message (a form error, the 400 page's message, or the
API's {"message", "code", "extra"} naming the field) and writes nothing (no
INSERT, UPDATE or DELETE other than to the session table); an accepted
<script> or HTML text is shown escaped on the page the form leads to.
"""

import logging
import re
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote_plus, urlsplit

import pyotp
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as account_services
from accounts import two_factor
from accounts.models import ApiToken, Membership, MembershipInvitation, Organization
from marketplace.models import Application, Capability, Invitation, Need, Notification
from matching.models import Match
from tests.accounts.factories import TEST_PASSWORD, make_credit_code
from tests.marketplace.factories import capability_fields, need_fields
from tests.security import bad_input_cases as cases
from tests.security.test_leak_scan import all_routes, extra_variants, make_callers, path_variants

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

WRITE = re.compile(r"^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)
# Bookkeeping that a refused request writes by design: a session's expiry
# pushed on, a token's last use, a failed sign-in counted for the lock-out.
NOT_DATA = {"django_session", "accounts_apitoken", "accounts_signinfailure"}
# Olga belongs to two organisations: only she is offered the switch.
PAGE_CALLERS = ("anonymous", "alice (session)", "dan (session)", "frank (session)", "olga (session)")
# Fields with a format of their own, whatever their input type: a credit code is 18 letters and
# digits, a two-factor code 6 digits (or a recovery code), and the sign-in's account name an e-mail
# address (text that names no account is refused, with a message).
KIND_OF = {"credit_code": "code", "code": "code", "username": "email"}
# One-line inputs whose own rule reads a line break as a separator: tags are
# split at commas and new lines (marketplace.services.tags.tags_parse), each
# tag one line.
LINE_SEPARATED = {"tags"}
# Values a page leaves empty, by field name: the factories' valid listing and
# what a person would type elsewhere.
FILL = {
    **{name: value for name, value in capability_fields().items() if value not in ("", [], None, False)},
    **{name: value for name, value in need_fields().items() if value not in ("", [], None, False)},
    "tags": "OCR, 发票",
    "display_name": "Bad Input Tester",
    "email": "bad-input-tester@example.com",
    "password1": "Tandem-bad-input-2026",
    "password2": "Tandem-bad-input-2026",
    "new_password1": "Tandem-bad-input-2026",
    "new_password2": "Tandem-bad-input-2026",
    "old_password": TEST_PASSWORD,
    "password": TEST_PASSWORD,
    "legal_name": "Bad Input Test Co Ltd",
    "credit_code": make_credit_code(990_001),
    "intended_use": "We read 2,000 invoices a month.",
    "answer": "About 2,000.",
    "body": "When can we start?",
    "note": "Not this quarter.",
    "message": "Please apply.",
    "name": "ERP sync",
    "website": "https://example.com/",
}
# A form's fields under a prefix ("disable-password") are filled as the field.
PREFIXED = re.compile(r"^[a-z_]+-(?=[a-z_]+$)")
KIND_FILL = {
    "line": "Valid text", "text": "Valid text.", "email": "bad-input-tester@example.com",
    "url": "https://example.com/", "password": "Tandem-bad-input-2026", "number": "100", "date": "2027-01-01",
}  # fmt: skip
ESCAPED = {cases.SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;", cases.HTML: "&lt;b&gt;html&lt;/b&gt;"}
# The 10 MB body: one limit (DATA_UPLOAD_MAX_MEMORY_SIZE, checked by the
# UTF-8 middleware for every form post and by the parsers) for everything, so
# it is sent to a few routes of each entry point: pages (a form, a route
# that only writes, a sign-in), the API (a create, an edit, an action) and the admin.
BIG_BODY_PAGES = {"accounts:login", "marketplace:needs_create", "accounts:member_remove", "set_language"}
BIG_BODY_API = {"POST /api/v1/needs/", "PATCH /api/v1/capabilities/{id}/", "POST /api/v1/applications/{id}/accept/"}
BIG_BODY_ADMIN = ("admin:login", "admin:accounts_organization_add")
# Forms that a page shows only in a state none of the standing callers is
# in; a caller is put in that state for them (state_callers).
STATE_FORMS = {
    "accounts:two_factor_disable": "the settings page shows it only while two-factor is on",
    "accounts:two_factor_recovery_codes": "the settings page shows it only while two-factor is on",
    "accounts:login_code": "only between the password and the code of a sign-in with two-factor",
    "accounts:login_setup": "only between the password and setting up two-factor (a platform owner)",
    "accounts:password_reset_confirm": "only after opening a valid reset link",
}
# Answers the catalogue accepts on purpose, with the reason.
ON_PURPOSE = {
    "accounts:password_reset": "a well-formed address without an account goes to the same 'sent' page as any "
    "other (302), so the form tells nobody which addresses have accounts",
}


@dataclass
class Case:
    group: str  # html-form, html-query, api-body, api-query, api-whole-body, big-body
    where: str  # route and field or property
    value: str
    expected: str
    status: int = 0


@dataclass
class Catalogue:
    cases: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    forms: dict = field(default_factory=dict)  # (route, action) -> (caller, page url, PageForm)
    baseline: dict = field(default_factory=dict)  # form key -> status of the post as filled
    escaped_shown: set = field(default_factory=set)  # fields whose accepted markup was seen escaped
    operations: dict = field(default_factory=dict)  # "METHOD path" -> caller name or None
    tried_properties: set = field(default_factory=set)
    tried_parser_methods: set = field(default_factory=set)  # methods already sent the bodies the parser refuses
    tried_query_params: set = field(default_factory=set)  # (name, kind) of query parameters already tried
    seconds: Counter = field(default_factory=Counter)

    def fail(self, case: Case, detail: str) -> None:
        self.failures.append(f"[{case.group}] {case.where} ← {case.value}: {detail} (status {case.status})")


SAVEPOINT = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\s+\"?(\w+)", re.IGNORECASE)


def _written(queries) -> list[str]:
    """The tables written to, leaving out writes a service's own savepoint
    rolled back (a transaction that failed half-way wrote nothing)."""
    stack = [[]]
    names = []
    for query in queries:
        savepoint = SAVEPOINT.match(query["sql"])
        if savepoint:
            statement, name = savepoint.group(1).upper(), savepoint.group(2)
            if statement == "SAVEPOINT":
                stack.append([])
                names.append(name)
            elif name in names:
                while names and names[-1] != name:  # inner savepoints end with the outer one
                    names.pop()
                    inner = stack.pop()
                    stack[-1] += inner
                names.pop()
                inner = stack.pop()
                if statement == "RELEASE SAVEPOINT":
                    stack[-1] += inner
            continue
        found = WRITE.match(query["sql"])
        if found and found.group(2).lower() not in NOT_DATA:
            stack[-1].append(found.group(2))
    return [table for level in stack for table in level]


def send(client, method: str, url: str, *, then=None, **kwargs):
    """The answer to one request made in a rolled-back savepoint, the tables
    it wrote, and what ``then(response)`` returned (called before the rollback)."""
    cache.clear()
    connection.queries_log.clear()
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        written = _written(queries.captured_queries)
        extra = then(response) if then else None
        transaction.set_rollback(True)
    client.cookies = cookies
    return response, written, extra


def _html(response) -> str:
    return response.content.decode("utf-8", "replace")


def _check_refused(cat: Catalogue, case: Case, response, written, *, field_name: str = "") -> None:
    if not 400 <= response.status_code < 500:
        cat.fail(case, "expected a 4xx")
        return
    if written:
        cat.fail(case, f"refused, yet wrote to {sorted(set(written))}")
    if response.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        if not (isinstance(body, dict) and body.get("message") and "code" in body and "extra" in body):
            cat.fail(case, f"no error message in the API's shape: {str(body)[:200]}")
        elif field_name and body.get("code") == "invalid" and field_name not in body["extra"].get("fields", {}):
            cat.fail(case, f"extra.fields does not name {field_name}: {str(body)[:300]}")
    elif not cases.shows_an_error(_html(response)):
        cat.fail(case, "no error message on the page")


def _judge(cat: Catalogue, case: Case, response, written, *, field_name: str = "") -> None:
    case.status = response.status_code
    cat.cases.append(case)
    if response.status_code >= 500:
        cat.fail(case, "server error")
    elif case.expected == cases.REFUSED:
        _check_refused(cat, case, response, written, field_name=field_name)
    elif case.expected == cases.ACCEPTED and response.status_code >= 400:
        cat.fail(case, "a valid value was refused")
    elif response.status_code >= 400 and response.status_code != 429:
        _check_refused(cat, case, response, written)


# --- pages -------------------------------------------------------------------------


def _page_routes():
    for route in all_routes():
        if not (route.is_api or route.is_admin):
            yield route


def discover_forms(w, callers: dict, cat: Catalogue) -> None:
    """Every form of every page, by the route its action resolves to (and
    the action in the path, e.g. accept or decline): the first caller and
    page that shows it."""
    extras = extra_variants(w)
    for caller_name in PAGE_CALLERS:
        caller = callers[caller_name]
        for route in _page_routes():
            if route.params and caller.name == "frank (session)":
                continue  # no organisation: nothing of his own to open
            variants = (path_variants(w, route) or []) + extras.get(route.key, [])
            owned = owned_ids(w, caller)
            variants = [v for v in variants if all(_may_own(owned, route, p, v.kwargs[p]) for p in v.kwargs)]
            idle = 0
            for variant in variants:
                url = route.name and _reverse(route.name, variant.kwargs)
                if not url or idle >= 2:
                    continue
                response, _w, _e = send(caller.client, "get", url)
                if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                    continue
                before = len(cat.forms)
                add_forms(cat, caller_name, url, response)
                idle = 0 if len(cat.forms) > before else idle + 1


def add_forms(cat: Catalogue, caller_name: str, url: str, response) -> None:
    for form in cases.page_forms("http://testserver" + url, _html(response)):
        try:
            match = resolve(urlsplit(form.action).path)
        except Resolver404:
            continue
        if not match.view_name.startswith("admin:"):
            key = (form.method, match.view_name, match.kwargs.get("action", ""))
            cat.forms.setdefault(key, (caller_name, url, form))


def state_callers(w, callers: dict, cat: Catalogue) -> dict:
    """Put a caller in each state of STATE_FORMS and read the page that shows
    the form (for real, not rolled back: the state lives in the session).
    Returns the authenticator secrets, by user id, for the codes."""
    secret = pyotp.random_base32()
    tess = account_services.user_create(email="two-factor-on@example.com", password=TEST_PASSWORD, display_name="Tess")
    # Set up one step ago, so that the code of the current step is still unused.
    two_factor.two_factor_enable(user=tess, secret=secret, code=pyotp.TOTP(secret).at(time.time() - 30))
    on = Client(raise_request_exception=False)
    on.force_login(tess)
    signing_in = Client(raise_request_exception=False)
    signing_in.post(reverse("accounts:login"), {"username": tess.email, "password": TEST_PASSWORD})
    setting_up = Client(raise_request_exception=False)
    setting_up.post(reverse("accounts:login"), {"username": w.users["dan"].email, "password": TEST_PASSWORD})
    resetting = Client(raise_request_exception=False)
    uid, token = urlsafe_base64_encode(force_bytes(tess.pk)), default_token_generator.make_token(tess)
    link = resetting.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    pages = {
        "tess (two-factor on)": (on, [reverse("accounts:two_factor")]),
        "tess (signing in, code)": (signing_in, [reverse("accounts:login_code")]),
        "dan (signing in, set-up)": (setting_up, [reverse("accounts:login_setup")]),
        "anonymous (reset link)": (resetting, [link.get("Location", "")]),
    }
    for name, (client, urls) in pages.items():
        callers[name] = type(callers["anonymous"])(name, client, frozenset(), "session")
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                add_forms(cat, name, url, response)
    return {tess.pk: secret}


def big_admin_bodies(callers: dict, cat: Catalogue) -> None:
    """The 10 MB body at the admin's door: its sign-in, and a form of staff."""
    for view_name, caller_name in zip(BIG_BODY_ADMIN, ("anonymous", "staff (session)"), strict=True):
        body = b"name=x" + cases.TEN_MB_PADDING
        case = Case("big-body", view_name, "10 MB form body", cases.REFUSED)
        response, written, _e = send(
            callers[caller_name].client, "post", reverse(view_name), data=body,
            content_type="application/x-www-form-urlencoded",
        )  # fmt: skip
        _judge(cat, case, response, written)


# Which objects a caller's organisations own, to open (pages) or act on (API).
OWNED = {
    "capability": lambda orgs: Capability.objects.filter(organization__in=orgs),
    "need": lambda orgs: Need.objects.filter(organization__in=orgs),
    "application": lambda orgs: Application.objects.filter(Q(sme__in=orgs) | Q(capability__organization__in=orgs)),
    "invitation": lambda orgs: Invitation.objects.filter(Q(need__organization__in=orgs) | Q(capability__organization__in=orgs)),
    "match": lambda orgs: Match.objects.filter(Q(need__organization__in=orgs) | Q(capability__organization__in=orgs)),
    "notification": lambda orgs: Notification.objects.filter(organization__in=orgs),
    "membership": lambda orgs: Membership.objects.filter(organization__in=orgs),
    "membership_invitation": lambda orgs: MembershipInvitation.objects.filter(organization__in=orgs),
    "organization": lambda orgs: Organization.objects.filter(pk__in=[org.pk for org in orgs]),
    "api_token": lambda orgs: ApiToken.objects.filter(membership__organization__in=orgs),
}  # fmt: skip


def owned_ids(w, caller) -> dict:
    orgs = [w.orgs[key] for key in caller.orgs]
    return {entity: set(query(orgs).values_list("pk", flat=True)) for entity, query in OWNED.items()}


def _may_own(owned: dict, route, param: str, value) -> bool:
    """Keep a path value when it is an id of something the caller's organisations own."""
    if param != "pk" or not route.params:
        return True
    from tests.security.test_leak_scan import PAGE_PARAMS

    entity = PAGE_PARAMS.get(route.key, {}).get("pk")
    if entity not in owned:
        return True
    return value in owned[entity] or (entity == "organization")


def _reverse(name, kwargs):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def base_pairs(form: cases.PageForm, fill_in: dict) -> list[tuple[str, object]]:
    """The form as a browser would send it, with empty fields filled in
    (``fill_in``: FILL and what depends on the caller)."""
    pairs = []
    for name, found in form.fields.items():
        values = [value for value in found.values if value != ""]
        if not values and found.kind == "choice" and found.options and (found.required or not found.values):
            values = [next((option for option in found.options if option), found.options[0])]
        key = name if name in fill_in else PREFIXED.sub("", name)
        if not values and key in fill_in:
            fill = fill_in[key]
            values = [str(item) for item in fill] if isinstance(fill, list) else [str(fill)]
            if isinstance(fill, bool):
                values = ["on"]
        if not values and found.required:
            values = [KIND_FILL.get(found.kind, "on")]
        pairs += [(name, value) for value in values]
    return pairs


def _with(pairs, name, value):
    replaced = [(key, old) for key, old in pairs if key != name]
    if isinstance(value, list):
        return replaced + value
    return [*replaced, (name, value)]


def _escape_check(cat: Catalogue, case: Case, client, where: str, value: str):
    """After a valid save: the page it leads to shows the text escaped (read
    once per field: <script> and HTML are escaped by the same template code)."""

    def then(response):
        if response.status_code not in (301, 302, 303) or value not in ESCAPED or where in cat.escaped_shown:
            return
        page = client.get(response["Location"])
        html = _html(page)
        if value in html:
            cat.fail(case, f"{response['Location']} shows the markup unescaped")
        elif ESCAPED[value] in html:
            cat.escaped_shown.add(where)

    return then


def _totp_code(client, secrets: dict) -> str:
    """The current code of the authenticator the client's session is about:
    the one being set up, or the signed-in or half signed-in person's."""
    session = client.session
    enrolment = session.get(two_factor.ENROLMENT)
    pending = session.get(two_factor.PENDING_SIGN_IN)
    user_id = pending["user"] if pending else int(session.get("_auth_user_id", 0))
    secret = enrolment["secret"] if enrolment else secrets.get(user_id)
    return pyotp.TOTP(secret).now() if secret else ""


def run_forms(w, callers: dict, cat: Catalogue, secrets: dict) -> None:
    seen = set()
    fill = {**FILL, "username": w.users["alice"].email}
    for (method, view_name, action), (caller_name, page_url, form) in sorted(cat.forms.items()):
        if method != "post":
            continue
        client = callers[caller_name].client
        where = f"{view_name}{':' + action if action else ''}"
        url = urlsplit(form.action).path + ("?" + urlsplit(form.action).query if urlsplit(form.action).query else "")
        if any(PREFIXED.sub("", name) == "code" for name in form.fields):
            # A two-factor code: the page is read for real (not rolled back), so
            # that an authenticator being set up keeps its secret in the session.
            client.get(page_url)
            fill["code"] = _totp_code(client, secrets)
        pairs = base_pairs(form, fill)
        started = time.monotonic()
        response, _w, _e = send(
            client, "post", url, data=cases.encode_pairs(pairs), content_type="application/x-www-form-urlencoded"
        )
        cat.baseline[where] = response.status_code
        signature = tuple(sorted((name, found.kind) for name, found in form.fields.items()))
        repeated = signature in seen
        seen.add(signature)
        kinds_tried = set()
        for name, found in form.fields.items():
            found.kind = KIND_OF.get(PREFIXED.sub("", name), found.kind)
            values = cases.form_values(found.kind)
            if repeated:
                # The same form class as a route already tried (create and edit pages): the values
                # that reach the database or the decoder.
                values = [bad for bad in values if bad.name in cases.SHARED_FORM_VALUES]
            elif found.kind in kinds_tried:
                values = [bad for bad in values if bad.name in cases.REPRESENTED_FORM_VALUES]
            kinds_tried.add(found.kind)
            for bad in values:
                expected = bad.outcome(found.kind)
                if bad.name in cases.LINE_BREAK_VALUES and PREFIXED.sub("", name) in LINE_SEPARATED:
                    expected = cases.EITHER
                if expected == cases.ACCEPTED and cat.baseline[where] >= 400:
                    expected = cases.EITHER  # the form as filled is refused for another reason
                case = Case("html-form", f"{where} {name} ({found.kind})", bad.name, expected)
                then = _escape_check(cat, case, client, f"{where} {name}", bad.value) if bad.escaped else None
                body = cases.encode_pairs(_with(pairs, name, bad.value))
                response, written, _e = send(
                    client, "post", url, data=body, content_type="application/x-www-form-urlencoded", then=then
                )
                _judge(cat, case, response, written)
        if view_name in BIG_BODY_PAGES:
            big = cases.encode_pairs(pairs) + cases.TEN_MB_PADDING
            case = Case("big-body", where, "10 MB form body", cases.REFUSED)
            response, written, _e = send(
                client, "post", url, data=big, content_type="application/x-www-form-urlencoded"
            )
            _judge(cat, case, response, written)
        case = Case("html-form", f"{where} (every field twice)", "repeated keys", cases.EITHER)
        response, written, _e = send(
            client,
            "post",
            url,
            data=cases.encode_pairs(pairs + pairs),
            content_type="application/x-www-form-urlencoded",
        )
        _judge(cat, case, response, written)
        cat.seconds[where] += time.monotonic() - started


def _query_string(pairs) -> str:
    return "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in pairs)


def run_page_queries(w, callers: dict, cat: Catalogue) -> None:
    """Filter forms (method GET) and page numbers of the page lists."""
    lists = {}
    for (method, view_name, _action), (caller_name, _page_url, form) in cat.forms.items():
        if method == "get":
            lists[view_name] = (caller_name, urlsplit(form.action).path, form)
    for view_name in ("marketplace:invitations", "marketplace:notifications", "marketplace:applications"):
        lists.setdefault(view_name, ("alice (session)", _reverse(view_name, {}), None))
    for view_name, (caller_name, path, form) in sorted(lists.items()):
        client = callers[caller_name].client
        values = list(cases.QUERY_VALUES)
        for name in form.fields if form else ():
            values += cases.query_field_values(name)
        for bad in values:
            pairs = bad.value.items() if isinstance(bad.value, dict) else bad.value
            case = Case("html-query", f"{view_name}", bad.name, bad.outcome("*"))
            response, written, _e = send(client, "get", f"{path}?{_query_string(pairs)}")
            _judge(cat, case, response, written)
            if bad.escaped and response.status_code == 200 and cases.SCRIPT in _html(response):
                cat.fail(case, "the search is shown unescaped")


# --- the API -----------------------------------------------------------------------

ENTITY_OF = {
    "applications": "application", "capabilities": "capability", "needs": "need", "invitations": "invitation",
    "matches": "match", "memberships": "membership", "membership-invitations": "membership_invitation",
    "notifications": "notification", "organizations": "organization",
}  # fmt: skip
API_CALLERS = ("alice@A (token)", "dan@P (token)", "carol@B (token)", "erin@Q (token)", "staff (session)")
BASE_BODIES = {
    "POST /api/v1/capabilities/": lambda: _jsonable(capability_fields()),
    "PUT /api/v1/capabilities/{id}/": lambda: _jsonable(capability_fields()),
    "POST /api/v1/needs/": lambda: _jsonable(need_fields()),
    "PUT /api/v1/needs/{id}/": lambda: _jsonable(need_fields()),
}


def _jsonable(fields: dict) -> dict:
    return {
        name: str(value) if not isinstance(value, list | bool | int | str) else value for name, value in fields.items()
    }


def _api_send(client, method, url, body: bytes, content_type="application/json", then=None):
    return send(client, method.lower(), url, data=body, content_type=content_type, then=then)


def _choose_caller(w, callers, method, path, base) -> tuple[str | None, str]:
    """The first caller (and object) for whom an empty or base body is
    answered as input: 2xx or 400, not 401/403/404/405/409."""
    entity = ENTITY_OF.get(path.removeprefix("/api/v1/").split("/")[0])
    fallback = (None, path)
    for caller_name in API_CALLERS:
        ids = [None]
        if "{id}" in path:
            caller = callers[caller_name]
            ids = sorted(owned_ids(w, caller)[entity]) if caller.orgs else w.ids[entity][:6]
        for pk in ids:
            url = path.replace("{id}", str(pk))
            response, _w, _e = _api_send(callers[caller_name].client, method, url, cases.json_body(base))
            if response.status_code in (200, 201, 204, 400):
                return caller_name, url
            if response.status_code == 409 and fallback[0] is None:
                fallback = (caller_name, url)
    return fallback


def run_api(w, callers: dict, cat: Catalogue) -> None:
    anonymous = callers["anonymous"].client
    schema = anonymous.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for path, operations in sorted(schema["paths"].items()):
        for method, operation in sorted(operations.items()):
            method = method.upper()
            key = f"{method} {path}"
            started = time.monotonic()
            body_schema = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {})
            if body_schema:
                run_api_body(w, callers, cat, key, method, path, body_schema["schema"], components)
            params = [p for p in operation.get("parameters", []) if p["in"] == "query"]
            if params and method == "GET":
                run_api_query(w, callers, cat, key, path, params, components)
            cat.seconds[key] += time.monotonic() - started


def run_api_body(w, callers, cat, key, method, path, schema, components) -> None:
    schema_name = schema.get("$ref", key).rsplit("/", 1)[-1]
    schema = components[schema_name] if "$ref" in schema else schema
    base = BASE_BODIES.get(key, dict)()
    caller_name, url = _choose_caller(w, callers, method, path, base)
    cat.operations[key] = caller_name
    client = callers[caller_name or "anonymous"].client
    reachable = caller_name is not None
    kinds_tried = set()
    for name, prop in schema.get("properties", {}).items():
        kind, nullable, _enum = cases.schema_kind(prop, components)
        kind = KIND_OF.get(name, kind)
        item_kind = cases.schema_kind(prop["items"], components)[0] if kind == "array" else ""
        values = cases.json_values(kind, nullable, item_kind)
        # A property of a schema already tried (PATCH after PUT and POST, the
        # listing actions' one reason): the values that reach the database.
        signature = (schema_name.removeprefix("Patched"), name)
        if signature in cat.tried_properties:
            values = {key: value for key, value in values.items() if key in cases.SHARED_JSON_VALUES}
        elif (kind, item_kind, nullable) in kinds_tried:
            values = {key: value for key, value in values.items() if key in cases.REPRESENTED_JSON_VALUES}
        cat.tried_properties.add(signature)
        kinds_tried.add((kind, item_kind, nullable))
        for value_name, (value, expected) in values.items():
            if not reachable or (expected == cases.ACCEPTED and method == "POST" and key not in BASE_BODIES):
                expected = cases.EITHER if expected == cases.ACCEPTED or not reachable else expected
            case = Case("api-body", f"{key} {name} ({kind})", value_name, expected)
            response, written, _e = _api_send(client, method, url, cases.json_body({**base, name: value}))
            _judge(cat, case, response, written, field_name=name)
            if expected == cases.EITHER and response.status_code == 400 and reachable:
                fields = response.json().get("extra", {}).get("fields", {})
                if name in fields and value_name in ("<script>", "HTML", "zero-width space"):
                    cat.fail(case, f"a valid text was refused: {fields[name]}")
    parser_tried = method in cat.tried_parser_methods
    cat.tried_parser_methods.add(method)
    for value_name, (body, content_type) in cases.BODY_CASES.items():
        case = Case("api-whole-body", key, value_name, cases.REFUSED if reachable else cases.EITHER)
        if value_name == "wrong Content-Type (form)" and method == "DELETE":
            continue
        if parser_tried and value_name in cases.PARSER_REFUSED:
            continue
        response, written, _e = _api_send(client, method, url, body, content_type)
        _judge(cat, case, response, written)
    if key in BIG_BODY_API:
        big = b'{"title": "' + b"x" * cases.TEN_MB + b'"}'
        case = Case("big-body", key, "10 MB JSON body", cases.REFUSED)
        response, written, _e = _api_send(client, method, url, big)
        _judge(cat, case, response, written)


def run_api_query(w, callers, cat, key, path, params, components) -> None:
    caller_name = next((name for name in API_CALLERS if callers[name].client.get(path).status_code == 200), "anonymous")
    client = callers[caller_name].client
    for param in params:
        name = param["name"]
        kind, _nullable, enum = cases.schema_kind(param.get("schema", {}), components)
        kind = "text" if kind == "text" and not enum else ("choice" if enum else kind)
        values = cases.api_query_values(name, kind)
        if (name, kind) in cat.tried_query_params:
            values = {key: value for key, value in values.items() if key in cases.REPRESENTED_QUERY_VALUES}
        cat.tried_query_params.add((name, kind))
        for value_name, (value, expected) in values.items():
            values = value if isinstance(value, list) else [value]
            query = "&".join(f"{quote_plus(name)}={quote_plus(item)}" for item in values)
            case = Case("api-query", f"{key} ?{name} ({kind})", value_name, expected)
            response, written, _e = send(client, "get", f"{path}?{query}")
            _judge(cat, case, response, written, field_name=name if value_name != "lone surrogate" else "")


# --- the run -----------------------------------------------------------------------


@contextmanager
def quiet_loggers(*names):
    """Thousands of expected 4xx warnings, and a traceback per body over the limit."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@pytest.fixture(scope="module")
def catalogue(world):
    started = time.monotonic()
    with quiet_loggers("django.request", "django.security"):
        callers = {caller.name: caller for caller in make_callers(world)}
        staff = Client(raise_request_exception=False)
        staff.force_login(world.users["mallory"])
        callers["staff (session)"] = type(callers["anonymous"])("staff (session)", staff, frozenset(), "session")
        cat = Catalogue()
        secrets = {}
        for phase, run in (
            ("discover pages", lambda: discover_forms(world, callers, cat)),
            ("discover forms shown in a state", lambda: secrets.update(state_callers(world, callers, cat))),
            ("forms", lambda: run_forms(world, callers, cat, secrets)),
            ("admin", lambda: big_admin_bodies(callers, cat)),
            ("page queries", lambda: run_page_queries(world, callers, cat)),
            ("api", lambda: run_api(world, callers, cat)),
        ):
            phase_started = time.monotonic()
            run()
            cat.seconds[f"phase: {phase}"] = time.monotonic() - phase_started
    cat.seconds["total"] = time.monotonic() - started
    return cat


def test_no_bad_input_is_a_server_error_or_accepted_silently(catalogue):
    assert catalogue.failures == [], f"{len(catalogue.failures)} failure(s):\n" + "\n".join(catalogue.failures)


def test_every_form_is_found_and_its_baseline_is_valid(catalogue):
    posts = {key[1] for key in catalogue.forms if key[0] == "post"}
    # Every route that only writes (the leak scan's POST_ONLY pages) has a form on some page.
    from tests.security.test_leak_scan import POST_ONLY

    pages = {name for name in POST_ONLY if not name.startswith("api:")}
    assert pages - posts == set()
    assert set(STATE_FORMS) - posts == set(), "a form shown only in a state was not reached"
    refused = {where: status for where, status in catalogue.baseline.items() if status >= 400}
    assert refused == {}


def test_accepted_markup_is_shown_escaped(catalogue):
    assert catalogue.escaped_shown, "no accepted <script> was ever seen escaped: the check proves nothing"


def report_lines(catalogue) -> list[str]:
    groups = defaultdict(Counter)
    for case in catalogue.cases:
        outcome = "5xx" if case.status >= 500 else "4xx" if case.status >= 400 else "accepted"
        groups[case.group][outcome] += 1
    total = Counter()
    for counts in groups.values():
        total.update(counts)
    lines = [
        f"Bad-input catalogue: {len(catalogue.cases)} bad inputs tried in {catalogue.seconds['total']:.1f} s, "
        f"{total['5xx']} 5xx seen",
        f"  {'group':15} {'tried':>6} {'4xx':>6} {'accepted as valid':>18} {'5xx':>4}",
    ]
    for group, counts in [*sorted(groups.items()), ("all", total)]:
        lines.append(
            f"  {group:15} {sum(counts.values()):6} {counts['4xx']:6} {counts['accepted']:18} {counts['5xx']:4}"
        )
    unreachable = sorted(key for key, caller in catalogue.operations.items() if caller is None)
    lines += [
        f"  {len(catalogue.baseline)} forms posted ({len(STATE_FORMS)} shown only in a state); "
        f"{len(catalogue.operations)} API operations with a body; unreachable: {unreachable}",
        f"  accepted markup seen escaped in {len(catalogue.escaped_shown)} fields",
        *(f"  on purpose: {where}: {why}" for where, why in ON_PURPOSE.items()),
        *(f"  {key:50} {seconds:6.1f} s" for key, seconds in catalogue.seconds.most_common(10)),
    ]
    return lines


class ReportPlugin:
    """Prints the catalogue's figures in pytest's terminal summary (no -s needed)."""

    def __init__(self, lines: list[str]):
        self.lines = lines

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.section("bad-input catalogue")
        for line in self.lines:
            terminalreporter.write_line(line)


def test_report(catalogue, request):
    lines = report_lines(catalogue)
    request.config.pluginmanager.register(ReportPlugin(lines), "bad-input-report")
    print("\n" + "\n".join(lines))
    assert catalogue.cases
    for where, _why in ON_PURPOSE.items():
        assert catalogue.baseline.get(where) == 302, f"{where}: the answer kept on purpose changed"
