"""Scheduled jobs (when each last ran, how it went, who holds it now) and the working-day calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    class Status(models.TextChoices):
        NEVER = "never", _("never run")
        RUNNING = "running", _("running")
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")

    name = models.CharField(_("job"), max_length=100, unique=True)
    interval_seconds = models.PositiveIntegerField(_("interval (s)"))
    next_run_at = models.DateTimeField(_("next run"), db_index=True)
    # A claim expires, so a worker that died mid-job does not block the job forever.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEVER)
    last_error = models.TextField(_("last error"), blank=True)
    last_runner = models.CharField(_("runner"), max_length=100, blank=True)
    run_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """An administrator's correction of the State Council holiday schedule, which it wins over: a year the
    ``chinese-calendar`` package does not know yet, a local school holiday, a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("day off")
        WORKDAY = "workday", _("working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. 春节 or 县运动会调休"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class AllowedDestination(models.Model):
    """A non-public destination a system administrator allowed outbound requests to reach (see yuqing/outbound.py).

    `pattern` is a host name, an address or a network, optionally with a port: `10.1.2.0/24`, `mail.school.cn:587`.
    """

    pattern = models.CharField(_("destination"), max_length=255, unique=True)
    note = models.CharField(_("why"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        ordering = ["pattern"]
        verbose_name = _("allowed destination")
        verbose_name_plural = _("allowed destinations")

    def __str__(self) -> str:
        return self.pattern

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from yuqing.outbound import AllowEntry

        try:
            AllowEntry.parse(self.pattern)
        except ValueError as exc:
            raise ValidationError({"pattern": str(exc)}) from None


class JobRun(models.Model):
    """One long action a person started (an import, a document) running in the background: its progress while
    it runs and its result afterwards, shown on its own page that the browser polls."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        OK = "ok", _("finished")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("job"), max_length=64)  # the background task's name, shown through its label
    organization = models.ForeignKey("orgs.Organization", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+", verbose_name=_("organisation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("started by"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True, default="")
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    # The upload the job works on; removed when the job ends.
    input_file = models.FileField(upload_to="runs/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.OK, self.Status.FAILED}

    @property
    def percent(self) -> int | None:
        return min(100, round(100 * self.done / self.total)) if self.total else None
