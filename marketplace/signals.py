"""What happens in the marketplace that higher apps act on (matching re-matches,
for one). The services send these explicitly, inside their transaction, never
from ``post_save``; a receiver with work for after the commit queues it with
``transaction.on_commit``. Who listens: docs/ARCHITECTURE.md, "Events"."""

from django.dispatch import Signal

# A listing entered the published state (published by a moderator, reinstated).
# sender: its model (Capability or Need); listing: the instance.
listing_published = Signal()

# A published listing was edited and stays published.
# sender: its model; listing: the instance.
listing_changed = Signal()

# A listing left the published state (archived, suspended, or edited by an
# unverified organisation and so sent back to review).
# sender: its model; listing: the instance.
listing_withdrawn = Signal()

# A platform invited an SME to apply to a capability, for one of its needs.
# sender: Invitation; invitation: the new invitation; membership: who invited.
invitation_sent = Signal()
