"""Feedback on proposals: an SME's or a platform's opinion, and a platform's
invitation counted as interest. Feedback becomes a training label."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import SME
from accounts.models import Membership
from matching.models import Feedback, Match

REASON_MAX = 300


@transaction.atomic
def match_feedback(*, membership: Membership, match: Match, side: str, value: str, reason: str = "") -> Match:
    """Record an SME's or a platform's opinion of a proposal (``value`` empty
    takes it back). The caller fetched ``match`` with the permission check for
    ``side``. Feedback becomes a training label; a dismissed match is no longer
    shown to that side."""
    if value not in ("", *Feedback.values):
        raise ValidationError({"value": _("Choose Interested or Not relevant.")})
    reason = reason.strip() if value == Feedback.DISMISSED else ""
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX}})
    locked = Match.objects.select_for_update().filter(pk=match.pk, rank__isnull=False).first()
    if locked is None:
        raise ValidationError(_("This suggestion has just changed. Reload the page to see the current ones."))
    prefix = "sme" if side == SME else "platform"
    setattr(locked, f"{prefix}_feedback", value)
    setattr(locked, f"{prefix}_feedback_reason", reason)
    setattr(locked, f"{prefix}_feedback_at", timezone.now() if value else None)
    setattr(locked, f"{prefix}_feedback_by", membership.user if value else None)
    if value and not locked.label_features:
        locked.label_features = locked.features
    locked.save(
        update_fields=[
            f"{prefix}_feedback",
            f"{prefix}_feedback_reason",
            f"{prefix}_feedback_at",
            f"{prefix}_feedback_by",
            "label_features",
        ]
    )
    return locked


def match_invited(*, need_id: int, capability_id: int, membership: Membership) -> None:
    """A platform invited a need to one of its capabilities: that is interest
    in the pair, recorded on the proposal if there is one."""
    pair = Match.objects.filter(need_id=need_id, capability_id=capability_id, platform_feedback="")
    pair.filter(label_features={}).update(label_features=F("features"))
    pair.update(
        platform_feedback=Feedback.INTERESTED, platform_feedback_at=timezone.now(), platform_feedback_by=membership.user
    )
