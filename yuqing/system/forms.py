"""The form of a working-day calendar override."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yuqing.system.models import CalendarDay


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("The day is"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("e.g. 春节 or 县运动会调休"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
