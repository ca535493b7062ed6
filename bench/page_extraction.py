"""Article extraction on real Chinese pages: exact-title rate and body character F1 (issue 16).

Run: .venv/bin/python bench/page_extraction.py
For every tests/collection/pages/NAME.html with its NAME.json (expected title and body), extracts the article
with yuqing.collection's page connector and prints whether the title is exact and the body's character F1
(multisets of non-space characters). Run it with ``PYTHONPATH=/path/to/older/checkout`` for "before" figures.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from yuqing.collection.connectors.page.parse import extract_article

PAGES = Path(__file__).resolve().parents[1] / "tests" / "collection" / "pages"


def char_f1(got: str, want: str) -> float:
    a, b = Counter("".join(got.split())), Counter("".join(want.split()))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def main() -> int:
    exact, scores = 0, []
    for page in sorted(PAGES.glob("*.html")):
        want = json.loads(page.with_suffix(".json").read_text("utf-8"))
        entry = extract_article(page.read_text("utf-8"), f"https://example.cn/{page.stem}.html")
        f1 = char_f1(entry.text, want["body"])
        exact += entry.title == want["title"]
        scores.append(f1)
        print(f"{page.stem:28s} title {'exact' if entry.title == want['title'] else 'WRONG'}  body F1 {f1:.3f}"
              f"  got title {entry.title!r}")
    print(f"pages: {len(scores)}; exact titles: {exact}/{len(scores)} ({exact / len(scores):.2f}); "
          f"mean body character F1: {sum(scores) / len(scores):.3f}; lowest: {min(scores):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
