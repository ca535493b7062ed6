"""Notices after publishing's changes commit: the next stage's reviewers get a notice, the authors hear each decision."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from yuqing.notify.notices import send_notice


def _authors(draft):
    from django.contrib.auth import get_user_model

    ids = draft.participations.filter(role="author").values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=ids))


def _tell_stage(draft) -> None:
    from yuqing.publishing.chains import eligible_users, waiting_for
    from yuqing.publishing.models import Draft

    draft = Draft.objects.select_related("organization").get(pk=draft.pk)
    if draft.status != Draft.Status.IN_REVIEW:
        return
    stage = draft.stages[draft.current_stage - 1]
    one = Draft.objects.filter(pk=draft.pk)
    people = [u for u in eligible_users(stage, draft.organization) if waiting_for(u, one)]
    body = _("Due by %(due)s.") % {"due": draft.stage_due_at.isoformat(timespec="minutes")} if draft.stage_due_at else ""
    send_notice(organization=draft.organization, recipients=people, subject=draft, kind="publishing.review",
                title=_("Draft waiting for “%(stage)s”: %(title)s") % {"stage": stage["name"], "title": draft.title},
                body=body, link=reverse("publishing:draft-detail", args=[draft.pk]))


def on_submitted(sender, draft, acting_user, **kwargs) -> None:
    _tell_stage(draft)


def on_decided(sender, draft, decision, acting_user, **kwargs) -> None:
    labels = {"approve": _("approved"), "reject": _("rejected"), "return": _("returned")}
    body = decision.comment + (f"\n「{decision.passage}」" if decision.passage else "")
    send_notice(organization=draft.organization, recipients=_authors(draft), subject=draft,
                kind="publishing.decision", body=body, link=reverse("publishing:draft-detail", args=[draft.pk]),
                title=_("%(stage)s %(decision)s “%(title)s”") % {
                    "stage": decision.stage_name, "decision": labels[decision.decision], "title": draft.title})
    if decision.decision != "reject":
        _tell_stage(draft)


def on_approved(sender, draft, record, acting_user, **kwargs) -> None:
    from yuqing.orgs.models import Role

    send_notice(organization=draft.organization, recipients=_authors(draft), roles=[Role.PUBLICITY_LEAD],
                subject=record, kind="publishing.approved",
                title=_("Approved for publication: %(title)s") % {"title": draft.title},
                body=record.reviewer_line, link=reverse("publishing:publication-detail", args=[record.pk]))
