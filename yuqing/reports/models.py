"""The daily report (日报) of an organisation, a zero report (零报告) when nothing happened."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Compiled, not yet confirmed")
        CONFIRMED = "confirmed", _("Confirmed")

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="daily_reports",
                                     verbose_name=_("organisation"))
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Nothing happened: no mentions, events, alerts or open cases that day.
    zero = models.BooleanField(_("zero report"), default=False)
    # What the day held, compiled from monitoring, alerts, cases and deadlines (see compile.py).
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    remarks = models.TextField(_("remarks"), blank=True, default="")
    compiled_at = models.DateTimeField(_("compiled at"))
    duty_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("on duty"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("confirmed by"))
    due_at = models.DateTimeField(_("due"))
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["-date", "organization__path"]
        constraints = [models.UniqueConstraint(fields=["organization", "date"], name="daily_report_one_per_day")]
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")

    def __str__(self) -> str:
        return f"{self.organization} {self.date}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("reports:daily-detail", args=[self.pk])
