"""`schedule` as text: a timeline grouped by local day, laid out for the terminal's width.

Day headings name the day and month in the language in use (`Selasa, 1 Desember 2026`,
`Tuesday, 1 December 2026`: `humaspost.times.day_name`).
Each line shows the local time, the state (`lifecycle.state_label`), the post, the
account and `(repeat)` for an occurrence of a repeating post; then what a person may
want next: a sent delivery's address (a sandbox one shortened, `tables.short_address`),
when a retry comes and why, why it was missed. That detail goes on the next line when
the row and it do not fit the width. An unknown or failed delivery gets its error and
the command that settles it on lines of their own.

Then come the repeats cut short, the warnings, the held-back files, whether a daemon
publishes here and the summary (`humaspost.cli.schedule` says what each means).
"""

from __future__ import annotations

import socket
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from humaspost.config import Config
from humaspost.heartbeat import DaemonStatus
from humaspost.i18n import _, ngettext
from humaspost.lifecycle import state_label
from humaspost.plan import State
from humaspost.problems import Problem
from humaspost.publog import DeliveryKey
from humaspost.schedule_warnings import ScheduleWarning
from humaspost.tables import (
    KEEP,
    MESSAGE_INDENT,
    STATE_STYLE,
    Segment,
    is_sandbox_address,
    row,
    sandbox_note,
    short_address,
    wrapped,
)
from humaspost.timeline import FAILING, SHOWN_PER_REPEAT, Entry, NotShown, ScheduleView
from humaspost.times import day_name, format_local
from humaspost.x_costs import cost_lines

# Where an entry's detail lines start: under its state, after `  08:00  `.
DETAIL_INDENT = 9


def schedule_text(
    view: ScheduleView, cfg: Config, cwd: Path, *, show_all: bool, sandbox: bool, width: int
) -> list[Segment]:
    """The whole text output of `schedule`, in lines of at most `width` columns."""
    tz, now, shown = cfg.timezone, view.now, view.shown
    end = view.until.astimezone(tz)
    until = f"{day_name(end.date())} {end:%H:%M} {end.tzname()}"
    title = _("Every delivery up to {end}") if show_all else _("Schedule up to {end}")
    now_note = _("(now: {now}; sandbox)") if sandbox else _("(now: {now})")
    lines = row(
        [(title.format(end=until), "bold")],
        [(now_note.format(now=format_local(now, tz)), "dim")],
        width,
        MESSAGE_INDENT,
    )
    today = now.astimezone(tz).date()
    listed, folded = fold_reshares(shown)
    state_width = max((len(state_label(entry.state)) for entry in listed), default=0)
    current: date | None = None
    for entry in listed:
        local = entry.due_at.astimezone(tz)
        if local.date() != current:
            current = local.date()
            lines.append(("\n", None))
            lines.append((day_name(current), "bold"))
            lines.append(((" " + _("(today)") if current == today else "") + "\n", "bold"))
        lines.extend(_entry_lines(entry, local, tz, state_width, sandbox=sandbox, width=width))
        if entry.key in folded:
            lines.extend(_folded_lines(folded[entry.key], tz, width))
    if not shown:
        lines.append(("\n" + _("nothing to publish in this period") + "\n", None))
    lines.append(("\n", None))
    if any(entry.state is State.SENT and is_sandbox_address(_url(entry)) for entry in shown):
        lines.extend(sandbox_note(cfg, cwd, width))
    lines.extend(not_shown_lines(view.not_shown, cfg, width))
    lines.extend(warning_lines(view.warnings, width))
    for cost_warning in view.x_warnings:
        segments = [(_("warning:") + " ", "bold yellow"), (cost_warning.message, None)]
        lines.extend(wrapped(segments, width, MESSAGE_INDENT))
    if view.x_cost is not None:
        for line in cost_lines(view.x_cost, now.astimezone(tz).date()):
            lines.extend(wrapped([(line, "dim")], width, MESSAGE_INDENT))
    lines.extend(blocked_lines(view.errors, width))
    lines.extend(not_committed_lines(view.not_committed, width))
    for daemon in view.daemons or [view.daemon]:
        lines.extend(_daemon_lines(daemon, cfg, now, width))
    lines.extend(_summary(shown, width))
    return lines


def not_shown_lines(not_shown: list[NotShown], cfg: Config, width: int) -> list[Segment]:
    """A line for each repeat cut short: how many more occurrences fall in the window."""
    lines: list[Segment] = []
    for cut in not_shown:
        fields = {
            "count": cut.count,
            "post_id": cut.post_id,
            "after": format_local(cut.after, cfg.timezone),
            "limit": SHOWN_PER_REPEAT,
        }
        if cut.at_least:
            message = _(
                "more than {count} later occurrences of {post_id} (after {after}; at most "
                "{limit} are shown per repeating post, use a smaller --days)"
            )
        else:
            message = ngettext(
                "{count} later occurrence of {post_id} (after {after}; at most {limit} are "
                "shown per repeating post, use a smaller --days)",
                "{count} later occurrences of {post_id} (after {after}; at most {limit} are "
                "shown per repeating post, use a smaller --days)",
                cut.count,
            )
        segments = [(_("not shown:") + " ", "bold yellow"), (message.format(**fields), None)]
        lines.extend(wrapped(segments, width, MESSAGE_INDENT))
    return lines


def warning_lines(warnings: list[ScheduleWarning], width: int) -> list[Segment]:
    """A line for each warning (`daily-limit`, `burst`)."""
    lines: list[Segment] = []
    for warning in warnings:
        segments = [(_("warning:") + " ", "bold yellow"), (warning.message, None)]
        lines.extend(wrapped(segments, width, MESSAGE_INDENT))
    return lines


def not_committed_lines(files: list[str], width: int) -> list[Segment]:
    """The post files `publish` holds back until they are committed (publish_from:
    committed), and what to do."""
    if not files:
        return []
    held = ngettext(
        "{count} post file is held back until it is committed (publish_from: committed):",
        "{count} post files are held back until they are committed (publish_from: committed):",
        len(files),
    ).format(count=len(files))
    return [
        *wrapped([(held + " ", "bold red"), (", ".join(files), None)], width, MESSAGE_INDENT),
        *wrapped([("  " + _("commit the changes, or undo them"), "dim")], width, 4),
    ]


def blocked_lines(errors: list[Problem], width: int) -> list[Segment]:
    """The post files held back by their errors, and how to see why."""
    files = sorted({p.file for p in errors})
    if not files:
        return []
    count = len(files)
    held = ngettext(
        "{count} post file has errors and is held back:",
        "{count} post files have errors and are held back:",
        count,
    ).format(count=count)
    return [
        *wrapped([(held + " ", "bold red"), (", ".join(files), None)], width, MESSAGE_INDENT),
        *wrapped([("  " + _("run 'humaspost check' to see them"), "dim")], width, 4),
    ]


# Re-shares in these states are folded under the delivery they re-share.
_PENDING = (State.WAITING, State.SCHEDULED, State.DUE)


def fold_reshares(shown: list[Entry]) -> tuple[list[Entry], dict[DeliveryKey, list[Entry]]]:
    """The entries listed one by one, and the re-shares still to go out by the shown
    delivery they re-share (sent, failed or missed ones are listed, as is a re-share
    whose origin is not shown)."""
    origins = {entry.key for entry in shown}
    listed: list[Entry] = []
    folded: dict[DeliveryKey, list[Entry]] = {}
    for entry in shown:
        origin = entry.origin_key
        if origin is not None and origin in origins and entry.state in _PENDING:
            folded.setdefault(origin, []).append(entry)
        else:
            listed.append(entry)
    return listed, folded


def _folded_lines(reshares: list[Entry], tz: ZoneInfo, width: int) -> list[Segment]:
    """One line under an origin: its re-shares still to go out, when, in what state and
    by whom."""
    first = reshares[0].due_at.astimezone(tz)
    last = reshares[-1].due_at.astimezone(tz)
    when = f"{first:%H:%M}" if first == last else f"{first:%H:%M}-{last:%H:%M}"
    counts = Counter(entry.state for entry in reshares)
    states = ", ".join(f"{counts[s]} {state_label(s)}" for s in _PENDING if counts[s])
    summary = ngettext(
        "{count} re-share {when} ({states}): {accounts}",
        "{count} re-shares {when} ({states}): {accounts}",
        len(reshares),
    ).format(
        count=len(reshares),
        when=when,
        states=states,
        accounts=", ".join(entry.key.account for entry in reshares),
    )
    return wrapped([(" " * DETAIL_INDENT + "\u21bb " + summary, "dim")], width, DETAIL_INDENT + 2)


def _url(entry: Entry) -> str | None:
    return entry.row.url if entry.row is not None else None


def _entry_lines(
    entry: Entry,
    local: datetime,
    tz: ZoneInfo,
    state_width: int,
    *,
    sandbox: bool,
    width: int,
) -> list[Segment]:
    key, log_row = entry.key, entry.row
    head: list[Segment] = [
        (f"  {local:%H:%M}  ", None),
        (state_label(entry.state).ljust(state_width), STATE_STYLE[entry.state]),
        (f"  {key.post_id} → {key.account}", None),
    ]
    if entry.repeat:
        head.append(("  " + _("(repeat)"), "dim"))
    detail: list[Segment] = []
    url = _url(entry)
    if entry.state is State.SENT and url:
        detail = [(short_address(url), "dim")]
    elif entry.state is State.RETRYING:
        next_try = f"{entry.ready_at.astimezone(tz):%Y-%m-%d %H:%M}"
        message = _("next attempt {time}: {error}") if entry.error else _("next attempt {time}")
        detail = [(message.format(time=next_try, error=entry.error), "dim")]
    elif entry.state is State.MISSED and entry.error:
        detail = [(entry.error, "dim")]
    lines = row(head, detail, width, DETAIL_INDENT)
    if entry.state in FAILING and log_row is not None:
        indent = " " * DETAIL_INDENT
        error = entry.error or state_label(entry.state)
        lines.extend(wrapped([(indent + error, "bold red")], width, DETAIL_INDENT))
        hint = entry.settle_hint(log_row, sandbox=sandbox)
        lines.extend(wrapped([(indent + hint, "dim")], width, DETAIL_INDENT))
    return lines


def _daemon_lines(daemon: DaemonStatus, cfg: Config, now: datetime, width: int) -> list[Segment]:
    """Whether a daemon publishes from this state folder."""
    label: Segment = (_("daemon:") + " ", "bold")
    tz, beat = cfg.timezone, daemon.beat
    if beat is None:
        message = _("none has run here; is 'humaspost publish' run from cron?")
        return wrapped([label, (message, None)], width, MESSAGE_INDENT)
    if beat.host and beat.host != socket.gethostname():
        who = _("pid {pid} on {host}").format(pid=beat.pid, host=beat.host)
    else:
        who = _("pid {pid}").format(pid=beat.pid)
    if beat.sandbox:
        who += ", --sandbox"
    last = (
        _("last pass {time}").format(time=_when(beat.last_pass, now, tz))
        if beat.last_pass
        else _("no pass yet")
    )
    said: list[Segment]
    if daemon.state == "stopped":
        stopped = (
            _("not running (stopped {time})").format(time=format_local(beat.updated, tz))
            if beat.updated
            else _("not running (stopped)")
        )
        said = [(stopped, "yellow")]
    elif daemon.state == "gone":
        gone = _("not running ({who} ended without stopping cleanly; {last})")
        said = [(gone.format(who=who, last=last), "bold red")]
    elif daemon.state == "not-responding":
        latest = beat.last_pass or beat.started
        stuck = (
            _("running ({who}) but not responding: {last}, {ago} ago").format(
                who=who, last=last, ago=_ago(now - latest)
            )
            if latest
            else _("running ({who}) but not responding: {last}").format(who=who, last=last)
        )
        said = [(stuck, "bold red"), (_("; look at its log, or restart it"), None)]
    else:
        wake = (
            _("next wake {time}").format(time=format_local(beat.next_delivery, tz))
            if beat.next_delivery
            else _("nothing scheduled")
        )
        running = _("running ({who}), {last}, {wake}").format(who=who, last=last, wake=wake)
        said = [(running, "green")]
    return wrapped([label, *said], width, MESSAGE_INDENT)


def _when(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """A recent time to the second: `06:21:08 WIB`, with the date if not today."""
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M:%S} {local.tzname()}"
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)
    if minutes < 48 * 60:
        hours = minutes // 60
        return ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    days = minutes // (24 * 60)
    return ngettext("{count} day", "{count} days", days).format(count=days)


def _summary(shown: list[Entry], width: int) -> list[Segment]:
    if not shown:
        return [(_("no deliveries") + "\n", "bold")]
    counts = Counter(entry.state for entry in shown)
    parts = ", ".join(
        f"{counts[state]}{KEEP}{state_label(state).replace(' ', KEEP)}"
        for state in State
        if counts[state]
    )
    total = len(shown)
    summary = ngettext("{count} delivery: {states}", "{count} deliveries: {states}", total).format(
        count=total, states=parts
    )
    return wrapped([(summary, "bold")], width, MESSAGE_INDENT)
