"""The person's inbox page: my tasks, my notices, mark as read, and the bell's unread count."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yuqing.notify.inbox import tasks_for
from yuqing.notify.models import Notice
from yuqing.notify.notices import do_mark_notices_read, unread_count

PAGE_SIZE = 30
SOON = timedelta(hours=24)


def _own(request, pk: int) -> Notice:
    # Someone else's notice is simply not there for this person: 404, never 403.
    return get_object_or_404(Notice, pk=pk, recipient=request.user)


@login_required
def inbox(request):
    now = timezone.now()
    tasks = [{"task": t, "overdue": t.due_at is not None and t.due_at <= now,
              "soon": t.due_at is not None and now < t.due_at <= now + SOON} for t in tasks_for(request.user)]
    show = request.GET.get("show", "unread")
    notices = Notice.objects.filter(recipient=request.user).select_related("organization")
    if show != "all":
        show = "unread"
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/inbox/inbox.html", {
        "tasks": tasks, "page": page, "show": show, "unread": unread_count(request.user),
    })


@login_required
def bell(request):
    return render(request, "notify/inbox/_bell.html", {"unread": unread_count(request.user)})


@login_required
@require_POST
def notice_read(request, pk: int):
    notice = _own(request, pk)
    do_mark_notices_read(acting_user=request.user, notice_ids=[notice.pk])
    if request.headers.get("HX-Request"):
        notice.refresh_from_db()
        return render(request, "notify/inbox/_notice.html", {"n": notice, "oob_bell": True,
                                                              "unread": unread_count(request.user)})
    return redirect(_back(request))


@login_required
def notice_open(request, pk: int):
    """Follow a notice's link and count it as read."""
    notice = _own(request, pk)
    do_mark_notices_read(acting_user=request.user, notice_ids=[notice.pk])
    link = notice.link or "/inbox/"
    if not url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        link = "/inbox/"
    return redirect(link)


@login_required
@require_POST
def read_all(request):
    do_mark_notices_read(acting_user=request.user)
    return redirect(_back(request))


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/inbox/"
