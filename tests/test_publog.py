"""The publish log as `publish` uses it, on both backends: a real SQLite file in a
temporary folder, and a fresh database on the tests' real PostgreSQL server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from humaspost.platforms.base import PartReceipt
from humaspost.publog import (
    ONCE,
    Claim,
    ClaimLost,
    DeliveryKey,
    Kind,
    LogLocation,
    LogRow,
    PublishLog,
    RowState,
    occurrence_of,
)
from humaspost.store_postgres import DatabaseUrl
from humaspost.store_sqlite import MIGRATIONS
from tests.conftest import DATABASE_VARIABLE, ENDS

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
KEY = DeliveryKey("2026/12/banjir", ONCE, "pemkot-x")


@pytest.fixture
def location(tmp_path: Path, log_database: str | None) -> LogLocation:
    """Where the log is: a SQLite file, or a fresh PostgreSQL database (both, by turns)."""
    if log_database is None:
        return tmp_path / "state" / "publog.sqlite"
    return DatabaseUrl(log_database, DATABASE_VARIABLE)


@pytest.fixture
def log(location: LogLocation) -> Iterator[PublishLog]:
    with PublishLog(location) as publog:
        yield publog


def second_connection(log: PublishLog) -> PublishLog:
    """Another connection to the same log, as another publisher (or server) opens it."""
    return PublishLog(log.location)


def claim(
    log: PublishLog,
    key: DeliveryKey = KEY,
    *,
    owner: str = "host/1",
    now: datetime = T0,
    due_at: datetime = T0,
) -> Claim | None:
    return log.claim(
        key, platform="twitter", due_at=due_at, owner=owner, now=now, lease=LEASE, metadata={}
    )


def send_part(log: PublishLog, row_id: int, index: int, owner: str = "host/1") -> PartReceipt:
    receipt = PartReceipt(f"id-{index}", f"https://x.com/i/{index}")
    log.part_starting(row_id, index, owner, T0, LEASE)
    log.part_published(row_id, index, receipt, T0, owner)
    return receipt


def dead(owner: str) -> bool:
    return owner == "host/dead"


def alive(owner: str) -> bool:
    return False


def state(log: PublishLog, row_id: int) -> RowState:
    row = log.row(row_id)
    assert row is not None
    return row.state


# Schema


def test_migrations_create_the_schema_and_set_user_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "publog.sqlite"
    PublishLog(path).close()
    db = sqlite3.connect(path)
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"deliveries", "parts", "attempts", "posts_seen"} <= tables
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_reopening_keeps_rows_and_does_not_migrate_again(location: LogLocation) -> None:
    with PublishLog(location) as first:
        taken = claim(first)
        assert taken is not None
        known = first.store.known_version
    for _ in range(3):
        with PublishLog(location) as again:
            assert again.store.version() == known
            row = again.row(taken.row_id)
            assert row is not None and row.key == KEY and row.state is RowState.SENDING


# Claims


def test_claim_is_exclusive(log: PublishLog) -> None:
    first = claim(log, owner="host/1")
    assert first is not None and first.attempt == 1 and first.done == ()
    assert claim(log, owner="host/2") is None
    # Not even the owner twice...
    assert claim(log, owner="host/1", now=T0 + timedelta(seconds=1)) is None
    # ...but the same claim run again (its commit's answer lost) is that claim.
    assert claim(log, owner="host/1") == first
    row = log.row(first.row_id)
    assert row is not None
    assert row.owner == "host/1" and row.lease_until == T0 + LEASE


def test_claims_from_two_connections_to_one_log(log: PublishLog) -> None:
    with second_connection(log) as two:
        taken = claim(log, owner="host/1")
        assert taken is not None
        assert claim(two, owner="host/2") is None
        # Each connection sees what the other wrote.
        row = two.row(taken.row_id)
        assert row is not None and row.owner == "host/1"
        log.finish(taken.row_id, ENDS[RowState.SENT], owner="host/1", now=T0, outcome="sent")
        assert state(two, taken.row_id) is RowState.SENT


def test_a_live_sending_row_is_never_claimable(log: PublishLog) -> None:
    taken = claim(log)
    assert taken is not None
    # Long after its lease: still not claimable until a sweep settles it.
    assert claim(log, owner="host/2", now=T0 + timedelta(days=3)) is None
    assert log.release_stale(T0 + timedelta(minutes=1), alive) == []
    assert state(log, taken.row_id) is RowState.SENDING


def test_parts_are_recorded_in_order(log: PublishLog) -> None:
    taken = claim(log)
    assert taken is not None
    receipts = [send_part(log, taken.row_id, index) for index in range(3)]
    assert log.parts(taken.row_id) == tuple(receipts)
    row = log.row(taken.row_id)
    assert row is not None and row.inflight_part is None


def test_part_starting_marks_the_part_in_flight_and_extends_the_lease(log: PublishLog) -> None:
    taken = claim(log)
    assert taken is not None
    later = T0 + timedelta(seconds=90)
    log.part_starting(taken.row_id, 0, "host/1", later, LEASE)
    row = log.row(taken.row_id)
    assert row is not None and row.inflight_part == 0 and row.lease_until == later + LEASE
    # Another process cannot mark parts of a delivery it does not own.
    with pytest.raises(ClaimLost):
        log.part_starting(taken.row_id, 1, "host/2", later, LEASE)
    row = log.row(taken.row_id)
    assert row is not None and row.inflight_part == 0


def test_a_publisher_whose_lease_ran_out_between_parts_may_not_go_on(log: PublishLog) -> None:
    """Paused past its lease (a laptop asleep, a stopped VM), a publisher must not send
    the next part of a thread that another publisher has taken over meanwhile."""
    taken = claim(log, owner="host/slow")
    assert taken is not None
    send_part(log, taken.row_id, 0, owner="host/slow")
    later = T0 + timedelta(minutes=10)
    assert log.release_stale(later, alive) == []
    other = claim(log, owner="host/2", now=later)
    assert other is not None and len(other.done) == 1
    with pytest.raises(ClaimLost):
        log.part_starting(taken.row_id, 1, "host/slow", later, LEASE)
    row = log.row(taken.row_id)
    assert row is not None and row.owner == "host/2" and row.inflight_part is None


def test_claim_of_a_different_key_is_independent(log: PublishLog) -> None:
    assert claim(log) is not None
    other_account = KEY._replace(account="pemkot-fb")
    other_occurrence = KEY._replace(occurrence=occurrence_of(T0))
    assert claim(log, other_account) is not None
    assert claim(log, other_occurrence) is not None
    assert occurrence_of(T0) == "2026-12-01T01:00:00Z"


# A publisher that died


def test_dead_owner_with_a_part_in_flight_becomes_unknown(log: PublishLog) -> None:
    taken = claim(log, owner="host/dead")
    assert taken is not None
    send_part(log, taken.row_id, 0, owner="host/dead")
    log.part_starting(taken.row_id, 1, "host/dead", T0, LEASE)
    became = log.release_stale(T0 + timedelta(seconds=5), dead)
    assert [row.id for row in became] == [taken.row_id]
    row = log.row(taken.row_id)
    assert row is not None and row.state is RowState.UNKNOWN and row.owner is None
    assert row.error is not None and "part 2" in row.error
    # Unknown is never claimed again by itself.
    assert claim(log, owner="host/2", now=T0 + timedelta(hours=1)) is None
    assert log.rows_with_state(RowState.UNKNOWN) == [row]


def test_dead_owner_between_parts_resumes_with_the_done_parts(log: PublishLog) -> None:
    taken = claim(log, owner="host/dead")
    assert taken is not None
    done = (
        send_part(log, taken.row_id, 0, "host/dead"),
        send_part(log, taken.row_id, 1, "host/dead"),
    )
    assert log.release_stale(T0 + timedelta(seconds=5), dead) == []
    assert state(log, taken.row_id) is RowState.PENDING
    again = claim(log, owner="host/2", now=T0 + timedelta(seconds=6))
    assert again is not None
    assert again.row_id == taken.row_id and again.attempt == 2 and again.done == done


def test_an_expired_lease_is_stale_even_if_the_owner_may_live(log: PublishLog) -> None:
    taken = claim(log, owner="other-host/7")
    assert taken is not None
    assert log.release_stale(T0 + LEASE - timedelta(seconds=1), alive) == []
    assert state(log, taken.row_id) is RowState.SENDING
    assert log.release_stale(T0 + LEASE, alive) == []
    assert state(log, taken.row_id) is RowState.PENDING


def test_finish_sent_after_someone_declared_unknown_records_sent(log: PublishLog) -> None:
    taken = claim(log, owner="host/slow")
    assert taken is not None
    log.part_starting(taken.row_id, 0, "host/slow", T0, LEASE)
    # The slow publisher's lease runs out; another publisher declares it unknown ...
    assert len(log.release_stale(T0 + timedelta(minutes=5), alive)) == 1
    # ... and then the platform answers after all.
    log.part_published(taken.row_id, 0, PartReceipt("1", "https://x.com/i/1"), T0, "host/slow")
    log.finish(
        taken.row_id,
        ENDS[RowState.SENT],
        owner="host/slow",
        now=T0 + timedelta(minutes=6),
        outcome="sent",
        url="https://x.com/i/1",
    )
    row = log.row(taken.row_id)
    assert row is not None
    assert row.state is RowState.SENT and row.url == "https://x.com/i/1"
    assert row.sent_at == T0 + timedelta(minutes=6) and row.inflight_part is None
    outcomes = [outcome for _, outcome, _ in log.attempts(taken.row_id)]
    assert outcomes == ["claimed", "interrupted in flight", "part published", "sent"]


# Settling by hand


def unknown_row(log: PublishLog) -> int:
    taken = claim(log)
    assert taken is not None
    log.part_starting(taken.row_id, 0, "host/1", T0, LEASE)
    log.finish(taken.row_id, ENDS[RowState.UNKNOWN], owner="host/1", now=T0, outcome="uncertain",
               error="timeout after sending")  # fmt: skip
    return taken.row_id


def test_resolve_sent(log: PublishLog) -> None:
    row_id = unknown_row(log)
    later = T0 + timedelta(hours=1)
    log.resolve(row_id, sent_url="https://x.com/pemkot/status/9", now=later)
    row = log.row(row_id)
    assert row is not None
    assert row.state is RowState.SENT and row.url == "https://x.com/pemkot/status/9"
    assert row.error is None and row.inflight_part is None and row.sent_at == later
    assert claim(log, owner="host/2", now=later) is None


def test_resolve_not_sent_queues_it_again(log: PublishLog) -> None:
    row_id = unknown_row(log)
    later = T0 + timedelta(hours=1)
    log.resolve(row_id, sent_url=None, now=later)
    assert state(log, row_id) is RowState.PENDING
    again = claim(log, owner="host/2", now=later + timedelta(seconds=1))
    assert again is not None and again.row_id == row_id
    outcomes = [outcome for _, outcome, _ in log.attempts(row_id)]
    assert outcomes == ["claimed", "uncertain", "resolved as not sent", "claimed"]


@pytest.mark.parametrize("ended", [RowState.FAILED, RowState.MISSED])
def test_requeue_of_failed_or_missed(log: PublishLog, ended: RowState) -> None:
    taken = claim(log)
    assert taken is not None
    log.finish(
        taken.row_id, ENDS[ended], owner="host/1", now=T0, outcome="x", error="token expired"
    )
    assert claim(log, owner="host/2", now=T0 + timedelta(minutes=1)) is None
    later = T0 + timedelta(hours=3)
    log.requeue(taken.row_id, later)
    row = log.row(taken.row_id)
    assert row is not None
    assert row.state is RowState.PENDING and row.attempts == 0 and row.error is None
    again = claim(log, owner="host/2", now=later)
    assert again is not None and again.attempt == 1


def test_a_failure_after_a_retry_by_hand_stays_failed(log: PublishLog) -> None:
    """`retry` once must not turn a delivery into one retried by every later run."""
    taken = claim(log)
    assert taken is not None
    log.finish(taken.row_id, ENDS[RowState.FAILED], owner="host/1", now=T0, outcome="x", error="e")
    log.requeue(taken.row_id, T0 + timedelta(minutes=10))
    again = claim(log, owner="host/2", now=T0 + timedelta(minutes=11))
    assert again is not None
    log.finish(again.row_id, ENDS[RowState.FAILED], owner="host/2", now=T0 + timedelta(minutes=11),
               outcome="permanent error", error="duplicate content")  # fmt: skip
    # The next cron run plans the post at its own time, still within max_delay.
    assert claim(log, owner="host/3", now=T0 + timedelta(minutes=12), due_at=T0) is None
    assert state(log, taken.row_id) is RowState.FAILED


def test_failed_row_is_claimable_again_only_when_its_time_changes(log: PublishLog) -> None:
    taken = claim(log)
    assert taken is not None
    log.finish(taken.row_id, ENDS[RowState.FAILED], owner="host/1", now=T0, outcome="x", error="e")
    later = T0 + timedelta(hours=2)
    assert claim(log, now=later, due_at=T0) is None
    # Rescheduled to a time still ahead: not yet.
    assert claim(log, now=later, due_at=later + timedelta(hours=1)) is None
    again = claim(log, now=later + timedelta(hours=1), due_at=later + timedelta(hours=1))
    assert again is not None and again.attempt == 1


def test_retrying_row_waits_for_its_next_attempt(log: PublishLog) -> None:
    taken = claim(log)
    assert taken is not None
    next_at = T0 + timedelta(minutes=5)
    log.finish(taken.row_id, ENDS[RowState.RETRYING], owner="host/1", now=T0, outcome="transient",
               error="429", next_attempt_at=next_at)  # fmt: skip
    assert claim(log, now=next_at - timedelta(seconds=1)) is None
    again = claim(log, now=next_at)
    assert again is not None and again.attempt == 2


def test_mark_missed(log: PublishLog) -> None:
    missed_key = KEY._replace(post_id="old")
    log.mark_missed(missed_key, platform="twitter", due_at=T0, now=T0 + timedelta(hours=3),
                    reason="past max_delay after its time")  # fmt: skip
    (row,) = log.search(post_id="old")
    assert row.state is RowState.MISSED and row.error == "past max_delay after its time"
    assert row.attempts == 0
    # A sent delivery is never turned into a missed one.
    taken = claim(log)
    assert taken is not None
    log.finish(taken.row_id, ENDS[RowState.SENT], owner="host/1", now=T0, outcome="sent", url="u")
    log.mark_missed(KEY, platform="twitter", due_at=T0, now=T0 + timedelta(hours=3), reason="r")
    assert state(log, taken.row_id) is RowState.SENT
    # A retrying one past its deadline is.
    retrying_key = KEY._replace(account="pemkot-fb")
    other = claim(log, retrying_key)
    assert other is not None
    log.finish(other.row_id, ENDS[RowState.RETRYING], owner="host/1", now=T0, outcome="t",
               next_attempt_at=T0 + timedelta(hours=4))  # fmt: skip
    log.mark_missed(retrying_key, platform="twitter", due_at=T0, now=T0 + timedelta(hours=3),
                    reason="r")  # fmt: skip
    assert state(log, other.row_id) is RowState.MISSED


# Reading


def test_search_filters_and_newest_first(log: PublishLog) -> None:
    made = {}
    for minute, (post, account) in enumerate(
        [("a", "pemkot-x"), ("a", "pemkot-fb"), ("b", "pemkot-x"), ("c", "pemkot-fb")]
    ):
        at = T0 + timedelta(minutes=minute)
        taken = claim(log, DeliveryKey(post, ONCE, account), now=at)
        assert taken is not None
        made[(post, account)] = taken.row_id
        final = RowState.FAILED if post == "c" else RowState.SENT
        log.finish(taken.row_id, ENDS[final], owner="host/1", now=at, outcome=str(final))

    def keys(rows: list[LogRow]) -> list[tuple[str, str]]:
        return [(row.key.post_id, row.key.account) for row in rows]

    assert keys(log.search()) == [("c", "pemkot-fb"), ("b", "pemkot-x"), ("a", "pemkot-fb"),
                                  ("a", "pemkot-x")]  # fmt: skip
    assert keys(log.search(post_id="a")) == [("a", "pemkot-fb"), ("a", "pemkot-x")]
    assert keys(log.search(account="pemkot-x")) == [("b", "pemkot-x"), ("a", "pemkot-x")]
    assert keys(log.search(state="failed")) == [("c", "pemkot-fb")]
    assert keys(log.search(since=T0 + timedelta(minutes=2))) == [("c", "pemkot-fb"),
                                                                  ("b", "pemkot-x")]  # fmt: skip
    assert keys(log.search(post_id="a", account="pemkot-fb", state="sent")) == [("a", "pemkot-fb")]
    assert len(log.search(limit=2)) == 2
    assert log.search(post_id="nope") == []


def test_first_seen_is_recorded_once(log: PublishLog) -> None:
    assert log.first_seen(["rutin/senin"], T0) == {"rutin/senin": T0}
    later = T0 + timedelta(days=1)
    assert log.first_seen(["rutin/senin", "rutin/jumat"], later) == {
        "rutin/senin": T0,
        "rutin/jumat": later,
    }


def test_a_delivery_is_a_post_unless_said_to_be_a_re_share(log: PublishLog) -> None:
    lease = timedelta(minutes=2)
    post = log.claim(KEY, platform="sandbox", due_at=T0, owner="o", now=T0, lease=lease)
    reshare_key = DeliveryKey(KEY.post_id, f"{KEY.occurrence}>{KEY.account}", "kec-barat")
    reshare = log.claim(reshare_key, platform="sandbox", due_at=T0, owner="o", now=T0,
                        lease=lease, kind=Kind.REPOST)  # fmt: skip
    assert post is not None and reshare is not None
    log.mark_missed(DeliveryKey("lain", ONCE, "kec-barat"), platform="sandbox", due_at=T0,
                    now=T0, reason="asal gagal", kind=Kind.REPOST)  # fmt: skip
    kinds = {row.key: row.kind for row in log.search(limit=None)}
    assert kinds[KEY] is Kind.POST and kinds[reshare_key] is Kind.REPOST
    assert [row.key.post_id for row in log.search(kind="repost", limit=None)] == [
        "lain",
        KEY.post_id,
    ]
    assert [row.key for row in log.search(kind="post", limit=None)] == [KEY]
