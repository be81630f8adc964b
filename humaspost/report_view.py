"""What `report` shows of a Report (humaspost/report.py): text for a terminal or an
e-mail, JSON for programs, and CSV in long format for a spreadsheet.

Text: a heading (the period, the time zone, when it was made), then a section each for
posts, amplification, complaints and the cost of X, laid out in at most `width`
columns: tables of figures whose first column (a name) gets the room the figures
leave, a name too long for it standing on its own line above its figures, and a table
too wide for the width laid out as a list. Numbers follow the language (`1,5` in
Indonesian).

JSON: machine keys and values in either language; times in UTC (ISO 8601), days as
`2026-12-01`, amounts in US dollars as numbers.

CSV: one figure a line, `section, group, name, metric, value` (`CSV_FIELDS`), separated
and encoded as `log --format csv` is (a byte order mark, `;` in Indonesian and `,` in
English, CRLF); times local as `2026-12-01 08:00:00`, decimals with the language's
decimal mark (what a spreadsheet of that language reads as a number).
"""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, BinaryIO

from humaspost.i18n import N_, _, current_language, ngettext
from humaspost.inbox_view import span_text
from humaspost.log_view import csv_separator
from humaspost.report import (
    REQUEST_KINDS,
    Amplified,
    ComplaintGroup,
    ComplaintsReport,
    CostReport,
    Counts,
    Named,
    Report,
)
from humaspost.tables import KEEP
from humaspost.times import MONTH_NAMES, day_name, format_local_day
from humaspost.x_costs import dollars

CSV_FIELDS = ["section", "group", "name", "metric", "value"]
# The figures of a Counts, in the order every output gives them.
COUNT_FIELDS = ("sent", "missed", "failed", "unknown", "retracted", "on_time", "late")
GROUP_FIELDS = ("received", "answered", "closed", "overdue", "within_standard")
# Tables indent their rows this much under a section's heading.
INDENT = 2
_GAP = "  "
# A name column narrower than this makes a table a list instead.
_MIN_NAME = 8


# JSON


def report_json(report: Report) -> dict[str, Any]:
    """The report as `report --format json` gives it (docs/cli.md lists the keys)."""
    period = report.period
    return {
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
            "whole_month": period.whole_month,
            "days": period.days,
        },
        "generated_at": report.generated_at.isoformat(),
        "timezone": report.timezone.key,
        "with_names": report.with_names,
        "posts": {
            "total": _counts_json(report.posts.total),
            "accounts": [_named_json(named) for named in report.posts.accounts],
            "campaigns": [_named_json(named) for named in report.posts.campaigns],
            "tags": [_named_json(named) for named in report.posts.tags],
            "per_day": [
                {"day": day.isoformat(), "sent": sent} for day, sent in report.posts.per_day
            ],
        },
        "amplification": {
            "posts": [_amplified_json(post) for post in report.amplification.posts],
            "resharers": [
                {
                    "account": resharer.account,
                    "asked": resharer.asked,
                    "reshared": resharer.reshared,
                    "share": _share(resharer.reshared, resharer.asked),
                }
                for resharer in report.amplification.resharers
            ],
        },
        "complaints": _complaints_json(report.complaints),
        "cost": _cost_json(report.cost, report),
    }


def _counts_json(counts: Counts) -> dict[str, int]:
    return {name: getattr(counts, name) for name in COUNT_FIELDS}


def _named_json(named: Named) -> dict[str, Any]:
    return {"name": named.name, **_counts_json(named.counts)}


def _amplified_json(post: Amplified) -> dict[str, Any]:
    return {
        "post": post.post_id,
        "origin_account": post.origin_account,
        "asked": post.asked,
        "reshared": post.reshared,
        "median_late_minutes": _rounded(post.median_late_minutes),
        "max_late_minutes": _rounded(post.max_late_minutes),
    }


def _group_json(group: ComplaintGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        **{name: getattr(group, name) for name in GROUP_FIELDS},
        "within_standard_share": _share(group.within_standard, group.received),
        "median_days": group.median_days,
        "p90_days": _rounded(group.p90_days),
    }


def _complaints_json(complaints: ComplaintsReport) -> dict[str, Any]:
    return {
        "total": _group_json(complaints.total),
        "offices": [_group_json(group) for group in complaints.offices],
        "categories": [_group_json(group) for group in complaints.categories],
        "oldest_open": [
            {
                "id": item.id,
                "account": item.account,
                "office": item.office,
                "category": item.category,
                "received_at": item.received_at.isoformat(),
                "due_at": item.due_at.isoformat(),
                "author": item.author,
            }
            for item in complaints.oldest_open
        ],
        "per_week": [
            {"week": monday.isoformat(), "received": received, "answered": answered}
            for monday, received, answered in complaints.per_week
        ],
        "response_days": list(complaints.response_days),
    }


def _cost_json(cost: CostReport, report: Report) -> dict[str, Any]:
    return {
        "currency": "USD",
        "requests": {kind: cost.requests.get(kind, 0) for kind in REQUEST_KINDS},
        "cost": float(cost.cost),
        "budget": float(cost.budget) if cost.budget is not None else None,
        "budget_pro_rata": cost.budget is not None and not report.period.whole_month,
        "accounts": [
            {"account": account, "requests": requests, "cost": float(amount)}
            for account, requests, amount in cost.accounts
        ],
    }


def _share(part: int, whole: int) -> float | None:
    """part / whole to four places, None for nothing to divide."""
    return round(part / whole, 4) if whole else None


def _rounded(value: float | None) -> float | None:
    """Minutes and days to two places (sent times have microseconds)."""
    return None if value is None else round(value, 2)


# CSV


def write_report_csv(out: BinaryIO, report: Report, language: str) -> None:
    """The report as `report --format csv` writes it: UTF-8 with a byte order mark, a
    header of CSV_FIELDS, one figure a line, separated for `language`."""
    out.write("\ufeff".encode())
    sheet = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(sheet, delimiter=csv_separator(language), lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    mark = "," if language == "id" else "."
    for section, group, name, metric, value in csv_lines(report):
        writer.writerow([section, group, name, metric, _csv_value(value, report, mark)])
    sheet.detach()


CsvLine = tuple[str, str, str, str, Any]


def csv_lines(report: Report) -> Iterator[CsvLine]:
    """Every figure of the report as (section, group, name, metric, value)."""
    period = report.period
    yield from (
        ("report", "period", "", "start", period.start),
        ("report", "period", "", "end", period.end),
        ("report", "period", "", "label", period.label),
        ("report", "period", "", "timezone", report.timezone.key),
        ("report", "period", "", "generated_at", report.generated_at),
        ("report", "period", "", "with_names", report.with_names),
    )
    posts = report.posts
    yield from _count_lines("total", "", posts.total)
    for group, named in (("account", posts.accounts), ("campaign", posts.campaigns),
                         ("tag", posts.tags)):  # fmt: skip
        for one in named:
            yield from _count_lines(group, one.name, one.counts)
    for day, sent in posts.per_day:
        yield ("posts", "day", day.isoformat(), "sent", sent)
    for post in report.amplification.posts:
        name = f"{post.post_id}>{post.origin_account}"
        for metric, value in list(_amplified_json(post).items())[2:]:
            yield ("amplification", "post", name, metric, value)
    for resharer in report.amplification.resharers:
        yield ("amplification", "resharer", resharer.account, "asked", resharer.asked)
        yield ("amplification", "resharer", resharer.account, "reshared", resharer.reshared)
        share = _share(resharer.reshared, resharer.asked)
        yield ("amplification", "resharer", resharer.account, "share", share)
    complaints = report.complaints
    yield from _group_lines("total", complaints.total)
    for group_name, groups in (("office", complaints.offices),
                               ("category", complaints.categories)):  # fmt: skip
        for figures in groups:
            yield from _group_lines(group_name, figures)
    for item in complaints.oldest_open:
        for metric in ("account", "office", "category", "received_at", "due_at", "author"):
            yield ("complaints", "open_item", str(item.id), metric, getattr(item, metric))
    for monday, received, answered in complaints.per_week:
        yield ("complaints", "week", monday.isoformat(), "received", received)
        yield ("complaints", "week", monday.isoformat(), "answered", answered)
    for days, count in _histogram(complaints.response_days):
        yield ("complaints", "response_days", str(days), "items", count)
    cost = report.cost
    for kind in REQUEST_KINDS:
        yield ("cost", "requests", "", kind, cost.requests.get(kind, 0))
    yield ("cost", "total", "", "cost", cost.cost)
    yield ("cost", "total", "", "budget", cost.budget)
    yield (
        "cost",
        "total",
        "",
        "budget_pro_rata",
        cost.budget is not None and not period.whole_month,
    )
    for account, requests, amount in cost.accounts:
        yield ("cost", "account", account, "requests", requests)
        yield ("cost", "account", account, "cost", amount)


def _count_lines(group: str, name: str, counts: Counts) -> Iterator[CsvLine]:
    for metric in COUNT_FIELDS:
        yield ("posts", group, name, metric, getattr(counts, metric))


def _group_lines(group: str, figures: ComplaintGroup) -> Iterator[CsvLine]:
    for metric, value in list(_group_json(figures).items())[1:]:
        yield ("complaints", group, figures.name or "", metric, value)


def _histogram(days: Iterable[int]) -> list[tuple[int, int]]:
    """How many answered items took each number of working days, fewest days first."""
    counts: dict[int, int] = {}
    for value in days:
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items())


def _csv_value(value: Any, report: Report, mark: str) -> str:
    """A value as a spreadsheet of the language reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return f"{value.astimezone(report.timezone):%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", mark)  # 0.03, not 0.030
    if isinstance(value, float):
        return str(value).replace(".", mark)
    return str(value)


# Text


def report_text(report: Report, width: int) -> str:
    """The report for a person, in lines of at most `width` columns (80 for a file)."""
    tz = report.timezone
    zone = report.generated_at.astimezone(tz).tzname()
    lines = _wrap(
        _("Report for {period} (times in {zone})").format(period=report.period.label, zone=zone),
        width,
    )
    lines += _wrap(_("Made {time}").format(time=format_local_day(report.generated_at, tz)), width)
    if not report.with_names:
        lines += _wrap(_("Citizens are named by pseudonyms (warga-...)."), width)
    for section in (_posts_text, _amplification_text, _complaints_text, _cost_text):
        lines.append("")
        lines += section(report, width)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _posts_text(report: Report, width: int) -> list[str]:
    posts = report.posts
    total = posts.total
    lines = _wrap(_("Posts"), width)
    if not any(_counts_json(total).values()):
        return lines + _wrap(_("No delivery of a post was due in this period."), width, INDENT)
    columns = [_(label) for label in _COUNT_LABELS]
    lines += _counts_table(columns, _("account"), posts.accounts, total, width)
    busiest = max(posts.per_day, key=lambda pair: (pair[1], -pair[0].toordinal()))
    quiet = sum(1 for _day, sent in posts.per_day if not sent)
    if busiest[1]:
        said = _("Most sent on one day: {count} on {day}.").format(
            count=busiest[1], day=day_name(busiest[0])
        )
        said += " " + ngettext(
            "Nothing was sent on {count} day of {days}.",
            "Nothing was sent on {count} days of {days}.",
            quiet,
        ).format(count=quiet, days=len(posts.per_day))
        lines += _wrap(said, width, INDENT)
    for heading, name, named in (
        (_("Campaigns"), _("campaign"), posts.campaigns),
        (_("Tags"), _("tag"), posts.tags),
    ):
        if named:
            lines += ["", *_wrap(heading, width)]
            lines += _counts_table(columns, name, named, None, width)
    return lines


# The headings of Counts' columns, in COUNT_FIELDS' order.
_COUNT_LABELS = (
    N_("sent"), N_("missed"), N_("failed"), N_("unknown"), N_("retracted"), N_("on time"),
    N_("late"),
)  # fmt: skip


def _counts_table(
    columns: list[str], first: str, named: Sequence[Named], total: Counts | None, width: int
) -> list[str]:
    rows = [
        (one.name, [str(value) for value in _counts_json(one.counts).values()]) for one in named
    ]
    if total is not None:
        rows.append((_("total"), [str(value) for value in _counts_json(total).values()]))
    return table([first, *columns], rows, width)


def _amplification_text(report: Report, width: int) -> list[str]:
    amplification = report.amplification
    lines = _wrap(_("Amplification"), width)
    if not amplification.posts:
        return lines + _wrap(_("No re-share was asked for in this period."), width, INDENT)
    asked = sum(post.asked for post in amplification.posts)
    done = sum(post.reshared for post in amplification.posts)
    said = ngettext(
        "{count} amplified post: {done} of {asked} re-shares asked were made ({share}).",
        "{count} amplified posts: {done} of {asked} re-shares asked were made ({share}).",
        len(amplification.posts),
    ).format(count=len(amplification.posts), done=done, asked=asked, share=_percent(done, asked))
    lines += _wrap(said, width, INDENT)
    rows = [
        (
            f"{post.post_id} → {post.origin_account}",
            [
                str(post.asked),
                str(post.reshared),
                _late(post.median_late_minutes),
                _late(post.max_late_minutes),
            ],
        )
        for post in amplification.posts
    ]
    headers = [_("post → account"), _("asked"), _("re-shared"), _("median late"), _("most late")]
    lines += table(headers, rows, width)
    lines += ["", *_wrap(_("Re-sharing accounts (share of asks fulfilled)"), width)]
    rows = [
        (one.account, [str(one.asked), str(one.reshared), _percent(one.reshared, one.asked)])
        for one in amplification.resharers
    ]
    lines += table([_("account"), _("asked"), _("re-shared"), _("share")], rows, width)
    return lines


def _complaints_text(report: Report, width: int) -> list[str]:
    complaints = report.complaints
    total = complaints.total
    lines = _wrap(_("Complaints"), width)
    if total.received:
        still_open = total.received - total.answered - total.closed
        said = _(
            "{received} received: {answered} answered, {closed} closed without a reply,"
            " {open} open ({overdue} overdue). Answered within the service standard: {within}"
            " ({share})."
        ).format(
            received=total.received, answered=total.answered, closed=total.closed,
            open=still_open, overdue=total.overdue, within=total.within_standard,
            share=_percent(total.within_standard, total.received),
        )  # fmt: skip
        lines += _wrap(said, width, INDENT)
        if total.median_days is not None and total.p90_days is not None:
            said = _(
                "Response time in working days: median {median}, 90th percentile {p90}."
            ).format(median=_number(total.median_days), p90=_number(total.p90_days))
            lines += _wrap(said, width, INDENT)
        for heading, name, groups, none in (
            (_("Offices"), _("office"), complaints.offices, _("(no office)")),
            (_("Categories"), _("category"), complaints.categories, _("(no category)")),
        ):
            lines += ["", *_wrap(heading, width)]
            lines += table(
                [name, *[_(label) for label in _GROUP_LABELS]],
                [(group.name or none, _group_cells(group)) for group in groups],
                width,
            )
    else:
        lines += _wrap(_("No complaint was received in this period."), width, INDENT)
    if complaints.oldest_open:
        lines += ["", *_wrap(_("Oldest open items"), width)]
        tz = report.timezone
        rows = [
            (
                item.author,
                [
                    str(item.id),
                    f"{item.received_at.astimezone(tz):%Y-%m-%d}",
                    f"{item.due_at.astimezone(tz):%Y-%m-%d %H:%M}",
                    item.office or "-",
                    item.account,
                ],
            )
            for item in complaints.oldest_open
        ]
        headers = [_("from"), _("item"), _("received"), _("due"), _("office"), _("account")]
        lines += table(headers, rows, width, left=(4, 5))
    if any(received or answered for _monday, received, answered in complaints.per_week):
        lines += ["", *_wrap(_("Per week (the period's days of it)"), width)]
        rows = [
            (_short_day(monday), [str(received), str(answered)])
            for monday, received, answered in complaints.per_week
        ]
        lines += table([_("week of"), _("received"), _("answered")], rows, width)
    return lines


# The headings of a complaint group's columns.
_GROUP_LABELS = (
    N_("received"), N_("answered"), N_("closed"), N_("overdue"), N_("within standard"),
    N_("median days"), N_("p90 days"),
)  # fmt: skip


def _group_cells(group: ComplaintGroup) -> list[str]:
    return [
        str(group.received), str(group.answered), str(group.closed), str(group.overdue),
        _percent(group.within_standard, group.received),
        _number(group.median_days), _number(group.p90_days),
    ]  # fmt: skip


def _cost_text(report: Report, width: int) -> list[str]:
    cost = report.cost
    lines = _wrap(_("Cost of the X API (estimate)"), width)
    requests = sum(cost.requests.get(kind, 0) for kind in ("post", "post_with_url", "repost"))
    if not requests:
        lines += _wrap(_("No request was made to X in this period."), width, INDENT)
    else:
        made = ", ".join(
            text.format(count=cost.requests.get(kind, 0))
            for kind, text in (
                ("post", ngettext("{count} post", "{count} posts", cost.requests.get("post", 0))),
                ("post_with_url", ngettext("{count} post with a URL", "{count} posts with a URL",
                                           cost.requests.get("post_with_url", 0))),
                ("repost", ngettext("{count} repost", "{count} reposts",
                                    cost.requests.get("repost", 0))),
                ("media", ngettext("{count} media item", "{count} media items",
                                   cost.requests.get("media", 0))),
            )
            if cost.requests.get(kind, 0)
        )  # fmt: skip
        said = _("{requests}: {amount}.").format(requests=made, amount=dollars(cost.cost))
        lines += _wrap(said, width, INDENT)
    if cost.budget is not None:
        budget = (
            _("x_monthly_budget: {budget}, {share} of it used.")
            if report.period.whole_month
            else _("x_monthly_budget pro rata for these {days} days: {budget}, {share} of it used.")
        ).format(
            budget=dollars(cost.budget),
            share=_percent_decimal(cost.cost, cost.budget),
            days=report.period.days,
        )
        lines += _wrap(budget, width, INDENT)
    if cost.accounts:
        rows = [
            (account, [str(count), dollars(amount)]) for account, count, amount in cost.accounts
        ]
        lines += table([_("account"), _("requests"), _("cost")], rows, width)
    return lines


# Laying out


def table(
    headers: Sequence[str],
    rows: Sequence[tuple[str, Sequence[str]]],
    width: int,
    *,
    left: Sequence[int] = (),
) -> list[str]:
    """A table indented INDENT: the first column (names) left-aligned, taking the room
    the others leave; the other columns right-aligned (those in `left`, counted from 1
    after the names, left-aligned), their headings broken between words to be no wider
    than their figures where they can. A name too long for its column stands on a line
    of its own above its figures; a table that cannot fit `width` is a list."""
    others = len(headers) - 1
    widths = [
        max(
            [
                *(len(cells[index]) for _name, cells in rows),
                *(len(w) for w in headers[index + 1].split()),
            ]
        )
        for index in range(others)
    ]
    header = [_broken(headers[index + 1], widths[index]) for index in range(others)]
    room = width - INDENT - sum(widths) - len(_GAP) * others
    longest = max([len(headers[0]), *(len(name) for name, _cells in rows)])
    name_width = min(longest, room)
    if name_width < min(_MIN_NAME, longest):
        return _as_list(headers, rows, width)
    aligned = set(left)

    def line(name: str, cells: Sequence[str]) -> str:
        laid = [
            cell.ljust(widths[index]) if index + 1 in aligned else cell.rjust(widths[index])
            for index, cell in enumerate(cells)
        ]
        return " " * INDENT + name.ljust(name_width) + _GAP + _GAP.join(laid)

    height = max(len(lines) for lines in header) if header else 1
    lines = []
    for level in range(height):
        headings = [
            broken[level - (height - len(broken))] if level >= height - len(broken) else ""
            for broken in header
        ]
        lines.append(line(headers[0] if level == height - 1 else "", headings))
    for name, cells in rows:
        if len(name) > name_width:
            lines.append(" " * INDENT + _cut(name, width - INDENT))
            lines.append(line("", cells))
        else:
            lines.append(line(name, cells))
    return lines


def _broken(heading: str, width: int) -> list[str]:
    """A column's heading in lines of at most `width` (a word longer stays whole)."""
    return textwrap.wrap(heading, width, break_long_words=False) or [""]


def _as_list(
    headers: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]], width: int
) -> list[str]:
    """A table as a list: each name, then its figures under it as `heading: figure`
    (each pair kept on one line)."""
    lines = []
    for name, cells in rows:
        lines += _wrap(name, width, INDENT)
        pairs = [
            f"{heading}: {cell}".replace(" ", KEEP)
            for heading, cell in zip(headers[1:], cells, strict=True)
        ]
        lines += _wrap(", ".join(pairs), width, INDENT * 2)
    return lines


def _wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """A sentence in lines of at most `width` columns, `indent` in, later lines
    INDENT more (a word longer than a line is cut: nothing may pass the width; KEEP
    is a space never broken at)."""
    lines = textwrap.wrap(
        text,
        max(width, indent + INDENT + 1),
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + INDENT),
        break_on_hyphens=False,
    )
    return [line.replace(KEEP, " ") for line in lines] or [""]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _number(value: float | None) -> str:
    """A figure such as a median: `1`, `2.5` (`2,5` in Indonesian); `-` for none."""
    if value is None:
        return "-"
    shown = f"{value:.1f}".removesuffix(".0")
    return shown.replace(".", ",") if current_language() == "id" else shown


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _percent_decimal(part: Decimal, whole: Decimal) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _late(minutes: float | None) -> str:
    """A lateness to the nearest minute, as the inbox shows ages: `2m`, `1h 20m`,
    `2d 3h`; `-` for none."""
    if minutes is None:
        return "-"
    return span_text(timedelta(minutes=max(round(minutes), 0)))


def _short_day(day: date) -> str:
    """A week's Monday: `30 November`."""
    return f"{day.day} {_(MONTH_NAMES[day.month - 1])}"
