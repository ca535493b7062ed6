"""{% inbox_bell %}: the header's bell with the person's unread notices."""

from django import template

from yuqing.notify.notices import unread_count

register = template.Library()


@register.inclusion_tag("notify/inbox/_bell.html", takes_context=True)
def inbox_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": unread_count(user)}
