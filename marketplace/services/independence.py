"""Applications and invitations only between independent organisations.

One person who belongs to a platform and to an SME could apply from one to
the other and accept, or invite themselves: every such application would
count as outside demand in the acceptance rates, the capabilities' track
record (a matching feature) and the ecosystem figures. So an SME and a
platform that share a member can neither apply to nor invite each other,
and an application between them (a member joined both after it was sent)
cannot be accepted. The rule is here once; the services of applying,
inviting and accepting call it.
"""

from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.selectors import organizations_share_member
from marketplace.errors import TransitionNotAllowed


def shared_member_refusal(*, sme: Organization, platform: Organization) -> str | None:
    """The message that refuses a dealing between ``sme`` and ``platform``,
    or None when they are independent (no member in common). Pages call it
    to say so before offering a form."""
    if not organizations_share_member(first_id=sme.pk, second_id=platform.pk):
        return None
    return _(
        "%(sme)s and %(platform)s have a member in common, so they cannot apply to or invite each other: "
        "applications and invitations are only between independent organisations."
    ) % {"sme": sme.legal_name, "platform": platform.legal_name}


def independence_require(*, sme: Organization, platform: Organization) -> None:
    """TransitionNotAllowed with that message when the two share a member:
    pages show it, the API answers 409 (who belongs where can change; the
    request itself is well formed)."""
    refusal = shared_member_refusal(sme=sme, platform=platform)
    if refusal is not None:
        raise TransitionNotAllowed(refusal)
