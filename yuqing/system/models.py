"""Scheduled jobs: when each last ran, how it went, and who holds it now."""

from __future__ import annotations

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
