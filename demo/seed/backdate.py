"""Giving the demo its history: the services stamp every row with the time of
seeding; afterwards the rows this run wrote get the times the plan gave them.

Demo data only, and not business logic: plain UPDATEs after the services have
done their work, in the same transaction. Rows that existed before the run
keep their times, so seeding again changes nothing.

The services do not say which audit events and notifications a call wrote,
but primary keys grow with every insert: ``History.step`` notes the last ones
after each call, so each new row belongs to the first step whose mark
reaches it.

Both happen thousands of times, so they go to the cursor: the ORM's ``Max``
after every step and ``bulk_update``'s CASE expressions took seconds of a
seed_demo that should stay well under half a minute.
"""

from bisect import bisect_left
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Organization, User
from demo.seed.history import DAYS, LAST
from demo.seed.plan import OrgPlan
from marketplace.models import AuditEvent, Notification

READ_AFTER_DAYS = 10  # notifications older than this (on the day before seeding) were read


def history_start(today: date) -> datetime:
    """Midnight, DAYS days before ``today``, in the current time zone: hour 0 of the plan."""
    return timezone.make_aware(datetime.combine(today - timedelta(days=DAYS), time.min))


def _last_pks() -> tuple[int, int]:
    """The greatest primary keys of audit events and notifications."""
    quote = connection.ops.quote_name
    maxima = [(quote(model._meta.pk.column), quote(model._meta.db_table)) for model in (AuditEvent, Notification)]
    sql = "SELECT " + ", ".join(f"(SELECT MAX({pk}) FROM {table})" for pk, table in maxima)  # noqa: S608 - names from the models' meta
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(pk or 0 for pk in cursor.fetchone())


def _update(model, fields: list[str], rows: list[tuple]) -> None:
    """One UPDATE statement run for many rows: ``rows`` are (pk, *values of ``fields``)."""
    if not rows:
        return
    quote, columns = connection.ops.quote_name, [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 - names from the models' meta
    params = [
        [column.get_db_prep_value(value, connection) for column, value in zip(columns, values, strict=True)] + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class History:
    """What this run wrote and when it should have happened."""

    def __init__(self, start: datetime):
        self.start = start
        self.first_event, self.first_notification = _last_pks()
        self.marks = []  # (last audit event pk, last notification pk, planned time) after each step
        self.rows = defaultdict(dict)  # model → {pk: {field: planned time}}

    def at(self, hours: float) -> datetime:
        return self.start + timedelta(hours=hours)

    def step(self, hours: float) -> None:
        """A service call just finished; what it wrote happened at ``hours``."""
        self.marks.append((*_last_pks(), hours))

    def set(self, model, pk: int, **fields: float) -> None:
        self.rows[model].setdefault(pk, {}).update(fields)

    @contextmanager
    def attempt(self):
        """Forget the steps of a block that fails (its savepoint rolled back, so its keys may be reused)."""
        marks = len(self.marks)
        try:
            yield
        except Exception:
            del self.marks[marks:]
            raise

    def write(self) -> None:
        """Move the rows of this run to their planned times."""
        for model, rows in self.rows.items():
            by_fields = defaultdict(list)
            for pk, fields in rows.items():
                names = tuple(sorted(fields))
                by_fields[names].append((pk, *(self.at(fields[name]) for name in names)))
            for names, values in by_fields.items():
                _update(model, list(names), values)
        self._write_marked(AuditEvent, 0, self.first_event, ["created_at"])
        self._write_marked(Notification, 1, self.first_notification, ["created_at", "emailed_at", "read_at"])

    def _write_marked(self, model, position: int, first: int, fields: list[str]) -> None:
        keys = [mark[position] for mark in self.marks]
        read_before = self.at(LAST - READ_AFTER_DAYS * 24)
        rows = []
        for pk in model.objects.filter(pk__gt=first).values_list("pk", flat=True):
            index = bisect_left(keys, pk)
            if index == len(keys):
                continue  # written after the last step: not part of the planned history
            moment = self.at(self.marks[index][2])
            if model is Notification:
                # Mailed at once (the demo sends nothing: see generate); the old ones read.
                rows.append(
                    (pk, moment, moment, moment + timedelta(hours=1 + pk % 30) if moment < read_before else None)
                )
            else:
                rows.append((pk, moment))
        _update(model, fields, rows)

    def organizations(self, plans: list[OrgPlan], owners: dict) -> None:
        """Organisations, their members and owners joined when planned, not today, when
        this run created them (or seed_demo did, just before it)."""
        joined = {owners[plan.credit_code].organization_id: plan for plan in plans if plan.credit_code in owners}
        changed = []
        for organization in Organization.objects.filter(pk__in=joined):
            plan = joined[organization.pk]
            created = self.at(plan.joined)
            if organization.created_at <= created:
                continue  # from an earlier run
            organization.created_at = created
            if organization.verified_at:
                organization.verified_at = self.at(plan.verified_time)
            changed.append(organization)
        Organization.objects.bulk_update(changed, ["created_at", "verified_at"], batch_size=200)
        memberships = Membership.objects.filter(organization__in=changed).select_related("organization", "user")
        joins, users = [], {}
        for membership in memberships:
            # The owner first; colleagues a few days later.
            since = membership.organization.created_at + timedelta(days=0 if membership.role == Role.OWNER else 3)
            if membership.created_at > since:
                membership.created_at = since
                joins.append(membership)
            user = users.setdefault(membership.user_id, membership.user)
            user.date_joined = min(user.date_joined, since - timedelta(minutes=10))
        Membership.objects.bulk_update(joins, ["created_at"], batch_size=200)
        User.objects.bulk_update(list(users.values()), ["date_joined"], batch_size=200)


def matches_backdate(*, since: datetime) -> int:
    """Give the matches proposed since ``since`` the time they would have been
    first proposed: a few minutes after the later of the two publications
    (matching runs once, after the whole demo was written, so they all carry
    the time of seeding). Matches made earlier keep their times. Returns how
    many moved; none while a worker is still matching (with REDIS_URL)."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Greatest

    from marketplace.models import Capability, Need
    from matching.models import Match

    published = Greatest(
        Subquery(Need.objects.filter(pk=OuterRef("need_id")).values("published_at")[:1]),
        Subquery(Capability.objects.filter(pk=OuterRef("capability_id")).values("published_at")[:1]),
    )
    return Match.objects.filter(created_at__gte=since).update(created_at=published + timedelta(minutes=5))
