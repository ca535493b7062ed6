"""Self-inspection reports and briefings: what they count, the DOCX they reopen as, editing, finalising and the
archive; the command line; the counts equal `yuqing registry list`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation
from docx import Document

from yuqing.collection.entries import RawEntry
from yuqing.incidents.models import Case
from yuqing.monitoring.actions import do_create_source
from yuqing.monitoring.pipeline import store_entries
from yuqing.orgs.models import Organization
from yuqing.registry import actions as registry
from yuqing.registry.models import LIVE_STATUSES, ChatGroup
from yuqing.reports import archive, briefing, selfinspection
from yuqing.reports.models import ReportFile, SelfInspectionReport

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> tuple[str, list[list[list[str]]], Document]:
    doc = Document(io.BytesIO(data))
    return ("\n".join(p.text for p in doc.paragraphs),
            [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables], doc)


@pytest.fixture
def period():
    today = timezone.localdate()
    return today - dt.timedelta(days=20), today


@pytest.fixture
def registry_world(world, period):
    """No1 runs a website read by its own feed (3 posts in the period, 1 before), a WeChat account published
    twice through Yuqing and never filed as dormant-free, a Kuaishou account silent since January (dormant);
    school-level and class-level groups, one never filed, a temporary one whose task ended, one dissolved."""
    from yuqing.publishing.models import Draft, PublishRecord

    start, end = period
    admin = world.school_admin
    classes = Organization.objects.create(name="七年级1班", slug="no1-c71", kind="unit", parent=world.school,
                                          unit_type="class")
    filed = dt.date(2026, 1, 5)
    source = do_create_source(organization=world.school, acting_user=admin, name="学校网站新闻",
                              kind="rss", url="https://www.no1.example.cn/news/rss.xml")
    website = registry.do_register_channel(world.school, acting_user=admin, kind="website", name="第一中学网站",
                                           url="https://www.no1.example.cn/", responsible=world.publicity,
                                           filed_on=filed, source=source)
    in_period = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=10), dt.time(9)))
    store_entries(world.school, source, [
        RawEntry(url=f"https://www.no1.example.cn/news/{i}.html", title=f"校园新闻{i}", text=f"第{i}条校园新闻",
                 published=in_period + dt.timedelta(days=i)) for i in range(3)
    ] + [RawEntry(url="https://www.no1.example.cn/news/old.html", title="旧闻", text="去年的新闻",
                  published=in_period - dt.timedelta(days=60))], now=in_period + dt.timedelta(days=3))
    wechat = registry.do_register_channel(world.school, acting_user=admin, kind="wechat_official", name="和悦金地",
                                          account_id="gh_hyjd", responsible=world.publicity, filed_on=filed)
    for i in range(2):
        draft = Draft.objects.create(organization=world.school, title=f"推文{i}", author=world.editor)
        record = PublishRecord.objects.create(
            draft=draft, organization=world.school, version=1, title=draft.title,
            status=PublishRecord.Status.PUBLISHED, reviewer_line="初审、复审、终审", approved_at=in_period,
            published_at=in_period + dt.timedelta(days=i))
        record.channels.add(wechat)
    registry.do_update_channel(wechat, acting_user=admin, last_publication_at=timezone.now())
    registry.do_register_channel(world.school, acting_user=admin, kind="kuaishou", name="一中艺体",
                                 account_id="ks_art", responsible=world.publicity, filed_on=filed)
    registry.do_register_channel(world.school, acting_user=admin, kind="douyin", name="已关闭的抖音",
                                 account_id="dy_old", responsible=world.publicity, filed_on=filed, status="closed")
    today = timezone.localdate()
    for name in ("全体教师微信群", "班主任微信群"):
        registry.do_register_group(world.school, acting_user=admin, kind="wechat", name=name, filed_on=filed,
                                   responsible=world.publicity, last_activity_on=today)
    registry.do_register_group(world.school, acting_user=admin, kind="qq", name="党员QQ群", filed_on=filed,
                               responsible=world.publicity, last_activity_on=today)
    registry.do_register_group(world.school, acting_user=admin, kind="wechat", name="七年级1班家长群",
                               unit=classes, filed_on=filed, responsible=world.publicity, last_activity_on=today)
    registry.do_register_group(world.school, acting_user=admin, kind="wechat", name="私建的群",
                               responsible=world.publicity, last_activity_on=today)  # never filed
    registry.do_register_group(world.school, acting_user=admin, kind="wechat", name="校运会临时工作群",
                               filed_on=filed, responsible=world.publicity, last_activity_on=today,
                               temporary=True, task_ends_on=start)
    old = registry.do_register_group(world.school, acting_user=admin, kind="qq", name="卫生工作上报QQ群",
                                     filed_on=filed, responsible=world.publicity, last_activity_on=today)
    registry.do_move(old, "closing", acting_user=admin, reason="长期闲置")
    registry.do_move(ChatGroup.objects.get(pk=old.pk), "closed", acting_user=admin)
    # another school's channel is never counted
    registry.do_register_channel(world.other_school, acting_user=world.other_admin, kind="website", name="二中网站",
                                 url="https://www.no2.example.cn/", responsible=world.other_admin, filed_on=filed)
    return {"website": website, "wechat": wechat}


def _generate(world, period, **kw):
    start, end = period
    return selfinspection.do_generate_self_inspection(world.school, period_start=start, period_end=end,
                                                      acting_user=world.publicity, **kw)


def test_self_inspection_counts_platforms_groups_problems_and_rectifications(world, registry_world, period):
    report = _generate(world, period)
    fig = report.figures
    publications = {p["name"]: p["publications"] for p in fig["platforms"]}
    assert publications == {"第一中学网站": 3, "和悦金地": 2, "一中艺体": 0}
    assert fig["channel_counts"] == {"website": 1, "wechat_official": 1, "kuaishou": 1}
    assert fig["group_counts"] == {"wechat": 5, "qq": 1}
    levels = {(g["level"], g["type"]): g["count"] for g in fig["groups"]}
    assert levels == {("school", "wechat"): 4, ("school", "qq"): 1, ("class", "wechat"): 1}
    problems = fig["problems"]
    assert [p["name"] for p in problems["dormant"]] == ["一中艺体"]
    assert [p["name"] for p in problems["unfiled"]] == ["私建的群"]
    assert [(p["name"], p["reason"]) for p in problems["idle"]] == [("校运会临时工作群", "task_ended")]
    assert [(r["what"], r["name"]) for r in fig["rectifications"]] == [("group_dissolved", "卫生工作上报QQ群")]
    assert "二中网站" not in json.dumps(fig, ensure_ascii=False)


def test_self_inspection_channel_counts_equal_registry_list(world, registry_world, period):
    out = io.StringIO()
    call_command("registry", "list", "--org", "no1", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    live = [r for r in rows if r["status"] in LIVE_STATUSES]
    expected_channels, expected_groups = {}, {}
    for r in live:
        target = expected_channels if r["kind"] == "channel" else expected_groups
        target[r["type"]] = target.get(r["type"], 0) + 1
    report = _generate(world, period)
    assert report.figures["channel_counts"] == expected_channels
    assert report.figures["group_counts"] == expected_groups
    text, tables, _doc = _text(archive.read(archive.versions(report).last()))
    n_channels = sum(expected_channels.values())
    assert f"我校目前在使用的新媒体平台共{n_channels}个" in text
    assert len(tables[0]) == 1 + n_channels  # header + one row per channel in use
    assert f"在用工作群共{sum(expected_groups.values())}个" in text
    assert sum(int(row[2]) for row in tables[1][1:]) == sum(expected_groups.values())


def test_self_inspection_docx_has_the_sections_tables_and_numbers(world, registry_world, period):
    report = _generate(world, period, remarks="已逐项核对。")
    text, tables, doc = _text(selfinspection.document(report))
    for heading in ("一、学校目前新媒体平台使用情况", "二、本次自查整改情况", "三、自查中发现的问题", "四、下一步打算",
                    "五、其他说明"):
        assert heading in text
    assert doc.paragraphs[0].text == "第一中学新媒体平台自查整改情况报告（草稿）"
    assert "根据示范县教育局关于进一步加强教育系统新媒体管理工作的要求" in text
    website = next(row for row in tables[0] if row[2] == "第一中学网站")
    assert website[1] == "学校网站" and website[4] == "3"
    assert "学校层面建立的工作群QQ群1个、微信群4个；班级层面的群微信群1个" in text
    assert "长期未更新的账号（1项）" in text and "快手“一中艺体”" in text
    assert "私自建群、开设账号未备案（1项）" in text and "闲置群清理不及时（1项）" in text
    rectified = tables[2]
    assert rectified[0] == ["序号", "日期", "整改内容", "说明"]
    assert rectified[1][2] == "解散群“卫生工作上报QQ群”"
    assert "“三审三校”" in text  # the default next steps
    assert "已逐项核对。" in text


def test_edit_regenerate_finalise_and_the_archive(world, registry_world, period, settings):
    report = _generate(world, period)
    selfinspection.do_edit_self_inspection(report, acting_user=world.publicity, next_steps="1. 本校下一步打算。")
    assert report.version == 2
    selfinspection.do_regenerate_self_inspection(report, acting_user=world.publicity)
    assert report.version == 3 and report.next_steps == "1. 本校下一步打算。"
    selfinspection.do_finalise_self_inspection(report, acting_user=world.publicity)
    report.refresh_from_db()
    assert report.status == SelfInspectionReport.Status.FINAL and report.finalised_by == world.publicity
    steps = list(archive.versions(report).values_list("version", "step"))
    assert steps == [(1, "generated"), (2, "edited"), (3, "regenerated"), (4, "finalised")]
    final = archive.versions(report).last()
    data = archive.read(final)
    assert hashlib.sha256(data).hexdigest() == final.sha256
    text, _tables, doc = _text(data)
    assert doc.paragraphs[0].text == "第一中学新媒体平台自查整改情况报告" and "1. 本校下一步打算。" in text
    for step in (lambda: selfinspection.do_edit_self_inspection(report, acting_user=world.publicity, remarks="x"),
                 lambda: selfinspection.do_regenerate_self_inspection(report, acting_user=world.publicity),
                 lambda: selfinspection.do_finalise_self_inspection(report, acting_user=world.publicity)):
        with pytest.raises(ValidationError) as exc:
            step()
        assert "status" in exc.value.message_dict
    assert archive.versions(report).count() == 4
    # the command line writes the archived final file for exactly that period
    out = io.BytesIO()
    start, end = period
    path = str(settings.MEDIA_ROOT / "cli.docx")
    call_command("report", "self-inspection", "--org", "no1", "--from", start.isoformat(), "--to", end.isoformat(),
                 "-o", path, stdout=io.StringIO())
    with open(path, "rb") as fh:
        out.write(fh.read())
    assert hashlib.sha256(out.getvalue()).hexdigest() == final.sha256


def test_a_tampered_archive_file_is_refused(world, registry_world, period):
    report = _generate(world, period)
    row = archive.versions(report).last()
    with open(row.file.path, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(ValueError):
        archive.read(row)


def test_writing_needs_the_permission_and_a_school(world, period):
    start, end = period
    with pytest.raises(PermissionDenied):
        selfinspection.do_generate_self_inspection(world.school, period_start=start, period_end=end,
                                                   acting_user=world.editor)
    with pytest.raises(ValidationError) as exc:
        selfinspection.do_generate_self_inspection(world.school, period_start=end, period_end=start,
                                                   acting_user=world.publicity)
    assert "period_end" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        selfinspection.do_generate_self_inspection(world.bureau, period_start=start, period_end=end,
                                                   acting_user=world.bureau_admin)
    assert "organization" in exc.value.message_dict


def test_audit_records_every_write(world, registry_world, period):
    from yuqing.audit.models import AuditRecord

    report = _generate(world, period)
    selfinspection.do_edit_self_inspection(report, acting_user=world.publicity, remarks="备注")
    selfinspection.do_finalise_self_inspection(report, acting_user=world.publicity)
    briefing.do_generate_briefing(world.school, timezone.localdate().isoformat(), acting_user=world.monitor)
    actions = list(AuditRecord.objects.filter(action__startswith="self_inspection.").order_by("pk").values_list("action", flat=True))
    assert actions == ["self_inspection.create", "self_inspection.update", "self_inspection.finalise"]
    assert AuditRecord.objects.filter(action="briefing.create", actor_name__isnull=False).exists()


# ---------------------------------------------------------------------------------------------- briefings

@pytest.mark.parametrize(("code", "kind", "start", "end"), [
    ("2026-12-01", "day", dt.date(2026, 12, 1), dt.date(2026, 12, 1)),
    ("2026-W48", "week", dt.date(2026, 11, 23), dt.date(2026, 11, 29)),
    ("2026-w1", "week", dt.date(2025, 12, 29), dt.date(2026, 1, 4)),
    ("2026-11", "month", dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
    ("2026-12", "month", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
])
def test_periods(code, kind, start, end):
    period = briefing.parse_period(code)
    assert (period.kind, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize("code", ["2026-13", "2026-W54", "2026/11", "", "2026-02-30"])
def test_bad_periods_name_the_field(code):
    with pytest.raises(ValidationError) as exc:
        briefing.parse_period(code)
    assert "period" in exc.value.message_dict


def _event(world, title, level, at, mentions=0):
    from yuqing.detection.models import Event

    return Event.objects.create(organization=world.school, title=title, level=level, first_seen_at=at,
                                last_seen_at=at, mention_count=mentions)


def test_briefing_lists_events_with_level_summary_handling_and_the_trend(world):
    from yuqing.incidents.actions import do_open_case

    day = dt.date(2026, 11, 24)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
    canteen = _event(world, "一中食堂饭菜有虫", 3, at, mentions=12)
    _event(world, "运动会照片走红", 1, at + dt.timedelta(days=1), mentions=3)
    _event(world, "上个月的旧事", 2, at - dt.timedelta(days=40))  # outside the week
    do_open_case(organization=world.school, acting_user=world.publicity, title="食堂处置", level="重大",
                 event=canteen, summary="家长反映饭菜中有虫，学校已封存留样。", opened_at=at)
    do_open_case(organization=world.school, acting_user=world.publicity, title="家长来电投诉校车", level="一般",
                 summary="家长来电反映校车晚点。", opened_at=at + dt.timedelta(days=2))
    fig = briefing.compile_figures(world.bureau, briefing.parse_period("2026-W48"), today=dt.date(2026, 12, 2))
    assert [e["title"] for e in fig["top_events"]] == ["一中食堂饭菜有虫", "运动会照片走红", "家长来电投诉校车"]
    assert fig["events_by_level"] == {"1": 2, "2": 0, "3": 1, "4": 0}
    assert fig["cases_opened"] == 2
    trend = {t["date"]: t["events"] for t in fig["trend"]}
    assert len(trend) == 7 and trend["2026-11-24"] == 1 and trend["2026-11-25"] == 1
    b = briefing.do_generate_briefing(world.bureau, "2026-W48", acting_user=world.supervisor)
    text, tables, doc = _text(archive.read(archive.versions(b).last()))
    assert doc.paragraphs[0].text == "示范县教育局\n网络舆情周报"
    for heading in ("一、总体情况", "二、舆情走势", "三、主要舆情及处置情况", "四、工作建议"):
        assert heading in text
    assert "2026年第48周（11月23日至11月29日）" in text and "涉及舆情事件3起（一般2起、重大1起）" in text
    with translation.override("zh-hans"):
        status = str(Case.Status.OPEN.label)
    assert f"级别：重大；首次发现：2026-11-24 09:30；相关信息12条；处置情况：{status}。" in text
    assert "家长反映饭菜中有虫，学校已封存留样。" in text and "家长来电投诉校车" in text
    assert len(doc.inline_shapes) == 1  # the trend chart
    trend_table = tables[1]
    assert trend_table[0] == ["日期", "相关信息", "负面信息", "新增事件"] and len(trend_table) == 8
    assert trend_table[2] == ["2026年11月24日", "0", "0", "1"]
    again = briefing.do_generate_briefing(world.bureau, "2026-W48", acting_user=world.supervisor)
    assert again.pk == b.pk and again.version == 2
    assert list(archive.versions(b).values_list("step", flat=True)) == ["generated", "regenerated"]


def test_a_school_briefing_leaves_out_other_schools(world):
    from yuqing.detection.models import Event

    at = timezone.make_aware(dt.datetime(2026, 11, 24, 9))
    Event.objects.create(organization=world.other_school, title="二中的事", level=1, first_seen_at=at,
                         last_seen_at=at)
    fig = briefing.compile_figures(world.school, briefing.parse_period("2026-11"), today=dt.date(2026, 12, 2))
    assert fig["top_events"] == [] and fig["events"] == 0 and len(fig["trend"]) == 30


def test_briefing_and_daily_from_the_command_line(world, tmp_path):
    from yuqing.reports import daily

    daily.compile_daily(world.school, dt.date(2026, 12, 1), now=timezone.make_aware(dt.datetime(2026, 12, 1, 16, 30)))
    for args, name in (([ "briefing", "--org", "bureau-a", "--period", "2026-11"], "b.docx"),
                       (["briefing", "--org", "no1", "--period", "2026-12-01"], "d.docx"),
                       (["daily", "--org", "no1", "--date", "2026-12-01"], "daily.docx")):
        out = io.StringIO()
        call_command("report", *args, "-o", str(tmp_path / name), stdout=out)
        assert "wrote" in out.getvalue()
        text, _tables, _doc = _text((tmp_path / name).read_bytes())
        assert text
    assert "网络舆情月报" in _text((tmp_path / "b.docx").read_bytes())[0]
    assert "网络舆情日报" in _text((tmp_path / "d.docx").read_bytes())[0]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("report", "briefing", "--org", "no1", "--period", "2026-13", "-o", str(tmp_path / "x.docx"))
    with pytest.raises(CommandError):
        call_command("report", "self-inspection", "--org", "bureau-a", "--from", "2026-11-01", "--to", "2026-11-30",
                     "-o", str(tmp_path / "x.docx"))


def test_the_chart_is_a_png_and_bounded():
    from yuqing.documents.trendchart import bar_chart_png

    png = bar_chart_png([f"11-{d:02d}" for d in range(1, 31)], [list(range(30)), [d // 3 for d in range(30)]])
    assert png.startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        bar_chart_png(["a"], [[1, 2]])


def test_report_file_ids_never_repeat_a_version(world, registry_world, period):
    from django.db import IntegrityError, transaction

    report = _generate(world, period)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            ReportFile.objects.create(organization=world.school, kind="self_inspection", report_id=report.pk,
                                      version=1, step="edited", name="x", sha256="0", size=0,
                                      made_at=timezone.now())

