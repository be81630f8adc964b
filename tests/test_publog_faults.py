"""The publish log's own faults: a log that is empty, not a database, newer, not ours,
damaged, read-only, locked, on a full disk, or in a state folder that is a file. Each is
refused with exit code 2 and a message naming the file, from every command that opens
the log; only a missing file is a new log."""

from __future__ import annotations

import os
import re
import resource
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from humaspost.lifecycle import Event
from humaspost.publog import (
    ONCE,
    DeliveryKey,
    PublishLog,
    PublishLogError,
)
from humaspost.store_sqlite import MIGRATIONS, SqliteStore
from tests.conftest import HUMASPOST, Repo, run_humaspost
from tests.sandbox_office import NOW, Office, spawn

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)

# Every command that opens the log, with what it needs to reach it.
COMMANDS = {
    "publish": ["publish", "--now", NOW],
    "log": ["log", "--all"],
    "schedule": ["schedule", "--all", "--now", NOW],
    "resolve": ["resolve", "1", "--not-sent", "--now", NOW],
    "retry": ["retry", "2", "--now", NOW],
}
WRITING = ["publish", "resolve", "retry"]


def fill(path: Path, posts: int = 2, error: str = "") -> None:
    """A log with post `p000` unknown (row 1), `p001` failed (row 2), then more failed."""
    with PublishLog(path) as log:
        for number in range(posts):
            key = DeliveryKey(f"p{number:03d}", ONCE, "latihan")
            claim = log.claim(
                key, platform="sandbox", due_at=T0, owner="h/1", now=T0, lease=timedelta(minutes=2)
            )
            assert claim is not None
            event = Event.UNCERTAIN if number == 0 else Event.PERMANENT_FAILURE
            log.finish(claim.row_id, event, owner="h/1", now=T0, outcome="test", error=error)


def office_repo(root: Path) -> Path:
    """A repository whose two posts go to the sandbox account `latihan`; its log path."""
    repo = Repo(root)
    for number in range(2):
        repo.post(f"p{number:03d}.md", "---\npublish_at: 2026-12-01 08:00\nto: latihan\n---\nHai\n")
    return repo.config().state_dir / "publog.sqlite"


def run_read_only(folder: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run humaspost where `folder` cannot be written: as root (whom permissions do not
    stop), in a mount namespace of its own where the folder is a read-only mount."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return run_humaspost(*args, cwd=cwd)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: no way to make a folder read-only")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
    return run_in(cwd, ["unshare", "-m", "sh", "-c", script, str(folder), str(HUMASPOST), *args])


def run_in(
    cwd: Path,
    argv: list[str],
    preexec_fn: Callable[[], None] | None = None,
    *,
    measured: bool = True,
) -> subprocess.CompletedProcess[str]:
    # Unmeasured: coverage's own data file could not be written under the file-size limit.
    skip = ("HUMASPOST_",) if measured else ("HUMASPOST_", "COVERAGE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    return subprocess.run(
        argv,
        cwd=cwd,
        env={**env, "NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=preexec_fn,
    )


@contextmanager
def read_only_file(path: Path) -> Iterator[None]:
    """`path` cannot be opened for writing (for root: the immutable attribute)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode:
        pytest.skip("running as root without chattr +i: no way to make a file read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def refused(result: subprocess.CompletedProcess[str], log_file: Path, words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert f"humaspost: error: the publish log {log_file} " in result.stderr, result.stderr
    assert words in result.stderr, result.stderr


# Opening: only a missing file is a new log


def test_a_missing_log_is_made_complete_and_nothing_is_left_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "publog.sqlite"
    # A draft left by a run that crashed while making the log is no log.
    path.parent.mkdir()
    (path.parent / ".publog.sqlite.0123456789ab.new").touch()
    with PublishLog(path) as log:
        assert log.search() == []
    assert path.stat().st_size > 0
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    drafts = [p.name for p in path.parent.iterdir() if p.name.endswith(".new")]
    assert drafts == [".publog.sqlite.0123456789ab.new"]


def test_many_opening_a_missing_log_at_once_share_one(tmp_path: Path) -> None:
    path = tmp_path / "publog.sqlite"
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_and_claim(number: int) -> None:
        start.wait()
        try:
            with PublishLog(path) as log:
                key = DeliveryKey("p", ONCE, f"a{number}")
                log.claim(key, platform="x", due_at=T0, owner="o", now=T0, lease=timedelta(1))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_and_claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with PublishLog(path) as log:
        assert len(log.search()) == 8


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty (0 bytes"),
        (b"deliveries,state\n1,sent\n" * 200, "is damaged (file is not a database)"),
    ],
    ids=["empty", "not-a-database"],
)
def test_an_empty_or_foreign_file_is_refused_and_left_as_it_is(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "publog.sqlite"
    path.write_bytes(content)
    for read_only in (False, True):
        with pytest.raises(PublishLogError, match=re.escape(words)) as caught:
            PublishLog(path, read_only=read_only)
        assert str(path) in str(caught.value) and "Backing up the publish log" in str(caught.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["publog.sqlite"]


def test_a_log_from_a_newer_humaspost_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "publog.sqlite"
    fill(path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(PublishLogError, match="written by a newer humaspost"):
        PublishLog(path)


@pytest.mark.parametrize("tables", ["", "CREATE TABLE notes (text TEXT)"], ids=["none", "other"])
def test_a_sqlite_file_without_humasposts_tables_is_refused(tmp_path: Path, tables: str) -> None:
    path = tmp_path / "publog.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")  # what a run stopped while making the log left
    if tables:
        db.execute(tables)
    db.close()
    with pytest.raises(PublishLogError, match="is not a humaspost publish log"):
        PublishLog(path)


def test_a_state_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("not a folder")
    for path in (tmp_path / "state" / "publog.sqlite", tmp_path / "state" / "sandbox" / "x"):
        for read_only in (False, True):
            with pytest.raises(PublishLogError, match=re.escape(f"{tmp_path / 'state'} is a file")):
                PublishLog(path, read_only=read_only)


def test_a_full_disk_is_a_publish_log_error_and_the_log_stays_usable(tmp_path: Path) -> None:
    path = tmp_path / "publog.sqlite"
    fill(path)
    with PublishLog(path) as log:
        assert isinstance(log.store, SqliteStore)
        pages = log.store.connection.execute("PRAGMA page_count").fetchone()[0]
        log.store.connection.execute(f"PRAGMA max_page_count = {pages}")  # the file cannot grow
        with pytest.raises(PublishLogError, match="the disk is full"):
            for number in range(200):
                key = DeliveryKey(f"new-{number}", ONCE, "latihan")
                log.claim(key, platform="sandbox", due_at=T0, owner="o", now=T0,
                          lease=timedelta(minutes=2), metadata={"big": "x" * 2000})  # fmt: skip
        assert not log.store.connection.in_transaction
        assert [row.key.post_id for row in log.search()][-2:] == ["p001", "p000"]


def test_a_damaged_page_is_a_publish_log_error_when_a_query_reaches_it(tmp_path: Path) -> None:
    path = tmp_path / "publog.sqlite"
    fill(path, posts=30, error="e" * 20000)
    damage(path)
    with PublishLog(path, read_only=True) as log, pytest.raises(PublishLogError, match="damaged"):
        log.search(limit=None)


def damage(path: Path) -> None:
    """Overwrite with garbage the pages in the middle of the file that hold the rows'
    long error texts (so that every command reading a row reaches one)."""
    data = bytearray(path.read_bytes())
    for start in range(4096, len(data), 4096):
        if b"e" * 1000 in data[start : start + 4096]:
            data[start : start + 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))


# Through the installed command


def prepare(root: Path, fault: str) -> Path:
    """A repository whose publish log has `fault`; the log's path."""
    log_file = office_repo(root)
    if fault == "state-folder-is-a-file":
        log_file.parent.write_text("")
        return log_file
    log_file.parent.mkdir(parents=True)
    if fault == "empty":
        log_file.touch()
    elif fault == "not-a-database":
        log_file.write_text("id,state\n1,sent\n" * 500)
    elif fault == "newer":
        fill(log_file)
        db = sqlite3.connect(log_file)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        db.close()
    elif fault == "damaged":
        fill(log_file, posts=2, error="e" * 20000)
        damage(log_file)
    return log_file


FAULTS = {
    "empty": "is empty (0 bytes",
    "not-a-database": "is damaged (file is not a database)",
    "newer": "written by a newer humaspost",
    "damaged": "is damaged (",
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_faulty_log_is_refused_by_every_command(tmp_path: Path, fault: str, command: str) -> None:
    log_file = prepare(tmp_path / "repo", fault)
    before = log_file.read_bytes()
    result = run_humaspost(*COMMANDS[command], cwd=tmp_path / "repo")
    refused(result, log_file, FAULTS[fault])
    assert "docs/operations.md" in result.stderr
    assert log_file.read_bytes() == before
    assert not (log_file.parent / "sandbox").exists()  # nothing was sent


@pytest.mark.parametrize("command", COMMANDS)
def test_a_state_folder_that_is_a_file_is_refused_by_every_command(
    tmp_path: Path, command: str
) -> None:
    log_file = prepare(tmp_path / "repo", "state-folder-is-a-file")
    result = run_humaspost(*COMMANDS[command], cwd=tmp_path / "repo")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{log_file.parent} is a file, but the publish log {log_file}" in result.stderr
    assert "set state_dir in humaspost.yaml" in result.stderr


def test_log_reads_a_log_in_a_folder_it_cannot_write(tmp_path: Path) -> None:
    log_file = office_repo(tmp_path / "repo")
    fill(log_file)
    args = ("log", "--format", "json")
    result = run_read_only(log_file.parent, *args, cwd=tmp_path / "repo")
    assert result.returncode == 0, result.stderr
    assert '"state": "unknown"' in result.stdout and '"state": "failed"' in result.stdout
    assert sorted(p.name for p in log_file.parent.iterdir()) == ["publog.sqlite"]
    for command in WRITING:
        denied = run_read_only(log_file.parent, *COMMANDS[command], cwd=tmp_path / "repo")
        refused(denied, log_file, "cannot be opened for writing")
        assert f"write access to it and to its folder {log_file.parent}" in denied.stderr


@pytest.mark.parametrize("command", WRITING)
def test_a_read_only_log_file_is_refused_by_writers(tmp_path: Path, command: str) -> None:
    log_file = office_repo(tmp_path / "repo")
    fill(log_file)
    with read_only_file(log_file):
        result = run_humaspost(*COMMANDS[command], cwd=tmp_path / "repo")
        refused(result, log_file, "cannot be opened for writing")
    assert not (log_file.parent / "sandbox").exists()


def limited_file_size(size: int) -> Callable[[], None]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.parametrize("command", WRITING)
def test_a_log_that_cannot_grow_is_refused_by_writers(tmp_path: Path, command: str) -> None:
    # No file may grow past 4 KiB: the write-ahead log's first page does not fit, as on
    # a full disk (Python ignores SIGXFSZ, so the write fails instead of killing it).
    log_file = office_repo(tmp_path / "repo")
    fill(log_file)
    argv = [str(HUMASPOST), *COMMANDS[command]]
    result = run_in(tmp_path / "repo", argv, preexec_fn=limited_file_size(4096), measured=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"the publish log {log_file} " in result.stderr
    assert "Traceback" not in result.stderr
    assert "the disk is full" in result.stderr or "could not be read or written" in result.stderr


def test_a_log_locked_past_the_busy_wait_is_refused_by_every_command(tmp_path: Path) -> None:
    log_file = office_repo(tmp_path / "repo")
    fill(log_file)
    # Another program holds the log exclusively (readers too) for longer than humaspost
    # waits: 30 s.
    holder = sqlite3.connect(log_file, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        runs = {name: spawn(tmp_path / "repo", *args) for name, args in COMMANDS.items()}
        results = {name: process.communicate(timeout=120) for name, process in runs.items()}
        assert time.monotonic() - started >= 29
    finally:
        holder.close()
    for name, (stdout, stderr) in results.items():
        assert runs[name].returncode == 2, (name, stdout, stderr)
        assert f"the publish log {log_file} is locked by another program" in stderr, stderr
    assert run_humaspost("log", cwd=tmp_path / "repo").returncode == 0


def test_two_publishers_started_together_on_a_fresh_repository(tmp_path: Path) -> None:
    for round_ in range(12):
        office = Office(tmp_path / f"round-{round_}", accounts=2, posts=3).write()
        runs = [spawn(office.root, "publish", "--now", NOW) for _ in range(2)]
        outputs = [process.communicate(timeout=120) for process in runs]
        for process, (stdout, stderr) in zip(runs, outputs, strict=True):
            assert process.returncode == 0, (round_, stdout, stderr)
        assert len(office.outbox()) == 6
        assert office.check() == []
