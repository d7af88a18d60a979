"""In-app notifications and their e-mails.

A notification is created per person, in that person's language, inside the
transaction of the event; its e-mail is sent by a Celery task after commit.
"""

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Organization, User
from config.celery import task_send
from marketplace.models import Notification


def notify_users(
    *,
    users,
    kind: str,
    title,
    body="",
    url: str = "",
    params: dict | None = None,
    organization: Organization | None = None,
) -> list[Notification]:
    """Notify each user, as members of ``organization``; ``title`` and ``body``
    are lazy translatable strings formatted with ``params`` in each recipient's
    preferred language."""
    params = params or {}
    notifications = []
    for user in users:
        if not user.is_active:
            continue
        with translation.override(user.preferred_language):
            notifications.append(
                Notification(
                    recipient=user,
                    organization=organization,
                    kind=kind,
                    title=" ".join((str(title) % params).split())[:300],
                    body=(str(body) % params) if body else "",
                    url=url,
                )
            )
    created = Notification.objects.bulk_create(notifications)
    from marketplace.tasks import notification_email_send

    for notification in created:
        transaction.on_commit(partial(task_send, notification_email_send, notification.pk), robust=True)
    return created


def notify_organization(*, organization: Organization, exclude=None, **kwargs) -> list[Notification]:
    """Notify every member of ``organization`` (except ``exclude``, the person who acted)."""
    users = User.objects.filter(memberships__organization=organization, is_active=True)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return notify_users(users=list(users), organization=organization, **kwargs)


def notification_email_send(*, notification_id: int) -> bool:
    """Send a notification's e-mail once; False when already sent or gone."""
    # Claim the e-mail first (a conditional UPDATE): a task redelivered after a
    # worker crash, or run twice, finds it claimed and sends nothing.
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    link = settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""
    context = {"notification": notification, "link": link}
    with translation.override(notification.recipient.preferred_language):
        body = render_to_string("emails/notification.txt", context)
    subject = " ".join(f"[Tandem] {notification.title}".split())
    try:
        send_mail(subject, body, None, [notification.recipient.email])
    except Exception:
        # Not sent: release the claim so the retry can send it.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True


def notifications_mark_read(
    *, user: User, notification_ids: list[int] | None = None, organization: Organization | None = None
) -> int:
    """Mark the user's notifications read (all when ``notification_ids`` is
    None), only those of ``organization`` when it is given (API tokens)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if organization is not None:
        unread = unread.filter(organization=organization)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
