"""The delivery lifecycle: the one place that says what state a delivery can be in, which
events move it, and what users are shown.

Every other module derives from this one: the publish log's guarded writes (each write
names the event, and its SQL `WHERE state IN (...)` comes from `sources`), the plan's
states, `schedule`'s view of old log rows and the publisher's choice of what to act on.

Stored states are what the publish log keeps; shown states add what only the post files
and the clock can tell (scheduled, due, draft, blocked).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from humaspost.i18n import N_, _


class RowState(StrEnum):
    """A delivery's state as the publish log stores it."""

    PENDING = "pending"  # put back in the queue (by hand, or a thread interrupted between parts)
    SENDING = "sending"  # claimed by a publisher holding a lease
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"
    UNKNOWN = "unknown"  # a request was in flight when its sender stopped: ask a person
    MISSED = "missed"
    RETRACTED = "retracted"  # deleted from the platform by `retract`; never sent again


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
    # A re-share whose origin is not sent yet (never stored: the plan decides it).
    WAITING = "waiting"


class Event(StrEnum):
    """What can happen to a delivery."""

    CLAIMED = "claimed"  # a publisher takes it (new, pending, retry due, rescheduled)
    PART_STARTED = "part started"  # a thread part's request is about to be made
    PART_PUBLISHED = "part published"
    LEASE_RENEWED = "lease renewed"
    SENT = "sent"
    TRANSIENT_FAILURE = "transient error"
    PERMANENT_FAILURE = "permanent error"  # also: gave up after the last attempt
    UNCERTAIN = "uncertain"  # the platform may or may not have published it
    DEADLINE_PASSED = "missed"
    LEASE_EXPIRED_IN_FLIGHT = "interrupted in flight"
    LEASE_EXPIRED_BETWEEN_PARTS = "interrupted between parts"
    RESOLVED_SENT = "resolved as sent"
    RESOLVED_NOT_SENT = "resolved as not sent"
    RETRIED_BY_HAND = "retried by hand"
    RETRACTED = "retracted"


# Where a delivery without a log row starts.
NEW = None

# Every allowed (state, event) pair and the state it leads to; any other pair is refused.
TRANSITIONS: Mapping[tuple[RowState | None, Event], RowState] = {
    (NEW, Event.CLAIMED): RowState.SENDING,
    (RowState.PENDING, Event.CLAIMED): RowState.SENDING,
    (RowState.RETRYING, Event.CLAIMED): RowState.SENDING,
    # A failed or missed post given a new time is attempted at the new time.
    (RowState.FAILED, Event.CLAIMED): RowState.SENDING,
    (RowState.MISSED, Event.CLAIMED): RowState.SENDING,
    (RowState.SENDING, Event.PART_STARTED): RowState.SENDING,
    (RowState.SENDING, Event.PART_PUBLISHED): RowState.SENDING,
    (RowState.SENDING, Event.LEASE_RENEWED): RowState.SENDING,
    (RowState.SENDING, Event.SENT): RowState.SENT,
    # What happened on the platform is the truth: a send that really happened is
    # recorded even after its sender lost the claim, unless someone holds or settled it.
    (RowState.UNKNOWN, Event.SENT): RowState.SENT,
    (RowState.PENDING, Event.SENT): RowState.SENT,
    (RowState.RETRYING, Event.SENT): RowState.SENT,
    (RowState.MISSED, Event.SENT): RowState.SENT,
    (RowState.FAILED, Event.SENT): RowState.SENT,
    (RowState.SENDING, Event.TRANSIENT_FAILURE): RowState.RETRYING,
    (RowState.SENDING, Event.PERMANENT_FAILURE): RowState.FAILED,
    (RowState.SENDING, Event.UNCERTAIN): RowState.UNKNOWN,
    (RowState.SENDING, Event.DEADLINE_PASSED): RowState.MISSED,
    (NEW, Event.DEADLINE_PASSED): RowState.MISSED,
    (RowState.PENDING, Event.DEADLINE_PASSED): RowState.MISSED,
    (RowState.RETRYING, Event.DEADLINE_PASSED): RowState.MISSED,
    (RowState.FAILED, Event.DEADLINE_PASSED): RowState.MISSED,
    (RowState.SENDING, Event.LEASE_EXPIRED_IN_FLIGHT): RowState.UNKNOWN,
    (RowState.SENDING, Event.LEASE_EXPIRED_BETWEEN_PARTS): RowState.PENDING,
    (RowState.UNKNOWN, Event.RESOLVED_SENT): RowState.SENT,
    (RowState.UNKNOWN, Event.RESOLVED_NOT_SENT): RowState.PENDING,
    (RowState.FAILED, Event.RETRIED_BY_HAND): RowState.PENDING,
    (RowState.MISSED, Event.RETRIED_BY_HAND): RowState.PENDING,
    (RowState.SENT, Event.RETRACTED): RowState.RETRACTED,
}


class TransitionRefused(Exception):
    """An event that the delivery's state does not allow."""


def next_state(state: RowState | None, event: Event) -> RowState:
    """The state `event` moves a delivery in `state` (None: no log row yet) to."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        where = "a delivery not in the log" if state is None else f"a {state} delivery"
        raise TransitionRefused(f"'{event}' is not allowed for {where}") from None


def allowed(state: RowState | None, event: Event) -> bool:
    """Whether `event` may happen to a delivery in `state`."""
    return (state, event) in TRANSITIONS


def sources(event: Event) -> tuple[RowState, ...]:
    """The stored states from which `event` is allowed (for SQL guards)."""
    return tuple(s for s in RowState if (s, event) in TRANSITIONS)


def sql_states(event: Event) -> str:
    """`sources(event)` as an SQL list literal, e.g. `('pending', 'retrying')`."""
    return "(" + ", ".join(f"'{s.value}'" for s in sources(event)) + ")"


class StoredRow(Protocol):
    """What the lifecycle needs to know of a log row (`publog.LogRow` is one)."""

    @property
    def state(self) -> RowState: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def next_attempt_at(self) -> datetime | None: ...
    @property
    def lease_until(self) -> datetime | None: ...
    @property
    def inflight_part(self) -> int | None: ...


def pending_since(row: StoredRow) -> datetime:
    """When a pending row became ready: put back by hand (`retry`, `resolve --not-sent`)
    at `next_attempt_at`, else (a thread interrupted between parts) at its due time."""
    return row.next_attempt_at or row.due_at


def lease_live(row: StoredRow, now: datetime) -> bool:
    """Whether a `sending` row's holder still has its lease."""
    return row.lease_until is not None and row.lease_until > now


def claimable(row: StoredRow | None, due_at: datetime, now: datetime) -> bool:
    """Whether a publisher may claim the delivery now (its post's time being `due_at`).

    Sent, unknown, retracted and `sending` rows never are: a `sending` row is taken back
    only by `expire` once its lease has run out."""
    if row is None:
        return due_at <= now
    match row.state:
        case RowState.PENDING:
            return pending_since(row) <= now
        case RowState.RETRYING:
            return row.next_attempt_at is None or row.next_attempt_at <= now
        case RowState.FAILED | RowState.MISSED:
            # The post's time was changed after the failure or miss: a new attempt at it.
            return row.due_at != due_at and due_at <= now
        case _:
            return False


def expiry_event(row: StoredRow) -> Event:
    """What a `sending` row whose holder is gone becomes: unknown if a part's request
    was in flight (it may have been published), else back in the queue to resume."""
    if row.inflight_part is not None:
        return Event.LEASE_EXPIRED_IN_FLIGHT
    return Event.LEASE_EXPIRED_BETWEEN_PARTS


def shown_state(
    row: StoredRow | None,
    *,
    due_at: datetime,
    deadline: datetime,
    now: datetime,
    draft: bool = False,
    blocked: bool = False,
) -> State:
    """The state users see of a planned delivery: its log row where that decides, else
    the post (draft, held back by errors) and the clock."""
    if row is not None:
        decided = _row_decides(row, due_at, deadline, now)
        if decided is not None:
            return decided
    if draft:
        return State.DRAFT
    ready = pending_since(row) if row is not None and row.state is RowState.PENDING else due_at
    if now < ready:
        return State.BLOCKED if blocked else State.SCHEDULED
    if now > deadline:
        return State.MISSED  # held back or not, its time has gone
    return State.BLOCKED if blocked else State.DUE


def _row_decides(
    row: StoredRow, due_at: datetime, deadline: datetime, now: datetime
) -> State | None:
    match row.state:
        case RowState.SENT:
            return State.SENT
        case RowState.RETRACTED:
            return State.RETRACTED
        case RowState.UNKNOWN:
            return State.UNKNOWN
        case RowState.SENDING:
            if lease_live(row, now):
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


def shown_state_of_row(row: StoredRow, now: datetime) -> State:
    """The state users see of a log row no post file plans any more (an old repeat
    occurrence, a deleted post): the row alone decides."""
    match row.state:
        case RowState.SENDING:
            if lease_live(row, now):
                return State.SENDING
            return State.UNKNOWN if row.inflight_part is not None else State.DUE
        case RowState.PENDING:
            return State.DUE if pending_since(row) <= now else State.SCHEDULED
        case _:
            return State(row.state.value)


def needs_action(state: State, row: StoredRow | None, ready_at: datetime, now: datetime) -> bool:
    """Whether a publisher acts on a planned delivery now: send it (due, a retry whose
    wait is over), or record it as missed (past its deadline with no settled row)."""
    if state is State.DUE:
        return True
    if state is State.RETRYING:
        return ready_at <= now
    if state is State.MISSED:
        return row is None or allowed(row.state, Event.DEADLINE_PASSED)
    return False


# Shown states that make `schedule` and `publish` exit 1: a person has to act.
FAILING = frozenset({State.UNKNOWN, State.FAILED})


# What a person reads for each state; JSON and CSV keep the English value.
_STATE_LABELS = {
    State.SCHEDULED: N_("scheduled"),
    State.DUE: N_("due"),
    State.SENDING: N_("sending"),
    State.SENT: N_("sent"),
    State.RETRYING: N_("retrying"),
    State.FAILED: N_("failed"),
    State.UNKNOWN: N_("unknown"),
    State.MISSED: N_("missed"),
    State.DRAFT: N_("draft"),
    State.BLOCKED: N_("blocked"),
    State.RETRACTED: N_("retracted"),
    State.WAITING: N_("waiting"),
}


def state_label(state: State) -> str:
    """A state's name as text output shows it, in the language in use."""
    return _(_STATE_LABELS[state])
