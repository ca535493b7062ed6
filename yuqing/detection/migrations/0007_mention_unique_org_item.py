"""A post is one mention per organisation (the duplicates were merged in 0006)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('detection', '0006_mention_schemes'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='mention',
            name='mention_unique_scheme_item',
        ),
        migrations.AddConstraint(
            model_name='mention',
            constraint=models.UniqueConstraint(fields=('organization', 'item'), name='mention_unique_org_item'),
        ),
    ]
