"""The search index table (vendor-specific: tsvector + GIN, or FTS5) and the index of the items already stored."""

from django.db import migrations


def create(apps, schema_editor):
    from yuqing.search.indexing import create_schema

    create_schema(schema_editor)


def drop(apps, schema_editor):
    from yuqing.search.indexing import drop_schema

    drop_schema(schema_editor)


def backfill(apps, schema_editor):
    from yuqing.search.indexing import reindex

    reindex()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_item_keyset_indexes")]

    operations = [
        migrations.RunPython(create, drop),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
