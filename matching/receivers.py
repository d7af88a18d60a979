"""What matching does when the lower apps announce a change: each receiver
decides whether the change matters for the proposals and, if so, queues the
matching work for after the commit (``matching.services.hooks``). Connected in
``MatchingConfig.ready()``; the table is in docs/ARCHITECTURE.md, "Events"."""

from accounts import signals as accounts_signals
from marketplace import signals as marketplace_signals
from matching.services.feedback import match_invited
from matching.services.hooks import listing_matches_refresh, organization_matches_refresh

# An SME's size and verification decide which capabilities its needs may be
# proposed; no other field of an organisation enters the matching.
ELIGIBILITY_FIELDS = frozenset({"size_band", "verified_at"})


def listing_rematch(sender, *, listing, **kwargs) -> None:
    """A listing published, edited while published, or withdrawn: re-match it,
    or take down its proposals if it is no longer published."""
    listing_matches_refresh(listing)


def organization_rematch(sender, *, organization, fields, **kwargs) -> None:
    """An organisation changed: its needs are re-matched when its eligibility did."""
    if ELIGIBILITY_FIELDS & fields:
        organization_matches_refresh(organization_ids=[organization.pk])


def invitation_as_interest(sender, *, invitation, membership, **kwargs) -> None:
    """A platform invited a need to one of its capabilities: that is interest
    in the pair, recorded on the proposal if there is one."""
    match_invited(need_id=invitation.need_id, capability_id=invitation.capability_id, membership=membership)


CONNECTIONS = (
    (marketplace_signals.listing_published, listing_rematch),
    (marketplace_signals.listing_changed, listing_rematch),
    (marketplace_signals.listing_withdrawn, listing_rematch),
    (marketplace_signals.invitation_sent, invitation_as_interest),
    (accounts_signals.organization_changed, organization_rematch),
)


def connect() -> None:
    for signal, receiver in CONNECTIONS:
        signal.connect(receiver, dispatch_uid=f"matching.receivers.{receiver.__name__}")
