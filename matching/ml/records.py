"""What the matching core knows of a capability and of a need: plain values,
no Django. The web application builds these from its models; the evaluation
command builds them from JSONL files."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CapabilityRecord:
    id: int | str
    title: str
    description: str = ""
    kind: str = ""
    tags: tuple[str, ...] = ()
    # Empty means "no restriction": every industry, all of China, every firm size.
    industries: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    size_bands: frozenset[str] = frozenset()
    requires_verification: bool = False
    price_min: float | None = None
    price_max: float | None = None
    # Decided applications so far and how many of them were accepted.
    accepted: int = 0
    decided: int = 0
    # Seconds since the epoch; None when unknown.
    published_at: float | None = None

    @property
    def text(self) -> str:
        # The title twice: it says what the capability is; descriptions ramble.
        return " ".join([self.title, self.title, self.description, " ".join(self.tags)])


@dataclass(frozen=True, slots=True)
class NeedRecord:
    id: int | str
    text: str
    # Empty means "any kind".
    kinds: frozenset[str] = frozenset()
    tags: tuple[str, ...] = ()
    industry: str = ""
    region: str = ""
    # The SME's size band and whether it is verified: its eligibility.
    size_band: str = ""
    verified: bool = False
    budget_min: float | None = None
    budget_max: float | None = None
    published_at: float | None = None
    # Capabilities never to propose to this need (its SME applied to them already).
    excluded: frozenset[int | str] = frozenset()
