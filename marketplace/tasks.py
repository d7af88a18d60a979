from celery import shared_task

from config.celery import EMAIL_TASK_OPTIONS
from marketplace.services import application_transitions, notifications


@shared_task(**EMAIL_TASK_OPTIONS)
def notification_email_send(notification_id: int) -> bool:
    return notifications.notification_email_send(notification_id=notification_id)


@shared_task
def applications_expire_overdue() -> int:
    return application_transitions.applications_expire_overdue()
