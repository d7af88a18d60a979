"""Send the weekly digest e-mails due now, in this process (Celery beat does
it every Monday). Nobody gets two in one week: run it again and it sends only
what is left, retrying the e-mails that failed and those a killed run left
unsent for over an hour. With --dry-run, print who would get what and send
nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from matching.models import DigestStatus
from matching.services import digests

OUTCOMES = {DigestStatus.SENT: "sent", DigestStatus.FAILED: "FAILED", "": "skipped: already sent this week"}


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print who would get what; send nothing")
        parser.add_argument("--batch-size", type=int, default=digests.DIGEST_BATCH, help="people per batch")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        dry_run = options["dry_run"]
        sent = digests.digests_send_all(dry_run=dry_run, chunk_size=options["batch_size"])
        for digest in sent:
            self._describe(digest, dry_run=dry_run)
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Dry run: {len(sent)} digests would be sent; nothing was sent."))
            return
        counts = {outcome: sum(d.status == outcome for d in sent) for outcome in OUTCOMES}
        summary = (
            f"{counts[DigestStatus.SENT]} digests sent, {counts[DigestStatus.FAILED]} failed, "
            f"{counts['']} already sent this week."
        )
        style = self.style.ERROR if counts[DigestStatus.FAILED] else self.style.SUCCESS
        self.stdout.write(style(summary))

    def _describe(self, digest, *, dry_run: bool) -> None:
        user = digest.user
        outcome = "" if dry_run else f" [{OUTCOMES[digest.status]}]"
        self.stdout.write(
            f"{user.email} ({user.preferred_language}): {digest.item_count} shown of {digest.new_count} new "
            f"since {timezone.localtime(digest.since):%Y-%m-%d %H:%M}{outcome}"
        )
        for section in digest.sections:
            self.stdout.write(f"  {section.organization.legal_name}")
            for group in section.groups:
                self.stdout.write(f"    {group.listing.title}")
                for item in group.items:
                    self.stdout.write(f"      - {item.title} ({item.score}%)")
