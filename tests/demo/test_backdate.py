"""The demo's matches dated as if matching had run along its history."""

from datetime import timedelta

from django.utils import timezone

from demo.seed import matches_backdate
from marketplace.models import Capability, Need
from matching.models import Match


def test_the_demo_dates_its_matches_after_both_publications(catalogue, needs):
    """seed_demo backdates the listings after matching ran: matches made by
    the run move to a few minutes after the later publication; older ones stay."""
    start = timezone.now() - timedelta(days=60)
    Need.objects.filter(pk=needs.invoice.pk).update(published_at=start)
    Capability.objects.filter(pk=catalogue.ocr.pk).update(published_at=start + timedelta(days=3))
    old = Match.objects.exclude(need=needs.invoice, capability=catalogue.ocr).first()
    Match.objects.filter(pk=old.pk).update(created_at=start - timedelta(days=1))
    seeding = Match.objects.get(pk=old.pk).created_at + timedelta(seconds=1)

    moved = matches_backdate(since=seeding)

    assert moved == Match.objects.count() - 1
    assert Match.objects.get(need=needs.invoice, capability=catalogue.ocr).created_at == start + timedelta(
        days=3, minutes=5
    )
    assert Match.objects.get(pk=old.pk).created_at == start - timedelta(days=1)
