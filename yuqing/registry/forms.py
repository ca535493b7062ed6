"""Forms of the registry pages; the actions do the real checks, so errors name the field either way."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from yuqing.orgs.models import Organization
from yuqing.registry.models import Channel, ChatGroup, Violation


def _members(org):
    return get_user_model().objects.filter(memberships__organization__path__startswith=org.path).distinct() \
        .order_by("full_name", "username")


def _units(org):
    return Organization.objects.filter(path__startswith=org.path).exclude(pk=org.pk)


class _RegistryForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the filing"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Why it is needed; the approvers read this."))

    def __init__(self, *args, organization, applying: bool, **kwargs):
        super().__init__(*args, **kwargs)
        people = _members(organization)
        for name in ("responsible", "deputy"):
            if name in self.fields:
                self.fields[name].queryset = people
        self.fields["unit"].queryset = _units(organization)
        if not applying:
            del self.fields["reason"]
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"


class ChannelForm(_RegistryForm):
    url = forms.URLField(label=_("Address"), required=False, max_length=1000, assume_scheme="https")

    class Meta:
        model = Channel
        fields = ["kind", "name", "account_id", "url", "unit", "responsible", "deputy", "purpose", "filed_on",
                  "next_review_on", "last_publication_at"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 2}), "filed_on": forms.DateInput(),
                   "next_review_on": forms.DateInput(),
                   "last_publication_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
        help_texts = {"account_id": _("Platform account id (e.g. the gh_ id of an official account)."),
                      "last_publication_at": _("Only needed when no source or publish record tells it.")}

    def __init__(self, *args, organization, applying: bool, **kwargs):
        super().__init__(*args, organization=organization, applying=applying, **kwargs)
        if applying:
            for name in ("filed_on", "last_publication_at"):
                del self.fields[name]


class ChatGroupForm(_RegistryForm):
    class Meta:
        model = ChatGroup
        fields = ["kind", "name", "number", "unit", "owner_name", "responsible", "purpose", "temporary",
                  "task_ends_on", "member_count", "last_activity_on", "filed_on"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 2}), "task_ends_on": forms.DateInput(),
                   "last_activity_on": forms.DateInput(), "filed_on": forms.DateInput()}

    def __init__(self, *args, organization, applying: bool, **kwargs):
        super().__init__(*args, organization=organization, applying=applying, **kwargs)
        if applying:
            for name in ("filed_on", "last_activity_on"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("temporary") and not data.get("task_ends_on"):
            self.add_error("task_ends_on", _("A temporary group needs the date its task ends."))
        return data


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Registry file (XLSX or CSV)"))


class InspectionForm(forms.Form):
    performed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ViolationForm(forms.ModelForm):
    class Meta:
        model = Violation
        fields = ["kind", "name", "account_id", "url", "holder", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"url": forms.URLField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].assume_scheme = "https"
        self.fields["url"].required = False
