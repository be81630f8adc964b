"""The publish log: a SQLite file under state_dir recording every delivery and attempt.

It is what makes publishing exactly-once. A process claims a delivery (state `sending`,
its name as owner, a lease) in one short transaction before calling a platform; every
thread part is recorded as soon as it exists; a delivery whose process died while a
request was in flight becomes `unknown` and is never retried by itself.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Self

from humaspost.gitsource import Source
from humaspost.i18n import N_, _
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
from humaspost.platforms.base import PartReceipt
from humaspost.problems import HumaspostError

# Every schema change is a new entry; `PRAGMA user_version` says how many have run.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        post_id TEXT NOT NULL,
        occurrence TEXT NOT NULL,
        account TEXT NOT NULL,
        platform TEXT NOT NULL,
        state TEXT NOT NULL,
        due_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        owner TEXT,
        lease_until TEXT,
        inflight_part INTEGER,
        content_hash TEXT,
        url TEXT,
        error TEXT,
        metadata TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (post_id, occurrence, account)
    );
    CREATE INDEX deliveries_by_update ON deliveries (updated_at);
    CREATE INDEX deliveries_by_state ON deliveries (state);
    CREATE TABLE parts (
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
        part_index INTEGER NOT NULL,
        remote_id TEXT NOT NULL,
        url TEXT NOT NULL,
        published_at TEXT NOT NULL,
        PRIMARY KEY (delivery_id, part_index)
    );
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        delivery_id INTEGER NOT NULL REFERENCES deliveries (id),
        at TEXT NOT NULL,
        owner TEXT,
        outcome TEXT NOT NULL,
        error TEXT
    );
    CREATE INDEX attempts_by_delivery ON attempts (delivery_id);
    CREATE TABLE posts_seen (
        post_id TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL
    );
    """,
    # When a person put the delivery back in the queue (`retry`, `resolve --not-sent`):
    # its deadline runs from then, not from the post's time.
    """
    ALTER TABLE deliveries ADD COLUMN rearmed_at TEXT;
    """,
    # Where the post file's text came from in git (gitsource.Source), recorded when a
    # publisher claims the delivery: the trace behind `log` and `trace`. Empty for a
    # delivery sent outside a git checkout, or before this migration.
    """
    ALTER TABLE deliveries ADD COLUMN source_commit TEXT;
    ALTER TABLE deliveries ADD COLUMN source_blob TEXT;
    ALTER TABLE deliveries ADD COLUMN source_author TEXT;
    ALTER TABLE deliveries ADD COLUMN source_committed INTEGER;
    """,
)

ONCE = "once"  # the occurrence of a post without `repeat`
LOG_NAME = "publog.sqlite"
BUSY_TIMEOUT = 30.0  # seconds a command waits for another's lock on the log
# What a file must hold to be taken as a publish log.
_TABLES = frozenset({"deliveries", "parts", "attempts", "posts_seen"})
# How to get a damaged log back, part of several messages (translated where shown).
_RESTORE = N_('restore it from a backup (docs/operations.md, "Backing up the publish log")')


class PublishLogError(HumaspostError):
    """The publish log cannot be used (locked by another program, damaged, unwritable)."""


def log_exists(path: Path) -> bool:
    """Whether there is a publish log at `path`. Only a missing file is no log (a new one
    is made there): a state folder that is a file, or a log file that is empty, is a
    PublishLogError, never taken as a log that has sent nothing."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except NotADirectoryError:
        raise PublishLogError(_not_a_folder(path)) from None
    except OSError as error:
        raise PublishLogError(
            _("cannot look at the publish log {path}: {error}").format(
                path=path, error=error.strerror
            )
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise PublishLogError(
            _("the publish log {path} is not a file; move it away, or {restore}").format(
                path=path, restore=_(_RESTORE)
            )
        )
    if info.st_size == 0:
        raise PublishLogError(
            _(
                "the publish log {path} is empty (0 bytes: cut short, or a failed copy); it is"
                " not taken as a new log, which would send every post again: {restore}"
            ).format(path=path, restore=_(_RESTORE))
        )
    return True


def _check_writable(path: Path) -> None:
    # SQLite would open a file it cannot write read-only, without a word, and fail only
    # at the first write: a run with nothing to write would seem fine. (Asked, not tried
    # by opening it: closing any descriptor of the file drops every SQLite lock this
    # process holds on it, and another connection of ours may hold one.)
    if not os.access(path, os.W_OK):
        raise PublishLogError(_unwritable(path, _("no write permission, or a read-only disk")))


def _unwritable(path: Path, reason: object) -> str:
    return _(
        "the publish log {path} cannot be opened for writing ({reason}); the user running"
        " humaspost needs write access to it and to its folder {folder}"
    ).format(path=path, reason=reason, folder=path.parent)


def _not_a_folder(path: Path) -> str:
    # The file standing where a folder of the path should be.
    blocker = next((p for p in reversed(path.parents) if p.is_file()), path.parent)
    return _(
        "{file} is a file, but the publish log {path} needs a folder there; move the"
        " file away, or set state_dir in humaspost.yaml to a folder"
    ).format(file=blocker, path=path)


def _fault(path: Path, error: sqlite3.Error) -> PublishLogError | None:
    """The user's view of an SQLite error that comes from the log's file or its disk;
    None for the others (a wrong statement is a bug, and must show as one)."""
    # Errors Python itself raises (a closed connection) have no SQLite code.
    code = getattr(error, "sqlite_errorcode", -1) & 0xFF  # the primary code
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        message = _(
            "the publish log {path} is locked by another program (waited {seconds} s); if no"
            " other humaspost is running, find what holds it (fuser {path}), then run the"
            " command again"
        ).format(path=path, seconds=f"{BUSY_TIMEOUT:g}")
    elif code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        message = _unwritable(path, error)
    elif code == sqlite3.SQLITE_FULL:
        message = _(
            "the publish log {path} cannot grow: the disk is full ({error}); free some space,"
            " then run the command again (humaspost log --state unknown shows deliveries to"
            " look at)"
        ).format(path=path, error=error)
    elif code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        message = _(
            "the publish log {path} is damaged ({error}); stop humaspost and {restore}"
        ).format(path=path, error=error, restore=_(_RESTORE))
    elif code == sqlite3.SQLITE_IOERR:
        message = _(
            "the publish log {path} could not be read or written ({error}); check the disk,"
            " then run again"
        ).format(path=path, error=error)
    else:
        return None
    return PublishLogError(message)


class _Cursor(sqlite3.Cursor):
    """A cursor of the log: an error of its file or disk is a PublishLogError, whenever
    it shows (a damaged page shows only when a query reaches it)."""

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as error:
            raise _translated(self.connection, error) from None

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Self:
        try:
            return super().executemany(sql, seq_of_parameters)
        except sqlite3.Error as error:
            raise _translated(self.connection, error) from None

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as error:
            raise _translated(self.connection, error) from None

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as error:
            raise _translated(self.connection, error) from None

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as error:
            raise _translated(self.connection, error) from None


class _Connection(sqlite3.Connection):
    """A connection to the log whose statements run on `_Cursor`s."""

    log_path: Path

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        return _Cursor(self).execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> _Cursor:
        return _Cursor(self).executemany(sql, seq_of_parameters)


def _translated(connection: sqlite3.Connection, error: sqlite3.Error) -> Exception:
    assert isinstance(connection, _Connection)
    return _fault(connection.log_path, error) or error


def _connect(path: Path, mode: str) -> _Connection:
    # A URI with a mode: SQLite never creates the file (it makes an empty one otherwise,
    # which the next open would take for a log that has sent nothing).
    try:
        db = sqlite3.connect(
            f"{path.absolute().as_uri()}?{mode}",
            uri=True,
            timeout=BUSY_TIMEOUT,
            # Autocommit; every write opens its own short IMMEDIATE transaction. Each
            # connection is used by one thread at a time; the publisher closes its
            # workers' connections from the main thread once they are done.
            isolation_level=None,
            check_same_thread=False,
            factory=_Connection,
        )
    except sqlite3.Error as error:
        raise _fault(path, error) or error from None
    assert isinstance(db, _Connection)
    db.log_path = path
    return db


def _create(path: Path) -> None:
    """Make a new, empty log at `path`, complete before it appears there: it is made
    under a name of its own and linked into place, so that a crash leaves no half-made
    log, and of two processes making it at once one wins and both use that one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise PublishLogError(_not_a_folder(path)) from None
    except OSError as error:
        raise PublishLogError(
            _("cannot make the folder of the publish log {path}: {error}").format(
                path=path, error=error.strerror
            )
        ) from None
    draft = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.new")
    try:
        db = _connect(draft, "mode=rwc")
        try:
            # Set once, in the file: opening an existing log never changes journal mode,
            # which takes an exclusive lock that makes a concurrent opener fail at once.
            db.execute("PRAGMA journal_mode = WAL")
            _migrate(db)
        finally:
            db.close()  # the last connection: folds the write-ahead log into the file
        os.link(draft, path)
    except FileExistsError:
        pass  # another process made it meanwhile: use theirs
    except OSError as error:
        raise PublishLogError(
            _("cannot make the publish log {path}: {error}").format(path=path, error=error.strerror)
        ) from None
    finally:
        for leftover in (draft, *(draft.with_name(draft.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the schema up to date, in one transaction."""
    with _transaction(db):
        # Another process may be migrating too: the version is read again under the lock.
        version = _version(db)
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            for statement in script.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")


def _version(db: sqlite3.Connection) -> int:
    version: int = db.execute("PRAGMA user_version").fetchone()[0]
    return version


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # SQLite ends it itself on some faults (a full disk)
            db.execute("ROLLBACK")
        raise


def _reading_mode(path: Path) -> str:
    """How a reader opens the log: read-only; and immutable where it could not even make
    the write-ahead log's index (a folder it cannot write) and no publisher has the log
    open (no -wal file), since SQLite cannot open it read-only there otherwise."""
    if os.access(path.parent, os.W_OK) or Path(f"{path}-wal").exists():
        return "mode=ro"
    return "mode=ro&immutable=1"


class ClaimLost(Exception):
    """This process no longer holds the delivery: its lease ran out and another publisher
    settled it or took it over. It must send nothing more of it."""


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


def occurrence_of(moment: datetime | None) -> str:
    """The occurrence part of a key: a repeat's UTC time, or `once`."""
    return ONCE if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_COLUMNS = (
    "id, post_id, occurrence, account, platform, state, due_at, attempts, next_attempt_at,"
    " owner, lease_until, inflight_part, content_hash, url, error, sent_at, updated_at,"
    " rearmed_at, source_commit, source_blob, source_author, source_committed"
)


def _row(values: tuple[Any, ...]) -> LogRow:
    (id_, post_id, occurrence, account, platform, state, due_at, attempts, next_at, owner,
     lease, inflight, digest, url, error, sent_at, updated_at, rearmed, commit, blob, author,
     committed) = values  # fmt: skip
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
    """A connection to the publish log. One per thread: sqlite3 connections are not
    shared across threads."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open the log at `path` for writing (a missing file becomes a new log), or with
        `read_only` open an existing one without ever writing it (`log`, dry runs)."""
        self.path = path
        if read_only:
            if not log_exists(path):
                raise PublishLogError(_("there is no publish log at {path}").format(path=path))
            self.db = _connect(path, _reading_mode(path))
        else:
            if not log_exists(path):
                _create(path)
            _check_writable(path)
            self.db = _connect(path, "mode=rw")
        try:
            version = self._checked_version()
            if version < len(MIGRATIONS) and read_only:
                # A reader cannot bring the schema up to date: a writer does it, once.
                self.db.close()
                PublishLog(path).close()
                self.db = _connect(path, _reading_mode(path))
            elif version < len(MIGRATIONS):
                _migrate(self.db)
            if not read_only:
                # A log restored from a copy may have come back in rollback-journal mode.
                if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
                self.db.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> PublishLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _checked_version(self) -> int:
        """The schema version, once the file is known to be a humaspost log this code
        can use (the first read: a file that is not a database fails here)."""
        version = _version(self.db)
        if version > len(MIGRATIONS):
            raise PublishLogError(
                _(
                    "the publish log {path} was written by a newer humaspost (schema"
                    " version {version}; this one knows {known}): upgrade humaspost"
                    " (pip install -U humaspost), or restore the backup made before the upgrade"
                    ' (docs/operations.md, "Upgrading")'
                ).format(path=self.path, version=version, known=len(MIGRATIONS))
            )
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        missing = _TABLES - {name for (name,) in self.db.execute(query)}
        if missing:
            raise PublishLogError(
                _(
                    "the publish log {path} is not a humaspost publish log (it has no"
                    " table {tables}): {restore}; or, only if humaspost"
                    " has never published from here, move it away and a new log is made"
                ).format(path=self.path, tables=", ".join(sorted(missing)), restore=_(_RESTORE))
            )
        return version

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write transaction that takes the write lock at once (no upgrade deadlocks)."""
        return _transaction(self.db)

    # Reading

    def rows_for_posts(self, post_ids: Iterable[str]) -> dict[DeliveryKey, LogRow]:
        """Every row of these posts, by key."""
        ids = list(dict.fromkeys(post_ids))
        found: dict[DeliveryKey, LogRow] = {}
        # Chunks keep within SQLite's limit on bound parameters.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {_COLUMNS} FROM deliveries WHERE post_id IN ({marks})"
            for values in self.db.execute(query, chunk):
                row = _row(values)
                found[row.key] = row
        return found

    def row(self, row_id: int) -> LogRow | None:
        """One row by its number."""
        values = self.db.execute(
            f"SELECT {_COLUMNS} FROM deliveries WHERE id = ?", (row_id,)
        ).fetchone()
        return _row(values) if values else None

    def rows_with_state(self, state: RowState) -> list[LogRow]:
        """Rows in one state (for sweeps and warnings)."""
        query = f"SELECT {_COLUMNS} FROM deliveries WHERE state = ? ORDER BY due_at"
        return [_row(values) for values in self.db.execute(query, (state.value,))]

    def parts(self, row_id: int) -> tuple[PartReceipt, ...]:
        """The parts of a delivery published so far, in order."""
        query = "SELECT remote_id, url FROM parts WHERE delivery_id = ? ORDER BY part_index"
        return tuple(PartReceipt(rid, url) for rid, url in self.db.execute(query, (row_id,)))

    def search(
        self,
        *,
        since: datetime | None = None,
        post_id: str | None = None,
        account: str | None = None,
        state: str | None = None,
        limit: int | None = 50,
    ) -> list[LogRow]:
        """The latest rows first, filtered."""
        where, args = [], []
        for column, value in (("post_id", post_id), ("account", account), ("state", state)):
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
        return [_row(values) for values in self.db.execute(query, args)]

    def attempts(self, row_id: int) -> list[tuple[datetime, str, str | None]]:
        """(time, outcome, error) of every attempt at a delivery, oldest first."""
        query = "SELECT at, outcome, error FROM attempts WHERE delivery_id = ? ORDER BY id"
        return [
            (_required(unstamp(at)), outcome, error)
            for at, outcome, error in self.db.execute(query, (row_id,))
        ]

    def first_seen(
        self, post_ids: Iterable[str], now: datetime, *, record: bool = True
    ) -> dict[str, datetime]:
        """When each post was first seen, recording `now` for those seen for the first time
        (a repeat without publish_at starts then) unless `record` is false."""
        ids = list(dict.fromkeys(post_ids))
        if record:
            with self.transaction():
                self.db.executemany(
                    "INSERT OR IGNORE INTO posts_seen (post_id, first_seen) VALUES (?, ?)",
                    [(post_id, stamp(now)) for post_id in ids],
                )
        seen: dict[str, datetime] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT post_id, first_seen FROM posts_seen WHERE post_id IN ({marks})"
            for post_id, first in self.db.execute(query, chunk):
                seen[post_id] = _required(unstamp(first))
        return seen

    def sent_once(self) -> dict[tuple[str, str], tuple[str | None, datetime | None]]:
        """(content hash, time sent) of every sent delivery of a one-off post, by
        (post id, account)."""
        query = (
            "SELECT post_id, account, content_hash, sent_at FROM deliveries"
            " WHERE state = 'sent' AND occurrence = ?"
        )
        return {
            (post_id, account): (digest, unstamp(sent_at))
            for post_id, account, digest, sent_at in self.db.execute(query, (ONCE,))
        }

    # Writing: each method is one short transaction, and each update is guarded by the
    # lifecycle: it names its event, and changes the row only from a state that event
    # is allowed in (a `sending` row only for its owner). A refused write changes nothing.

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
    ) -> Claim | None:
        """Take a delivery for sending if nobody has it and it is due; None otherwise
        (see `lifecycle.claimable`). `source` (where the post file's text came from in
        git) is recorded with the claim, replacing an earlier claim's: what goes out
        now is sent from it."""
        with self.transaction() as db:
            values = db.execute(
                f"SELECT {_COLUMNS} FROM deliveries"
                " WHERE post_id = ? AND occurrence = ? AND account = ?",
                key,
            ).fetchone()
            lease_until = stamp(now + lease)
            if values is None:
                if not claimable(None, due_at, now):
                    return None
                cursor = db.execute(
                    "INSERT INTO deliveries (post_id, occurrence, account, platform, state,"
                    " due_at, attempts, owner, lease_until, metadata, created_at, updated_at,"
                    " source_commit, source_blob, source_author, source_committed)"
                    " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, platform, next_state(NEW, Event.CLAIMED), stamp(due_at), owner,
                     lease_until, json.dumps(metadata or {}, ensure_ascii=False), stamp(now),
                     stamp(now), *_source_columns(source)),
                )  # fmt: skip
                row_id = cursor.lastrowid
                assert row_id is not None
                self._attempt(row_id, now, owner, Event.CLAIMED, None)
                return Claim(row_id, 1, ())
            row = _row(values)
            if not claimable(row, due_at, now):
                return None
            rescheduled = row.state in (RowState.FAILED, RowState.MISSED)
            attempts = 1 if rescheduled else row.attempts + 1
            new_due = row.due_at if row.state is RowState.PENDING else due_at
            rearmed = None if rescheduled else row.rearmed_at
            db.execute(
                "UPDATE deliveries SET state = ?, owner = ?, lease_until = ?,"
                " attempts = ?, due_at = ?, next_attempt_at = NULL, error = NULL,"
                " rearmed_at = ?, platform = ?, updated_at = ?, source_commit = ?,"
                " source_blob = ?, source_author = ?, source_committed = ?"
                " WHERE id = ? AND state = ?",
                (next_state(row.state, Event.CLAIMED), owner, lease_until, attempts,
                 stamp(new_due), stamp(rearmed) if rearmed else None, platform, stamp(now),
                 *_source_columns(source), row.id, row.state),
            )  # fmt: skip
            self._attempt(row.id, now, owner, Event.CLAIMED, None)
        return Claim(row.id, attempts, self.parts(row.id))

    def renew(
        self, row_ids: Iterable[int], owner: str, now: datetime, lease: timedelta
    ) -> set[int]:
        """Extend the lease of every delivery `owner` holds among `row_ids`; returns the
        ones it no longer holds (taken over, or settled by someone else)."""
        ids = list(row_ids)
        if not ids:
            return set()
        held: set[int] = set()
        with self.transaction() as db:
            for row_id in ids:
                cursor = db.execute(
                    "UPDATE deliveries SET lease_until = ? WHERE id = ? AND owner = ?"
                    f" AND state IN {sql_states(Event.LEASE_RENEWED)}",
                    (stamp(now + lease), row_id, owner),
                )
                if cursor.rowcount == 1:
                    held.add(row_id)
        return set(ids) - held

    def part_starting(
        self, row_id: int, index: int, owner: str, now: datetime, lease: timedelta
    ) -> None:
        """Mark part `index` as in flight (and extend the lease) before its request.
        Raises ClaimLost if `owner` no longer holds the delivery."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE deliveries SET inflight_part = ?, lease_until = ?, updated_at = ?"
                f" WHERE id = ? AND owner = ? AND state IN {sql_states(Event.PART_STARTED)}",
                (index, stamp(now + lease), stamp(now), row_id, owner),
            )
            if cursor.rowcount != 1:
                raise ClaimLost(f"delivery {row_id} is no longer held by {owner}")

    def part_published(
        self, row_id: int, index: int, receipt: PartReceipt, now: datetime, owner: str
    ) -> None:
        """Record a published part as soon as it exists; nothing is in flight after it.

        The part exists on the platform whoever holds the delivery now: if `owner` lost
        the claim, it is still recorded (as a part too, unless another publisher holds
        the delivery), and the owner's next `part_starting` stops it."""
        insert = (
            "INSERT OR REPLACE INTO parts (delivery_id, part_index, remote_id, url,"
            " published_at) VALUES (?, ?, ?, ?, ?)"
        )
        part = (row_id, index, receipt.remote_id, receipt.url, stamp(now))
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE deliveries SET inflight_part = NULL, updated_at = ?"
                f" WHERE id = ? AND owner = ? AND state IN {sql_states(Event.PART_PUBLISHED)}",
                (stamp(now), row_id, owner),
            )
            if cursor.rowcount == 1:
                db.execute(insert, part)
                return
            note = _("part {number} published after the claim was lost: {url}").format(
                number=index + 1, url=receipt.url
            )
            values = db.execute("SELECT state FROM deliveries WHERE id = ?", (row_id,)).fetchone()
            if values is not None and values[0] != RowState.SENDING:
                db.execute(insert, part)
            self._attempt(row_id, now, owner, Event.PART_PUBLISHED, note)

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
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE deliveries SET state = ?, owner = NULL, lease_until = NULL,"
                " inflight_part = CASE WHEN ? = 'unknown' THEN inflight_part END,"
                " error = ?, url = COALESCE(?, url), content_hash = COALESCE(?, content_hash),"
                " next_attempt_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,"
                f" updated_at = ? WHERE id = ? AND state IN {guard}"
                " AND (state != 'sending' OR owner = ?)",
                (state.value, state.value, error, url, content_hash,
                 stamp(next_attempt_at) if next_attempt_at else None,
                 state.value, stamp(now), stamp(now), row_id, owner),
            )  # fmt: skip
            took = cursor.rowcount == 1
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

    def mark_missed(
        self, key: DeliveryKey, *, platform: str, due_at: datetime, now: datetime, reason: str
    ) -> bool:
        """Record a delivery that is past its deadline and will not be sent (nobody holds
        it). Returns whether anything was recorded."""
        missed = next_state(NEW, Event.DEADLINE_PASSED)
        with self.transaction() as db:
            values = db.execute(
                "SELECT id, state FROM deliveries WHERE post_id = ? AND occurrence = ?"
                " AND account = ?",
                key,
            ).fetchone()
            if values is None:
                cursor = db.execute(
                    "INSERT INTO deliveries (post_id, occurrence, account, platform, state,"
                    " due_at, error, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, platform, missed, stamp(due_at), reason, stamp(now), stamp(now)),
                )
                row_id = cursor.lastrowid
                assert row_id is not None
            else:
                row_id = values[0]
                # A `sending` row is its holder's to settle, or expiry's.
                cursor = db.execute(
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

    def release_stale(self, now: datetime, is_dead: StaleCheck) -> list[LogRow]:
        """Settle rows left `sending` by a publisher that is gone: its lease ran out (a
        live publisher keeps renewing it), or it no longer exists on this machine. With
        a part in flight the outcome is unknown; between parts the delivery goes back to
        the queue and resumes where it stopped. Returns the rows that became unknown."""
        became_unknown: list[LogRow] = []
        with self.transaction() as db:
            query = f"SELECT {_COLUMNS} FROM deliveries WHERE state = 'sending'"
            for row in [_row(values) for values in db.execute(query)]:
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
                db.execute(
                    "UPDATE deliveries SET state = ?, owner = NULL, lease_until = NULL,"
                    " error = ?, updated_at = ? WHERE id = ? AND state = 'sending'"
                    " AND owner IS ?",
                    (next_state(row.state, event), error, stamp(now), row.id, row.owner),
                )
                self._attempt(row.id, now, row.owner, event, error)
        return became_unknown

    def resolve(self, row_id: int, *, sent_url: str | None, now: datetime) -> None:
        """Settle an unknown delivery: sent (at `sent_url`) or not sent (queue it again).
        Raises TransitionRefused if the delivery is not unknown."""
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

    def sent_rows(self, post_id: str, account: str | None = None) -> list[LogRow]:
        """The sent deliveries of a post (of one account, if given), oldest first."""
        query = f"SELECT {_COLUMNS} FROM deliveries WHERE post_id = ? AND state = 'sent'"
        args: list[str] = [post_id]
        if account is not None:
            query += " AND account = ?"
            args.append(account)
        return [_row(values) for values in self.db.execute(query + " ORDER BY id", args)]

    def retracted(self, row_id: int, now: datetime) -> None:
        """Record that a sent delivery was deleted from its platform."""
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
        with self.transaction() as db:
            values = db.execute("SELECT state FROM deliveries WHERE id = ?", (row_id,)).fetchone()
            current = RowState(values[0]) if values else None
            state = next_state(current, event)  # raises TransitionRefused
            extra = f"{sets}, " if sets else ""
            db.execute(
                f"UPDATE deliveries SET {extra}state = ?, updated_at = ? WHERE id = ?"
                " AND state = ?",
                (*args, state, stamp(now), row_id, current),
            )
            self._attempt(row_id, now, None, event, note)

    def _attempt(
        self, row_id: int, now: datetime, owner: str | None, outcome: str, error: str | None
    ) -> None:
        self.db.execute(
            "INSERT INTO attempts (delivery_id, at, owner, outcome, error) VALUES (?, ?, ?, ?, ?)",
            (row_id, stamp(now), owner, str(outcome), error),
        )


# Says whether the process named by an owner string is certainly gone.
StaleCheck = Callable[[str], bool]
