"""What is PostgreSQL's own in the publish log: row locks between connections, a server
that restarts, one that cannot be reached, a schema newer than the code, migrations
racing, read-only sessions. Always against the tests' real server (tests/conftest.py),
never a stand-in; what both backends share is tested in test_publog.py."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import psycopg
import pytest

from humaspost import store_postgres
from humaspost.lifecycle import Event
from humaspost.platforms.base import PartReceipt
from humaspost.publisher import Result
from humaspost.publog import (
    ONCE,
    Claim,
    DeliveryKey,
    PublishLog,
    PublishLogError,
    RowState,
    log_exists,
)
from humaspost.store_postgres import DatabaseUrl
from tests.conftest import DATABASE_VARIABLE, Repo
from tests.postgres_server import PostgresServer, free_port
from tests.test_publisher import DUE, Office, results

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)
KEY = DeliveryKey("2026/12/banjir", ONCE, "pemkot-x")
# Far less than lock_timeout (10 s): a claim that waited for a lock would take that long.
AT_ONCE = 2.0

_T = TypeVar("_T")


@pytest.fixture
def database(postgres_url: str) -> DatabaseUrl:
    """A fresh database, as the config's `publish_log: ${HUMASPOST_DATABASE_URL}` names it."""
    return DatabaseUrl(postgres_url, DATABASE_VARIABLE)


def claim(
    log: PublishLog, key: DeliveryKey = KEY, *, owner: str = "host/1", now: datetime = T0
) -> Claim | None:
    return log.claim(key, platform="twitter", due_at=T0, owner=owner, now=now, lease=LEASE)


def state(log: PublishLog, row_id: int) -> RowState:
    row = log.row(row_id)
    assert row is not None
    return row.state


def alive(owner: str) -> bool:
    return False


def password_of(url: str) -> str:
    return url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]


def in_threads(count: int, work: Callable[[int], _T]) -> list[_T]:
    """Run `work(0)` ... `work(count - 1)` in threads that start together; their results
    (an exception in one is raised here)."""
    start = threading.Barrier(count, timeout=30)

    def together(number: int) -> _T:
        start.wait()
        return work(number)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(together, range(count)))


@contextmanager
def another_server(url: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    """A connection for a transaction of another server, ended (undone) on leaving."""
    with psycopg.connect(url, connect_timeout=5) as other:
        try:
            yield other
        finally:
            # Waited for: once the server has answered, its locks are gone. (A connection
            # merely closed leaves them until its server process notices.)
            other.rollback()


@contextmanager
def row_locked(url: str, row_id: int) -> Iterator[None]:
    """Another server in the middle of a transaction that holds the row's lock."""
    with another_server(url) as other:
        other.execute("SELECT id FROM deliveries WHERE id = %s FOR UPDATE", (row_id,))
        yield


# Claims between connections


def test_two_connections_claiming_the_same_keys_at_once_take_each_once(
    database: DatabaseUrl,
) -> None:
    keys = [DeliveryKey(f"p{number:02d}", ONCE, "pemkot-x") for number in range(50)]
    owners = ["host-a/1", "host-b/1"]
    # Connected (and the schema made) before the race: only the claims race.
    logs = [PublishLog(database) for _ in owners]

    def claim_all(now: datetime) -> Callable[[int], list[Claim]]:
        def work(number: int) -> list[Claim]:
            taken = [claim(logs[number], key, owner=owners[number], now=now) for key in keys]
            return [one for one in taken if one is not None]

        return work

    try:
        # New rows (the inserts race), then rows that exist (the row locks race).
        first = in_threads(2, claim_all(T0))
        retry_at = T0 + timedelta(minutes=1)
        for number, taken in enumerate(first):
            for one in taken:
                logs[number].finish(one.row_id, Event.TRANSIENT_FAILURE, owner=owners[number],
                                    now=T0, outcome="transient error",
                                    next_attempt_at=retry_at)  # fmt: skip
        second = in_threads(2, claim_all(retry_at))
    finally:
        for log in logs:
            log.close()

    for won in (first, second):
        rows = sorted(one.row_id for taken in won for one in taken)
        assert len(rows) == len(set(rows)) == len(keys)
    with PublishLog(database) as log:
        deliveries = log.search(limit=None)
        assert sorted(row.key for row in deliveries) == keys
        holders = {one.row_id: owners[number] for number, taken in enumerate(second)
                   for one in taken}  # fmt: skip
        for row in deliveries:
            assert row.state is RowState.SENDING and row.attempts == 2
            assert row.owner == holders[row.id]
            outcomes = [outcome for _, outcome, _ in log.attempts(row.id)]
            assert outcomes == ["claimed", "transient error", "claimed"]


def test_a_claim_passes_over_a_row_another_server_has_locked_at_once(
    database: DatabaseUrl,
) -> None:
    later = T0 + timedelta(minutes=1)
    with PublishLog(database) as log:
        taken = claim(log)
        assert taken is not None
        log.finish(taken.row_id, Event.TRANSIENT_FAILURE, owner="host/1", now=T0,
                   outcome="transient error", next_attempt_at=later)  # fmt: skip
        with row_locked(database.url, taken.row_id):
            started = time.monotonic()
            assert claim(log, owner="host/2", now=later) is None
            assert time.monotonic() - started < AT_ONCE
            assert state(log, taken.row_id) is RowState.RETRYING
        # Once the other server's transaction is over, the row is there to claim.
        again = claim(log, owner="host/2", now=later)
        assert again is not None and again.row_id == taken.row_id
        outcomes = [outcome for _, outcome, _ in log.attempts(taken.row_id)]
        assert outcomes == ["claimed", "transient error", "claimed"]


def test_settling_stale_claims_passes_over_rows_another_server_has_locked(
    database: DatabaseUrl,
) -> None:
    stale = T0 + LEASE + timedelta(seconds=1)
    with PublishLog(database) as log:
        locked = claim(log, owner="gone-host/1")
        free = claim(log, KEY._replace(account="pemkot-fb"), owner="gone-host/1")
        assert locked is not None and free is not None
        log.part_starting(locked.row_id, 0, "gone-host/1", T0, LEASE)
        with row_locked(database.url, locked.row_id):
            started = time.monotonic()
            assert log.release_stale(stale, alive) == []
            assert time.monotonic() - started < AT_ONCE
            assert state(log, locked.row_id) is RowState.SENDING
            assert state(log, free.row_id) is RowState.PENDING
        # The other server's transaction ended without settling it: the next sweep does.
        (unknown,) = log.release_stale(stale, alive)
        assert unknown.id == locked.row_id
        assert state(log, locked.row_id) is RowState.UNKNOWN


# A server that restarts


def test_a_server_restart_between_two_writes_of_a_publisher_is_reconnected(
    repo: Repo, postgres_url: str, postgres_server: PostgresServer
) -> None:
    office = Office(repo, ["a"], database=postgres_url)
    office.post("t", "2026-12-01 08:00", "a", "Satu", "Dua", "Tiga")
    # Part 1 is recorded; every connection breaks before part 2 is marked in flight.
    office.platform.before_part[("a", 1)] = postgres_server.restart
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.SENT)], outcomes[0].error
    assert office.platform.posted == [("a", "Satu", None), ("a", "Dua", "1"), ("a", "Tiga", "2")]
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        assert row.state is RowState.SENT and row.url == "https://example.test/a/1"
        assert [part.remote_id for part in log.parts(row.id)] == ["1", "2", "3"]
        assert [outcome for _, outcome, _ in log.attempts(row.id)] == ["claimed", "sent"]


def test_finish_run_again_after_a_restart_records_one_sent(
    database: DatabaseUrl, postgres_server: PostgresServer
) -> None:
    """What a publisher does when the server restarted as it committed `sent` and the
    answer was lost: it runs the same write again on a new connection."""
    done = T0 + timedelta(seconds=30)
    with PublishLog(database) as log:
        taken = claim(log)
        assert taken is not None
        log.part_starting(taken.row_id, 0, "host/1", T0, LEASE)
        log.part_published(taken.row_id, 0, PartReceipt("1", "https://x.com/i/1"), T0, "host/1")

        def sent() -> bool:
            return log.finish(taken.row_id, Event.SENT, owner="host/1", now=done,
                              outcome="sent", url="https://x.com/i/1")  # fmt: skip

        assert sent()
        before = log.store.connection
        postgres_server.restart()
        assert sent()
        assert log.store.connection is not before  # it did reconnect
        row = log.row(taken.row_id)
        assert row is not None and row.state is RowState.SENT and row.sent_at == done
        attempts = log.attempts(taken.row_id)
    assert [outcome for _, outcome, _ in attempts] == ["claimed", "sent"]
    assert not any("claim was lost" in (error or "") for _, _, error in attempts)


# A server that cannot be reached


def test_a_server_nobody_listens_on_is_named_without_the_password() -> None:
    port = free_port()
    password = "s3cret-" + secrets.token_urlsafe(12)
    location = DatabaseUrl(
        f"postgresql://humaspost:{password}@127.0.0.1:{port}/kantor", DATABASE_VARIABLE
    )
    assert password not in repr(location)
    openers: list[Callable[[], object]] = [
        lambda: PublishLog(location),
        lambda: PublishLog(location, read_only=True),
    ]
    for opener in openers:
        started = time.monotonic()
        with pytest.raises(PublishLogError) as caught:
            opener()
        assert time.monotonic() - started < AT_ONCE  # refused, not waited for
        message = str(caught.value)
        assert f"kantor on 127.0.0.1:{port}" in message and "connection refused" in message.lower()
        assert password not in message
        # Nothing chained to the error that a traceback would show.
        assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_a_wrong_password_is_refused_without_showing_either_password(postgres_url: str) -> None:
    right = password_of(postgres_url)
    wrong = "wrong-" + right[::-1]
    location = DatabaseUrl(postgres_url.replace(f":{right}@", f":{wrong}@"), DATABASE_VARIABLE)
    with pytest.raises(PublishLogError) as caught:
        PublishLog(location)
    message = str(caught.value)
    assert location.shown in message and "password authentication failed" in message
    assert right not in message and wrong not in message
    assert caught.value.__cause__ is None


def test_a_lock_waited_for_too_long_is_a_publish_log_error_saying_so(
    database: DatabaseUrl, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 10 s in production.
    options = store_postgres.SESSION_OPTIONS.replace("lock_timeout=10000", "lock_timeout=200")
    assert options != store_postgres.SESSION_OPTIONS
    monkeypatch.setattr(store_postgres, "SESSION_OPTIONS", options)
    with PublishLog(database) as log:
        # Another server stuck in the middle of making the same delivery.
        with another_server(database.url) as other:
            other.execute(
                "INSERT INTO deliveries (post_id, occurrence, account, platform, state, due_at,"
                " created_at, updated_at) VALUES (%s, %s, %s, 'twitter', 'sending', '', '', '')",
                KEY,
            )
            with pytest.raises(PublishLogError) as caught:
                claim(log)
        # The server's own words, not the place it was waiting at (its CONTEXT line).
        assert "lock timeout" in str(caught.value) and "CONTEXT" not in str(caught.value)
        assert database.shown in str(caught.value)
        # Nothing half-done is left on the connection: the claim goes through now.
        assert claim(log) is not None


# The schema


def test_migrations_make_the_schema_and_record_its_version_once(database: DatabaseUrl) -> None:
    assert log_exists(database)  # the config names it: the first opener makes the log
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT to_regclass('deliveries')").fetchone() == (None,)
    with PublishLog(database, read_only=True) as log:  # e.g. `humaspost log`
        known = log.store.known_version
        assert {"deliveries", "parts", "attempts", "posts_seen", "daemons", "inbox_items",
                "inbox_history", "inbox_cursors", "inbox_secrets"} <= log.store.tables()  # fmt: skip
        assert log.search() == []
    with psycopg.connect(database.url) as conn:
        versions = conn.execute("SELECT version FROM humaspost_schema").fetchall()
    assert versions == [(known,)]


@pytest.mark.parametrize("read_only", [False, True], ids=["writer", "reader"])
def test_a_newer_schema_is_refused(database: DatabaseUrl, read_only: bool) -> None:
    with PublishLog(database) as log:
        newer = log.store.known_version + 1
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("UPDATE humaspost_schema SET version = %s", (newer,))
    with pytest.raises(PublishLogError, match="newer humaspost") as caught:
        PublishLog(database, read_only=read_only)
    assert f"version {newer}" in str(caught.value) and database.shown in str(caught.value)
    with psycopg.connect(database.url) as conn:
        versions = conn.execute("SELECT version FROM humaspost_schema").fetchall()
    assert versions == [(newer,)]  # left as it was


def test_servers_starting_at_once_migrate_a_new_database_once(database: DatabaseUrl) -> None:
    def open_log(number: int) -> int:
        with PublishLog(database) as log:
            return log.store.version()

    versions = in_threads(4, open_log)
    with PublishLog(database) as log:
        assert versions == [log.store.known_version] * 4
    with psycopg.connect(database.url) as conn:
        recorded = conn.execute("SELECT version FROM humaspost_schema").fetchall()
    assert recorded == [(versions[0],)]


# Read-only sessions


def test_a_read_only_log_cannot_write(database: DatabaseUrl) -> None:
    with PublishLog(database) as log:
        taken = claim(log)
        assert taken is not None
    with PublishLog(database, read_only=True) as reader:
        with pytest.raises(PublishLogError, match="opened for reading only") as caught:
            claim(reader, KEY._replace(post_id="other"))
        assert database.shown in str(caught.value)
        with pytest.raises(PublishLogError):
            reader.first_seen(["rutin/senin"], T0)
        with pytest.raises(PublishLogError):
            reader.release_stale(T0 + timedelta(hours=1), alive)
        # The connection is still good for reading, and nothing was written.
        (row,) = reader.search()
        assert row.id == taken.row_id and row.state is RowState.SENDING
        assert reader.first_seen(["rutin/senin"], T0, record=False) == {}


def test_a_database_that_refuses_writes_is_a_publish_log_error(
    database: DatabaseUrl, postgres_server: PostgresServer
) -> None:
    """A writer pointed at a server that only reads (a standby, or a database set
    read-only for maintenance) is told so, whether it meets it migrating or claiming."""
    name = database.url.rsplit("/", 1)[1]
    with postgres_server.connect() as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    with pytest.raises(PublishLogError, match="not a standby") as caught:
        PublishLog(database)  # it would make the schema
    assert database.shown in str(caught.value)
    with postgres_server.connect() as admin:
        admin.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    with PublishLog(database) as log:
        assert claim(log) is not None
    with postgres_server.connect() as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    with PublishLog(database) as log:  # the schema is current: nothing to write at opening
        with pytest.raises(PublishLogError, match="not a standby"):
            claim(log, KEY._replace(post_id="other"))
        assert len(log.search()) == 1
