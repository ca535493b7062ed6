"""Property: the Aho-Corasick matcher agrees with a naive reference implementation of the overlap rule."""

from hypothesis import given, settings
from hypothesis import strategies as st

from yuqing.textcheck import normalize_text, parse_lexicon
from yuqing.textcheck.checker import TextChecker
from yuqing.textcheck.matcher import Matcher

TERM_ALPHABET = "ab赌博最后"
TEXT_ALPHABET = TERM_ALPHABET + "AB賭 *\u200b。.．😀"


def reference(normalized: str, deny: set[str], allow: set[str]) -> list[tuple[int, int, str]]:
    """Leftmost-longest non-overlapping by brute force, then drop matches an allow occurrence covers."""
    found, pos = [], 0
    while pos < len(normalized):
        for start in range(pos, len(normalized)):
            here = [t for t in deny if normalized.startswith(t, start)]
            if here:
                term = max(here, key=len)
                found.append((start, start + len(term), term))
                pos = start + len(term)
                break
        else:
            break
    allowed = [(i, i + len(a)) for a in allow for i in range(len(normalized)) if normalized.startswith(a, i)]
    return [m for m in found if not any(a <= m[0] and m[1] <= b for a, b in allowed)]


terms = st.text(alphabet=TERM_ALPHABET, min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=TEXT_ALPHABET, max_size=40), deny=st.sets(terms, max_size=8),
       allow=st.sets(terms, max_size=3))
def test_matcher_agrees_with_reference(text, deny, allow):
    lines = ["@category: x", *sorted(deny), "@kind: allow", *sorted(allow)]
    matcher = Matcher([parse_lexicon("\n".join(lines))])
    normalized = normalize_text(text)
    got = [(s, e, entry.normalized) for s, e, entry in matcher.find(normalized)]
    assert got == reference(normalized, deny, allow)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=TEXT_ALPHABET, max_size=40), deny=st.sets(terms, min_size=1, max_size=6))
def test_findings_map_back_to_matching_original_text(text, deny):
    checker = TextChecker([parse_lexicon("\n".join(["@category: x", *sorted(deny)]))])
    for finding in checker.lexicon_findings(text):
        assert text[finding.start:finding.end] == finding.matched
        assert normalize_text(finding.matched) == finding.normalized
        # the span starts and ends on characters that survive normalisation
        assert normalize_text(finding.matched[0]) and normalize_text(finding.matched[-1])


BATCH_ALPHABET = TEXT_ALPHABET + "1386579024１３８@＠x.cn号路街\n -"


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.text(alphabet=BATCH_ALPHABET, max_size=30), max_size=6), deny=st.sets(terms, max_size=6))
def test_checking_in_bulk_gives_the_same_findings_as_one_by_one(texts, deny):
    checker = TextChecker([parse_lexicon("\n".join(["@category: x", *sorted(deny)]))])
    assert checker.check_many(texts) == [checker.check(t) for t in texts]
