"""One deadline of any object: what is due, by when, under which rule, for whom, and how it ended."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yuqing import workflow
from yuqing.orgs.permissions import Perm


class Deadline(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        OVERDUE = "overdue", _("Overdue")
        WAIVED = "waived", _("Waived")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("organisation")
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    kind = models.CharField(_("kind"), max_length=64, help_text=_('e.g. "case.forward", "channel.closure"'))
    title = models.CharField(_("title"), max_length=300, blank=True, default="")
    due_at = models.DateTimeField(_("due"), db_index=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True, db_index=True)
    rule = models.CharField(_("rule"), max_length=300, blank=True, default="")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines",
        verbose_name=_("assignee"),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN, db_index=True)
    reason = models.TextField(_("reason for waiving"), blank=True, default="")
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("met by"),
    )
    note = models.TextField(_("note"), blank=True, default="")
    notified_overdue_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Meeting: anyone who sees the organisation may try; check_transition keeps it to the assignee and managers.
    workflow = workflow.Workflow(field="state", moves=[
        workflow.Move(State.OPEN, State.OVERDUE, label=_("Mark overdue"), fields={"notified_overdue_at"}),
        workflow.Move([State.OPEN, State.OVERDUE], State.MET, perm=Perm.VIEW, label=_("Mark as met"),
                      fields={"met_at", "met_by", "note"}),
        workflow.Move([State.OPEN, State.OVERDUE], State.WAIVED, perm=Perm.MANAGE_DEADLINES, reason_required=True,
                      label=_("Waive"), fields={"reason"}),
    ])

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject"),
            models.Index(fields=["state", "due_at"], name="deadline_state_due"),
        ]
        constraints = [
            # One open deadline of a kind per object: re-opening a step never doubles its clock.
            models.UniqueConstraint(fields=["subject_type", "subject_id", "kind"],
                                    condition=models.Q(state__in=["open", "overdue"]),
                                    name="deadline_one_open_per_subject_kind"),
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return self.title or self.kind

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.OPEN, self.State.OVERDUE)

    def check_transition(self, to, *, acting_user, data) -> None:
        from yuqing.orgs import permissions

        if to == self.State.MET and acting_user is not None and acting_user.pk != self.assignee_id \
                and not permissions.has_perm(acting_user, Perm.MANAGE_DEADLINES, self.organization):
            raise PermissionDenied(gettext("Only the person it is assigned to or a manager may mark it met."))
