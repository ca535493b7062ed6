"""On PostgreSQL, follow deleted items with a trigger instead of a foreign key.

A foreign key from the raw index table to monitoring_item makes Django's flush (TRUNCATE of its own tables, used
between transactional tests and by `flush`) refuse to run, because it does not know the index table. A trigger
removes a deleted item's index row just the same and leaves TRUNCATE alone; SQLite already works this way.
"""

from django.db import migrations

TABLE = "search_itemdoc"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {TABLE}_item_id_fkey")
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {TABLE}_item_deleted() RETURNS trigger AS $$ "
        f"BEGIN DELETE FROM {TABLE} WHERE item_id = OLD.id; RETURN OLD; END $$ LANGUAGE plpgsql")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_item_deleted ON monitoring_item")
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_item_deleted AFTER DELETE ON monitoring_item "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_item_deleted()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_item_deleted ON monitoring_item")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {TABLE}_item_deleted()")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_item_index")]

    operations = [migrations.RunPython(forwards, backwards)]
