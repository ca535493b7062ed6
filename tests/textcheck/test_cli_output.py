"""`yuqing check-text --format json` is an interface: its output stays exactly what it was (issue 16)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from yuqing.textcheck import Finding, TextChecker, default_checker, parse_lexicon
from yuqing.textcheck.findings import findings_json
from yuqing.textcheck.matcher import MANY_MATCHES, Matcher, _covered

FIXTURES = Path(__file__).parent / "fixtures"


def reference_json(findings):
    """What the CLI printed before it built its JSON by hand."""
    return json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2)


def test_cli_json_on_the_fixture_is_unchanged():
    # cli_sample.json was written by the CLI before this change (json.dump with indent=2).
    out = subprocess.run([sys.executable, "-m", "yuqing.textcheck.cli", str(FIXTURES / "cli_sample.txt"),
                          "--format", "json"], capture_output=True, check=False).stdout
    assert out == (FIXTURES / "cli_sample.json").read_bytes()
    text = subprocess.run([sys.executable, "-m", "yuqing.textcheck.cli", str(FIXTURES / "cli_sample.txt")],
                          capture_output=True, check=False).stdout
    assert text == (FIXTURES / "cli_sample.out").read_bytes()


def test_hand_built_json_equals_the_json_module_for_every_kind_of_value():
    findings = [
        Finding("lexicon.x", "x", "warn", 0, 2, '引号"\\反斜杠\t\n\x00\u2028😀', "term", "建议 → \"x\""),
        Finding("format.image_size", "format", "warn", None, None, "a.jpg", "a.jpg", ""),
        Finding("lexicon.x", "x", "warn", 3, 4, "", "", ""),
    ]
    assert findings_json(findings) == reference_json(findings)
    assert findings_json([]) == reference_json([]) == "[]"


def test_long_text_json_equals_the_json_module_and_the_line_by_line_results():
    lines = (FIXTURES / "cli_sample.txt").read_text("utf-8").splitlines() * 40
    text = "\n".join(lines)
    findings = default_checker().check(text)
    assert findings_json(findings) == reference_json(findings)
    by_line, at = [], 0
    for line, result in zip(lines, default_checker().check_many(lines), strict=True):
        by_line.extend((f.rule_id, f.start + at, f.end + at, f.matched) for f in result)
        at += len(line) + 1
    assert [(f.rule_id, f.start, f.end, f.matched) for f in findings] == by_line


@pytest.mark.parametrize("repeat", [1, MANY_MATCHES + 1])
def test_bulk_allow_rule_equals_the_one_by_one_rule(repeat):
    lexicon = parse_lexicon("@category: advertising\n最\n最低\n第一\n@kind: allow\n最后\n最低限度\n第一时间\n", "t")
    matcher = Matcher([lexicon])
    data = ("最后一天最低价最低限度第一第一时间最" * repeat).encode("utf-8")
    raw = matcher._automaton.find_matches_as_indexes(data)
    slow = [m for m in raw if m[0] not in matcher._allow_contexts
            or not _covered(data, m[1], matcher._allow_contexts[m[0]])]
    assert matcher.find_bytes(data) == slow
    assert [matcher.entries[k].normalized for k, _, _ in slow[:3]] == ["最低", "第一", "最"]


def test_checker_with_a_large_lexicon_finds_the_same_in_bulk_and_one_by_one():
    words = [f"{chr(0x4E00 + i)}{chr(0x6000 + i)}" for i in range(2_500)]  # more than DFA_MAX_PATTERNS
    checker = TextChecker(lexicons=[parse_lexicon("@category: organisation\n" + "\n".join(words), "big")])
    texts = [f"这是{w}和{words[-1 - i]}。" for i, w in enumerate(words[:300])]
    assert checker.check_many(texts) == [checker.check(t) for t in texts]
    assert len(checker.check("".join(texts))) == 600
