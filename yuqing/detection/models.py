"""Schemes, mentions, judgements, events with their level history, level rules and sensitive periods."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuqing import workflow
from yuqing.detection.expressions import ExpressionError, compile_expression
from yuqing.detection.grading import Level, LevelRules, RulesError
from yuqing.orgs.permissions import Perm

LEVEL_CHOICES = [(int(level), level.label) for level in Level]


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Relevance(models.TextChoices):
    UNJUDGED = "unjudged", _("Not judged")
    RELEVANT = "relevant", _("Relevant")
    IRRELEVANT = "irrelevant", _("Irrelevant")


def validate_expression(value: str) -> None:
    try:
        compile_expression(value)
    except ExpressionError as exc:
        raise ValidationError(
            _("Character %(position)s: %(reason)s"),
            code="expression",
            params={"position": exc.position, "reason": exc.reason},
        ) from exc


class Scheme(models.Model):
    """A monitoring scheme (监测方案): a topic with a keyword expression, for one organisation."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="schemes", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    expression = models.TextField(_("keyword expression"), validators=[validate_expression])
    description = models.TextField(_("description"), blank=True, default="")
    enabled = models.BooleanField(_("enabled"), default=True)
    # A bureau's scheme watches the items of every school below it.
    applies_to_children = models.BooleanField(_("applies to all organisations below"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__path", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="scheme_unique_name")]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """Mentions of the same story, graded as a whole (事件)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="events", verbose_name=_("organisation")
    )
    scheme = models.ForeignKey(Scheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    title = models.CharField(_("title"), max_length=500)
    key_terms = models.JSONField(_("key terms"), default=list, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)
    mention_count = models.PositiveIntegerField(_("mentions"), default=0)
    level = models.IntegerField(_("level"), choices=LEVEL_CHOICES, default=int(Level.GENERAL))
    level_reason = models.TextField(_("reason for the level"), blank=True, default="")
    level_reason_zh = models.TextField(blank=True, default="")
    # The highest level automatic grading has reached (0 before the first grading). When a person lowers
    # `level`, automatic grading raises it again only above this, not back to what they overrode.
    graded_level = models.IntegerField(default=0)
    # A higher level a topic criterion proposes (疑似… · 待研判) until a person confirms or dismisses it in 研判,
    # or the event reaches the topics' reach floor; 0 when nothing waits. `proposal_decided_level` is the
    # highest proposal a person has decided on, so a dismissed proposal is not raised again.
    proposed_level = models.IntegerField(_("proposed level"), default=0)
    proposal_reason = models.TextField(blank=True, default="")
    proposal_reason_zh = models.TextField(blank=True, default="")
    proposal_decided_level = models.IntegerField(default=0)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    workflow = workflow.Workflow(field="status", moves=[
        workflow.Move(Status.OPEN, Status.CLOSED, perm=Perm.JUDGE_MENTIONS, reason_required=True,
                      label=_("Close event")),
        workflow.Move(Status.CLOSED, Status.OPEN, perm=Perm.JUDGE_MENTIONS, label=_("Reopen")),
    ])
    representative_item = models.ForeignKey(
        "monitoring.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a person merged this event into another (it is closed then and its posts moved there).
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_events", verbose_name=_("merged into"))
    # Figures the level was graded from, kept for the list pages.
    views = models.IntegerField(_("views"), default=0)
    comments = models.IntegerField(_("comments"), default=0)
    mainstream_count = models.IntegerField(_("mainstream sites"), default=0)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "-last_seen_at"], name="event_org_status"),
                   models.Index(fields=["organization", "-last_seen_at", "-id"], name="event_org_seen_id")]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    @property
    def pending_proposal(self) -> Level | None:
        """The proposed level waiting for 研判: above the level and not yet decided on by a person."""
        if self.proposed_level > max(self.level, self.proposal_decided_level):
            return Level(self.proposed_level)
        return None


class EventKey(models.Model):
    """What finds the event of a new mention through an index instead of a scan (see detection/pipeline.py).

    A `story` key is the id of a story's original item (an item linked as a repost or duplicate of it joins its
    event); a `term` key is one of the event's key terms, with when a mention last brought it, so the grouping
    window is an index range. One row per (organisation, kind, key, event).
    """

    class Kind(models.TextChoices):
        STORY = "story", _("story")
        TERM = "term", _("key term")

    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("Event", on_delete=models.CASCADE, related_name="keys")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    key = models.CharField(max_length=100)
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "key", "event"],
                                               name="eventkey_unique")]
        verbose_name = _("event key")
        verbose_name_plural = _("event keys")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} → {self.event_id}"


class Mention(models.Model):
    """A post that matched schemes of an organisation (one per post and organisation), with its analysis and
    any manual judgement.

    `schemes` are all the schemes that matched it (the bureau's and the school's, say); `scheme` is the first
    of them, kept for grouping and for pages that show one name.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="mentions")
    schemes = models.ManyToManyField(Scheme, related_name="matched_mentions", blank=True,
                                     verbose_name=_("matched schemes"))
    item = models.ForeignKey("monitoring.Item", on_delete=models.CASCADE, related_name="mentions")
    # The item's organisation (a bureau scheme's mentions belong to the school the item was collected for).
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="mentions", verbose_name=_("organisation")
    )
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions")
    matched_terms = models.JSONField(_("matched terms"), default=list, blank=True)
    negativity = models.FloatField(_("negativity"), default=0.0)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices,
                                 default=Sentiment.NEUTRAL)
    offensive = models.FloatField(_("offensiveness"), default=0.0)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    findings = models.JSONField(_("text-check findings"), default=list, blank=True)
    relevance = models.CharField(_("relevance"), max_length=10, choices=Relevance.choices,
                                 default=Relevance.UNJUDGED)
    judged_sentiment = models.CharField(_("judged sentiment"), max_length=10, choices=Sentiment.choices,
                                        blank=True, default="")
    judged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    judged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "item"], name="mention_unique_org_item")]
        indexes = [models.Index(fields=["organization", "-created_at", "-id"], name="mention_org_created_id")]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")

    def __str__(self) -> str:
        return f"{self.scheme} · {self.item}"

    @property
    def effective_sentiment(self) -> str:
        """The monitor's judgement when there is one, else the classifier's label."""
        return self.judged_sentiment or self.sentiment


class Judgement(models.Model):
    """One manual judgement (人工判读) of a mention, kept as history."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="judgements")
    organization = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True, default="")
    relevance = models.CharField(_("relevance"), max_length=10, choices=Relevance.choices,
                                 default=Relevance.UNJUDGED)
    previous_sentiment = models.CharField(max_length=10, blank=True, default="")
    previous_relevance = models.CharField(max_length=10, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("judgement")
        verbose_name_plural = _("judgements")

    def __str__(self) -> str:
        return f"{self.mention_id}: {self.sentiment or '-'} / {self.relevance}"


class LevelChange(models.Model):
    """One change of an event's level, with its reason ("comments 120 ≥ 100")."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.IntegerField(choices=LEVEL_CHOICES, null=True, blank=True)
    to_level = models.IntegerField(choices=LEVEL_CHOICES)
    reason = models.TextField(blank=True, default="")
    reason_zh = models.TextField(blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["event", "at", "id"]
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.from_level} → {self.to_level}"


def validate_rules(value) -> None:
    try:
        LevelRules.from_dict(value)
    except RulesError as exc:
        raise ValidationError(_("%(field)s: %(reason)s"), code="rules",
                              params={"field": exc.field, "reason": exc.reason}) from exc
    except (TypeError, ValueError, KeyError) as exc:
        raise ValidationError(str(exc), code="rules") from exc


class LevelRuleSet(models.Model):
    """An organisation's changes to the level rules; effective = bureau's merged with the school's."""

    organization = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="level_rules")
    rules = models.JSONField(_("rules"), default=dict, blank=True, validators=[validate_rules])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("level rules")
        verbose_name_plural = _("level rules")

    def __str__(self) -> str:
        return f"{self.organization}"


class SensitivePeriod(models.Model):
    """A time (exams, anniversaries, holidays) in which thresholds are lower and polling faster (敏感期)."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="sensitive_periods",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # Multiplies the numeric level thresholds (0.5 halves them); empty uses the rules' sensitive factor.
    threshold_factor = models.FloatField(_("threshold factor"), null=True, blank=True)
    # Multiplies the sources' polling intervals (0.5 polls twice as often).
    poll_factor = models.FloatField(_("polling factor"), default=0.5)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("sensitive period")
        verbose_name_plural = _("sensitive periods")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
        if self.threshold_factor is not None and not 0 < self.threshold_factor <= 1:
            raise ValidationError({"threshold_factor": _("Use a number greater than 0 and at most 1.")})
        if not 0 < self.poll_factor <= 1:
            raise ValidationError({"poll_factor": _("Use a number greater than 0 and at most 1.")})


class OrgClassifier(models.Model):
    """A negativity model retrained for one organisation from the shipped data plus its judgements."""

    organization = models.OneToOneField("orgs.Organization", on_delete=models.CASCADE, related_name="classifier")
    path = models.CharField(max_length=500)
    trained_at = models.DateTimeField()
    judgements = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    baseline_score = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("organisation classifier")
        verbose_name_plural = _("organisation classifiers")

    def __str__(self) -> str:
        return f"{self.organization}: {self.score:.3f}"
