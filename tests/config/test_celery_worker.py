"""A real Celery worker process, on Redis, against the PostgreSQL test database."""

import time

import pytest

from accounts import services
from accounts.choices import Role
from accounts.models import MembershipInvitation
from accounts.tasks import membership_invitation_send

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_invitation_enqueued_on_commit_is_sent_by_the_worker(celery_worker, cast):
    invitation = services.membership_invite(actor=cast.alice, email="newcomer@example.com", role=Role.MEMBER)
    # Nothing ran in this process: the row changes only when the worker has run the task.
    assert wait_for(lambda: MembershipInvitation.objects.get(pk=invitation.pk).sent_at is not None), (
        "the worker did not mark the invitation as sent within 30 s"
    )


def test_task_result_comes_back_from_the_worker(celery_worker, cast):
    invitation = MembershipInvitation.objects.create(organization=cast.sme, email="x@example.com", role=Role.MEMBER)
    result = membership_invitation_send.delay(invitation.pk)
    assert result.get(timeout=30) is True
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # Running it again for a revoked invitation sends nothing (idempotent by state).
    MembershipInvitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.sent_at)
    assert membership_invitation_send.delay(invitation.pk).get(timeout=30) is False
