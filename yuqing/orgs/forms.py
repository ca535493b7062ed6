"""Forms for organisations and people; field errors name the field and say why."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from yuqing.orgs.models import Organization, Role
from yuqing.orgs.permissions import least_privileged_role


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(label=_("Slug"), max_length=64,
                           help_text=_("Short Latin name used in addresses and on the command line, e.g. no1-middle"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    unit_type = forms.ChoiceField(label=_("Unit type"), choices=Organization.UnitType.choices, required=False)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Organization.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This slug is already used by another organisation."))
        return slug


class OrganizationEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit_type = forms.ChoiceField(label=_("Unit type"), choices=Organization.UnitType.choices, required=False)


class PersonForm(forms.Form):
    username = forms.RegexField(label=_("User name"), max_length=150, regex=r"^[\w.@+-]+\Z",
                                error_messages={"invalid": _("Use letters, digits and @ . + - _ only.")})
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices,
                             help_text=_("A new person starts with the role that may do least; choose more only when needed."))
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, required=False,
                               help_text=_("Leave empty to let the person set one later."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = least_privileged_role()

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password)
        return password


class MembershipForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations
        self.fields["role"].initial = least_privileged_role()


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
