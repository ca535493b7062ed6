"""Benchmark of the text-check engine against bare Aho-Corasick matching (issue 3).

Run: .venv/bin/python bench/textcheck.py [--runs 5] [--mb 10]
Builds a >= 10 MB corpus of real Chinese posts from ../shared/data and a 10,000-term lexicon (the shipped
terms plus words sampled from jieba's dictionary), then prints medians of several runs.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import ahocorasick
import ahocorasick_rs
import jieba

from yuqing.textcheck import TextChecker, load_default_lexicons, normalize_text, parse_lexicon

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("YUQING_SHARED_DATA", REPO.parent / "shared" / "data"))
TERMS = 10_000
BATCH = 1_000


def load_posts() -> list[str]:
    """Short real texts: product and food-delivery reviews, Weibo posts, social-media comments."""
    posts: list[str] = []
    for name, column in (("sentiment/online_shopping_10_cats.csv", "review"), ("sentiment/waimai_10k.csv", "review"),
                         ("offensive/train.csv", "TEXT"), ("offensive/dev.csv", "TEXT")):
        with (SHARED_DATA / name).open(encoding="utf-8-sig", newline="") as fh:
            posts.extend(row[column] for row in csv.DictReader(fh) if row.get(column))
    for name in ("virus_train.txt", "usual_eval_labeled.txt", "virus_eval_labeled.txt"):
        posts.extend(item["content"] for item in json.loads((SHARED_DATA / "weibo-emotion" / name).read_text("utf-8")))
    return [p for p in posts if p.strip()]


def build_corpus(min_mb: float) -> list[str]:
    posts = load_posts()
    corpus, size = [], 0
    while size < min_mb * 1e6:  # repeat the real texts if they are not enough
        for post in posts:
            corpus.append(post)
            size += len(post.encode("utf-8"))
            if size >= min_mb * 1e6:
                break
    return corpus


def build_terms(count: int) -> tuple[list[str], str]:
    """Shipped deny terms plus plausible multi-character words from jieba's dictionary (fixed seed)."""
    shipped = [e.term for lx in load_default_lexicons() for e in lx.entries if e.kind == "deny"]
    seen = {normalize_text(t) for t in shipped}
    words = []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as fh:
        for line in fh:
            word = line.split(" ", 1)[0]
            if 2 <= len(word) <= 6 and normalize_text(word) == word:
                words.append(word)
    rng = random.Random(20240601)
    rng.shuffle(words)
    extra = []
    for word in words:
        if len(shipped) + len(extra) >= count:
            break
        if word not in seen:
            seen.add(word)
            extra.append(word)
    lexicon_text = "@category: organisation\n@severity: warn\n" + "\n".join(extra) + "\n"
    return shipped + extra, lexicon_text


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=10.0, help="minimum corpus size in MB (default 10)")
    args = parser.parse_args(argv)
    if not SHARED_DATA.is_dir():
        print(f"skipped: shared data folder {SHARED_DATA} not found (set YUQING_SHARED_DATA)", file=sys.stderr)
        return 0

    posts = build_corpus(args.mb)
    megabytes = sum(len(p.encode("utf-8")) for p in posts) / 1e6
    terms, lexicon_text = build_terms(TERMS)
    print(f"corpus: {megabytes:.1f} MB, {len(posts):,} posts; lexicon: {len(terms):,} terms; runs: {args.runs} (medians)")

    normalize_text("warm up the normalisation tables")
    gc.collect()
    rss_before = rss_bytes()
    tracemalloc.start()
    build_start = time.perf_counter()
    checker = TextChecker(extra_lexicons=[parse_lexicon(lexicon_text, "bench")])
    build_seconds = time.perf_counter() - build_start
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    rss_delta = rss_bytes() - rss_before
    print(f"engine: {len(checker.matcher):,} deny terms, built in {build_seconds:.2f} s, "
          f"memory {traced / 1e6:.1f} MB (tracemalloc, Python objects) / {rss_delta / 1e6:.1f} MB (RSS delta)")

    counts = {}

    def full_check_bulk() -> None:
        counts["bulk"] = sum(len(f) for i in range(0, len(posts), BATCH)
                             for f in checker.check_many(posts[i:i + BATCH]))

    def full_check_each() -> None:
        counts["each"] = sum(len(checker.check(p)) for p in posts)

    py_ac = ahocorasick.Automaton()
    for i, term in enumerate(terms):
        py_ac.add_word(term, i)
    py_ac.make_automaton()
    rs_ac = ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
    joined = [("\n".join(posts[i:i + BATCH])) for i in range(0, len(posts), BATCH)]

    def bare_pyahocorasick() -> None:
        for chunk in joined:
            list(py_ac.iter_long(chunk))

    def bare_ahocorasick_rs() -> None:
        for chunk in joined:
            rs_ac.find_matches_as_indexes(chunk)

    def bare_pyahocorasick_each() -> None:
        for p in posts:
            list(py_ac.iter_long(p))

    def bare_ahocorasick_rs_each() -> None:
        for p in posts:
            rs_ac.find_matches_as_indexes(p)

    cases = (
        ("full check, check_many", full_check_bulk),
        ("bare pyahocorasick", bare_pyahocorasick),
        ("bare ahocorasick-rs", bare_ahocorasick_rs),
        ("full check, check() per post", full_check_each),
        ("bare pyahocorasick per post", bare_pyahocorasick_each),
        ("bare ahocorasick-rs per post", bare_ahocorasick_rs_each),
    )
    results = {}
    print(f"-- batches of {BATCH:,} posts (check_many; bare matchers on the same batches joined by line breaks)")
    for n, (name, fn) in enumerate(cases):
        if n == 3:
            print("-- one call per post")
        seconds = median_seconds(fn, args.runs)
        results[name] = seconds
        print(f"{name:32s} {megabytes / seconds:8.1f} MB/s {len(posts) / seconds:12,.0f} posts/s  ({seconds:.3f} s)")
    t = list(results.values())
    print(f"findings: {counts['bulk']:,} (check_many), {counts['each']:,} (check)")
    print(f"ratio full check / bare pyahocorasick: {t[1] / t[0]:.2f}x bulk, {t[4] / t[3]:.2f}x per post "
          "(>1: the full check is faster)")
    print(f"ratio bare ahocorasick-rs / full check: {t[0] / t[2]:.2f}x bulk, {t[3] / t[5]:.2f}x per post "
          "(goal <= 5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
