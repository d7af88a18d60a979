from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.choices import NotificationKind


class Notification(models.Model):
    """Something a person should know about, shown in the app and e-mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    # The organisation whose business it is: an API token, which acts for one
    # organisation, sees only that organisation's notifications.
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True, max_length=5000)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="marketplace_notif_unread")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="marketplace_notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title
