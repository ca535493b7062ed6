"""Channels and chat groups a school runs, the filings that open, change or close them, and self-inspections."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from yuqing import workflow
from yuqing.orgs.permissions import Perm

# The national inspection rule "两周未更新": a channel silent for two weeks fails.
DORMANT_DAYS = 14
DEFAULT_IDLE_DAYS = 90
DEFAULT_REVIEW_NOTICE_DAYS = 30
CLOSURE_WORKING_DAYS = 7


class Status(models.TextChoices):
    """One lifecycle for channels and groups: filed, approved, running, paused, being wound down, gone."""

    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")


# Statuses in which a channel or group still exists for the public and counts in the registry.
LIVE_STATUSES = (Status.APPROVED, Status.ACTIVE, Status.SUSPENDED, Status.CLOSING)


def lifecycle() -> workflow.Workflow:
    """The moves of a channel or group. Approving and rejecting an application normally happens through its
    filing; administrators (and the publicity lead) move running channels directly, e.g. when one is unused."""
    return workflow.Workflow(field="status", moves=[
        workflow.Move(Status.APPLIED, Status.APPROVED, perm=Perm.APPROVE_FILINGS, label=_("Approve")),
        workflow.Move(Status.APPLIED, Status.CLOSED, perm=Perm.APPROVE_FILINGS, reason_required=True,
                      label=_("Reject the application")),
        workflow.Move(Status.APPROVED, Status.ACTIVE, perm=Perm.MANAGE_REGISTRY, label=_("Put into use")),
        workflow.Move(Status.ACTIVE, Status.SUSPENDED, perm=Perm.MANAGE_REGISTRY, reason_required=True,
                      label=_("Suspend")),
        workflow.Move(Status.SUSPENDED, Status.ACTIVE, perm=Perm.MANAGE_REGISTRY, label=_("Resume")),
        workflow.Move([Status.APPROVED, Status.ACTIVE, Status.SUSPENDED], Status.CLOSING, perm=Perm.MANAGE_REGISTRY,
                      reason_required=True, label=_("Mark unused and start closing")),
        workflow.Move(Status.CLOSING, Status.ACTIVE, perm=Perm.MANAGE_REGISTRY, reason_required=True,
                      label=_("Keep in use")),
        workflow.Move(Status.CLOSING, Status.CLOSED, perm=Perm.MANAGE_REGISTRY, label=_("Confirm closed")),
    ])


class _Lifecycle(models.Model):
    """What channels and groups share: the responsible-person rule, checked on every path into "active"."""

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.status == Status.ACTIVE and self.responsible_id is None:
            raise ValidationError({"responsible": gettext("A responsible person is required before it can be "
                                                          "active.")})

    def check_transition(self, to, *, acting_user, data) -> None:
        if to == Status.ACTIVE and self.responsible_id is None:
            raise ValidationError({"responsible": gettext("A responsible person is required before it can be "
                                                          "active.")})


class RegistryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Status.ACTIVE)

    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def in_tree(self, organization):
        return self.filter(organization__path__startswith=organization.path)


class Channel(_Lifecycle):
    """An outlet the school publishes through (新媒体账号 / 网站栏目)."""

    class Kind(models.TextChoices):
        WEBSITE = "website", _("School website")
        WEBSITE_COLUMN = "website_column", _("Website column")
        WECHAT_OFFICIAL = "wechat_official", _("WeChat official account")
        VIDEO_CHANNEL = "video_channel", _("WeChat video channel")
        WEIBO = "weibo", _("Weibo")
        DOUYIN = "douyin", _("Douyin")
        KUAISHOU = "kuaishou", _("Kuaishou")
        BILIBILI = "bilibili", _("Bilibili")
        XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
        TOUTIAO = "toutiao", _("Toutiao")
        MINI_PROGRAM = "mini_program", _("Mini-program")
        APP = "app", _("App")
        LIVE_STREAM = "live_stream", _("Live stream")
        OTHER = "other", _("Other")

    Status = Status

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="channels",
                                     verbose_name=_("organisation"))
    unit = models.ForeignKey("orgs.Organization", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="unit_channels", verbose_name=_("owning unit"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    account_id = models.CharField(_("account id"), max_length=200, blank=True, default="")
    url = models.URLField(_("address"), max_length=1000, blank=True, default="")
    # PROTECT: a person answerable for a live channel cannot silently disappear from it.
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="responsible_channels", verbose_name=_("responsible person"))
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="deputy_channels", verbose_name=_("deputy"))
    purpose = models.TextField(_("purpose"), blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.APPLIED)
    workflow = lifecycle()
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    # The monitoring source that reads the channel's own publications (its feed or site column).
    source = models.ForeignKey("monitoring.Source", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="channels", verbose_name=_("own-publication source"))
    # Last publication, by origin: entered by hand or imported, and Yuqing's own publish records.
    last_publication_at = models.DateTimeField(_("last publication (entered)"), null=True, blank=True)
    last_published_via_yuqing_at = models.DateTimeField(_("last publication (Yuqing)"), null=True, blank=True)
    last_published_url = models.URLField(max_length=1000, blank=True, default="")
    # When its responsible person was last told it is dormant; cleared once it publishes again.
    dormant_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "kind", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.CheckConstraint(condition=~Q(status="active") | Q(responsible__isnull=False),
                                   name="channel_active_needs_responsible"),
            models.UniqueConstraint(fields=["organization", "kind", "account_id"],
                                    condition=~Q(account_id="") & ~Q(status="closed"),
                                    name="channel_unique_account"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/registry/channels/{self.pk}/"


class ChatGroup(_Lifecycle):
    """A WeChat / QQ / DingTalk group the school runs (工作群 / 班级群)."""

    class Kind(models.TextChoices):
        WECHAT = "wechat", _("WeChat group")
        QQ = "qq", _("QQ group")
        DINGTALK = "dingtalk", _("DingTalk group")
        OTHER = "other", _("Other")

    class ActivityOrigin(models.TextChoices):
        NONE = "", _("—")
        ENTERED = "entered", _("Entered")
        IMPORTED = "imported", _("Imported")
        INSPECTION = "inspection", _("Confirmed in self-inspection")

    Status = Status

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="chat_groups",
                                     verbose_name=_("organisation"))
    unit = models.ForeignKey("orgs.Organization", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="unit_chat_groups", verbose_name=_("unit / class"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    number = models.CharField(_("group number"), max_length=100, blank=True, default="")
    # The 群主 is often a teacher without an account here, so a name is kept, not a person.
    owner_name = models.CharField(_("group owner"), max_length=100, blank=True, default="")
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="responsible_chat_groups", verbose_name=_("responsible person"))
    purpose = models.TextField(_("purpose"), blank=True, default="")
    temporary = models.BooleanField(_("for a temporary task"), default=False)
    task_ends_on = models.DateField(_("task ends"), null=True, blank=True)
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True)
    last_activity_origin = models.CharField(max_length=16, choices=ActivityOrigin.choices, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.APPLIED)
    workflow = lifecycle()
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    # When dissolution was last proposed to its responsible person; cleared once it is in use again.
    idle_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistryQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "kind", "name"]
        verbose_name = _("chat group")
        verbose_name_plural = _("chat groups")
        constraints = [
            models.CheckConstraint(condition=~Q(status="active") | Q(responsible__isnull=False),
                                   name="chatgroup_active_needs_responsible"),
            models.UniqueConstraint(fields=["organization", "kind", "number"],
                                    condition=~Q(number="") & ~Q(status="closed"),
                                    name="chatgroup_unique_number"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/registry/groups/{self.pk}/"

    def clean(self) -> None:
        super().clean()
        if self.temporary and not self.task_ends_on:
            raise ValidationError({"task_ends_on": gettext("A temporary group needs the date its task ends.")})


class Filing(models.Model):
    """An application (备案) to open, change, suspend or close a channel or group, and its approval."""

    class Action(models.TextChoices):
        # contexts: "Open" and "Close" mean other things elsewhere (an open event)
        OPEN = "open", pgettext_lazy("filing", "Open")
        CHANGE = "change", pgettext_lazy("filing", "Change")
        SUSPEND = "suspend", pgettext_lazy("filing", "Suspend")
        CLOSE = "close", pgettext_lazy("filing", "Close")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the publicity lead")
        BUREAU = "bureau", _("Waiting for the bureau")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.PENDING, Status.BUREAU)

    organization = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="filings",
                                     verbose_name=_("organisation"))
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, null=True, blank=True, related_name="filings",
                                verbose_name=_("channel"))
    group = models.ForeignKey(ChatGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="filings",
                              verbose_name=_("chat group"))
    action = models.CharField(_("application"), max_length=16, choices=Action.choices)
    # The values the application proposes, applied to the channel or group on approval.
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    _LEAD = {"lead_by_id", "lead_at", "lead_comment"}
    _BUREAU = {"bureau_by_id", "bureau_at", "bureau_comment"}
    workflow = workflow.Workflow(field="status", moves=[
        workflow.Move(Status.PENDING, Status.BUREAU, perm=Perm.APPROVE_FILINGS, fields=_LEAD,
                      label=_("Approve and pass to the bureau")),
        workflow.Move(Status.PENDING, Status.APPROVED, perm=Perm.APPROVE_FILINGS, fields={*_LEAD, "decided_at"},
                      label=_("Approve")),
        workflow.Move(Status.BUREAU, Status.APPROVED, perm=Perm.APPROVE_FILINGS, fields={*_BUREAU, "decided_at"},
                      label=_("Approve")),
        workflow.Move(Status.PENDING, Status.REJECTED, perm=Perm.APPROVE_FILINGS, reason_required=True,
                      fields={*_LEAD, "decided_at"}, label=_("Reject")),
        workflow.Move(Status.BUREAU, Status.REJECTED, perm=Perm.APPROVE_FILINGS, reason_required=True,
                      fields={*_BUREAU, "decided_at"}, label=_("Reject")),
        workflow.Move(Status.PENDING, Status.WITHDRAWN, perm=Perm.APPLY_FILINGS, fields={"decided_at"},
                      label=_("Withdraw")),
    ])
    # Fixed when the application is made, so a later change of settings does not move it mid-way.
    needs_bureau = models.BooleanField(_("needs the bureau's approval"), default=False)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filings",
                                  verbose_name=_("applicant"))
    lead_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("publicity lead"))
    lead_at = models.DateTimeField(null=True, blank=True)
    lead_comment = models.TextField(blank=True, default="")
    bureau_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("bureau approver"))
    bureau_at = models.DateTimeField(null=True, blank=True)
    bureau_comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        constraints = [
            models.CheckConstraint(condition=Q(channel__isnull=True) ^ Q(group__isnull=True),
                                   name="filing_one_subject"),
            models.UniqueConstraint(fields=["channel"], condition=Q(status__in=["pending", "bureau"]),
                                    name="filing_one_open_per_channel"),
            models.UniqueConstraint(fields=["group"], condition=Q(status__in=["pending", "bureau"]),
                                    name="filing_one_open_per_group"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.subject}"

    @property
    def subject(self):
        return self.channel if self.channel_id else self.group

    def get_absolute_url(self) -> str:
        return f"/registry/filings/{self.pk}/"

    def bureau(self):
        """The education bureau above the organisation, whose approval the second step needs."""
        return self.organization.ancestors().filter(kind="bureau").exclude(pk=self.organization_id).last()

    def workflow_organization(self):
        # The second step is the bureau's: its permission is checked there, not in the school.
        if self.status == self.Status.BUREAU:
            return self.bureau() or self.organization
        return self.organization

    def check_transition(self, to, *, acting_user, data) -> None:
        from yuqing.orgs import permissions

        if to == self.Status.WITHDRAWN:
            if acting_user is not None and acting_user.pk != self.applicant_id:
                raise PermissionDenied(gettext("Only the applicant may withdraw a filing."))
            return
        if self.status == self.Status.PENDING and to in (self.Status.BUREAU, self.Status.APPROVED):
            expected = self.Status.BUREAU if self.needs_bureau else self.Status.APPROVED
            if to != expected:
                raise ValidationError({"status": gettext("This filing needs the bureau's approval too.")
                                       if self.needs_bureau else gettext("This filing needs no bureau step.")})
        if acting_user is None:
            return
        if acting_user.pk == self.applicant_id and not acting_user.is_superuser:
            raise PermissionDenied(gettext("Nobody may decide on their own filing."))
        if self.status == self.Status.PENDING:
            permissions.require_own(acting_user, Perm.APPROVE_FILINGS, self.organization)


class RegistrySettings(models.Model):
    """How an organisation runs its registry; absent means the defaults."""

    organization = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE,
                                        related_name="registry_settings")
    bureau_approval = models.BooleanField(_("filings also need the bureau's approval"), default=False)
    idle_days = models.PositiveIntegerField(_("a group is idle after (days)"), default=DEFAULT_IDLE_DAYS)
    review_notice_days = models.PositiveIntegerField(_("review task (days before)"),
                                                     default=DEFAULT_REVIEW_NOTICE_DAYS)

    class Meta:
        verbose_name = _("registry settings")
        verbose_name_plural = _("registry settings")

    @classmethod
    def for_org(cls, organization) -> RegistrySettings:
        """The nearest settings up the tree, so a bureau can set them once for all its schools."""
        ids = [int(p) for p in organization.path.strip("/").split("/") if p]
        found = {s.organization_id: s for s in cls.objects.filter(organization_id__in=ids)}
        for pk in reversed(ids):
            if pk in found:
                return found[pk]
        return cls(organization=organization)


class SelfInspection(models.Model):
    """One self-inspection (自查) of the registry: when it was done, by whom, what it found."""

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="inspections",
                                     verbose_name=_("organisation"))
    performed_on = models.DateField(_("date"))
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("performed by"))
    note = models.TextField(_("findings"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-id"]
        verbose_name = _("self-inspection")
        verbose_name_plural = _("self-inspections")

    def __str__(self) -> str:
        # shown in the audit log: a person reads "自查 2026-03-01", not "SelfInspection object (1)"
        return f"{self._meta.verbose_name} {self.performed_on:%Y-%m-%d}"


class Violation(models.Model):
    """A personal account using the school's name (冒用校名), recorded to be rectified by a date."""

    class State(models.TextChoices):
        OPEN = "open", _("To rectify")
        RECTIFIED = "rectified", _("Rectified")

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="violations",
                                     verbose_name=_("organisation"))
    kind = models.CharField(_("platform"), max_length=24, choices=Channel.Kind.choices)
    name = models.CharField(_("account name"), max_length=200)
    account_id = models.CharField(_("account id"), max_length=200, blank=True, default="")
    url = models.URLField(_("address"), max_length=1000, blank=True, default="")
    holder = models.CharField(_("account holder"), max_length=100, blank=True, default="")
    note = models.TextField(_("what was found"), blank=True, default="")
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    rectify_by = models.DateTimeField(_("rectify by"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    rectified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["state", "-found_on", "-id"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")

    def __str__(self) -> str:
        return self.name
