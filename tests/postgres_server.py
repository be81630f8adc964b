"""A real PostgreSQL server for the tests, made and started in a temporary folder.

The tests never mock the database: each pytest session (each xdist worker) runs its own
throwaway cluster on 127.0.0.1, and each test gets a fresh empty database in it. The
server programs come from Debian's `postgresql` package (or any `pg_ctl` on PATH).
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

SUPERUSER = "humaspost"
HOST = "127.0.0.1"
# Debian's initdb and pg_ctl refuse to run as root; as root the cluster belongs to this user.
SYSTEM_USER = "postgres"
_PROGRAMS = ("pg_ctl", "initdb", "postgres")
# A unix socket's path is limited to 108 bytes (sun_path), the socket's own name included.
_MAX_SOCKET_DIR = 90
_LOG_TAIL_LINES = 30


class PostgresError(RuntimeError):
    """The test server could not be made, started or stopped."""


@dataclass(frozen=True)
class PgBin:
    """The folder holding PostgreSQL's server programs."""

    folder: Path

    def program(self, name: str) -> str:
        """The full path of one program (pg_ctl, initdb, postgres) in that folder."""
        return str(self.folder / name)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))


def find_pg_bin() -> PgBin | None:
    """Find PostgreSQL's server programs: on PATH, or else the highest version of Debian's
    `/usr/lib/postgresql/<version>/bin`; None when neither has them all."""
    on_path = shutil.which("pg_ctl")
    if on_path is not None:
        # Debian links pg_ctl into PATH only from some packages; the real folder has all three.
        folder = Path(on_path).resolve().parent
        if all((folder / name).is_file() for name in _PROGRAMS):
            return PgBin(folder)
    debian = [
        folder
        for folder in Path("/usr/lib/postgresql").glob("*/bin")
        if all((folder / name).is_file() for name in _PROGRAMS)
    ]
    if debian:
        return PgBin(max(debian, key=_version_key))
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _clean_env() -> dict[str, str]:
    # PGDATA, PGPORT, PGPASSWORD ... of whoever runs the tests must not reach the programs.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


class PostgresServer:
    """One throwaway PostgreSQL cluster in `base` (a temporary folder), listening on
    127.0.0.1 only, with the superuser `humaspost` and a random password.

    Made for speed: fsync and full-page writes are off, so a crash of the machine may
    lose it, which a test cluster may; a crash of the server (`kill()`) loses no commit.
    """

    def __init__(self, base: Path, pg_bin: PgBin) -> None:
        self.base = base
        self.pg_bin = pg_bin
        self.data = base / "data"
        self.log = base / "postgres.log"
        self.host = HOST
        self.port = 0
        self._password = secrets.token_urlsafe(24)
        # As root, every program runs as the postgres system user (initdb refuses root).
        self._as_user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self._as_user = pwd.getpwnam(SYSTEM_USER)
            except KeyError:
                raise PostgresError(
                    f"running as root needs the {SYSTEM_USER!r} system user, which Debian's "
                    "postgresql package makes: install it (apt-get install postgresql)"
                ) from None
        self._started = False

    def __repr__(self) -> str:
        # Never the password.
        return f"PostgresServer({self.host}:{self.port}, data={self.data})"

    # Making the cluster

    def init(self) -> None:
        """Make the cluster (initdb) with the superuser and its password."""
        self.base.mkdir(parents=True, exist_ok=True)
        self.data.mkdir(mode=0o700)
        self.log.touch(mode=0o600)
        pwfile = self.base / "pwfile"
        pwfile.touch(mode=0o600)
        pwfile.write_text(self._password + "\n", encoding="utf-8")
        self._hand_over(self.data, self.log, pwfile)
        try:
            self._run(
                "initdb",
                "--pgdata",
                str(self.data),
                "--username",
                SUPERUSER,
                "--pwfile",
                str(pwfile),
                "--auth",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                # Byte order for text, as SQLite's default: the same sort on both backends.
                "--locale",
                "C",
                # A throwaway cluster: nothing gained by waiting for the disk.
                "--no-sync",
                "--no-instructions",
            )
        finally:
            pwfile.unlink()
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\ninclude_if_exists = 'humaspost-tests.conf'\n")

    def _write_settings(self) -> None:
        socket_dir = str(self.data) if len(str(self.data)) <= _MAX_SOCKET_DIR else ""
        settings = {
            "listen_addresses": HOST,
            "port": str(self.port),
            # A socket inside the data folder, never in the system's /var/run/postgresql;
            # none at all if the folder's path is too long for one.
            "unix_socket_directories": socket_dir,
            "fsync": "off",
            # Left on: with fsync off a commit costs only a write() (no measurable time),
            # and with it off a kill() would lose commits the server had acknowledged.
            "synchronous_commit": "on",
            "full_page_writes": "off",
            "max_connections": "300",
            # Debian's default would be as much for each worker's cluster as for a real one.
            "shared_buffers": "32MB",
            "max_wal_size": "1GB",
            "logging_collector": "off",
        }
        path = self.data / "humaspost-tests.conf"
        path.write_text(
            "".join(f"{key} = '{value}'\n" for key, value in settings.items()), encoding="utf-8"
        )
        self._hand_over(path)

    # Running it

    def start(self) -> None:
        """Start the server and wait until it accepts connections; on a first start pick a
        free port. Raises PostgresError with the end of the server's log when it fails."""
        if not (self.data / "PG_VERSION").exists():
            self.init()
        attempts = 3 if self.port == 0 else 1
        for attempt in range(attempts):
            if self.port == 0 or attempt > 0:
                self.port = free_port()
            self._write_settings()
            size = self.log.stat().st_size
            result = self._run(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.data),
                "--log",
                str(self.log),
                "--wait",
                "--timeout",
                "60",
                "--silent",
                check=False,
            )
            if result.returncode == 0:
                self._started = True
                atexit.register(self._stop_at_exit)
                return
            new_log = self._log_since(size)
            # Another process may take the free port between our probe and the server's bind.
            if "Address already in use" not in new_log:
                break
        raise PostgresError(
            f"PostgreSQL did not start on {self.host}:{self.port} "
            f"(pg_ctl exit {result.returncode}); the end of {self.log}:\n"
            + self.log_tail()
            + (result.stdout + result.stderr)
        )

    def stop(self) -> None:
        """Stop the server, cutting open connections (pg_ctl's fast mode)."""
        self._pg_ctl_stop("fast")

    def kill(self) -> None:
        """Stop the server as a crash would: no shutdown checkpoint, connections cut; the
        next start runs crash recovery (pg_ctl's immediate mode)."""
        self._pg_ctl_stop("immediate")

    def restart(self) -> None:
        """Stop (fast) and start again on the same port: every open connection breaks."""
        self.stop()
        self.start()

    def is_running(self) -> bool:
        """Whether the server's postmaster is alive."""
        result = self._run("pg_ctl", "status", "--pgdata", str(self.data), check=False)
        return result.returncode == 0

    def _pg_ctl_stop(self, mode: str) -> None:
        if not self._started:
            return
        self._run(
            "pg_ctl", "stop", "--pgdata", str(self.data), "--mode", mode, "--wait", "--silent"
        )
        self._started = False
        atexit.unregister(self._stop_at_exit)

    def _stop_at_exit(self) -> None:
        # A session ended without its fixture's teardown must not leave a server behind.
        if self._started:
            self._run(
                "pg_ctl", "stop", "--pgdata", str(self.data), "--mode", "immediate", check=False
            )

    def postmaster_pid(self) -> int:
        """The process id of the running server (from postmaster.pid)."""
        first = (self.data / "postmaster.pid").read_text(encoding="utf-8").splitlines()[0]
        return int(first)

    # Using it

    def url(self, dbname: str) -> str:
        """The connection URL of one database, password included: hand it to humaspost in
        an environment variable, never print it."""
        return f"postgresql://{SUPERUSER}:{self._password}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[TupleRow]:
        """A new autocommit connection to one database of the server, as the superuser."""
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=SUPERUSER,
            password=self._password,
            dbname=dbname,
            connect_timeout=5,
            autocommit=True,
        )

    def create_database(self, name: str) -> None:
        """Make an empty database (a copy of template0 in UTF-8)."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )

    def drop_database(self, name: str) -> None:
        """Drop a database if it exists, cutting whatever is still connected to it."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last lines of the server's log."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "".join(text.splitlines(keepends=True)[-lines:])

    # Helpers

    def _log_since(self, size: int) -> str:
        with open(self.log, "rb") as log:
            log.seek(size)
            return log.read().decode("utf-8", errors="replace")

    def _hand_over(self, *paths: Path) -> None:
        """As root, give the postgres user the files it writes, and a way to them."""
        if self._as_user is None:
            return
        for path in paths:
            os.chown(path, self._as_user.pw_uid, self._as_user.pw_gid)
        self._let_search(self.base)

    def _let_search(self, folder: Path) -> None:
        # pytest makes its temporary folders 0700 for root alone: the postgres user could
        # not reach the data folder through them. Grant search (x, not read) on those of
        # root's folders on the way that lack it; pytest tightens its own again next run.
        assert self._as_user is not None
        for current in [folder, *folder.parents]:
            status = current.stat()
            if status.st_mode & 0o001:
                continue
            if status.st_uid == self._as_user.pw_uid and status.st_mode & 0o100:
                continue
            if status.st_gid == self._as_user.pw_gid and status.st_mode & 0o010:
                continue
            if status.st_uid != os.geteuid():
                raise PostgresError(
                    f"the {SYSTEM_USER} user cannot reach {self.data}: {current} is closed to it"
                )
            current.chmod((status.st_mode & 0o7777) | 0o001)

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [self.pg_bin.program(program), *args]
        if self._as_user is not None:
            # Again each time: another pytest session starting meanwhile (a second
            # developer's run) closes pytest's root folder to others, and pg_ctl would
            # find no data folder: `status` would say "no server running" of a server
            # that runs, and `stop` would fail.
            if self.base.exists():
                self._let_search(self.base)
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        started = time.monotonic()
        result = subprocess.run(
            command,
            # Not the caller's folder, which the postgres user may not be able to enter.
            cwd=self.base,
            env=_clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            raise PostgresError(
                f"{program} {args[0] if args else ''} failed (exit {result.returncode}, "
                f"{time.monotonic() - started:.1f} s):\n{result.stdout}{result.stderr}"
                f"the end of {self.log}:\n{self.log_tail()}"
            )
        return result
