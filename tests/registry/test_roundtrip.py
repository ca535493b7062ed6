"""The Excel round trip: export → import changes nothing; bad rows are named and the good ones kept."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yuqing.audit.models import AuditRecord
from yuqing.registry import actions
from yuqing.registry.models import Channel, ChatGroup, Filing
from yuqing.registry.roundtrip import export_registry, import_registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(world):
    mk = actions.do_register
    admin = world.school_admin
    mk(Channel, world.school, acting_user=admin, kind="website", name="学校网站", url="https://www.no1.example.cn/",
       responsible=world.publicity, filed_on=dt.date(2025, 9, 1), next_review_on=dt.date(2026, 9, 1))
    mk(Channel, world.school, acting_user=admin, kind="kuaishou", name="艺体快手", account_id="ks_art",
       responsible=world.editor, deputy=world.publicity, filed_on=dt.date(2025, 9, 1), unit=world.unit,
       last_publication_at=dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC))
    mk(ChatGroup, world.school, acting_user=admin, kind="wechat", name="班主任微信群", number="wx-bzr",
       owner_name="王老师", responsible=world.publicity, member_count=31, last_activity_on=dt.date(2026, 5, 20),
       filed_on=dt.date(2025, 9, 1))
    mk(ChatGroup, world.school, acting_user=admin, kind="qq", name="运动会临时群", number="998877", temporary=True,
       task_ends_on=dt.date(2026, 4, 30), responsible=world.editor)
    return world


def _sheet(data: bytes, title: str):
    return openpyxl.load_workbook(io.BytesIO(data))[title]


def test_export_has_chinese_sheets_and_dates(registry):
    data = export_registry(registry.school)
    channels = _sheet(data, "新媒体账号")
    headers = [c.value for c in channels[1]]
    assert headers[:4] == ["编号", "类型", "名称", "账号ID"] and "最近发布" in headers
    rows = {r[2]: r for r in channels.iter_rows(min_row=2, values_only=True)}
    assert rows["艺体快手"][1] == "快手" and rows["艺体快手"][6] == "editor"
    assert rows["艺体快手"][headers.index("最近发布")].date() == dt.date(2026, 5, 1)
    groups = _sheet(data, "工作群")
    names = [r[2] for r in groups.iter_rows(min_row=2, values_only=True)]
    assert set(names) == {"运动会临时群", "班主任微信群"}


def test_round_trip_changes_nothing(registry):
    before = AuditRecord.objects.count()
    snapshot = sorted(Channel.objects.values_list("name", "account_id", "url", "responsible", "deputy", "unit",
                                                  "last_publication_at", "status"))
    result = import_registry(export_registry(registry.school), "台账.xlsx", registry.school,
                             acting_user=registry.school_admin)
    assert result.errors == [] and (result.created, result.updated, result.filed) == (0, 0, 0)
    assert result.unchanged == 4
    assert AuditRecord.objects.count() == before
    assert sorted(Channel.objects.values_list("name", "account_id", "url", "responsible", "deputy", "unit",
                                              "last_publication_at", "status")) == snapshot


def test_import_adds_updates_and_names_bad_rows(registry):
    wb = openpyxl.load_workbook(io.BytesIO(export_registry(registry.school)))
    ws = wb["新媒体账号"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, col["名称"]).value == "艺体快手":
            ws.cell(row, col["用途"]).value = "发布学校艺体工作"
    ws.append(["", "微信公众号", "和悦金地", "gh_hyjd", "", "", "publicity", "", "宣传报道"])
    ws.append(["", "抖音号", "坏行一", "dy1", "", "", "nobody"])        # row 5: unknown kind
    ws.append(["", "微博", "坏行二", "wb1", "", "", "nobody"])          # row 6: unknown person
    ws.append(["", "微博", "坏行三", "wb2", "", "", "", "", "", "", "not-a-date"])  # row 7: bad date
    out = io.BytesIO()
    wb.save(out)
    result = import_registry(out.getvalue(), "台账.xlsx", registry.school, acting_user=registry.school_admin)
    assert (result.created, result.updated) == (1, 1)
    assert len(result.errors) == 3
    assert result.errors[0].startswith("row 5, column 类型:")
    assert result.errors[1].startswith("row 6, column 负责人:")
    assert result.errors[2].startswith("row 7, column 备案日期:")
    assert Channel.objects.get(name="艺体快手").purpose == "发布学校艺体工作"
    new = Channel.objects.get(account_id="gh_hyjd")
    assert new.kind == "wechat_official" and new.status == "active" and new.responsible == registry.publicity


def test_editor_import_files_changes_instead(registry):
    data = export_registry(registry.school)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["工作群"]
    headers = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 3).value == "班主任微信群":
            ws.cell(row, headers.index("成员数") + 1).value = 35
    out = io.BytesIO()
    wb.save(out)
    result = import_registry(out.getvalue(), "x.xlsx", registry.school, acting_user=registry.editor)
    assert result.filed == 1 and result.updated == 0
    filing = Filing.objects.get(action="change")
    assert filing.proposed == {"member_count": 35} and ChatGroup.objects.get(number="wx-bzr").member_count == 31


def test_gb18030_csv_from_a_school_spreadsheet(world):
    text = ("类型,名称,群号,所属部门/班级,群主,负责人,临时任务,成员数,最近活动\r\n"
            "QQ群,全体教师QQ群,123456,办公室,李老师,publicity,否,86,2026/05/18\r\n"
            "微信群,支委微信群,,办公室,张书记,editor,否,7,2026-05-19\r\n"
            "钉钉群,卫生上报群,55555,,,,是,,\r\n")
    result = import_registry(text.encode("gb18030"), "工作群.csv", world.school, acting_user=world.school_admin)
    assert result.created == 2
    assert result.errors == ["row 4, column 任务结束日期: A temporary group needs the date its task ends."]
    qq = ChatGroup.objects.get(number="123456")
    assert (qq.kind, qq.unit, qq.owner_name, qq.member_count) == ("qq", world.unit, "李老师", 86)
    assert qq.last_activity_on == dt.date(2026, 5, 18) and qq.last_activity_origin == "imported"


def test_cli_export_import_exit_codes(registry, tmp_path):
    path = tmp_path / "台账.xlsx"
    call_command("registry", "export", "--org", "no1", "-o", str(path))
    call_command("registry", "import", str(path), "--org", "no1")  # unchanged: exit 0
    bad = tmp_path / "bad.csv"
    bad.write_text("类型,名称,账号ID,负责人\n微博,一中微博,wb9,publicity\n火星号,坏,x,publicity\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("registry", "import", str(bad), "--org", "no1")
    assert exc.value.returncode == 1
    assert Channel.objects.filter(account_id="wb9").exists()  # the good row was kept
    template = tmp_path / "template.xlsx"
    call_command("registry", "export", "--org", "no1", "-o", str(template), "--template")
    assert _sheet(template.read_bytes(), "新媒体账号").max_row == 1


def test_yuqing_command_exits_1_when_a_row_was_refused(registry, tmp_path):
    """The real `yuqing` entry point: the exit status scripts see."""
    from yuqing.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("类型,名称\n火星号,坏\n", encoding="utf-8")
    assert main(["registry", "import", str(bad), "--org", "no1"]) == 1
