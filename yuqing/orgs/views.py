"""Pages to browse and manage organisations and people, and the organisation switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuqing.formerrors import apply_errors
from yuqing.orgs import actions, permissions
from yuqing.orgs.forms import (
    MembershipForm,
    OrganizationEditForm,
    OrganizationForm,
    PersonForm,
    SetPasswordForm,
)
from yuqing.orgs.middleware import SESSION_KEY
from yuqing.orgs.models import Membership, Organization
from yuqing.orgs.permissions import Perm

User = get_user_model()


def _org(request, slug: str) -> Organization:
    return permissions.get_visible_or_404(request.user, Organization.objects.all(), org_field="", slug=slug)


@login_required
def org_list(request):
    orgs = permissions.visible_organizations(request.user).select_related("parent")
    return render(request, "orgs/org_list.html", {"orgs": orgs})


@login_required
def org_detail(request, slug):
    org = _org(request, slug)
    members = Membership.objects.filter(organization=org).select_related("user")
    children = org.children.all()
    return render(request, "orgs/org_detail.html", {
        "org": org, "members": members, "children": children,
        "can_manage": permissions.has_perm(request.user, Perm.MANAGE_ORGANIZATION, org),
        "can_manage_people": permissions.has_perm(request.user, Perm.MANAGE_PEOPLE, org),
    })


@login_required
def org_create(request, slug):
    parent = _org(request, slug)
    permissions.require(request.user, Perm.MANAGE_ORGANIZATION, parent)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = actions.do_create_organization(acting_user=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Organisation created."))
            return redirect("orgs:org-detail", slug=org.slug)
    return render(request, "orgs/org_form.html", {"form": form, "parent": parent})


@login_required
def org_edit(request, slug):
    org = _org(request, slug)
    permissions.require(request.user, Perm.MANAGE_ORGANIZATION, org)
    form = OrganizationEditForm(request.POST or None, initial={"name": org.name, "unit_type": org.unit_type})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_organization(org, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:org-detail", slug=org.slug)
    return render(request, "orgs/org_form.html", {"form": form, "org": org})


@login_required
def people_list(request):
    org = request.organization
    if org is None:
        raise Http404("no organisation")
    memberships = (permissions.visible(request.user, Membership.objects.all())
                   .filter(organization__path__startswith=org.path)
                   .select_related("user", "organization"))
    return render(request, "orgs/people_list.html", {
        "memberships": memberships, "org": org,
        "can_manage_people": permissions.has_perm(request.user, Perm.MANAGE_PEOPLE, org),
    })


@login_required
def person_create(request, slug):
    org = _org(request, slug)
    permissions.require(request.user, Perm.MANAGE_PEOPLE, org)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _m = actions.do_create_user(acting_user=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect("orgs:person-detail", pk=user.pk)
    return render(request, "orgs/person_form.html", {"form": form, "org": org})


def _person(request, pk) -> User:
    visible_members = permissions.visible(request.user, Membership.objects.all())
    if not visible_members.filter(user_id=pk).exists() and request.user.pk != int(pk):
        raise Http404("no such person")
    return User.objects.get(pk=pk)


@login_required
def person_detail(request, pk):
    person = _person(request, pk)
    memberships = permissions.visible(request.user, person.memberships.select_related("organization"))
    manageable = permissions.visible_organizations(request.user, Perm.MANAGE_PEOPLE)
    form = MembershipForm(request.POST or None, organizations=manageable)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_membership(user=person, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Role added."))
            return redirect("orgs:person-detail", pk=person.pk)
    return render(request, "orgs/person_detail.html", {
        "person": person, "memberships": memberships, "form": form if manageable.exists() else None,
        **_account_care(request, person),
    })


def _account_care(request, person) -> dict:
    """What the account-care card shows: only to someone who may manage this person's account."""
    from yuqing.accounts import actions as account_actions

    if request.user.pk == person.pk or not permissions.may_manage_person(request.user, person):
        return {"care": False}
    return {
        "care": True,
        "lockout": account_actions.lockout_state(person),
        "has_second_factor": bool(account_actions.confirmed_devices(person)),
        "mail_configured": account_actions.mail_configured(),
        "open_link": person.account_links.filter(used_at__isnull=True).order_by("-created_at").first(),
    }


@login_required
@require_POST
def person_unlock(request, pk):
    from yuqing.accounts import actions as account_actions

    person = _person(request, pk)
    account_actions.do_unlock_person(person, acting_user=request.user)
    messages.success(request, _("The lock-out is lifted; %(name)s can log in again.") % {"name": person.display_name})
    return redirect("orgs:person-detail", pk=person.pk)


@login_required
@require_POST
def person_second_factor_reset(request, pk):
    from yuqing.accounts import actions as account_actions

    person = _person(request, pk)
    account_actions.do_reset_second_factor(person, acting_user=request.user)
    messages.success(request, _("The second factor of %(name)s is removed: they log in with the password and set "
                                "up a new authenticator.") % {"name": person.display_name})
    return redirect("orgs:person-detail", pk=person.pk)


@login_required
@require_POST
def person_link(request, pk):
    """Issue an invitation or password-reset link. A link that was not e-mailed is shown on this one response
    only; reloading does not show it again."""
    from yuqing.accounts import actions as account_actions

    person = _person(request, pk)
    try:
        issued = account_actions.do_issue_account_link(person, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("orgs:person-detail", pk=person.pk)
    if issued.emailed:
        messages.success(request, _("The link was e-mailed to %(email)s.") % {"email": issued.link.emailed_to})
        return redirect("orgs:person-detail", pk=person.pk)
    return render(request, "orgs/person_link.html", {"person": person, "issued": issued})


@login_required
@require_POST
def membership_remove(request, pk):
    membership = permissions.get_visible_or_404(request.user, Membership.objects.all(), pk=pk)
    actions.do_remove_membership(membership, acting_user=request.user)
    messages.success(request, _("Role removed."))
    return redirect("orgs:person-detail", pk=membership.user_id)


@login_required
@require_POST
def switch_organization(request):
    org_id = request.POST.get("organization", "")
    if not org_id.isdigit():
        raise Http404("organization: expected the number of one of your organisations")
    org = permissions.get_visible_or_404(request.user, Organization.objects.all(), org_field="", pk=int(org_id))
    request.session[SESSION_KEY] = org.pk
    nxt = request.POST.get("next") or "/"
    # Django's check also refuses /\\host and other forms browsers read as another site.
    return redirect(nxt if nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, {request.get_host()})
                    else "/")


@login_required
@require_POST
def person_password(request, pk):
    """An administrator sets a new password for a member and lifts a login lock-out on that user name."""
    from axes.utils import reset as reset_lockout

    person = _person(request, pk)
    org = (permissions.visible_organizations(request.user, Perm.MANAGE_PEOPLE)
           .filter(memberships__user=person).order_by("path").first())
    if org is None:
        raise permissions.PermissionDenied("you may not manage this person")
    form = SetPasswordForm(request.POST)
    if form.is_valid():
        try:
            actions.do_set_password(person, password=form.cleaned_data["password"], acting_user=request.user,
                                    organization=org)
        except ValidationError as exc:
            messages.error(request, _("Password") + ": " + " ".join(exc.messages))
        else:
            reset_lockout(username=person.username)
            messages.success(request, _("The new password is set and any login lock-out is lifted."))
    else:
        messages.error(request, _("Password") + ": " + " ".join(form.errors.get("password", [])))
    return redirect("orgs:person-detail", pk=person.pk)
