"""`yuqing train-classifier`: retrain an organisation's negativity model from shipped data plus judgements."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yuqing.detection.models import Mention, OrgClassifier, Sentiment
from yuqing.orgs.commands import organization_by_slug

REPO = Path(__file__).resolve().parents[4]


def default_data_dir() -> Path:
    return Path(os.environ.get("YUQING_SHARED_DATA") or REPO.parent / "shared" / "data")


class Command(BaseCommand):
    help = ("Retrain the negativity classifier from the shipped training data plus an organisation's manual "
            "judgements; the old model is kept if the new one scores worse on a held-out part. "
            "Example: yuqing train-classifier --org no1-middle --data-dir ../shared/data")

    def add_arguments(self, parser):
        parser.add_argument("--org", help="organisation slug (its judgements and those below it)")
        parser.add_argument("--data-dir", help="training data folder (default: env YUQING_SHARED_DATA or "
                                               "../shared/data next to the repository)")
        parser.add_argument("--max-iter", type=int, default=None, help="optimiser iterations (default: as shipped)")

    def handle(self, *args, **opts):
        from yuqing.analysis import load_classifier, load_default_classifier
        from yuqing.analysis.train import retrain_with_judgements

        data_dir = Path(opts["data_dir"]) if opts.get("data_dir") else default_data_dir()
        if not data_dir.is_dir():
            raise CommandError(f"training data not found at {data_dir}; pass --data-dir or set YUQING_SHARED_DATA",
                               returncode=2)
        org = organization_by_slug(opts["org"]) if opts.get("org") else None
        mentions = Mention.objects.exclude(judged_sentiment="").exclude(judged_sentiment=Sentiment.NEUTRAL)
        if org is not None:
            mentions = mentions.filter(organization__path__startswith=org.path)
        texts, labels = [], []
        for title, text, judged in mentions.values_list("item__title", "item__text", "judged_sentiment"):
            texts.append(f"{title}\n{text}" if title else text)
            labels.append(1 if judged == Sentiment.NEGATIVE else 0)
        existing = OrgClassifier.objects.filter(organization=org).first() if org else None
        old = load_classifier(existing.path) if existing and Path(existing.path).exists() else load_default_classifier()
        self.stdout.write(f"training on {data_dir} plus {len(texts)} judgements …")
        kwargs = {"max_iter": opts["max_iter"]} if opts.get("max_iter") else {}
        try:
            result = retrain_with_judgements(data_dir, texts, labels, old_model=old, **kwargs)
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"held-out macro-F1: new model {result.new_score:.4f}, old model {result.old_score:.4f} "
                          f"({result.holdout_size} held-out texts)")
        if not result.accepted:
            self.stdout.write("the new model scores worse; the old model is kept")
            return
        slug = org.slug if org else "all"
        path = Path(settings.DATA_DIR) / "models" / f"{slug}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        result.model.save(path)
        if org is not None:
            OrgClassifier.objects.update_or_create(organization=org, defaults={
                "path": str(path), "trained_at": timezone.now(), "judgements": len(texts),
                "score": result.new_score, "baseline_score": result.old_score})
        self.stdout.write(f"the new model is kept: {path}")
