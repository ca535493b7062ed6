"""The `yuqing` command: a thin front over the management commands and the pure-library tools."""

from __future__ import annotations

import importlib
import os
import sys

# Commands that need no database run without setting Django up, so they start fast.
PURE_COMMANDS = {
    "check-text": "yuqing.textcheck.cli",
    "analyze": "yuqing.analysis.cli",
}

# Long-running commands whose console is their log.
SERVING_COMMANDS = {"run", "worker"}

HELP = """usage: yuqing COMMAND [options]

Yuqing (舆情): new-media and public-opinion governance for schools and education bureaus.

Setting up and running:
  migrate            create or update the database tables        yuqing migrate
  demo               load demo organisations, people and data     yuqing demo
  run                web UI + embedded background worker          yuqing run --addr 127.0.0.1:8000
  worker             Celery worker and beat (needs CELERY_BROKER_URL)  yuqing worker --concurrency 2

Organisations and audit:
  org list           organisations with their slugs               yuqing org list --format json
  audit verify       check the audit log's keyed chain and anchors  yuqing audit verify
  audit anchor       write the chain's head outside the database  yuqing audit anchor
  keys rotate        re-encrypt stored secrets with a new key     yuqing keys rotate --old-key OLD
  audit export       write the audit log as CSV                   yuqing audit export --org no1-middle -o audit.csv
  token issue        print a new API token for a person           yuqing token issue editor --name ci-script
  calendar           working days with holidays and 调休            yuqing calendar add-working-days 2026-09-30 3
  calendar show      a year's holidays and make-up days           yuqing calendar show 2026

Collection:
  source add         add a source (rss, page, json, webhook)      yuqing source add --org no1-middle --kind rss --name 微博 URL
  source list        sources with their health                    yuqing source list --org no1-middle --format json
  collect --once     one collection cycle of every due source     yuqing collect --once
  import             import a CSV/XLSX/JSONL export               yuqing import posts.xlsx --org no1-middle --mapping title=标题,text=内容
  items              collected items                              yuqing items --org no1-middle --format json
  search             search items in the scheme language          yuqing search --org no1-middle '食堂 AND NOT 广告'
  retention run      remove items past their retention (batches)  yuqing retention run --dry-run

Detection:
  scheme add         add a monitoring scheme (keyword expression) yuqing scheme add --org no1-middle --name 食堂 --expr '一中 AND (食堂 OR 饭菜)'
  scheme list        schemes of an organisation                   yuqing scheme list --org no1-middle
  mentions           matched items with their analysis            yuqing mentions --org no1-middle --format json
  train-classifier   retrain the negativity model with judgements yuqing train-classifier --org no1-middle

Deadlines:
  deadlines run      mark overdue deadlines, send reminders once  yuqing deadlines run --at 2026-10-08T09:00
  deadlines list     deadlines of an organisation                 yuqing deadlines list --org no1-middle --format json

Registry (台账):
  registry list      channels and groups with dormancy            yuqing registry list --org no1-middle --format json
  registry check     run the dormancy / idleness rules now        yuqing registry check --org no1-middle --format json
  registry export    the registry as XLSX                         yuqing registry export --org no1-middle -o 台账.xlsx
  registry import    add/update from XLSX or CSV (exit 1 if refused) yuqing registry import 台账.xlsx --org no1-middle
  registry form      a filing's form (备案登记表) as DOCX         yuqing registry form 3 -o 备案登记表.docx

Reports:
  report stats       weekly / monthly statistics as XLSX or JSON  yuqing report stats --org demo-bureau --period 2026-W48 -o 统计.xlsx
  report compliance  who reported today (on_time/late/missing)    yuqing report compliance --org demo-bureau --format json
  report daily       a daily report (日报) as DOCX                 yuqing report daily --org no1-middle --date 2026-12-01 -o 日报.docx
  report self-inspection  the self-inspection report (自查报告)   yuqing report self-inspection --org no1-middle --from 2026-11-01 --to 2026-11-30 -o 自查报告.docx
  report briefing    a briefing (舆情简报): day, week or month    yuqing report briefing --org demo-bureau --period 2026-W48 -o 舆情简报.docx

Text:
  check-text         find sensitive/wrong wording, personal data  yuqing check-text draft.txt --format json
  analyze            negativity and categories, one JSON per line yuqing analyze posts.txt --format json

Every command explains itself: yuqing COMMAND --help. Any Django management command works too.
Environment: YUQING_DATA_DIR, YUQING_SITE_URL, DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS,\nYUQING_LOG_LEVEL, YUQING_LOG_FILE (see README).
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(HELP)
        return 0
    command = argv[0]
    if command in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[command])
        return int(module.main(argv[1:]) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuqing.settings")
    if command not in SERVING_COMMANDS:
        # a command prints its result; its log lines stay out of the way unless they are warnings
        os.environ.setdefault("YUQING_CONSOLE_LOG_LEVEL", "WARNING")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["yuqing", *argv])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
