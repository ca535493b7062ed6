"""Benchmark of the text-check engine against bare Aho-Corasick matching (issue 3).

Run: .venv/bin/python bench/textcheck.py [--runs 5] [--mb 10] [--file-mb 20] [--core N]
Builds a >= 10 MB corpus of real Chinese posts from ../shared/data and a 10,000-term lexicon (the shipped
terms plus words sampled from jieba's dictionary), then prints medians of several runs, both wall-clock and
CPU time of this process (the CPU figure is the "one core" speed when other work shares the machine; the
load average is printed so that readers can judge the wall-clock figures). Then it times `yuqing check-text` as a
whole process (start-up, reading, checking, JSON output) on a 20 MB file, next to checking the same text in this
process and to bare pyahocorasick matching it (issue 16).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import ahocorasick
import ahocorasick_rs
import jieba

from yuqing.textcheck import TextChecker, load_default_lexicons, normalize_text, parse_lexicon

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("YUQING_SHARED_DATA", REPO.parent / "shared" / "data"))
if not SHARED_DATA.is_dir() and "YUQING_SHARED_DATA" not in os.environ:
    SHARED_DATA = Path("/work/shared/data")  # a worktree under /work/wt sits one level deeper
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


def median_seconds(fn, runs: int, *args) -> tuple[float, float]:
    """Median wall-clock and median CPU seconds of ``runs`` calls of ``fn(*args)``."""
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        fn(*args)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls), statistics.median(cpus)


def median_child_seconds(argv: list[str], runs: int, stdout_path: str) -> tuple[float, float]:
    """Median wall-clock and CPU (user + system) seconds of running ``argv`` as a child process."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        with open(stdout_path, "wb") as out:
            code = subprocess.run(argv, stdout=out, check=False).returncode
        walls.append(time.perf_counter() - wall)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if code not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed with exit status {code}")
    return statistics.median(walls), statistics.median(cpus)


def whole_process(args: argparse.Namespace, lexicon_text: str, terms: list[str]) -> None:
    """`yuqing check-text FILE --format json` on a >= 20 MB file, against the same check in this process and
    bare pyahocorasick on the same text; with the 10,000-term lexicon and with the shipped one."""
    posts = build_corpus(args.file_mb)
    text = "\n".join(posts)
    megabytes = len(text.encode("utf-8")) / 1e6
    command = Path(sys.executable).with_name("yuqing")
    base = [str(command)] if command.exists() else [sys.executable, "-m", "yuqing.cli"]
    shipped = [e.normalized for e in TextChecker().matcher.entries]
    print(f"-- whole process: yuqing check-text on a {megabytes:.1f} MB file ({len(posts):,} posts, one a line), "
          "--format json to a file")
    print(f"{'':34s} {'wall clock':>12s}   {'CPU time':>12s}")
    with tempfile.TemporaryDirectory() as folder:
        path, lexicon_path = Path(folder) / "posts.txt", Path(folder) / "bench-lexicon.txt"
        path.write_text(text, encoding="utf-8")
        lexicon_path.write_text(lexicon_text, encoding="utf-8")
        for label, extra, words in ((f"{len(terms):,} terms", ["--lexicon", str(lexicon_path)], terms),
                                    (f"shipped {len(shipped):,} terms", [], shipped)):
            checker = TextChecker(extra_lexicons=[lexicon_path] if extra else ())
            automaton = ahocorasick.Automaton()
            for i, word in enumerate(words):
                automaton.add_word(word, i)
            automaton.make_automaton()
            figures = {
                "yuqing check-text (process)": median_child_seconds(
                    base + ["check-text", str(path), "--format", "json", *extra], args.runs,
                    str(Path(folder) / "out.json")),
                "check() in this process": median_seconds(checker.check, args.runs, text),
                "bare pyahocorasick": median_seconds(lambda a=automaton: list(a.iter_long(text)), args.runs),
            }
            print(f"{label}:")
            for name, (wall, cpu) in figures.items():
                print(f"  {name:32s} {megabytes / wall:7.1f} MB/s   {megabytes / cpu:7.1f} MB/s")
            (pw, pc), (bw, bc) = figures["yuqing check-text (process)"], figures["bare pyahocorasick"]
            print(f"  whole process / bare pyahocorasick speed: {bw / pw:4.2f}x wall, {bc / pc:4.2f}x CPU (goal >= 2)")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def engine_memory(lexicon_text: str) -> dict[str, int]:
    """Memory of the loaded engine, measured in a fresh interpreter so that the corpus does not count."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as fh:
        fh.write(lexicon_text)
    try:
        out = subprocess.run([sys.executable, __file__, "--memory-child", fh.name], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(fh.name)
    return json.loads(out)


def memory_child(lexicon_path: str) -> None:
    gc.collect()
    before = rss_bytes()
    tracemalloc.start()
    checker = TextChecker(extra_lexicons=[lexicon_path])
    checker.check_many(["预热 warm-up 138 1234 5678"])
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    gc.collect()
    after = rss_bytes()
    print(json.dumps({"engine_rss": after - before, "traced": traced, "total_rss": after}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=10.0, help="minimum corpus size in MB (default 10)")
    parser.add_argument("--file-mb", type=float, default=20.0,
                        help="size of the file for the whole-process figure (default 20)")
    parser.add_argument("--only-process", action="store_true", help="only the whole-process figures")
    parser.add_argument("--core", type=int, help="pin the process to this CPU (like taskset -c N)")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    if args.core is not None:
        os.sched_setaffinity(0, {args.core})
    if not SHARED_DATA.is_dir():
        print(f"skipped: shared data folder {SHARED_DATA} not found (set YUQING_SHARED_DATA)", file=sys.stderr)
        return 0

    if args.only_process:
        whole_process(args, *reversed(build_terms(TERMS)))
        return 0
    posts = build_corpus(args.mb)
    megabytes = sum(len(p.encode("utf-8")) for p in posts) / 1e6
    terms, lexicon_text = build_terms(TERMS)
    print(f"corpus: {megabytes:.1f} MB, {len(posts):,} posts (mean {megabytes * 1e6 / len(posts):.0f} bytes); "
          f"lexicon: {len(terms):,} terms; runs: {args.runs} (medians)")
    pinned = f"pinned to CPU {args.core}" if args.core is not None else "not pinned"
    print(f"machine: load average {load_average()} at start; {pinned}; Python {sys.version.split()[0]}")

    memory = engine_memory(lexicon_text)
    build_start = time.perf_counter()
    checker = TextChecker(extra_lexicons=[parse_lexicon(lexicon_text, "bench")])
    build_seconds = time.perf_counter() - build_start
    print(f"engine: {len(checker.matcher):,} deny terms, built in {build_seconds:.2f} s; memory in a fresh process: "
          f"{memory['engine_rss'] / 1e6:.1f} MB RSS growth for the engine incl. normalisation tables "
          f"({memory['traced'] / 1e6:.1f} MB allocated through Python), "
          f"{memory['total_rss'] / 1e6:.1f} MB RSS for the whole process (goal: engine < 100 MB)")

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
    results: dict[str, tuple[float, float]] = {}
    print(f"{'':34s} {'wall clock':>24s}   {'CPU time (one core)':>24s}")
    print(f"-- batches of {BATCH:,} posts (check_many; bare matchers on the same batches joined by line breaks)")
    for n, (name, fn) in enumerate(cases):
        if n == 3:
            print("-- one call per post")
        wall, cpu = median_seconds(fn, args.runs)
        results[name] = (wall, cpu)
        print(f"{name:34s} {megabytes / wall:7.1f} MB/s {len(posts) / wall:9,.0f} posts/s"
              f"   {megabytes / cpu:7.1f} MB/s {len(posts) / cpu:9,.0f} posts/s")
    print(f"findings: {counts['bulk']:,} (check_many), {counts['each']:,} (check)")
    wall = [w for w, _ in results.values()]
    cpu = [c for _, c in results.values()]
    for label, t in (("wall", wall), ("CPU ", cpu)):
        print(f"{label}: full check / bare pyahocorasick speed {t[1] / t[0]:5.2f}x bulk, {t[4] / t[3]:5.2f}x per post "
              f"(goal > 1); bare ahocorasick-rs / full check {t[0] / t[2]:4.2f}x bulk, {t[3] / t[5]:4.2f}x per post "
              "(goal <= 5)")
    whole_process(args, lexicon_text, terms)
    print(f"machine: load average {load_average()} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
