"""Forms of incidents: opening a case by hand, the evaluation; the actions validate again."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from yuqing.incidents.models import Evaluation, HandlingType, Origin
from yuqing.levels import Level


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    level = forms.TypedChoiceField(label=_("Level"), coerce=int, choices=[(int(lv), lv.label) for lv in Level],
                                   initial=int(Level.GENERAL))
    origin = forms.ChoiceField(label=_("Origin"), choices=[c for c in Origin.choices if c[0] != Origin.EVENT],
                               initial=Origin.PHONE)
    reporter = forms.CharField(label=_("Reported by"), max_length=200, required=False,
                               help_text=_("Only what the handling needs, e.g. “a parent, by phone”."))
    summary = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    handling_type = forms.ChoiceField(label=_("Handling type"), required=False,
                                      choices=[("", "—"), *HandlingType.choices])
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=get_user_model().objects.none(),
                                         required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = get_user_model().objects.filter(
            memberships__organization__path__startswith=organization.path).distinct().order_by("username")


class EvaluationForm(forms.ModelForm):
    rectifications_text = forms.CharField(
        label=_("Rectifications"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: what | who | by when (YYYY-MM-DD) | done (yes/no)."))

    class Meta:
        model = Evaluation
        fields = ["what_happened", "actions", "effect", "lessons"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.fields["rectifications_text"].initial = "\n".join(
                " | ".join([r["item"], r.get("owner", ""), r.get("due", ""), "yes" if r.get("done") else "no"])
                for r in self.instance.rectifications)

    def clean(self):
        data = super().clean()
        rows = []
        for line in (data.pop("rectifications_text", "") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts or not parts[0]:
                continue
            parts += [""] * (4 - len(parts))
            rows.append({"item": parts[0], "owner": parts[1], "due": parts[2],
                         "done": parts[3].lower() in {"yes", "y", "是", "已完成", "done", "1"}})
        data["rectifications"] = rows
        return data
