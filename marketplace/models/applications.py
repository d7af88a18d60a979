"""Applications of SMEs to capabilities, their message threads, and invitations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.choices import (
    OPEN_APPLICATION_STATUSES,
    THREAD_OPEN_STATUSES,
    ApplicationStatus,
    DeclineReason,
    InvitationStatus,
)


class Application(models.Model):
    sme = models.ForeignKey(
        "accounts.Organization", verbose_name=_("applicant"), on_delete=models.CASCADE, related_name="applications"
    )
    capability = models.ForeignKey(
        "marketplace.Capability", verbose_name=_("capability"), on_delete=models.CASCADE, related_name="applications"
    )
    need = models.ForeignKey(
        "marketplace.Need",
        verbose_name=_("for the need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intended_use = models.TextField(_("intended use"), max_length=5000)
    answer = models.TextField(_("answer to the platform's question"), blank=True, max_length=5000)
    message = models.TextField(_("message to the platform"), blank=True, max_length=5000)
    terms_version = models.PositiveIntegerField(_("terms version accepted"))
    terms_accepted_at = models.DateTimeField(_("terms accepted at"))
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    decline_reason = models.CharField(_("reason"), max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(_("explanation"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["capability", "status"], name="marketplace_app_cap_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ApplicationStatus.values), name="marketplace_application_status_valid"
            ),
            # One open application per SME organisation and capability.
            models.UniqueConstraint(
                fields=["sme", "capability"],
                condition=models.Q(status__in=OPEN_APPLICATION_STATUSES),
                name="marketplace_application_one_open",
            ),
            # A decline always carries a coded reason; "other" also a text.
            models.CheckConstraint(
                condition=~models.Q(status=ApplicationStatus.DECLINED)
                | models.Q(decline_reason__in=DeclineReason.values),
                name="marketplace_application_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(decline_reason=DeclineReason.OTHER) | ~models.Q(decline_note=""),
                name="marketplace_application_other_reason_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sme} → {self.capability}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPLICATION_STATUSES

    @property
    def thread_open(self) -> bool:
        """Whether new messages may be written (choices.THREAD_OPEN_STATUSES)."""
        return self.status in THREAD_OPEN_STATUSES


class Message(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender_organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("sender's organisation"), on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(body=""), name="marketplace_message_not_empty")]

    def __str__(self) -> str:
        return self.body[:50]


class Invitation(models.Model):
    """A platform invites an SME to apply to a capability, for one of its needs."""

    capability = models.ForeignKey(
        "marketplace.Capability", verbose_name=_("capability"), on_delete=models.CASCADE, related_name="invitations"
    )
    need = models.ForeignKey(
        "marketplace.Need", verbose_name=_("need"), on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.OPEN
    )
    application = models.OneToOneField(
        Application,
        verbose_name=_("resulting application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to apply")
        verbose_name_plural = _("invitations to apply")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values), name="marketplace_invitation_status_valid"
            ),
            models.UniqueConstraint(
                fields=["capability", "need"],
                condition=models.Q(status=InvitationStatus.OPEN),
                name="marketplace_invitation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capability} → {self.need}"
