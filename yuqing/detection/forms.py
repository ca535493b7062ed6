"""Forms for schemes, level rules and sensitive periods; errors name the field and say why."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuqing.detection.expressions import ExpressionError, compile_expression
from yuqing.detection.grading import Level, LevelRules
from yuqing.labels import expression_reason, labels

_EXPRESSION_HELP = _(
    "AND, OR, NOT and parentheses (also & | !); quote phrases. Example: (第一中学 OR 一中) AND (食堂 OR 收费) NOT 招聘"
)


class SchemeForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    expression = forms.CharField(label=_("Keyword expression"), help_text=_EXPRESSION_HELP,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    applies_to_children = forms.BooleanField(label=_("Applies to all organisations below"), required=False,
                                             initial=True)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean_expression(self) -> str:
        value = self.cleaned_data["expression"]
        try:
            compile_expression(value)
        except ExpressionError as exc:
            raise forms.ValidationError(_("Character %(position)s: %(reason)s")
                                        % {"position": exc.position, "reason": expression_reason(exc.reason)}) from exc
        return value


class PeriodForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    starts = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    threshold_factor = forms.FloatField(label=_("Threshold factor"), required=False, min_value=0.01, max_value=1,
                                        help_text=_("0.5 halves the numeric level thresholds; empty uses the rules."))
    poll_factor = forms.FloatField(label=_("Polling factor"), initial=0.5, min_value=0.01, max_value=1,
                                   help_text=_("0.5 polls sources twice as often."))

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["ends"] < data["starts"]:
            self.add_error("ends", _("The last day must not be before the first day."))
        return data

    def period_values(self) -> dict:
        data = self.cleaned_data
        # Whole days in local time: from the first day's midnight to the midnight after the last day.
        starts = timezone.make_aware(datetime.combine(data["starts"], time.min))
        ends = timezone.make_aware(datetime.combine(data["ends"], time.min)) + timedelta(days=1)
        return {"name": data["name"], "starts_at": starts, "ends_at": ends,
                "threshold_factor": data.get("threshold_factor"), "poll_factor": data["poll_factor"]}


_COUNTS = (("clicks", _("Clicks")), ("comments", _("Comments")), ("mainstream_reposts", _("Mainstream sites")),
           ("sensitive_mainstream_reposts", _("Mainstream sites in a sensitive period")))
GRADED = [level for level in Level if level is not Level.GENERAL]


class LevelRulesForm(forms.Form):
    """One field per level and threshold; an empty field inherits, 0 switches the condition off."""

    sensitive_factor = forms.FloatField(label=_("Sensitive-period factor"), required=False, min_value=0.01,
                                        max_value=1)

    def __init__(self, *args, inherited: LevelRules, own: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.inherited = inherited
        own_levels = own.get("levels", {})
        self.fields["sensitive_factor"].help_text = _("Inherited: %(v)s") % {"v": inherited.sensitive_factor}
        self.initial.setdefault("sensitive_factor", own.get("sensitive_factor"))
        for level in GRADED:
            mine = own_levels.get(level.code, {})
            base = inherited.thresholds(level)
            for name, label in _COUNTS:
                key = f"{level.code}__{name}"
                value = getattr(base, name)
                self.fields[key] = forms.IntegerField(
                    label=f"{level.label} · {label}", required=False, min_value=0,
                    help_text=_("Inherited: %(v)s") % {"v": "—" if value is None else value},
                )
                if name in mine:
                    self.initial.setdefault(key, 0 if mine[name] is None else mine[name])
            key = f"{level.code}__categories"
            self.fields[key] = forms.CharField(
                label=f"{level.label} · " + str(_("Categories")), required=False,
                help_text=_("Inherited: %(v)s") % {"v": labels(base.categories, "category") or "—"},
            )
            if "categories" in mine:
                self.initial.setdefault(key, ", ".join(mine["categories"]))
        own_topics = own.get("topics", {})
        self.fields["topics__propose_only"] = forms.TypedChoiceField(
            label=_("Topics of concern only propose their level (待研判)"), required=False,
            choices=[("", _("Inherit")), ("1", _("Yes")), ("0", _("No: grade at once"))],
            coerce=lambda v: v == "1", empty_value=None,
            help_text=_("Inherited: %(v)s") % {"v": _("Yes") if inherited.topics.propose_only else _("No")},
        )
        if "propose_only" in own_topics:
            self.initial.setdefault("topics__propose_only", "1" if own_topics["propose_only"] else "0")
        own_floor = own_topics.get("reach_floor", {})
        for name, label in _COUNTS[:3]:
            key = f"topics__floor__{name}"
            value = getattr(inherited.topics, name)
            self.fields[key] = forms.IntegerField(
                label=str(_("Reach floor for a topic to take effect")) + f" · {label}", required=False, min_value=0,
                help_text=_("Inherited: %(v)s") % {"v": "—" if value is None else value},
            )
            if name in own_floor:
                self.initial.setdefault(key, 0 if own_floor[name] is None else own_floor[name])

    def rules(self) -> dict:
        """The override JSON: only the fields filled in."""
        data = self.cleaned_data
        out: dict = {}
        if data.get("sensitive_factor") is not None:
            out["sensitive_factor"] = data["sensitive_factor"]
        levels: dict = {}
        for level in GRADED:
            entry: dict = {}
            for name, _label in _COUNTS:
                value = data.get(f"{level.code}__{name}")
                if value is not None:
                    entry[name] = None if value == 0 else value
            categories = data.get(f"{level.code}__categories")
            if categories:
                entry["categories"] = [c.strip() for c in categories.replace("，", ",").split(",") if c.strip()]
            if entry:
                levels[level.code] = entry
        if levels:
            out["levels"] = levels
        topics: dict = {}
        if data.get("topics__propose_only") is not None:
            topics["propose_only"] = data["topics__propose_only"]
        floor = {}
        for name, _label in _COUNTS[:3]:
            value = data.get(f"topics__floor__{name}")
            if value is not None:
                floor[name] = None if value == 0 else value
        if floor:
            topics["reach_floor"] = floor
        if topics:
            out["topics"] = topics
        return out
