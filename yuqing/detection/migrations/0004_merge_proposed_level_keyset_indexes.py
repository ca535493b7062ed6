# Two changes landed in parallel on 0002; this joins them.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("detection", "0003_event_proposed_level"),
        ("detection", "0003_keyset_indexes"),
    ]

    operations = []
