"""The statistics as an XLSX workbook with native charts (bar, line, pie) that Excel and WPS draw themselves."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yuqing.documents.spreadsheet import Chart, Sheet, write_xlsx
from yuqing.labels import label
from yuqing.levels import Level


def level_label(code) -> str:
    code = int(code)
    return Level(code).label if code else _("Not in an event")


def sentiment_label(code: str) -> str:
    from yuqing.detection.models import Sentiment

    return str(dict(Sentiment.choices).get(code, code))


def source_kind_label(code: str) -> str:
    from yuqing.monitoring.models import Source

    return str(dict(Source.Kind.choices).get(code, code)) if code else ""


def channel_kind_label(code: str) -> str:
    from yuqing.registry.models import Channel

    return str(dict(Channel.Kind.choices).get(code, code)) if code else ""


def _sheet(title, headers, rows, *, chart: Chart | None = None) -> Sheet:
    # An empty table gets no chart: Excel shows an empty frame as an error in some versions.
    return Sheet(title, headers, rows, chart=chart if rows else None)


def sheets(data: dict) -> list[Sheet]:
    m, ev, cases, dl, pub = data["mentions"], data["events"], data["cases"], data["deadlines"], data["publications"]
    item, count = _("Item"), _("Count")
    overview = _sheet(_("Overview"), [item, count], [
        [_("Organisation"), data["organization"]["name"]],
        [_("Period"), data["period"]["label"]],
        [_("Mentions"), m["total"]],
        [_("Negative mentions"), m["by_sentiment"]["negative"]],
        [_("New events"), ev["total"]],
        [_("Cases opened"), cases["opened"]],
        [_("Cases closed"), cases["closed"]],
        [_("Case deadlines due"), dl["total"]],
        [_("Deadlines met on time"), dl["met_on_time"]],
        [_("Deadlines missed"), dl["missed"]],
        [_("Publications"), pub["total"]],
    ])
    trend_headers = [_("Date"), _("Mentions"), _("Negative"), _("Neutral"), _("Positive")]
    t = data["trend"]
    trend = _sheet(_("Daily trend"), trend_headers,
                   [[day, t["total"][i], t["negative"][i], t["neutral"][i], t["positive"][i]]
                    for i, day in enumerate(t["labels"])],
                   chart=Chart("line", _("Mentions per day"), trend_headers[1:], trend_headers[0]))
    levels_headers = [_("Level"), _("Mentions"), _("New events"), _("Cases opened")]
    levels = _sheet(_("By level"), levels_headers, [
        [level_label(code), n, ev["by_level"].get(code, 0), cases["by_level"].get(code, 0)]
        for code, n in m["by_level"].items()],
        chart=Chart("bar", _("Mentions and events by level"), levels_headers[1:3], levels_headers[0]))
    sentiment_headers = [_("Sentiment"), _("Mentions")]
    sentiment = _sheet(_("By sentiment"), sentiment_headers,
                       [[sentiment_label(k), n] for k, n in m["by_sentiment"].items()],
                       chart=Chart("pie", _("Mentions by sentiment"), sentiment_headers[1:], sentiment_headers[0]))
    category_headers = [_("Opinion category"), _("Mentions")]
    category = _sheet(_("By category"), category_headers,
                      [[label(code, "category"), n] for code, n in m["by_category"]],
                      chart=Chart("bar", _("Mentions by category"), category_headers[1:], category_headers[0]))
    platform_headers = [_("Platform"), _("Mentions")]
    platform = _sheet(_("By platform"), platform_headers,
                      [[label(code or "other", "platform"), n] for code, n in m["by_platform"].items()],
                      chart=Chart("pie", _("Mentions by platform"), platform_headers[1:], platform_headers[0]))
    source_headers = [_("Source"), _("Kind"), _("Mentions")]
    source = _sheet(_("By source"), source_headers,
                    [[s["name"] or _("No source"), source_kind_label(s["kind"]), s["count"]] for s in m["by_source"]],
                    chart=Chart("bar", _("Mentions by source"), source_headers[2:], source_headers[0]))
    terms = _sheet(_("Hot terms"), [_("Term"), _("Mentions")], [[term, n] for term, n in m["hot_terms"]])
    top = _sheet(_("Top events"), ["#", _("Event"), _("Organisation"), _("Level"), _("Views"), _("Comments"),
                                   _("Mentions"), _("First seen")],
                 [[i, e["title"], e["organization"], level_label(e["level"]), e["views"], e["comments"], e["mentions"],
                   e["first_seen_at"][:16].replace("T", " ")] for i, e in enumerate(data["top_events"], start=1)])
    deadline_headers = [_("Case deadlines"), count]
    deadlines = _sheet(_("Case deadlines"), deadline_headers, [
        [_("Met on time"), dl["met_on_time"]], [_("Met late"), dl["met_late"]],
        [_("Overdue, not met"), dl["overdue"]], [_("Waived"), dl["waived"]], [_("Not yet due"), dl["pending"]]],
        chart=Chart("pie", _("Case deadlines met and missed"), deadline_headers[1:], deadline_headers[0]))
    pub_headers = [_("Publishing channel"), _("Kind"), _("Publications")]
    pub_rows = [[c["name"], channel_kind_label(c["kind"]), c["count"]] for c in pub["by_channel"]]
    if pub["without_channel"]:
        pub_rows.append([_("No channel named"), "", pub["without_channel"]])
    publications = _sheet(_("Publication statistics"), pub_headers, pub_rows,
                          chart=Chart("bar", _("Publications by channel"), pub_headers[2:], pub_headers[0]))
    out = [overview, trend, levels, sentiment, category, platform, source, terms, top, deadlines, publications]
    school_headers = [_("School"), _("Mentions"), _("Negative"), _("New events"), _("Cases opened"),
                      _("Deadlines missed"), _("Publications")]
    if len(data["schools"]) > 1 or data["organization"]["kind"] != "school":
        out.append(_sheet(_("Schools"), school_headers, [
            [_("%(org)s (own)") % {"org": r["name"]} if r["own"] else r["name"], r["mentions"], r["negative"],
             r["events"], r["cases_opened"], r["deadlines_missed"], r["publications"]] for r in data["schools"]],
            chart=Chart("bar", _("Mentions and events by school"), school_headers[1:4], school_headers[0])))
    return out


def workbook(data: dict) -> bytes:
    return write_xlsx(sheets(data))
