"""`check`'s results for each post file, kept between runs (issue 15).

An entry holds what checking one file found that depends on nothing but the file's
bytes, its media files, the config and humaspost itself (`checks.FileFacts`); the checks
that depend on the clock, the publish log or other files run every time. So an entry
is found by the file's path and used only when all of these are as they were:

- the file's bytes and the name it is shown by (the entry's key);
- the context: humaspost's own code and catalogs, the installed distributions (rules
  of plugins, the YAML and emoji libraries), Python, the language, the config as read,
  and the time-zone data of its zone (`context`);
- each media file's identity: where the path leads and that file's stat (device,
  inode, type, size, modification and change times), taken before it was read.

The entries are in one SQLite file (WAL, a busy timeout: runs at the same time wait
for each other's writes; readers never wait). Anything wrong with an entry makes it a
miss that is checked again and written anew; a file that is not a database is deleted
and made again; a cache that cannot be opened or written is done without. Entries are
unpickled with only humaspost's result classes allowed, so that a file someone planted
in the state folder cannot run code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import importlib.util
import io
import os
import pickle
import sqlite3
import sys
import zoneinfo
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import humaspost
from humaspost import checks
from humaspost.config import Config
from humaspost.i18n import current_language
from humaspost.media import Stamp, media_stamp
from humaspost.platforms.registry import GROUP
from humaspost.platforms.specs import BUILTIN_SPECS
from humaspost.problems import Problem, Severity, Span
from humaspost.textfile import read_plain

CACHE_FILE = "check-cache.sqlite"
# How many contexts (configs, languages, versions) keep their entries.
KEPT_CONTEXTS = 4
_BUSY_TIMEOUT_MS = 10_000
# Up to this many files, their entries are read one by one rather than all at once.
_FEW_FILES = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    context BLOB NOT NULL,
    path BLOB NOT NULL,  -- as the system spells it (os.fsencode)
    key BLOB NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (context, path)
);
CREATE TABLE IF NOT EXISTS contexts (context BLOB PRIMARY KEY, used INTEGER NOT NULL);
"""


def open_cache(config: Config, folder: Path | None) -> CheckCache:
    """The cache of `check` for `config` in the language in use: in `folder`, else the
    state folder."""
    return CheckCache.open(folder or config.state_dir, context(config, current_language()))


def context(config: Config, language: str) -> bytes:
    """The digest of everything besides a file and its media that a result depends on."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr(_own_files()).encode())
    digest.update("\0".join(_distributions(sys.path)).encode())
    digest.update(repr(_plugin_code(config)).encode())
    digest.update(f"\0{sys.version}\0{language}\0".encode())
    digest.update(canonical(config).encode())
    digest.update(repr(_zone_file(config.timezone.key)).encode())
    return digest.digest()


def _own_files() -> list[tuple[str, tuple[int, ...]]]:
    """humaspost's own code and catalogs by their stat, as git and make know a file
    changed: the change time moves with every write (an edit, a reinstall, a checkout).
    (os.walk: Path.rglob takes several times as long, on every run of `check`.)"""
    package = os.path.dirname(humaspost.__file__)
    found = []
    for folder, _folders, names in os.walk(package):
        for name in names:
            if name.endswith((".py", ".mo")):
                path = os.path.join(folder, name)
                info = os.stat(path)
                stat = (info.st_dev, info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns)
                found.append((path[len(package) :], (*stat, info.st_ctime_ns)))
    return sorted(found)


def _distributions(folders: Iterable[str]) -> list[str]:
    """The installed distributions with their versions (`tweepy-4.14.0.dist-info`)."""
    found: list[str] = []
    for folder in folders:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        found.extend(name for name in names if name.endswith((".dist-info", ".egg-info")))
    return sorted(found)


def _plugin_code(config: Config) -> list[Stamp]:
    """The identity of the code of each plugin platform the config's accounts use (a
    plugin's rules check posts): every Python file of the package or module its entry
    point names, which an editable install or a reinstall of one version changes."""
    used = {name for a in config.accounts.values() for name in (a.platform, a.rules_platform)}
    if used <= BUILTIN_SPECS.keys():
        return []
    from importlib.metadata import entry_points  # costs ~15 ms: only with plugins

    stamps: list[Stamp] = []
    for entry in sorted(entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        if entry.name not in used:
            continue
        try:
            spec = importlib.util.find_spec(entry.module.partition(".")[0])
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            stamps.append((entry.value, (0,)))
            continue
        folders = spec.submodule_search_locations or []
        files = [str(f) for folder in folders for f in sorted(Path(folder).rglob("*.py"))]
        stamps.extend(media_stamp(file) for file in files or [spec.origin or entry.value])
    return stamps


def _zone_file(key: str) -> Stamp | None:
    """The identity of the system's file of a time zone, which a system update may
    change (None: it comes from the tzdata distribution, whose version is counted)."""
    for folder in zoneinfo.TZPATH:
        stamp = media_stamp(os.path.join(folder, key))
        if len(stamp[1]) > 1:
            return stamp
    return None


def canonical(value: object) -> str:
    """A text that is the same for equal configs in every process: `repr`, except that
    sets are sorted (their order follows hash randomisation) and dataclasses spelt out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ", ".join(
            f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({fields})"
    if isinstance(value, Mapping):
        items = ", ".join(f"{canonical(k)}: {canonical(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(canonical(item) for item in value)) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(canonical(item) for item in value) + "]"
    return repr(value)


def file_key(path: Path, shown: str, raw: bytes) -> bytes:
    """The key of a post file's entry: its bytes, its path and the name it is shown by."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{path}\0{shown}\0".encode(errors="surrogateescape"))
    digest.update(raw)
    return digest.digest()


def entry_value(facts: checks.FileFacts, stamps: Mapping[str, Stamp]) -> bytes:
    """An entry's value: the facts and the identity of each media file they looked at."""
    kept = tuple((path, stamps[path]) for path in facts.media)
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    # A zone by its key (as the config names it), rather than through getattr.
    pickler.dispatch_table = {zoneinfo.ZoneInfo: lambda zone: (zoneinfo.ZoneInfo, (zone.key,))}
    pickler.dump((facts, kept))
    return buffer.getvalue()


class Entries:
    """The entries of one context, as read at the start of a run (the path as bytes ->
    key, value)."""

    def __init__(self, rows: Mapping[bytes, tuple[bytes, bytes]]) -> None:
        self.rows = rows
        self.stamps: dict[str, Stamp] = {}

    def lookup(self, path: Path, shown: str) -> checks.FileFacts | None:
        """The facts kept for this file, if its bytes and its media are as they were."""
        row = self.rows.get(os.fsencode(path))
        if row is None:
            return None
        raw = read_plain(path)
        if raw is None or row[0] != file_key(path, shown, raw):
            return None
        try:
            facts, stamps = _Unpickler(io.BytesIO(row[1])).load()
            if not isinstance(facts, checks.FileFacts):
                return None
            if any(self.stamp(written) != stamp for written, stamp in stamps):
                return None
        except Exception:  # a bad entry, whatever is wrong with it, is a miss
            return None
        return facts

    def stamp(self, path: str) -> Stamp:
        """`media_stamp`, once a run for each path (many posts share a logo)."""
        if path not in self.stamps:
            self.stamps[path] = media_stamp(path)
        return self.stamps[path]


_ALLOWED = {
    (cls.__module__, cls.__qualname__): cls
    for cls in (
        datetime.datetime,
        datetime.timedelta,
        datetime.timezone,
        checks.FileFacts,
        checks.CheckedPost,
        checks.DeliveryReport,
        checks.PartReport,
        checks.ReplyRef,
        checks._Timing,
        Problem,
        Severity,
        Span,
        zoneinfo.ZoneInfo,
    )
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name}")  # not a check result's class
        return found


class CheckCache:
    """The cache file of one run's context; every method is safe to call on a cache that
    went wrong (it then does nothing)."""

    def __init__(self, file: Path, connection: sqlite3.Connection | None, context: bytes) -> None:
        self.file = file
        self.connection = connection
        self.context = context

    @classmethod
    def open(cls, folder: Path, context: bytes) -> CheckCache:
        """Open (or make) the cache in `folder`; a file that is not a database is made
        anew, a folder that cannot be written means no cache."""
        file = folder / CACHE_FILE
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return cls(file, None, context)
        return cls(file, _connect(file), context)

    def entries(self, files: list[Path]) -> Entries:
        """This context's entries for `files` (all its entries, if they are many)."""
        if self.connection is None:
            return Entries({})
        query = "SELECT path, key, value FROM entries WHERE context = ?"
        try:
            if len(files) > _FEW_FILES:
                rows = self.connection.execute(query, (self.context,)).fetchall()
            else:
                rows = [
                    row
                    for file in files
                    for row in self.connection.execute(
                        query + " AND path = ?", (self.context, os.fsencode(file))
                    )
                ]
        except sqlite3.Error as error:
            self._after(error)
            return Entries({})
        return Entries({path: (key, value) for path, key, value in rows})

    def store(self, rows: list[tuple[bytes, bytes, bytes]], every_path: list[bytes] | None) -> None:
        """Write new entries (path, key, value); forget the contexts least recently
        written past the `KEPT_CONTEXTS` last, and, given `every_path` (all the post
        files there are), this context's entries of files that are gone."""
        if self.connection is None or not rows:
            return
        db = self.connection
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)",
                    [(self.context, path, key, value) for path, key, value in rows],
                )
                db.execute(
                    "INSERT OR REPLACE INTO contexts VALUES "
                    "(?, (SELECT COALESCE(MAX(used), 0) + 1 FROM contexts))",
                    (self.context,),
                )
                old = "SELECT context FROM contexts ORDER BY used DESC LIMIT -1 OFFSET ?"
                db.execute(f"DELETE FROM entries WHERE context IN ({old})", (KEPT_CONTEXTS,))
                db.execute(f"DELETE FROM contexts WHERE context IN ({old})", (KEPT_CONTEXTS,))
                if every_path is not None:
                    db.execute("CREATE TEMP TABLE IF NOT EXISTS present (path BLOB PRIMARY KEY)")
                    db.executemany(
                        "INSERT OR IGNORE INTO present VALUES (?)", [(p,) for p in every_path]
                    )
                    db.execute(
                        "DELETE FROM entries WHERE context = ? AND path NOT IN "
                        "(SELECT path FROM present)",
                        (self.context,),
                    )
                    db.execute("DELETE FROM present")
        except sqlite3.Error as error:
            # Locked past the timeout, read-only, full: the next run tries again.
            self._after(error)

    def _after(self, error: sqlite3.Error) -> None:
        """A damaged file is made anew (empty) for the next run; other errors pass."""
        if isinstance(error, sqlite3.DatabaseError) and _is_corrupt(error):
            self.close()
            _remove(self.file)
            self.connection = _connect(self.file)

    def close(self) -> None:
        """Close the file."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _connect(file: Path) -> sqlite3.Connection | None:
    """A connection to the cache file, made if missing and made anew if it is not a
    database; None if it cannot be used."""
    for attempt in range(2):
        try:
            connection = sqlite3.connect(file, timeout=_BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error:
            return None
        try:
            connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.executescript(_SCHEMA)
            return connection
        except sqlite3.Error as error:
            connection.close()
            if attempt or not isinstance(error, sqlite3.DatabaseError) or not _is_corrupt(error):
                return None
            _remove(file)
    return None


def _is_corrupt(error: sqlite3.DatabaseError) -> bool:
    return not isinstance(error, sqlite3.OperationalError) or "malformed" in str(error)


def _remove(file: Path) -> None:
    for name in (file, Path(f"{file}-wal"), Path(f"{file}-shm")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()
