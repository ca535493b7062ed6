"""Labels for the codes Yuqing stores (platforms, categories, jobs, audit actions), in the reader's language.

A code is never shown to a person as such: templates write `{{ value|label:"platform" }}` (a template builtin,
no `{% load %}` needed). An app that adds codes registers their labels with `add_labels(kind, {code: label})`
at import time (its `apps.py` `ready()` or the module defining the codes); an unknown code falls back to a
readable form of itself, and the page scan (tests/ui/test_page_scan.py) fails on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, dict[str, object]] = {
    "platform": {
        "web": _("Web"), "weibo": _("Weibo"), "wechat": _("WeChat"), "bilibili": _("Bilibili"),
        "zhihu": _("Zhihu"), "douyin": _("Douyin"), "kuaishou": _("Kuaishou"), "toutiao": _("Toutiao"),
        "xiaohongshu": _("Xiaohongshu"), "tieba": _("Baidu Tieba"), "douban": _("Douban"), "other": _("Other"),
        "tip": _("Tip"), "import": _("Import"),
    },
    "metric": {
        "views": _("views"), "clicks": _("clicks"), "comments": _("comments"), "reposts": _("reposts"),
        "likes": _("likes"),
    },
    "db_vendor": {"sqlite": "SQLite", "postgresql": "PostgreSQL"},
    # why an alert went to a delivery (notify.routing): the channel itself or a person's duty or role
    "delivery_reason": {
        "channel": _("notification channel"), "on duty": _("on duty"), "publicity lead": _("publicity lead"),
        "leader": _("leader"), "supervisor": _("supervisor"),
    },
    # categories graded by the level rules that the taxonomy does not list (the taxonomy names the rest)
    "category": {
        "safety_accident": _("safety accident"), "health": _("health"), "food_safety": _("food safety"),
        "disaster": _("disaster"), "bullying": _("bullying"), "teacher_conduct": _("teacher conduct"),
        "fees": _("fees"), "admissions": _("admissions"), "rumour": _("rumour"),
    },
    "notify_choice": {
        "starttls": _("STARTTLS"), "ssl": _("SSL/TLS"), "none": _("none (unencrypted)"), "markdown": _("Markdown"),
        "text": _("plain text"), "interactive": _("card"),
    },
    "job": {
        "monitoring.collect": _("Collect from due sources"),
        "notify.retry": _("Retry and send alerts"),
        "system.heartbeat": _("Heartbeat"),
        "reports.compile_daily": _("Compile the daily reports"),
        "monitoring.import": _("Import a file"),
        "audit.anchor": _("Anchor the audit log"),
    },
    # audit actions are "<object>.<verb>"; both halves have labels
    "audit_object": {
        "alert": _("alert"), "api_token": _("API token"), "draft": _("draft"), "duty_shift": _("duty shift"),
        "event": _("event"), "filing": _("filing"), "item": _("item"), "items": _("items"),
        "level_rules": _("level rules"), "membership": _("membership"), "mention": _("mention"),
        "notifier": _("notification channel"), "organization": _("organisation"), "publication": _("publication"),
        "review_chain": _("review chain"), "scheme": _("scheme"), "sensitive_period": _("sensitive period"),
        "source": _("source"), "user": _("person"), "channel": _("channel"), "chat_group": _("chat group"),
        "case": _("case"), "group": _("chat group"), "registry": _("registry"), "deadline": _("deadline"), "bulletin": _("bulletin"), "report": _("report"),
        "self_inspection": _("self-inspection report"), "briefing": _("briefing"),
    },
    "audit_verb": {
        "create": _("create"), "update": _("change"), "delete": _("delete"), "raise": _("raise"),
        "revoke": _("revoke"), "attach": _("attach"), "detach": _("detach"), "override_block": _("override a block"),
        "submit": _("submit"), "withdraw": _("withdraw"), "level_change": _("change the level"),
        "level_propose": _("propose a level"), "proposal_confirm": _("confirm the proposed level"),
        "proposal_dismiss": _("dismiss the proposed level"), "tip": _("report a tip"), "import": _("import"),
        "judge": _("judge"), "test": _("test"), "preview": _("preview"), "publish": _("publish"),
        "url": _("record the address"), "configure": _("configure"), "flag": _("flag"),
        "rotate_secret": _("renew the secret"), "set_password": _("set the password"),
        "totp_enable": _("turn on two-step login"), "totp_remove": _("remove two-step login"),
        "totp_reset": _("reset two-step login"), "recovery_codes": _("issue recovery codes"),
        "recovery_code_use": _("use a recovery code"),
        "repeat": _("add repeating"),
        "unlock": _("lift the lock-out"), "invite": _("invite"), "password_reset": _("send a password link"),
        "approve": _("approve"), "reject": _("reject"), "close": _("close"), "reopen": _("reopen"),
        "transition": _("change the status"), "register": _("register"), "overdue": _("mark overdue"), "note": _("add a note to"), "open": _("open"), "escalate": _("escalate"),
        "evaluate": _("evaluate"), "complete": _("complete"), "extend": _("extend"), "apply": _("apply for"), "inspect": _("self-inspect"), "capture": _("capture as evidence"),
        "applied": _("apply for"), "approved": _("approve"), "active": _("activate"), "suspended": _("suspend"),
        "closing": _("start closing"), "closed": _("close"), "rejected": _("reject"), "submitted": _("submit"),
        "published": _("publish"), "withdrawn": _("withdraw"), "decide": _("decide"),
        # reports, deadlines and cases
        "compile": _("compile"), "confirm": _("confirm"), "remind": _("remind about"), "met": _("meet"),
        "waived": _("waive"), "level": _("change the level of"), "evaluation": _("write the evaluation of"),
        "evaluation_final": _("finalise the evaluation of"), "policy": _("set the policy of"),
        "forwarded": _("forward"), "responding": _("respond to"), "resolved": _("resolve"),
        "following_up": _("follow up"),
        "export": _("export"),
        "regenerate": _("generate again"), "finalise": _("finalise"),
    },
}


def add_labels(kind: str, labels: Mapping[str, object]) -> None:
    """Add labels for codes of `kind` (an app's own platforms, jobs, audit objects or verbs)."""
    _LABELS.setdefault(kind, {}).update(labels)


def _readable(code: str) -> str:
    return code.replace("_", " ").replace(".", " ")


def category_label(code: str) -> str:
    from yuqing.analysis.taxonomy import default_taxonomy

    for category in default_taxonomy().categories:
        if category.code == code:
            return category.name if (get_language() or "zh-hans").startswith("zh") else category.name_en
    known = _LABELS["category"].get(code)
    return str(known) if known is not None else _readable(code)


def action_label(code: str) -> str:
    # "<object>.<verb>", or "<app>.<model>.<status>" for workflow transitions
    parts = code.split(".")
    obj, verb = (parts[-2], parts[-1]) if len(parts) >= 2 else (code, "")
    obj_label = _LABELS["audit_object"].get(obj)
    verb_label = _LABELS["audit_verb"].get(verb)
    if obj_label is None or verb_label is None:
        return _readable(code)
    return str(_("%(verb)s %(object)s") % {"verb": verb_label, "object": obj_label})


def label(code, kind: str) -> str:
    """The label of `code` among codes of `kind`: platform, category, job, action, or a registered kind."""
    if code in (None, ""):
        return ""
    code = str(code)
    if kind == "category":
        return category_label(code)
    if kind == "action":
        return action_label(code)
    found = _LABELS.get(kind, {}).get(code)
    return str(found) if found is not None else _readable(code)


def labels(codes: Iterable, kind: str) -> str:
    return "、".join(sorted(label(code, kind) for code in codes or ()))


def bilingual(chinese: str, english: str) -> str:
    """A stored text kept in both languages (e.g. why an event has its level), in the reader's language."""
    if (get_language() or "zh-hans").startswith("zh"):
        return chinese or english or ""
    return english or chinese or ""




# Expression errors come from a pure library in English; people read them in their language.
_EXPRESSION_REASONS = [
    (r"unclosed quote opened at (?P<n>\d+)", _("a quotation mark opened at character %(n)s is never closed")),
    (r"empty quoted phrase", _("the quotation marks enclose nothing")),
    (r"empty expression", _("the expression is empty")),
    (r"closing parenthesis at (?P<n>\d+) has no matching opening parenthesis",
     _("the closing parenthesis at character %(n)s has no opening one")),
    (r"(?P<op>AND|OR|NOT) needs a term after it", _("%(op)s needs a keyword after it")),
    (r"(?P<op>AND|OR|NOT) needs a term before it", _("%(op)s needs a keyword before it")),
    (r"expression ends where a term was expected", _("the expression ends where a keyword was expected")),
    (r"unclosed parenthesis opened at (?P<n>\d+)", _("the parenthesis opened at character %(n)s is never closed")),
    (r"empty parentheses", _("the parentheses enclose nothing")),
    (r"parentheses nested deeper than (?P<n>\d+)", _("parentheses are nested more than %(n)s deep")),
    (r"term (?P<term>.+) has no letters or digits left after normalisation",
     _("the keyword %(term)s has no letters or digits")),
    (r"expression longer than (?P<n>\d+) characters", _("the expression is longer than %(n)s characters")),
]


def expression_reason(reason: str) -> str:
    """Why an expression is malformed, in the reader's language."""
    for pattern, message in _EXPRESSION_REASONS:
        found = re.fullmatch(pattern, reason)
        if found:
            return str(message) % found.groupdict() if found.groupdict() else str(message)
    return reason


# template builtins (settings.TEMPLATES OPTIONS "builtins" loads `register`); defined last, see the end
register = template.Library()
register.filter("label", label)
register.filter("labels", labels)
register.filter("bilingual", bilingual)
register.filter("expression_reason", lambda reason: expression_reason(reason))
