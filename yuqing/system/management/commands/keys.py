"""`yuqing keys check|rotate`: check that every stored secret opens, or re-encrypt them all with the current key."""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from yuqing import encryption
from yuqing.encryption import EncryptedTextField


def encrypted_columns():
    """(model, field) for every encrypted column of the project."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


def _raw_values(model, field):
    # Read the stored text itself: the field would decrypt it with the current key on load.
    table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
    with connection.cursor() as cur:
        cur.execute(f'SELECT "{pk}", "{column}" FROM "{table}" WHERE "{column}" <> %s', [""])
        return cur.fetchall()


def _open(stored: str, fernet) -> str:
    if not stored.startswith(encryption._PREFIX):
        raise ValueError("not an encrypted value")
    return fernet.decrypt(stored[len(encryption._PREFIX):].encode()).decode()


class Command(BaseCommand):
    help = ("Encryption keys. Examples: yuqing keys check; "
            "YUQING_ENCRYPTION_KEY=<new> yuqing keys rotate --old-key '<old key>'")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="check|rotate")
        sub.add_parser("check", help="tell whether every stored secret opens with the current key")
        rot = sub.add_parser("rotate", help="re-encrypt every stored secret from the old key to the current one")
        rot.add_argument("--old-key", default="", help="the previous YUQING_ENCRYPTION_KEY (or SECRET_KEY)")
        rot.add_argument("--old-key-from-secret-key", action="store_true",
                         help="the old key is the current SECRET_KEY (moving to an encryption key of its own)")

    def handle(self, *args, **opts):
        current = encryption._current()
        if opts["action"] == "check":
            bad = []
            total = 0
            for model, field in encrypted_columns():
                for pk, stored in _raw_values(model, field):
                    total += 1
                    try:
                        _open(stored, current)
                    except (InvalidToken, ValueError):
                        bad.append(f"{model._meta.label}.{field.name} #{pk}")
            if bad:
                raise CommandError(f"{len(bad)} of {total} stored secrets do not open with the current key: "
                                   + ", ".join(bad[:20]))
            self.stdout.write(f"all {total} stored secrets open with the current key")
            return
        old_material = settings.SECRET_KEY if opts["old_key_from_secret_key"] else opts["old_key"]
        if not old_material:
            raise CommandError("--old-key: give the previous key (or --old-key-from-secret-key)")
        old = encryption._fernet(old_material)
        changed = kept = 0
        with transaction.atomic():
            for model, field in encrypted_columns():
                table, column, pk_col = model._meta.db_table, field.column, model._meta.pk.column
                for pk, stored in _raw_values(model, field):
                    try:
                        _open(stored, current)
                        kept += 1  # already under the current key (a second run, or never encrypted before)
                        continue
                    except (InvalidToken, ValueError):
                        pass
                    try:
                        plain = _open(stored, old)
                    except (InvalidToken, ValueError) as exc:
                        raise CommandError(f"{model._meta.label}.{field.name} #{pk} opens with neither key; "
                                           "nothing was changed") from exc
                    with connection.cursor() as cur:
                        cur.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE "{pk_col}" = %s',
                                    [encryption.encrypt(plain), pk])
                    changed += 1
        self.stdout.write(f"re-encrypted {changed} stored secrets with the current key ({kept} already were)")
