"""What happens to organisations that higher apps act on (matching re-matches an
SME's needs when its size or verification changes). The services and the admin
send these explicitly, inside their transaction, never from ``post_save``.
Who listens: docs/ARCHITECTURE.md, "Events"."""

from django.dispatch import Signal

# An organisation's fields changed (edited by its managers or an admin, or
# verified by an admin).
# sender: Organization; organization: the instance; fields: frozenset of the
# names of the fields that changed.
organization_changed = Signal()
