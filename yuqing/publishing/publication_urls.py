"""A publication's address found later: the channel's own monitoring source collects the post under its title."""

from __future__ import annotations

from django.db.models import Q


def on_items_stored(sender, organization_id: int, new_ids, **kwargs) -> None:
    """New items of a channel's own-publication source fill in the URL of a record published there without one."""
    from yuqing.monitoring.models import Item
    from yuqing.publishing.actions import do_set_publication_url
    from yuqing.publishing.models import PublishRecord

    if not new_ids:
        return
    items = (Item.objects.filter(pk__in=new_ids, source__channels__isnull=False).exclude(url="")
             .only("pk", "title", "url", "source_id").distinct())
    for item in items:
        title = (item.title or "").strip()
        if not title:
            continue
        record = (PublishRecord.objects.filter(channels__source_id=item.source_id, url="")
                  .filter(Q(status=PublishRecord.Status.PUBLISHED) | Q(status=PublishRecord.Status.PREVIEWED))
                  .filter(title=title).order_by("-approved_at").first())
        if record is not None and item.url.startswith(("http://", "https://")):
            do_set_publication_url(record, acting_user=None, url=item.url)
