"""Sources Yuqing collects from, the items they yield (with metric time series), evidence and staged entries."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing.encryption import EncryptedTextField

DEFAULT_INTERVAL_SECONDS = 900
FAILURES_BEFORE_FLAG = 3


def new_push_token() -> str:
    return secrets.token_urlsafe(24)


class Source(models.Model):
    """Where items come from: a feed, a page, an API, a webhook pusher, a file import or staff tips."""

    class Kind(models.TextChoices):
        RSS = "rss", _("RSS / Atom feed")
        PAGE = "page", _("Web page")
        JSON = "json", _("JSON API")
        WEBHOOK = "webhook", _("Webhook push")
        FILEIMPORT = "fileimport", _("File import")
        TIP = "tip", _("Manual tips")

    PULL_KINDS = (Kind.RSS, Kind.PAGE, Kind.JSON)

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="sources", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    url = models.URLField(_("address"), max_length=2000, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    # Webhook signing secret or API token; stored encrypted, never shown again.
    secret = EncryptedTextField(_("secret"), blank=True, default="")
    # The `headers` option (often Authorization: …) as JSON, encrypted: write-only, out of `options` and the audit.
    secret_headers = EncryptedTextField(_("extra headers"), blank=True, default="")
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"), default=DEFAULT_INTERVAL_SECONDS)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Reaching loopback/private addresses is an SSRF risk; only an administrator may allow it.
    allow_private = models.BooleanField(_("may reach private networks"), default=False)
    respect_robots = models.BooleanField(_("honour robots.txt"), default=True)
    # http(s)://user:password@proxy:port for networks that reach the internet only through a proxy; encrypted
    # because it may carry credentials. Blank: YUQING_OUTBOUND_PROXY, if set.
    proxy = EncryptedTextField(_("proxy"), blank=True, default="")

    # Scheduling: a run claims the source by moving locked_until forward with UPDATE ... WHERE.
    next_run_at = models.DateTimeField(_("next run"), null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    # Conditional-request validators from the last successful fetch.
    etag = models.CharField(max_length=500, blank=True, default="")
    last_modified = models.CharField(max_length=100, blank=True, default="")

    # Health, shown in plain words.
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    flagged = models.BooleanField(_("flagged as failing"), default=False)
    last_item_count = models.PositiveIntegerField(default=0)

    push_token = models.CharField(max_length=64, unique=True, default=new_push_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__path", "name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name

    @property
    def is_pull(self) -> bool:
        return self.kind in self.PULL_KINDS


class Item(models.Model):
    """One post or article, stored once per organisation (by canonical URL) with its latest metrics."""

    class Relation(models.TextChoices):
        NONE = "", _("original")
        EXACT = "exact", _("exact duplicate")
        NEAR_DUPLICATE = "near_duplicate", _("near duplicate")
        REPOST = "repost", _("repost")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="items", verbose_name=_("organisation")
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="items", verbose_name=_("source")
    )
    url = models.TextField(_("address"), blank=True, default="")
    # sha256 of the canonical URL (or of the source's own id / the text when there is no URL).
    url_hash = models.CharField(max_length=64)
    title = models.TextField(_("title"), blank=True, default="")
    text = models.TextField(_("text"), blank=True, default="")
    html = models.TextField(_("HTML"), blank=True, default="")  # sanitised
    author = models.CharField(_("author"), max_length=200, blank=True, default="")
    platform = models.CharField(_("platform"), max_length=32, blank=True, default="web", db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    content_hash = models.CharField(max_length=64, blank=True, default="")
    simhash = models.BigIntegerField(default=0)  # signed form of the unsigned 64-bit SimHash
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies", verbose_name=_("original")
    )
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices, blank=True, default="")
    views = models.IntegerField(_("views"), null=True, blank=True)
    comments = models.IntegerField(_("comments"), null=True, blank=True)
    reposts = models.IntegerField(_("reposts"), null=True, blank=True)
    likes = models.IntegerField(_("likes"), null=True, blank=True)
    metrics_updated_at = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    # Published by a mainstream news site (data/mainstream_domains.txt); detection counts these.
    mainstream = models.BooleanField(_("mainstream media"), default=False)

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "url_hash"], name="item_unique_url_per_org"),
        ]
        indexes = [
            # list pages and cursors walk these in order (keyset pagination, yuqing/keyset.py); the one without
            # the organisation serves a bureau's view over many schools
            models.Index(fields=["organization", "-first_seen_at", "-id"], name="item_org_seen_id"),
            models.Index(fields=["-first_seen_at", "-id"], name="item_seen_id"),
            models.Index(fields=["organization", "published_at"], name="item_org_published"),
            models.Index(fields=["organization", "content_hash"], name="item_org_content"),
        ]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return self.title or self.text[:60] or self.url


class ItemMetric(models.Model):
    """One observation of an item's counters, so growth over time can be seen."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="metrics")
    observed_at = models.DateTimeField()
    views = models.IntegerField(null=True, blank=True)
    comments = models.IntegerField(null=True, blank=True)
    reposts = models.IntegerField(null=True, blank=True)
    likes = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["item", "observed_at"]
        indexes = [models.Index(fields=["item", "observed_at"], name="itemmetric_item_time")]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.observed_at:%Y-%m-%d %H:%M}"


class Capture(models.Model):
    """One capture of an item's page as evidence: the bytes as fetched, their text, a screenshot, the metrics.

    Captures are repeated to show that a post changed or was deleted; a deleted post is evidence too.
    """

    class Outcome(models.TextChoices):
        CAPTURED = "captured", _("Captured")
        REMOVED = "removed", _("Removed (the page is gone)")
        FAILED = "failed", _("Could not be fetched")
        NO_ADDRESS = "no_address", _("No address to capture")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="captures")
    captured_at = models.DateTimeField(_("captured at"))
    url = models.TextField(_("address"), blank=True, default="")
    http_status = models.IntegerField(_("HTTP status"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    # The reason in English (a catalogue message), rendered in the reader's language.
    note = models.TextField(_("note"), blank=True, default="")
    screenshot_note = models.TextField(blank=True, default="")
    # The item's metric observations up to the capture, so the evidence shows how far it had spread.
    metrics = models.JSONField(default=list, blank=True)
    # Whether the extracted text differs from the previous capture of the same item.
    changed = models.BooleanField(_("changed since the previous capture"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["item", "captured_at", "id"]
        verbose_name = _("capture")
        verbose_name_plural = _("captures")

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.captured_at:%Y-%m-%d %H:%M}"


class Evidence(models.Model):
    """A file kept as proof: a tip's screenshot, or a capture's archived page, extracted text or screenshot."""

    class Kind(models.TextChoices):
        SCREENSHOT = "screenshot", _("Screenshot")
        ARCHIVE = "archive", _("Archived page")
        TEXT = "text", _("Extracted text")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    capture = models.ForeignKey(Capture, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SCREENSHOT)
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="evidence/%Y/%m/")
    size = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True, default="")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sha256[:12]}"

