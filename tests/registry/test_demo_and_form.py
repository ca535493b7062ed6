"""The demo registry is shaped like seed 000 and loads twice without duplicates; the filing form by command."""

from __future__ import annotations

import io
import json
from io import StringIO

import docx
import pytest
from django.core.management import call_command

from yuqing.orgs import demo as org_demo
from yuqing.registry import checks, demo
from yuqing.registry.models import Channel, ChatGroup, Filing

pytestmark = pytest.mark.django_db


def test_demo_registry_like_the_self_inspection(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    org_demo.load()
    assert demo.load()
    assert demo.load() is None  # idempotent
    kinds = set(Channel.objects.filter(organization__slug="no1-middle", status="active").values_list("kind",
                                                                                                     flat=True))
    assert kinds == {"website", "kuaishou", "wechat_official"}
    groups = ChatGroup.objects.filter(organization__slug="no1-middle")
    assert groups.filter(kind="qq").count() == 4 and groups.filter(kind="wechat", unit__unit_type="department") \
        .count() == 3
    findings = checks.run(Channel.objects.get(kind="kuaishou").organization)
    assert [(c.kind, days) for c, days in findings.dormant] == [("kuaishou", 21)]
    assert "task_ended" in {p.reason for p in findings.idle}
    pending = Filing.objects.get(status="pending")
    assert pending.action == "open" and pending.applicant.username == "editor"


def test_form_command_writes_a_docx_with_the_channels_data(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    org_demo.load()
    demo.load()
    filing = Filing.objects.get(status="pending")
    out = tmp_path / "备案登记表.docx"
    stdout = StringIO()
    call_command("registry", "form", str(filing.pk), "-o", str(out), stdout=stdout)
    document = docx.Document(io.BytesIO(out.read_bytes()))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "一中校园抖音" in cells and "dy_no1_campus" in cells and "刘编辑" in cells
    assert any("备案登记表" in p.text for p in document.paragraphs)
    listing = StringIO()
    call_command("registry", "list", "--org", "no1-middle", "--format", "json", stdout=listing)
    assert len(json.loads(listing.getvalue())) == 15
