"""What web processes do with matches: record feedback, queue matching work
after a commit, switch rankers. Nothing here loads the numerical stack."""

import threading
from contextlib import contextmanager
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from config.celery import task_send
from marketplace.choices import ListingStatus
from marketplace.models import Capability, Need
from matching import tasks
from matching.models import Feedback, Match, RankerModel
from matching.selectors import SME

REASON_MAX = 300


_deferred = threading.local()


@contextmanager
def matching_deferred():
    """Within this block listing changes queue no matching work; at its end
    one full rebuild is queued instead (for bulk loads such as the demo data)."""
    _deferred.active = True
    try:
        yield
    finally:
        _deferred.active = False
    matches_rebuild_queue()


def listing_matches_refresh(listing: Capability | Need) -> None:
    """Queue, for after the commit, the re-matching of a listing that was
    published or edited, or the withdrawal of its matches if it no longer is."""
    if getattr(_deferred, "active", False):
        return
    is_need = isinstance(listing, Need)
    pk = listing.pk
    if listing.status == ListingStatus.PUBLISHED:
        task = tasks.match_need if is_need else tasks.match_capability
        transaction.on_commit(lambda: task_send(task, pk), robust=True)
    else:
        kwargs = {"need_id": pk} if is_need else {"capability_id": pk}
        transaction.on_commit(lambda: task_send(tasks.matches_withdraw, **kwargs), robust=True)


def organization_matches_refresh(*, organization_ids: list[int]) -> None:
    """Queue, for after the commit, the re-matching of these organisations'
    published needs: their size or verification changed, and with it which
    capabilities they may be proposed."""
    if getattr(_deferred, "active", False):
        return
    for organization_id in organization_ids:
        transaction.on_commit(partial(task_send, tasks.match_organization_needs, organization_id), robust=True)


def matches_rebuild_queue() -> None:
    """Queue a full rebuild for after the commit."""
    transaction.on_commit(lambda: task_send(tasks.matches_rebuild), robust=True)


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


def ranker_loadable(model: RankerModel) -> bool:
    """Whether the workers can use the model's weights (admins activate rarely:
    the numerical stack is loaded here, not on ordinary requests)."""
    from matching.ml.ranker import LinearScorer

    try:
        LinearScorer.from_dict(model.weights)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    return True


def ranker_activate(*, model: RankerModel | None) -> None:
    """Make ``model`` the active ranker (None: back to the prior) and queue a
    rebuild so that every proposal is scored by it."""
    with transaction.atomic():
        # Every ranker row locked first: two activations at once queue up
        # instead of leaving two active.
        list(RankerModel.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        RankerModel.objects.filter(is_active=True).update(is_active=False)
        if model is not None:
            RankerModel.objects.filter(pk=model.pk).update(is_active=True, activated_at=timezone.now())
        matches_rebuild_queue()
