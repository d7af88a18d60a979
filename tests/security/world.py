"""The leak scan's seeded marketplace (tests/security/test_leak_scan.py has
the whole story): two SMEs (A, B) and two platforms (P, Q) built through the
services, every private text carrying a marker that knows who may read it.

tests/security/conftest.py seeds it once for the package (the leak scan and
the bad-input catalogue both use it) inside a transaction rolled back after
the package's last test.
"""

import random
import re
import string
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as account_services
from accounts.api_tokens import api_token_create
from accounts.choices import PLATFORM, SME, Role
from accounts.digest_tokens import digest_unsubscribe_token
from accounts.models import ApiToken, Membership, MembershipInvitation, Organization, User
from accounts.selectors import membership_invitation_token
from marketplace.choices import ListingStatus, NotificationKind
from marketplace.models import Application, Capability, Invitation, Need, Notification
from marketplace.services import application_transitions
from marketplace.services.applications import application_submit, message_send
from marketplace.services.invitations import invitation_decline, invitation_send
from marketplace.services.listing_transitions import LISTING_ACTIONS, listing_archive
from marketplace.services.listings import listing_create
from marketplace.services.notifications import notify_users
from matching.models import Feedback, Match
from matching.services import rematch
from matching.services.feedback import match_feedback
from tests.accounts.factories import TEST_PASSWORD, make_credit_code
from tests.marketplace.factories import capability_fields, need_fields

# --- the threat model --------------------------------------------------------------
#
# Who may read what, field by field: docs/SECURITY.md takes this table. "A
# platform" / "an SME" means any member of that organisation (owner, manager or
# member), by session or by that organisation's API token. Admins (Django
# staff) may read everything through the admin and are not scanned. A key with
# "public" carries no marker: it is shown to anyone by design.
THREAT_MODEL = {
    # key: (fields, who may read them)
    "Organization.profile": (
        "legal_name, kind, size, industry, province, website, description, verified",
        "public: the profile page and API, verified or not (only verified ones are listed)",
    ),
    "Organization.credit_code": ("credit_code", "its members"),
    "User.display_name": ("display_name", "public to the other side of a shared application, invitation or thread"),
    "User.email": ("email", "the person, and the members of each organisation they belong to"),
    "MembershipInvitation.email": (
        "email (pending invitation to join)",
        "the inviting organisation's owners and managers (not its members), and whoever holds the link",
    ),
    "ApiToken.name": ("name", "the person whose token it is"),
    "Capability.published": ("every field of a published capability, its tags", "public"),
    "Capability.moderation_reason": (
        "moderation_reason (and the audit reason and notification that copy it)",
        "its platform",
    ),
    "Capability.title.unpublished": (
        "title of a draft, submitted, sent back, rejected, suspended or archived capability",
        "its platform; SMEs that applied to it (on their applications)",
    ),
    "Capability.text.unpublished": (
        "summary, description, price_notes, quota_sla, terms_text, tags of a capability not published",
        "its platform",
    ),
    "Capability.question.unpublished": (
        "application_question of a capability not published",
        "its platform; SMEs that applied to it (it labels their answer)",
    ),
    "Need.public": ("title, kinds, industry, region of a published public need", "public"),
    "Need.details": (
        "description, tags, budget, start, organisation of a published public need",
        "its SME and every platform's staff (not other SMEs, not visitors)",
    ),
    "Need.platforms_only": ("every field of a published platforms-only need", "its SME and every platform's staff"),
    "Need.title.unpublished": (
        "title of a need not published (draft, submitted, rejected, archived…)",
        "its SME; platforms that invited it (on their invitations)",
    ),
    "Need.text.unpublished": ("description, tags of a need not published", "its SME"),
    "Need.moderation_reason": ("moderation_reason (and its copies)", "its SME"),
    "Application.text": (
        "intended_use, answer, message, decline_note (and the audit and notification copies)",
        "the applicant SME and the capability's platform",
    ),
    "Message.body": ("body", "the applicant SME and the capability's platform"),
    "Invitation.message": ("message (and its notification copy)", "the invited SME and the inviting platform"),
    "Match.reasons": ("reasons", "the need's SME and the capability's platform"),
    "Match.sme_feedback_reason": ("sme_feedback_reason", "the need's SME"),
    "Match.platform_feedback_reason": ("platform_feedback_reason", "the capability's platform"),
    "Notification.text": (
        "title, body",
        "its recipient; through an API token, only the token of the notification's organisation",
    ),
}
PUBLIC_KEYS = {key for key, (_fields, who) in THREAT_MODEL.items() if who.startswith("public")}

# --- markers -----------------------------------------------------------------------

MARKER = re.compile(r"leak-([a-z][a-z0-9]{5})", re.IGNORECASE)


@dataclass(frozen=True)
class Marker:
    id: str
    text: str
    key: str  # a THREAT_MODEL key
    where: str  # the object and field, for the report
    audience: frozenset  # principals that may read it (see Caller.principals)


class MarkerBook:
    """The markers seeded, by id; and literal values (credit codes) with their audience."""

    def __init__(self):
        self.rng = random.Random(20260704)  # noqa: S311 - test data, not a secret
        self.by_id: dict[str, Marker] = {}
        self.literals: dict[str, Marker] = {}

    def _new_id(self) -> str:
        while True:
            marker_id = self.rng.choice(string.ascii_lowercase) + "".join(
                self.rng.choice(string.ascii_lowercase + string.digits) for _i in range(5)
            )
            if marker_id not in self.by_id:
                return marker_id

    def mark(self, key: str, where: str, *audience: str, limit: int = 60) -> str:
        """A new marker for ``where`` (e.g. "A need-draft description") readable by ``audience``."""
        assert key in THREAT_MODEL and key not in PUBLIC_KEYS, key
        marker_id = self._new_id()
        slug = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")
        text = f"leak-{marker_id}-{slug}"[:limit].rstrip("-")
        self.by_id[marker_id] = Marker(marker_id, text, key, where, frozenset(audience))
        return text

    def literal(self, value: str, key: str, where: str, *audience: str) -> None:
        self.literals[value] = Marker("", value, key, where, frozenset(audience))

    def found_in(self, text: str) -> set[Marker]:
        """The markers in ``text``; one cut inside its id is unknown, and readable by no one."""
        found = {marker for value, marker in self.literals.items() if value in text}
        for marker_id in {found_id.lower() for found_id in MARKER.findall(text)}:
            unknown = Marker(marker_id, marker_id, "?", "an unknown marker", frozenset())
            found.add(self.by_id.get(marker_id, unknown))
        return found

    def all(self) -> list[Marker]:
        return [*self.by_id.values(), *self.literals.values()]


def org(key: str) -> str:
    return f"org:{key}"


PLATFORMS = "platforms"  # staff of any platform


# --- the world ---------------------------------------------------------------------

ORGANIZATIONS = {
    # key: kind, legal name, size, industry, province, verified, owner, member
    "A": ("sme", "Alpha Precision Parts Co Ltd", "small", "manufacturing", "zhejiang", True, "alice", "bob"),
    "B": ("sme", "Beta Tea Trading Co Ltd", "micro", "trade", "guangdong", False, "carol", "boris"),
    "P": ("platform", "Pangu Cloud Co Ltd", "large", "information_technology", "beijing", True, "dan", "dora"),
    "Q": ("platform", "Qilin Data Co Ltd", "large", "information_technology", "shanghai", False, "erin", "eve"),
}
# Olga works for B and for Q; Frank has an account and no organisation.
EXTRA_MEMBERS = {"olga": ("B", "Q")}
# Olga joins Q once B and Q have dealt with each other: organisations that
# share a member cannot apply to or invite each other
# (marketplace.services.independence), and what they did before stays.
LATE_JOINS = {("olga", "Q")}


@dataclass
class World:
    book: MarkerBook
    orgs: dict = field(default_factory=dict)  # key -> Organization
    users: dict = field(default_factory=dict)  # name -> User
    memberships: dict = field(default_factory=dict)  # (name, org key) -> Membership
    tokens: dict = field(default_factory=dict)  # (name, org key) -> raw token
    ids: dict = field(default_factory=lambda: defaultdict(list))  # entity -> ids to put in paths
    search_groups: dict = field(default_factory=dict)  # model -> [(query, audience)]
    capability_tags: list = field(default_factory=list)  # (tag key, audience)
    link_tokens: list = field(default_factory=list)  # (route, kwargs, markers the holder may read)


def _email(book: MarkerBook, name: str, orgs: tuple[str, ...]) -> str:
    text = book.mark("User.email", f"{name} email", f"user:{name}", *map(org, orgs), limit=40)
    return f"{text}@example.com"


def _listing(model, membership, fields, tags, *, moderator, to, reason=""):
    """Create a listing through the services and move it to ``to``."""
    listing = listing_create(model=model, membership=membership, fields=fields, tag_names=tags)
    steps = {
        ListingStatus.DRAFT: [],
        ListingStatus.SUBMITTED: ["submit"],
        ListingStatus.PUBLISHED: ["submit", "publish"],
        ListingStatus.CHANGES_REQUESTED: ["submit", "request_changes"],
        ListingStatus.REJECTED: ["submit", "reject"],
        ListingStatus.SUSPENDED: ["submit", "publish", "suspend"],
    }[to]
    for action in steps:
        listing_action = LISTING_ACTIONS[action]
        if listing_action.by_owner:
            listing_action.service(listing=listing, membership=membership)
        else:
            listing_action.service(listing=listing, user=moderator, reason=reason)
    listing.refresh_from_db()
    return listing


def _archive(listing, membership):
    listing_archive(listing=listing, membership=membership)


def seed_people(w: World) -> None:
    book = w.book
    memberships_of = defaultdict(list)
    for key, (*_rest, owner, member) in ORGANIZATIONS.items():
        memberships_of[owner].append(key)
        memberships_of[member].append(key)
    for name, keys in EXTRA_MEMBERS.items():
        memberships_of[name].extend(keys)
    for name in [*memberships_of, "frank", "mallory"]:
        email = _email(book, name, tuple(memberships_of[name]))
        if name == "mallory":
            w.users[name] = User.objects.create_superuser(email=email, password=TEST_PASSWORD, display_name="Mallory")
        else:
            w.users[name] = account_services.user_create(
                email=email, password=TEST_PASSWORD, display_name=name.capitalize()
            )
    for number, (key, (kind, legal_name, size, industry, province, _verified, owner, _member)) in enumerate(
        ORGANIZATIONS.items()
    ):
        credit_code = make_credit_code(880_000 + number)
        membership = account_services.organization_create(
            owner=w.users[owner],
            kind=kind,
            legal_name=legal_name,
            credit_code=credit_code,
            size_band=size,
            industry=industry,
            province=province,
            website=f"https://{key.lower()}.example.com/",
            description=f"{legal_name}: a firm on Tandem.",
        )
        book.literal(credit_code, "Organization.credit_code", f"{key} credit code", org(key))
        w.orgs[key] = membership.organization
        w.memberships[(owner, key)] = membership
    account_services.organization_verify(
        organizations=Organization.objects.filter(pk__in=[w.orgs[k].pk for k, v in ORGANIZATIONS.items() if v[5]]),
        admin=w.users["mallory"],
    )
    # Members join through invitations, as people do.
    joining = [(member, key) for key, (*_r, _owner, member) in ORGANIZATIONS.items()]
    joining += [(name, key) for name, keys in EXTRA_MEMBERS.items() for key in keys]
    for name, key in joining:
        if (name, key) not in LATE_JOINS:
            _join(w, name, key)
    # An invitation still pending in each organisation; its link is a credential.
    for key, (*_r, owner, _member) in ORGANIZATIONS.items():
        text = book.mark("MembershipInvitation.email", f"{key} invitee email", f"manage:{key}", limit=40)
        invitation = account_services.membership_invite(
            actor=w.memberships[(owner, key)], email=f"{text}@example.com", role=Role.MEMBER
        )
        marker = book.by_id[MARKER.match(text).group(1)]
        w.link_tokens.append(
            ("accounts:invitation_accept", {"token": membership_invitation_token(invitation)}, {marker})
        )


def _join(w: World, name: str, key: str) -> None:
    owner = w.memberships[(ORGANIZATIONS[key][6], key)]
    invitation = account_services.membership_invite(actor=owner, email=w.users[name].email, role=Role.MEMBER)
    w.memberships[(name, key)] = account_services.membership_invitation_accept(
        invitation_id=invitation.pk, user=w.users[name]
    )


def seed_late_joins(w: World) -> None:
    for name, key in sorted(LATE_JOINS):
        _join(w, name, key)


def _capability(w, key, state, *, title="", moderator, applicants=()):
    """A capability of platform ``key``: markers in every field that is not public in ``state``."""
    book, owner = w.book, w.memberships[(ORGANIZATIONS[key][6], key)]
    where = f"{key} capability-{state}"
    published = state == ListingStatus.PUBLISHED
    if published:
        fields = capability_fields(
            title=title, application_question="How many invoices do you scan a month?", price_notes="Volume discounts."
        )
        tags = ["OCR", "发票"]
        reason = book.mark("Capability.moderation_reason", f"{where} moderation reason", org(key))
    else:

        def mark(name):
            return book.mark("Capability.text.unpublished", f"{where} {name}", org(key))

        fields = capability_fields(
            title=book.mark("Capability.title.unpublished", f"{where} title", org(key), *map(org, applicants))
            + " 发票识别 Invoice OCR",
            summary=mark("summary") + " Reads VAT invoices.",
            description=mark("description") + " 上传发票图片，返回字段。",
            price_notes=mark("price notes"),
            quota_sla=mark("quota"),
            application_question=book.mark(
                "Capability.question.unpublished", f"{where} question", org(key), *map(org, applicants)
            )
            + " How many invoices?",
            terms_text=mark("terms") + " Use fairly.",
        )
        tag = mark("tag")[:50]
        tags = [tag]
        w.capability_tags.append((tag.casefold(), frozenset({org(key)})))
        reason = ""
        if state in (ListingStatus.CHANGES_REQUESTED, ListingStatus.REJECTED, ListingStatus.SUSPENDED):
            reason = book.mark("Capability.moderation_reason", f"{where} moderation reason", org(key))
    target = ListingStatus.PUBLISHED if state == "archived" else state
    return _listing(Capability, owner, fields, tags, moderator=moderator, to=target, reason=reason)


def _need(w, key, state, *, visibility="public", moderator, inviters=()):
    """A need of SME ``key``: markers in every field that is not public for its state and visibility."""
    book, owner = w.book, w.memberships[(ORGANIZATIONS[key][6], key)]
    where = f"{key} need-{state}-{visibility}"
    reason = ""
    if state == ListingStatus.PUBLISHED:
        private = "Need.platforms_only" if visibility == "platforms_only" else "Need.details"
        if visibility == "platforms_only":
            title = book.mark(private, f"{where} title", org(key), PLATFORMS) + " 合同审阅 Contract review"
        else:
            title = f"{key} 发票自动识别 Automatic invoice OCR"
        description = book.mark(private, f"{where} description", org(key), PLATFORMS)
        tag = book.mark(private, f"{where} tag", org(key), PLATFORMS)[:50]
        reason = book.mark("Need.moderation_reason", f"{where} moderation reason", org(key))
    else:
        title = book.mark("Need.title.unpublished", f"{where} title", org(key), *map(org, inviters))
        title += " 发票识别 Invoice OCR"
        description = book.mark("Need.text.unpublished", f"{where} description", org(key))
        tag = book.mark("Need.text.unpublished", f"{where} tag", org(key))[:50]
        if state in ("changes_requested", "rejected"):
            reason = book.mark("Need.moderation_reason", f"{where} moderation reason", org(key))
    fields = need_fields(
        title=title,
        description=f"{description} 我们每月处理两千张增值税发票。We scan 2,000 VAT invoices a month.",
        visibility=visibility,
        budget_min_monthly=Decimal("100"),
        budget_max_monthly=Decimal("2000"),
    )
    target = ListingStatus.PUBLISHED if state == "archived" else state
    return _listing(Need, owner, fields, [tag], moderator=moderator, to=target, reason=reason)


def seed_marketplace(w: World) -> None:
    book, admin = w.book, w.users["mallory"]
    m = w.memberships
    caps, needs = {}, {}
    for key in ("P", "Q"):
        caps[key, "pub"] = _capability(
            w, key, ListingStatus.PUBLISHED, title=f"{key} 发票 OCR 接口 Invoice OCR API", moderator=admin
        )
        caps[key, "second"] = _capability(
            w, key, ListingStatus.PUBLISHED, title=f"{key} 票据识别服务 Receipt OCR service", moderator=admin
        )
        for state in (
            ListingStatus.DRAFT,
            ListingStatus.SUBMITTED,
            ListingStatus.CHANGES_REQUESTED,
            ListingStatus.REJECTED,
            ListingStatus.SUSPENDED,
        ):
            caps[key, state] = _capability(w, key, state, moderator=admin)
    # Archived after an SME applied: the applicant still sees its title on its application.
    caps["P", "archived"] = _capability(w, "P", "archived", moderator=admin, applicants=("B",))
    caps["Q", "archived"] = _capability(w, "Q", "archived", moderator=admin, applicants=("A",))
    for key in ("A", "B"):
        needs[key, "pub"] = _need(w, key, ListingStatus.PUBLISHED, moderator=admin)
        needs[key, "po"] = _need(w, key, ListingStatus.PUBLISHED, visibility="platforms_only", moderator=admin)
        for state in (
            ListingStatus.DRAFT,
            ListingStatus.SUBMITTED,
            ListingStatus.CHANGES_REQUESTED,
            ListingStatus.REJECTED,
        ):
            needs[key, state] = _need(w, key, state, moderator=admin)
    # Archived after a platform invited it: the platform still sees its title on the invitation.
    needs["A", "archived"] = _need(w, "A", "archived", moderator=admin, inviters=("P",))
    needs["B", "archived"] = _need(w, "B", "archived", moderator=admin, inviters=("Q",))

    def between(sme, platform):
        return (org(sme), org(platform))

    def invite(staff, platform, cap, sme, need):
        message = book.mark("Invitation.message", f"{platform} invites {sme} message", *between(sme, platform))
        return invitation_send(
            membership=m[(staff, platform)], capability_id=cap.pk, need_id=need.pk, message=message + " 欢迎申请。"
        )

    invitations = {
        "P-A": invite("dan", "P", caps["P", "second"], "A", needs["A", "pub"]),
        "P-B": invite("dora", "P", caps["P", "second"], "B", needs["B", "po"]),
        "Q-A": invite("erin", "Q", caps["Q", "second"], "A", needs["A", "pub"]),
        "Q-B": invite("eve", "Q", caps["Q", "pub"], "B", needs["B", "po"]),
        "P-A-archived": invite("dan", "P", caps["P", "pub"], "A", needs["A", "archived"]),
        "Q-B-archived": invite("erin", "Q", caps["Q", "second"], "B", needs["B", "archived"]),
    }
    invitation_decline(membership=m[("alice", "A")], invitation_id=invitations["Q-A"].pk)

    def apply(person, sme, cap, platform, need=None, invitation=None):
        audience = between(sme, platform)
        where = f"{sme} applies to {platform} {cap.pk}"
        return application_submit(
            membership=m[(person, sme)],
            capability_id=cap.pk,
            intended_use=book.mark("Application.text", f"{where} intended use", *audience) + " 每月识别两千张发票。",
            answer=book.mark("Application.text", f"{where} answer", *audience) if cap.application_question else "",
            message=book.mark("Application.text", f"{where} message", *audience),
            need_id=need.pk if need else None,
            accepted_terms_version=cap.terms_version,
            invitation_id=invitation.pk if invitation else None,
        )

    def write(person, key, application, sme, platform):
        body = book.mark("Message.body", f"{person} writes on {application.pk}", *between(sme, platform))
        message_send(membership=m[(person, key)], application_id=application.pk, body=body + " 请问何时开通？")

    def decide(person, platform, application, action, **kwargs):
        service = getattr(application_transitions, f"application_{action}")
        service(membership=m[(person, platform)], application_id=application.pk, **kwargs)

    a_p = apply("alice", "A", caps["P", "pub"], "P", need=needs["A", "pub"])
    decide("dan", "P", a_p, "start_review")
    for person, key in (("alice", "A"), ("dan", "P"), ("dora", "P"), ("bob", "A")):
        write(person, key, a_p, "A", "P")
    a_q = apply("bob", "A", caps["Q", "pub"], "Q", need=needs["A", "po"])
    write("erin", "Q", a_q, "A", "Q")
    note = book.mark("Application.text", f"Q declines {a_q.pk} note", *between("A", "Q"))
    decide("erin", "Q", a_q, "decline", reason="other", note=note + " 暂不支持。")
    b_p = apply("carol", "B", caps["P", "pub"], "P", need=needs["B", "pub"])
    write("dan", "P", b_p, "B", "P")
    write("olga", "B", b_p, "B", "P")
    decide("dora", "P", b_p, "accept")
    b_q = apply("boris", "B", caps["Q", "pub"], "Q")
    application_transitions.application_withdraw(membership=m[("carol", "B")], application_id=b_q.pk)
    apply("carol", "B", caps["P", "archived"], "P")
    apply("alice", "A", caps["Q", "archived"], "Q")
    apply("alice", "A", caps["P", "second"], "P", need=needs["A", "pub"], invitation=invitations["P-A"])
    _archive(caps["P", "archived"], m[("dan", "P")])
    _archive(caps["Q", "archived"], m[("erin", "Q")])
    _archive(needs["A", "archived"], m[("alice", "A")])
    _archive(needs["B", "archived"], m[("carol", "B")])


def seed_matches(w: World) -> None:
    """The ranker's proposals, then a proposal for every published pair it left
    out (so that every need meets both platforms), each with a marker reason
    both sides may read; and feedback with reasons only one side may read."""
    book, now = w.book, timezone.now()
    published_needs = list(Need.objects.published().order_by("pk"))
    published_caps = list(Capability.objects.published().order_by("pk"))
    rematch.match_needs([need.pk for need in published_needs])
    for need in published_needs:
        have = set(Match.objects.filter(need=need).values_list("capability_id", flat=True))
        rank = Match.objects.filter(need=need).exclude(rank=None).count()
        for capability in published_caps:
            if capability.pk not in have:
                rank += 1
                Match.objects.create(need=need, capability=capability, score=0.35, rank=rank, computed_at=now)
    key_of = {organization.pk: key for key, organization in w.orgs.items()}
    for match in Match.objects.select_related("need", "capability"):
        sme, platform = key_of[match.need.organization_id], key_of[match.capability.organization_id]
        text = book.mark("Match.reasons", f"match {match.pk} {sme}-{platform} reason", org(sme), org(platform))
        match.reasons = [*match.reasons, {"code": "text", "words": [text]}]
        match.save(update_fields=["reasons"])
    # Each side dismisses a proposal with a reason only it may read, and likes another.
    m = w.memberships
    for person, key, side in (
        ("alice", "A", SME),
        ("carol", "B", SME),
        ("dan", "P", PLATFORM),
        ("erin", "Q", PLATFORM),
    ):
        mine = Match.objects.proposed().filter(
            **({"need__organization": w.orgs[key]} if side == SME else {"capability__organization": w.orgs[key]})
        )
        dismissed, interested = list(mine.order_by("pk"))[:2]
        field_key = "Match.sme_feedback_reason" if side == SME else "Match.platform_feedback_reason"
        reason = book.mark(field_key, f"{key} dismisses match {dismissed.pk}", org(key))
        match_feedback(membership=m[(person, key)], match=dismissed, side=side, value=Feedback.DISMISSED, reason=reason)
        match_feedback(membership=m[(person, key)], match=interested, side=side, value=Feedback.INTERESTED)


def seed_personal(w: World) -> None:
    """A notification and an API token for every membership."""
    book = w.book
    for (name, key), membership in w.memberships.items():
        audience = f"user:{name}@{key}"
        notify_users(
            users=[membership.user],
            organization=membership.organization,
            kind=NotificationKind.MESSAGE_NEW,
            title=book.mark("Notification.text", f"for {name} at {key} title", audience),
            body=book.mark("Notification.text", f"for {name} at {key} body", audience),
            url="/workspace/applications/",
        )
        token_name = book.mark("ApiToken.name", f"{name} at {key} token", f"user:{name}", limit=90)
        _token, raw = api_token_create(membership=membership, name=token_name, expires_in_days=None)
        w.tokens[(name, key)] = raw
    for name, user in w.users.items():
        if name != "mallory":
            email = next(m for m in book.by_id.values() if m.key == "User.email" and m.where == f"{name} email")
            w.link_tokens.append(("accounts:digest_unsubscribe", {"token": digest_unsubscribe_token(user)}, {email}))
    alice = w.users["alice"]
    w.link_tokens.append(
        (
            "accounts:password_reset_confirm",
            {
                "uidb64": urlsafe_base64_encode(force_bytes(alice.pk)),
                "token": default_token_generator.make_token(alice),
            },
            set(),
        )
    )


def collect_ids(w: World) -> None:
    """The ids every path parameter is tried with: every organisation's
    objects, and one that does not exist; and the ids that query strings
    name (the listings that have applications or matches)."""
    first_per_membership = [
        Notification.objects.filter(recipient_id=membership.user_id, organization=membership.organization)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        for membership in w.memberships.values()
    ]
    sources = {
        "organization": Organization.objects.values_list("pk", flat=True),
        "membership": Membership.objects.values_list("pk", flat=True),
        "membership_invitation": MembershipInvitation.objects.values_list("pk", flat=True),
        "api_token": ApiToken.objects.values_list("pk", flat=True),
        "capability": Capability.objects.values_list("pk", flat=True),
        "need": Need.objects.values_list("pk", flat=True),
        "application": Application.objects.values_list("pk", flat=True),
        "invitation": Invitation.objects.values_list("pk", flat=True),
        "match": Match.objects.values_list("pk", flat=True),
        # The notifications are all fetched the same way: one per membership.
        "notification": first_per_membership,
    }
    for entity, pks in sources.items():
        pks = sorted(pks)
        w.ids[entity] = [*pks, (max(pks) if pks else 0) + 1000]
    linked_capabilities = {*Application.objects.values_list("capability_id", flat=True)}
    linked_capabilities |= {*Match.objects.values_list("capability_id", flat=True)}
    w.ids["linked_capability"] = [*sorted(linked_capabilities), w.ids["capability"][-1]]
    w.ids["linked_need"] = [*sorted({*Match.objects.values_list("need_id", flat=True)}), w.ids["need"][-1]]
    # A published listing and a draft of each organisation, to name in another page's query.
    sample = {}
    for model in (Capability, Need):
        for listing in model.objects.order_by("pk"):
            sample.setdefault((model, listing.organization_id, listing.is_published), listing.pk)
    w.ids["capability_sample"] = sorted(pk for (model, *_r), pk in sample.items() if model is Capability)
    w.ids["need_sample"] = sorted(pk for (model, *_r), pk in sample.items() if model is Need)


def collect_searches(w: World) -> None:
    """Search queries made of the ids of the markers in listings' search
    text, one query per model and audience (the ids are words: a query
    matches the listings that hold any of them)."""
    for model in (Capability, Need):
        groups = defaultdict(list)
        documents = " ".join(model.objects.values_list("search_document", flat=True))
        for marker in w.book.by_id.values():
            if f" {marker.id} " in documents:
                groups[marker.audience].append(marker.id)
        w.search_groups[model] = [
            (" ".join(marker_ids[start : start + 20]), audience)
            for audience, marker_ids in groups.items()
            for start in range(0, len(marker_ids), 20)
        ]


def seed_world() -> World:
    """Build the marketplace (the caller owns the transaction)."""
    w = World(book=MarkerBook())
    seed_people(w)
    seed_marketplace(w)
    seed_late_joins(w)
    seed_matches(w)
    seed_personal(w)
    collect_ids(w)
    collect_searches(w)
    return w
