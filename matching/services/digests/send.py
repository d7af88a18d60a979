"""Sending the digests: each e-mail claimed (one row per person and week),
sent in the recipient's language, and its outcome recorded as soon as known."""

import logging
import uuid
from datetime import date, datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.choices import PLATFORM, SME
from accounts.digest_tokens import digest_unsubscribe_url
from matching.models import DigestDelivery, DigestStatus
from matching.services.digests.compose import (
    DIGEST_BATCH,
    NOT_TRIED,
    Digest,
    digest_batches,
    digest_week,
    digests_compose,
    reclaimable,
)

logger = logging.getLogger(__name__)


def digest_subject(digest: Digest) -> str:
    """In the active language."""
    sides = {section.side for section in digest.sections}
    count = digest.new_count
    if sides == {SME}:
        text = ngettext(
            "Tandem weekly: %(count)s new match for your needs",
            "Tandem weekly: %(count)s new matches for your needs",
            count,
        )
    elif sides == {PLATFORM}:
        text = ngettext(
            "Tandem weekly: %(count)s new need fits your capabilities",
            "Tandem weekly: %(count)s new needs fit your capabilities",
            count,
        )
    else:
        text = ngettext("Tandem weekly: %(count)s new match", "Tandem weekly: %(count)s new matches", count)
    return text % {"count": count}


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    """The e-mail, plain text with an HTML alternative, in the recipient's
    language, with the one-click unsubscribe headers of RFC 8058."""
    unsubscribe_url = digest_unsubscribe_url(digest.user)
    context = {
        "digest": digest,
        "unsubscribe_url": unsubscribe_url,
        "profile_url": settings.SITE_URL.rstrip("/") + reverse("accounts:profile"),
    }
    with translation.override(digest.user.preferred_language):
        subject = digest_subject(digest)
        text = render_to_string("emails/digest.txt", context)
        html = render_to_string("emails/digest.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[digest.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# Sending -------------------------------------------------------------------------


def _contents(digest: Digest) -> dict:
    """What a delivery row records of its e-mail: the period, how many
    proposals it showed and which (the pairs count once sent)."""
    return {
        "period_start": digest.since,
        "period_end": digest.until,
        "item_count": digest.item_count,
        "pairs": sorted({item.pair for item in digest.items}),
    }


def _claim(digests: list[Digest], week: date) -> tuple[uuid.UUID, dict[int, int]]:
    """Claim ``week``'s e-mail of each person: this run's id and {user id:
    delivery id} of those it may send. A row sent, or being sent by a live
    run, is left alone; a failed or abandoned one is taken again."""
    run, claimed_at = uuid.uuid4(), timezone.now()
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(user=digest.user, week=week, claim=run, claimed_at=claimed_at, **_contents(digest))
            for digest in digests
        ],
        ignore_conflicts=True,
    )
    # Conditional: of two runs taking the same row, one wins it (the other's
    # UPDATE, re-checked after the winner's, no longer matches).
    DigestDelivery.objects.filter(user_id__in=[digest.user.pk for digest in digests], week=week).filter(
        reclaimable()
    ).update(status=DigestStatus.SENDING, claim=run, claimed_at=claimed_at, error="")
    return run, dict(DigestDelivery.objects.filter(claim=run).values_list("user_id", "pk"))


def _send(digest: Digest, *, delivery_id: int, run: uuid.UUID, connection) -> None:
    """Send one digest and record the outcome at once: a run killed after
    this never sends it again, nor forgets that it failed. The soft time
    limit is not a failure of this e-mail: it goes up to end the batch."""
    try:
        connection.open()  # once: the batch shares one mail server session
        connection.send_messages([digest_message(digest)])
    except SoftTimeLimitExceeded:
        raise
    except Exception as error:
        logger.exception("Weekly digest to user %s not sent", digest.user.pk)
        status, sent_at, error_text = DigestStatus.FAILED, None, f"{type(error).__name__}: {error}"[:2000]
        # The session may be broken: the next message opens a new one.
        connection.close()
    else:
        status, sent_at, error_text = DigestStatus.SENT, timezone.now(), ""
    DigestDelivery.objects.filter(pk=delivery_id, claim=run).update(
        status=status, sent_at=sent_at, error=error_text, **_contents(digest)
    )
    digest.status = status


def digests_send(
    *, user_ids: list[int], now: datetime | None = None, week: date | None = None, dry_run: bool = False
) -> list[Digest]:
    """Compose and send the digests of these people (a batch: a few queries
    whatever its size, and one per e-mail to record it). ``now`` ends the
    period and ``week`` is the week the e-mails count for (default: ``now``'s):
    the batches of one run share both.

    Side effects: e-mails; one DigestDelivery row per person, claimed before
    the e-mail and updated as soon as it is sent or fails (with the error, and
    the pairs it showed). A failure for one person is logged and recorded, and
    the others are still sent. Stopped early (the task's soft time limit, the
    mail configuration broken), the e-mails not yet sent are recorded as
    failed and the exception goes on: the next run retries them. Killed
    outright, the rows left "sending" are taken again by a run an hour or more
    later. ``dry_run`` composes only."""
    now = now or timezone.now()
    week = week or digest_week(now)
    digests = digests_compose(user_ids=user_ids, now=now)
    if dry_run or not digests:
        return digests
    run, claimed = _claim(digests, week)
    connection = None
    try:
        connection = mailers.default
        for digest in digests:
            if digest.user.pk in claimed:
                _send(digest, delivery_id=claimed[digest.user.pk], run=run, connection=connection)
    finally:
        if any(digest.user.pk in claimed and not digest.status for digest in digests):
            DigestDelivery.objects.filter(claim=run, status=DigestStatus.SENDING).update(
                status=DigestStatus.FAILED, error=NOT_TRIED
            )
        if connection is not None:
            connection.close()
    return digests


def digests_send_all(
    *, now: datetime | None = None, dry_run: bool = False, chunk_size: int = DIGEST_BATCH
) -> list[Digest]:
    """Every digest due now, batch after batch, in this process (the command;
    the Celery task shares the batches among workers instead)."""
    now = now or timezone.now()
    week = digest_week(now)
    digests = []
    for batch in digest_batches(now=now, week=week, size=chunk_size):
        digests += digests_send(user_ids=batch, now=now, week=week, dry_run=dry_run)
    return digests
