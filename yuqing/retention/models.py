"""How long an organisation keeps collected items, and what each retention run removed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_days() -> int:
    return int(getattr(settings, "YUQING_RETENTION_DAYS", 730))


class RetentionPolicy(models.Model):
    """An organisation's retention period; without one, the nearest ancestor's, else two years."""

    organization = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="retention",
                                        verbose_name=_("organisation"))
    keep_days = models.PositiveIntegerField(_("keep items for (days)"), default=default_days)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.organization}: {self.keep_days}"


class RetentionRun(models.Model):
    """One run of the retention job (or a dry run), with its counts, for the status page."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    complete = models.BooleanField(default=False)  # False: stopped at its batch limit, the next run goes on
    items_removed = models.PositiveIntegerField(default=0)
    items_kept = models.PositiveIntegerField(default=0)  # past their period but protected (evidence, events…)
    mentions_removed = models.PositiveIntegerField(default=0)
    metrics_removed = models.PositiveIntegerField(default=0)
    keys_removed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.items_removed}"
