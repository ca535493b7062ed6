"""Lexicon files: the documented format, the shipped lexicons and errors naming file and line."""

import pytest

from yuqing.textcheck import LexiconError, load_default_lexicons, load_lexicon, parse_lexicon


def test_directives_apply_to_the_following_lines():
    lexicon = parse_lexicon("# c\n@category: gambling\n赌场\n@severity: info\n赌资\n按装 => 安装\n")
    by_term = {e.term: e for e in lexicon.entries}
    assert by_term["赌场"].severity == "block"  # the gambling default
    assert by_term["赌资"].severity == "info"
    assert by_term["按装"].suggestion == "安装"


def test_allow_entries_need_no_category():
    lexicon = parse_lexicon("@kind: allow\n最后\n")
    assert [e.normalized for e in lexicon.allow] == ["最后"]


def test_terms_are_stored_normalised():
    (entry,) = parse_lexicon("@category: gambling\n賭 博\n").entries
    assert entry.normalized == "赌博"


def test_organisation_category_defaults_to_warn():
    (entry,) = parse_lexicon("@category: school_rumours\n某某中学食堂\n").entries
    assert (entry.category, entry.severity) == ("school_rumours", "warn")


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        ("@category: gambling\n\n@severity: fatal\n", 3, "invalid severity"),
        ("赌博\n", 1, "before any '@category:'"),
        ("@category: gambling\n赌博\n赌 博\n", 3, "duplicate term"),
        ("@category: wrong_word\n按装 =>\n", 2, "must be followed by a suggestion"),
        ("@colour: red\n", 1, "unknown directive"),
        ("@category: Gambling!\n", 1, "invalid category"),
        ("@category: x\n***\n", 2, "no letters or digits"),
        ("@kind: maybe\n", 1, "invalid kind"),
        ("@category gambling\n", 1, "malformed directive"),
    ],
)
def test_malformed_lexicon_is_rejected_with_file_and_line(tmp_path, content, line, reason):
    path = tmp_path / "school.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert reason in str(info.value)


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"@category: x\n\xff\xfe\n")
    with pytest.raises(LexiconError, match=r"bad\.txt:2: not valid UTF-8"):
        load_lexicon(path)


def test_shipped_lexicons_cover_every_category_with_sensible_severities():
    entries = [e for lexicon in load_default_lexicons() for e in lexicon.entries]
    categories = {e.category for e in entries if e.kind == "deny"}
    assert categories == {
        "pornography", "gambling", "drugs", "violence", "fraud", "insult", "advertising",
        "official_expression", "wrong_word",
    }
    for category in categories:
        assert sum(e.category == category for e in entries) >= 20, category
    wrong = [e for e in entries if e.category == "wrong_word"]
    assert all(e.suggestion and e.suggestion != e.term for e in wrong)
