"""Rankers: which one is active, whether a stored one can be used, switching.
The numerical stack is imported inside the functions that need it: the admin
imports this module on ordinary requests."""

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from matching.models import RankerModel
from matching.services.hooks import matches_rebuild_queue

if TYPE_CHECKING:
    from matching.ml.ranker import LinearScorer

logger = logging.getLogger(__name__)


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


def scorer_active() -> tuple["LinearScorer", int]:
    """The active ranker and its version; the prior (version 0) when none is
    active or its stored weights fail their digest."""
    from matching.ml.ranker import PRIOR, LinearScorer

    model = RankerModel.objects.filter(is_active=True).first()
    if model is None or not model.digest_ok:
        return PRIOR, 0
    try:
        return LinearScorer.from_dict(model.weights), model.version
    except (ValueError, KeyError, TypeError, AttributeError):
        # Intact but unusable (trained on other features, say): matching goes on with the prior.
        logger.warning("Ranker %s cannot be loaded; the prior scores matches instead.", model.version)
        return PRIOR, 0
