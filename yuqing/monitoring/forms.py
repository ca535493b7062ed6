"""Forms for sources, tips and file imports; errors name the field and say why."""

from __future__ import annotations

import json

from django import forms
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from yuqing.encryption import SecretInput
from yuqing.monitoring.models import Source


def _typed(value: str) -> str:
    """Something a person types exactly as shown (an option key, a field name): set in code type."""
    return format_html("<code>{}</code>", value)


def _kind_help():
    return format_html(
        str(_("{rss}: the address is the feed (RSSHub routes work as is). {page}: the address is the list page; "
              "options need {link_selector} (CSS) or {link_pattern} (a regular expression). {json}: options need "
              "{mapping}, e.g. {example}; the secret is sent as a Bearer token. {webhook}: no address; the secret "
              "signs pushes (left empty, one is generated).")),
        rss=Source.Kind.RSS.label, page=Source.Kind.PAGE.label, json=Source.Kind.JSON.label,
        webhook=Source.Kind.WEBHOOK.label, link_selector=_typed("link_selector"), link_pattern=_typed("link_pattern"),
        mapping=_typed("mapping"),
        example=_typed('{"items": "data.list", "mapping": {"title": "title", "url": "link", "published": "time"}}'))


def _mapping_help():
    fields = format_html_join("、", "<code>{}</code>（{}）", ((name, label) for name, label in IMPORT_FIELDS))
    return format_html(str(_("{pairs} pairs separated by commas; a column may be named by its header or by the "
                             "field's own name. Fields: {fields}.")),
                       pairs=_typed(str(_("field=column"))), fields=fields)


# Fields an import can fill, with what people call them.
IMPORT_FIELDS = [("title", _("title")), ("text", _("text")), ("url", _("link")), ("published", _("published")),
                 ("author", _("author")), ("views", _("views")), ("comments", _("comments")),
                 ("reposts", _("reposts")), ("likes", _("likes"))]
_KIND_HELP = lazy(_kind_help, SafeString)()


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

    def __init__(self, *args, organizations, can_allow_private: bool, editing: bool = False,
                 has_secret: bool = False, has_headers: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"].widget.has_saved_value = has_secret
        if has_headers:
            self.fields["options"].help_text = format_html(
                "{} {}", self.fields["options"].help_text,
                _("Extra headers: saved (not shown again); give \"headers\" again to replace them."))
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


# A tip is what someone saw, not a document: longer texts are refused rather than stored and shown whole.
MAX_TIP_CHARS = 20_000


class TipForm(forms.Form):
    url = forms.URLField(label=_("Link"), max_length=2000, required=False, assume_scheme="https")
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    text = forms.CharField(label=_("What was said"), required=False, max_length=MAX_TIP_CHARS,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=lazy(lambda: _("Up to %(n)s characters; put the rest in the screenshot or "
                                                    "the link.") % {"n": MAX_TIP_CHARS}, str)())
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
        help_text=lazy(_mapping_help, SafeString)())
    platform = forms.CharField(label=_("Platform"), required=False, max_length=32,
                               help_text=lazy(lambda: format_html(str(_("e.g. {example}; guessed from each link when empty.")),
                                                                  example=_typed("weibo")), SafeString)())

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
