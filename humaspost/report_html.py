"""`report --format html`: the monthly report as one page to mail to the head of the
office or print for the mayor.

Summary figures on top (what went out and how punctually, how much of it was
re-shared, how fast complaints were answered, what X cost), then the four charts
(humaspost/report_charts.py: inline SVG), then the tables. The page loads nothing (the
shared look of humaspost/html_look.py: inline CSS, a Content-Security-Policy), and every
text from the log, the posts or the config is escaped. Authors of complaints are shown
as the model gives them: pseudonyms unless the report was made `--with-names`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from humaspost import report_charts
from humaspost.html_look import escape, page, table
from humaspost.i18n import _
from humaspost.report import (
    Amplified,
    ComplaintGroup,
    CostReport,
    Counts,
    Named,
    OpenItem,
    Period,
    Report,
)
from humaspost.times import MONTH_NAMES, format_local
from humaspost.x_costs import dollars

# What a figure shows when there is none (no complaint answered: no median).
_NONE = "\N{EN DASH}"
# A summary figure's look: its value in green, orange or red, or plain (None).
Level = str | None


def report_page(report: Report, language: str) -> str:
    """The report as one HTML page in `language` ('id' or 'en'), loading nothing."""
    title = _("Monthly report: {period}").format(period=report.period.label)
    note = _(
        "Made {generated}. Times are local time ({timezone}). This page loads nothing "
        "from the network."
    ).format(
        generated=format_local(report.generated_at, report.timezone), timezone=report.timezone.key
    )
    body = (
        '<header class="page-head">\n'
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="subtitle">{escape(_period_days(report.period))}</p>\n'
        f'<p class="note">{escape(note)}</p>\n'
        "</header>\n<main>\n"
        f"{_summary(report)}{_charts(report)}{_posts(report)}{_amplification(report)}"
        f"{_complaints(report)}{_cost(report)}</main>\n"
    )
    return page(title, language, body)


def _h3(heading: str) -> str:
    return f"<h3>{escape(heading)}</h3>\n"


def _section(name: str, heading: str, content: str) -> str:
    return f'<section id="{name}">\n<h2>{escape(heading)}</h2>\n{content}</section>\n'


# Summary --------------------------------------------------------------------------------


def _summary(report: Report) -> str:
    total = report.posts.total
    not_sent = total.missed + total.failed + total.unknown
    asked = sum(post.asked for post in report.amplification.posts)
    reshared = sum(post.reshared for post in report.amplification.posts)
    complaints = report.complaints.total
    cost = report.cost
    figures = [
        _figure(
            _("deliveries sent"),
            str(total.sent),
            _("missed {missed}, failed {failed}, unknown {unknown}").format(
                missed=total.missed, failed=total.failed, unknown=total.unknown
            ),
            "bad" if not_sent else None,
        ),
        _figure(
            _("sent on time"),
            _percent(total.on_time, total.on_time + total.late),
            _("{late} late (more than a minute after their time)").format(late=total.late),
            _share_level(total.on_time, total.on_time + total.late),
        ),
        _figure(
            _("asks re-shared"),
            _percent(reshared, asked),
            _("{reshared} of {asked} asks, {posts} posts").format(
                reshared=reshared, asked=asked, posts=len(report.amplification.posts)
            ),
            _share_level(reshared, asked),
        ),
        _figure(
            _("complaints answered within the standard"),
            _percent(complaints.within_standard, complaints.received),
            _("{received} received, {answered} answered, {overdue} overdue").format(
                received=complaints.received,
                answered=complaints.answered,
                overdue=complaints.overdue,
            ),
            _share_level(complaints.within_standard, complaints.received),
        ),
        _figure(
            _("median response (working days)"),
            _days(complaints.median_days),
            _("90th percentile: {days}").format(days=_days(complaints.p90_days)),
            None,
        ),
        _figure(
            _("X API cost (estimate)"),
            dollars(cost.cost),
            _cost_note(cost, report.period),
            "bad" if cost.budget is not None and cost.cost > cost.budget else None,
        ),
    ]
    return _section("summary", _("Summary"), f'<ul class="figures">\n{"".join(figures)}</ul>\n')


def _figure(label: str, value: str, note: str, level: Level) -> str:
    shown = f"figure {level}" if level else "figure"
    return (
        f'<li class="{shown}"><span class="figure-value">{escape(value)}</span>'
        f'<span class="figure-label">{escape(label)}</span>'
        f'<span class="figure-note">{escape(note)}</span></li>\n'
    )


def _share_level(part: int, whole: int) -> Level:
    """Green from 90%, orange from 70%, red below; plain when there is nothing."""
    if not whole:
        return None
    if part >= 0.9 * whole:
        return "good"
    return "warn" if part >= 0.7 * whole else "bad"


def _cost_note(cost: CostReport, period: Period) -> str:
    if cost.budget is None:
        return _("no x_monthly_budget set")
    used = _percent_of(cost.cost, cost.budget)
    if period.whole_month:
        return _("budget {budget}, {share} used").format(budget=dollars(cost.budget), share=used)
    return _("budget {budget} (pro rata for these days), {share} used").format(
        budget=dollars(cost.budget), share=used
    )


# Charts ---------------------------------------------------------------------------------


def _charts(report: Report) -> str:
    complaints = report.complaints
    charts = [
        report_charts.posts_per_day(report.posts.per_day),
        report_charts.complaints_per_week(complaints.per_week),
        report_charts.amplification(
            [(r.account, r.asked, r.reshared) for r in report.amplification.resharers]
        ),
        report_charts.response_days(complaints.response_days, complaints.total.median_days),
    ]
    figures = "".join(
        f'<figure class="chart" id="chart-{chart.name}">\n'
        f"<figcaption>{escape(chart.title)}</figcaption>\n{chart.svg}</figure>\n"
        for chart in charts
    )
    return _section("charts", _("Charts"), f'<div class="charts">\n{figures}</div>\n')


# Tables ---------------------------------------------------------------------------------


def _count_headings(first: str) -> list[str]:
    return [
        first,
        _("sent"),
        _("on time"),
        _("late"),
        _("missed"),
        _("failed"),
        _("unknown"),
        _("retracted"),
    ]


def _count_cells(counts: Counts) -> list[str | int]:
    return [
        counts.sent,
        counts.on_time,
        counts.late,
        counts.missed,
        counts.failed,
        counts.unknown,
        counts.retracted,
    ]


def _counts_table(
    first: str, named: Sequence[Named], empty: str, total: Counts | None = None
) -> str:
    return table(
        _count_headings(first),
        ([item.name, *_count_cells(item.counts)] for item in named),
        numeric=range(1, 8),
        empty=empty,
        foot=None if total is None else [_("total"), *_count_cells(total)],
    )


def _posts(report: Report) -> str:
    posts = report.posts
    content = (
        _h3(_("Per account"))
        + _counts_table(_("account"), posts.accounts, _("No deliveries."), posts.total)
        + _h3(_("Per campaign"))
        + _counts_table(_("campaign"), posts.campaigns, _("No post has a campaign."))
        + _h3(_("Per tag"))
        + _counts_table(_("tag"), posts.tags, _("No post has a tag."))
    )
    return _section("posts", _("Posts"), content)


def _amplification(report: Report) -> str:
    amplification = report.amplification
    posts = table(
        [
            _("post"),
            _("account"),
            _("asked"),
            _("re-shared"),
            _("median delay"),
            _("longest delay"),
        ],
        (_amplified_row(post) for post in amplification.posts),
        numeric=range(2, 6),
        empty=_("No post asked to be re-shared."),
    )
    resharers = table(
        ["#", _("account"), _("asked"), _("re-shared"), _("share")],
        (
            [rank, r.account, r.asked, r.reshared, _percent(r.reshared, r.asked)]
            for rank, r in enumerate(amplification.resharers, 1)
        ),
        numeric=[0, 2, 3, 4],
        empty=_("No account was asked to re-share."),
    )
    content = _h3(_("Amplified posts")) + posts + _h3(_("Re-sharing accounts")) + resharers
    return _section("amplification", _("Amplification"), content)


def _amplified_row(post: Amplified) -> list[str | int]:
    return [
        post.post_id,
        post.origin_account,
        post.asked,
        post.reshared,
        _minutes(post.median_late_minutes),
        _minutes(post.max_late_minutes),
    ]


def _complaints(report: Report) -> str:
    complaints = report.complaints
    content = (
        _h3(_("Per office"))
        + _groups_table(_("office"), complaints.offices, complaints.total, _("(no office)"))
        + _h3(_("Per category"))
        + _groups_table(_("category"), complaints.categories, None, _("(no category)"))
        + _h3(_("Oldest open items"))
        + _open_table(complaints.oldest_open, report.timezone, report.generated_at)
    )
    if not report.with_names:
        note = _("Authors are shown as pseudonyms (report --with-names shows their names).")
        content += f'<p class="note">{escape(note)}</p>\n'
    return _section("complaints", _("Complaints"), content)


def _groups_table(
    first: str, groups: Sequence[ComplaintGroup], total: ComplaintGroup | None, unnamed: str
) -> str:
    return table(
        [
            first,
            _("received"),
            _("answered"),
            _("closed"),
            _("overdue"),
            _("within standard"),
            _("median days"),
            _("90th percentile days"),
        ],
        (_group_cells(group, unnamed if group.name is None else group.name) for group in groups),
        numeric=range(1, 8),
        empty=_("No complaints."),
        foot=None if total is None else _group_cells(total, _("total")),
    )


def _group_cells(group: ComplaintGroup, name: str) -> list[str | int]:
    return [
        name,
        group.received,
        group.answered,
        group.closed,
        group.overdue,
        f"{group.within_standard} ({_percent(group.within_standard, group.received)})",
        _days(group.median_days),
        _days(group.p90_days),
    ]


def _open_table(items: Iterable[OpenItem], tz: ZoneInfo, now: datetime) -> str:
    def row(item: OpenItem) -> list[str | int]:
        due = format_local(item.due_at, tz)
        if item.due_at < now:
            due = _("{due} (overdue)").format(due=due)
        return [
            item.id,
            item.account,
            item.office or "",
            item.category or "",
            format_local(item.received_at, tz),
            due,
            item.author,
        ]

    return table(
        ["#", _("account"), _("office"), _("category"), _("received"), _("due"), _("author")],
        (row(item) for item in items),
        numeric=[0],
        empty=_("No open items."),
    )


def _cost(report: Report) -> str:
    cost = report.cost
    kinds = {
        "post": _("posts"),
        "post_with_url": _("posts with a link"),
        "repost": _("reposts"),
        "media": _("media uploads"),
    }
    requests = table(
        [_("request"), _("count")],
        ([kinds.get(kind, kind), count] for kind, count in cost.requests.items()),
        numeric=[1],
        empty=_("No request went to X."),
    )
    accounts = table(
        [_("account"), _("requests"), _("cost")],
        ([name, count, dollars(amount)] for name, count, amount in cost.accounts),
        numeric=[1, 2],
        foot=[_("total"), sum(cost.requests.values()), dollars(cost.cost)],
    )
    note = _("Estimated from X's prices per request; X's bill is what counts.")
    content = f'{requests}{accounts}<p class="note">{escape(note)}</p>\n'
    return _section("cost", _("X API cost"), content)


# Figures as people read them ------------------------------------------------------------


def _percent(part: int, whole: int) -> str:
    """`part` of `whole` in whole percent (a dash of nothing); never 100% or 0% unless it
    is all or none."""
    if not whole:
        return _NONE
    share = (200 * part + whole) // (2 * whole)  # rounded half up, as people round
    if part < whole:
        share = min(share, 99)
    if part > 0:
        share = max(share, 1)
    return f"{share}%"


def _percent_of(part: Decimal, whole: Decimal) -> str:
    """An amount's share of another in whole percent, rounded half up."""
    if not whole:
        return _NONE
    return f"{(100 * part / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def _days(value: float | None) -> str:
    """Working days, whole or with one decimal (a comma in Indonesian); a dash for none."""
    return _NONE if value is None else report_charts.decimal_text(value)


def _minutes(value: float | None) -> str:
    """A delay: '4 min', '2 h 5 min'; a dash for none."""
    if value is None:
        return _NONE
    minutes = round(value)
    if minutes < 60:
        return _("{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)


def _period_days(period: Period) -> str:
    """'1 December 2026 - 31 December 2026' (an en dash) in the language in use."""
    return f"{_day(period.start)} \N{EN DASH} {_day(period.end)}"


def _day(day: date) -> str:
    return f"{day.day} {_(MONTH_NAMES[day.month - 1])} {day.year}"
