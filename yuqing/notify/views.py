"""Pages: alerts and the delivery log, notifier settings with a test button, the duty roster, the demo receiver."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from yuqing.formerrors import apply_errors
from yuqing.notify import actions
from yuqing.notify.forms import DutyShiftForm, NotifierForm
from yuqing.notify.models import LEVEL_CHOICES, Alert, Delivery, DemoReceipt, DutyShift, Notifier
from yuqing.notify.transports import webhook
from yuqing.orgs import permissions
from yuqing.orgs.permissions import Perm, current_organization, visible_in_current

DEMO_RECEIPTS_KEPT = 200


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def alert_list(request):
    """Alerts and the delivery log, filtered by status, notifier and level."""
    org = current_organization(request)
    alerts = visible_in_current(request, Alert.objects.all()).select_related("event", "source")
    deliveries = (permissions.visible(request.user, Delivery.objects.all(), "alert__organization")
                  .filter(alert__organization__path__startswith=org.path)
                  .select_related("alert", "notifier"))
    status, notifier_id, level = request.GET.get("status", ""), _int(request.GET.get("notifier")), \
        _int(request.GET.get("level"))
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    if notifier_id:
        deliveries = deliveries.filter(notifier_id=notifier_id)
    if level:
        alerts = alerts.filter(level=level)
        deliveries = deliveries.filter(alert__level=level)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "notify/alert_list.html", {
        "org": org, "alerts": alerts[:30], "page": page, "query": query.urlencode(),
        "statuses": Delivery.Status.choices, "levels": LEVEL_CHOICES,
        "notifiers": visible_in_current(request, Notifier.objects.all()),
        "selected": {"status": status, "notifier": notifier_id, "level": level},
        "can_manage": permissions.has_perm(request.user, Perm.MANAGE_NOTIFIERS, org),
    })


@login_required
def alert_detail(request, pk):
    alert = permissions.get_visible_or_404(request.user, Alert.objects.select_related("event", "source"), pk=pk)
    return render(request, "notify/alert_detail.html", {
        "alert": alert, "deliveries": alert.deliveries.select_related("notifier"),
    })


@login_required
def delivery_detail(request, pk):
    delivery = permissions.get_visible_or_404(
        request.user, Delivery.objects.select_related("alert", "notifier"), "alert__organization", pk=pk
    )
    return render(request, "notify/delivery_detail.html", {"delivery": delivery})


@login_required
def notifier_list(request):
    org = current_organization(request)
    notifiers = visible_in_current(request, Notifier.objects.select_related("organization"))
    return render(request, "notify/notifier_list.html", {
        "org": org, "notifiers": notifiers, "kinds": Notifier.Kind.choices,
        "can_manage": permissions.has_perm(request.user, Perm.MANAGE_NOTIFIERS, org),
    })


@login_required
def notifier_create(request, kind):
    org = current_organization(request)
    permissions.require(request.user, Perm.MANAGE_NOTIFIERS, org)
    if kind not in Notifier.Kind.values:
        raise Http404("no such kind")
    form = NotifierForm(request.POST or None, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            notifier = actions.do_create_notifier(organization=org, kind=kind, settings=form.settings,
                                                  acting_user=request.user, **form.common())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Notifier added. Send a test message to check it."))
            return redirect("notify:notifier-edit", pk=notifier.pk)
    return render(request, "notify/notifier_form.html", {
        "form": form, "kind_label": Notifier.Kind(kind).label, "org": org,
    })


def _notifier(request, pk) -> Notifier:
    return permissions.get_visible_or_404(request.user, Notifier.objects.select_related("organization"), pk=pk)


@login_required
def notifier_edit(request, pk):
    notifier = _notifier(request, pk)
    permissions.require(request.user, Perm.MANAGE_NOTIFIERS, notifier.organization)
    form = NotifierForm(request.POST or None, kind=notifier.kind, notifier=notifier)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_notifier(notifier, acting_user=request.user, settings=form.settings, **form.common())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("notify:notifier-edit", pk=notifier.pk)
    recent = notifier.deliveries.select_related("alert")[:10]
    return render(request, "notify/notifier_form.html", {
        "form": form, "notifier": notifier, "kind_label": notifier.get_kind_display(),
        "org": notifier.organization, "recent": recent,
    })


@login_required
@require_POST
def notifier_test(request, pk):
    notifier = _notifier(request, pk)
    result = actions.do_send_test_message(notifier, acting_user=request.user)
    return render(request, "notify/test_result.html", {"notifier": notifier, "result": result})


@login_required
@require_POST
def notifier_delete(request, pk):
    notifier = _notifier(request, pk)
    actions.do_delete_notifier(notifier, acting_user=request.user)
    messages.success(request, _("Notifier removed."))
    return redirect("notify:notifier-list")


# --- duty roster -----------------------------------------------------------------------------------------

def _week_start(value: str | None) -> date:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    return day - timedelta(days=day.weekday())


@login_required
def roster(request):
    """The week's shifts (值班表) as one row per day, with a form to add a shift."""
    org = current_organization(request)
    permissions.require(request.user, Perm.VIEW, org)
    can_manage = permissions.has_perm(request.user, Perm.MANAGE_DUTY, org)
    monday = _week_start(request.GET.get("week"))
    tz = timezone.get_current_timezone()
    start = datetime.combine(monday, time.min, tzinfo=tz)
    end = start + timedelta(days=7)
    shifts = list(
        visible_in_current(request, DutyShift.objects.select_related("user", "organization"))
        .filter(starts_at__lt=end, ends_at__gt=start)
    )
    now = timezone.now()
    days = []
    for offset in range(7):
        day_start = start + timedelta(days=offset)
        day_end = day_start + timedelta(days=1)
        days.append({
            "date": day_start.date(),
            "today": day_start.date() == timezone.localdate(),
            "shifts": [s for s in shifts if s.starts_at < day_end and s.ends_at > day_start],
        })
    form = None
    if can_manage:
        form = DutyShiftForm(request.POST or None, people=actions.members_for_roster(org))
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            until, weekdays, skip = data.pop("repeat_until"), data.pop("weekdays"), data.pop("skip_non_working")
            try:
                if until:
                    weekdays = weekdays or [timezone.localtime(data["starts_at"]).weekday()]
                    added = actions.do_add_repeating_shifts(organization=org, acting_user=request.user,
                                                            weekdays=weekdays, repeat_until=until,
                                                            skip_non_working=skip, **data)
                else:
                    added = [actions.do_add_shift(organization=org, acting_user=request.user, **data)]
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, ngettext("%(count)d shift added.", "%(count)d shifts added.",
                                                   len(added)) % {"count": len(added)})
                week = _week_start(timezone.localtime(added[0].starts_at).date().isoformat())
                return redirect(f"{request.path}?week={week.isoformat()}")
    elif request.method == "POST":
        permissions.require(request.user, Perm.MANAGE_DUTY, org)
    on_duty = [s for s in shifts if s.starts_at <= now < s.ends_at]
    return render(request, "notify/roster.html", {
        "org": org, "days": days, "form": form, "can_manage": can_manage, "monday": monday,
        "previous": (monday - timedelta(days=7)).isoformat(), "next": (monday + timedelta(days=7)).isoformat(),
        "on_duty": on_duty, "now": now,
    })


@login_required
@require_POST
def shift_remove(request, pk):
    shift = permissions.get_visible_or_404(request.user, DutyShift.objects.select_related("organization", "user"),
                                           pk=pk)
    week = timezone.localtime(shift.starts_at).date().isoformat()
    actions.do_remove_shift(shift, acting_user=request.user)
    messages.success(request, _("Shift removed."))
    return redirect(f"{reverse('notify:roster')}?week={week}")


# --- the demo's local webhook receiver -----------------------------------------------------------------------

@csrf_exempt
@require_POST
def demo_receiver(request):
    """Accepts only requests signed by one of the demo's webhook notifiers, so nobody else can write here."""
    timestamp = request.headers.get(webhook.TIMESTAMP_HEADER, "")
    signature = request.headers.get(webhook.SIGNATURE_HEADER, "")
    body = request.body
    # A webhook's address is an encrypted secret, so the candidates are picked after decryption.
    candidates = (n for n in Notifier.objects.filter(kind=Notifier.Kind.WEBHOOK)
                  if {**n.config, **n.secrets()}.get("url", "").endswith("/notify/demo-receiver/"))
    sender = next((n for n in candidates
                   if webhook.verify(n.secrets().get("secret", ""), timestamp, body, signature)), None)
    if sender is None:
        return HttpResponseForbidden("bad signature")
    DemoReceipt.objects.create(
        notifier=sender, signature_ok=True, body=body.decode("utf-8", "replace")[:20000],
        headers={k: v for k, v in request.headers.items() if k.lower().startswith(("x-yuqing", "content-type"))},
    )
    stale = DemoReceipt.objects.order_by("-pk").values_list("pk", flat=True)[DEMO_RECEIPTS_KEPT:DEMO_RECEIPTS_KEPT + 1]
    if stale:
        DemoReceipt.objects.filter(pk__lte=stale[0]).delete()
    return HttpResponse(json.dumps({"received": True}), content_type="application/json")


@login_required
def demo_receipts(request):
    receipts = []
    for receipt in permissions.visible(request.user, DemoReceipt.objects.all(), "notifier__organization")[:50]:
        try:
            payload = json.loads(receipt.body)
        except ValueError:
            payload = {}
        receipts.append({"receipt": receipt, "payload": payload})
    return render(request, "notify/demo_receipts.html", {"receipts": receipts})
