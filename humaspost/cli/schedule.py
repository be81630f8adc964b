"""`humaspost schedule`: what goes out when, as a timeline, JSON or an iCalendar feed.

It validates the posts (files with errors are `blocked`), plans them against the publish
log and shows every delivery from the start of today (local time) to `--days` ahead,
plus anything older that needs attention (unknown, failed, retrying, due, sending).
`--all` drops the lower bound: long past deliveries too, and every log row the plan no
longer covers (past occurrences of repeats, deleted posts). A delivery in state unknown
that the plan does not cover (an old repeat occurrence, a post since removed) is shown
too: it still needs `humaspost resolve`.

The publish log is only read: it is opened only if it exists (planning records when a
repeat without `publish_at` was first seen, as `publish` does). `--sandbox` plans against
the sandbox's own log.

Text output is a timeline grouped by local day. Day headings use Indonesian day and month
names (`Selasa, 1 Desember 2026`), the way PR staff write dates in their posts; the rest
of the output is in English like every other command. Each line shows the local time,
the state, the post, the account and `(repeat)` for an occurrence of a repeating post.

Warnings, for local days from today on, counting deliveries that will or did go out
(scheduled, due, sending, retrying, sent, unknown; not drafts, blocked, failed or
missed):

- `daily-limit`: an account gets more deliveries on one local calendar day than its
  `daily_limit` in the config.
- `burst`: `BURST_COUNT` (3) or more deliveries to one account within `BURST_WINDOW`
  (15 minutes, inclusive: 08:00, 08:10 and 08:15 are a burst). Overlapping bursts are
  merged into one warning naming the first and last time.

`--format json` prints one object (compact off a terminal, indented on one)::

    {"now": "2026-11-28T03:05:00+00:00",          # UTC
     "timezone": "Asia/Jakarta",
     "deliveries": [
       {"id": 12,                                 # the log row's number, or null
        "post": "2026/12/aids", "file": "posts/2026/12/aids.md",   # file: null if gone
        "account": "pemkot-x", "platform": "twitter",   # as configured (also --sandbox)
        "occurrence": "once",                     # or a repeat's UTC time
        "due_at": "2026-12-01T01:00:00+00:00",    # UTC
        "local_time": "2026-12-01T08:00:00+07:00",
        "state": "scheduled", "url": null, "error": null,
        "repeat": null}],                         # the post's cron expression, if any
     "warnings": [{"code": "burst", "message": "...", "account": "pemkot-x",
                   "day": "2026-12-01"}],         # local date
     "problems": 0,                               # post file errors (blocking)
     "daemon": {...}}                             # see below

`--format ics` prints an iCalendar (RFC 5545) feed, one VEVENT per delivery shown: UID
`<post>/<occurrence>/<account>@humaspost`, DTSTART in UTC, 15 minutes long, SUMMARY
`<account>: <first 60 characters of the text>`, DESCRIPTION with the state; drafts and
blocked posts are TENTATIVE. Warnings and held-back files then go to stderr.

Before the summary, text output says whether a daemon publishes from this state folder
(from its heartbeat, `<state_dir>/daemon.json`): running (pid, last pass, next wake),
running but not responding (no pass for `NOT_RESPONDING`, 3 minutes: the daemon sweeps
every minute), not running (stopped cleanly, or gone without stopping), or none has run
here. JSON output has the same as `"daemon"`::

    "daemon": {"state": "running",          # running, not-responding, stopped, gone, none
               "pid": 1234, "host": "humas-srv", "sandbox": false,
               "started": "...", "last_pass": "...", "next_delivery": "...",
               "updated": "..."}              # UTC times (the daemon's clock), or null

Exit code 1 if a delivery is unknown or failed, or a post file has errors (whatever the
window shown); 0 otherwise; 2 for usage and configuration errors.
"""

from __future__ import annotations

import socket
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Any
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
from humaspost.daemon import daemon_alive, read_heartbeat
from humaspost.plan import Delivery, State, plan
from humaspost.posts import Post
from humaspost.problems import Problem
from humaspost.publog import (
    DeliveryKey,
    LogRow,
    PublishLog,
    RowState,
    log_exists,
    pending_since,
)
from humaspost.render import render
from humaspost.times import format_local
from humaspost.workflow import LoadedPosts, load_posts, log_path, plan_from_log

# Three or more deliveries to one account within 15 minutes flood followers' timelines
# and look like spam to the platforms.
BURST_COUNT = 3
BURST_WINDOW = timedelta(minutes=15)
# A running daemon passes at least every minute (its sweep): three minutes without one
# means it hangs.
NOT_RESPONDING = timedelta(minutes=3)
MAX_DAYS = 3660

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

# Older than today, still shown: someone or something has to act on these.
ATTENTION = frozenset({State.UNKNOWN, State.FAILED, State.RETRYING, State.DUE, State.SENDING})
# What makes the command exit 1.
FAILING = frozenset({State.UNKNOWN, State.FAILED})
# Deliveries that will or did go out: they count towards quotas and bursts.
COUNTED = frozenset(
    {State.SCHEDULED, State.DUE, State.SENDING, State.RETRYING, State.SENT, State.UNKNOWN}
)

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
_ICS_DURATION = "PT15M"
_SUMMARY_CHARS = 60


class ScheduleFormat(StrEnum):
    """Output formats of `schedule`."""

    TEXT = "text"
    JSON = "json"
    ICS = "ics"


@dataclass(frozen=True)
class Entry:
    """One delivery as `schedule` shows it: from the plan, or a log row it no longer
    covers (then `post` may be None: the file is gone or does not load)."""

    key: DeliveryKey
    due_at: datetime
    state: State
    platform: str
    post: Post | None
    row: LogRow | None
    planned: bool
    ready_at: datetime

    @classmethod
    def of(cls, delivery: Delivery) -> Entry:
        """A planned delivery."""
        return cls(
            delivery.key,
            delivery.due_at,
            delivery.state,
            delivery.account.platform,
            delivery.post,
            delivery.row,
            planned=True,
            ready_at=delivery.ready_at,
        )

    @classmethod
    def of_row(cls, row: LogRow, post: Post | None, now: datetime) -> Entry:
        """A log row the plan does not cover: its stored state decides."""
        ready = row.next_attempt_at if row.state is RowState.RETRYING else None
        return cls(
            row.key,
            row.due_at,
            _stored_state(row, now),
            row.platform,
            post,
            row,
            planned=False,
            ready_at=ready or row.due_at,
        )

    @property
    def error(self) -> str | None:
        """The log row's error; for a sender that died mid-request, what that means."""
        if self.row is None:
            return None
        if self.row.error:
            return self.row.error
        if self.state is State.UNKNOWN:
            return "the publishing process stopped while sending; it may have been published"
        return None

    @property
    def repeat(self) -> str | None:
        """The post's cron expression, if it repeats."""
        return self.post.repeat if self.post is not None else None


@dataclass(frozen=True)
class DaemonStatus:
    """What the daemon heartbeat of the state folder says, judged at `now`."""

    state: str  # running, not-responding, stopped, gone, none
    pid: int | None = None
    host: str | None = None
    sandbox: bool = False
    started: datetime | None = None
    last_pass: datetime | None = None
    next_delivery: datetime | None = None
    updated: datetime | None = None

    @classmethod
    def read(cls, cfg: Config, now: datetime) -> DaemonStatus:
        """Read and judge the heartbeat (state `none` if no daemon ever ran here)."""
        beat = read_heartbeat(cfg.state_dir)
        if beat is None:
            return cls("none")
        pid = beat.get("pid")
        found = cls(
            "stopped",
            pid=pid if isinstance(pid, int) else None,
            host=str(beat["host"]) if beat.get("host") else None,
            sandbox=bool(beat.get("sandbox")),
            started=_moment(beat.get("started")),
            last_pass=_moment(beat.get("last_sweep")),
            next_delivery=_moment(beat.get("next_delivery")),
            updated=_moment(beat.get("updated")),
        )
        if not beat.get("running"):
            return found
        if not daemon_alive(beat):
            return replace(found, state="gone")
        latest = found.last_pass or found.started
        if latest is None or now - latest > NOT_RESPONDING:
            return replace(found, state="not-responding")
        return replace(found, state="running")


def _moment(value: object) -> datetime | None:
    """A heartbeat time (ISO 8601), or None if missing or not a time."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


@dataclass(frozen=True)
class ScheduleWarning:
    """Something about the schedule staff should look at; it does not fail the command."""

    code: str
    message: str
    account: str
    day: date


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
    """Validate, then show what goes out when: a timeline by day in local time, with
    each delivery's state, and warnings about bursts and daily limits.

    Exits 1 if a delivery is unknown or failed, or a post file has errors."""
    cfg, _ = load(config)
    moment = now_from(now, cfg)
    until = moment + timedelta(days=days)
    loaded = load_posts(cfg, cwd(), moment)
    entries = _plan_entries(cfg, loaded, moment, until, sandbox=sandbox, show_all=show_all)
    failing = bool(loaded.errors) or any(_failing(e) for e in entries)
    today = _local_midnight(moment, cfg.timezone)
    shown = [
        e
        for e in entries
        if e.due_at <= until and (show_all or e.due_at >= today or e.state in ATTENTION)
    ]
    warnings = _warnings(shown, cfg, today.astimezone(cfg.timezone).date())
    daemon = DaemonStatus.read(cfg, moment)
    if output is ScheduleFormat.JSON:
        print_json(sys.stdout, _json(shown, warnings, loaded.errors, cfg, moment, daemon))
    elif output is ScheduleFormat.ICS:
        sys.stdout.flush()
        sys.stdout.buffer.write(ics(shown, cfg, moment).encode("utf-8"))
        sys.stdout.buffer.flush()
        Output(sys.stderr).write([*_warning_lines(warnings), *_blocked_lines(loaded.errors)])
    else:
        Output(sys.stdout).write(
            _text(
                shown,
                warnings,
                loaded.errors,
                cfg,
                moment,
                until,
                daemon,
                show_all=show_all,
                sandbox=sandbox,
            )
        )
    if failing:
        raise typer.Exit(1)


def _plan_entries(
    cfg: Config,
    loaded: LoadedPosts,
    now: datetime,
    until: datetime,
    *,
    sandbox: bool,
    show_all: bool,
) -> list[Entry]:
    """The plan, and the log rows it does not cover that still matter (unknown ones; with
    `--all`, every one). The log is opened only if it exists."""
    path = log_path(cfg, sandbox=sandbox)
    if not log_exists(path):
        deliveries = plan(loaded.planned, cfg, {}, now, until=until, first_seen={})
        return [Entry.of(d) for d in deliveries]
    with PublishLog(path) as publog:
        deliveries = plan_from_log(loaded, cfg, publog, now, until)
        extra = publog.rows_with_state(RowState.UNKNOWN)
        if show_all:
            extra += publog.search(limit=None)
    entries = [Entry.of(d) for d in deliveries]
    covered = {d.key for d in deliveries}
    posts = {p.post.id: p.post for p in loaded.planned}
    for row in extra:
        if row.key not in covered:
            covered.add(row.key)
            entries.append(Entry.of_row(row, posts.get(row.key.post_id), now))
    entries.sort(key=lambda e: (e.due_at, e.key.account, e.key.post_id))
    return entries


def _failing(entry: Entry) -> bool:
    """Whether the entry fails the command, the same with or without `--all`: a planned
    delivery that is unknown or failed, or an unknown log row the plan does not cover."""
    if entry.planned:
        return entry.state in FAILING
    return entry.row is not None and entry.row.state is RowState.UNKNOWN


def _stored_state(row: LogRow, now: datetime) -> State:
    """The state of a log row the plan does not cover."""
    match row.state:
        case RowState.SENDING:
            if row.lease_until is not None and row.lease_until > now:
                return State.SENDING
            return State.UNKNOWN if row.inflight_part is not None else State.DUE
        case RowState.PENDING:
            # Put back by hand: ready from then, as `plan` counts it.
            return State.DUE if pending_since(row) <= now else State.SCHEDULED
        case _:
            return State(row.state.value)


def _local_midnight(moment: datetime, tz: ZoneInfo) -> datetime:
    """The start of `moment`'s local day, in UTC."""
    day = moment.astimezone(tz).date()
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def day_name(day: date) -> str:
    """A date as Indonesian staff write it: `Selasa, 1 Desember 2026`."""
    return f"{DAY_NAMES[day.weekday()]}, {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


# Warnings


def _warnings(entries: Iterable[Entry], cfg: Config, today: date) -> list[ScheduleWarning]:
    tz = cfg.timezone
    by_account: dict[str, list[datetime]] = defaultdict(list)
    for entry in entries:
        if entry.state in COUNTED and entry.due_at.astimezone(tz).date() >= today:
            by_account[entry.key.account].append(entry.due_at)
    found: list[ScheduleWarning] = []
    for account, times in by_account.items():
        times.sort()
        found += _quota_warnings(account, times, cfg)
        found += _burst_warnings(account, times, tz)
    found.sort(key=lambda w: (w.day, w.account, w.code))
    return found


def _quota_warnings(account: str, times: list[datetime], cfg: Config) -> list[ScheduleWarning]:
    known = cfg.accounts.get(account)
    limit = known.daily_limit if known is not None else None
    if limit is None:
        return []
    per_day = Counter(t.astimezone(cfg.timezone).date() for t in times)
    return [
        ScheduleWarning(
            "daily-limit",
            f"{account} has {count} deliveries on {day_name(day)}, more than its "
            f"daily_limit of {limit}",
            account,
            day,
        )
        for day, count in sorted(per_day.items())
        if count > limit
    ]


def _burst_warnings(account: str, times: list[datetime], tz: ZoneInfo) -> list[ScheduleWarning]:
    """One warning per run of overlapping windows holding BURST_COUNT or more deliveries
    within BURST_WINDOW (`times` sorted)."""
    groups: list[tuple[int, int]] = []
    last = 0
    for first in range(len(times)):
        last = max(last, first)
        while last + 1 < len(times) and times[last + 1] - times[first] <= BURST_WINDOW:
            last += 1
        if last - first + 1 < BURST_COUNT:
            continue
        if groups and first <= groups[-1][1]:
            groups[-1] = (groups[-1][0], last)
        else:
            groups.append((first, last))
    minutes = int(BURST_WINDOW.total_seconds() // 60)
    found: list[ScheduleWarning] = []
    for first, last in groups:
        start, end = times[first].astimezone(tz), times[last].astimezone(tz)
        found.append(
            ScheduleWarning(
                "burst",
                f"{account} gets {last - first + 1} deliveries between {start:%H:%M} and "
                f"{end:%H:%M} on {day_name(start.date())} ({BURST_COUNT} or more within "
                f"{minutes} minutes flood followers' timelines); spread them out",
                account,
                start.date(),
            )
        )
    return found


# Text


def _text(
    shown: list[Entry],
    warnings: list[ScheduleWarning],
    errors: list[Problem],
    cfg: Config,
    now: datetime,
    until: datetime,
    daemon: DaemonStatus,
    *,
    show_all: bool,
    sandbox: bool,
) -> list[Segment]:
    tz = cfg.timezone
    end = until.astimezone(tz)
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
    lines.extend(_warning_lines(warnings))
    lines.extend(_blocked_lines(errors))
    lines.extend(_daemon_lines(daemon, cfg, now))
    lines.append(_summary(shown))
    return lines


def _daemon_lines(daemon: DaemonStatus, cfg: Config, now: datetime) -> list[Segment]:
    """One line: whether a daemon publishes from this state folder."""
    tz = cfg.timezone
    if daemon.state == "none":
        return [
            ("daemon: ", "bold"),
            ("none has run here; is 'humaspost publish' run from cron?\n", None),
        ]
    who = f"pid {daemon.pid}"
    if daemon.host and daemon.host != socket.gethostname():
        who += f" on {daemon.host}"
    if daemon.sandbox:
        who += ", --sandbox"
    last = f"last pass {_when(daemon.last_pass, now, tz)}" if daemon.last_pass else "no pass yet"
    if daemon.state == "stopped":
        stopped = f"stopped {format_local(daemon.updated, tz)}" if daemon.updated else "stopped"
        return [("daemon: ", "bold"), (f"not running ({stopped})\n", "yellow")]
    if daemon.state == "gone":
        return [
            ("daemon: ", "bold"),
            (f"not running ({who} ended without stopping cleanly; {last})\n", "bold red"),
        ]
    if daemon.state == "not-responding":
        latest = daemon.last_pass or daemon.started
        ago = f", {_ago(now - latest)} ago" if latest else ""
        return [
            ("daemon: ", "bold"),
            (f"running ({who}) but not responding: {last}{ago}", "bold red"),
            ("; look at its log, or restart it\n", None),
        ]
    wake = (
        f"next wake {format_local(daemon.next_delivery, tz)}"
        if daemon.next_delivery
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
        lines.append((f"{indent}{_settle_hint(entry, row, sandbox=sandbox)}\n", "dim"))
    return lines


def _settle_hint(entry: Entry, row: LogRow, *, sandbox: bool) -> str:
    flag = " --sandbox" if sandbox else ""
    if entry.state is State.FAILED:
        return f"fix the cause, then run 'humaspost retry {row.id}{flag}'"
    if row.state is not RowState.UNKNOWN:
        return (
            f"the next 'humaspost publish{flag}' records it as unknown; then look on "
            f"{entry.platform} and settle it with 'humaspost resolve {row.id}{flag}'"
        )
    return (
        f"look on {entry.platform} whether it went out, then run 'humaspost resolve "
        f"{row.id} --sent URL{flag}' or 'humaspost resolve {row.id} --not-sent{flag}'"
    )


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


# JSON


def _json(
    shown: list[Entry],
    warnings: list[ScheduleWarning],
    errors: list[Problem],
    cfg: Config,
    now: datetime,
    daemon: DaemonStatus,
) -> dict[str, Any]:
    return {
        "now": now.astimezone(UTC).isoformat(),
        "timezone": cfg.timezone.key,
        "deliveries": [_entry_json(entry, cfg.timezone) for entry in shown],
        "warnings": [
            {
                "code": w.code,
                "message": w.message,
                "account": w.account,
                "day": w.day.isoformat(),
            }
            for w in warnings
        ],
        "problems": len(errors),
        "daemon": _daemon_json(daemon),
    }


def _daemon_json(daemon: DaemonStatus) -> dict[str, Any]:
    def utc(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment is not None else None

    return {
        "state": daemon.state,
        "pid": daemon.pid,
        "host": daemon.host,
        "sandbox": daemon.sandbox,
        "started": utc(daemon.started),
        "last_pass": utc(daemon.last_pass),
        "next_delivery": utc(daemon.next_delivery),
        "updated": utc(daemon.updated),
    }


def _entry_json(entry: Entry, tz: ZoneInfo) -> dict[str, Any]:
    row = entry.row
    return {
        "id": row.id if row is not None else None,
        "post": entry.key.post_id,
        "file": entry.post.shown if entry.post is not None else None,
        "account": entry.key.account,
        "platform": entry.platform,
        "occurrence": entry.key.occurrence,
        "due_at": entry.due_at.astimezone(UTC).isoformat(),
        "local_time": entry.due_at.astimezone(tz).isoformat(),
        "state": str(entry.state),
        "url": row.url if row is not None else None,
        "error": entry.error,
        "repeat": entry.repeat,
    }


# iCalendar (RFC 5545)


def ics(entries: Iterable[Entry], cfg: Config, now: datetime) -> str:
    """The deliveries as an iCalendar feed: CRLF line ends, lines folded at 75 octets."""
    tz = cfg.timezone
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//humaspost//schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(f'humaspost: {cfg.root.name}')}",
        f"X-WR-TIMEZONE:{tz.key}",
    ]
    stamp = _ics_time(now)
    seen: set[DeliveryKey] = set()
    for entry in entries:
        key = entry.key
        if key in seen:
            continue  # two files with one id (both blocked): a UID must be unique
        seen.add(key)
        parts = _texts(entry, cfg)
        first = " ".join(parts[0].split()) if parts and parts[0].strip() else key.post_id
        details = [
            f"State: {entry.state}",
            f"Post: {key.post_id}",
            *([f"File: {entry.post.shown}"] if entry.post is not None else []),
            f"Account: {key.account} ({entry.platform})",
            f"Time: {format_local(entry.due_at, tz)}",
            *([f"Repeat: {entry.repeat}"] if entry.repeat else []),
            *([f"URL: {entry.row.url}"] if entry.row is not None and entry.row.url else []),
            *([f"Error: {entry.error}"] if entry.error else []),
        ]
        if parts:
            details += ["", "\n---\n".join(parts)]
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_ics_text(f'{key.post_id}/{key.occurrence}/{key.account}@humaspost')}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(entry.due_at)}",
            f"DURATION:{_ICS_DURATION}",
            f"SUMMARY:{_ics_text(f'{key.account}: {first[:_SUMMARY_CHARS]}')}",
            f"DESCRIPTION:{_ics_text(chr(10).join(details))}",
            f"STATUS:{'TENTATIVE' if entry.state in (State.DRAFT, State.BLOCKED) else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _texts(entry: Entry, cfg: Config) -> list[str]:
    """The text parts the account gets (empty if the post or account is gone)."""
    account = cfg.accounts.get(entry.key.account)
    if entry.post is None or account is None:
        return []
    return [part.text for part in render(entry.post, account) if part.text]


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    """A TEXT value: backslash, `;` and `,` escaped, line breaks as `\\n`, no other
    control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return "".join(c for c in value if c == "\t" or (c >= " " and c != "\x7f"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 sequence; continuation
    lines start with a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces: list[str] = []
    start, width = 0, 75
    while start < len(data):
        end = min(start + width, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, width = end, 74
    return "\r\n ".join(pieces)
