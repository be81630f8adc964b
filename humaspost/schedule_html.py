"""`schedule --format html`: the coming weeks as a calendar page, so that staff see the
gaps and the bursts at a glance.

The calendar has a column per day, Monday first, and a row per week, from the week of
today to the week of the view's end (`--days`); today is marked. Earlier weeks come
only where they have deliveries (those that need attention, or all with `--all`): a
run of earlier weeks without any is one line. Each delivery is a small block with its
local time, account, state and post, coloured by its state (the word "scheduled", the
ordinary case, is left to the colour on screen, for a busy day to stay short; it is
still in the page for a screen reader); a day is tinted by how many deliveries it has
(`BUSY_LEVELS`) with a bar against the busiest day, an empty day of the window is
hatched and says so, and days outside the window are greyed. On a narrow screen the
days become one column, the empty ones a line each.

Re-shares are folded under the delivery they re-share: a count (`+ 12 re-shares`) that
opens, without script, as a `<details>` listing each one's time, account and state.
Unlike the text timeline (which lists those that went out), every re-share on its
origin's day is folded, whatever its state, but an unknown or failed one: a person has
to act on it, so it is a block of its own. Re-shares on another day than their origin
(a spread past midnight), or whose origin is not shown, are folded under a block naming
the origin.

A day's warnings (`daily-limit`, `burst`, X's windows) open from a count on the day;
above the calendar come what text output says after its timeline (the repeats cut short,
the post files held back, the X budget) and each unknown or failed delivery with the
command that settles it. A legend names each state with its colour and how many
deliveries are in it.

The page loads nothing (see `humaspost.html_look`); every text from the posts, the log
or the config is escaped.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from humaspost.config import Config
from humaspost.html_look import PALETTE, escape, page, state_class
from humaspost.i18n import _, ngettext
from humaspost.lifecycle import FAILING, State, state_label
from humaspost.publog import DeliveryKey, Kind
from humaspost.schedule_text import blocked_lines, not_committed_lines, not_shown_lines
from humaspost.tables import Segment
from humaspost.timeline import Entry, ScheduleView
from humaspost.times import DAY_NAMES, MONTH_NAMES, day_name, format_local

# A day with at least BUSY_LEVELS[i] deliveries is drawn at busyness i + 1 (0: none).
BUSY_LEVELS = (1, 5, 10, 20)
# The order of the legend: what is still to come, what went out, what needs a person.
LEGEND = (
    State.SCHEDULED,
    State.WAITING,
    State.DUE,
    State.SENDING,
    State.SENT,
    State.RETRYING,
    State.MISSED,
    State.FAILED,
    State.UNKNOWN,
    State.BLOCKED,
    State.DRAFT,
    State.RETRACTED,
)
# Wide enough that a note from text output is never broken into lines.
_UNBROKEN = 1_000_000


@dataclass(frozen=True)
class Block:
    """A delivery as drawn on its day, with the re-shares folded under it; without an
    entry, the re-shares of a delivery shown on another day, or not at all."""

    entry: Entry | None
    origin: DeliveryKey | None
    reshares: list[Entry] = field(default_factory=list)

    @property
    def due_at(self) -> datetime:
        """When the block comes in its day: its delivery's time, or its first re-share's."""
        return self.entry.due_at if self.entry is not None else self.reshares[0].due_at


@dataclass(frozen=True)
class Day:
    """One day of the calendar."""

    day: date
    blocks: list[Block]
    count: int  # deliveries, folded re-shares too
    warnings: list[str]
    in_window: bool  # what the view covers: without blocks, known to have nothing


@dataclass(frozen=True)
class Week:
    """Seven days, Monday first."""

    days: list[Day]


@dataclass(frozen=True)
class Gap:
    """Earlier weeks without a delivery shown, drawn as one line."""

    first: date
    last: date


def busy_level(count: int) -> int:
    """How busy a day of `count` deliveries is drawn: 0 (none) to len(BUSY_LEVELS)."""
    return sum(1 for level in BUSY_LEVELS if count >= level)


def blocks_of_day(entries: list[Entry]) -> list[Block]:
    """A day's entries (in time order) as blocks: each re-share folded under its origin
    when that is on the day, else with the other re-shares of that origin; an unknown
    or failed re-share stays a block of its own."""
    blocks: list[Block] = []
    by_key: dict[DeliveryKey, Block] = {}
    groups: dict[DeliveryKey, Block] = {}
    for entry in entries:
        origin = entry.origin_key
        if origin is None or entry.state in FAILING:
            block = Block(entry, origin)
            blocks.append(block)
            by_key[entry.key] = block
        elif origin in by_key:
            by_key[origin].reshares.append(entry)
        else:
            if origin not in groups:
                groups[origin] = Block(None, origin)
                blocks.append(groups[origin])
            groups[origin].reshares.append(entry)
    return blocks


def calendar(view: ScheduleView, tz: ZoneInfo, *, show_all: bool) -> list[Week | Gap]:
    """The weeks of the view: from the week of today to the week of its end, and the
    earlier weeks that have deliveries (runs of those that have none as a `Gap`)."""
    today = view.now.astimezone(tz).date()
    end = view.until.astimezone(tz).date()
    by_day: dict[date, list[Entry]] = {}
    for entry in view.shown:
        by_day.setdefault(entry.due_at.astimezone(tz).date(), []).append(entry)
    warnings: dict[date, list[str]] = {}
    for warning in view.warnings:
        warnings.setdefault(warning.day, []).append(warning.message)
    for cost in view.x_warnings:
        if cost.day is not None:
            warnings.setdefault(cost.day, []).append(cost.message)
    # Nothing shown is later than the view's end; older ones need attention (or --all).
    first = _monday(min([today, *by_day]))
    last = _monday(end) + timedelta(days=6)
    this_week = _monday(today)
    rows: list[Week | Gap] = []
    monday = first
    while monday <= last:
        days = [monday + timedelta(days=n) for n in range(7)]
        if monday < this_week and not any(day in by_day for day in days):
            previous = rows[-1] if rows else None
            if isinstance(previous, Gap):
                rows[-1] = Gap(previous.first, days[-1])
            else:
                rows.append(Gap(monday, days[-1]))
        else:
            rows.append(
                Week(
                    [
                        Day(
                            day,
                            blocks_of_day(by_day.get(day, [])),
                            len(by_day.get(day, [])),
                            warnings.get(day, []),
                            in_window=(show_all or day >= today) and day <= end,
                        )
                        for day in days
                    ]
                )
            )
        monday += timedelta(days=7)
    return rows


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def schedule_page(
    view: ScheduleView, cfg: Config, language: str, *, show_all: bool, sandbox: bool
) -> str:
    """The schedule as one calendar page in `language` ('id' or 'en'), loading nothing."""
    tz = cfg.timezone
    today = view.now.astimezone(tz).date()
    end = view.until.astimezone(tz)
    until = f"{day_name(end.date())} {end:%H:%M} {end.tzname()}"
    title = (_("Every delivery up to {end}") if show_all else _("Schedule up to {end}")).format(
        end=until
    )
    now_note = (_("(now: {now}; sandbox)") if sandbox else _("(now: {now})")).format(
        now=format_local(view.now, tz)
    )
    where = _("Times are local time ({timezone}). This page loads nothing from the network.")
    rows = calendar(view, tz, show_all=show_all)
    busiest = max((d.count for r in rows if isinstance(r, Week) for d in r.days), default=0)
    weeks = "".join(
        _week_html(row, today, tz, busiest) if isinstance(row, Week) else _gap_html(row)
        for row in rows
    )
    weekdays = "".join(f'<div class="weekday">{escape(_(name))}</div>' for name in DAY_NAMES)
    body = (
        '<header class="page-head">\n'
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="note">{escape(now_note)} {escape(where.format(timezone=tz.key))}</p>\n'
        f"{_legend_html(view)}</header>\n<main>\n{_notes_html(view, cfg, sandbox=sandbox)}"
        f'<div class="calendar">\n<div class="weekdays" aria-hidden="true">{weekdays}</div>\n'
        f"{weeks}</div>\n</main>\n"
    )
    return page(title, language, body, _CSS)


def _tag(name: str, classes: str, text: str) -> str:
    """An element of these classes holding `text`, escaped."""
    return f'<{name} class="{classes}">{escape(text)}</{name}>'


def _legend_html(view: ScheduleView) -> str:
    """Each state with its colour and how many deliveries are in it, then how a day is
    drawn: by how many deliveries it has, today, outside the days shown."""
    counts = Counter(entry.state for entry in view.shown)
    total = len(view.shown)
    states = "".join(
        f'<li class="{state_class(state)}{"" if counts[state] else " none"}">'
        f'<span class="swatch"></span>{escape(state_label(state))} '
        f'<span class="key-count">{counts[state]}</span></li>'
        for state in LEGEND
    )
    bounds = [f"{low}\u2013{high - 1}" for low, high in itertools.pairwise(BUSY_LEVELS)]
    days = [
        ("empty-day", _("no deliveries")),
        *((f"load-{n}", said) for n, said in enumerate([*bounds, f"{BUSY_LEVELS[-1]}+"], 1)),
        ("today", _("today")),
        ("outside", _("not in the days shown")),
    ]
    drawn = _tag("li", "key-label", _("deliveries a day:")) + "".join(
        f'<li class="{kind}"><span class="swatch"></span>{escape(said)}</li>' for kind, said in days
    )
    summary = ngettext("{count} delivery", "{count} deliveries", total).format(count=total)
    return (
        f'<div class="key">{_tag("p", "total", summary)}\n'
        f'<ul class="legend key-states">{states}</ul>\n'
        f'<ul class="legend key-days">{drawn}</ul></div>\n'
    )


def _notes_html(view: ScheduleView, cfg: Config, *, sandbox: bool) -> str:
    """What text output says after its timeline that concerns the whole page: the
    repeats cut short, the files held back, the X budget; and each unknown or failed
    delivery with the command that settles it."""
    notes = [
        _plain(lines)
        for lines in (
            not_shown_lines(view.not_shown, cfg, _UNBROKEN),
            blocked_lines(view.errors, _UNBROKEN),
            not_committed_lines(view.not_committed, _UNBROKEN),
        )
        if lines
    ]
    notes += [_("warning:") + " " + w.message for w in view.x_warnings if w.day is None]
    items = "".join(f'<li class="page-note">{_lines_html(note)}</li>' for note in notes)
    for entry in view.shown:
        if entry.state in FAILING and entry.row is not None:
            head = f"{format_local(entry.due_at, cfg.timezone)}  {entry.key.post_id} → "
            head += entry.key.account
            error = entry.error or state_label(entry.state)
            hint = entry.settle_hint(entry.row, sandbox=sandbox)
            items += (
                f'<li class="page-note attention {state_class(entry.state)}">'
                f"<b>{escape(head)}</b>: {escape(error)}<br>{_tag('span', 'hint', hint)}</li>"
            )
    return f'<ul class="page-notes">{items}</ul>\n' if items else ""


def _plain(lines: list[Segment]) -> str:
    """Lines of text output as plain text, their indents dropped."""
    text = "".join(piece for piece, _style in lines)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _lines_html(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))


def _gap_html(gap: Gap) -> str:
    said = _("no deliveries from {first} to {last}").format(
        first=day_name(gap.first), last=day_name(gap.last)
    )
    return f'<p class="gap">{escape(said)}</p>\n'


def _week_html(week: Week, today: date, tz: ZoneInfo, busiest: int) -> str:
    days = "".join(_day_html(day, today, tz, busiest) for day in week.days)
    return f'<div class="week">{days}</div>\n'


def _day_html(day: Day, today: date, tz: ZoneInfo, busiest: int) -> str:
    classes = ["day", f"load-{busy_level(day.count)}"]
    if day.day == today:
        classes.append("today")
    if not day.in_window:
        classes.append("outside")
    elif not day.count:
        classes.append("empty-day")
    if day.warnings:
        classes.append("warned")
    month = _(MONTH_NAMES[day.day.month - 1])
    head = (
        f'<span class="weekday-name">{escape(_(DAY_NAMES[day.day.weekday()]))}</span> '
        f'<span class="date">{day.day.day} {escape(month)}</span>'
    )
    if day.day == today:
        head += " " + _tag("span", "today-mark", _("today"))
    if day.count:
        share = round(100 * day.count / busiest)
        said = ngettext("{count} delivery", "{count} deliveries", day.count)
        head += (
            f" {_tag('span', 'day-count', said.format(count=day.count))}"
            f'<span class="meter" aria-hidden="true"><span style="width:{share}%"></span></span>'
        )
    body = ""
    if day.warnings:
        count = len(day.warnings)
        said = "⚠ " + ngettext("{count} warning", "{count} warnings", count).format(count=count)
        listed = "".join(f"<li>{escape(message)}</li>" for message in day.warnings)
        body += (
            f'<details class="day-warnings"><summary>{escape(said)}</summary>'
            f"<ul>{listed}</ul></details>"
        )
    if day.blocks:
        body += f'<ol class="deliveries">{"".join(_block_html(b, tz) for b in day.blocks)}</ol>'
    elif day.in_window:
        body += _tag("p", "nothing", _("no deliveries"))
    return (
        f'<section class="{" ".join(classes)}" data-date="{day.day.isoformat()}" '
        f'aria-label="{escape(day_name(day.day))}"><h3 class="day-head">{head}</h3>{body}</section>'
    )


def _block_html(block: Block, tz: ZoneInfo) -> str:
    entry = block.entry
    if entry is None:
        assert block.origin is not None  # a block without an entry holds re-shares
        said = _("re-shares of {post} → {account}").format(
            post=block.origin.post_id, account=block.origin.account
        )
        time = f"{block.due_at.astimezone(tz):%H:%M}"
        return (
            f'<li class="delivery reshare-group">{_tag("span", "time", time)} '
            f"{_tag('span', 'post', said)}{_folded_html(block.reshares, tz)}</li>"
        )
    local = entry.due_at.astimezone(tz)
    classes = f"delivery state-mark {state_class(entry.state)}"
    if entry.kind is Kind.REPOST:
        classes += " repost"
    details = [format_local(entry.due_at, tz), state_label(entry.state)]
    if entry.post is not None:
        details.append(entry.post.shown)
    if entry.row is not None and entry.row.url:
        details.append(entry.row.url)
    pieces = [
        _tag("span", "time", f"{local:%H:%M}"),
        _tag("span", "account", entry.key.account),
        _tag("span", "state", state_label(entry.state)),
        _tag("span", "post", entry.key.post_id),
    ]
    if entry.kind is Kind.REPOST and block.origin is not None:
        pieces.append(
            _tag(
                "span", "origin", _("(re-share of {account})").format(account=block.origin.account)
            )
        )
    if entry.repeat:
        pieces.append(_tag("span", "repeat", _("(repeat)")))
    if entry.error and entry.state in (*FAILING, State.MISSED, State.RETRYING):
        pieces.append(_tag("span", "why", entry.error))
    return (
        f'<li class="{classes}" title="{escape(" · ".join(details))}">{" ".join(pieces)}'
        f"{_folded_html(block.reshares, tz)}</li>"
    )


def _folded_html(reshares: list[Entry], tz: ZoneInfo) -> str:
    """The re-shares folded under a block: their count and states, opening to each."""
    if not reshares:
        return ""
    count = len(reshares)
    said = ngettext("+ {count} re-share", "+ {count} re-shares", count).format(count=count)
    counts = Counter(entry.state for entry in reshares)
    states = " ".join(
        f'<span class="mini {state_class(state)}">'
        f"{counts[state]} {escape(state_label(state))}</span>"
        for state in LEGEND
        if counts[state]
    )
    listed = "".join(
        f'<li class="reshare {state_class(entry.state)}">'
        f"{_tag('span', 'time', f'{entry.due_at.astimezone(tz):%H:%M}')} "
        f"{_tag('span', 'account', entry.key.account)} "
        f"{_tag('span', 'state', state_label(entry.state))}</li>"
        for entry in reshares
    )
    return (
        f'<details class="reshares"><summary><span class="reshare-count">{escape(said)}</span> '
        f'{states}</summary><ol class="reshare-list">{listed}</ol></details>'
    )


# The calendar: a grid of seven columns a week; on a narrow screen, one column of days
# (those outside the days shown left out unless they hold a delivery). The shared look
# (`html_look.CSS`) comes first: its `section` and `h3` margins are undone here.
_P = PALETTE
_TODAY = "#c2185b"
_CSS = f"""
main{{max-width:1480px}}
.key{{margin:8px 0 0}}
.total{{font-weight:700;margin:0}}
.key .legend{{margin:4px 0 0;gap:4px 12px;font-size:12px}}
.key .none{{opacity:.45}}
.key-count{{font-weight:700;font-variant-numeric:tabular-nums}}
.key-label{{color:{_P.muted}}}
.key-days .swatch{{background:{_P.paper};border:1px solid {_P.line}}}
.key-days .load-1 .swatch,.day.load-1{{background-color:#f6f9fd}}
.key-days .load-2 .swatch,.day.load-2{{background-color:#e2edf9}}
.key-days .load-3 .swatch,.day.load-3{{background-color:#c6dcf3}}
.key-days .load-4 .swatch,.day.load-4{{background-color:#a4c6ec}}
.key-days .empty-day .swatch,.day.empty-day{{background:repeating-linear-gradient(135deg,
 {_P.paper} 0 5px,#e6eaef 5px 10px)}}
.key-days .outside .swatch,.day.outside{{background:#e3e6ea}}
.key-days .today .swatch{{border:3px solid {_TODAY}}}
.page-notes{{list-style:none;margin:0 0 12px;padding:0}}
.page-note{{background:{_P.paper};border-left:4px solid {_P.warn};border-radius:4px;
 padding:6px 10px;margin:0 0 4px}}
.page-note.attention{{border-color:var(--state);background:var(--state-tint)}}
.page-note .hint{{color:{_P.accent};font-size:13px}}
.weekdays,.week{{display:grid;grid-template-columns:repeat(7,minmax(0,1fr));gap:4px}}
.weekdays{{position:sticky;top:0;z-index:1;background:{_P.ground};padding:2px 0}}
.weekday{{font-weight:700;font-size:12px;color:{_P.muted};padding:0 6px}}
.week{{margin:0 0 4px}}
.gap{{margin:0 0 4px;padding:4px 8px;color:{_P.muted};font-size:12px;font-style:italic;
 border:1px dashed {_P.line};border-radius:4px;text-align:center}}
section.day{{margin:0;min-width:0;min-height:96px;border:1px solid {_P.line};border-radius:6px;
 padding:4px;background:{_P.paper}}}
.day.outside{{color:{_P.muted}}}
.day.today{{border:3px solid {_TODAY};padding:2px}}
.day.warned{{border-top:4px solid {_P.warn}}}
h3.day-head{{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 6px;margin:0 0 4px;
 font-size:12px;font-weight:400}}
.weekday-name{{display:none}}
.date{{font-weight:700;font-size:13px}}
.today-mark{{background:{_TODAY};color:#fff;border-radius:8px;padding:0 6px;font-weight:700}}
.day-count{{margin-left:auto}}
.meter{{flex-basis:100%;height:4px;border-radius:2px;background:rgba(0,0,0,.08);
 overflow:hidden}}
.meter span{{display:block;height:100%;background:{_P.accent}}}
.nothing{{margin:8px 0 0;color:{_P.muted};font-size:12px;text-align:center}}
.day-warnings{{font-size:12px;color:{_P.warn};margin:0 0 4px}}
.day-warnings summary{{cursor:pointer;font-weight:700}}
.day-warnings ul{{margin:2px 0 0;padding-left:16px}}
.deliveries,.reshare-list{{list-style:none;margin:0;padding:0}}
.delivery{{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 4px;font-size:12px;
 line-height:1.3;margin:0 0 3px;padding:1px 4px 2px 5px;border-radius:3px;
 overflow-wrap:anywhere}}
.delivery .time{{font-weight:700;font-variant-numeric:tabular-nums}}
.delivery .account{{font-weight:600;min-width:0}}
.delivery .state{{margin-left:auto;color:var(--state);font-size:10px;font-weight:700}}
.delivery .post,.delivery .origin,.delivery .repeat,.delivery .why,.reshares{{
 flex-basis:100%;min-width:0}}
.delivery .post{{font-size:11px}}
.delivery.state-scheduled>.state,.reshare.state-waiting>.state{{position:absolute;width:1px;
 height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}}
.delivery .origin,.delivery .repeat{{font-size:11px;color:{_P.muted}}}
.delivery .why{{color:{_P.bad};font-size:11px}}
.reshare-group{{background:{_P.paper};border-left:4px dashed {_P.muted}}}
.reshares{{margin:2px 0 0}}
.reshares summary{{cursor:pointer}}
.reshare-count{{font-weight:700}}
.mini{{display:inline-block;font-size:10px;border-radius:6px;padding:0 4px;margin:1px 2px 0 0;
 background:var(--state-tint);color:var(--state);border:1px solid var(--state)}}
.reshare{{border-left:3px solid var(--state);padding-left:4px;margin:2px 0 0}}
.reshare .state{{color:var(--state)}}
@media (max-width:760px){{
 .weekdays{{display:none}}
 .week{{display:block;margin:0}}
 section.day{{min-height:0;margin:0 0 4px}}
 .weekday-name{{display:inline;font-weight:700;font-size:13px}}
 .day.outside:not(:has(.delivery)){{display:none}}
 .day.empty-day{{display:flex;flex-wrap:wrap;gap:0 8px;align-items:baseline;padding:2px 6px}}
 .day.empty-day h3.day-head{{margin:0}}
 .day.empty-day .nothing{{margin:0}}
 .delivery .post{{flex-basis:auto}}
 .delivery .state{{order:1}}
 .delivery .origin,.delivery .repeat,.delivery .why,.reshares{{order:2}}
}}
@media print{{
 @page{{size:A4 landscape}}
 .weekdays{{position:static}}
 .week,section.day{{break-inside:avoid;page-break-inside:avoid}}
 .day,.delivery,.mini,.reshare{{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
}}
"""
