"""The one way a capability, a need or an application changes state.

SPEC.md: every transition is one database transaction that locks the row,
checks who may make it and from which state, writes the audit record and
queues the notifications. ``transition_apply`` is that sequence, written
once; the per-transition functions (``listing_publish``,
``application_accept``, …) say who may act and what else changes.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.functional import Promise

from accounts.models import Organization, User
from marketplace.errors import TransitionNotAllowed
from marketplace.services.audit import audit_record


class StatefulRow(Protocol):
    """A model row with a ``status`` and an ``updated_at`` (a listing, an application)."""

    pk: Any
    status: str

    def get_status_display(self) -> str: ...

    def save(self, *, update_fields: list[str]) -> None: ...


@dataclass(frozen=True)
class Transition:
    """A state change: its name in the audit trail, the states it may start
    from and the state it reaches."""

    action: str
    sources: frozenset[str]
    target: str
    # The words for "… so it cannot be %(action)s", in a context of their own:
    # other languages say them as verbs, unlike the same words used as states.
    past_tense: Promise
    # Whether the person acting must say why (the other side reads it).
    reason_required: bool = False

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


@dataclass(frozen=True)
class StateMachine[RowT]:
    """What the core needs to know of one kind of row. (``transition_apply``,
    which reads and saves the row, requires a ``StatefulRow``: a bound here
    would be checked before django-stubs has typed an abstract model's fields,
    and ``Listing`` would fail it.)"""

    # The rows, with what the checks and the notifications read joined in.
    rows: Callable[[], models.QuerySet]
    # The PermissionDenied message for a row that is not there.
    missing_message: Callable[[], str]
    # The TransitionNotAllowed message for a state the transition cannot start from.
    refused_message: Callable[[RowT, Transition], str]
    # Whose audit trail records the change.
    audit_organization: Callable[[RowT], Organization]


def _no_changes(row: Any) -> Mapping[str, Any]:
    return {}


def _nothing_to_announce(row: Any, from_state: str) -> None:
    return None


@transaction.atomic
def transition_apply[RowT: StatefulRow](
    machine: StateMachine[RowT],
    transition: Transition,
    *,
    pk: int,
    actor: User | None,
    authorize: Callable[[RowT], None],
    prepare: Callable[[RowT], Mapping[str, Any]] = _no_changes,
    reason: str = "",
    announce: Callable[[RowT, str], None] = _nothing_to_announce,
) -> RowT:
    """Make ``transition`` on the row ``pk``, in one transaction:

    1. lock the row (``select_for_update``): two people acting at once are
       served one after the other, and the second sees the first's state;
    2. ``authorize(row)`` raises PermissionDenied when ``actor`` may not;
    3. refuse (TransitionNotAllowed) a state the transition cannot start from;
    4. ``prepare(row)`` validates the transition's input (ValidationError) and
       returns the other fields it sets;
    5. save the status and those fields, and write the audit event (with
       ``reason``);
    6. ``announce(row, from_state)`` tells people: notifications are rows of
       this transaction, their e-mails and any Celery work are queued with
       ``transaction.on_commit``, so a rolled-back change tells nobody.

    Each check raises before anything is written.
    """
    # of=("self",): the joined rows (owner, capability) are read, not changed.
    row = machine.rows().select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(machine.missing_message())
    authorize(row)
    if not transition.allowed_from(row.status):
        raise TransitionNotAllowed(machine.refused_message(row, transition))
    changes = dict(prepare(row))
    from_state = row.status
    row.status = transition.target
    for name, value in changes.items():
        setattr(row, name, value)
    row.save(update_fields=["status", "updated_at", *changes])
    audit_record(
        actor=actor,
        target=row,
        organization=machine.audit_organization(row),
        action=transition.action,
        from_state=from_state,
        to_state=row.status,
        reason=reason,
    )
    announce(row, from_state)
    return row
