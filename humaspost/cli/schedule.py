"""`humaspost schedule`: what goes out when, as a timeline, JSON or an iCalendar feed.

What is shown (the window, `--all`, log rows the plan no longer covers, the cap on a
repeat's occurrences) is decided by `humaspost.timeline.schedule_view`; the text is laid
out by `humaspost.schedule_text`, in the language in use and the terminal's width
(`COLUMNS`; 80 off a terminal). `--sandbox` plans against the sandbox's own log.

Text output is a timeline grouped by local day. Day headings use Indonesian day and month
names (`Selasa, 1 Desember 2026`) in either language, the way PR staff write dates in
their posts. Each line shows the local time, the state, the post, the account and
`(repeat)` for an occurrence of a repeating post, then a sent delivery's address (a
sandbox one shortened to the end of its outbox file's name, `…ab12cd34`; JSON keeps it
whole), a retry's next attempt or why it was missed, on the next line if it does not fit.

Then come the repeats cut short (at most 500 occurrences each, `SHOWN_PER_REPEAT`: a
line says how many more fall in the window) and the warnings (`daily-limit`, `burst`:
see `humaspost.schedule_warnings`).

`--format json` prints `timeline.ScheduleView.as_json` (its docstring lists the fields),
compact off a terminal, indented on one. `--format ics` prints an iCalendar feed
(`humaspost.ical`); the not-shown lines, warnings and held-back files then go to stderr.
`--format html` is a calendar page (`humaspost.schedule_html`: a column per day, a row
per week). `--output FILE` writes any of them to a file instead (2 if it cannot).

Before the summary, text output says whether a daemon publishes from this state folder
(from its heartbeat, `<state_dir>/daemon.json`): running (pid, last pass, next wake),
running but not responding (no pass for 3 minutes, `heartbeat.NOT_RESPONDING`: the
daemon sweeps every minute), not running (stopped cleanly, or gone without stopping),
or none has run here (JSON: `"daemon"`, `heartbeat.DaemonStatus.as_json`).

Exit code 1 if a delivery is unknown or failed, or a post file has errors (whatever the
window shown); 0 otherwise; 2 for usage and configuration errors.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    SandboxOption,
    cwd,
    environment,
    load,
    now_from,
    write_output,
)
from humaspost.cli.output import Output
from humaspost.cli.problems_view import print_json
from humaspost.i18n import _, current_language
from humaspost.ical import ics
from humaspost.schedule_html import schedule_page
from humaspost.schedule_text import (
    blocked_lines,
    not_committed_lines,
    not_shown_lines,
    schedule_text,
    warning_lines,
)
from humaspost.tables import terminal_width
from humaspost.timeline import MAX_DAYS, schedule_view


class ScheduleFormat(StrEnum):
    """Output formats of `schedule`."""

    TEXT = "text"
    JSON = "json"
    ICS = "ics"
    HTML = "html"


def schedule(
    days: Annotated[
        int,
        typer.Option("--days", min=0, max=MAX_DAYS, help=_("How many days ahead to show.")),
    ] = 14,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help=_(
                "Every delivery up to --days ahead, long past ones too (also those only "
                "the publish log still knows)."
            ),
        ),
    ] = False,
    output: Annotated[
        ScheduleFormat,
        typer.Option(
            "--format", help=_("text, json, ics (iCalendar) or html (a calendar of the weeks).")
        ),
    ] = ScheduleFormat.TEXT,
    to_file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help=_(
                "Write the schedule to this file (relative to the current folder) instead "
                "of printing it."
            ),
            show_default=False,
        ),
    ] = None,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Validate, then show what goes out when, by day in local time.

    Each delivery is shown with its state, with warnings about bursts and daily limits.

    Exits 1 if a delivery is unknown or failed, or a post file has errors."""
    cfg = load(config)[0]
    here, width = cwd(), terminal_width()
    view = schedule_view(
        cfg,
        here,
        now_from(now, cfg),
        days=days,
        sandbox=sandbox,
        show_all=show_all,
        environ=environment(cfg),
    )
    if output is ScheduleFormat.JSON:
        write_output(to_file, lambda stream: print_json(stream, view.as_json(cfg.timezone)))
    elif output is ScheduleFormat.HTML:
        page = schedule_page(view, cfg, current_language(), show_all=show_all, sandbox=sandbox)
        write_output(to_file, lambda stream: stream.write(page))
    elif output is ScheduleFormat.ICS:
        feed = ics(view.shown, cfg, view.now)
        if to_file is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(feed.encode("utf-8"))
            sys.stdout.buffer.flush()
        else:
            write_output(to_file, lambda stream: stream.write(feed))
        Output(sys.stderr).write(
            [
                *not_shown_lines(view.not_shown, cfg, width),
                *warning_lines(view.warnings, width),
                *blocked_lines(view.errors, width),
                *not_committed_lines(view.not_committed, width),
            ]
        )
    else:
        text = schedule_text(view, cfg, here, show_all=show_all, sandbox=sandbox, width=width)
        write_output(to_file, lambda stream: Output(stream).write(text))
    if view.failing:
        raise typer.Exit(1)
