"""Proposed matches between needs and capabilities, and the rankers that score them."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Feedback(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    DISMISSED = "dismissed", _("Not relevant")


class MatchQuerySet(models.QuerySet):
    def proposed(self):
        """Matches currently proposed (ranked) between two published listings."""
        return self.filter(rank__isnull=False, need__status="published", capability__status="published")


class Match(models.Model):
    """One capability proposed for one need. ``rank`` is its place in the
    need's list; a match that is no longer proposed but carries feedback keeps
    its row (it is a training label) with ``rank`` empty."""

    need = models.ForeignKey(
        "marketplace.Need", verbose_name=_("need"), on_delete=models.CASCADE, related_name="matches"
    )
    capability = models.ForeignKey(
        "marketplace.Capability", verbose_name=_("capability"), on_delete=models.CASCADE, related_name="matches"
    )
    score = models.FloatField(_("score"))
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    features = models.JSONField(_("features"), default=dict)
    # The features when feedback was first given: the label's features, kept
    # as they were while later re-matching refreshes ``features``.
    label_features = models.JSONField(_("features when feedback was given"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    ranker_version = models.PositiveIntegerField(_("ranker version"), default=0, help_text=_("0 is the prior."))
    computed_at = models.DateTimeField(_("computed"))
    # When the pair was first proposed: re-matching that updates the row
    # refreshes ``computed_at`` but keeps this (the upserts leave it alone), so
    # the weekly digest can tell the new proposals from the ones already shown.
    # A pair that leaves the list (out of the top K, a listing withdrawn) loses
    # its row and starts again when it returns; the digest remembers the pairs
    # it sent (DigestDelivery.pairs). The database default covers the bulk COPY
    # insert, which does not name the column.
    created_at = models.DateTimeField(_("first proposed"), default=timezone.now, db_default=Now())
    sme_feedback = models.CharField(_("SME feedback"), max_length=20, choices=Feedback.choices, blank=True)
    sme_feedback_reason = models.CharField(_("SME's reason"), max_length=300, blank=True)
    sme_feedback_at = models.DateTimeField(_("SME feedback given"), null=True, blank=True)
    sme_feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("SME feedback by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    platform_feedback = models.CharField(_("platform feedback"), max_length=20, choices=Feedback.choices, blank=True)
    platform_feedback_reason = models.CharField(_("platform's reason"), max_length=300, blank=True)
    platform_feedback_at = models.DateTimeField(_("platform feedback given"), null=True, blank=True)
    platform_feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("platform feedback by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["need", "rank"]
        indexes = [
            models.Index(fields=["need", "rank"], name="matching_match_need_rank"),
            models.Index(fields=["capability", "-score"], name="matching_match_cap_score"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["need", "capability"], name="matching_match_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1), name="matching_match_rank_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(sme_feedback__in=["", *Feedback.values]), name="matching_match_sme_feedback_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(platform_feedback__in=["", *Feedback.values]),
                name="matching_match_platform_feedback_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.capability}"

    @property
    def score_percent(self) -> int:
        return round(max(0.0, min(1.0, self.score)) * 100)


def weights_digest(weights: dict) -> str:
    """SHA-256 of the weights in canonical JSON: checked before a model is used."""
    return hashlib.sha256(json.dumps(weights, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class RankerModel(models.Model):
    """A ranker trained on outcomes. Only its weights are stored (JSON, with a
    digest checked on load): loading never executes code."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    weights = models.JSONField(_("weights"))
    digest = models.CharField(_("SHA-256 of the weights"), max_length=64)
    label_counts = models.JSONField(_("labels"), default=dict)
    metrics = models.JSONField(_("metrics"), default=dict)
    note = models.TextField(_("training result"), blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)

    class Meta:
        verbose_name = _("ranker model")
        verbose_name_plural = _("ranker models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="matching_ranker_one_active"
            ),
        ]

    def __str__(self) -> str:
        return _("Ranker %(version)s") % {"version": self.version}

    @property
    def digest_ok(self) -> bool:
        return weights_digest(self.weights) == self.digest


class DigestStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class DigestDelivery(models.Model):
    """One person's weekly digest e-mail. The row is claimed before the e-mail
    is sent and is unique per person and week, so a retried or doubled run
    never sends a second one; ``period_end`` of the last one sent is where the
    next digest starts, and its ``pairs`` are not announced again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    week = models.DateField(_("week"), help_text=_("The Monday of the week, in the site's time zone."))
    status = models.CharField(_("status"), max_length=10, choices=DigestStatus.choices, default=DigestStatus.SENDING)
    period_start = models.DateTimeField(_("new since"))
    period_end = models.DateTimeField(_("new until"))
    item_count = models.PositiveIntegerField(_("matches shown"), default=0)
    # [need id, capability id] of each proposal the e-mail showed.
    pairs = models.JSONField(_("proposals shown"), default=list, blank=True)
    # The run that holds the claim: it alone sends this e-mail, unless it
    # died: a row still "sending" long after its claim may be claimed again.
    claim = models.UUIDField(_("claimed by run"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("digest delivery")
        verbose_name_plural = _("digest deliveries")
        ordering = ["-week", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="matching_digest_one_per_week"),
            models.CheckConstraint(
                condition=models.Q(status__in=DigestStatus.values), name="matching_digest_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.week}"


class ListingVector(models.Model):
    """A listing's sentence vector for the semantic view of matching, stored
    so that each text is encoded once (by the worker that first needs it) and
    reused by every rebuild. ``digest`` identifies the text encoded and
    ``encoder`` the model: a vector whose text or model changed is encoded
    again."""

    class Kind(models.TextChoices):
        CAPABILITY = "capability", _("capability")
        NEED = "need", _("need")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    listing_id = models.PositiveBigIntegerField(_("listing"))
    encoder = models.CharField(_("encoder"), max_length=100)
    digest = models.CharField(_("text digest"), max_length=64)
    vector = models.BinaryField(_("vector"))
    encoded_at = models.DateTimeField(_("encoded at"), auto_now=True)

    class Meta:
        verbose_name = _("listing vector")
        verbose_name_plural = _("listing vectors")
        constraints = [models.UniqueConstraint(fields=["kind", "listing_id"], name="one_vector_per_listing")]

    def __str__(self) -> str:
        return f"{self.kind} {self.listing_id} ({self.encoder})"
