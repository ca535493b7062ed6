"""The registry pages through HTTP: lists with filters, applying, deciding, the form, the bureau's overview."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
import pytest
from django.utils import timezone

from yuqing.registry import actions
from yuqing.registry.models import Channel, ChatGroup, Filing, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world):
    admin = world.school_admin
    actions.do_register_channel(world.school, acting_user=admin, kind="website", name="学校网站",
                                url="https://www.no1.example.cn/", responsible=world.publicity,
                                filed_on=dt.date(2025, 9, 1), last_publication_at=timezone.now())
    actions.do_register_channel(world.school, acting_user=admin, kind="kuaishou", name="艺体快手",
                                account_id="ks_art", responsible=world.editor, filed_on=dt.date(2025, 9, 1),
                                last_publication_at=timezone.now() - dt.timedelta(days=21))
    actions.do_register_group(world.school, acting_user=admin, kind="qq", name="全体教师QQ群", number="10001",
                              responsible=world.publicity, unit=world.unit, last_activity_on=timezone.localdate())
    actions.do_register_channel(world.other_school, acting_user=world.other_admin, kind="weibo", name="二中微博",
                                responsible=world.other_admin)
    actions.do_register_channel(world.far_school, acting_user=world.root, kind="douyin", name="邻县抖音",
                                responsible=None, status="approved")
    return world


def test_lists_filter_by_kind_status_unit_and_dormancy(seeded, login):
    client = login(seeded.editor)
    page = client.get("/registry/").content.decode()
    assert "学校网站" in page and "艺体快手" in page and "二中微博" not in page
    dormant = client.get("/registry/?flag=1").content.decode()
    assert "艺体快手" in dormant and "学校网站" not in dormant
    assert "学校网站" not in client.get("/registry/?kind=kuaishou").content.decode()
    assert "艺体快手" not in client.get("/registry/?status=suspended").content.decode()
    groups = client.get(f"/registry/groups/?unit={seeded.unit.pk}").content.decode()
    assert "全体教师QQ群" in groups


def test_apply_decide_and_download_the_form(seeded, login):
    client = login(seeded.editor)
    bad = client.post("/registry/channels/new/", {"kind": "wechat_official", "name": "", "reason": "宣传"})
    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    answer = client.post("/registry/channels/new/", {"kind": "wechat_official", "name": "和悦金地",
                                                     "account_id": "gh_hyjd", "responsible": seeded.editor.pk,
                                                     "reason": "发布学校报道及各类宣传"})
    assert answer.status_code == 302
    filing = Filing.objects.get(channel__name="和悦金地")
    # the editor may not decide
    assert "name=\"decision\" value=\"approve\"" not in client.get(filing.get_absolute_url()).content.decode()
    assert client.post(filing.get_absolute_url(), {"decision": "approve"}).status_code == 403
    client = login(seeded.publicity)
    page = client.get(filing.get_absolute_url()).content.decode()
    assert "value=\"approve\"" in page
    assert client.post(filing.get_absolute_url(), {"decision": "approve", "comment": "同意"}).status_code == 302
    assert Channel.objects.get(name="和悦金地").status == Status.APPROVED
    form = client.get(f"/registry/filings/{filing.pk}/form.docx")
    assert form.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(form.content)).paragraphs)
    cells = [c.text for t in docx.Document(io.BytesIO(form.content)).tables for row in t.rows for c in row.cells]
    assert "备案登记表" in text and "和悦金地" in cells and "gh_hyjd" in cells and "申请人签字" in cells


def test_detail_moves_and_reason_errors(seeded, login):
    channel = Channel.objects.get(name="艺体快手")
    client = login(seeded.publicity)
    page = client.get(channel.get_absolute_url()).content.decode()
    assert "value=\"suspended\"" in page and "21" in page
    client.post(f"/registry/channels/{channel.pk}/move/", {"to": "suspended", "reason": ""})
    assert Channel.objects.get(pk=channel.pk).status == Status.ACTIVE
    client.post(f"/registry/channels/{channel.pk}/move/", {"to": "suspended", "reason": "假期停更"})
    assert Channel.objects.get(pk=channel.pk).status == Status.SUSPENDED
    # other schools' entries are invisible
    far = Channel.objects.get(name="二中微博")
    assert client.get(far.get_absolute_url()).status_code == 404


def test_bureau_sees_its_schools_and_no_other_bureaus(seeded, login):
    client = login(seeded.supervisor)
    page = client.get("/registry/overview/").content.decode()
    assert "第一中学" in page and "第二中学" in page and "邻县中学" not in page
    data = client.get("/registry/overview/export.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(data.content)).active
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"第一中学", "第二中学"}
    headers = [c.value for c in ws[1]]
    assert rows["第一中学"][headers.index("新媒体账号")] == 2 and rows["第一中学"][headers.index("未更新（14天）")] == 1
    drill = client.get("/registry/?org=no1").content.decode()
    assert "艺体快手" in drill and "二中微博" not in drill
    client = login(seeded.other_supervisor)
    page = client.get("/registry/overview/").content.decode()
    assert "邻县中学" in page and "第一中学" not in page
    assert "艺体快手" not in client.get("/registry/?org=no1").content.decode()


def test_export_import_pages(seeded, login):
    client = login(seeded.school_admin)
    data = client.get("/registry/export.xlsx").content
    upload = io.BytesIO(data)
    upload.name = "台账.xlsx"
    answer = client.post("/registry/import/", {"file": upload})
    assert answer.status_code == 200 and "3 unchanged" in answer.content.decode(), answer.content.decode()[-3000:]
    bad = io.BytesIO("类型,名称,负责人\n火星号,坏,publicity\n".encode())
    bad.name = "bad.csv"
    page = client.post("/registry/import/", {"file": bad}).content.decode()
    assert "row 2, column 类型" in page


def test_chinese_pages(seeded, login, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = login(seeded.editor)
    page = client.get("/registry/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "台账" in page and "快手" in page and "负责人" in page
    assert ChatGroup.objects.exists()
