"""The daemon: publishes each delivery at its time, for months, without anyone watching.

APScheduler wakes a publishing pass (the same `publish_pass` as `humaspost publish`) at
each upcoming delivery's time and at every retry's time, plus a periodic sweep for
anything else (catch-up after downtime, missed work). Post files are watched with
watchdog (inotify on Linux): a changed, added or removed file is reloaded on its own,
so an edit among 10,000 posts is picked up in well under a second, and an idle daemon
uses no CPU to look for changes (polling 10,000 files every second would cost several
per cent of a core). A file that no longer validates keeps out only its own post.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, NamedTuple

from humaspost.checks import (
    CheckedPost,
    FileResult,
    MediaCache,
    check_across_posts,
    check_and_keep,
)
from humaspost.config import Config
from humaspost.plan import Delivery, PlannedPost, State
from humaspost.posts import Post
from humaspost.problems import HumaspostError, Problem, Severity, Span
from humaspost.processes import is_gone, this_process
from humaspost.publisher import Outcome, PublishSettings, Result
from humaspost.publog import PublishLog
from humaspost.repository import is_post_path, shown_name, walk_posts
from humaspost.runs import publish_pass
from humaspost.times import OffsetClock
from humaspost.workflow import LoadedPosts, log_path, plan_from_log
from humaspost.yamlpos import Located

HEARTBEAT_NAME = "daemon.json"
LOCK_NAME = "daemon.lock"
SWEEP_EVERY = timedelta(seconds=60)
# Wake-ups are planned this far ahead; later ones are added as time goes by.
HORIZON = timedelta(days=2)
# With nothing within HORIZON, the heartbeat's next_delivery is looked for this far ahead
# (a weekday repeat on a Friday: the next one is on Monday).
NEXT_LOOKAHEAD = timedelta(days=400)
# File events arriving within this long of each other are handled together (a `git pull`
# replacing many files at once is one reload).
SETTLE = 0.2

_EMPTY = Located({})


class DaemonAlreadyRunning(HumaspostError):
    """Another daemon holds the lock of this state folder."""


class PostCache:
    """Every post file, loaded and checked, reloaded one file at a time as it changes."""

    def __init__(self, config: Config, cwd: Path, clock: OffsetClock) -> None:
        self.config = config
        self.cwd = cwd
        self.clock = clock
        self.media = MediaCache(config.root)
        self.files: dict[Path, _Entry] = {}
        self.lock = threading.Lock()

    def load_all(self) -> None:
        """Load every post under posts_dir."""
        paths = walk_posts(self.config.posts_dir) if self.config.posts_dir.is_dir() else []
        with self.lock:
            self.files = {path: self._load(path) for path in paths}

    def reload(self, paths: set[Path], folders: frozenset[Path] = frozenset()) -> list[str]:
        """Reload changed files (removed ones drop out) and every post file in or once in
        `folders` (moved or removed as a whole); returns the names of the post files
        that changed, as shown (not editors' temporary files and the like)."""
        self.media = MediaCache(self.config.root)  # an image may have changed too
        paths = set(paths)
        if folders:
            for folder in folders:
                if folder.is_dir():
                    paths.update(walk_posts(folder))
            with self.lock:
                paths.update(p for p in self.files if not folders.isdisjoint(p.parents))
        # Loaded outside the lock: a pass meanwhile uses the posts as they were.
        loaded = {
            path: self._load(path)
            for path in paths
            if path.is_file() and is_post_path(path, self.config.posts_dir)
        }
        with self.lock:
            gone = {path for path in paths if path not in loaded and path in self.files}
            for path in gone:
                del self.files[path]
            self.files.update(loaded)
        return sorted(shown_name(path, self.cwd) for path in {*loaded, *gone})

    def _load(self, path: Path) -> _Entry:
        post, result = check_and_keep(
            path, shown_name(path, self.cwd), self.config, self.clock(), self.media, {}
        )
        # Only what the daemon acts on is kept, so that 10,000 scheduled posts fit in a
        # few tens of MB: no YAML nodes (positions are only needed for problems, already
        # found), only errors (a file with one is held back; warnings are for `check`),
        # no per-account reports, no texts for the duplicate-text warning.
        errors = tuple(p for p in result.problems if p.severity is Severity.ERROR)
        return _Entry(replace(post, located=_EMPTY) if post else None, errors, result.id_span)

    def snapshot(self) -> LoadedPosts:
        """The posts as they are now, with the checks across files redone."""
        with self.lock:
            entries = list(self.files.values())
        problems = [problem for entry in entries for problem in entry.errors]
        # Across files, only a shared id is an error (a repeated text is a warning):
        # `check_across_posts` gets the posts that share one.
        by_id: dict[str, list[_Entry]] = defaultdict(list)
        for entry in entries:
            if entry.post is not None:
                by_id[entry.post.id].append(entry)
        sharing = [
            FileResult([], CheckedPost(entry.post.id, entry.post.shown, ()), entry.id_span)
            for group in by_id.values()
            if len(group) > 1
            for entry in group
            if entry.post is not None
        ]
        problems += check_across_posts(sharing)
        bad = {p.file for p in problems if p.severity is Severity.ERROR}
        planned = [PlannedPost(e.post, e.post.shown in bad) for e in entries if e.post]
        return LoadedPosts(planned, problems)


class _Entry(NamedTuple):
    """A post file as the daemon keeps it: the post (None if it did not load), its
    errors, and where it sets its id (for the shared-id error)."""

    post: Post | None
    errors: tuple[Problem, ...]
    id_span: Span | None


class Daemon:
    """The long-running scheduler. `run` returns when `stop` is set."""

    def __init__(
        self,
        config: Config,
        *,
        cwd: Path,
        clock: OffsetClock,
        environ: Mapping[str, str],
        sandbox: bool,
        workers: int,
        logger: logging.Logger,
        stop: threading.Event,
    ) -> None:
        self.config = config
        self.clock = clock
        self.environ = environ
        self.sandbox = sandbox
        self.log = logger
        self.stop = stop
        self.cache = PostCache(config, cwd, clock)
        self.path = log_path(config, sandbox=sandbox)
        self.settings = PublishSettings(self.path, this_process(), workers=workers)
        self.pass_lock = threading.Lock()
        # reschedule runs in the main loop (after a reload) and in scheduler threads
        # (after a pass): one at a time, or both add the same wake-up.
        self.plan_lock = threading.Lock()
        self.changed: set[Path] = set()
        self.changed_folders: set[Path] = set()
        self.changed_lock = threading.Lock()
        self.wake = threading.Event()
        self.started = clock()
        self.last_pass: datetime | None = None
        self.next_wake: datetime | None = None

    def run(self) -> None:
        """Load, catch up, then publish on time until stopped."""
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        with _DaemonLock(self.config.state_dir):
            self.scheduler = BackgroundScheduler(timezone=UTC)
            # Watch before loading: a file changed while the others load is reloaded
            # after, not missed until the next restart.
            observer = self.watch()
            try:
                self.cache.load_all()
                loaded = self.cache.snapshot()
                self.report_problems(loaded.problems)
                self.log.info(
                    "started",
                    extra={
                        "posts": len(loaded.planned),
                        "sandbox": self.sandbox,
                        "pid": os.getpid(),
                    },
                )
                self.scheduler.add_job(
                    self.publish,
                    IntervalTrigger(seconds=SWEEP_EVERY.total_seconds(), timezone=UTC),
                    args=["sweep"],
                    id="sweep",
                    max_instances=1,
                    coalesce=True,
                )
                self.scheduler.start()
                self.publish("start")  # catch-up: what fell due while no daemon ran
                self.loop()
            finally:
                observer.stop()
                if self.scheduler.running:
                    self.scheduler.shutdown(wait=False)
                # Let a pass in flight finish its delivery; a reschedule after it sees
                # `stop` and leaves the heartbeat alone.
                with self.pass_lock, self.plan_lock:
                    self.write_heartbeat(running=False)
                observer.join(timeout=2)
                self.log.info("stopped", extra={})

    def loop(self) -> None:
        while not self.stop.is_set():
            self.wake.wait()
            if self.stop.is_set():
                return
            # Let a burst of file events (a `git pull`) settle into one reload.
            self.stop.wait(SETTLE)
            self.wake.clear()
            with self.changed_lock:
                paths, self.changed = self.changed, set()
                folders, self.changed_folders = self.changed_folders, set()
            names = self.cache.reload(paths, frozenset(folders)) if paths or folders else []
            if names:
                # An edit may have made a delivery due already: a pass now.
                loaded = self.reschedule(due_now=True)
                shown = set(names)
                if loaded is not None:
                    self.report_problems([p for p in loaded.problems if p.file in shown])
                self.log.info("reloaded", extra={"files": names})

    def watch(self) -> Any:
        """Start watching posts_dir; file events wake the main loop."""
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        daemon = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                if event.is_directory and event.event_type == "modified":
                    return  # a file in it changed: that file has its own event
                paths = {Path(os.fsdecode(event.src_path))}
                destination = getattr(event, "dest_path", "")
                if destination:
                    paths.add(Path(os.fsdecode(destination)))
                with daemon.changed_lock:
                    # A folder moved out of posts_dir comes as one event, not one per
                    # file: its posts must go too.
                    target = daemon.changed_folders if event.is_directory else daemon.changed
                    target |= paths
                daemon.wake.set()

        observer = Observer()
        self.config.posts_dir.mkdir(parents=True, exist_ok=True)
        observer.schedule(Handler(), str(self.config.posts_dir), recursive=True)
        observer.start()
        return observer

    def publish(self, reason: str) -> None:
        """One publishing pass (never two at once), then plan the next wake-ups."""
        if self.stop.is_set():
            return
        with self.pass_lock:
            loaded = self.cache.snapshot()
            try:
                result = publish_pass(
                    self.config,
                    loaded,
                    log_path=self.path,
                    clock=self.clock,
                    environ=self.environ,
                    sandbox=self.sandbox,
                    settings=self.settings,
                    events=_LogEvents(self.log),
                    is_gone=is_gone,
                    stop=self.stop,
                )
            except HumaspostError as error:  # e.g. the log locked by another program
                self.log.error("pass failed", extra={"reason": reason, "error": str(error)})
                return
            except Exception as error:  # a bug: in the daemon's log, and the daemon goes on
                self.log.error(
                    "pass failed",
                    extra={"reason": reason, "error": f"{type(error).__name__}: {error}"},
                    exc_info=True,
                )
                return
            self.last_pass = self.clock()
            for name, problems in result.missing_secrets.items():
                for problem in problems:
                    self.log.error(
                        "missing secret", extra={"account": name, "error": problem.message}
                    )
            if result.unknown_after > result.unknown_before:
                self.log.error(
                    "unknown deliveries",
                    extra={"count": result.unknown_after, "hint": "humaspost log --state unknown"},
                )
        self.reschedule()

    def reschedule(self, *, due_now: bool = False) -> LoadedPosts | None:
        """Add a wake-up for every upcoming delivery time (and retry), drop stale ones;
        returns the posts planned (None when stopping). `due_now` (after a reload): a
        pass at once if something is due. Not after a pass: what is still due then could
        not be sent (a missing secret) and waits for the sweep, or passes would follow
        each other without pause. The posts are taken inside the lock, so that the last
        plan is always of the latest posts (a pass that began before an edit must not
        undo the edit's wake-ups)."""
        with self.plan_lock:
            if self.stop.is_set():  # stopping: no new wake-ups, no "running" heartbeat
                return None
            loaded = self.cache.snapshot()
            self._reschedule(loaded, due_now=due_now)
            return loaded

    def _reschedule(self, loaded: LoadedPosts, *, due_now: bool) -> None:
        from apscheduler.jobstores.base import JobLookupError
        from apscheduler.triggers.date import DateTrigger

        now = self.clock()
        with PublishLog(self.path) as log:
            deliveries = plan_from_log(loaded, self.config, log, now, until=now + HORIZON)
            times = _wake_times(deliveries, now)
            upcoming = min(times, default=None)
            if upcoming is None:  # nothing within HORIZON: when is the next one at all?
                later = plan_from_log(loaded, self.config, log, now, until=now + NEXT_LOOKAHEAD)
                upcoming = min(_wake_times(later, now), default=None)
        if due_now and any(d.state is State.DUE for d in deliveries):
            times.add(now)
        wanted = {f"wake-{t.isoformat()}": t for t in sorted(times)[:500]}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("wake-") and job.id not in wanted:
                with contextlib.suppress(JobLookupError):  # it ran (and went) meanwhile
                    job.remove()
        existing = {job.id for job in self.scheduler.get_jobs()}
        for job_id, moment in wanted.items():
            if job_id not in existing:
                self.scheduler.add_job(
                    self.publish,
                    DateTrigger(run_date=self.clock.real(moment), timezone=UTC),
                    args=["due"],
                    id=job_id,
                    # Late by less than max_delay still goes out (e.g. after a pause).
                    misfire_grace_time=int(self.config.max_delay.total_seconds()),
                    max_instances=1,
                )
        self.next_wake = upcoming
        self.write_heartbeat(running=True)

    def report_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem.severity is Severity.ERROR:
                self.log.error(
                    "post held back",
                    extra={
                        "file": problem.file,
                        "line": problem.line,
                        "code": problem.code,
                        "error": problem.message,
                    },
                )

    def write_heartbeat(self, *, running: bool) -> None:
        """Tell `schedule` (and people) whether a daemon runs and when it last worked."""
        data = {
            "running": running,
            "updated": self.clock().isoformat(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": self.started.isoformat(),
            "last_sweep": self.last_pass.isoformat() if self.last_pass else None,
            "next_delivery": self.next_wake.isoformat() if self.next_wake else None,
            "sandbox": self.sandbox,
        }
        target = self.config.state_dir / HEARTBEAT_NAME
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(temporary, target)


def _wake_times(deliveries: list[Delivery], now: datetime) -> set[datetime]:
    return {
        d.ready_at
        for d in deliveries
        if d.state in (State.SCHEDULED, State.RETRYING) and d.ready_at > now
    }


class _LogEvents:
    """Publisher events as log lines."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log

    def started(self, delivery: Delivery) -> None:
        self.log.info(
            "sending", extra={"post": delivery.key.post_id, "account": delivery.key.account}
        )

    def finished(self, outcome: Outcome) -> None:
        level = logging.INFO if outcome.result is Result.SENT else logging.ERROR
        if outcome.result in (Result.RETRYING, Result.MISSED):
            level = logging.WARNING
        self.log.log(
            level,
            str(outcome.result),
            extra={
                "post": outcome.delivery.key.post_id,
                "account": outcome.delivery.key.account,
                "url": outcome.url,
                "error": outcome.error,
            },
        )


class _DaemonLock:
    """One daemon per state folder: an exclusive lock held for the daemon's life."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_NAME
        self.handle: IO[str] | None = None

    def __enter__(self) -> _DaemonLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise DaemonAlreadyRunning(
                f"a daemon is already running for {self.path.parent} ({holder}); "
                "stop it first (one daemon per state folder)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()  # closing releases the lock


def read_heartbeat(state_dir: Path) -> dict[str, Any] | None:
    """The daemon's heartbeat, or None if no daemon ever ran here."""
    try:
        data: dict[str, Any] = json.loads((state_dir / HEARTBEAT_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data


def daemon_alive(heartbeat: Mapping[str, Any]) -> bool:
    """Whether the daemon that wrote the heartbeat is still running."""
    if not heartbeat.get("running"):
        return False
    return not is_gone(f"{heartbeat.get('host')}/{heartbeat.get('pid')}")
