"""The demo as data: organisations and owners (planned by ``organizations``),
listings (``listings``), when things happened (``history``), applications,
invitations and their threads (``exchanges``).

Planning never reads the database: everything follows from ``SEED`` (and the
few facts seed_demo's own organisations bring), so every machine gets the
same demo.
"""

from dataclasses import dataclass, field

from demo.seed.vocabulary import EN, Offering, Problem, Sector
from marketplace.choices import ListingStatus

SEED = 2026
EMAIL_DOMAIN = "tandem.example"


@dataclass
class OrgPlan:
    """An organisation of the demo and its owner (no owner for seed_demo's own, which exist already)."""

    kind: str
    credit_code: str
    fields: dict = field(default_factory=dict)
    verified: bool = True
    owner_email: str = ""
    owner_name: str = ""
    owner_language: str = "en"
    language: str = EN
    short_zh: str = ""
    short_en: str = ""
    city: tuple[str, str] = ("", "")
    sector: Sector | None = None
    domains: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # an SME's: problems (Chinese names) it posts first, if the catalogue answers them
    listings: int = 0
    seed: int = 0  # of this organisation's own generator, so no plan shifts another's
    joined: float = 0.0  # when it joined Tandem, in hours of the demo's history (see ``history``)
    verified_time: float = 0.0  # when an admin verified it, if ``verified``


# The way to each state through the services: (action, by the owner?).
STATE_PATHS = {
    ListingStatus.DRAFT: [],
    ListingStatus.SUBMITTED: [("submit", True)],
    ListingStatus.PUBLISHED: [("submit", True), ("publish", False)],
    ListingStatus.CHANGES_REQUESTED: [("submit", True), ("request_changes", False)],
    ListingStatus.REJECTED: [("submit", True), ("reject", False)],
    ListingStatus.ARCHIVED: [("submit", True), ("publish", False), ("archive", True)],
    ListingStatus.SUSPENDED: [("submit", True), ("publish", False), ("suspend", False)],
}
CHANGES_ROUND = [("submit", True), ("request_changes", False), ("submit", True), ("publish", False)]


@dataclass
class ListingPlan:
    model: type
    org: OrgPlan
    fields: dict
    tags: list[str]
    language: str
    status: str = ListingStatus.PUBLISHED
    with_changes_round: bool = False  # published after one request for changes
    reason: str = ""  # the moderator's, for request_changes, reject and suspend
    offering: Offering | None = None  # what a capability opens
    problem: Problem | None = None  # what a need wants solved
    times: list[float] = field(default_factory=list)  # of "create" and then of each step

    @property
    def steps(self) -> list[tuple[str, bool]]:
        """The transitions that take a new draft to its planned state."""
        return CHANGES_ROUND if self.with_changes_round else STATE_PATHS[self.status]

    @property
    def published_time(self) -> float | None:
        actions = [action for action, _by_owner in self.steps]
        return self.times[1 + actions.index("publish")] if "publish" in actions and self.times else None


@dataclass(frozen=True)
class Step:
    """One thing that happens to an application, in time order."""

    time: float  # hours of the demo's history
    action: str  # "submit", a transition ("start_review", "accept", ...), or "message"
    side: str = ""  # who acts: SME or PLATFORM; "" for the system (expiry)
    body: str = ""  # of a message


@dataclass
class InvitationPlan:
    capability: ListingPlan
    need: ListingPlan
    message: str
    outcome: str  # an InvitationStatus: open, accepted (by applying) or declined
    sent: float = 0.0
    answered: float | None = None


@dataclass
class ApplicationPlan:
    sme: OrgPlan
    capability: ListingPlan
    need: ListingPlan | None
    status: str
    fit: float = 0.0  # how well the capability suits the SME; decides who is accepted
    intended_use: str = ""
    answer: str = ""
    message: str = ""
    decline_reason: str = ""
    decline_note: str = ""
    invitation: InvitationPlan | None = None
    steps: list[Step] = field(default_factory=list)


@dataclass
class Plan:
    platforms: list[OrgPlan]
    smes: list[OrgPlan]
    capabilities: list[ListingPlan]
    needs: list[ListingPlan]
    applications: list[ApplicationPlan] = field(default_factory=list)
    invitations: list[InvitationPlan] = field(default_factory=list)


# The organisations of the published demo logins (platform@, sme@): credit code bodies.
SHOWCASE = ("91330106MA2HDM001", "91330206MA2HDM003")
