"""Benchmark scale: N items through the real storage path, detection at each size, page latencies, a kill -9 drill.

Run: make bench-scale [SCALE=1000000]   or   .venv/bin/python bench/scale.py --items 1000000
PostgreSQL when DATABASE_URL is set (the bench adds its own organisations there; nothing else is touched), else a
temporary SQLite file. The entries come from the collection benchmark's generator (real posts from ../shared/data,
~88 % distinct, ~6 % seen again with grown metrics, ~6 % reposts), spread over --days of simulated time so the
link and grouping windows move as in a real year. Every batch is stored with `store_entries`, indexed for search
and run through detection (`process_items`); ingest and detection items/s are reported at each size (10 k, 100 k,
1 M, … up to N) with p50 / p95 of the pages a monitor uses. With CELERY_BROKER_URL (Redis) and PostgreSQL it also
runs the kill -9 drill (a worker killed mid-batch, the batch redelivered: items lost / duplicated) and 1 vs 2
worker processes.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.collection import AUTHORS, DEFAULT_DATA, HOSTS, load_texts  # noqa: E402

SCHEME = "(食堂 OR 外卖 OR 饭菜 OR 老师 OR 学校 OR 家长 OR 孩子 OR 学生) AND NOT 广告"
SEARCHES = ["食堂", "家长 AND 老师", '"外卖" OR 快递']
GOAL_ITEMS_S = 2000
GOAL_P95_MS = 300


# ------------------------------------------------------------------------------------------------ data


def iter_entries(texts: list[str], count: int, seed: int = 7):
    """The collection generator's distribution, streamed: reposts and re-sightings are of recent originals."""
    rng = random.Random(seed)
    start = datetime.now().astimezone()
    recent: list[dict] = []
    for n in range(count):
        roll = rng.random()
        if recent and roll < 0.06:
            seen = dict(rng.choice(recent))
            seen["metrics"] = {k: v + rng.randint(1, 50) for k, v in seen["metrics"].items()}
            yield seen
            continue
        if recent and roll < 0.12:
            base = rng.choice(recent)
            platform, pattern = HOSTS[0]
            yield {"url": pattern.format(uid=rng.randint(10**9, 10**10), id=f"r{n}"), "title": "",
                   "text": rng.choice(["转发：", "//@" + rng.choice(AUTHORS) + "：", "转发微博 "]) + base["text"],
                   "author": rng.choice(AUTHORS), "platform": platform, "published": start,
                   "metrics": {"comments": rng.randint(0, 30), "reposts": rng.randint(0, 10)}}
            continue
        text = texts[n % len(texts)]
        if n >= len(texts):
            text = f"{text}（{n // len(texts)}）"
        platform, pattern = HOSTS[rng.randrange(len(HOSTS))]
        entry = {"url": pattern.format(uid=rng.randint(10**9, 10**10), id=n),
                 "title": text[:20] if platform == "web" else "", "text": text,
                 "html": f"<p>{text}</p>" if platform == "web" else "", "author": rng.choice(AUTHORS),
                 "platform": platform, "published": start,
                 "metrics": {"views": rng.randint(0, 100000), "comments": rng.randint(0, 500),
                             "reposts": rng.randint(0, 200), "likes": rng.randint(0, 2000)}}
        recent.append(entry)
        if len(recent) > 20_000:
            recent = recent[-10_000:]
        yield entry


def raw_batch(entries: list[dict], now: datetime):
    from yuqing.collection.entries import RawEntry

    return [RawEntry(**{**e, "published": now - timedelta(minutes=random.randint(0, 600))}) for e in entries]


# ------------------------------------------------------------------------------------------------ setup


def setup_django(data_dir: str) -> str:
    os.environ["YUQING_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
    os.environ["YUQING_EMBEDDED_WORKER"] = "1"  # tasks run inline in this process unless a drill sends them
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)  # one line per event level would drown the figures
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # The bench calls each step itself to time it: no listener may run detection behind its back.
    from yuqing.monitoring.signals import items_stored

    items_stored.receivers.clear()
    items_stored.sender_receivers_cache.clear()
    settings.ALLOWED_HOSTS = ["*"]
    from django.db import connection

    return connection.vendor


def make_world(label: str):
    from django.contrib.auth import get_user_model

    from yuqing.detection.models import Scheme
    from yuqing.orgs.models import Membership, Organization, Role

    stamp = f"{label}-{time.time_ns()}"
    bureau = Organization.objects.create(name=f"县教育局 {stamp}", slug=f"bench-bureau-{stamp}", kind="bureau")
    school = Organization.objects.create(name=f"第一中学 {stamp}", slug=f"bench-school-{stamp}", kind="school",
                                         parent=bureau)
    user = get_user_model().objects.create_user(username=f"bench-{stamp}", password=None)
    Membership.objects.create(user=user, organization=school, role=Role.PUBLICITY_LEAD)
    Scheme.objects.create(organization=school, name="校园舆情", expression=SCHEME)
    return school, user


# ------------------------------------------------------------------------------------------------ pages


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure_pages(school, user, runs: int) -> dict[str, tuple[float, float]]:
    from django.test import Client

    from yuqing.detection.models import Event
    from yuqing.keyset import encode_cursor
    from yuqing.monitoring.models import Item

    client = Client()
    client.force_login(user)
    items = Item.objects.filter(organization=school)
    total = items.count()
    middle = items.order_by("-first_seen_at", "-id").values_list("first_seen_at", "id")[total // 2]
    deep = encode_cursor(list(middle))
    largest = Event.objects.filter(organization=school).order_by("-mention_count").values_list("pk", flat=True).first()
    pages = {
        "items, first page": ("get", "/monitoring/items/", {}),
        "items, deep cursor page": ("get", "/monitoring/items/", {"cursor": deep}),
        **{f"search {q}": ("get", "/monitoring/items/", {"q": q}) for q in SEARCHES},
        "scheme preview": ("post", "/detection/schemes/preview/", {"expression": "食堂 AND (涨价 OR 难吃)"}),
        "mentions": ("get", "/detection/mentions/", {}),
        "events": ("get", "/detection/events/", {}),
        "largest event": ("get", f"/detection/events/{largest}/", {}) if largest else None,
        "dashboard": ("get", "/detection/", {}),
        "API items": ("get", "/api/items/", {}),
        "API items, cursor": ("get", "/api/items/", {"cursor": deep}),
    }
    out = {}
    for name, spec in pages.items():
        if spec is None:
            continue
        method, url, params = spec
        call = getattr(client, method)
        answer = call(url, params)  # warm-up (and the check that the page works)
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {answer.status_code}: {answer.content[:300]!r}")
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            call(url, params)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = (statistics.median(times), percentile(times, 0.95))
    return out


# ------------------------------------------------------------------------------------------------ load


def checkpoints(n: int) -> list[int]:
    points, p = [], 10_000
    while p < n:
        points.append(p)
        p *= 10
    return [*points, n]


def load_and_measure(args, texts) -> None:
    from django.db import connection
    from django.utils import timezone

    from yuqing.detection.pipeline import process_items, warm_up
    from yuqing.monitoring.models import Item
    from yuqing.monitoring.pipeline import store_entries

    school, user = make_world("scale")
    warm_up()
    now_real = timezone.now()
    span = timedelta(days=args.days)
    start = now_real - span
    marks = checkpoints(args.items)
    gen = iter_entries(texts, args.items)
    done = 0
    log: list[tuple[int, float, float, int, int]] = []  # (entries so far, ingest s, detect s, entries, matched)
    print(f"{connection.vendor}: {args.items:,} entries in batches of {args.batch:,} over {args.days} days; "
          f"scheme {SCHEME!r}", flush=True)
    results = []
    for mark in marks:
        while done < mark:
            size = min(args.batch, mark - done)
            entries = [next(gen) for _ in range(size)]
            at = start + span * ((done + size) / args.items)
            raw = raw_batch(entries, at)
            t0 = time.perf_counter()
            stored = store_entries(school, None, raw, now=at)
            ids = sorted({*stored.new_ids, *stored.updated_ids})
            t1 = time.perf_counter()
            detected = process_items(school.pk, ids)
            t2 = time.perf_counter()
            done += size
            log.append((done, t1 - t0, t2 - t1, size, detected.mentions_created))
            if len(log) % 20 == 0:
                print(f"  {done:>10,} entries  ingest {size / (t1 - t0):>7,.0f}/s  "
                      f"detection {size / (t2 - t1):>7,.0f}/s", flush=True)
        window = [row for row in log if row[0] > mark - max(args.sample, args.batch)]
        entries = sum(r[3] for r in window)
        ingest = entries / sum(r[1] for r in window)
        detect = entries / sum(r[2] for r in window)
        matched = sum(r[4] for r in window)
        rows = Item.objects.filter(organization=school).count()
        pages = measure_pages(school, user, args.runs)
        results.append((mark, rows, ingest, detect, matched / max(entries, 1), pages))
        report(results)


def report(results) -> None:
    print("\n" + "=" * 100)
    print(f"{'entries':>10} {'items':>10} {'ingest/s':>10} {'detect/s':>10} {'matched':>8}")
    for mark, rows, ingest, detect, share, _pages in results:
        print(f"{mark:>10,} {rows:>10,} {ingest:>10,.0f} {detect:>10,.0f} {share:>8.1%}")
    base = results[0]
    last = results[-1]
    print(f"detection at {last[1]:,} items vs {base[1]:,}: ×{last[3] / base[3]:.2f} (goal: within 30 %, "
          f"≥ {GOAL_ITEMS_S:,}/s); ingest ×{last[2] / base[2]:.2f}")
    names = list(last[5])
    print(f"\n{'page (p50 / p95 ms)':<28}" + "".join(f"{r[1]:>22,}" for r in results))
    for name in names:
        cells = "".join(f"{r[5][name][0]:>12.1f} / {r[5][name][1]:>7.1f}" if name in r[5] else f"{'—':>22}"
                        for r in results)
        flag = "" if last[5][name][1] < GOAL_P95_MS else f"  (p95 ≥ {GOAL_P95_MS} ms)"
        print(f"{name:<28}{cells}{flag}")
    print("=" * 100, flush=True)


# ------------------------------------------------------------------------------------------------ workers


def _worker(env: dict, queue: str, concurrency: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "yuqing.celery", "worker", "--pool", "prefork",
         "--concurrency", str(concurrency), "--loglevel", "warning", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-Q", queue, "-n", f"{queue}-{time.time_ns()}@%h"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _wait_for_worker(app, proc) -> None:
    deadline = time.monotonic() + 90
    while not app.control.ping(timeout=1.0):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("the Celery worker did not start")


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _celery_env(broker: str) -> dict:
    return {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker,
            "YUQING_EMBEDDED_WORKER": "0", "YUQING_CELERY_VISIBILITY_TIMEOUT": "10", "OMP_NUM_THREADS": "1"}


def _serialised(entries: list[dict]) -> list[dict]:
    return [{**e, "published": e["published"].isoformat()} for e in entries]


def kill_drill(texts, broker: str, items: int = 20_000) -> None:
    """A worker killed with SIGKILL mid-batch; a new worker gets the redelivered task; count lost and duplicated."""
    from celery import group

    from yuqing.celery import app
    from yuqing.monitoring.jobs import store_entries_task
    from yuqing.monitoring.models import Item
    from yuqing.monitoring.pipeline import identity_hash

    app.conf.broker_url = app.conf.result_backend = broker
    school, _user = make_world("drill")
    entries = list(iter_entries(texts, items, seed=11))
    from yuqing.collection.entries import RawEntry

    expected = len({identity_hash(RawEntry(**e), None) for e in entries})
    env = _celery_env(broker)
    queue = f"drill-{time.time_ns()}"
    worker = _worker(env, queue)
    _wait_for_worker(app, worker)
    size = 2000
    job = group(store_entries_task.celery_task.s(organization_id=school.pk, source_id=None,
                                                 entries=_serialised(entries[i: i + size]))
                for i in range(0, len(entries), size)).apply_async(queue=queue)
    stored = Item.objects.filter(organization=school)
    while stored.count() < expected * 0.3:
        time.sleep(0.05)
    at_kill = stored.count()
    _stop(worker, signal.SIGKILL)
    print(f"\nkill -9 drill: worker killed with {at_kill:,} of {expected:,} items stored", flush=True)
    worker = _worker(env, queue)
    try:
        job.get(timeout=900)
    finally:
        _stop(worker)
    rows = stored.count()
    distinct = stored.values("url_hash").distinct().count()
    print(f"kill -9 drill: after redelivery {rows:,} rows, {distinct:,} distinct; "
          f"lost {expected - distinct:,}, duplicated {rows - distinct:,}", flush=True)


def workers_compare(texts, broker: str, items: int = 40_000) -> None:
    """The same entries through 1 and 2 worker processes, into one organisation and split over two."""
    from celery import group

    from yuqing.celery import app
    from yuqing.monitoring.jobs import store_entries_task

    app.conf.broker_url = app.conf.result_backend = broker
    entries = _serialised(list(iter_entries(texts, items, seed=13)))
    env = _celery_env(broker)
    size = 1000
    print(f"\n1 vs 2 worker processes, {items:,} entries in tasks of {size:,} (store_entries only), "
          f"{os.cpu_count()} cores:", flush=True)
    rates = {}
    for label, concurrency, orgs in (("1 worker, 1 organisation", 1, 1), ("2 workers, 1 organisation", 2, 1),
                                     ("1 worker, 2 organisations", 1, 2), ("2 workers, 2 organisations", 2, 2)):
        targets = [make_world(f"w{concurrency}{orgs}")[0] for _ in range(orgs)]
        queue = f"workers-{time.time_ns()}"
        worker = _worker(env, queue, concurrency)
        try:
            _wait_for_worker(app, worker)
            chunks = [entries[i: i + size] for i in range(0, len(entries), size)]
            started = time.perf_counter()
            group(store_entries_task.celery_task.s(organization_id=targets[n % orgs].pk, source_id=None, entries=c)
                  for n, c in enumerate(chunks)).apply_async(queue=queue).get(timeout=1800)
            rates[label] = items / (time.perf_counter() - started)
        finally:
            _stop(worker)
        print(f"  {label:<30} {rates[label]:>8,.0f} items/s", flush=True)
    print(f"  speed-up with 2 workers: ×{rates['2 workers, 1 organisation'] / rates['1 worker, 1 organisation']:.2f}"
          f" (one organisation), ×{rates['2 workers, 2 organisations'] / rates['1 worker, 2 organisations']:.2f}"
          " (two)", flush=True)


# ------------------------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=int(os.environ.get("SCALE", "1000000")))
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--days", type=int, default=365, help="simulated time the items are spread over")
    parser.add_argument("--sample", type=int, default=20_000, help="entries before each size the rates cover")
    parser.add_argument("--runs", type=int, default=20, help="requests per page")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--skip", action="append", default=[], choices=["load", "drill", "workers"])
    args = parser.parse_args()
    if not (args.data_dir / "sentiment").is_dir():
        print(f"skipped: {args.data_dir} not found (set YUQING_SHARED_DATA or --data-dir)")
        return 0
    texts = load_texts(args.data_dir)
    with tempfile.TemporaryDirectory(prefix="yq-bench-scale-") as tmp:
        vendor = setup_django((os.environ.get("YUQING_DATA_DIR") or tmp) if os.environ.get("DATABASE_URL") else tmp)
        if "load" not in args.skip:
            load_and_measure(args, texts)
        broker = os.environ.get("CELERY_BROKER_URL", "")
        if vendor != "postgresql" or not broker:
            print("\nkill -9 drill and 1 vs 2 workers: skipped (they need DATABASE_URL=postgres://… and "
                  "CELERY_BROKER_URL=redis://…)")
            return 0
        if "drill" not in args.skip:
            kill_drill(texts, broker)
        if "workers" not in args.skip:
            workers_compare(texts, broker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
