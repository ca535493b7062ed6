"""A webhook's address and extra headers become secret settings: moved from `config` into the encrypted `secret`."""

import json

from django.db import migrations

MOVED = ("url", "headers")


def move(apps, schema_editor):
    Notifier = apps.get_model("notify", "Notifier")
    for notifier in Notifier.objects.filter(kind="webhook"):
        config = dict(notifier.config or {})
        moved = {k: config.pop(k) for k in MOVED if k in config}
        if not moved:
            continue
        try:
            secrets = json.loads(notifier.secret) if notifier.secret else {}
        except ValueError:
            secrets = {}
        secrets.update({k: v for k, v in moved.items() if v})
        notifier.config = config
        notifier.secret = json.dumps(secrets, ensure_ascii=False) if secrets else ""
        notifier.save(update_fields=["config", "secret"])


class Migration(migrations.Migration):

    dependencies = [("notify", "0004_notifier_proxy")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
