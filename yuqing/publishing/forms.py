"""Forms of the publishing pages; the actions do the validation that matters and name the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yuqing.publishing.models import Decision


class DraftForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text=_("Paste from Word or WPS: headings, lists, bold and images are kept."))
    category = forms.ChoiceField(label=_("Category"))
    channels = forms.MultipleChoiceField(label=_("Channels"), required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text=_("Only active channels of the registry."))
    is_repost = forms.BooleanField(label=_("Repost"), required=False)
    source = forms.CharField(label=pgettext_lazy("repost", "Source"), required=False, max_length=300,
                             help_text=_("Where a repost comes from (required for reposts)."))

    def __init__(self, *args, categories=(), channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = list(categories)
        self.fields["channels"].choices = [(str(c.pk), f"{c.name}（{c.get_kind_display()}）") for c in channels]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Image or video"),
                           help_text=_("JPEG 900×500 for images; MP4, FLV or F4V up to 20 MB for video."))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.Kind.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    passage = forms.CharField(label=_("Passage"), required=False, max_length=500,
                              help_text=_("Quote the passage your comment is about (optional)."))
    to_stage = forms.TypedChoiceField(label=_("Return to stage"), required=False, coerce=int, empty_value=None)
    override_reason = forms.CharField(label=_("Reason to override blocking findings"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, earlier_stages=(), may_override=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [("", "—"), *((s["position"], s["name"]) for s in earlier_stages)]
        # Only what the stage can use is offered: no earlier stage at the first, no override before the last.
        if not earlier_stages:
            del self.fields["to_stage"]
            self.fields["decision"].choices = [c for c in Decision.Kind.choices if c[0] != Decision.Kind.RETURN]
        if not may_override:
            del self.fields["override_reason"]


class CheckTextForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 10}))
    file = forms.FileField(label=_("or a file (.docx, .txt)"), required=False)
    check_links = forms.BooleanField(label=_("Also check that links work (requests each link)"), required=False)


class PreviewForm(forms.Form):
    note = forms.CharField(label=_("Test send note"), required=False, max_length=500,
                           help_text=_("Who received the test send and what was checked."))


class PublishForm(forms.Form):
    url = forms.CharField(label=_("Address of the publication"), required=False, max_length=1000)


class ChainStageForm(forms.Form):
    name = forms.CharField(label=_("Stage name"), max_length=50, required=False)
    roles = forms.MultipleChoiceField(label=_("Roles who may act"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    people = forms.CharField(label=_("Named people (user names, comma-separated)"), required=False)
    hours = forms.IntegerField(label=_("Time limit (hours)"), required=False, min_value=1)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = list(roles)


class CategoryForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=48, help_text=_("e.g. sports; used by the API."))
    name = forms.CharField(label=_("Name"), max_length=100)
