"""The registry as an Excel workbook and back (R2.5): export, template, and an import that keeps the good rows.

Import matches an existing entry by kind + account id / group number (else its address, else its name); a
changed entry is updated directly when the importer may manage the registry, and filed as a change otherwise.
Every refused row is reported as "row N, column X: reason"; the other rows are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from yuqing.documents.spreadsheet import Sheet, write_xlsx
from yuqing.documents.tables import TableError, read_table
from yuqing.orgs import permissions
from yuqing.orgs.models import Organization
from yuqing.orgs.permissions import Perm
from yuqing.registry import actions
from yuqing.registry.activity import Origin, days_silent, last_publication, with_activity
from yuqing.registry.models import Channel, ChatGroup, Filing, Status

CHANNEL_SHEET, GROUP_SHEET, HELP_SHEET = "新媒体账号", "工作群", "填写说明"

# header → field; the headers are Chinese in every language because the file is the school's own form.
CHANNEL_COLUMNS = [
    ("编号", "id"), ("类型", "kind"), ("名称", "name"), ("账号ID", "account_id"), ("网址", "url"),
    ("所属部门", "unit"), ("负责人", "responsible"), ("副负责人", "deputy"), ("用途", "purpose"),
    ("状态", "status"), ("备案日期", "filed_on"), ("下次审核日期", "next_review_on"),
    ("最近发布", "last_publication_at"), ("最近发布来源", None), ("未更新天数", None),
]
GROUP_COLUMNS = [
    ("编号", "id"), ("类型", "kind"), ("名称", "name"), ("群号", "number"), ("所属部门/班级", "unit"),
    ("群主", "owner_name"), ("负责人", "responsible"), ("用途", "purpose"), ("临时任务", "temporary"),
    ("任务结束日期", "task_ends_on"), ("成员数", "member_count"), ("最近活动", "last_activity_on"),
    ("状态", "status"), ("备案日期", "filed_on"),
]
COLUMNS = {Channel: CHANNEL_COLUMNS, ChatGroup: GROUP_COLUMNS}
HEADER_OF = {model: {f: h for h, f in cols if f} for model, cols in COLUMNS.items()}
YES, NO = ("是", "yes", "true", "1", "y", "√"), ("否", "no", "false", "0", "n", "")


def _zh(choices) -> dict[str, str]:
    with override("zh-hans"):
        return {value: str(label) for value, label in choices}


# ----------------------------------------------------------------------------------------------- export

def _person(user) -> str:
    return (user.full_name or user.username) if user else ""


def channel_rows(channels) -> list[list]:
    kinds, statuses, origins = _zh(Channel.Kind.choices), _zh(Status.choices), {}
    with override("zh-hans"):
        origins = {k: str(v) for k, v in Origin.LABELS.items()}
    rows = []
    for c in with_activity(channels.select_related("unit", "responsible", "deputy")):
        last, origin = last_publication(c)
        rows.append([c.pk, kinds[c.kind], c.name, c.account_id, c.url, c.unit.name if c.unit_id else "",
                     _person(c.responsible), _person(c.deputy), c.purpose, statuses[c.status], c.filed_on,
                     c.next_review_on, last, origins.get(origin, ""),
                     days_silent(c) if c.status == Status.ACTIVE else None])
    return rows


def group_rows(groups) -> list[list]:
    kinds, statuses = _zh(ChatGroup.Kind.choices), _zh(Status.choices)
    return [[g.pk, kinds[g.kind], g.name, g.number, g.unit.name if g.unit_id else "", g.owner_name,
             _person(g.responsible), g.purpose, "是" if g.temporary else "否", g.task_ends_on, g.member_count,
             g.last_activity_on, statuses[g.status], g.filed_on]
            for g in groups.select_related("unit", "responsible")]


def _help_rows() -> list[list]:
    rows = [["新媒体账号 · 类型", "、".join(_zh(Channel.Kind.choices).values())],
            ["工作群 · 类型", "、".join(_zh(ChatGroup.Kind.choices).values())],
            ["状态", "、".join(_zh(Status.choices).values())],
            ["负责人", "本单位人员的姓名或用户名"], ["临时任务", "是 / 否"],
            ["日期", "2026-03-01 或 Excel 日期"],
            ["匹配", "按 类型 + 账号ID / 群号（没有时按网址、名称）匹配已有条目；编号、最近发布来源、未更新天数只读"]]
    return rows


def export_registry(organization: Organization, *, template: bool = False) -> bytes:
    """The organisation's registry (closed entries left out) as an XLSX workbook; `template` = headers only."""
    channels = Channel.objects.in_tree(organization).exclude(status=Status.CLOSED).order_by("kind", "name")
    groups = ChatGroup.objects.in_tree(organization).exclude(status=Status.CLOSED).order_by("kind", "name")
    return write_xlsx([
        Sheet(CHANNEL_SHEET, [h for h, _f in CHANNEL_COLUMNS], [] if template else channel_rows(channels)),
        Sheet(GROUP_SHEET, [h for h, _f in GROUP_COLUMNS], [] if template else group_rows(groups)),
        Sheet(HELP_SHEET, ["项目", "说明"], _help_rows()),
    ])


# ----------------------------------------------------------------------------------------------- import

@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    filed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"created": self.created, "updated": self.updated, "filed": self.filed,
                "unchanged": self.unchanged, "refused": len(self.errors), "errors": self.errors}


class RowError(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


def _choice(value, choices, column: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise RowError(column, _("a value is required"))
    for code, label in choices:
        if text in (code, str(label)) or text == _zh([(code, label)])[code]:
            return code
    with override("en"):
        for code, label in choices:
            if text.lower() == str(label).lower():
                return code
    raise RowError(column, _("“%(value)s” is not one of: %(allowed)s")
                   % {"value": text, "allowed": "、".join(_zh(choices).values())})


def _date(value, column: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    parsed = parse_date(text[:10]) if len(text) >= 8 else None
    if parsed is None:
        raise RowError(column, _("“%(value)s” is not a date like 2026-03-01") % {"value": value})
    return parsed


def _datetime(value, column: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip().replace("/", "-")
        moment = parse_datetime(text) or (dt.datetime.combine(d, dt.time()) if (d := parse_date(text[:10]))
                                          else None)
        if moment is None:
            raise RowError(column, _("“%(value)s” is not a date or time like 2026-03-01 08:30")
                           % {"value": value})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _int(value, column: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        number = -1
    if number < 0 or number != int(number):
        raise RowError(column, _("“%(value)s” is not a whole number") % {"value": value})
    return int(number)


def _bool(value, column: str) -> bool:
    text = str(value if value is not None else "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowError(column, _("write 是 or 否"))


def _unit(value, organization, column: str):
    text = str(value or "").strip()
    if not text:
        return None
    unit = Organization.objects.filter(path__startswith=organization.path, name=text).exclude(
        pk=organization.pk).first()
    if unit is None:
        raise RowError(column, _("%(org)s has no unit called “%(name)s”") % {"org": organization.name, "name": text})
    return unit


def _parse(model, organization, values: dict) -> tuple[dict, str | None]:
    """Field values of one row (only the columns the file has), and its status if given."""
    header = HEADER_OF[model]
    out: dict = {}
    status = None
    for name, column in header.items():
        if column not in values or name == "id":
            continue
        raw = values[column]
        if name == "kind":
            out[name] = _choice(raw, model.Kind.choices, column)
        elif name == "status":
            status = _choice(raw, Status.choices, column) if raw not in (None, "") else None
        elif name in ("responsible", "deputy"):
            try:
                out[name] = actions.resolve_person(raw, organization)
            except ValidationError as exc:
                raise RowError(column, " ".join(exc.messages)) from exc
        elif name == "unit":
            out[name] = _unit(raw, organization, column)
        elif name in ("filed_on", "next_review_on", "task_ends_on", "last_activity_on"):
            out[name] = _date(raw, column)
        elif name == "last_publication_at":
            out[name] = _datetime(raw, column)
        elif name == "member_count":
            out[name] = _int(raw, column)
        elif name == "temporary":
            out[name] = _bool(raw, column)
        else:
            out[name] = "" if raw is None else str(raw).strip()
            if isinstance(raw, float) and raw.is_integer():  # a group number typed as a number in Excel
                out[name] = str(int(raw))
    if not out.get("name"):
        raise RowError(header["name"], _("a value is required"))
    if "kind" not in out:
        raise RowError(header["kind"], _("a value is required"))
    return out, status


def _match(model, organization, fields: dict):
    qs = model.objects.in_tree(organization).exclude(status=Status.CLOSED).filter(kind=fields["kind"])
    key = "account_id" if model is Channel else "number"
    if fields.get(key):
        return qs.filter(**{key: fields[key]}).first()
    if model is Channel and fields.get("url"):
        found = qs.filter(url=fields["url"]).first()
        if found:
            return found
    return qs.filter(name=fields["name"]).first()


def _changes(obj, fields: dict) -> dict:
    changes = {}
    for name, value in fields.items():
        current = getattr(obj, name)
        if name == "last_publication_at":
            # the export shows the newest of all origins; only a newer date is news (Excel keeps milliseconds,
            # rounded, so a second's slack keeps an unchanged cell unchanged)
            newest, _origin = last_publication(with_activity(Channel.objects.filter(pk=obj.pk)).get())
            if value is None or (newest is not None and value - newest < dt.timedelta(seconds=1)):
                continue
        elif name in ("url", "account_id", "number", "purpose", "owner_name", "name"):
            current = current or ""
        if current != value:
            changes[name] = value
    if "last_activity_on" in changes:
        changes["last_activity_origin"] = ChatGroup.ActivityOrigin.IMPORTED
    return changes


def _row(model, organization, acting_user, values: dict, result: ImportResult) -> None:
    fields, status = _parse(model, organization, values)
    existing = _match(model, organization, fields)
    manage = permissions.has_perm(acting_user, Perm.MANAGE_REGISTRY, organization)
    if existing is None:
        if model is ChatGroup and fields.get("last_activity_on"):
            fields["last_activity_origin"] = ChatGroup.ActivityOrigin.IMPORTED
        if manage:
            status = status or (Status.ACTIVE if fields.get("responsible") else Status.APPROVED)
            actions.do_register(model, organization, acting_user=acting_user, status=status, **fields)
        else:
            fields.pop("filed_on", None)
            actions.do_apply(model, organization, acting_user=acting_user, reason=_("From a registry import"),
                             **fields)
        result.created += 1
        return
    if status and status != existing.status:
        raise RowError(HEADER_OF[model]["status"], _("the status is “%(now)s”; change it on the page, through a "
                                                     "filing or the workflow") % {"now": existing.get_status_display()})
    changes = _changes(existing, fields)
    if not changes:
        result.unchanged += 1
    elif manage:
        actions.do_update(existing, acting_user=acting_user, **changes)
        result.updated += 1
    else:
        changes.pop("last_activity_origin", None)
        actions.do_file(existing, Filing.Action.CHANGE, acting_user=acting_user, reason=_("From a registry import"),
                        proposed=changes)
        result.filed += 1


def _which(headers: list[str]):
    return ChatGroup if "群号" in headers or "群主" in headers else Channel


def import_registry(data: bytes, filename: str, organization: Organization, *, acting_user) -> ImportResult:
    """Import an XLSX (both sheets) or a CSV (channels or groups, told apart by their columns)."""
    permissions.require(acting_user, Perm.APPLY_FILINGS, organization)
    result = ImportResult()
    try:
        if filename.lower().endswith((".csv", ".txt")):
            readers = [read_table(data, filename)]
        else:
            first = read_table(data, filename)
            names = first.sheet_names
            readers = [first] + [read_table(data, filename, sheet=n) for n in names[1:] if n != HELP_SHEET]
    except TableError as exc:
        result.errors.append(exc.render(_))
        return result
    for reader in readers:
        if reader.sheet == HELP_SHEET:
            continue
        model = _which(reader.headers)
        missing = [h for h in ("类型", "名称") if h not in reader.headers]
        if missing:
            result.errors.append(TableError(reader.header_row, missing[0], gettext_noop("column %(column)r is not "
                                 "in the file; its columns are %(columns)s"), column=missing[0],
                                 columns=", ".join(reader.headers) or "—").render(_))
            continue
        for number, values in reader:
            try:
                _row(model, organization, acting_user, values, result)
            except RowError as exc:
                result.errors.append(TableError(number, exc.column, "%(reason)s", reason=exc.reason).render(_))
            except ValidationError as exc:
                for name, messages in (exc.message_dict.items() if hasattr(exc, "error_dict")
                                       else [("", exc.messages)]):
                    column = HEADER_OF[model].get(name, "")
                    result.errors.append(TableError(number, column, "%(reason)s",
                                                    reason=" ".join(messages)).render(_))
            except PermissionDenied as exc:
                result.errors.append(TableError(number, "", "%(reason)s", reason=str(exc)).render(_))
        result.errors.extend(e.render(_) for e in reader.errors)
    return result

