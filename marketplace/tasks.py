from smtplib import SMTPException

from celery import shared_task

from marketplace.services import applications, notifications


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def notification_email_send(notification_id: int) -> bool:
    return notifications.notification_email_send(notification_id=notification_id)


@shared_task
def applications_expire_overdue() -> int:
    return applications.applications_expire_overdue()
