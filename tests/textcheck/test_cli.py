"""`yuqing check-text`: output formats, extra lexicons and exit statuses."""

import io
import json
import subprocess
import sys

from yuqing.textcheck.cli import main


class FakeStdin(io.StringIO):
    def __init__(self, text: str):
        super().__init__()
        self.buffer = io.BytesIO(text.encode("utf-8"))


def run(argv, stdin_text=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdin=FakeStdin(stdin_text), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_clean_text_exits_zero(tmp_path):
    path = tmp_path / "news.txt"
    path.write_text("我校开展植树活动。", encoding="utf-8")
    assert run([str(path)]) == (0, "no findings\n", "")


def test_blocking_finding_exits_one_and_json_lists_findings():
    code, out, _ = run(["-", "--format", "json"], "欢迎来网上賭場，最后一天")
    assert code == 1
    (finding,) = json.loads(out)
    assert finding == {"rule_id": "lexicon.gambling", "category": "gambling", "severity": "block", "start": 3,
                       "end": 7, "matched": "网上賭場", "normalized": "网上赌场", "suggestion": ""}


def test_warnings_only_exit_zero_and_text_format_shows_suggestion():
    code, out, _ = run([], "学校按装了空调")
    assert code == 0
    assert "按装" in out and "安装" in out and "wrong_word" in out


def test_extra_lexicon_is_used(tmp_path):
    lexicon = tmp_path / "own.txt"
    lexicon.write_text("@category: organisation\n@severity: block\n食堂涨价\n", encoding="utf-8")
    code, out, _ = run(["--lexicon", str(lexicon), "--format", "json"], "食堂 涨价了")
    assert code == 1
    assert json.loads(out)[0]["category"] == "organisation"


def test_malformed_lexicon_exits_two_naming_file_and_line(tmp_path):
    lexicon = tmp_path / "bad.txt"
    lexicon.write_text("@category: x\n@severity: loud\n", encoding="utf-8")
    code, out, err = run(["--lexicon", str(lexicon)], "text")
    assert (code, out) == (2, "")
    assert f"{lexicon}:2:" in err


def test_missing_file_and_bad_usage_exit_two(tmp_path):
    code, _, err = run([str(tmp_path / "missing.txt")])
    assert code == 2 and "missing.txt" in err
    assert run(["--format", "xml"])[0] == 2


def test_undecodable_input_exits_two(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("赌博".encode("gbk"))
    code, _, err = run([str(path)])
    assert code == 2 and "UTF-8" in err


def test_module_can_be_run_with_python_m():
    result = subprocess.run([sys.executable, "-m", "yuqing.textcheck.cli", "--format", "json"],
                            input="出售冰毒".encode(), capture_output=True, timeout=60)
    assert result.returncode == 1
    assert json.loads(result.stdout)[0]["category"] == "drugs"
