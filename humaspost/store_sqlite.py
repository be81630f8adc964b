"""The publish log in a SQLite file under state_dir: the default backend.

One file, one machine: every write takes the file's write lock in a short IMMEDIATE
transaction, so concurrent publishers on the machine (cron, the daemon, a person's
`publish`) take turns. The file is made complete before it appears under its name,
and every fault of the file or its disk becomes a PublishLogError that says what to do.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from humaspost.i18n import N_, _
from humaspost.store import PublishLogError

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
    # What every daemon publishing from the log last said about itself (its heartbeat):
    # `schedule` lists them. One row per daemon process (`owner` as in deliveries).
    """
    CREATE TABLE daemons (
        owner TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started TEXT,
        updated TEXT NOT NULL,
        last_pass TEXT,
        next_delivery TEXT,
        running INTEGER NOT NULL,
        sandbox INTEGER NOT NULL
    );
    """,
    # What a delivery is (`lifecycle.KINDS`): a post, or a re-share of one (amplify,
    # repost). A re-share's occurrence names its origin (`once>pemkot-x`).
    """
    ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'post';
    """,
    # The complaint inbox (humaspost.inbox_log): citizens' mentions and comments, their
    # history, where each account's fetch goes on from (and who is fetching it), the
    # pseudonym key. AUTOINCREMENT: an item's number is never given again, even after
    # the newest items were purged (`reply_to: 42` must not come to mean someone else).
    # A reply delivery names its item (`reply_to`); parts are looked up by remote id to
    # tell which of our posts an item answers.
    """
    CREATE TABLE inbox_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        platform TEXT NOT NULL,
        account TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        author_id TEXT NOT NULL,
        author_name TEXT NOT NULL,
        author_handle TEXT,
        text TEXT NOT NULL,
        url TEXT NOT NULL,
        received_at TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        answers_post TEXT,
        answers_remote_id TEXT,
        status TEXT NOT NULL,
        office TEXT,
        category TEXT,
        due_at TEXT NOT NULL,
        answered_at TEXT,
        settled_at TEXT,
        reply_url TEXT,
        UNIQUE (platform, remote_id)
    );
    CREATE INDEX inbox_items_by_status ON inbox_items (status, due_at);
    CREATE INDEX inbox_items_by_author ON inbox_items (platform, author_id);
    CREATE TABLE inbox_history (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES inbox_items (id),
        at TEXT NOT NULL,
        by_name TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX inbox_history_by_item ON inbox_history (item_id);
    CREATE TABLE inbox_cursors (
        account TEXT PRIMARY KEY,
        platform TEXT NOT NULL,
        cursor TEXT,
        not_before TEXT,
        owner TEXT,
        lease_until TEXT,
        fetched_at TEXT
    );
    CREATE TABLE inbox_secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE deliveries ADD COLUMN reply_to INTEGER;
    CREATE INDEX parts_by_remote_id ON parts (remote_id);
    """,
)

LOG_NAME = "publog.sqlite"
BUSY_TIMEOUT = 30.0  # seconds a command waits for another's lock on the log
# How to get a damaged log back, part of several messages (translated where shown).
RESTORE = N_('restore it from a backup (docs/operations.md, "Backing up the publish log")')


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
                path=path, restore=_(RESTORE)
            )
        )
    if info.st_size == 0:
        raise PublishLogError(
            _(
                "the publish log {path} is empty (0 bytes: cut short, or a failed copy); it is"
                " not taken as a new log, which would send every post again: {restore}"
            ).format(path=path, restore=_(RESTORE))
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
        ).format(path=path, error=error, restore=_(RESTORE))
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
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
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


class SqliteStore:
    """The publish log in a SQLite file (see humaspost.store.Store)."""

    lock_rows = ""
    known_version = len(MIGRATIONS)

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open the log at `path` for writing (a missing file becomes a new log), or with
        `read_only` open an existing one without ever writing it (`log`, dry runs)."""
        self.path = path
        self.where = str(path)
        if read_only:
            if not log_exists(path):
                raise PublishLogError(_("there is no publish log at {path}").format(path=path))
            self.connection = _connect(path, _reading_mode(path))
        else:
            if not log_exists(path):
                _create(path)
            _check_writable(path)
            self.connection = _connect(path, "mode=rw")
        self.read_only = read_only

    def prepare(self) -> None:
        """Settings of a writing connection, once the schema is current."""
        db = self.connection
        # A log restored from a copy may have come back in rollback-journal mode.
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        """Run one statement."""
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each set of parameters."""
        self.connection.executemany(sql, params)

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """A write transaction that takes the write lock at once (no upgrade deadlocks)."""
        return _transaction(self.connection)

    def version(self) -> int:
        """The schema version (`PRAGMA user_version`)."""
        return _version(self.connection)

    def tables(self) -> set[str]:
        """The tables of the file (reading it: a file that is not a database fails here)."""
        query = "SELECT name FROM sqlite_master WHERE type = 'table'"
        return {name for (name,) in self.connection.execute(query)}

    def migrate(self) -> None:
        """Bring the schema up to date, in one transaction."""
        _migrate(self.connection)

    def reconnect(self, seconds: float) -> None:
        """A file has no connection to lose."""
        raise AssertionError("a SQLite log never loses its connection")

    def close(self) -> None:
        """Close the file."""
        self.connection.close()
