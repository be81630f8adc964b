"""What `schedule` shows: every delivery of a window, from the plan and from the log rows
the plan no longer covers, with the warnings and the daemon's heartbeat.

The window runs from the start of today (local time) to `days` ahead, plus anything
older that needs attention (unknown, failed, retrying, due, sending). `show_all` drops
the lower bound: long past deliveries too, and every log row the plan no longer covers
(past occurrences of repeats, deleted posts). A delivery in state unknown that the plan
does not cover (an old repeat occurrence, a post since removed) is shown too: it still
needs `humaspost resolve`.

Every view bounds what it expands: a repeating post shows at most `SHOWN_PER_REPEAT`
occurrences from now (or from its `publish_at`, if later), besides those of today
before now; how many more fall in the window is counted (up to `COUNT_CEILING`) and
reported as a `NotShown`, so that `--days 3660` of an hourly repeat stays quick and
small. (Counting from now, not from the start of today: a repeat without `publish_at`
starts when it was first seen, which may be this afternoon.)

The publish log is only read: it is opened only if it exists (planning records when a
repeat without `publish_at` was first seen, as `publish` does).
"""

from __future__ import annotations

import contextlib
import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from humaspost.config import Config
from humaspost.heartbeat import DaemonStatus, daemon_status, judged
from humaspost.i18n import _
from humaspost.lifecycle import FAILING as FAILING  # re-exported for the view
from humaspost.lifecycle import shown_state_of_row
from humaspost.log_location import log_path
from humaspost.plan import Delivery, PlannedPost, State
from humaspost.posts import Post
from humaspost.problems import Problem
from humaspost.publog import (
    DeliveryKey,
    Kind,
    LogLocation,
    LogRow,
    PublishLog,
    RowState,
    log_exists,
    split_occurrence,
)
from humaspost.repeats import occurrences
from humaspost.schedule_warnings import ScheduleWarning, schedule_warnings
from humaspost.store_postgres import DatabaseUrl
from humaspost.times import local_midnight
from humaspost.workflow import LoadedPosts, committed_only, load_posts, plan_from_log
from humaspost.x_cost_plan import x_requests
from humaspost.x_costs import (
    CostWarning,
    Estimate,
    budget_warnings,
    cost_json,
    estimate,
    limit_warnings,
)

MAX_DAYS = 3660
SHOWN_PER_REPEAT = 500
# Counting what is not shown costs about 10 µs an occurrence: past this many, the count
# says "more than".
COUNT_CEILING = 10_000

# Older than today, still shown: someone or something has to act on these.
ATTENTION = frozenset({State.UNKNOWN, State.FAILED, State.RETRYING, State.DUE, State.SENDING})


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
    kind: Kind = Kind.POST

    @property
    def origin_key(self) -> DeliveryKey | None:
        """For a re-share of a delivery (`amplify`), that delivery's key."""
        base, origin = split_occurrence(self.key.occurrence)
        return None if origin is None else DeliveryKey(self.key.post_id, base, origin)

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
            kind=delivery.kind,
        )

    @classmethod
    def of_row(cls, row: LogRow, post: Post | None, now: datetime) -> Entry:
        """A log row the plan does not cover: its stored state decides."""
        ready = row.next_attempt_at if row.state is RowState.RETRYING else None
        return cls(
            row.key,
            row.due_at,
            shown_state_of_row(row, now),
            row.platform,
            post,
            row,
            planned=False,
            ready_at=ready or row.due_at,
            kind=row.kind,
        )

    @property
    def error(self) -> str | None:
        """The log row's error; for a sender that died mid-request, what that means."""
        if self.row is None:
            return None
        if self.row.error:
            return self.row.error
        if self.state is State.UNKNOWN:
            return _("the publishing process stopped while sending; it may have been published")
        return None

    @property
    def repeat(self) -> str | None:
        """The post's cron expression, if it repeats."""
        return self.post.repeat if self.post is not None else None

    @property
    def failing(self) -> bool:
        """Whether the entry fails the command, the same with or without `--all`: a
        planned delivery that is unknown or failed, or an unknown log row the plan does
        not cover."""
        if self.planned:
            return self.state in FAILING
        return self.row is not None and self.row.state is RowState.UNKNOWN

    def settle_hint(self, row: LogRow, *, sandbox: bool) -> str:
        """The command a person runs for an unknown or failed delivery (its `row`)."""
        flag = " --sandbox" if sandbox else ""
        if self.state is State.FAILED:
            hint = _("fix the cause, then run 'humaspost retry {row_id}{flag}'")
        elif row.state is not RowState.UNKNOWN:
            hint = _(
                "the next 'humaspost publish{flag}' records it as unknown; then look on "
                "{platform} and settle it with 'humaspost resolve {row_id}{flag}'"
            )
        else:
            hint = _(
                "look on {platform} whether it went out, then run 'humaspost resolve "
                "{row_id} --sent URL{flag}' or 'humaspost resolve {row_id} --not-sent{flag}'"
            )
        return hint.format(row_id=row.id, flag=flag, platform=self.platform)

    def _origin(self) -> str | None:
        if self.kind is not Kind.REPOST:
            return None
        origin = self.origin_key
        if origin is not None:
            return origin.account
        return self.post.repost if self.post is not None else None

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        """The entry as one of `deliveries` in `ScheduleView.as_json`."""
        row = self.row
        return {
            "id": row.id if row is not None else None,
            "post": self.key.post_id,
            "file": self.post.shown if self.post is not None else None,
            "account": self.key.account,
            "platform": self.platform,
            "occurrence": self.key.occurrence,
            "kind": str(self.kind),
            # What a re-share re-shares: the account whose delivery (`amplify`), or the
            # address (`repost:`); null for a post.
            "origin": self._origin(),
            "due_at": self.due_at.astimezone(UTC).isoformat(),
            "local_time": self.due_at.astimezone(tz).isoformat(),
            "state": str(self.state),
            "url": row.url if row is not None else None,
            "error": self.error,
            "repeat": self.repeat,
        }


@dataclass(frozen=True)
class NotShown:
    """Occurrences of a repeating post within the window beyond those shown."""

    post_id: str
    after: datetime  # the last occurrence shown (UTC)
    count: int
    at_least: bool  # the count stopped at COUNT_CEILING


def plan_bounded(
    loaded: LoadedPosts,
    config: Config,
    log: PublishLog | None,
    now: datetime,
    until: datetime,
    *,
    start: datetime,
    per_repeat: int,
    count_ceiling: int = 0,
) -> tuple[list[Delivery], list[NotShown]]:
    """Plan as `plan_from_log` does, but each repeating post only up to its
    `per_repeat`-th occurrence from `start` (or its publish_at, if later): the posts are
    planned in groups, each up to its own end. Returns the deliveries in plan order and,
    for each post cut short, how many of its occurrences up to `until` were left out
    (counted up to `count_ceiling`)."""
    ends: dict[datetime, list[PlannedPost]] = defaultdict(list)
    left_out: list[NotShown] = []
    for planned in loaded.planned:
        cut = _cut(planned.post, config, start, until, per_repeat, count_ceiling)
        if cut is None:
            ends[until].append(planned)
        else:
            ends[cut.after].append(planned)
            left_out.append(cut)
    if not left_out:  # nothing cut short: exactly one plan, as everywhere else
        return plan_from_log(loaded, config, log, now, until), left_out
    deliveries = [
        delivery
        for end, group in ends.items()
        for delivery in plan_from_log(LoadedPosts(group, loaded.problems), config, log, now, end)
    ]
    deliveries.sort(key=lambda d: (d.due_at, d.key.account, d.key.post_id))
    return deliveries, left_out


def _cut(
    post: Post, config: Config, start: datetime, until: datetime, per_repeat: int, ceiling: int
) -> NotShown | None:
    """Where a repeating post is cut short, or None if it has at most `per_repeat`
    occurrences from `start` to `until`."""
    if post.repeat is None:
        return None
    begin = max(start, post.publish_at) if post.publish_at is not None else start
    end = min(until, post.until) if post.until is not None else until
    times = occurrences(post.repeat, begin, config.timezone, end)
    shown = list(itertools.islice(times, per_repeat))
    if len(shown) < per_repeat:
        return None
    more = sum(1 for _ in itertools.islice(times, ceiling))
    if not more and next(times, None) is None:
        return None
    at_least = more == ceiling and next(times, None) is not None
    return NotShown(post.id, shown[-1], more, at_least)


@dataclass(frozen=True)
class ScheduleView:
    """Everything `schedule` shows."""

    now: datetime
    until: datetime
    shown: list[Entry]
    not_shown: list[NotShown]
    warnings: list[ScheduleWarning]
    errors: list[Problem]
    daemon: DaemonStatus
    failing: bool
    # With `publish_from: committed`: post files whose due deliveries publish would hold
    # back, because they are not as the checked-out commit has them.
    not_committed: list[str] = field(default_factory=list)
    # With a shared (PostgreSQL) log: every server's daemon, from the log.
    daemons: list[DaemonStatus] = field(default_factory=list)
    # The estimated X API cost of what is shown, and X's limits or the budget passed.
    x_cost: Estimate | None = None
    x_warnings: list[CostWarning] = field(default_factory=list)

    def as_json(self, tz: ZoneInfo) -> dict[str, Any]:
        """The view for `schedule --format json`::

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
         "not_shown": [{"post": "rutin/tiap-jam",     # repeats cut at 500 occurrences
                        "after": "...",               # UTC: the last occurrence shown
                        "occurrences": 9500,          # how many more are in the window
                        "at_least": false}],          # true: counting stopped at 10000
         "problems": 0,                               # post file errors (blocking)
         "not_committed": [],                         # files held back until committed
         "daemon": {...},                             # DaemonStatus.as_json: this
                                                      # state folder's daemon
         "daemons": [{...}]}                          # with a shared PostgreSQL log,
                                                      # every server's (else [])
        """
        return {
            "now": self.now.astimezone(UTC).isoformat(),
            "timezone": tz.key,
            "deliveries": [entry.as_json(tz) for entry in self.shown],
            "warnings": [
                {
                    "code": w.code,
                    "message": w.message,
                    "account": w.account,
                    "day": w.day.isoformat(),
                }
                for w in self.warnings
            ],
            "not_shown": [
                {
                    "post": cut.post_id,
                    "after": cut.after.astimezone(UTC).isoformat(),
                    "occurrences": cut.count,
                    "at_least": cut.at_least,
                }
                for cut in self.not_shown
            ],
            "problems": len(self.errors),
            "not_committed": self.not_committed,
            "daemon": self.daemon.as_json(),
            "daemons": [status.as_json() for status in self.daemons],
            **(
                cost_json(self.x_cost, self.now.astimezone(tz).date(), self.x_warnings)
                if self.x_cost is not None
                else {"x_cost": None}
            ),
        }


def schedule_view(
    cfg: Config,
    cwd: Path,
    now: datetime,
    *,
    days: int,
    sandbox: bool,
    show_all: bool,
    environ: Mapping[str, str],
) -> ScheduleView:
    """Validate the posts, plan them against the publish log and judge the daemon's
    heartbeat: the deliveries from the start of today to `days` ahead (with `show_all`,
    long past ones too), warnings, and whether anything fails the command (a post file
    with errors, an unknown or failed delivery, whatever the window)."""
    until = now + timedelta(days=days)
    loaded = load_posts(cfg, cwd, now)
    today = local_midnight(now, cfg.timezone)
    entries, not_shown = _entries(cfg, loaded, now, until, sandbox, show_all, environ)
    if committed_only(cfg, sandbox=sandbox):
        # What publish would hold back is shown held back (blocked) now, not only then.
        entries = [_held_until_committed(entry) for entry in entries]
    not_committed = sorted(
        {e.post.shown for e in entries if e.post is not None and e.state is State.BLOCKED}
        - {p.file for p in loaded.errors}
    )
    shown = [
        e
        for e in entries
        if e.due_at <= until and (show_all or e.due_at >= today or e.state in ATTENTION)
    ]
    day = today.astimezone(cfg.timezone).date()
    warnings = schedule_warnings(((e.key.account, e.due_at, e.state) for e in shown), cfg, day)
    # The month's estimate counts what went out earlier this month too.
    month_start = local_midnight(today.astimezone(cfg.timezone).replace(day=1), cfg.timezone)
    requests = x_requests((e for e in entries if month_start <= e.due_at <= until), cfg)
    x_cost = estimate(requests, cfg.timezone, cfg.x_prices, cfg.x_monthly_budget)
    daily = {name: account.daily_limit for name, account in cfg.accounts.items()}
    x_warnings = [
        *limit_warnings(requests, cfg.timezone, daily, warn_from=day),
        *budget_warnings(x_cost),
    ]
    return ScheduleView(
        now=now,
        until=until,
        shown=shown,
        not_shown=not_shown,
        warnings=warnings,
        errors=loaded.errors,
        daemon=daemon_status(cfg.state_dir, now),
        failing=bool(loaded.errors or not_committed) or any(e.failing for e in entries),
        not_committed=not_committed,
        daemons=shared_daemons(log_path(cfg, sandbox=sandbox, environ=environ), now),
        x_cost=x_cost if x_cost.months else None,
        x_warnings=x_warnings,
    )


def shared_daemons(location: LogLocation, now: datetime) -> list[DaemonStatus]:
    """Every daemon that publishes from a shared log, judged at `now` (none for a
    SQLite log: its one daemon is this state folder's)."""
    if not isinstance(location, DatabaseUrl) or not log_exists(location):
        return []
    with PublishLog(location, read_only=True) as log:
        return [judged(beat, owner, now) for owner, beat in log.daemons(now)]


def _held_until_committed(entry: Entry) -> Entry:
    """A planned delivery still to be sent whose post file is not as the checked-out
    commit has it: `publish` will hold it back (see `runs.split_not_committed`)."""
    source = entry.post.source if entry.post is not None else None
    waiting = entry.planned and entry.state in (State.DUE, State.SCHEDULED)
    if waiting and not (source is not None and source.committed):
        return replace(entry, state=State.BLOCKED)
    return entry


def _entries(
    cfg: Config,
    loaded: LoadedPosts,
    now: datetime,
    until: datetime,
    sandbox: bool,
    show_all: bool,
    environ: Mapping[str, str],
) -> tuple[list[Entry], list[NotShown]]:
    """The plan, and the log rows it does not cover that still matter (unknown ones; with
    `show_all`, every one). The log is opened only if it exists."""
    path = log_path(cfg, sandbox=sandbox, environ=environ)
    extra: list[LogRow] = []
    with PublishLog(path) if log_exists(path) else contextlib.nullcontext() as publog:
        deliveries, not_shown = plan_bounded(
            loaded,
            cfg,
            publog,
            now,
            until,
            start=now,
            per_repeat=SHOWN_PER_REPEAT,
            count_ceiling=COUNT_CEILING,
        )
        if publog is not None:
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
    return entries, not_shown
