"""``yuqing analyze``: JSON lines out, exit code 2 on bad input."""

from __future__ import annotations

import io
import json

import pytest

from yuqing.analysis.cli import main


def run(capsys, argv, stdin_text=None, monkeypatch=None):
    if stdin_text is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin_text))
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_one_json_object_per_input_line(tmp_path, capsys):
    path = tmp_path / "posts.txt"
    path.write_text("食堂饭菜发霉，孩子拉肚子，气死了\n\n今天好开心！\n", encoding="utf-8")
    code, out, _err = run(capsys, [str(path), "--format", "json"])
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) >= {"negativity", "label", "offensive", "categories", "matched_terms"}
    assert rows[0]["label"] == "negative" and rows[0]["categories"] == ["food_safety"]
    assert rows[2]["label"] == "positive" and rows[2]["negativity"] < 0.4


def test_reads_standard_input(capsys, monkeypatch):
    code, out, _err = run(capsys, ["-"], "学校乱收费\n", monkeypatch)
    assert code == 0
    assert json.loads(out)["categories"] == ["fees"]


def test_missing_file_exits_2_with_message(tmp_path, capsys):
    code, out, err = run(capsys, [str(tmp_path / "nope.txt")])
    assert code == 2 and out == ""
    assert "cannot read" in err


def test_invalid_utf8_exits_2(tmp_path, capsys):
    path = tmp_path / "gbk.txt"
    path.write_bytes("食堂饭菜发霉".encode("gbk"))
    code, _out, err = run(capsys, [str(path)])
    assert code == 2
    assert "not valid UTF-8" in err


def test_unknown_format_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["-", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_unreadable_model_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"junk")
    code, _out, err = run(capsys, ["-", "--model", str(bad)])
    assert code == 2 and "cannot read model" in err
