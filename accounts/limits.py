"""The rate limits on inviting people to a team and on creating
organisations (config/ratelimit.py counts them): the pages show a refusal
as a form error, the API as 429 with the same message. An invitation counts
per person, per organisation and per address invited, so neither many
managers nor many organisations can turn invitations into a mail relay."""

import math
from dataclasses import dataclass

from django.utils.translation import ngettext

from accounts.models import Membership, User, normalize_email_address
from config import ratelimit


@dataclass(frozen=True)
class Refusal:
    seconds: int
    message: str


class LimitReached(Exception):
    """A service refused an action by a rate limit: pages show the message
    with 429, the API answers 429 (with ``Retry-After``)."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.message)
        self.refusal = refusal


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def invitation_refusal(*, actor: Membership, email: str) -> Refusal | None:
    """Count one invitation; a Refusal when a limit is reached. Called by
    services.membership_invite once every other check has passed, so only
    invitations that are sent count (an address already a member, a role the
    actor may not give: refused, not counted)."""
    wait = ratelimit.hit_each(
        [
            ("invitation", f"user:{actor.user_id}"),
            ("invitation_organization", f"organization:{actor.organization_id}"),
            ("invitation_recipient", f"email:{normalize_email_address(email)}"),
        ]
    )
    if wait is None:
        return None
    minutes = _minutes(wait)
    message = ngettext(
        "Too many invitations in a short while (from you, from your organisation or to this address). "
        "Please wait %(minutes)d minute and try again.",
        "Too many invitations in a short while (from you, from your organisation or to this address). "
        "Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
    return Refusal(math.ceil(wait), message)


def organization_create_refusal(*, user: User) -> Refusal | None:
    """Count one new organisation; a Refusal when the limit is reached."""
    wait = ratelimit.hit("organization_create", f"user:{user.pk}")
    if wait is None:
        return None
    minutes = _minutes(wait)
    message = ngettext(
        "You have registered several organisations in a short while. Please wait %(minutes)d minute and try again.",
        "You have registered several organisations in a short while. Please wait %(minutes)d minutes and try again.",
        minutes,
    ) % {"minutes": minutes}
    return Refusal(math.ceil(wait), message)
