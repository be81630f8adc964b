"""What the publish log needs of a database: the interface its two backends implement.

`humaspost.publog` holds every query and lifecycle guard, written once in SQL that
both SQLite and PostgreSQL accept (`?` marks, `ON CONFLICT`, `RETURNING`). A backend
opens the database, runs its own numbered migrations, keeps transactions short and
turns its faults into a PublishLogError the user can act on:
`humaspost.store_sqlite` (a file under state_dir, the default) and
`humaspost.store_postgres` (a database that several servers share).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from humaspost.problems import HumaspostError


class PublishLogError(HumaspostError):
    """The publish log cannot be used (locked by another program, damaged, unwritable,
    its database unreachable)."""


class ConnectionLost(Exception):
    """The connection to a database server broke (the server restarted, the network
    went away). What the interrupted transaction did is undone or, if it was
    committing, unknown: the log runs it again on a new connection, and every write of
    the log is made so that running it twice changes nothing twice."""


class Rows(Protocol):
    """The result of one statement."""

    @property
    def rowcount(self) -> int:
        """How many rows the statement changed."""

    def fetchone(self) -> Any:
        """The next row, or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""

    def __iter__(self) -> Iterator[Any]: ...


class Store(Protocol):
    """A connection to the database holding a publish log."""

    # How messages name the log: a file's path, or a database and its host.
    where: str
    # Ends a SELECT of rows about to be changed. PostgreSQL: lock them, passing over
    # rows another server has locked (it is claiming them). SQLite's write lock covers
    # the whole file, so nothing is needed there.
    lock_rows: str
    # The schema version this code knows (its number of migrations).
    known_version: int

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        """Run one statement."""

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each set of parameters."""

    def transaction(self) -> AbstractContextManager[None]:
        """A short write transaction: committed at the end, undone on an error."""

    def version(self) -> int:
        """The schema version recorded in the database (0: none yet)."""

    def tables(self) -> set[str]:
        """The names of the tables in the database."""

    def migrate(self) -> None:
        """Bring the schema up to date, once, even with other processes migrating."""

    def reconnect(self, seconds: float) -> None:
        """Connect again after ConnectionLost, waiting up to `seconds` for the server."""

    def close(self) -> None:
        """Close the connection."""
