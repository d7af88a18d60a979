from smtplib import SMTPException

from celery import shared_task

from accounts import services


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
)
def membership_invitation_send(invitation_id: int) -> bool:
    return services.membership_invitation_send_email(invitation_id=invitation_id)


@shared_task
def membership_invitations_purge() -> int:
    return services.membership_invitations_purge()
