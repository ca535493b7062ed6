"""Drafts with their versions and attachments, review chains, participations, decisions and publish records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yuqing.orgs.models import Organization


class Category(models.TextChoices):
    """Categories of 怀城中学 and its peers (SPEC R3.5); an organisation adds its own as `OwnCategory`."""

    SCHOOL_NEWS = "school_news", _("School news")
    CAMPUS_ACTIVITIES = "campus_activities", _("Campus activities")
    NOTICES = "notices", _("Notices")
    ACADEMIC_EXCHANGE = "academic_exchange", _("Academic exchange")
    POLICY_INTERPRETATION = "policy_interpretation", _("Policy interpretation")
    QA_SERVICE = "qa_service", _("Q&A service")


class OwnCategory(models.Model):
    """A category an organisation adds; it is offered in that organisation and every one below it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="draft_categories")
    code = models.SlugField(_("code"), max_length=48)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="own_category_unique_code")]
        verbose_name = _("own category")
        verbose_name_plural = _("own categories")

    def __str__(self) -> str:
        return self.name


class ReviewChain(models.Model):
    """The ordered review stages of an organisation; schools without one inherit their bureau's."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="review_chain")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review chain")
        verbose_name_plural = _("review chains")

    def __str__(self) -> str:
        return f"{self.organization} · " + " → ".join(s.name for s in self.stages.all())


class ReviewStage(models.Model):
    """One stage of a chain: who may act there (roles and/or named people) and how long it may take."""

    chain = models.ForeignKey(ReviewChain, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=50)
    roles = models.JSONField(_("roles"), default=list, blank=True)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("people"))
    time_limit_hours = models.PositiveIntegerField(_("time limit (hours)"), null=True, blank=True)

    class Meta:
        ordering = ["chain", "position"]
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="review_stage_unique_position")]
        verbose_name = _("review stage")
        verbose_name_plural = _("review stages")

    def __str__(self) -> str:
        return self.name


class Draft(models.Model):
    """Content being prepared for publication (稿件); the current text, with every saved state as a version."""

    class Status(models.TextChoices):
        EDITING = "editing", pgettext_lazy("draft status", "Editing")
        IN_REVIEW = "in_review", pgettext_lazy("draft status", "In review")
        REJECTED = "rejected", pgettext_lazy("draft status", "Rejected")
        APPROVED = "approved", pgettext_lazy("draft status", "Approved")
        PUBLISHED = "published", pgettext_lazy("draft status", "Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("draft status", "Withdrawn")

    class Purpose(models.TextChoices):
        ARTICLE = "article", _("Article")
        STATEMENT = "statement", _("Statement")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="drafts")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)  # sanitised HTML
    body_text = models.TextField(blank=True)  # plain text of the body: what checks, diffs and highlights use
    category = models.CharField(_("category"), max_length=48, default=Category.SCHOOL_NEWS)
    is_repost = models.BooleanField(_("repost"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    channels = models.ManyToManyField("registry.Channel", blank=True, related_name="drafts",
                                      verbose_name=_("channels"))
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.ARTICLE)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafts")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.EDITING)
    # The chain is copied at submission, so reconfiguring it never changes a draft already in review.
    stages = models.JSONField(default=list, blank=True)
    current_stage = models.PositiveSmallIntegerField(default=0)  # 1-based while in review, 0 otherwise
    stage_due_at = models.DateTimeField(null=True, blank=True)
    round = models.PositiveIntegerField(default=0)  # how many times it was submitted
    version = models.PositiveIntegerField(default=0)
    findings = models.JSONField(default=list, blank=True)  # of the current version
    block_override_reason = models.TextField(blank=True)
    block_override_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["organization", "status", "-updated_at"], name="draft_org_status")]
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return self.title

    @property
    def stage_name(self) -> str:
        if 1 <= self.current_stage <= len(self.stages):
            return self.stages[self.current_stage - 1]["name"]
        return ""

    @property
    def category_label(self) -> str:
        if self.category in Category.values:
            return Category(self.category).label
        own = OwnCategory.objects.filter(code=self.category).values_list("name", flat=True).first()
        return own or self.category

    @property
    def has_block(self) -> bool:
        return any(f.get("severity") == "block" for f in self.findings)

    @property
    def block_overridden(self) -> bool:
        return bool(self.block_override_reason) and self.block_override_version == self.version


class DraftVersion(models.Model):
    """One saved state of a draft; every save makes one, none is ever changed."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    category = models.CharField(max_length=48)
    is_repost = models.BooleanField(default=False)
    source = models.CharField(max_length=300, blank=True)
    attachments = models.JSONField(default=list, blank=True)  # ids of the draft's attachments at this version
    findings = models.JSONField(default=list, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["draft", "number"]
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="draft_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.draft} v{self.number}"


class Attachment(models.Model):
    """An image or a video of a draft, checked when uploaded and kept under the data directory."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="attachment_files")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="publishing/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """Who took part in a draft, and how: as an author or as the reviewer of exactly one stage.

    The unique (draft, person) row is the separation of duties in the database: a second role for the same
    person on the same draft cannot be inserted, whatever path the request took.
    """

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        REVIEWER = "reviewer", _("Reviewer")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=8, choices=Role.choices)
    stage = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["draft", "user"], name="participation_one_role_per_person"),
            models.CheckConstraint(
                condition=(models.Q(role="author", stage__isnull=True)
                           | models.Q(role="reviewer", stage__isnull=False)),
                name="participation_reviewer_has_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} {self.stage or ''}"


class Decision(models.Model):
    """A reviewer's decision at a stage; `participation` ties it to the person's one role on the draft."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        RETURN = "return", _("Return to an earlier stage")

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="decisions")
    participation = models.ForeignKey(Participation, on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveSmallIntegerField()
    stage_name = models.CharField(max_length=50)
    round = models.PositiveIntegerField()
    version = models.PositiveIntegerField()
    decision = models.CharField(max_length=8, choices=Kind.choices)
    comment = models.TextField(blank=True)
    passage = models.CharField(max_length=500, blank=True)  # the quoted text a comment points at
    to_stage = models.PositiveSmallIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.draft} · {self.stage_name} · {self.decision}"


class ReviewerView(models.Model):
    """The version a person last looked at, so they see the diff since then."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField()
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draft", "user"], name="reviewer_view_unique")]


class PublishRecord(models.Model):
    """What was published, where, when, approved by whom (发布记录), with the archived materials."""

    class Status(models.TextChoices):
        AWAITING_PREVIEW = "awaiting_preview", _("Awaiting test send")
        PREVIEWED = "previewed", _("Test send done")
        PUBLISHED = "published", pgettext_lazy("draft status", "Published")

    draft = models.OneToOneField(Draft, on_delete=models.PROTECT, related_name="publish_record")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="publish_records")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_PREVIEW)
    channels = models.ManyToManyField("registry.Channel", blank=True, related_name="publish_records")
    reviewers = models.JSONField(default=list)  # [{"stage", "stage_name", "user_id", "username", "name", "at"}]
    reviewer_line = models.CharField(max_length=500)
    approved_at = models.DateTimeField()
    preview_at = models.DateTimeField(null=True, blank=True)
    preview_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    preview_note = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    url = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-approved_at"]
        verbose_name = _("publish record")
        verbose_name_plural = _("publish records")

    def __str__(self) -> str:
        return self.title


class ArchivedFile(models.Model):
    """One archived material of a publication: the final text, the DOCX, an attachment; with its SHA-256."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Final text")
        DOCX = "docx", _("DOCX of the approved version")
        ATTACHMENT = "attachment", _("Attachment")

    record = models.ForeignKey(PublishRecord, on_delete=models.CASCADE, related_name="archive")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to="publishing/archive/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
