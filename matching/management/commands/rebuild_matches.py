"""Re-match every published need against the published catalogue, in chunks,
with a progress bar; then prune matches of withdrawn listings. With --queue,
the chunks go to the Celery workers instead (they share them)."""

import time

from django.core.management.base import BaseCommand, CommandError

from matching.services import proposals, rematch
from matching.tasks import REBUILD_CHUNK, matches_rebuild

BAR_WIDTH = 30


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=REBUILD_CHUNK, help="needs per chunk")
        parser.add_argument("--queue", action="store_true", help="queue the rebuild for the workers and return")

    def handle(self, *args, **options):
        chunk_size = options["chunk_size"]
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1")
        if options["queue"]:
            matches_rebuild.delay(chunk_size)
            self.stdout.write("Rebuild queued.")
            return
        started = time.perf_counter()
        chunks = rematch.rebuild_plan(chunk_size)
        total = sum(len(chunk) for chunk in chunks)
        done = stored = 0
        self._progress(done, total)
        for chunk in chunks:
            stored += rematch.match_needs(chunk)
            done += len(chunk)
            self._progress(done, total)
        pruned = proposals.matches_prune()
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{stored} matches for {total} needs in {time.perf_counter() - started:.1f} s; "
                f"{pruned} stale matches removed."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} needs"
        self.stdout.write(line, ending="")
        self.stdout.flush()
