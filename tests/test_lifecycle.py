"""The delivery lifecycle: every stored state by every event, allowed or refused, in the
table and in the publish log's guarded writes (a real SQLite log)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from humaspost.lifecycle import (
    NEW,
    TRANSITIONS,
    Event,
    RowState,
    State,
    TransitionRefused,
    allowed,
    next_state,
    shown_state,
    sources,
)
from humaspost.platforms.base import PartReceipt
from humaspost.publog import ONCE, ClaimLost, DeliveryKey, PublishLog

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
HOLDER = "host/1"
KEY = DeliveryKey("2026/12/banjir", ONCE, "pemkot-x")
# When the event is applied: within the holder's lease, after every wait is over.
LATER = T0 + timedelta(minutes=1)
# A failed or missed post given a new time (a claim needs one).
NEW_DUE = T0 + timedelta(seconds=30)


def test_every_pair_is_either_allowed_or_refused() -> None:
    for state in (NEW, *RowState):
        for event in Event:
            if (state, event) in TRANSITIONS:
                assert allowed(state, event)
                assert next_state(state, event) is TRANSITIONS[(state, event)]
            else:
                assert not allowed(state, event)
                with pytest.raises(TransitionRefused):
                    next_state(state, event)


def test_nothing_leaves_retracted_and_sent_only_for_retract() -> None:
    assert [e for e in Event if allowed(RowState.RETRACTED, e)] == []
    assert [e for e in Event if allowed(RowState.SENT, e)] == [Event.RETRACTED]
    # Unknown is settled only by a person, or by the platform's own answer arriving late.
    assert {e for e in Event if allowed(RowState.UNKNOWN, e)} == {
        Event.RESOLVED_SENT,
        Event.RESOLVED_NOT_SENT,
        Event.SENT,
    }
    assert {e for e in Event if allowed(NEW, e)} == {Event.CLAIMED, Event.DEADLINE_PASSED}


def _row_in(log: PublishLog, state: RowState) -> int:
    """A delivery brought into `state` the way publishers and people do it."""
    if state is RowState.MISSED:
        assert log.mark_missed(KEY, platform="twitter", due_at=T0, now=T0, reason="late")
        (row,) = log.search()
        return row.id
    taken = log.claim(KEY, platform="twitter", due_at=T0, owner=HOLDER, now=T0, lease=LEASE)
    assert taken is not None
    ends = {
        RowState.SENT: Event.SENT,
        RowState.RETRACTED: Event.SENT,
        RowState.RETRYING: Event.TRANSIENT_FAILURE,
        RowState.FAILED: Event.PERMANENT_FAILURE,
        RowState.PENDING: Event.PERMANENT_FAILURE,
        RowState.UNKNOWN: Event.UNCERTAIN,
    }
    if state in ends:
        retry_at = T0 + timedelta(seconds=10) if state is RowState.RETRYING else None
        log.finish(taken.row_id, ends[state], owner=HOLDER, now=T0, next_attempt_at=retry_at)
    if state is RowState.RETRACTED:
        log.retracted(taken.row_id, T0)
    if state is RowState.PENDING:
        log.requeue(taken.row_id, T0)
    return taken.row_id


def _apply(log: PublishLog, row_id: int, state: RowState, event: Event) -> None:
    """Apply `event` through the log method that records it, as its usual caller would."""
    finish: Callable[[Event], object] = lambda e: log.finish(  # noqa: E731
        row_id, e, owner=HOLDER, now=LATER, url="https://x.com/i/1"
    )
    match event:
        case Event.CLAIMED:
            log.claim(KEY, platform="twitter", due_at=NEW_DUE, owner="host/2", now=LATER,
                      lease=LEASE)  # fmt: skip
        case Event.PART_STARTED:
            log.part_starting(row_id, 0, HOLDER, LATER, LEASE)
        case Event.PART_PUBLISHED:
            log.part_published(row_id, 0, PartReceipt("1", "https://x.com/i/1"), LATER, HOLDER)
        case Event.LEASE_RENEWED:
            log.renew([row_id], HOLDER, LATER, LEASE)
        case Event.DEADLINE_PASSED if state is not RowState.SENDING:
            log.mark_missed(KEY, platform="twitter", due_at=T0, now=LATER, reason="late")
        case (Event.SENT | Event.TRANSIENT_FAILURE | Event.PERMANENT_FAILURE | Event.UNCERTAIN
              | Event.DEADLINE_PASSED):  # fmt: skip
            finish(event)
        case Event.LEASE_EXPIRED_IN_FLIGHT | Event.LEASE_EXPIRED_BETWEEN_PARTS:
            if state is RowState.SENDING and event is Event.LEASE_EXPIRED_IN_FLIGHT:
                log.part_starting(row_id, 0, HOLDER, T0, LEASE)
            log.release_stale(T0 + LEASE + timedelta(seconds=1), lambda owner: False)
        case Event.RESOLVED_SENT:
            log.resolve(row_id, sent_url="https://x.com/i/1", now=LATER)
        case Event.RESOLVED_NOT_SENT:
            log.resolve(row_id, sent_url=None, now=LATER)
        case Event.RETRIED_BY_HAND:
            log.requeue(row_id, LATER)
        case Event.RETRACTED:
            log.retracted(row_id, LATER)


@pytest.mark.parametrize("event", list(Event))
@pytest.mark.parametrize("state", list(RowState))
def test_the_logs_writes_follow_the_table(tmp_path: Path, state: RowState, event: Event) -> None:
    with PublishLog(tmp_path / "publog.sqlite") as log:
        row_id = _row_in(log, state)
        before = log.row(row_id)
        assert before is not None and before.state is state
        try:
            _apply(log, row_id, state, event)
        except (TransitionRefused, ClaimLost):
            assert not allowed(state, event)
        after = log.row(row_id)
        assert after is not None
        assert after.state is TRANSITIONS.get((state, event), state)
        if not allowed(state, event):  # a refused write changes nothing of the delivery
            assert after == before


def test_sql_guards_are_generated_from_the_table() -> None:
    assert sources(Event.CLAIMED) == (
        RowState.PENDING,
        RowState.RETRYING,
        RowState.FAILED,
        RowState.MISSED,
    )
    assert sources(Event.RESOLVED_SENT) == (RowState.UNKNOWN,)


def test_a_held_back_post_whose_time_has_passed_is_missed() -> None:
    deadline = T0 + timedelta(hours=2)

    def at(now: datetime) -> State:
        return shown_state(None, due_at=T0, deadline=deadline, now=now, blocked=True)

    assert at(T0 - timedelta(hours=1)) is State.BLOCKED
    assert at(T0) is State.BLOCKED
    assert at(deadline + timedelta(seconds=1)) is State.MISSED
