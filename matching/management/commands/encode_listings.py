"""Encode the sentence vectors of every published listing that has none, or
one from another text or encoder (after MATCHING_ENCODER changed, say), with
a progress bar; then drop the vectors of another encoder and of listings that
no longer exist. With --queue, a worker does it in the background."""

import time

from django.core.management.base import BaseCommand

from matching.services.vectors import encoder_get, listing_vectors_prune, listing_vectors_refresh
from matching.tasks import listing_vectors_encode

BAR_WIDTH = 30


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true", help="queue the encoding for a worker and return")

    def handle(self, *args, **options):
        if encoder_get() is None:
            self.stdout.write("MATCHING_ENCODER is none: matching uses words alone, nothing to encode.")
            return
        if options["queue"]:
            listing_vectors_encode.delay()
            self.stdout.write("Encoding queued.")
            return
        started = time.perf_counter()
        total = listing_vectors_refresh(progress=self._progress)
        pruned = listing_vectors_prune()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} listings checked in {time.perf_counter() - started:.1f} s; {pruned} stale vectors removed."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        self.stdout.write(f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} listings", ending="")
        self.stdout.flush()
