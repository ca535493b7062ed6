"""Benchmark alert latency in the embedded mode on SQLite: item stored → alert received by a local webhook.

Run: .venv/bin/python bench/alerting.py [--events 25] [--timeout 15]
Each round stores one new post through collection's `store_entries`; detection (in the embedded worker's
thread) matches it, groups it into a new event, grades it and raises an alert; the notify task posts the
signed webhook to a receiver on 127.0.0.1. The clock stops when the receiver has the request. A second
part measures notification alone: `raise_alert` → received. Figures are medians (goal ≤ 5 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 5.0
# Distinct stories, so that each stored post starts an event of its own.
STORIES = [
    "第一中学食堂饭菜里吃出虫子，家长要求彻查后厨卫生",
    "第一中学校车超载被交警拦下，车上坐了四十多名学生",
    "第一中学向学生收取补课费每人八百元，家长质疑违规",
    "第一中学七年级作业太多，孩子每天写到深夜十一点",
    "第一中学体育课被主科老师占用，学生一学期没上过体育",
    "第一中学宿舍楼热水器坏了两周没人修，住校生只能洗冷水",
    "第一中学某班主任体罚学生罚站三小时，视频在家长群流传",
    "第一中学招生政策突然调整，片区内孩子被划出学区",
    "第一中学操场塑胶跑道气味刺鼻，有学生出现头晕症状",
    "第一中学图书馆多年未更新图书，借阅系统长期停用",
    "第一中学门口早高峰交通拥堵，接送车辆乱停乱放",
    "第一中学校服价格比市场价高出一倍，家长质疑有回扣",
    "第一中学老师在课堂上推销教辅资料，要求学生统一购买",
    "第一中学教学楼外墙瓷砖脱落，险些砸中放学的学生",
    "第一中学心理咨询室形同虚设，学生反映找不到老师",
    "第一中学疑似发生校园欺凌，高年级学生勒索低年级零花钱",
    "第一中学晚自习延长到十点半，学生睡眠严重不足",
    "第一中学饮水机滤芯长期未换，水质检测结果不合格",
    "第一中学周末强制补课，教育局曾明令禁止",
    "第一中学考试成绩按名次张榜公布，学生压力很大",
    "第一中学小卖部售卖三无零食，多名学生腹泻",
    "第一中学实验室化学药品管理混乱，柜门常年不锁",
    "第一中学运动会上学生中暑晕倒，现场没有校医",
    "第一中学家委会账目不公开，班费去向成谜",
    "第一中学空调安装收费每生三百元，家长群炸锅",
    "第一中学军训期间教官言语侮辱学生，引发网友热议",
    "第一中学食堂承包商资质存疑，营业执照已过期",
    "第一中学电脑教室设备老旧，一半电脑无法开机",
    "第一中学研学旅行费用高昂，不参加要写检讨",
    "第一中学班级群要求家长轮流打扫教室卫生",
]


class Receiver:
    """A local webhook receiver that notes when each request arrived."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, dict]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.perf_counter()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"received": true}')
                with receiver.arrived:
                    receiver.arrivals.append((at, json.loads(body)))
                    receiver.arrived.notify_all()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait_for(self, count: int, timeout: float) -> float | None:
        """Arrival time of request number `count` (1-based), or None after `timeout` seconds."""
        deadline = time.perf_counter() + timeout
        with self.arrived:
            while len(self.arrivals) < count:
                left = deadline - time.perf_counter()
                if left <= 0:
                    return None
                self.arrived.wait(left)
            return self.arrivals[count - 1][0]


def setup_django(data_dir: str) -> None:
    os.environ["YUQING_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["YUQING_EMBEDDED_WORKER"] = "1"
    os.environ.setdefault("YUQING_LOG_LEVEL", "WARNING")
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_world(receiver_url: str):
    from django.contrib.auth import get_user_model

    from yuqing.notify import actions as notify_actions
    from yuqing.orgs.models import Organization

    root = get_user_model().objects.create_superuser("bench-root", password=None)
    bureau = Organization.objects.create(name="示范县教育局", slug="bench-bureau", kind="bureau")
    school = Organization.objects.create(name="示范县第一中学", slug="bench-no1", kind="school", parent=bureau)
    from yuqing.detection.actions import do_create_scheme

    do_create_scheme(organization=school, acting_user=root, name="学校舆情", expression="第一中学")
    notify_actions.do_create_notifier(organization=school, kind="webhook", name="bench receiver", acting_user=root,
                                      settings={"url": receiver_url, "secret": "bench-secret-0123456789"})
    return school


def measure_pipeline(school, receiver: Receiver, count: int, timeout: float) -> tuple[list[float], int]:
    from django.utils import timezone

    from yuqing.collection.entries import RawEntry
    from yuqing.detection.models import Event
    from yuqing.monitoring.pipeline import store_entries

    latencies, missed = [], 0
    for n in range(count):
        story = STORIES[n % len(STORIES)]
        entry = RawEntry(url=f"https://weibo.com/bench/{n}", title=story, text=f"{story}。",
                         author="本地网友", published=timezone.now(), platform="weibo",
                         metrics={"comments": 3, "views": 120})
        expected = len(receiver.arrivals) + 1
        started = time.perf_counter()
        store_entries(school, None, [entry])
        arrived = receiver.wait_for(expected, timeout)
        if arrived is None:
            missed += 1
            continue
        latencies.append(arrived - started)
        # Each round is a new story: close its event so that the next post cannot be grouped into it.
        time.sleep(0.05)
        Event.objects.update(status=Event.Status.CLOSED)
    return latencies, missed


def measure_notification(school, receiver: Receiver, count: int, timeout: float) -> list[float]:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from yuqing.detection.models import Event
    from yuqing.notify.alerts import raise_alert

    latencies = []
    for n in range(count):
        now = timezone.now()
        event = Event.objects.create(organization=school, title=f"通知基准事件{n}", first_seen_at=now - timedelta(minutes=5),
                                     last_seen_at=now)
        expected = len(receiver.arrivals) + 1
        started = time.perf_counter()
        with transaction.atomic():
            raise_alert(event, 3, ["基准测试"])
        arrived = receiver.wait_for(expected, timeout)
        if arrived is not None:
            latencies.append(arrived - started)
    return latencies


def summary(name: str, latencies: list[float]) -> str:
    if not latencies:
        return f"{name}: no alert arrived"
    ordered = sorted(latencies)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    return (f"{name}: median {statistics.median(ordered):.3f} s, p90 {p90:.3f} s, max {ordered[-1]:.3f} s "
            f"over {len(ordered)} alerts")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=25, help="events to measure (≥ 20; default 25)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each alert")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="yq-bench-alerting-") as data_dir:
        setup_django(data_dir)
        from yuqing.system.scheduler import EmbeddedWorker

        receiver = Receiver()
        school = build_world(receiver.url)
        try:
            from yuqing.detection.pipeline import warm_up

            warm_up()  # model loading is a start-up cost, not part of each alert's latency
        except ImportError:
            pass
        worker = EmbeddedWorker(tick_seconds=1.0)
        worker.start()
        try:
            pipeline, missed = measure_pipeline(school, receiver, args.events, args.timeout)
            notification = measure_notification(school, receiver, args.events, args.timeout)
        finally:
            worker.stop()
            receiver.server.shutdown()
    print("Alert latency, embedded mode, SQLite, webhook to 127.0.0.1")
    print("  " + summary("item stored → alert received", pipeline)
          + (f" ({missed} stored posts produced no alert within {args.timeout:.0f} s)" if missed else ""))
    print("  " + summary("raise_alert → alert received", notification))
    median = statistics.median(pipeline) if pipeline else float("inf")
    verdict = "meets" if median <= GOAL_SECONDS and not missed else "MISSES"
    print(f"  goal: median ≤ {GOAL_SECONDS:.0f} s from storing to sending — {verdict} the goal")
    return 0 if verdict == "meets" else 1


if __name__ == "__main__":
    sys.exit(main())
