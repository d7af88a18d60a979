"""Ranking quality of the production matcher on external relevance files.

Runs the same retrieval, features and scoring as the web application (with
the transparent prior, or the weights of a ranker exported as JSON), ranks
the whole catalogue for every need and prints Recall@5, Recall@10, NDCG@k,
MRR and the time taken. Reads only the two files: no database is opened or
written."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matching.ml.encoder import encoder_for
from matching.ml.evaluation import EvaluationError, evaluate
from matching.ml.ranker import PRIOR, LinearScorer


class Command(BaseCommand):
    help = __doc__
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--capabilities", required=True, type=Path, help="JSONL: id, title, description, kind, tags"
        )
        parser.add_argument("--needs", required=True, type=Path, help="JSONL: id, text, relevant")
        parser.add_argument("--k", type=int, default=10, help="cut-off of NDCG (default 10)")
        parser.add_argument("--json", type=Path, dest="json_out", help="also write the figures to this file")
        parser.add_argument("--weights", type=Path, help="a ranker's weights as JSON (default: the prior)")
        parser.add_argument(
            "--encoder",
            default="use",
            choices=["use", "hashing", "none"],
            help="the semantic view: use (production), hashing (no meaning, for tests), none (lexical only)",
        )
        parser.add_argument(
            "--floor",
            type=float,
            default=0.0,
            help="propose nothing below this fit (default 0: rank the whole catalogue; the site uses "
            "matching.ml.calibration.RELEVANCE_FLOOR)",
        )

    def handle(self, *args, **options):
        if options["k"] < 1:
            raise CommandError("--k must be at least 1")
        scorer = PRIOR
        if options["weights"]:
            try:
                scorer = LinearScorer.from_dict(json.loads(options["weights"].read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CommandError(f"cannot use the weights in {options['weights']}: {error}") from error
        try:
            encoder = None if options["encoder"] == "none" else encoder_for(options["encoder"])
            result = evaluate(
                options["capabilities"],
                options["needs"],
                k=options["k"],
                scorer=scorer,
                encoder=encoder,
                floor=options["floor"],
            )
        except EvaluationError as error:
            raise CommandError(str(error)) from error
        k = options["k"]
        self.stdout.write(
            f"{result['needs']} needs against {result['capabilities']} capabilities "
            f"({result['queries']} with a relevant capability)\n"
            f"Recall@5   {result['recall@5']:.3f}\n"
            f"Recall@10  {result['recall@10']:.3f}\n"
            f"NDCG@{k:<6} {result[f'ndcg@{k}']:.3f}\n"
            f"MRR        {result['mrr']:.3f}\n"
            f"Time       {result['seconds']:.1f} s"
        )
        if options["json_out"]:
            try:
                options["json_out"].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot write {options['json_out']}: {error.strerror}") from error
