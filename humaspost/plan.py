"""Planning: which deliveries exist, when they are due, and in what state they are.

`plan` is a pure function of the posts, the config, the publish log's rows and `now`.
`schedule` shows its result; `publish` and the daemon send the deliveries it says are
due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from humaspost.config import Account, Config
from humaspost.posts import Post
from humaspost.publog import (
    ONCE,
    DeliveryKey,
    LogRow,
    RowState,
    occurrence_of,
    pending_since,
)
from humaspost.repeats import occurrences


class State(StrEnum):
    """What a delivery is doing, as `schedule` and `log` show it."""

    SCHEDULED = "scheduled"
    DUE = "due"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    UNKNOWN = "unknown"
    MISSED = "missed"
    DRAFT = "draft"
    BLOCKED = "blocked"
    RETRACTED = "retracted"


@dataclass(frozen=True)
class PlannedPost:
    """A loaded post and whether its file has errors (then nothing of it is sent)."""

    post: Post
    blocked: bool


@dataclass(frozen=True)
class Delivery:
    """One post (one occurrence, for repeats) to one account, with its state."""

    key: DeliveryKey
    post: Post
    account: Account
    due_at: datetime
    deadline: datetime
    state: State
    row: LogRow | None

    @property
    def ready_at(self) -> datetime:
        """When it may next be sent: its due time, or the end of a retry's wait."""
        if self.state is State.RETRYING and self.row and self.row.next_attempt_at:
            return self.row.next_attempt_at
        return self.due_at


def plan(
    posts: Iterable[PlannedPost],
    config: Config,
    rows: Mapping[DeliveryKey, LogRow],
    now: datetime,
    *,
    until: datetime,
    first_seen: Mapping[str, datetime],
) -> list[Delivery]:
    """Every delivery of the posts, ordered by time: one-off posts whatever their time;
    repeats from a day (or `max_delay`, if longer) before `now` up to `until`, plus
    older occurrences the log still has work for (put back by hand, retrying)."""
    open_work = _open_occurrences(rows)
    found: list[Delivery] = []
    for planned in posts:
        post = planned.post
        accounts = _accounts(post, config)
        times = _occurrences(post, config, now, until, first_seen)
        if post.repeat is not None:
            times = sorted({*times, *open_work.get(post.id, ())})
        for due_at in times:
            occurrence = occurrence_of(due_at if post.repeat else None)
            for account in accounts:
                key = DeliveryKey(post.id, occurrence, account.name)
                row = rows.get(key)
                pending = row is not None and row.state is RowState.PENDING
                effective_due = pending_since(row) if row and pending else due_at
                # Put back by hand: the deadline runs from then, not from the post's time.
                rearmed = row.rearmed_at if row and row.rearmed_at else None
                deadline = _deadline(post, max(due_at, rearmed or due_at), config.max_delay)
                state = _state(row, planned, due_at, deadline, now)
                found.append(Delivery(key, post, account, effective_due, deadline, state, row))
    found.sort(key=lambda d: (d.due_at, d.key.account, d.key.post_id))
    return found


def _open_occurrences(rows: Mapping[DeliveryKey, LogRow]) -> dict[str, set[datetime]]:
    """Occurrences of repeats whose rows still wait to be sent, by post."""
    found: dict[str, set[datetime]] = {}
    for key, row in rows.items():
        if key.occurrence != ONCE and row.state in (RowState.PENDING, RowState.RETRYING):
            found.setdefault(key.post_id, set()).add(datetime.fromisoformat(key.occurrence))
    return found


def _accounts(post: Post, config: Config) -> list[Account]:
    names = post.to if post.to is not None else config.default_to
    accounts: dict[str, Account] = {}
    for name in names:
        for account in config.expand(name) or ():
            accounts[account] = config.accounts[account]
    return list(accounts.values())


def _occurrences(
    post: Post,
    config: Config,
    now: datetime,
    until: datetime,
    first_seen: Mapping[str, datetime],
) -> list[datetime]:
    if post.repeat is None:
        return [post.publish_at] if post.publish_at is not None else []
    start = post.publish_at or first_seen.get(post.id, now)
    # Look back far enough to see occurrences still within their deadline (catch-up).
    lookback = now - max(config.max_delay, timedelta(days=1))
    times: list[datetime] = []
    for moment in occurrences(post.repeat, max(start, lookback), config.timezone, post.until):
        if moment > until:
            break
        times.append(moment)
    return times


def _deadline(post: Post, due_at: datetime, max_delay: timedelta) -> datetime:
    """The last moment a delivery may go out: `expires_at` overrides max_delay."""
    if post.expires_at is not None and post.repeat is None:
        return post.expires_at
    deadline = due_at + max_delay
    return min(deadline, post.expires_at) if post.expires_at is not None else deadline


def _state(
    row: LogRow | None, planned: PlannedPost, due_at: datetime, deadline: datetime, now: datetime
) -> State:
    if row is not None:
        settled = _row_state(row, due_at, deadline, now)
        if settled is not None:
            return settled
    if planned.post.draft:
        return State.DRAFT
    if planned.blocked:
        return State.BLOCKED
    if row is not None and row.state is RowState.PENDING:
        due_at = pending_since(row)
    if now < due_at:
        return State.SCHEDULED
    return State.DUE if now <= deadline else State.MISSED


def _row_state(row: LogRow, due_at: datetime, deadline: datetime, now: datetime) -> State | None:
    """The state a log row decides, or None where the post's own time decides."""
    match row.state:
        case RowState.SENT:
            return State.SENT
        case RowState.RETRACTED:
            return State.RETRACTED
        case RowState.UNKNOWN:
            return State.UNKNOWN
        case RowState.SENDING:
            if row.lease_until is not None and row.lease_until > now:
                return State.SENDING
            # The sender is gone: unknown if a part was in flight, else it resumes.
            return State.UNKNOWN if row.inflight_part is not None else None
        case RowState.RETRYING:
            return State.RETRYING if now <= deadline else State.MISSED
        case RowState.FAILED | RowState.MISSED:
            if row.due_at != due_at:
                return None  # rescheduled since: the new time decides
            return State.FAILED if row.state is RowState.FAILED else State.MISSED
        case RowState.PENDING:
            return None
