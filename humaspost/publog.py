"""The publish log: every delivery and attempt, in a SQLite file under state_dir or in
a PostgreSQL database that several servers share (humaspost.store's two backends).

It is what makes publishing exactly-once. A process claims a delivery (state `sending`,
its name as owner, a lease) in one short transaction before calling a platform; every
thread part is recorded as soon as it exists; a delivery whose process died while a
request was in flight becomes `unknown` and is never retried by itself.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar

from humaspost.gitsource import Source
from humaspost.i18n import _
from humaspost.lifecycle import (
    NEW,
    Event,
    claimable,
    expiry_event,
    lease_live,
    next_state,
    sql_states,
)
from humaspost.lifecycle import RowState as RowState  # re-exported for the log's readers
from humaspost.lifecycle import pending_since as pending_since
from humaspost.log_location import LogLocation as LogLocation  # re-exported
from humaspost.log_location import log_exists as log_exists  # re-exported
from humaspost.platforms.base import PartReceipt
from humaspost.store import ConnectionLost, Store
from humaspost.store import PublishLogError as PublishLogError  # re-exported
from humaspost.store_postgres import DatabaseUrl, PostgresStore
from humaspost.store_sqlite import LOG_NAME as LOG_NAME  # re-exported
from humaspost.store_sqlite import RESTORE, SqliteStore

if TYPE_CHECKING:  # a daemon's: commands that read the log need not import it
    from humaspost.heartbeat import Heartbeat

ONCE = "once"  # the occurrence of a post without `repeat`
# What a database must hold to be taken as a publish log.
_TABLES = frozenset({"deliveries", "parts", "attempts", "posts_seen"})
# How long a write waits for a lost database connection to come back, unless the
# opener says (a publisher: until its lease would run out).
DEFAULT_RECONNECT = timedelta(seconds=30)
# How long `schedule` still lists a daemon that stopped (its host's next daemon clears
# its row at once).
DAEMONS_SHOWN_FOR = timedelta(days=7)


def shown_location(location: LogLocation) -> str:
    """How messages name a log: its path, or its database and server."""
    return location.shown if isinstance(location, DatabaseUrl) else str(location)


def _open_store(location: LogLocation, *, read_only: bool) -> SqliteStore | PostgresStore:
    if isinstance(location, DatabaseUrl):
        return PostgresStore(location, read_only=read_only)
    return SqliteStore(location, read_only=read_only)


class Reconnectable(Protocol):
    """What `reconnecting` needs of an object: the log's store, and how long to wait for
    a lost connection (a PublishLog, or an object working on the log's other tables)."""

    @property
    def store(self) -> Store: ...

    @property
    def reconnect_for(self) -> timedelta: ...


_P = ParamSpec("_P")
_T = TypeVar("_T")
_L = TypeVar("_L", bound=Reconnectable)


def _reconnecting(
    method: Callable[Concatenate[_L, _P], _T],
) -> Callable[Concatenate[_L, _P], _T]:
    """Run a method of the log again on a new connection when its connection to the
    database broke. Every method is one transaction (or a read), and every write is
    guarded so that running it a second time, after a commit whose answer was lost,
    changes nothing twice."""

    @functools.wraps(method)
    def again(log: _L, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        while True:
            try:
                return method(log, *args, **kwargs)
            except ConnectionLost:
                log.store.reconnect(log.reconnect_for.total_seconds())

    return again


# The same, for the methods of other modules' objects on the log (humaspost.inbox_log).
reconnecting = _reconnecting


class ClaimLost(Exception):
    """This process no longer holds the delivery: its lease ran out and another publisher
    settled it or took it over. It must send nothing more of it."""


class Kind(StrEnum):
    """What a delivery is: a post (a thread) of the account's own, or a re-share of
    another account's post (`amplify`, `repost:`). Stored in the log as these names."""

    POST = "post"
    REPOST = "repost"
    REPLY = "reply"


class DeliveryKey(NamedTuple):
    """A delivery's identity: post, occurrence (`once`, or a repeat's UTC time), account."""

    post_id: str
    occurrence: str
    account: str


@dataclass(frozen=True)
class LogRow:
    """One delivery as the log knows it."""

    id: int
    key: DeliveryKey
    platform: str
    state: RowState
    due_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    owner: str | None
    lease_until: datetime | None
    inflight_part: int | None
    content_hash: str | None
    url: str | None
    error: str | None
    sent_at: datetime | None
    updated_at: datetime
    rearmed_at: datetime | None = None
    source: Source | None = None  # the post file's git source at the latest claim
    kind: Kind = Kind.POST
    reply_to: int | None = None  # a reply's inbox item


class Settled(NamedTuple):
    """A delivery as a report reads it (PublishLog.due_between): what it is, its state,
    when it was due and sent, and the metadata (JSON text: tags, campaign, ...) its
    post file had when the delivery was first claimed (None or `{}`: never claimed,
    such as a delivery recorded as missed)."""

    id: int
    key: DeliveryKey
    platform: str
    state: RowState
    kind: Kind
    due_at: datetime
    sent_at: datetime | None
    metadata: str | None


@dataclass(frozen=True)
class Claim:
    """A delivery this process may now send: its row and the parts already published."""

    row_id: int
    attempt: int
    done: tuple[PartReceipt, ...]


def stamp(moment: datetime) -> str:
    """A UTC time as stored: fixed-width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unstamp(text: str | None) -> datetime | None:
    """A stored time back as an aware UTC datetime."""
    # fromisoformat is ~50 times faster than strptime, which `log --all` would feel.
    return None if text is None else datetime.fromisoformat(text)


def split_occurrence(occurrence: str) -> tuple[str, str | None]:
    """A key's occurrence as (the post's occurrence, the origin's account): a
    re-share's (`once>pemkot-x`) names the delivery it re-shares; a post's has none."""
    base, _, origin = occurrence.partition(">")
    return base, origin or None


def occurrence_of(moment: datetime | None) -> str:
    """The occurrence part of a key: a repeat's UTC time, or `once`."""
    return ONCE if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_COLUMNS = (
    "id, post_id, occurrence, account, platform, state, due_at, attempts, next_attempt_at,"
    " owner, lease_until, inflight_part, content_hash, url, error, sent_at, updated_at,"
    " rearmed_at, source_commit, source_blob, source_author, source_committed, kind,"
    " reply_to"
)


def _row(values: tuple[Any, ...]) -> LogRow:
    (id_, post_id, occurrence, account, platform, state, due_at, attempts, next_at, owner,
     lease, inflight, digest, url, error, sent_at, updated_at, rearmed, commit, blob, author,
     committed, kind, reply_to) = values  # fmt: skip
    return LogRow(
        id=id_,
        key=DeliveryKey(post_id, occurrence, account),
        platform=platform,
        state=RowState(state),
        due_at=_required(unstamp(due_at)),
        attempts=attempts,
        next_attempt_at=unstamp(next_at),
        owner=owner,
        lease_until=unstamp(lease),
        inflight_part=inflight,
        content_hash=digest,
        url=url,
        error=error,
        sent_at=unstamp(sent_at),
        updated_at=_required(unstamp(updated_at)),
        rearmed_at=unstamp(rearmed),
        source=None if blob is None else Source(commit, blob, author, bool(committed)),
        kind=Kind(kind),
        reply_to=reply_to,
    )


def _settled(values: tuple[Any, ...]) -> Settled:
    id_, post_id, occurrence, account, platform, state, kind, due_at, sent_at, metadata = values
    return Settled(
        int(id_),
        DeliveryKey(post_id, occurrence, account),
        platform,
        RowState(state),
        Kind(kind),
        _required(unstamp(due_at)),
        unstamp(sent_at),
        metadata,
    )


def _source_columns(source: Source | None) -> tuple[str | None, str | None, str | None, int | None]:
    """A source as its four columns (all empty for None)."""
    if source is None:
        return (None, None, None, None)
    return (source.commit, source.blob, source.author, int(source.committed))


def _required(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment


class PublishLog:
    """A connection to the publish log. One per thread: connections are not shared
    across threads."""

    def __init__(
        self,
        location: LogLocation,
        *,
        read_only: bool = False,
        reconnect_for: timedelta = DEFAULT_RECONNECT,
    ) -> None:
        """Open the log at `location` for writing (a missing SQLite file, or a database
        without one, becomes a new log), or with `read_only` open an existing one
        without ever writing it (`log`, dry runs). A lost connection to a database is
        waited for up to `reconnect_for` before a write gives up."""
        self.location = location
        self.where = shown_location(location)
        self.reconnect_for = reconnect_for
        self.store = _open_store(location, read_only=read_only)
        while True:
            try:
                self._make_ready(read_only)
                return
            except ConnectionLost:  # between connecting and the first queries
                self.store.reconnect(reconnect_for.total_seconds())
            except BaseException:
                self.store.close()
                raise

    def _make_ready(self, read_only: bool) -> None:
        """Check the schema, bring it up to date, and set up a writing connection."""
        version = self._checked_version()
        if version < self.store.known_version and read_only:
            # A reader cannot bring the schema up to date: a writer does it, once.
            self.store.close()
            PublishLog(self.location).close()
            self.store = _open_store(self.location, read_only=True)
        elif version < self.store.known_version:
            self.store.migrate()
        if not read_only:
            self.store.prepare()

    def close(self) -> None:
        """Close the connection."""
        self.store.close()

    def __enter__(self) -> PublishLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _checked_version(self) -> int:
        """The schema version, once the database is known to be a humaspost log this
        code can use (the first read: a file that is not a database fails here)."""
        version = self.store.version()
        if version > self.store.known_version:
            raise PublishLogError(
                _(
                    "the publish log {path} was written by a newer humaspost (schema"
                    " version {version}; this one knows {known}): upgrade humaspost"
                    " (pip install -U humaspost), or restore the backup made before the upgrade"
                    ' (docs/operations.md, "Upgrading")'
                ).format(path=self.where, version=version, known=self.store.known_version)
            )
        if version == 0 and isinstance(self.location, DatabaseUrl):
            return version  # a database the first writer makes the log in
        missing = _TABLES - self.store.tables()
        if missing:
            raise PublishLogError(
                _(
                    "the publish log {path} is not a humaspost publish log (it has no"
                    " table {tables}): {restore}; or, only if humaspost"
                    " has never published from here, move it away and a new log is made"
                ).format(path=self.where, tables=", ".join(sorted(missing)), restore=_(RESTORE))
            )
        return version

    def transaction(self) -> AbstractContextManager[None]:
        """A short write transaction (see Store.transaction)."""
        return self.store.transaction()

    # Reading

    @_reconnecting
    def rows_for_posts(self, post_ids: Iterable[str]) -> dict[DeliveryKey, LogRow]:
        """Every row of these posts, by key."""
        ids = list(dict.fromkeys(post_ids))
        found: dict[DeliveryKey, LogRow] = {}
        # Chunks keep within SQLite's limit on bound parameters.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {_COLUMNS} FROM deliveries WHERE post_id IN ({marks})"
            for values in self.store.execute(query, chunk):
                row = _row(values)
                found[row.key] = row
        return found

    @_reconnecting
    def row(self, row_id: int) -> LogRow | None:
        """One row by its number."""
        values = self.store.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE id = ?", (row_id,)
        ).fetchone()
        return _row(values) if values else None

    @_reconnecting
    def rows_with_state(self, state: RowState) -> list[LogRow]:
        """Rows in one state (for sweeps and warnings)."""
        query = f"SELECT {_COLUMNS} FROM deliveries WHERE state = ? ORDER BY due_at"
        return [_row(values) for values in self.store.execute(query, (state.value,))]

    @_reconnecting
    def parts(self, row_id: int) -> tuple[PartReceipt, ...]:
        """The parts of a delivery published so far, in order."""
        query = "SELECT remote_id, url FROM parts WHERE delivery_id = ? ORDER BY part_index"
        return tuple(PartReceipt(rid, url) for rid, url in self.store.execute(query, (row_id,)))

    @_reconnecting
    def search(
        self,
        *,
        since: datetime | None = None,
        post_id: str | None = None,
        account: str | None = None,
        state: str | None = None,
        limit: int | None = 50,
        kind: str | None = None,
    ) -> list[LogRow]:
        """The latest rows first, filtered."""
        where, args = [], []
        filters = (("post_id", post_id), ("account", account), ("state", state), ("kind", kind))
        for column, value in filters:
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("updated_at >= ?")
            args.append(stamp(since))
        query = f"SELECT {_COLUMNS} FROM deliveries"
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY updated_at DESC, id DESC"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [_row(values) for values in self.store.execute(query, args)]

    @_reconnecting
    def due_between(
        self, start: datetime, end: datetime, states: Iterable[RowState]
    ) -> list[Settled]:
        """The deliveries in one of `states` due from `start` (included) to `end`
        (excluded), by due time, as a report reads them."""
        wanted = sorted({RowState(state).value for state in states})
        if not wanted:
            return []
        query = (
            "SELECT id, post_id, occurrence, account, platform, state, kind, due_at, sent_at,"
            " metadata FROM deliveries WHERE due_at >= ? AND due_at < ?"
            f" AND state IN ({', '.join('?' * len(wanted))}) ORDER BY due_at, id"
        )
        rows = self.store.execute(query, (stamp(start), stamp(end), *wanted))
        return [_settled(values) for values in rows]

    @_reconnecting
    def post_ids_due_between(self, start: datetime, end: datetime) -> set[str]:
        """The posts of the deliveries due from `start` (included) to `end` (excluded),
        re-shares that `amplify` asked for left out (a report needs their origin's post
        only)."""
        query = (
            "SELECT DISTINCT post_id FROM deliveries WHERE due_at >= ? AND due_at < ?"
            " AND NOT (kind = 'repost' AND occurrence LIKE '%>%')"
        )
        return {
            str(post_id) for (post_id,) in self.store.execute(query, (stamp(start), stamp(end)))
        }

    @_reconnecting
    def part_counts(self, row_ids: Iterable[int]) -> dict[int, int]:
        """How many parts of each of these deliveries were published (recorded); a
        delivery with none is left out."""
        ids = list(dict.fromkeys(row_ids))
        counts: dict[int, int] = {}
        for first in range(0, len(ids), 500):
            chunk = ids[first : first + 500]
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT delivery_id, COUNT(*) FROM parts"
                f" WHERE delivery_id IN ({marks}) GROUP BY delivery_id"
            )
            counts.update(
                (int(row_id), int(count)) for row_id, count in self.store.execute(query, chunk)
            )
        return counts

    @_reconnecting
    def attempts(self, row_id: int) -> list[tuple[datetime, str, str | None]]:
        """(time, outcome, error) of every attempt at a delivery, oldest first."""
        query = "SELECT at, outcome, error FROM attempts WHERE delivery_id = ? ORDER BY id"
        return [
            (_required(unstamp(at)), outcome, error)
            for at, outcome, error in self.store.execute(query, (row_id,))
        ]

    @_reconnecting
    def first_seen(
        self, post_ids: Iterable[str], now: datetime, *, record: bool = True
    ) -> dict[str, datetime]:
        """When each post was first seen, recording `now` for those seen for the first time
        (a repeat without publish_at starts then) unless `record` is false."""
        ids = list(dict.fromkeys(post_ids))
        if record:
            with self.transaction():
                self.store.executemany(
                    "INSERT INTO posts_seen (post_id, first_seen) VALUES (?, ?)"
                    " ON CONFLICT (post_id) DO NOTHING",
                    [(post_id, stamp(now)) for post_id in ids],
                )
        seen: dict[str, datetime] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT post_id, first_seen FROM posts_seen WHERE post_id IN ({marks})"
            for post_id, first in self.store.execute(query, chunk):
                seen[post_id] = _required(unstamp(first))
        return seen

    @_reconnecting
    def sent_once(self) -> dict[tuple[str, str], tuple[str | None, datetime | None]]:
        """(content hash, time sent) of every sent delivery of a one-off post, by
        (post id, account)."""
        query = (
            "SELECT post_id, account, content_hash, sent_at FROM deliveries"
            " WHERE state = 'sent' AND occurrence = ?"
        )
        return {
            (post_id, account): (digest, unstamp(sent_at))
            for post_id, account, digest, sent_at in self.store.execute(query, (ONCE,))
        }

    # Writing: each method is one short transaction, and each update is guarded by the
    # lifecycle: it names its event, and changes the row only from a state that event
    # is allowed in (a `sending` row only for its owner). A refused write changes nothing.

    @_reconnecting
    def claim(
        self,
        key: DeliveryKey,
        *,
        platform: str,
        due_at: datetime,
        owner: str,
        now: datetime,
        lease: timedelta,
        metadata: dict[str, Any] | None = None,
        source: Source | None = None,
        kind: Kind = Kind.POST,
        reply_to: int | None = None,
    ) -> Claim | None:
        """Take a delivery for sending if nobody has it and it is due; None otherwise
        (see `lifecycle.claimable`). `source` (where the post file's text came from in
        git), `kind` and a reply's item (`reply_to`) are recorded with the claim,
        replacing an earlier claim's: what goes out now is sent as it says."""
        with self.transaction():
            # Another server claiming the row at this moment holds its lock: passed
            # over (None below), as the insert of a row being inserted is.
            values = self.store.execute(
                f"SELECT {_COLUMNS} FROM deliveries"
                f" WHERE post_id = ? AND occurrence = ? AND account = ?{self.store.lock_rows}",
                key,
            ).fetchone()
            lease_until = stamp(now + lease)
            if values is None:
                if not claimable(None, due_at, now):
                    return None
                cursor = self.store.execute(
                    "INSERT INTO deliveries (post_id, occurrence, account, platform, state,"
                    " due_at, attempts, owner, lease_until, metadata, created_at, updated_at,"
                    " source_commit, source_blob, source_author, source_committed, kind,"
                    " reply_to) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (post_id, occurrence, account) DO NOTHING RETURNING id",
                    (*key, platform, next_state(NEW, Event.CLAIMED), stamp(due_at), owner,
                     lease_until, json.dumps(metadata or {}, ensure_ascii=False), stamp(now),
                     stamp(now), *_source_columns(source), kind.value, reply_to),
                ).fetchone()  # fmt: skip
                if cursor is None:
                    return None  # made meanwhile, or locked, by another publisher
                row_id = cursor[0]
                self._attempt(row_id, now, owner, Event.CLAIMED, None)
                return Claim(row_id, 1, ())
            row = _row(values)
            if self._claimed_already(row, owner, now):
                # This very claim, run again after its commit's answer was lost: the row
                # is this publisher's (else it would wait, `sending`, for its own lease
                # to run out before anyone sent it).
                return Claim(row.id, row.attempts, self.parts(row.id))
            if not claimable(row, due_at, now):
                return None
            rescheduled = row.state in (RowState.FAILED, RowState.MISSED)
            attempts = 1 if rescheduled else row.attempts + 1
            new_due = row.due_at if row.state is RowState.PENDING else due_at
            rearmed = None if rescheduled else row.rearmed_at
            self.store.execute(
                "UPDATE deliveries SET state = ?, owner = ?, lease_until = ?,"
                " attempts = ?, due_at = ?, next_attempt_at = NULL, error = NULL,"
                " rearmed_at = ?, platform = ?, updated_at = ?, source_commit = ?,"
                " source_blob = ?, source_author = ?, source_committed = ?, kind = ?,"
                " reply_to = ? WHERE id = ? AND state = ?",
                (next_state(row.state, Event.CLAIMED), owner, lease_until, attempts,
                 stamp(new_due), stamp(rearmed) if rearmed else None, platform, stamp(now),
                 *_source_columns(source), kind.value, reply_to, row.id, row.state),
            )  # fmt: skip
            self._attempt(row.id, now, owner, Event.CLAIMED, None)
        return Claim(row.id, attempts, self.parts(row.id))

    @_reconnecting
    def renew(
        self, row_ids: Iterable[int], owner: str, now: datetime, lease: timedelta
    ) -> set[int]:
        """Extend the lease of every delivery `owner` holds among `row_ids`; returns the
        ones it no longer holds (taken over, or settled by someone else)."""
        ids = list(row_ids)
        if not ids:
            return set()
        held: set[int] = set()
        with self.transaction():
            for row_id in ids:
                cursor = self.store.execute(
                    "UPDATE deliveries SET lease_until = ? WHERE id = ? AND owner = ?"
                    f" AND state IN {sql_states(Event.LEASE_RENEWED)}",
                    (stamp(now + lease), row_id, owner),
                )
                if cursor.rowcount == 1:
                    held.add(row_id)
        return set(ids) - held

    @_reconnecting
    def part_starting(
        self, row_id: int, index: int, owner: str, now: datetime, lease: timedelta
    ) -> None:
        """Mark part `index` as in flight (and extend the lease) before its request.
        Raises ClaimLost if `owner` no longer holds the delivery."""
        with self.transaction():
            cursor = self.store.execute(
                "UPDATE deliveries SET inflight_part = ?, lease_until = ?, updated_at = ?"
                f" WHERE id = ? AND owner = ? AND state IN {sql_states(Event.PART_STARTED)}",
                (index, stamp(now + lease), stamp(now), row_id, owner),
            )
            if cursor.rowcount != 1:
                raise ClaimLost(f"delivery {row_id} is no longer held by {owner}")

    @_reconnecting
    def part_published(
        self, row_id: int, index: int, receipt: PartReceipt, now: datetime, owner: str
    ) -> None:
        """Record a published part as soon as it exists; nothing is in flight after it.

        The part exists on the platform whoever holds the delivery now: if `owner` lost
        the claim, it is still recorded (as a part too, unless another publisher holds
        the delivery), and the owner's next `part_starting` stops it."""
        insert = (
            "INSERT INTO parts (delivery_id, part_index, remote_id, url, published_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (delivery_id, part_index) DO UPDATE SET"
            " remote_id = excluded.remote_id, url = excluded.url,"
            " published_at = excluded.published_at"
        )
        part = (row_id, index, receipt.remote_id, receipt.url, stamp(now))
        with self.transaction():
            cursor = self.store.execute(
                "UPDATE deliveries SET inflight_part = NULL, updated_at = ?"
                f" WHERE id = ? AND owner = ? AND state IN {sql_states(Event.PART_PUBLISHED)}",
                (stamp(now), row_id, owner),
            )
            if cursor.rowcount == 1:
                self.store.execute(insert, part)
                return
            note = _("part {number} published after the claim was lost: {url}").format(
                number=index + 1, url=receipt.url
            )
            values = self.store.execute(
                "SELECT state FROM deliveries WHERE id = ?", (row_id,)
            ).fetchone()
            if values is not None and values[0] != RowState.SENDING:
                self.store.execute(insert, part)
            self._attempt(row_id, now, owner, Event.PART_PUBLISHED, note)

    @_reconnecting
    def finish(
        self,
        row_id: int,
        event: Event,
        *,
        owner: str,
        now: datetime,
        outcome: str | None = None,
        error: str | None = None,
        url: str | None = None,
        content_hash: str | None = None,
        next_attempt_at: datetime | None = None,
    ) -> bool:
        """End an attempt (sent, transient or permanent error, uncertain, missed) as the
        owner of the claim. Returns whether the row took it.

        A publisher that lost its claim changes nothing, except that a `sent` (what
        happened on the platform is the truth) is recorded on a row nobody holds or
        settled. The attempt is recorded either way."""
        state = next_state(RowState.SENDING, event)
        # Only `sent` may land on a row its sender no longer holds.
        guard = sql_states(event) if event is Event.SENT else "('sending')"
        # Decided here, not by the database: PostgreSQL cannot tell a bare parameter's type.
        inflight = "inflight_part" if state is RowState.UNKNOWN else "NULL"
        sent_at = "?" if state is RowState.SENT else "sent_at"
        with self.transaction():
            cursor = self.store.execute(
                f"UPDATE deliveries SET state = ?, owner = NULL, lease_until = NULL,"
                f" inflight_part = {inflight}, error = ?, url = COALESCE(?, url),"
                f" content_hash = COALESCE(?, content_hash), next_attempt_at = ?,"
                f" sent_at = {sent_at}, updated_at = ? WHERE id = ? AND state IN {guard}"
                " AND (state != 'sending' OR owner = ?)",
                (state.value, error, url, content_hash,
                 stamp(next_attempt_at) if next_attempt_at else None,
                 *([stamp(now)] if state is RowState.SENT else []), stamp(now), row_id, owner),
            )  # fmt: skip
            took = cursor.rowcount == 1
            if not took and self._already_finished(row_id, owner, now, str(outcome or event)):
                return True  # this very write, run again after its commit's answer was lost
            if took and state is RowState.SENT:
                self._reply_sent(row_id, now)
            note = error
            if not took:
                note = (
                    _("{note} (not recorded on the delivery: the claim was lost)").format(
                        note=error or url
                    )
                    if (error or url)
                    else _("not recorded on the delivery: the claim was lost")
                )
            self._attempt(row_id, now, owner, outcome or event, note)
        return took

    def _claimed_already(self, row: LogRow, owner: str, now: datetime) -> bool:
        """Whether `row` is held by `owner` through a claim made at `now`: what a `claim`
        that is run again after a lost connection finds of its first run."""
        return (
            row.state is RowState.SENDING
            and row.owner == owner
            and self._already_finished(row.id, owner, now, str(Event.CLAIMED))
        )

    def _already_finished(self, row_id: int, owner: str, now: datetime, outcome: str) -> bool:
        """Whether the latest attempt at the row is `outcome`, by `owner` at `now`: what
        a `finish` that is run again after a lost connection finds of its first run."""
        latest = self.store.execute(
            "SELECT at, owner, outcome FROM attempts WHERE delivery_id = ? ORDER BY id DESC"
            " LIMIT 1",
            (row_id,),
        ).fetchone()
        return latest is not None and tuple(latest) == (stamp(now), owner, outcome)

    @_reconnecting
    def mark_missed(
        self,
        key: DeliveryKey,
        *,
        platform: str,
        due_at: datetime,
        now: datetime,
        reason: str,
        kind: Kind = Kind.POST,
        reply_to: int | None = None,
    ) -> bool:
        """Record a delivery that is past its deadline and will not be sent (nobody holds
        it). Returns whether anything was recorded."""
        missed = next_state(NEW, Event.DEADLINE_PASSED)
        with self.transaction():
            values = self.store.execute(
                "SELECT id, state FROM deliveries WHERE post_id = ? AND occurrence = ?"
                f" AND account = ?{self.store.lock_rows}",
                key,
            ).fetchone()
            if values is None:
                cursor = self.store.execute(
                    "INSERT INTO deliveries (post_id, occurrence, account, platform, state,"
                    " due_at, error, created_at, updated_at, kind, reply_to)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (post_id, occurrence, account) DO NOTHING RETURNING id",
                    (
                        *key,
                        platform,
                        missed,
                        stamp(due_at),
                        reason,
                        stamp(now),
                        stamp(now),
                        kind.value,
                        reply_to,
                    ),
                ).fetchone()
                if cursor is None:
                    return False  # made meanwhile, or locked, by another publisher
                row_id = cursor[0]
            else:
                row_id = values[0]
                # A `sending` row is its holder's to settle, or expiry's.
                cursor = self.store.execute(
                    "UPDATE deliveries SET state = ?, error = ?,"
                    " due_at = CASE WHEN state = 'pending' THEN due_at ELSE ? END,"
                    " next_attempt_at = NULL, updated_at = ? WHERE id = ?"
                    f" AND state IN {sql_states(Event.DEADLINE_PASSED)} AND state != 'sending'",
                    (missed, reason, stamp(due_at), stamp(now), row_id),
                )
                if cursor.rowcount != 1:
                    return False
            self._attempt(row_id, now, None, Event.DEADLINE_PASSED, reason)
        return True

    @_reconnecting
    def release_stale(self, now: datetime, is_dead: StaleCheck) -> list[LogRow]:
        """Settle rows left `sending` by a publisher that is gone: its lease ran out (a
        live publisher keeps renewing it), or it no longer exists on this machine. With
        a part in flight the outcome is unknown; between parts the delivery goes back to
        the queue and resumes where it stopped. Returns the rows that became unknown."""
        became_unknown: list[LogRow] = []
        with self.transaction():
            query = (
                f"SELECT {_COLUMNS} FROM deliveries WHERE state = 'sending'{self.store.lock_rows}"
            )
            for row in [_row(values) for values in self.store.execute(query)]:
                if lease_live(row, now) and not (row.owner is not None and is_dead(row.owner)):
                    continue
                event = expiry_event(row)
                if event is Event.LEASE_EXPIRED_IN_FLIGHT:
                    error: str | None = _(
                        "the publishing process stopped while sending part {number};"
                        " it may have been published"
                    ).format(number=(row.inflight_part or 0) + 1)
                    became_unknown.append(row)
                else:
                    error = None
                same_owner = "owner IS NULL" if row.owner is None else "owner = ?"
                self.store.execute(
                    "UPDATE deliveries SET state = ?, owner = NULL, lease_until = NULL, error = ?,"
                    f" updated_at = ? WHERE id = ? AND state = 'sending' AND {same_owner}",
                    (next_state(row.state, event), error, stamp(now), row.id,
                     *([] if row.owner is None else [row.owner])),
                )  # fmt: skip
                self._attempt(row.id, now, row.owner, event, error)
        return became_unknown

    def resolve(self, row_id: int, *, sent_url: str | None, now: datetime) -> None:
        """Settle an unknown delivery: sent (at `sent_url`) or not sent (queue it again).
        A reply settled as sent answers its inbox item, in the same transaction. Raises
        TransitionRefused if the delivery is not unknown."""
        if sent_url is not None:
            self._by_hand(
                row_id, Event.RESOLVED_SENT, now, sent_url,
                "url = ?, inflight_part = NULL, error = NULL, sent_at = ?", (sent_url, stamp(now)),
            )  # fmt: skip
        else:
            self._by_hand(
                row_id, Event.RESOLVED_NOT_SENT, now, None,
                "inflight_part = NULL, error = NULL, attempts = 0, next_attempt_at = ?,"
                " rearmed_at = ?", (stamp(now), stamp(now)),
            )  # fmt: skip

    @_reconnecting
    def sent_rows(self, post_id: str, account: str | None = None) -> list[LogRow]:
        """The sent deliveries of a post (of one account, if given), oldest first."""
        query = f"SELECT {_COLUMNS} FROM deliveries WHERE post_id = ? AND state = 'sent'"
        args: list[str] = [post_id]
        if account is not None:
            query += " AND account = ?"
            args.append(account)
        return [_row(values) for values in self.store.execute(query + " ORDER BY id", args)]

    def retracted(self, row_id: int, now: datetime) -> None:
        """Record that a sent delivery was deleted from its platform; a reply's inbox
        item is no longer answered by it (in the same transaction)."""
        self._by_hand(row_id, Event.RETRACTED, now, None, "", ())

    def requeue(self, row_id: int, now: datetime) -> None:
        """Put a failed or missed delivery back in the queue, ready now, attempts reset.

        Like `resolve --not-sent`, this sets `next_attempt_at`, not `due_at`: the row
        keeps the post's time, so that a failure of the new attempt is not mistaken for
        a post rescheduled since (which would be attempted again by every run)."""
        self._by_hand(
            row_id, Event.RETRIED_BY_HAND, now, None,
            "attempts = 0, error = NULL, next_attempt_at = ?, rearmed_at = ?",
            (stamp(now), stamp(now)),
        )  # fmt: skip

    @_reconnecting
    def _by_hand(
        self,
        row_id: int,
        event: Event,
        now: datetime,
        note: str | None,
        sets: str,
        args: tuple[Any, ...],
    ) -> None:
        """A person's decision (resolve, retry, retract), applied only where allowed."""
        with self.transaction():
            values = self.store.execute(
                "SELECT state FROM deliveries WHERE id = ?", (row_id,)
            ).fetchone()
            current = RowState(values[0]) if values else None
            state = next_state(current, event)  # raises TransitionRefused
            extra = f"{sets}, " if sets else ""
            cursor = self.store.execute(
                f"UPDATE deliveries SET {extra}state = ?, updated_at = ? WHERE id = ?"
                " AND state = ?",
                (*args, state, stamp(now), row_id, current),
            )
            if cursor.rowcount == 1 and event is Event.RESOLVED_SENT:
                self._reply_sent(row_id, now)
            elif cursor.rowcount == 1 and event is Event.RETRACTED:
                self._reply_retracted(row_id, now)
            self._attempt(row_id, now, None, event, note)

    # The daemons' heartbeats (table `daemons`): with a shared log, `schedule` lists
    # every server's daemon.

    @_reconnecting
    def write_daemon(self, owner: str, beat: Heartbeat, now: datetime) -> None:
        """Record `beat` as the latest of daemon `owner`."""
        values = (
            owner, beat.host or "", beat.pid or 0, _stamp_or_none(beat.started),
            stamp(beat.updated or now), _stamp_or_none(beat.last_pass),
            _stamp_or_none(beat.next_delivery), int(beat.running), int(beat.sandbox),
        )  # fmt: skip
        with self.transaction():
            self.store.execute(
                "INSERT INTO daemons (owner, host, pid, started, updated, last_pass,"
                " next_delivery, running, sandbox) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (owner) DO UPDATE SET host = excluded.host, pid = excluded.pid,"
                " started = excluded.started, updated = excluded.updated,"
                " last_pass = excluded.last_pass, next_delivery = excluded.next_delivery,"
                " running = excluded.running, sandbox = excluded.sandbox",
                values,
            )

    @_reconnecting
    def forget_daemons(self, host: str, keep: str, is_gone: StaleCheck) -> None:
        """Drop the rows of earlier daemons of `host` that stopped or are gone (a
        restarted daemon replaces them), never `keep`'s (the caller's)."""
        with self.transaction():
            rows = self.store.execute(
                "SELECT owner, running FROM daemons WHERE host = ? AND owner != ?", (host, keep)
            ).fetchall()
            for owner, running in rows:
                if not running or is_gone(owner):
                    self.store.execute("DELETE FROM daemons WHERE owner = ?", (owner,))

    @_reconnecting
    def daemons(self, now: datetime) -> list[tuple[str, Heartbeat]]:
        """Every daemon's latest heartbeat (owner, beat), by host and start: the running
        ones, and the others if updated within DAEMONS_SHOWN_FOR of `now`."""
        query = (
            "SELECT owner, host, pid, started, updated, last_pass, next_delivery, running,"
            " sandbox FROM daemons WHERE running = 1 OR updated >= ? ORDER BY host, started"
        )
        rows = self.store.execute(query, (stamp(now - DAEMONS_SHOWN_FOR),)).fetchall()
        from humaspost.heartbeat import Heartbeat

        return [
            (owner, Heartbeat(
                running=bool(running), updated=unstamp(updated), host=host, pid=pid,
                started=unstamp(started), last_pass=unstamp(last),
                next_delivery=unstamp(upcoming), sandbox=bool(sandbox),
            ))
            for owner, host, pid, started, updated, last, upcoming, running, sandbox in rows
        ]  # fmt: skip

    # A reply's inbox item follows its delivery in the transaction that changes the
    # delivery: a crash never leaves a sent reply with its item unanswered, nor the
    # reverse. (humaspost.inbox_log builds on this module: imported when needed.)

    def _reply_sent(self, row_id: int, now: datetime) -> None:
        """Mark a sent reply's item answered, at the reply's address."""
        values = self.store.execute(
            "SELECT reply_to, url FROM deliveries WHERE id = ?", (row_id,)
        ).fetchone()
        if values is not None and values[0] is not None and values[1] is not None:
            from humaspost.inbox_log import record_answered

            record_answered(self.store, values[0], values[1], now)

    def _reply_retracted(self, row_id: int, now: datetime) -> None:
        """A retracted reply's item is no longer answered by it."""
        values = self.store.execute(
            "SELECT reply_to FROM deliveries WHERE id = ?", (row_id,)
        ).fetchone()
        if values is not None and values[0] is not None:
            from humaspost.inbox_log import record_reply_retracted

            record_reply_retracted(self.store, values[0], now)

    def _attempt(
        self, row_id: int, now: datetime, owner: str | None, outcome: str, error: str | None
    ) -> None:
        self.store.execute(
            "INSERT INTO attempts (delivery_id, at, owner, outcome, error) VALUES (?, ?, ?, ?, ?)",
            (row_id, stamp(now), owner, str(outcome), error),
        )


# Says whether the process named by an owner string is certainly gone.
StaleCheck = Callable[[str], bool]


def _stamp_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else stamp(moment)
