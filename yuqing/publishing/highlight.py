"""Findings shown in place: the text with each finding's span marked, its suggestion in the title."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def mark_findings(text: str, findings: list[dict]) -> SafeString:
    """HTML of `text` with <mark> around every finding that has a span; overlapping spans keep the first."""
    spans = sorted((f for f in findings if f.get("start") is not None and f.get("end") is not None),
                   key=lambda f: (f["start"], -f["end"]))
    out, pos = [], 0
    for number, f in enumerate(spans, start=1):
        start, end = f["start"], f["end"]
        if start < pos or end > len(text):
            continue
        out.append(escape(text[pos:start]))
        title = f["rule_id"] + (f" → {f['suggestion']}" if f.get("suggestion") else "")
        out.append(f'<mark class="finding sev-{escape(f["severity"])}" title="{escape(title)}" '
                   f'data-n="{number}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))
