"""Notifier forms built from each transport's Config dataclass, and the duty-shift form."""

from __future__ import annotations

import dataclasses

from django import forms
from django.utils.translation import gettext_lazy as _

from yuqing.encryption import SecretInput, SecretTextarea
from yuqing.labels import label as label_of
from yuqing.notify.actions import check_settings, split_settings
from yuqing.notify.models import LEVEL_CHOICES
from yuqing.notify.transports import QuietWindow, get_transport

LABELS = {
    "host": _("SMTP server"), "port": _("Port"), "security": _("Connection security"),
    "from_addr": _("Sender address"), "to_addrs": _("Recipients"), "username": _("SMTP user name"),
    "password": _("SMTP password"), "verify_tls": _("Verify the server's certificate"),
    "ca_file": _("Certificate authority file"), "key": _("Robot key"), "msgtype": _("Message type"),
    "msg_type": _("Message type"), "mentioned_mobiles": _("Mobiles to mention"), "at_mobiles": _("Mobiles to mention"),
    "at_all": _("Mention everyone"), "base_url": _("Service address"), "access_token": _("Access token"),
    "secret": _("Signing secret"), "hook_id": _("Hook id"), "url": _("Address"), "headers": _("Extra headers"),
}
HELP = {
    "to_addrs": _("One address per line."),
    "mentioned_mobiles": _("One mobile number per line."),
    "at_mobiles": _("One mobile number per line."),
    "headers": _("One per line, as Name: value."),
    "base_url": _("Change only for a relay or a test server."),
    "ca_file": _("For a mail server whose certificate comes from your own authority."),
}
# Transport constants listing the allowed values of a setting.
CHOICE_CONSTANTS = {"msgtype": "MSGTYPES", "msg_type": "MSG_TYPES", "security": "SECURITY_MODES"}
COMMON_FIELDS = ("name", "min_level", "quiet_hours", "enabled")


class NotifierForm(forms.Form):
    """Common fields plus one field per setting of the kind's transport; secrets are never shown."""

    name = forms.CharField(label=_("Name"), max_length=100)
    min_level = forms.TypedChoiceField(label=_("Lowest level"), choices=LEVEL_CHOICES, coerce=int, initial=1,
                                       help_text=_("Alerts below this level do not use this channel."))
    quiet_hours = forms.CharField(label=_("Quiet hours"), max_length=32, required=False,
                                  help_text=_("e.g. 22:00-07:00: alerts below 重大 wait until the end. Blank: none."))
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, kind: str, notifier=None, **kwargs):
        self.kind = kind
        self.notifier = notifier
        self.transport = get_transport(kind)
        config_cls = self.transport.Config
        self.secret_names = tuple(config_cls.SECRET_FIELDS)
        if notifier is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial(notifier)
        super().__init__(*args, **kwargs)
        self.setting_names: list[str] = []
        for spec in dataclasses.fields(config_cls):
            self.fields[spec.name] = self._field_for(spec)
            self.setting_names.append(spec.name)

    def _initial(self, notifier) -> dict:
        initial = {name: getattr(notifier, name) for name in COMMON_FIELDS}
        for name, value in (notifier.config or {}).items():
            if isinstance(value, list):
                value = "\n".join(str(v) for v in value)
            elif isinstance(value, dict):
                value = "\n".join(f"{k}: {v}" for k, v in value.items())
            initial[name] = value
        return initial

    def _field_for(self, spec: dataclasses.Field) -> forms.Field:
        name, type_name = spec.name, str(spec.type)
        has_default = spec.default is not dataclasses.MISSING or spec.default_factory is not dataclasses.MISSING
        default = spec.default if spec.default is not dataclasses.MISSING else None
        label, help_text = LABELS.get(name, name.replace("_", " ").capitalize()), HELP.get(name, "")
        if name in self.secret_names:
            editing = self.notifier is not None and name in self.notifier.secrets()
            widget = (SecretTextarea(saved=editing) if type_name.startswith("dict") else SecretInput(saved=editing))
            return forms.CharField(
                label=label, required=not editing and not has_default, widget=widget, strip=True,
                help_text=_("Stored encrypted and never shown; leave blank to keep the saved value.") if editing
                else help_text,
            )
        if name in CHOICE_CONSTANTS and hasattr(self.transport, CHOICE_CONSTANTS[name]):
            values = getattr(self.transport, CHOICE_CONSTANTS[name])
            return forms.ChoiceField(label=label, choices=[(v, label_of(v, "notify_choice")) for v in values],
                                     initial=default,
                                     help_text=help_text)
        if type_name == "bool":
            return forms.BooleanField(label=label, required=False, initial=default, help_text=help_text)
        if type_name == "int":
            return forms.IntegerField(label=label, required=not has_default, initial=default, help_text=help_text)
        if type_name.startswith(("tuple", "dict")):
            return forms.CharField(label=label, required=not has_default, help_text=help_text,
                                   widget=forms.Textarea(attrs={"rows": 3}))
        return forms.CharField(label=label, required=not has_default, initial=default, help_text=help_text,
                               max_length=2000)

    def clean_quiet_hours(self) -> str:
        value = self.cleaned_data.get("quiet_hours", "").strip()
        if value:
            try:
                QuietWindow.parse(value)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
        return value

    def _setting_value(self, spec: dataclasses.Field, raw):
        type_name = str(spec.type)
        if type_name.startswith("tuple"):
            return [part.strip() for part in str(raw or "").replace(",", "\n").splitlines() if part.strip()]
        if type_name.startswith("dict"):
            headers = {}
            for line in str(raw or "").splitlines():
                if not line.strip():
                    continue
                if ":" not in line:
                    self.add_error(spec.name, _("Write each header as Name: value."))
                    continue
                key, value = line.split(":", 1)
                headers[key.strip()] = value.strip()
            return headers
        return raw

    def clean(self):
        cleaned = super().clean()
        settings: dict = {}
        for spec in dataclasses.fields(self.transport.Config):
            if spec.name not in cleaned:
                continue  # the field already has an error
            value = self._setting_value(spec, cleaned[spec.name])
            if value in ("", None) and spec.name not in self.secret_names:
                has_default = (spec.default is not dataclasses.MISSING
                               or spec.default_factory is not dataclasses.MISSING)
                if has_default:
                    continue
            settings[spec.name] = value
        config, secrets = split_settings(self.kind, settings)
        stored = self.notifier.secrets() if self.notifier is not None else {}
        merged = {**stored, **{k: v for k, v in secrets.items() if v}}
        try:
            check_settings(self.kind, config, merged)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        self.settings = {**config, **secrets}
        return cleaned

    def common(self) -> dict:
        return {name: self.cleaned_data[name] for name in COMMON_FIELDS}


class DutyShiftForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=None)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    repeat_until = forms.DateField(label=_("Repeat weekly until"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("Leave empty for a single shift."))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Repeat on"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        choices=[(0, _("Mon")), (1, _("Tue")), (2, _("Wed")), (3, _("Thu")), (4, _("Fri")), (5, _("Sat")),
                 (6, _("Sun"))],
        help_text=_("Empty: the weekday of the first shift."))
    skip_non_working = forms.BooleanField(label=_("Skip days off (public holidays and weekends, with make-up working days)"),
                                          required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda user: f"{user.display_name} ({user.username})"

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The shift must end after it starts."))
        if not cleaned.get("repeat_until") and (cleaned.get("weekdays") or cleaned.get("skip_non_working")):
            self.add_error("repeat_until", _("Give the day the repetition ends."))
        return cleaned
