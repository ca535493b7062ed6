"""Who hears about a filing: the publicity lead when one is made, the bureau at its step, the applicant after."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yuqing.notify.notices import send_notice
from yuqing.orgs.models import Role
from yuqing.registry.models import Filing


def _title(filing: Filing) -> str:
    return _("Filing #%(id)s: %(action)s “%(name)s”") % {
        "id": filing.pk, "action": filing.get_action_display(), "name": filing.subject.name}


def filing_submitted(filing: Filing) -> None:
    send_notice(organization=filing.organization, roles=[Role.PUBLICITY_LEAD], subject=filing,
                title=_title(filing), body=filing.reason, link=filing.get_absolute_url(), kind="registry.filing")


def filing_decided(filing: Filing, to_state: str) -> None:
    if to_state == Filing.Status.BUREAU:
        bureau = filing.bureau()
        if bureau is not None:
            send_notice(organization=bureau, roles=[Role.SUPERVISOR, Role.ADMIN], subject=filing,
                        title=_title(filing), body=filing.lead_comment, link=filing.get_absolute_url(),
                        kind="registry.filing")
        body = _("Approved by the publicity lead; now waiting for the bureau.")
    elif to_state == Filing.Status.APPROVED:
        body = _("Approved and applied.")
    elif to_state == Filing.Status.REJECTED:
        body = _("Rejected: %(comment)s") % {"comment": filing.bureau_comment or filing.lead_comment}
    else:
        return
    send_notice(organization=filing.organization, recipients=[filing.applicant], subject=filing,
                title=_title(filing), body=body, link=filing.get_absolute_url(), kind="registry.filing")
