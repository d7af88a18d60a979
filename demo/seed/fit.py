"""What genuinely fits what in the demo: the capabilities that solve a need's
problem (``Problem.solved_by``) and that the need's firm may use, under the
matcher's own hard filters (kind, region, size band, verification)."""

from demo.seed.plan import ListingPlan, OrgPlan
from demo.seed.vocabulary import Problem
from marketplace.choices import ListingStatus


def may_use(org: OrgPlan, capability: ListingPlan, region: str | None = None) -> bool:
    """Whether the firm passes the capability's size band, verification and
    region rules (``region``: the need's, else where the firm is)."""
    fields = capability.fields
    bands = fields["eligible_size_bands"]
    if bands and org.fields.get("size_band") not in bands:
        return False
    if fields["requires_verification"] and not org.verified:
        return False
    regions = fields["regions"]
    return not regions or (region or org.fields.get("province")) in regions


def solves(capability: ListingPlan, problem: Problem | None) -> bool:
    """Whether the capability is one of the offerings that solve the problem."""
    return problem is not None and capability.offering is not None and capability.offering.zh in problem.solved_by


def solvers_for(
    org: OrgPlan, problem: Problem, kinds, capabilities: list[ListingPlan], region: str | None = None
) -> list[ListingPlan]:
    """The published capabilities of one of ``kinds`` that solve the problem
    and that the firm may use."""
    return [
        capability
        for capability in capabilities
        if capability.status == ListingStatus.PUBLISHED
        and capability.fields["kind"] in kinds
        and solves(capability, problem)
        and may_use(org, capability, region)
    ]


def fits(need: ListingPlan, capabilities: list[ListingPlan]) -> list[ListingPlan]:
    """The published capabilities that genuinely fit a need."""
    if need.problem is None:
        return []
    return solvers_for(need.org, need.problem, need.fields["kinds_wanted"], capabilities, need.fields["region"])
