"""Benchmark the shipped analysis models: macro-F1 on the Weibo eval files, offensive F1, posts per second.

Run: .venv/bin/python bench/classifier.py [--data-dir ../shared/data] [--runs 5] [--no-snownlp]
Compares against snownlp in the same run when it is installed (it is not a project dependency).
"""

from __future__ import annotations

import os

# One core: keep any BLAS thread pool to a single thread (the scorer itself is single-threaded numpy).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from yuqing.analysis import (  # noqa: E402
    analyze_many,
    datasets,  # noqa: E402
    load_default_classifier,
    load_offensive_classifier,
)
from yuqing.analysis.classifier import OFFENSIVE_MODEL_FILE, SENTIMENT_MODEL_FILE  # noqa: E402
from yuqing.analysis.metrics import f1_for_class, macro_f1  # noqa: E402


def _throughput(fn, texts: list[str], runs: int) -> float:
    """Median posts per second of ``fn(texts)`` over ``runs`` runs."""
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        fn(texts)
        rates.append(len(texts) / (time.perf_counter() - started))
    return statistics.median(rates)


def _snownlp_scores(texts: list[str]) -> np.ndarray | None:
    try:
        from snownlp import SnowNLP
    except ImportError:
        return None
    # SnowNLP.sentiments is P(positive); negativity is its complement.
    return np.array([1.0 - SnowNLP(t).sentiments if t.strip() else 0.5 for t in texts])


# What the models scored before issue 16 and after its first round (docs/classifier.md, same command),
# printed next to today's figures.
BEFORE = {"usual_eval_labeled.txt": 0.803, "virus_eval_labeled.txt": 0.886, "cold_dev_f1": 0.883,
          "plain_insult": 0.42}
FIRST_ROUND = {"usual_eval_labeled.txt": 0.817, "virus_eval_labeled.txt": 0.886, "cold_dev_f1": 0.883}
GOAL = {"usual_eval_labeled.txt": 0.85, "virus_eval_labeled.txt": 0.92}
PLAIN_INSULTS = ["你真是个傻逼", "这个校长就是个脑残", "老师是个废物", "滚蛋吧你"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=datasets.default_data_dir())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-snownlp", action="store_true")
    args = parser.parse_args(argv)
    if args.data_dir is None or not (args.data_dir / "weibo-emotion").is_dir():
        print("skipped: shared data folder not found (pass --data-dir or set YUQING_SHARED_DATA)")
        return 0

    negativity = load_default_classifier()
    offensive = load_offensive_classifier()
    print(
        f"models: {SENTIMENT_MODEL_FILE.name} {SENTIMENT_MODEL_FILE.stat().st_size / 1e6:.2f} MB, "
        f"{OFFENSIVE_MODEL_FILE.name} {OFFENSIVE_MODEL_FILE.stat().st_size / 1e6:.2f} MB"
    )

    snow_available = not args.no_snownlp
    all_texts: list[str] = []
    print("negative vs positive (angry/sad/fear vs happy), threshold 0.5:")
    for rel in datasets.WEIBO_EVAL_FILES:
        corpus = datasets.read_weibo_emotion(args.data_dir / rel)
        all_texts += corpus.texts
        ours = macro_f1(corpus.labels, (negativity.predict_proba(corpus.texts) >= 0.5).astype(int))
        name = Path(rel).name
        line = (f"  {name:28s} n={len(corpus.texts):5d}  yuqing macro-F1 {ours:.4f} (before issue 16: "
                f"{BEFORE[name]:.3f}, first round: {FIRST_ROUND[name]:.3f}, goal {GOAL[name]:.2f})")
        if snow_available:
            snow = _snownlp_scores(corpus.texts)
            if snow is None:
                snow_available = False
                line += "  (snownlp not installed: no comparison)"
            else:
                line += f"  snownlp macro-F1 {macro_f1(corpus.labels, (snow >= 0.5).astype(int)):.4f}"
        print(line)

    dev = datasets.read_cold(args.data_dir / datasets.OFFENSIVE_DEV)
    predicted = (offensive.predict_proba(dev.texts) >= 0.5).astype(int)
    print(
        f"offensive (COLD dev, n={len(dev.texts)}): COLD model F1(offensive) "
        f"{f1_for_class(dev.labels, predicted, 1):.4f}  macro-F1 {macro_f1(dev.labels, predicted):.4f}"
    )
    combined = (np.array([a.offensive for a in analyze_many(dev.texts)]) >= 0.5).astype(int)
    print(
        f"  COLD model + insults lexicon (what analyze() gives): F1(offensive) "
        f"{f1_for_class(dev.labels, combined, 1):.4f}  macro-F1 {macro_f1(dev.labels, combined):.4f}"
        f"  (before issue 16: {BEFORE['cold_dev_f1']:.3f}, first round: {FIRST_ROUND['cold_dev_f1']:.3f})"
    )
    scores = [a.offensive for a in analyze_many(PLAIN_INSULTS)]
    print(f"  plain insults ({' / '.join(PLAIN_INSULTS)}): offensive {min(scores):.2f}–{max(scores):.2f}"
          f"  (before: \"你真是个傻逼\" {BEFORE['plain_insult']:.2f})")

    texts = (all_texts * 4)[:10_000]
    mean_len = sum(map(len, texts)) / len(texts)
    rate = _throughput(negativity.predict_proba, texts, args.runs)
    print(
        f"speed, one core, batch of {len(texts)} Weibo posts (mean {mean_len:.0f} chars), median of {args.runs}:"
    )
    print(f"  negativity classifier      {rate:9,.0f} posts/s")
    rate_all = _throughput(analyze_many, texts, args.runs)
    print(f"  full analyze_many          {rate_all:9,.0f} posts/s  (negativity + offensive + categories)")
    if snow_available:
        sample = texts[:300]
        print(
            f"  snownlp                    {_throughput(_snownlp_scores, sample, 1):9,.0f} posts/s  (300 posts)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
