from celery import shared_task

from accounts import lockout, services
from config.celery import EMAIL_TASK_OPTIONS


@shared_task(**EMAIL_TASK_OPTIONS)
def membership_invitation_send(invitation_id: int) -> bool:
    return services.membership_invitation_send_email(invitation_id=invitation_id)


@shared_task(**EMAIL_TASK_OPTIONS)
def sign_up_welcome_send(user_id: int) -> bool:
    return services.sign_up_welcome_send_email(user_id=user_id)


@shared_task(**EMAIL_TASK_OPTIONS)
def sign_up_attempt_send(user_id: int) -> bool:
    return services.sign_up_attempt_send_email(user_id=user_id)


@shared_task
def membership_invitations_purge() -> int:
    return services.membership_invitations_purge()


@shared_task
def sign_in_failures_prune() -> int:
    return lockout.prune()
