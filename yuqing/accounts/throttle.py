"""Login throttling beyond django-axes' per-name lock: an address that fails for many user names is a sprayer."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone


def address_is_spraying(request) -> bool:
    """True when this address failed to log in as YUQING_LOGIN_SPRAY_LIMIT different people within the lock-out
    time: one password tried over many user names never reaches the per-name limit, so it is counted here."""
    limit = settings.YUQING_LOGIN_SPRAY_LIMIT
    address = get_client_ip_address(request)
    if limit <= 0 or not address:
        return False
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    names = (AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since, failures_since_start__gt=0)
             .values("username").distinct().count())
    return names >= limit
