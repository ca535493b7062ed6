"""Labels for the codes Yuqing stores (platforms, categories, jobs, audit actions), in the reader's language.

A code is never shown to a person as such: templates write `{{ value|label:"platform" }}` (a template builtin,
no `{% load %}` needed). An app that adds codes registers their labels with `add_labels(kind, {code: label})`
at import time (its `apps.py` `ready()` or the module defining the codes); an unknown code falls back to a
readable form of itself, and the page scan (tests/ui/test_page_scan.py) fails on it.
"""

from __future__ import annotations

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
    "job": {
        "monitoring.collect": _("Collect from due sources"),
        "notify.retry": _("Retry and send alerts"),
        "system.heartbeat": _("Heartbeat"),
    },
    # audit actions are "<object>.<verb>"; both halves have labels
    "audit_object": {
        "alert": _("alert"), "api_token": _("API token"), "draft": _("draft"), "duty_shift": _("duty shift"),
        "event": _("event"), "filing": _("filing"), "item": _("item"), "items": _("items"),
        "level_rules": _("level rules"), "membership": _("membership"), "mention": _("mention"),
        "notifier": _("notification channel"), "organization": _("organisation"), "publication": _("publication"),
        "review_chain": _("review chain"), "scheme": _("scheme"), "sensitive_period": _("sensitive period"),
        "source": _("source"), "user": _("person"), "channel": _("channel"), "chat_group": _("chat group"),
        "case": _("case"), "deadline": _("deadline"), "bulletin": _("bulletin"), "report": _("report"),
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
        "unlock": _("lift the lock-out"), "invite": _("invite"), "password_reset": _("send a password link"),
        "approve": _("approve"), "reject": _("reject"), "close": _("close"), "reopen": _("reopen"),
        "transition": _("change the status"),
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
    return _readable(code)


def action_label(code: str) -> str:
    obj, _dot, verb = code.partition(".")
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


# template builtins (settings.TEMPLATES OPTIONS "builtins" loads `register`)
register = template.Library()
register.filter("label", label)
register.filter("labels", labels)
register.filter("bilingual", bilingual)
