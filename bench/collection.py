"""Benchmark collection storage: 100,000 realistic Chinese entries → store_entries, items per second.

Run: .venv/bin/python bench/collection.py [--items 100000] [--batch 5000] [--runs 3] [--data-dir ../shared/data]
Measures, in the same run: one core on SQLite (a temporary database), one core on PostgreSQL
(BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/yuqing_bench), and the same batch spread over
2 Celery worker processes on Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/14) + PostgreSQL.
Parts whose services are unreachable are skipped with a message. Figures are medians over --runs runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("YUQING_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_PG = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/yuqing_bench")
DEFAULT_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SH = ZoneInfo("Asia/Shanghai")

AUTHORS = ["家长圈小王", "县城热心市民", "初三学生", "示范县融媒体", "教育观察", "路人甲", "本地生活号", "李老师", "吃货日记"]
HOSTS = [("weibo", "https://weibo.com/{uid}/{id}"), ("web", "https://news.example-county.cn/a/{id}.html"),
         ("wechat", "https://mp.weixin.qq.com/s?__biz=MzA{uid}&mid={id}&idx=1&sn=ab{id}&chksm=x"),
         ("web", "https://www.thepaper.cn/newsDetail_forward_{id}?utm_source=wb"),
         ("zhihu", "https://www.zhihu.com/question/{uid}/answer/{id}")]


# ------------------------------------------------------------------------------------------------ data

def load_texts(data_dir: Path) -> list[str]:
    texts: list[str] = []
    for name, column in (("sentiment/online_shopping_10_cats.csv", "review"), ("sentiment/waimai_10k.csv", "review")):
        with open(data_dir / name, encoding="utf-8-sig", newline="") as fh:
            texts += [row[column] for row in csv.DictReader(fh) if row.get(column)]
    for name in ("weibo-emotion/virus_train.txt", "weibo-emotion/usual_eval_labeled.txt",
                 "weibo-emotion/virus_eval_labeled.txt"):
        path = data_dir / name
        if path.exists():
            texts += [r["content"] for r in json.loads(path.read_text(encoding="utf-8")) if r.get("content")]
    return [t.strip() for t in dict.fromkeys(texts) if len(t.strip()) >= 4]


def build_entries(texts: list[str], count: int, seed: int = 7) -> list[dict]:
    """``count`` entry dicts: ~88% distinct posts, ~6% the same URL seen again with grown metrics, ~6% reposts."""
    rng = random.Random(seed)
    start = datetime(2024, 5, 1, tzinfo=SH)
    entries: list[dict] = []
    originals: list[dict] = []
    for n in range(count):
        roll = rng.random()
        if originals and roll < 0.06:
            seen = dict(rng.choice(originals))
            seen["metrics"] = {k: v + rng.randint(1, 50) for k, v in seen["metrics"].items()}
            entries.append(seen)
            continue
        if originals and roll < 0.12:
            base = rng.choice(originals)
            platform, pattern = HOSTS[0]
            entries.append({"url": pattern.format(uid=rng.randint(10**9, 10**10), id=f"r{n}"), "title": "",
                            "text": rng.choice(["转发：", "//@" + rng.choice(AUTHORS) + "：", "转发微博 "]) + base["text"],
                            "author": rng.choice(AUTHORS), "platform": platform,
                            "published": (datetime.fromisoformat(base["published"]) + timedelta(minutes=rng.randint(1, 600))).isoformat(),
                            "metrics": {"comments": rng.randint(0, 30), "reposts": rng.randint(0, 10)}})
            continue
        text = texts[n % len(texts)]
        if n >= len(texts):
            text = f"{text}（{n // len(texts)}）"
        platform, pattern = HOSTS[rng.randrange(len(HOSTS))]
        entry = {"url": pattern.format(uid=rng.randint(10**9, 10**10), id=n), "title": text[:20] if platform == "web" else "",
                 "text": text, "html": f"<p>{text}</p>" if platform == "web" else "",
                 "author": rng.choice(AUTHORS), "platform": platform,
                 "published": (start + timedelta(seconds=rng.randint(0, 7 * 86400))).isoformat(),
                 "metrics": {"views": rng.randint(0, 100000), "comments": rng.randint(0, 500),
                             "reposts": rng.randint(0, 200), "likes": rng.randint(0, 2000)}}
        entries.append(entry)
        originals.append(entry)
    return entries


def to_raw(entries: list[dict]):
    from yuqing.collection.entries import RawEntry

    return [RawEntry(**{**e, "published": datetime.fromisoformat(e["published"])}) for e in entries]


# --------------------------------------------------------------------------------------- measurements

def _django(database_url: str | None, data_dir: str) -> None:
    os.environ["YUQING_DATA_DIR"] = data_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # Measure collection alone: detection's listeners analyse stored items in their own benchmark.
    from yuqing.monitoring.signals import items_stored

    items_stored.receivers.clear()
    items_stored.sender_receivers_cache.clear()


def _fresh_org(label: str):
    from yuqing.orgs.models import Organization

    slug = f"bench-{label}-{time.time_ns()}"
    return Organization.objects.create(name=slug, slug=slug, kind="bureau")


def measure_single(entries: list[dict], batch: int, runs: int) -> dict:
    """Items/s of store_entries on the configured database, one core; each run stores into a fresh organisation."""
    from yuqing.monitoring.models import Item
    from yuqing.monitoring.pipeline import store_entries

    raw = to_raw(entries)
    rates, stored, linked = [], 0, 0
    for run in range(runs):
        org = _fresh_org(f"r{run}")
        started = time.perf_counter()
        linked = 0
        for i in range(0, len(raw), batch):
            linked += store_entries(org, None, raw[i : i + batch]).linked
        elapsed = time.perf_counter() - started
        rates.append(len(raw) / elapsed)
        stored = Item.objects.filter(organization=org).count()
    return {"rate": statistics.median(rates), "rates": rates, "stored": stored, "linked": linked}


def measure_celery(entries: list[dict], batch: int, runs: int, pg_url: str, redis_url: str) -> dict:
    """The same entries sent as tasks to 2 Celery worker processes; items/s from first send to last result."""
    from celery import group

    from yuqing.monitoring.jobs import store_entries_task
    from yuqing.monitoring.models import Item

    env = {**os.environ, "DATABASE_URL": pg_url, "CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url,
           "YUQING_EMBEDDED_WORKER": "0"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "yuqing.celery", "worker", "--pool", "prefork", "--concurrency", "2",
         "--loglevel", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", "bench"],
        env=env, cwd=REPO, stderr=subprocess.STDOUT,
        stdout=open(os.environ["BENCH_WORKER_LOG"], "w") if os.environ.get("BENCH_WORKER_LOG") else subprocess.DEVNULL)
    from yuqing.celery import app

    app.conf.broker_url = app.conf.result_backend = redis_url
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError("the Celery worker did not start")
        # tasks of half a batch, so both processes always have work
        size = max(500, batch // 2)
        rates, stored = [], 0
        for run in range(runs):
            org = _fresh_org(f"c{run}")
            chunks = [entries[i : i + size] for i in range(0, len(entries), size)]
            started = time.perf_counter()
            job = group(store_entries_task.celery_task.s(organization_id=org.pk, source_id=None, entries=c)
                        for c in chunks).apply_async(queue="bench")
            job.get(timeout=1800)
            rates.append(len(entries) / (time.perf_counter() - started))
            stored = Item.objects.filter(organization=org).count()
        return {"rate": statistics.median(rates), "rates": rates, "stored": stored}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def _postgres_reachable(url: str) -> str:
    """'' when the database is usable (created if missing), else why not."""
    try:
        import psycopg
    except ImportError as exc:
        return str(exc)
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url[: url.rindex("/")] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any connection problem means: skip with a message
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return ""


def _redis_reachable(url: str) -> str:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


def child(args) -> None:
    """Run one measurement in this process (each database needs its own Django setup) and print JSON."""
    entries = json.loads(Path(args.entries_file).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="yq-bench-") as tmp:
        _django(None if args.child == "sqlite" else args.pg, tmp)
        if args.child == "celery":
            result = measure_celery(entries, args.batch, args.runs, args.pg, args.redis)
        else:
            result = measure_single(entries, args.batch, args.runs)
    print("RESULT " + json.dumps(result))


def run_child(kind: str, args, entries_file: str) -> dict | str:
    cmd = [sys.executable, __file__, "--child", kind, "--entries-file", entries_file, "--batch", str(args.batch),
           "--runs", str(args.runs), "--pg", args.pg, "--redis", args.redis]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    lines = proc.stderr.strip().splitlines() or ["no output"]
    errors = [line for line in lines if "Error" in line and not line.startswith(" ")]
    return "failed: " + (errors[-1] if errors else lines[-1])[:300]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000, help="entries per store_entries call")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--redis", default=DEFAULT_REDIS)
    parser.add_argument("--skip", action="append", default=[], choices=["sqlite", "postgres", "celery"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--entries-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    if not (args.data_dir / "sentiment").is_dir():
        print(f"skipped: {args.data_dir} not found (set YUQING_SHARED_DATA or --data-dir)")
        return 0
    texts = load_texts(args.data_dir)
    entries = build_entries(texts, args.items)
    print(f"{len(entries):,} entries from {len(texts):,} distinct texts in {args.data_dir}; "
          f"batches of {args.batch:,}; median of {args.runs} run(s)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        json.dump(entries, fh, ensure_ascii=False)
        entries_file = fh.name
    rows: list[tuple[str, str, str]] = []
    try:
        results: dict[str, dict | str] = {}
        if "sqlite" not in args.skip:
            results["sqlite"] = run_child("sqlite", args, entries_file)
        pg_problem = _postgres_reachable(args.pg)
        if "postgres" not in args.skip:
            results["postgres"] = f"skipped: PostgreSQL unreachable ({pg_problem})" if pg_problem \
                else run_child("postgres", args, entries_file)
        if "celery" not in args.skip:
            redis_problem = _redis_reachable(args.redis)
            if pg_problem or redis_problem:
                results["celery"] = f"skipped: {'PostgreSQL' if pg_problem else 'Redis'} unreachable " \
                                    f"({pg_problem or redis_problem})"
            else:
                results["celery"] = run_child("celery", args, entries_file)
    finally:
        os.unlink(entries_file)
    labels = {"sqlite": "SQLite, 1 process", "postgres": "PostgreSQL, 1 process",
              "celery": "PostgreSQL + Redis, 2 Celery worker processes"}
    for key, result in results.items():
        if isinstance(result, str):
            rows.append((labels[key], result, ""))
            continue
        note = f"{result['stored']:,} items stored"
        if "linked" in result:
            note += f", {result['linked']:,} linked to an original"
        if key == "celery" and isinstance(results.get("postgres"), dict):
            note += f"; speed-up ×{result['rate'] / results['postgres']['rate']:.2f} over 1 process"
        rows.append((labels[key], f"{result['rate']:,.0f} items/s", note))
    goal = 2000
    print(f"\n{'setup':<48} {'median':>16}   notes (goal ≥ {goal:,} items/s on one core)")
    print("-" * 110)
    for label, rate, note in rows:
        print(f"{label:<48} {rate:>16}   {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
