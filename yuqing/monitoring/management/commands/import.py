"""`yuqing import FILE --org ORG --mapping ...`: import a CSV/XLSX/JSONL export; bad rows are listed."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuqing.monitoring.actions import do_import_file
from yuqing.monitoring.forms import parse_mapping
from yuqing.orgs.commands import organization_by_slug, system_user


class Command(BaseCommand):
    help = ("Import items from a file. Example: yuqing import export.csv --org no1-middle "
            "--mapping title=标题,text=内容,url=链接,published=发布时间,comments=评论数")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--mapping", required=True, help="field=column pairs separated by commas")
        parser.add_argument("--platform", default="", help="e.g. weibo; guessed from links when empty")

    def handle(self, *args, **opts):
        org = organization_by_slug(opts["org"])
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            mapping = parse_mapping(opts["mapping"])
            outcome = do_import_file(organization=org, acting_user=system_user(), data=path.read_bytes(),
                                     filename=path.name, mapping=mapping, platform=opts["platform"])
        except ValueError as exc:
            raise CommandError(f"--mapping: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        stored = outcome.stored
        self.stdout.write(f"{outcome.rows} rows: {len(stored.new_ids)} new, {len(stored.updated_ids)} updated, "
                          f"{stored.unchanged} already known, {len(outcome.errors)} with errors")
        for e in outcome.errors:
            self.stdout.write(f"  row {e.index}{' ' + e.field if e.field else ''}: {e.message}")
