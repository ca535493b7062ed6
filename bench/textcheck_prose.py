"""False positives of the text checks on normal prose: lexicon findings per 10,000 characters (issue 16).

Run: .venv/bin/python bench/textcheck_prose.py   (make bench-textcheck runs it too)
Checks every post of the real corpora in ../shared/data (env YUQING_SHARED_DATA) with the shipped lexicons
and prints, per corpus, the lexicon findings per 10,000 characters and how many of them only exist because a
separator between two Chinese characters was ignored (their matched text holds one of . ! ? 。, which the
normalisation before issue 16 kept as boundaries). Run the same script against an older checkout
(``PYTHONPATH=/path/to/old/checkout``) to get the "before" figures.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

from yuqing.textcheck import default_checker

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("YUQING_SHARED_DATA", REPO.parent / "shared" / "data"))
if not SHARED_DATA.is_dir():
    SHARED_DATA = Path("/work/shared/data")  # a worktree under /work/wt sits one level deeper
BATCH = 1_000
FORMER_BOUNDARIES = frozenset(".!?。．！？｡")


def corpora() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, column in (("sentiment/online_shopping_10_cats.csv", "review"), ("sentiment/waimai_10k.csv", "review"),
                         ("offensive/train.csv", "TEXT"), ("offensive/dev.csv", "TEXT")):
        with (SHARED_DATA / name).open(encoding="utf-8-sig", newline="") as fh:
            found[name] = [row[column] for row in csv.DictReader(fh) if row.get(column)]
    for name in ("virus_train.txt", "usual_eval_labeled.txt", "virus_eval_labeled.txt"):
        items = json.loads((SHARED_DATA / "weibo-emotion" / name).read_text("utf-8"))
        found[f"weibo-emotion/{name}"] = [item["content"] for item in items]
    for name in ("valid.txt", "test.txt"):
        lines = (SHARED_DATA / "weibo-emotion-clue" / name).read_text("utf-8").splitlines()
        found[f"weibo-emotion-clue/{name}"] = [json.loads(line)["content"] for line in lines if line.strip()]
    return found


def main() -> int:
    if not SHARED_DATA.is_dir():
        print(f"skipped: shared data folder {SHARED_DATA} not found (set YUQING_SHARED_DATA)", file=sys.stderr)
        return 0
    checker = default_checker()
    print(f"{'corpus':44s} {'characters':>11s} {'findings':>9s} {'per 10k':>8s} {'joined':>7s}")
    totals = [0, 0, 0]
    for name, posts in corpora().items():
        chars = sum(map(len, posts))
        findings = joined = 0
        for i in range(0, len(posts), BATCH):
            for result in checker.check_many(posts[i:i + BATCH]):
                for f in result:
                    if f.rule_id.startswith("lexicon."):
                        findings += 1
                        joined += not FORMER_BOUNDARIES.isdisjoint(f.matched)
        totals = [totals[0] + chars, totals[1] + findings, totals[2] + joined]
        print(f"{name:44s} {chars:11,d} {findings:9,d} {findings * 1e4 / chars:8.2f} {joined:7,d}")
    chars, findings, joined = totals
    print(f"{'all':44s} {chars:11,d} {findings:9,d} {findings * 1e4 / chars:8.2f} {joined:7,d}")
    print("joined: findings whose matched text holds . ! ? or 。 (possible only since separators between Chinese "
          "characters are ignored)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
