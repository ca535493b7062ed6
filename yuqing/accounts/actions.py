"""Account care: lifting a lock-out, recovery codes, an administrator's reset of a lost second factor, and the
one-time links with which a person sets their password. Each is permission-checked and audited."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yuqing.accounts.models import AccountLink, RecoveryCode
from yuqing.audit.log import record
from yuqing.orgs import permissions

RECOVERY_CODE_COUNT = 10
# 10 characters of a 32-letter alphabet without look-alikes (0/o, 1/l/i): 50 bits, read and typed off paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _home_org(acting_user, person):
    """The organisation an administrator's record about `person` is filed under: the highest one of the
    person's that the administrator manages (audit readers there see it)."""
    from yuqing.orgs.models import Organization
    from yuqing.orgs.permissions import Perm

    return (permissions.visible_organizations(acting_user, Perm.MANAGE_PEOPLE)
            .filter(pk__in=Organization.objects.filter(memberships__user=person).values("pk"))
            .order_by("path").first())


# --- lock-out ------------------------------------------------------------------------------------------

def lockout_state(person) -> dict | None:
    """{"until": when the lock lifts} while the person's user name is locked out after wrong passwords."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempt = (AccessAttempt.objects.filter(username=person.username, attempt_time__gte=since,
                                            failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
               .order_by("-attempt_time").first())
    if attempt is None:
        return None
    return {"until": attempt.attempt_time + settings.AXES_COOLOFF_TIME, "failures": attempt.failures_since_start}


def do_unlock_person(person, *, acting_user) -> int:
    """Lift the lock-out on the person's user name (from every address); returns how many records it cleared."""
    from axes.models import AccessAttempt

    permissions.require_manage_person(acting_user, person)
    with transaction.atomic():
        cleared, _n = AccessAttempt.objects.filter(username=person.username).delete()
        record(actor=acting_user, action="user.unlock", obj=person, organization=_home_org(acting_user, person),
               after={"attempts_cleared": cleared})
    return cleared


# --- second factor -------------------------------------------------------------------------------------

def confirmed_devices(user) -> list:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return list(TOTPDevice.objects.filter(user=user, confirmed=True))


def wait_seconds(devices) -> int:
    """Seconds until the throttled authenticator accepts another code (0: now). django-otp doubles the wait
    after each wrong code, so the right code is refused for a moment after a wrong one."""
    longest = 0
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            longest = max(longest, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))
    return max(longest, 0)


def do_issue_recovery_codes(user, *, acting_user) -> list[str]:
    """New recovery codes for the person's own second factor; earlier codes stop working. Returned once."""
    if acting_user != user:
        raise permissions.PermissionDenied(_("Recovery codes are issued by their owner only."))
    if not confirmed_devices(user):
        raise ValidationError({"codes": [_("Turn on the second factor before issuing recovery codes.")]})
    raw = ["".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(10)) for _n in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=RecoveryCode.hash_code(user.pk, code))
                                         for code in raw)
        record(actor=acting_user, action="user.recovery_codes", obj=user, after={"count": len(raw)})
    return [f"{code[:5]}-{code[5:]}" for code in raw]


def use_recovery_code(user, raw: str) -> bool:
    """Spend one recovery code; True when it was valid and unused (claimed with one UPDATE, so twice never)."""
    code_hash = RecoveryCode.hash_code(user.pk, raw)
    with transaction.atomic():
        spent = RecoveryCode.objects.filter(user=user, code_hash=code_hash, used_at__isnull=True).update(
            used_at=timezone.now())
        if spent:
            record(actor=user, action="user.recovery_code_use", obj=user,
                   after={"left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()})
    return bool(spent)


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def do_reset_second_factor(person, *, acting_user) -> int:
    """An administrator removes the authenticator and recovery codes of a person who lost them, so the person
    logs in with the password and sets up a new one. The person's API tokens go too: they were issued under the
    second factor now in doubt."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yuqing.accounts.models import ApiToken

    permissions.require_manage_person(acting_user, person)
    with transaction.atomic():
        devices, _d = TOTPDevice.objects.filter(user=person).delete()
        codes, _c = RecoveryCode.objects.filter(user=person).delete()
        tokens, _t = ApiToken.objects.filter(user=person).delete()
        record(actor=acting_user, action="user.totp_reset", obj=person, organization=_home_org(acting_user, person),
               after={"devices_removed": devices, "recovery_codes_removed": codes, "api_tokens_revoked": tokens})
    return devices


# --- invitation and password links ---------------------------------------------------------------------

@dataclass
class IssuedLink:
    link: AccountLink
    url: str          # the one-time address; shown to the administrator only when it was not e-mailed
    emailed: bool


def mail_configured() -> bool:
    """The installation has its own mail server (EMAIL_HOST), so links can go to the person directly."""
    return bool(getattr(settings, "EMAIL_HOST", ""))


def do_issue_account_link(person, *, acting_user, kind: str | None = None) -> IssuedLink:
    """A one-time link for the person to set a password: an invitation for someone who never had one, otherwise
    a password reset. Earlier unused links of the person stop working. E-mailed when the installation has a
    mail server and the person an address; otherwise the administrator hands it over."""
    from yuqing.siteurl import site_url

    permissions.require_manage_person(acting_user, person)
    if kind is None:
        kind = AccountLink.Kind.RESET if person.has_usable_password() or person.last_login else AccountLink.Kind.INVITE
    if kind not in AccountLink.Kind.values:
        raise ValidationError({"kind": [_("Choose an invitation or a password reset.")]})
    if not person.is_active:
        raise ValidationError({"kind": [_("This account is disabled; enable it before sending a link.")]})
    hours = settings.YUQING_INVITE_HOURS if kind == AccountLink.Kind.INVITE else settings.YUQING_RESET_LINK_HOURS
    raw = secrets.token_urlsafe(32)
    url = site_url() + reverse("account-link", args=[raw])
    emailed = mail_configured() and bool(person.email)
    with transaction.atomic():
        AccountLink.objects.filter(user=person, used_at__isnull=True).update(expires_at=timezone.now())
        link = AccountLink.objects.create(user=person, kind=kind, token_hash=AccountLink.hash_token(raw),
                                          created_by=acting_user, expires_at=timezone.now() + timedelta(hours=hours),
                                          emailed_to=person.email if emailed else "")
        record(actor=acting_user, action="user.invite" if kind == AccountLink.Kind.INVITE else "user.password_reset",
               obj=person, organization=_home_org(acting_user, person),
               after={"expires_at": link.expires_at.isoformat(), "emailed_to": link.emailed_to or None})
    if emailed:
        transaction.on_commit(lambda: _mail_link(person, kind, url, hours))
    return IssuedLink(link, url, emailed)


def _mail_link(person, kind: str, url: str, hours: int) -> None:
    from django.core.mail import send_mail

    if kind == AccountLink.Kind.INVITE:
        subject = _("Your Yuqing account")
        body = _("Hello %(name)s,\n\nAn account was created for you. Open this link within %(hours)s hours to "
                 "choose your password:\n\n%(url)s\n\nYour user name is %(username)s.\n")
    else:
        subject = _("Set a new Yuqing password")
        body = _("Hello %(name)s,\n\nOpen this link within %(hours)s hours to set a new password:\n\n%(url)s\n\n"
                 "If you did not ask for it, tell your administrator.\n")
    send_mail(subject, body % {"name": person.display_name, "hours": hours, "url": url,
                               "username": person.username},
              settings.DEFAULT_FROM_EMAIL, [person.email])


def find_link(raw: str) -> AccountLink | None:
    """The usable link for this token, or None (unknown, used or expired all look the same)."""
    link = AccountLink.objects.select_related("user").filter(token_hash=AccountLink.hash_token(raw)).first()
    return link if link is not None and link.usable and link.user.is_active else None


def do_use_account_link(raw: str, *, password: str):
    """Set the password through a link; the link is spent, the lock-out lifted. Returns the person."""
    from axes.models import AccessAttempt
    from django.contrib.auth.password_validation import validate_password

    link = find_link(raw)
    if link is None:
        raise ValidationError({"token": [_("This link is not valid any more: it was used, replaced or has "
                                           "expired. Ask your administrator for a new one.")]})
    person = link.user
    validate_password(password, person)
    with transaction.atomic():
        spent = AccountLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=timezone.now())
        if not spent:
            raise ValidationError({"token": [_("This link was just used.")]})
        person.set_password(password)
        person.save(update_fields=["password"])
        AccessAttempt.objects.filter(username=person.username).delete()
        record(actor=person, action="user.set_password", obj=person, after={"through": link.kind})
    return person

