"""Planning: deliveries from real post files, against a real publish log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from humaspost.plan import Delivery, State
from humaspost.publog import ONCE, DeliveryKey, PublishLog, RowState
from humaspost.workflow import load_posts, plan_from_log, sendable
from tests.conftest import ENDS, Repo

# 2026-12-01 08:00 WIB
DUE = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


@pytest.fixture
def log(tmp_path: Path) -> Iterator[PublishLog]:
    with PublishLog(tmp_path / "publog.sqlite") as publog:
        yield publog


def planned(
    repo: Repo, log: PublishLog, now: datetime, until: datetime | None = None
) -> list[Delivery]:
    config = repo.config()
    loaded = load_posts(config, repo.root, now)
    return plan_from_log(loaded, config, log, now, until or now + timedelta(days=14))


def states(deliveries: list[Delivery]) -> dict[tuple[str, str], State]:
    return {(d.key.post_id, d.key.account): d.state for d in deliveries}


def one(deliveries: list[Delivery]) -> Delivery:
    (delivery,) = deliveries
    return delivery


def settle(log: PublishLog, key: DeliveryKey, state: RowState, *, due_at: datetime = DUE,
           next_attempt_at: datetime | None = None, inflight: int | None = None) -> int:  # fmt: skip
    taken = log.claim(key, platform="twitter", due_at=due_at, owner="h/1", now=due_at, lease=LEASE)
    assert taken is not None
    if inflight is not None:
        log.part_starting(taken.row_id, inflight, "h/1", due_at, LEASE)
    if state is not RowState.SENDING:
        log.finish(taken.row_id, ENDS[state], owner="h/1", now=due_at, outcome=str(state),
                   error=None if state is RowState.SENT else "boom",
                   url="https://x.com/i/1" if state is RowState.SENT else None,
                   next_attempt_at=next_attempt_at)  # fmt: skip
    return taken.row_id


def post(repo: Repo, name: str, front: str, text: str = "") -> None:
    repo.post(f"{name}.yaml", f"{front}text: {text or 'Halo warga ' + name}\n")


def test_states_before_and_after_the_time(repo: Repo, log: PublishLog) -> None:
    post(repo, "a", "publish_at: 2026-12-01 08:00\nto: pemkot-x\n")
    before = one(planned(repo, log, DUE - timedelta(minutes=1)))
    assert before.state is State.SCHEDULED
    assert before.key == DeliveryKey("a", ONCE, "pemkot-x")
    assert before.due_at == DUE and before.deadline == DUE + timedelta(hours=2)
    assert one(planned(repo, log, DUE)).state is State.DUE
    assert one(planned(repo, log, DUE + timedelta(hours=2))).state is State.DUE
    assert one(planned(repo, log, DUE + timedelta(hours=2, seconds=1))).state is State.MISSED


def test_states_from_the_log(repo: Repo, log: PublishLog) -> None:
    names = ["sent", "retrying", "failed", "unknown", "missed", "sending", "gone"]
    for name in names:
        post(repo, name, "publish_at: 2026-12-01 08:00\nto: pemkot-x\n")
    settle(log, DeliveryKey("sent", ONCE, "pemkot-x"), RowState.SENT)
    settle(log, DeliveryKey("retrying", ONCE, "pemkot-x"), RowState.RETRYING,
           next_attempt_at=DUE + timedelta(minutes=10))  # fmt: skip
    settle(log, DeliveryKey("failed", ONCE, "pemkot-x"), RowState.FAILED)
    settle(log, DeliveryKey("unknown", ONCE, "pemkot-x"), RowState.UNKNOWN, inflight=0)
    settle(log, DeliveryKey("missed", ONCE, "pemkot-x"), RowState.MISSED)
    settle(log, DeliveryKey("sending", ONCE, "pemkot-x"), RowState.SENDING)
    # Left `sending` with a part in flight by a sender whose lease ran out.
    settle(log, DeliveryKey("gone", ONCE, "pemkot-x"), RowState.SENDING,
           due_at=DUE - timedelta(minutes=30), inflight=0)  # fmt: skip
    now = DUE + timedelta(minutes=1)
    found = states(planned(repo, log, now))
    assert found == {
        ("sent", "pemkot-x"): State.SENT,
        ("retrying", "pemkot-x"): State.RETRYING,
        ("failed", "pemkot-x"): State.FAILED,
        ("unknown", "pemkot-x"): State.UNKNOWN,
        ("missed", "pemkot-x"): State.MISSED,
        ("sending", "pemkot-x"): State.SENDING,
        ("gone", "pemkot-x"): State.UNKNOWN,
    }
    # Nothing here is for a publisher yet: the retry's wait is not over.
    assert sendable(planned(repo, log, now), now) == []
    later = DUE + timedelta(minutes=10)
    # Now the retry is ready, and the sender of "sending" has been gone past its lease
    # with nothing in flight: it is due again (to resume after the publisher's sweep).
    ready = {d.key.post_id: d.state for d in sendable(planned(repo, log, later), later)}
    assert ready == {"retrying": State.RETRYING, "sending": State.DUE}


def test_a_retry_past_the_deadline_is_missed(repo: Repo, log: PublishLog) -> None:
    post(repo, "a", "publish_at: 2026-12-01 08:00\nto: pemkot-x\n")
    settle(log, DeliveryKey("a", ONCE, "pemkot-x"), RowState.RETRYING,
           next_attempt_at=DUE + timedelta(hours=3))  # fmt: skip
    now = DUE + timedelta(hours=2, minutes=1)
    delivery = one(planned(repo, log, now))
    assert delivery.state is State.MISSED
    assert sendable([delivery], now) == [delivery]  # so that a publisher records the miss


def test_draft_and_blocked(repo: Repo, log: PublishLog) -> None:
    post(repo, "draft", "publish_at: 2026-12-01 08:00\nto: pemkot-x\ndraft: true\n")
    post(repo, "blocked", "publish_at: 2026-12-01 08:00\nto: [pemkot-x, pemkot-ig]\n")
    post(repo, "fine", "publish_at: 2026-12-01 08:00\nto: pemkot-x\n")
    found = planned(repo, log, DUE)
    assert states(found) == {
        ("draft", "pemkot-x"): State.DRAFT,
        ("blocked", "pemkot-x"): State.BLOCKED,
        ("fine", "pemkot-x"): State.DUE,
    }
    assert [d.key.post_id for d in sendable(found, DUE)] == ["fine"]


def test_groups_and_defaults_give_one_delivery_per_account(repo: Repo, log: PublishLog) -> None:
    post(repo, "group", "publish_at: 2026-12-01 08:00\nto: [semua-kecamatan, kec-timur]\n")
    post(repo, "default", "publish_at: 2026-12-01 09:00\n")
    found = planned(repo, log, DUE)
    assert [(d.key.post_id, d.key.account) for d in found] == [
        ("group", "kec-barat"),
        ("group", "kec-timur"),
        ("default", "pemkot-fb"),
        ("default", "pemkot-x"),
    ]


def test_repeats_are_one_delivery_per_occurrence(repo: Repo, log: PublishLog) -> None:
    post(
        repo,
        "rutin",
        "publish_at: 2026-12-01 08:00\nrepeat: '0 8 * * 1-5'\nuntil: 2026-12-08 23:00\n"
        "to: pemkot-x\n",
    )
    now = DUE - timedelta(hours=1)
    found = planned(repo, log, now, until=now + timedelta(days=30))
    # Tue 1 Dec .. Tue 8 Dec, weekdays only: 1, 2, 3, 4, 7, 8.
    assert [d.key.occurrence for d in found] == [
        f"2026-12-{day:02d}T01:00:00Z" for day in (1, 2, 3, 4, 7, 8)
    ]
    assert all(d.state is State.SCHEDULED for d in found)
    # The first one sent; the others are untouched by it.
    settle(log, found[0].key, RowState.SENT)
    again = planned(repo, log, DUE + timedelta(minutes=5), until=now + timedelta(days=30))
    assert [d.state for d in again[:2]] == [State.SENT, State.SCHEDULED]


def test_editing_the_time_of_a_sent_post_sends_nothing_new(repo: Repo, log: PublishLog) -> None:
    post(repo, "a", "publish_at: 2026-12-01 08:00\nto: pemkot-x\n")
    settle(log, one(planned(repo, log, DUE)).key, RowState.SENT)
    post(repo, "a", "publish_at: 2026-12-02 08:00\nto: pemkot-x\n", text="Halo warga, diedit")
    delivery = one(planned(repo, log, DUE + timedelta(days=1, minutes=1)))
    assert delivery.key == DeliveryKey("a", ONCE, "pemkot-x")
    assert delivery.state is State.SENT
    assert sendable([delivery], DUE + timedelta(days=1, minutes=1)) == []


def test_rescheduling_a_missed_post_schedules_it_again(repo: Repo, log: PublishLog) -> None:
    post(repo, "a", "publish_at: 2026-12-01 08:00\nto: pemkot-x\n")
    late = DUE + timedelta(hours=5)
    delivery = one(planned(repo, log, late))
    assert delivery.state is State.MISSED
    log.mark_missed(delivery.key, platform="twitter", due_at=delivery.due_at, now=late,
                    reason="past max_delay after its time")  # fmt: skip
    assert one(planned(repo, log, late)).state is State.MISSED
    post(repo, "a", "publish_at: 2026-12-01 18:00\nto: pemkot-x\n")
    assert one(planned(repo, log, late)).state is State.SCHEDULED
    new_time = DUE + timedelta(hours=10)
    delivery = one(planned(repo, log, new_time))
    assert delivery.state is State.DUE
    taken = log.claim(delivery.key, platform="twitter", due_at=delivery.due_at, owner="h/2",
                      now=new_time, lease=LEASE)  # fmt: skip
    assert taken is not None and taken.attempt == 1


def test_expires_at_overrides_max_delay(repo: Repo, log: PublishLog) -> None:
    post(
        repo, "longer", "publish_at: 2026-12-01 08:00\nexpires_at: 2026-12-01 20:00\nto: pemkot-x\n"
    )
    post(
        repo,
        "shorter",
        "publish_at: 2026-12-01 08:00\nexpires_at: 2026-12-01 08:30\nto: pemkot-x\n",
    )
    by_post = {d.key.post_id: d for d in planned(repo, log, DUE)}
    assert by_post["longer"].deadline == DUE + timedelta(hours=12)
    assert by_post["shorter"].deadline == DUE + timedelta(minutes=30)
    found = states(planned(repo, log, DUE + timedelta(hours=3)))
    assert found == {("longer", "pemkot-x"): State.DUE, ("shorter", "pemkot-x"): State.MISSED}


def test_a_delivery_put_back_by_hand_is_due_from_then(repo: Repo, log: PublishLog) -> None:
    post(repo, "a", "publish_at: 2026-12-01 08:00\nto: pemkot-x\n")
    row_id = settle(log, DeliveryKey("a", ONCE, "pemkot-x"), RowState.FAILED)
    requeued = DUE + timedelta(hours=5)  # long past max_delay after its time
    log.requeue(row_id, requeued)
    delivery = one(planned(repo, log, requeued + timedelta(minutes=1)))
    assert delivery.state is State.DUE
    assert delivery.deadline == requeued + timedelta(hours=2)
    assert one(planned(repo, log, requeued + timedelta(hours=3))).state is State.MISSED
