"""`humaspost schedule`: what goes out when, as a timeline, JSON or an iCalendar feed.

What is shown (the window, `--all`, log rows the plan no longer covers, the cap on a
repeat's occurrences) is decided by `humaspost.timeline.schedule_view`; this module
renders it. `--sandbox` plans against the sandbox's own log.

Text output is a timeline grouped by local day. Day headings use Indonesian day and month
names (`Selasa, 1 Desember 2026`), the way PR staff write dates in their posts; the rest
of the output is in English like every other command. Each line shows the local time,
the state, the post, the account and `(repeat)` for an occurrence of a repeating post.

Then come the repeats cut short (at most 500 occurrences each, `SHOWN_PER_REPEAT`: a
line says how many more fall in the window) and the warnings (`daily-limit`, `burst`:
see `humaspost.schedule_warnings`).

`--format json` prints `timeline.ScheduleView.as_json` (its docstring lists the fields),
compact off a terminal, indented on one. `--format ics` prints an iCalendar feed
(`humaspost.ical`); the not-shown lines, warnings and held-back files then go to stderr.

Before the summary, text output says whether a daemon publishes from this state folder
(from its heartbeat, `<state_dir>/daemon.json`): running (pid, last pass, next wake),
running but not responding (no pass for 3 minutes, `heartbeat.NOT_RESPONDING`: the
daemon sweeps every minute), not running (stopped cleanly, or gone without stopping),
or none has run here (JSON: `"daemon"`, `heartbeat.DaemonStatus.as_json`).

Exit code 1 if a delivery is unknown or failed, or a post file has errors (whatever the
window shown); 0 otherwise; 2 for usage and configuration errors.
"""

from __future__ import annotations

import socket
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    SandboxOption,
    cwd,
    load,
    now_from,
)
from humaspost.cli.output import Output, Segment
from humaspost.cli.problems_view import print_json
from humaspost.config import Config
from humaspost.heartbeat import DaemonStatus
from humaspost.ical import ics
from humaspost.plan import State
from humaspost.problems import Problem
from humaspost.schedule_warnings import ScheduleWarning
from humaspost.timeline import (
    FAILING,
    MAX_DAYS,
    SHOWN_PER_REPEAT,
    Entry,
    NotShown,
    ScheduleView,
    schedule_view,
)
from humaspost.times import day_name, format_local

_STYLE = {
    State.SCHEDULED: "cyan",
    State.DUE: "bold cyan",
    State.SENDING: "cyan",
    State.SENT: "green",
    State.RETRYING: "yellow",
    State.FAILED: "bold red",
    State.UNKNOWN: "bold red",
    State.MISSED: "yellow",
    State.DRAFT: "dim",
    State.BLOCKED: "bold magenta",
    State.RETRACTED: "dim",
}
_STATE_WIDTH = max(len(state) for state in State)


class ScheduleFormat(StrEnum):
    """Output formats of `schedule`."""

    TEXT = "text"
    JSON = "json"
    ICS = "ics"


def schedule(
    days: Annotated[
        int,
        typer.Option("--days", min=0, max=MAX_DAYS, help="How many days ahead to show."),
    ] = 14,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Every delivery up to --days ahead, long past ones too (also those only "
            "the publish log still knows).",
        ),
    ] = False,
    output: Annotated[
        ScheduleFormat, typer.Option("--format", help="text, json or ics (iCalendar).")
    ] = ScheduleFormat.TEXT,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Validate, then show what goes out when, by day in local time.

    Each delivery is shown with its state, with warnings about bursts and daily limits.

    Exits 1 if a delivery is unknown or failed, or a post file has errors."""
    cfg, _ = load(config)
    view = schedule_view(
        cfg, cwd(), now_from(now, cfg), days=days, sandbox=sandbox, show_all=show_all
    )
    if output is ScheduleFormat.JSON:
        print_json(sys.stdout, view.as_json(cfg.timezone))
    elif output is ScheduleFormat.ICS:
        sys.stdout.flush()
        sys.stdout.buffer.write(ics(view.shown, cfg, view.now).encode("utf-8"))
        sys.stdout.buffer.flush()
        Output(sys.stderr).write(
            [
                *_not_shown_lines(view.not_shown, cfg),
                *_warning_lines(view.warnings),
                *_blocked_lines(view.errors),
            ]
        )
    else:
        Output(sys.stdout).write(_text(view, cfg, show_all=show_all, sandbox=sandbox))
    if view.failing:
        raise typer.Exit(1)


# Text


def _text(view: ScheduleView, cfg: Config, *, show_all: bool, sandbox: bool) -> list[Segment]:
    tz, now, shown = cfg.timezone, view.now, view.shown
    end = view.until.astimezone(tz)
    what = "Every delivery" if show_all else "Schedule"
    lines: list[Segment] = [
        (f"{what} up to {day_name(end.date())} {end:%H:%M} {end.tzname()}", "bold"),
        (f"  (now: {format_local(now, tz)}{'; sandbox' if sandbox else ''})\n", "dim"),
    ]
    today = now.astimezone(tz).date()
    current: date | None = None
    for entry in shown:
        local = entry.due_at.astimezone(tz)
        if local.date() != current:
            current = local.date()
            lines.append(("\n", None))
            lines.append((day_name(current), "bold"))
            lines.append((" (hari ini)\n" if current == today else "\n", "bold"))
        lines.extend(_entry_lines(entry, local, tz, sandbox=sandbox))
    if not shown:
        lines.append(("\nnothing to publish in this period\n", None))
    lines.append(("\n", None))
    lines.extend(_not_shown_lines(view.not_shown, cfg))
    lines.extend(_warning_lines(view.warnings))
    lines.extend(_blocked_lines(view.errors))
    lines.extend(_daemon_lines(view.daemon, cfg, now))
    lines.append(_summary(shown))
    return lines


def _not_shown_lines(not_shown: list[NotShown], cfg: Config) -> list[Segment]:
    lines: list[Segment] = []
    for cut in not_shown:
        count = f"more than {cut.count}" if cut.at_least else str(cut.count)
        lines.append(("not shown: ", "bold yellow"))
        lines.append(
            (
                f"{count} later occurrences of {cut.post_id} (after "
                f"{format_local(cut.after, cfg.timezone)}; at most {SHOWN_PER_REPEAT} are "
                "shown per repeating post, use a smaller --days)\n",
                None,
            )
        )
    return lines


def _daemon_lines(daemon: DaemonStatus, cfg: Config, now: datetime) -> list[Segment]:
    """One line: whether a daemon publishes from this state folder."""
    tz, beat = cfg.timezone, daemon.beat
    if beat is None:
        return [
            ("daemon: ", "bold"),
            ("none has run here; is 'humaspost publish' run from cron?\n", None),
        ]
    who = f"pid {beat.pid}"
    if beat.host and beat.host != socket.gethostname():
        who += f" on {beat.host}"
    if beat.sandbox:
        who += ", --sandbox"
    last = f"last pass {_when(beat.last_pass, now, tz)}" if beat.last_pass else "no pass yet"
    if daemon.state == "stopped":
        stopped = f"stopped {format_local(beat.updated, tz)}" if beat.updated else "stopped"
        return [("daemon: ", "bold"), (f"not running ({stopped})\n", "yellow")]
    if daemon.state == "gone":
        return [
            ("daemon: ", "bold"),
            (f"not running ({who} ended without stopping cleanly; {last})\n", "bold red"),
        ]
    if daemon.state == "not-responding":
        latest = beat.last_pass or beat.started
        ago = f", {_ago(now - latest)} ago" if latest else ""
        return [
            ("daemon: ", "bold"),
            (f"running ({who}) but not responding: {last}{ago}", "bold red"),
            ("; look at its log, or restart it\n", None),
        ]
    wake = (
        f"next wake {format_local(beat.next_delivery, tz)}"
        if beat.next_delivery
        else "nothing scheduled"
    )
    return [("daemon: ", "bold"), (f"running ({who}), {last}, {wake}\n", "green")]


def _when(moment: datetime, now: datetime, tz: ZoneInfo) -> str:
    """A recent time to the second: `06:21:08 WIB`, with the date if not today."""
    local = moment.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local:%H:%M:%S} {local.tzname()}"
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    if minutes < 48 * 60:
        return f"{minutes // 60} hours"
    return f"{minutes // (24 * 60)} days"


def _entry_lines(entry: Entry, local: datetime, tz: ZoneInfo, *, sandbox: bool) -> list[Segment]:
    key, row = entry.key, entry.row
    lines: list[Segment] = [
        (f"  {local:%H:%M}  ", None),
        (f"{entry.state:<{_STATE_WIDTH}}", _STYLE[entry.state]),
        (f"  {key.post_id} → {key.account}", None),
    ]
    if entry.repeat:
        lines.append(("  (repeat)", "dim"))
    if entry.state is State.SENT and row is not None and row.url:
        lines.append((f"  {row.url}", "dim"))
    elif entry.state is State.BLOCKED and entry.post is not None:
        lines.append((f"  {entry.post.shown} has errors", "dim"))
    elif entry.state is State.RETRYING:
        next_try = entry.ready_at.astimezone(tz)
        lines.append((f"  next attempt {next_try:%Y-%m-%d %H:%M}", "dim"))
        if entry.error:
            lines.append((f": {entry.error}", "dim"))
    elif entry.state is State.MISSED and entry.error:
        lines.append((f"  {entry.error}", "dim"))
    lines.append(("\n", None))
    if entry.state in FAILING and row is not None:
        indent = " " * 9
        lines.append((f"{indent}{entry.error or entry.state}\n", "bold red"))
        lines.append((f"{indent}{entry.settle_hint(row, sandbox=sandbox)}\n", "dim"))
    return lines


def _warning_lines(warnings: list[ScheduleWarning]) -> list[Segment]:
    lines: list[Segment] = []
    for warning in warnings:
        lines.append(("warning: ", "bold yellow"))
        lines.append((f"{warning.message}\n", None))
    return lines


def _blocked_lines(errors: list[Problem]) -> list[Segment]:
    files = sorted({p.file for p in errors})
    if not files:
        return []
    return [
        (f"{len(files)} post file(s) have errors and are held back: ", "bold red"),
        (", ".join(files) + "\n", None),
        ("  run 'humaspost check' to see them\n", "dim"),
    ]


def _summary(shown: list[Entry]) -> Segment:
    if not shown:
        return ("no deliveries\n", "bold")
    counts = Counter(entry.state for entry in shown)
    parts = ", ".join(f"{counts[state]} {state}" for state in State if counts[state])
    noun = "delivery" if len(shown) == 1 else "deliveries"
    return (f"{len(shown)} {noun}: {parts}\n", "bold")
