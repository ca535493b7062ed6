"""`{% retention_status %}`: the retention block of the system status page."""

from __future__ import annotations

from django import template

from yuqing.retention.engine import last_runs
from yuqing.retention.models import RetentionPolicy, default_days
from yuqing.retention.protectors import names

register = template.Library()


@register.inclusion_tag("retention/_status.html")
def retention_status():
    return {"runs": list(last_runs(5)), "default_days": default_days(), "protectors": names(),
            "policies": RetentionPolicy.objects.select_related("organization").order_by("organization__path")[:20]}
