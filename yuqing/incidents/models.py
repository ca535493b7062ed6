"""Cases (处置): the handling of an incident with its deadlines, notes, evidence, evaluation and policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yuqing import workflow
from yuqing.levels import Level
from yuqing.orgs.permissions import Perm

LEVEL_CHOICES = [(int(level), level.label) for level in Level]


class HandlingType(models.TextChoices):
    """The four ways of answering of seed 001 (篇二十二)."""

    IMMEDIATE = "immediate", _("Answer at once")
    SAME_DAY = "same_day", _("Answer the same day, with the date a result will follow")
    CLARIFY = "clarify", _("Clarify fabricated or distorted content with facts")
    ADOPT = "adopt", _("Adopt and answer a constructive suggestion")


class Origin(models.TextChoices):
    EVENT = "event", _("Monitoring event")
    PHONE = "phone", _("Phone call")
    COMPLAINT = "complaint", _("Complaint")
    TIP = "tip", _("Tip")
    SUPERIOR = "superior", _("Passed down by a superior")
    OTHER = "other", _("Other")


class Case(models.Model):
    """The handling of one incident, from opening to its evaluation (处置)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FORWARDED = "forwarded", _("Forwarded")
        RESPONDING = "responding", _("Responding")
        RESOLVED = "resolved", _("Resolved")
        FOLLOWING_UP = "following_up", _("Following up")
        CLOSED = "closed", _("Closed")

    ACTIVE_STATUSES = (Status.OPEN, Status.FORWARDED, Status.RESPONDING, Status.RESOLVED, Status.FOLLOWING_UP)

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="cases",
                                     verbose_name=_("organisation"))
    event = models.ForeignKey("detection.Event", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="cases", verbose_name=_("event"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("what happened"), blank=True, default="")
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.EVENT)
    # Who reported it, for a call or a complaint: what the handling needs, no more.
    reporter = models.CharField(_("reported by"), max_length=200, blank=True, default="")
    level = models.IntegerField(_("level"), choices=LEVEL_CHOICES, default=int(Level.GENERAL))
    handling_type = models.CharField(_("handling type"), max_length=16, choices=HandlingType.choices, blank=True,
                                     default="")
    responsible_unit = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name=_("responsible unit"))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("responsible person"))
    spokesperson = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("spokesperson"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("opened by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    follow_up_until = models.DateTimeField(_("follow up until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated = models.BooleanField(_("escalated"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    workflow = workflow.Workflow(field="status", moves=[
        workflow.Move(Status.OPEN, Status.FORWARDED, perm=Perm.MANAGE_CASES, label=_("Forward to the responsible unit"),
                      fields={"responsible_unit", "responsible"}),
        workflow.Move([Status.OPEN, Status.FORWARDED], Status.RESPONDING, perm=Perm.MANAGE_CASES,
                      label=_("Start responding"), fields={"handling_type"}),
        workflow.Move([Status.OPEN, Status.FORWARDED, Status.RESPONDING], Status.RESOLVED, perm=Perm.MANAGE_CASES,
                      label=_("Mark resolved"), fields={"resolved_at"}),
        workflow.Move(Status.RESOLVED, Status.FOLLOWING_UP, perm=Perm.MANAGE_CASES, label=_("Follow up"),
                      fields={"follow_up_until"}),
        workflow.Move([Status.RESOLVED, Status.FOLLOWING_UP], Status.CLOSED, perm=Perm.MANAGE_CASES,
                      label=_("Close"), fields={"closed_at"}),
        workflow.Move(Status.CLOSED, Status.RESPONDING, perm=Perm.MANAGE_CASES, reason_required=True,
                      label=_("Reopen")),
        workflow.Move([Status.RESOLVED, Status.FOLLOWING_UP], Status.RESPONDING, perm=Perm.MANAGE_CASES,
                      reason_required=True, label=_("Reopen")),
    ])

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "-opened_at"], name="case_org_status")]
        constraints = [
            # One case at a time handles an event; a closed case may be reopened instead of opening another.
            models.UniqueConstraint(fields=["event"], condition=Q(event__isnull=False) & ~Q(status="closed"),
                                    name="case_one_open_per_event"),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("incidents:case-detail", args=[self.pk])

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    def check_transition(self, to, *, acting_user, data):
        from django.core.exceptions import ValidationError

        from yuqing.incidents.policy_store import effective_policy

        if to == self.Status.CLOSED and effective_policy(self.organization).needs_evaluation(self.level):
            evaluation = Evaluation.objects.filter(case=self, finalised_at__isnull=False).first()
            if evaluation is None:
                raise ValidationError({"status": _(
                    "A %(level)s case closes only with a finalised evaluation (总结评估): write and finalise it "
                    "first.") % {"level": self.level_enum.label}}, code="evaluation_required")


class CaseLevelChange(models.Model):
    """A change of a case's level: escalated with its event, or set by a person with a reason."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.IntegerField(choices=LEVEL_CHOICES)
    to_level = models.IntegerField(choices=LEVEL_CHOICES)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_level} → {self.to_level}"


class CaseNote(models.Model):
    """Something that happened on the case: a note, a call, an action taken, or the system's own record."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Phone call")
        ACTION = "action", _("Action taken")
        SYSTEM = "system", _("System")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    at = models.DateTimeField(db_index=True)
    # Who was told, for the system's records of notices ("notified": ["张三", "示范县教育局 · 管理员"]).
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.text[:40]}"


class CasePolicy(models.Model):
    """An organisation's changes to the case policy (deadline steps per level, auto-open level, follow-up)."""

    organization = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="case_policy")
    changes = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.organization)


class Evaluation(models.Model):
    """The written review after a case (总结评估); required to close a 重大 or 特别重大 case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="evaluation")
    what_happened = models.TextField(_("what happened"), blank=True, default="")
    actions = models.TextField(_("what was done"), blank=True, default="")
    effect = models.TextField(_("effect"), blank=True, default="")
    lessons = models.TextField(_("lessons"), blank=True, default="")
    # [{"item": "…", "owner": "…", "due": "YYYY-MM-DD", "done": false}]
    rectifications = models.JSONField(_("rectifications"), default=list, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    def __str__(self) -> str:
        return f"{self.case}"
