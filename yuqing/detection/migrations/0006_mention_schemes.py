"""One mention per post and organisation: add the matched schemes and merge the duplicate mentions.

Before, a post matched by two schemes (the bureau's and the school's) had two mentions, judged twice and
counted twice. The duplicates of each (organisation, item) are merged into one: the judged mention is kept
(else the oldest), every matched scheme and term is kept, the other mentions' judgement history moves to it.
The unique constraint follows in 0007 (PostgreSQL refuses to alter a table with pending deletes' triggers).
"""

from django.db import migrations, models
from django.db.models import Count


def merge_duplicates(apps, schema_editor):
    Mention = apps.get_model("detection", "Mention")
    Judgement = apps.get_model("detection", "Judgement")
    Event = apps.get_model("detection", "Event")
    through = Mention.schemes.through
    # Every mention lists its own scheme first.
    through.objects.bulk_create(
        [through(mention_id=pk, scheme_id=scheme_id)
         for pk, scheme_id in Mention.objects.values_list("pk", "scheme_id").iterator(chunk_size=2000)],
        batch_size=2000, ignore_conflicts=True)
    groups = (Mention.objects.values("organization_id", "item_id").annotate(n=Count("id")).filter(n__gt=1)
              .values_list("organization_id", "item_id"))
    touched_events = set()
    for org_id, item_id in list(groups.iterator()):
        copies = list(Mention.objects.filter(organization_id=org_id, item_id=item_id).order_by("pk"))
        judged = sorted((m for m in copies if m.judged_at), key=lambda m: m.judged_at)
        keep = judged[-1] if judged else copies[0]
        others = [m for m in copies if m.pk != keep.pk]
        keep.matched_terms = list(dict.fromkeys(t for m in copies for t in (m.matched_terms or [])))
        keep.scheme_id = min(m.scheme_id for m in copies)
        if keep.event_id is None:
            keep.event_id = next((m.event_id for m in copies if m.event_id), None)
        if keep.relevance == "unjudged":
            keep.relevance = next((m.relevance for m in reversed(judged) if m.relevance != "unjudged"), "unjudged")
        if not keep.judged_sentiment:
            keep.judged_sentiment = next((m.judged_sentiment for m in reversed(judged) if m.judged_sentiment), "")
        Judgement.objects.filter(mention_id__in=[m.pk for m in others]).update(mention_id=keep.pk)
        touched_events.update(m.event_id for m in copies if m.event_id)
        # The others go first: the old (scheme, item) constraint still holds while `keep` takes the first scheme.
        Mention.objects.filter(pk__in=[m.pk for m in others]).delete()
        keep.save()
        through.objects.bulk_create(
            [through(mention_id=keep.pk, scheme_id=m.scheme_id) for m in others], ignore_conflicts=True)
    # Counts are counts of distinct posts now.
    for event_id in touched_events:
        Event.objects.filter(pk=event_id).update(mention_count=Mention.objects.filter(event_id=event_id).count())


class Migration(migrations.Migration):

    dependencies = [
        ('detection', '0005_event_keys'),
        ('monitoring', '0003_item_keyset_indexes'),
        ('orgs', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='mention',
            name='schemes',
            field=models.ManyToManyField(blank=True, related_name='matched_mentions', to='detection.scheme',
                                         verbose_name='matched schemes'),
        ),
        migrations.RunPython(merge_duplicates, migrations.RunPython.noop),
    ]
