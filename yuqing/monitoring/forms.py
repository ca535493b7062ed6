"""Forms for sources, tips and file imports; errors name the field and say why."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from yuqing.encryption import SecretInput
from yuqing.monitoring.models import Source

_KIND_HELP = _(
    "rss: url is the feed (RSSHub routes work as is). page: url is the list page; options need link_selector "
    "(CSS) or link_pattern (regular expression). json: options need mapping, e.g. "
    '{"items": "data.list", "mapping": {"title": "title", "url": "link", "published": "time"}}; the secret is '
    "sent as a Bearer token. webhook: no url; the secret signs pushes (left empty, one is generated)."
)


def parse_json_object(value: str, field_label: str) -> dict:
    value = (value or "").strip()
    if not value:
        return {}
    try:
        data = json.loads(value)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(_("Not valid JSON: %(reason)s (line %(line)s, column %(col)s).")
                                    % {"reason": exc.msg, "line": exc.lineno, "col": exc.colno}) from exc
    if not isinstance(data, dict):
        raise forms.ValidationError(_("Must be a JSON object like {\"name\": \"value\"}."))
    return data


class SourceForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=[
        (k.value, k.label) for k in (Source.Kind.RSS, Source.Kind.PAGE, Source.Kind.JSON, Source.Kind.WEBHOOK)
    ], help_text=_KIND_HELP)
    url = forms.URLField(label=_("Address"), max_length=2000, required=False, assume_scheme="https")
    options = forms.CharField(label=_("Options (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Kind-specific options as a JSON object; leave empty for none."))
    secret = forms.CharField(label=_("Secret or API token"), required=False, widget=SecretInput,
                             help_text=_("Stored encrypted and never shown again; leave empty to keep the current one."))
    interval_seconds = forms.IntegerField(label=_("Check every (seconds)"), min_value=60, max_value=7 * 86400,
                                          initial=900)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    respect_robots = forms.BooleanField(label=_("Honour robots.txt"), required=False, initial=True)
    allow_private = forms.BooleanField(
        label=_("May reach private networks"), required=False,
        help_text=_("Only for sources inside your own network. Only an administrator may change this."))

    def __init__(self, *args, organizations, can_allow_private: bool, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if editing:
            del self.fields["organization"]
            self.fields["kind"].disabled = True
        if not can_allow_private:
            self.fields["allow_private"].disabled = True

    def clean_options(self):
        return parse_json_object(self.cleaned_data.get("options", ""), "options")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in Source.PULL_KINDS and not data.get("url") and "url" not in self.errors:
            self.add_error("url", _("A web address is required for this kind of source."))
        return data


class TipForm(forms.Form):
    url = forms.URLField(label=_("Link"), max_length=2000, required=False, assume_scheme="https")
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    text = forms.CharField(label=_("What was said"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    screenshot = forms.FileField(label=_("Screenshot"), required=False,
                                 help_text=_("PNG, JPEG, GIF or WebP, up to 10 MB; kept as evidence."))
    level = forms.TypedChoiceField(
        label=_("Level"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Let the system grade it (starts at 一般)")), (1, "一般"), (2, "较大"), (3, "重大"),
                 (4, "特别重大")],
        help_text=_("Only if you have judged the tip yourself; otherwise it starts at 一般."))

    def clean(self):
        data = super().clean()
        if not data.get("url") and not (data.get("text") or "").strip() and "url" not in self.errors:
            self.add_error("text", _("Give a link or the text you saw."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("CSV (UTF-8 or GB18030), XLSX or JSONL, up to 20 MB."))
    mapping = forms.CharField(
        label=_("Column mapping"), initial="title=标题,text=内容,url=链接,published=时间,author=作者",
        help_text=_("field=column pairs separated by commas; fields: title, text, url, published, author, "
                    "views, comments, reposts, likes."))
    platform = forms.CharField(label=_("Platform"), required=False, max_length=32,
                               help_text=_("e.g. weibo; guessed from each link when empty."))

    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it."))
        return upload

    def clean_mapping(self):
        try:
            return parse_mapping(self.cleaned_data["mapping"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


METRIC_NAMES = ("views", "comments", "reposts", "likes")


def parse_mapping(text: str) -> dict:
    """"title=标题,text=内容,comments=评论数" → the connector's mapping dict (metrics nested)."""
    mapping: dict = {}
    for part in text.replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise ValueError(_("%(part)r is not field=column.") % {"part": part})
        field, column = (s.strip() for s in part.split("=", 1))
        if not field or not column:
            raise ValueError(_("%(part)r is not field=column.") % {"part": part})
        if field in METRIC_NAMES:
            mapping.setdefault("metrics", {})[field] = column
        else:
            mapping[field] = column
    if not mapping:
        raise ValueError(_("Give at least one field=column pair."))
    return mapping
