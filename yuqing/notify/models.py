"""Notifiers (通知渠道), the duty roster (值班表), alerts and their deliveries."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuqing import workflow
from yuqing.encryption import EncryptedTextField
from yuqing.levels import Level
from yuqing.notify.transports import QuietWindow, config_from_dict, get_transport

LEVEL_CHOICES = [(level.value, level.label) for level in Level]
# What an attempt's outcome sets on a delivery as it leaves "sending".
OUTCOME_FIELDS = {"sent_at", "status_code", "provider_response", "truncated", "error", "next_attempt_at"}


class Notifier(models.Model):
    """One channel of an organisation: its kind, settings, secrets (encrypted) and health."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail (SMTP)")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk robot")
        FEISHU = "feishu", _("Feishu bot")
        WEBHOOK = "webhook", _("Webhook (signed)")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="notifiers", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Only non-secret settings; the transport's secret fields live in `secret`.
    config = models.JSONField(_("settings"), default=dict, blank=True)
    # JSON object of the transport's SECRET_FIELDS (robot key, signing secret, SMTP password), encrypted.
    secret = EncryptedTextField(_("secret"), blank=True, default="")
    min_level = models.PositiveSmallIntegerField(_("lowest level"), choices=LEVEL_CHOICES, default=Level.GENERAL)
    quiet_hours = models.CharField(
        _("quiet hours"), max_length=32, blank=True, default="",
        help_text=_("e.g. 22:00-07:00; alerts below 重大 wait until the end. Blank: none."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # http(s)://user:password@proxy:port, encrypted; blank: YUQING_OUTBOUND_PROXY, if set. Not used for SMTP.
    proxy = EncryptedTextField(_("proxy"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")

    class Meta:
        ordering = ["organization__path", "name"]
        verbose_name = _("notifier")
        verbose_name_plural = _("notifiers")

    def __str__(self) -> str:
        return self.name

    @property
    def transport(self):
        return get_transport(self.kind)

    def secrets(self) -> dict[str, str]:
        if not self.secret:
            return {}
        try:
            value = json.loads(self.secret)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def set_secrets(self, values: dict[str, str]) -> None:
        kept = {k: v for k, v in values.items() if v}
        self.secret = json.dumps(kept, ensure_ascii=False) if kept else ""

    def transport_config(self):
        """The validated transport `Config`; raises `ConfigError` naming the bad field."""
        return config_from_dict(self.kind, {**(self.config or {}), **self.secrets()})

    def quiet_window(self) -> QuietWindow | None:
        return QuietWindow.parse(self.quiet_hours) if self.quiet_hours.strip() else None

    @property
    def rate_limit_per_minute(self) -> int:
        return int(self.transport.RATE_LIMIT_PER_MINUTE)

    @property
    def healthy(self) -> bool | None:
        """None before the first delivery; otherwise whether the latest outcome was a success."""
        if self.last_success_at is None and self.last_failure_at is None:
            return None
        if self.last_failure_at is None:
            return True
        return self.last_success_at is not None and self.last_success_at >= self.last_failure_at

    def clean(self) -> None:
        if self.quiet_hours.strip():
            try:
                QuietWindow.parse(self.quiet_hours)
            except ValueError as error:
                raise ValidationError({"quiet_hours": str(error)}) from None


class DutyShift(models.Model):
    """Who is on duty for an organisation from `starts_at` to `ends_at`."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_shifts", verbose_name=_("person")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["organization", "starts_at", "ends_at"], name="duty_org_time")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_ends_after_start")
        ]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The shift must end after it starts.")})


class Alert(models.Model):
    """A decision to tell people: about an event at a level, or about a failing source."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        SOURCE_HEALTH = "source_health", _("Source health")
        # A level a topic criterion only proposes (待研判): told to the person on duty, who confirms or not.
        PROPOSAL = "proposal", _("Proposed level")
        # Personal e-mails of notices (send_notice) go out as alerts of this kind, through the same log.
        NOTICE = "notice", _("Notice")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="alerts", verbose_name=_("organisation")
    )
    event = models.ForeignKey(
        "detection.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts",
        verbose_name=_("event"),
    )
    source = models.ForeignKey(
        "monitoring.Source", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts",
        verbose_name=_("source"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.EVENT)
    level = models.PositiveSmallIntegerField(_("level"), choices=LEVEL_CHOICES)
    title = models.CharField(_("title"), max_length=500)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One alert per event and level: re-evaluations never alert twice, a rise alerts again.
            models.UniqueConstraint(fields=["event", "level", "kind"], name="alert_one_per_event_level_kind"),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"【{self.level_enum.label}】{self.title}"

    @property
    def level_enum(self) -> Level:
        return Level(self.level)


class Delivery(models.Model):
    """One alert through one notifier (to one person for personal e-mails), with its attempts and outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        HELD = "held", _("Held (quiet hours)")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("alert"))
    notifier = models.ForeignKey(
        Notifier, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries",
        verbose_name=_("notifier"),
    )
    # A person's e-mail address for alerts to the people on duty and responsible; blank: the notifier's own.
    recipient = models.CharField(_("recipient"), max_length=254, blank=True, default="")
    reason = models.CharField(_("why"), max_length=200, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    # Only the system moves deliveries; "sending" → "sending" is a worker taking over an expired lease.
    workflow = workflow.Workflow(field="status", audit=False, moves=[
        workflow.Move([Status.PENDING, Status.HELD, Status.SENDING], Status.SENDING, label=_("Claim for sending"),
                      fields={"next_attempt_at"}),
        workflow.Move(Status.SENDING, Status.HELD, label=_("Hold until quiet hours end"), fields={"next_attempt_at"}),
        workflow.Move(Status.SENDING, Status.PENDING, label=_("Wait for the next attempt"), fields=OUTCOME_FIELDS),
        workflow.Move(Status.SENDING, Status.SENT, label=_("Record as sent"), fields=OUTCOME_FIELDS),
        workflow.Move(Status.SENDING, Status.FAILED, label=_("Give up"), fields=OUTCOME_FIELDS),
    ])
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    status_code = models.IntegerField(_("status code"), null=True, blank=True)
    provider_response = models.TextField(_("provider's answer"), blank=True, default="")
    truncated = models.BooleanField(default=False)
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "notifier", "recipient"], name="delivery_unique_target"),
        ]
        indexes = [models.Index(fields=["notifier", "last_attempt_at"], name="delivery_notifier_recent")]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        target = self.recipient or (self.notifier.name if self.notifier else "—")
        return f"{self.alert} → {target}"

    def workflow_organization(self):
        return self.alert.organization


class Notice(models.Model):
    """A message to one person in the in-app inbox (通知), also e-mailed when the person has an address."""

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="notices", verbose_name=_("organisation")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=64, default="notice")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True, default="")
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    link = models.CharField(_("link"), max_length=500, blank=True, default="")
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True, default="")
    # The alert whose deliveries carried the e-mails of this notice, if any.
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices")
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_recipient_unread")]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title

    @property
    def is_urgent(self) -> bool:
        return self.urgency == self.Urgency.URGENT


class DemoReceipt(models.Model):
    """What the demo's local webhook receiver got, so the demo works without internet."""

    received_at = models.DateTimeField(auto_now_add=True)
    # The demo notifier whose signature matched: the receipt is shown to those who may see that notifier.
    notifier = models.ForeignKey(Notifier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signature_ok = models.BooleanField(default=False)
    headers = models.JSONField(default=dict)
    body = models.TextField()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("demo receipt")
        verbose_name_plural = _("demo receipts")
