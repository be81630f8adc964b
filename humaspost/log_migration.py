"""Moving an office's publish log from its SQLite file to a PostgreSQL database
(`humaspost log migrate --to URL`), and the guard that keeps a server from publishing
from an empty database while the office's history still sits in the file.

The copy is one transaction: every delivery, part, attempt and first-seen record with
its number, into a database with no deliveries yet; the counts are compared before
the commit and again after it. A failed copy leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from humaspost.config import Config
from humaspost.i18n import _
from humaspost.problems import UsageError
from humaspost.publog import LogLocation, PublishLog, PublishLogError, log_exists
from humaspost.store_postgres import DatabaseUrl, PostgresStore
from humaspost.store_sqlite import LOG_NAME, SqliteStore

# Copied in this order (parts and attempts refer to deliveries, an item's history to
# the item); `daemons` is not copied: a heartbeat says something only of the server that
# wrote it. The inbox goes too, its pseudonym key with it (exports keep their names).
TABLES = ("deliveries", "parts", "attempts", "posts_seen", "inbox_items", "inbox_history",
          "inbox_cursors", "inbox_secrets")  # fmt: skip
# Tables whose numbers the database makes: they go on from the copied ones.
NUMBERED = ("deliveries", "attempts", "inbox_items", "inbox_history")
_BATCH = 1000


@dataclass(frozen=True)
class Migrated:
    """What `migrate_log` copied: rows per table, as counted in the database after."""

    source: Path
    target: str  # the database, as messages name it (never with its password)
    counts: dict[str, int]


def sqlite_log_of(config: Config) -> Path:
    """The SQLite file a config without `publish_log` publishes from."""
    return config.state_dir / LOG_NAME


def migrate_log(source: Path, target: DatabaseUrl) -> Migrated:
    """Copy the log at `source` into the database `target`, which gets the schema if it
    has none. Refuses (UsageError) a missing source and a target that already holds
    deliveries; raises PublishLogError if the counts differ (nothing is committed)."""
    if not log_exists(source):
        raise UsageError(
            _("there is no publish log at {path} to copy (nothing was published here)").format(
                path=source
            )
        )
    with PublishLog(source, read_only=True) as old, PublishLog(target) as new:
        assert isinstance(old.store, SqliteStore) and isinstance(new.store, PostgresStore)
        wanted = {table: _count(old, table) for table in TABLES}
        with new.transaction():
            already = {table: _count(new, table) for table in TABLES}
            if any(already.values()):
                raise UsageError(
                    _(
                        "the publish log {target} already has deliveries ({deliveries}),"
                        " attempts ({attempts}) or inbox items ({items}); the log is copied"
                        " only into a database without any (make a new database, or drop"
                        " its tables)"
                    ).format(
                        target=new.where,
                        deliveries=already["deliveries"],
                        attempts=already["attempts"],
                        items=already["inbox_items"],
                    )
                )
            for table in TABLES:
                _copy(old.store, new.store, table)
            # Numbers go on from the copied ones, not from 1; an inbox item's from the
            # highest the file ever gave (a purged item's number is never given again).
            for table in NUMBERED:
                highest = max(_highest_given(old.store, table), 0)
                new.store.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" GREATEST(COALESCE(max(id), 1), CAST(? AS BIGINT)),"
                    f" max(id) IS NOT NULL OR CAST(? AS BIGINT) > 0)"
                    f" FROM {table}",
                    (highest, highest),
                )
            _compare(wanted, {table: _count(new, table) for table in TABLES}, new.where)
    with PublishLog(target, read_only=True) as check:
        counts = {table: _count(check, table) for table in TABLES}
    _compare(wanted, counts, check.where)
    return Migrated(source, check.where, counts)


def _count(log: PublishLog, table: str) -> int:
    count: int = log.store.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return count


def _highest_given(old: SqliteStore, table: str) -> int:
    """The highest number SQLite ever gave in `table` (AUTOINCREMENT tables keep it in
    sqlite_sequence, deleted rows included), 0 for the others."""
    found = old.connection.execute(
        "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
    ).fetchone()
    return int(found[0]) if found else 0


def _copy(old: SqliteStore, new: PostgresStore, table: str) -> None:
    cursor = old.connection.execute(f"SELECT * FROM {table}")
    columns = [column[0] for column in cursor.description]
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    while batch := cursor.fetchmany(_BATCH):
        new.executemany(insert, batch)


def _compare(wanted: dict[str, int], found: dict[str, int], where: str) -> None:
    differing = [table for table in TABLES if wanted[table] != found[table]]
    if differing:
        raise PublishLogError(
            _("the copy in {target} does not match the file ({tables}); nothing was kept").format(
                target=where,
                tables=", ".join(f"{t}: {found[t]} of {wanted[t]}" for t in differing),
            )
        )


def refuse_unmigrated(config: Config, location: LogLocation) -> None:
    """Refuse to publish from a database that has never had a delivery while the SQLite
    file beside it has some: every post still within its deadline would go out again.
    A UsageError that says to run `log migrate` first."""
    if not isinstance(location, DatabaseUrl):
        return
    old = sqlite_log_of(config)
    if not old.is_file() or old.stat().st_size == 0:
        return
    with PublishLog(old, read_only=True) as file_log:
        in_file = _count(file_log, "deliveries")
    if not in_file:
        return
    with PublishLog(location) as database:
        if _count(database, "deliveries"):
            return
    raise UsageError(
        _(
            "the publish log is now {target}, which has no deliveries, but {path} has "
            "{count}: publishing now would send them again. Copy it first: humaspost log "
            "migrate --to '${{{variable}}}' (or move the file away if it is not this "
            "office's)"
        ).format(target=location.shown, path=old, count=in_file, variable=location.variable)
    )
