"""Sentence vectors of listings for the semantic view: encoded once per text
and model, stored (``ListingVector``), reused by every rebuild.

Workers call ``vectors_for`` with the texts they are about to match; what is
stored for the same text and model is read back, the rest is encoded and
stored. ``listing_vectors_refresh`` encodes whatever is missing or stale in
the background (``manage.py encode_listings`` shows its progress)."""

import hashlib
import threading
from collections.abc import Callable, Sequence

import numpy as np
from django.conf import settings

from marketplace.models import Capability, Need
from matching.ml.encoder import Encoder, encoder_for
from matching.ml.engine import capability_semantic_text
from matching.models import ListingVector
from matching.services.records import capability_records, need_records

CAPABILITY, NEED = ListingVector.Kind.CAPABILITY, ListingVector.Kind.NEED
# Texts encoded and stored at a time.
BATCH = 512

_encoder: dict[str, Encoder] = {}
_encoder_lock = threading.Lock()


def encoder_get() -> Encoder | None:
    """The semantic view's encoder (settings.MATCHING_ENCODER; "none": the
    lexical view alone), one per worker process: its weights load once."""
    name = settings.MATCHING_ENCODER
    if name == "none":
        return None
    with _encoder_lock:
        if name not in _encoder:
            _encoder[name] = encoder_for(name)
        return _encoder[name]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def vectors_for(kind: str, items: Sequence[tuple[int, str]], encoder: Encoder) -> np.ndarray:
    """The vectors of ``items`` ((listing id, text) pairs), row for row: read
    when stored for the same text and encoder, else encoded and stored."""
    rows = np.zeros((len(items), encoder.dim), dtype=np.float32)
    digests = [_digest(text) for _id, text in items]
    stored = {
        listing_id: (digest, vector)
        for listing_id, digest, vector in ListingVector.objects.filter(
            kind=kind, encoder=encoder.name, listing_id__in=[listing_id for listing_id, _text in items]
        ).values_list("listing_id", "digest", "vector")
    }
    missing = []
    for row, ((listing_id, _text), digest) in enumerate(zip(items, digests, strict=True)):
        found = stored.get(listing_id)
        if found is not None and found[0] == digest:
            rows[row] = np.frombuffer(bytes(found[1]), dtype=np.float32)
        else:
            missing.append(row)
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        encoded = encoder.encode([items[row][1] for row in batch])
        rows[batch] = encoded
        _store(kind, [(items[row][0], digests[row], encoded[i]) for i, row in enumerate(batch)], encoder)
    return rows


def _store(kind: str, rows: list[tuple[int, str, np.ndarray]], encoder: Encoder) -> None:
    """Insert or replace the rows' vectors."""
    objects = [
        ListingVector(
            kind=kind, listing_id=listing_id, encoder=encoder.name, digest=digest, vector=vector.astype("<f4").tobytes()
        )
        for listing_id, digest, vector in rows
    ]
    # One INSERT … ON CONFLICT DO UPDATE: a worker storing the same listing's
    # vector at the same moment only makes the last write win.
    ListingVector.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["kind", "listing_id"],
        update_fields=["encoder", "digest", "vector", "encoded_at"],
    )


def capability_vectors(records, encoder: Encoder) -> np.ndarray:
    return vectors_for(CAPABILITY, [(record.id, capability_semantic_text(record)) for record in records], encoder)


def need_vectors(records, encoder: Encoder) -> np.ndarray:
    return vectors_for(NEED, [(record.id, record.text) for record in records], encoder)


def needs_vectors(matcher, records) -> np.ndarray | None:
    """The needs' vectors for a matcher: None when it has no semantic view."""
    return None if matcher.encoder is None else need_vectors(records, matcher.encoder)


def listing_vectors_refresh(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Encode every published listing whose vector is missing or stale (after
    a change of encoder, say). Returns how many listings were looked at."""
    encoder = encoder_get()
    if encoder is None:
        return 0
    capabilities = capability_records()
    needs = need_records()
    total = len(capabilities) + len(needs)
    done = 0
    for records, encode in ((capabilities, capability_vectors), (needs, need_vectors)):
        for start in range(0, len(records), BATCH):
            encode(records[start : start + BATCH], encoder)
            done += len(records[start : start + BATCH])
            if progress is not None:
                progress(done, total)
    ListingVector.objects.exclude(encoder=encoder.name).delete()
    return total


def listing_vectors_prune() -> int:
    """Delete the vectors of listings that no longer exist; returns how many."""
    deleted = 0
    for kind, model in ((CAPABILITY, Capability), (NEED, Need)):
        deleted += (
            ListingVector.objects.filter(kind=kind)
            .exclude(listing_id__in=model.objects.values_list("pk", flat=True))
            .delete()[0]
        )
    return deleted
