"""Train a ranker on the outcomes so far (feedback on proposals, decided
applications), compare it with the active one on the newest labels, and
promote it only if it is better. Prints the figures and the decision."""

from django.core.management.base import BaseCommand

from matching.services.learning import ranker_train


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        outcome = ranker_train()
        metrics = outcome.metrics
        self.stdout.write(
            f"Labels: {metrics.get('labels', 0)} ({metrics.get('positives', 0)} good, {metrics.get('negatives', 0)} bad)"
        )
        if "train" in metrics:
            self.stdout.write(f"Split by time: {metrics['train']} to learn from, {metrics['test']} held out")
        for key, label in (("ndcg_candidate", "candidate"), ("ndcg_active", "active")):
            if metrics.get(key) is not None:
                self.stdout.write(f"NDCG@10 held out, {label}: {metrics[key]:.3f}")
        self.stdout.write(outcome.explanation)
        if outcome.promoted:
            self.stdout.write(
                self.style.SUCCESS(f"Promoted ranker {outcome.model.version}; a rebuild of the matches is queued.")
            )
        elif outcome.model is not None:
            self.stdout.write(f"Kept ranker {outcome.model.version} for the record; the active ranker stays.")
        else:
            self.stdout.write("No model trained; the active ranker stays.")
