"""When things happened in the demo: a history of ``DAYS`` days, planned like
the rest of it.

A time is a number of hours after the start of that history (midnight,
``DAYS`` days before the seeding day), so the plan does not depend on the
clock; ``backdate`` turns times into datetimes once the rows exist. People act
in office hours; nothing happens after ``LAST``, seven in the evening of the
day before seeding, so a demo seeded in the morning has no future in it.
"""

import math
import random

from accounts.choices import OrganizationKind
from accounts.validators import credit_code_check_character
from demo.seed.plan import SHOWCASE, ListingPlan, OrgPlan, Plan
from marketplace.choices import ListingStatus

DAYS = 120
DAY = 24.0
LAST = DAYS * DAY - 5
OPEN_HOUR, CLOSE_HOUR = 9.0, 19.0
S = ListingStatus

# Hours between a listing's steps: (fewest, most).
LISTING_GAPS = {
    "submit": (0.5, 72.0),
    "resubmit": (12.0, 120.0),  # after a moderator asked for changes
    "publish": (2.0, 40.0),
    "request_changes": (2.0, 40.0),
    "reject": (2.0, 40.0),
    "archive": (7 * DAY, 60 * DAY),
    "suspend": (3 * DAY, 45 * DAY),
}
# Listings waiting for a moderator, or for their owner, are recent: at most this many days old.
RECENT_DAYS = {S.SUBMITTED: 6, S.CHANGES_REQUESTED: 25}
# The demo logins' published listings are at least this old, so that they have applications.
SHOWCASE_DAYS = 30
SHOWCASE_CODES = {body + credit_code_check_character(body) for body in SHOWCASE}


def office(rng: random.Random, time: float) -> float:
    """``time``, or when it is outside office hours, a moment within the next ones (weekends are not kept)."""
    day, hour = divmod(time, DAY)
    if OPEN_HOUR <= hour < CLOSE_HOUR:
        return time
    return (day + (hour >= CLOSE_HOUR)) * DAY + rng.uniform(OPEN_HOUR, CLOSE_HOUR)


def after(rng: random.Random, time: float, low: float, high: float) -> float:
    """A moment ``low``–``high`` hours after ``time``, in office hours."""
    return office(rng, time + rng.uniform(low, high))


def between(rng: random.Random, low: float, high: float) -> float:
    """A moment in office hours from ``low`` to about ``high`` (``low`` when the window is empty)."""
    return office(rng, rng.uniform(low, max(low, high)))


def before_last(times: list[float], earliest: float) -> list[float]:
    """A chain of increasing times made to end by LAST: moved whole days
    earlier (so the hours stay) as far as ``earliest`` allows, else its gaps
    shortened in proportion; in order, whatever happens."""
    overflow = times[-1] - LAST
    if overflow > 0:
        days = min(math.ceil(overflow / DAY), math.floor((times[0] - earliest) / DAY))
        times = [time - max(days, 0) * DAY for time in times]
    first, last = times[0], times[-1]
    if last > LAST and first < LAST - 1:
        times = [first + (time - first) * (LAST - first) / (last - first) for time in times]
    count = len(times)
    return [min(time, LAST - (count - 1 - index) * 0.1) for index, time in enumerate(times)]


def _org_times(rng: random.Random, org: OrgPlan) -> None:
    if org.kind == OrganizationKind.PLATFORM:
        org.joined = between(rng, 0, (3 if not org.owner_email else 20) * DAY)
    elif not org.owner_email:  # seed_demo's SMEs: early members
        org.joined = between(rng, DAY, 10 * DAY)
    else:
        org.joined = between(rng, 0, 60 * DAY) if rng.random() < 0.7 else between(rng, 60 * DAY, 100 * DAY)
    org.verified_time = after(rng, org.joined, 4, 72)


def _listing_times(rng: random.Random, listing: ListingPlan) -> list[float]:
    earliest, latest = listing.org.joined + 2, LAST - 2 * DAY
    if listing.status in RECENT_DAYS:
        earliest = max(earliest, LAST - RECENT_DAYS[listing.status] * DAY)
    if listing.status == S.PUBLISHED and listing.org.credit_code in SHOWCASE_CODES:
        latest = LAST - SHOWCASE_DAYS * DAY
    times = [between(rng, earliest, latest)]
    for index, (action, _by_owner) in enumerate(listing.steps):
        gap = "resubmit" if action == "submit" and index > 0 else action
        times.append(after(rng, times[-1], *LISTING_GAPS[gap]))
    return before_last(times, earliest)


def plan_history(plan: Plan, rng: random.Random) -> None:
    """When each organisation joined and each listing reached each state."""
    for org in plan.platforms + plan.smes:
        _org_times(rng, org)
    for listing in plan.capabilities + plan.needs:
        listing.times = _listing_times(rng, listing)
