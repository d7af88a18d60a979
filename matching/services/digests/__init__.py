"""The weekly e-mail digest: to each person, per organisation they belong to,
the good proposals that are new since their last digest.

SMEs read the capabilities newly proposed for their published needs; platforms
the published needs their capabilities newly fit. ``compose`` finds who has
news and builds each digest, in a few queries per batch of recipients whatever
its size; ``send`` claims each e-mail (one row per person and week) before
sending it and records its outcome as soon as it is known, so a retried or
doubled run sends nothing twice.
"""

from matching.services.digests.compose import (
    DIGEST_BATCH,
    NOT_TRIED,
    Digest,
    DigestItem,
    DigestSection,
    digest_batches,
    digest_recipient_ids,
    digest_week,
    digests_compose,
)
from matching.services.digests.send import digest_message, digest_subject, digests_send, digests_send_all

__all__ = [
    "DIGEST_BATCH",
    "NOT_TRIED",
    "Digest",
    "DigestItem",
    "DigestSection",
    "digest_batches",
    "digest_message",
    "digest_recipient_ids",
    "digest_subject",
    "digest_week",
    "digests_compose",
    "digests_send",
    "digests_send_all",
]
