"""The daemon: publishes each delivery at its time, for months, without anyone watching.

APScheduler wakes a publishing pass (the same `publish_pass` as `humaspost publish`) at
each upcoming delivery's time and at every retry's time, plus a periodic sweep for
anything else (catch-up after downtime, missed work). Post files are watched with
watchdog (inotify on Linux): a changed, added or removed file is reloaded on its own,
so an edit among 10,000 posts is picked up in well under a second, and an idle daemon
uses no CPU to look for changes (polling 10,000 files every second would cost several
per cent of a core). A file that no longer validates keeps out only its own post.

With `publish_from: committed` (a server deployed by `git pull`) an edit is not read:
the daemon keeps each post as it loaded it, and reads post files again only when HEAD
moves (a commit, a pull), found by watching the git folder and by asking git for HEAD
before every pass. Then the files changed on disk or in the commit are read again, and
a file that is not as the new HEAD has it is held back.

One loop does all the work: APScheduler's jobs and watchdog's events only post a message
to the main thread's inbox, and the main thread makes every pass, reload and reschedule
in turn, so none of them needs a lock. A wake-up that comes late (the machine slept)
still posts its message: whether a delivery is still due or missed is the plan's
decision, not the scheduler's.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import queue
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from humaspost.checks import (
    CheckedPost,
    FileResult,
    InboxLookup,
    MediaCache,
    check_across_posts,
)
from humaspost.config import Config
from humaspost.connections import missing_secrets
from humaspost.daemon_load import Entry, Reader
from humaspost.daemon_plan import PostPlans
from humaspost.gitsource import (
    Checkout,
    NoCheckout,
    changed_files,
    find_checkout,
    follow,
)
from humaspost.heartbeat import Heartbeat
from humaspost.i18n import N_, _, ngettext
from humaspost.inbox_fetch import FetchStatus, fetch_inbox
from humaspost.log_location import log_path
from humaspost.log_migration import refuse_unmigrated
from humaspost.plan import Delivery, PlannedPost, State
from humaspost.posts import Post
from humaspost.problems import HumaspostError, Problem, Severity, UsageError
from humaspost.processes import is_gone, this_process
from humaspost.publisher import Outcome, PublishSettings, Result
from humaspost.publog import LogLocation, PublishLog, RowState
from humaspost.replies import inbox_of
from humaspost.repository import is_post_path, shown_name, walk_posts
from humaspost.runs import outside_git_refusal, publish_pass
from humaspost.store_postgres import DatabaseUrl
from humaspost.timeline import plan_bounded
from humaspost.times import OffsetClock
from humaspost.workflow import LoadedPosts, committed_only

if TYPE_CHECKING:
    from watchdog.events import FileSystemEvent

LOCK_NAME = "daemon.lock"
SWEEP_EVERY = timedelta(seconds=60)
# After a pass that could not use the log, the next one comes this much later.
RETRY_PASS = timedelta(seconds=5)
# The events of the log are English for the JSON log's readers (programs); marked with
# N_() so that the text log can show them (and this hint) in the language in use.
MISSING_SECRETS_HINT = N_(
    "its deliveries are not sent, and are recorded missed once past their deadline; "
    "set the variables and restart the daemon"
)
# Wake-ups are planned this far ahead, at most MAX_WAKES of them; later ones are added
# as time goes by.
HORIZON = timedelta(days=2)
MAX_WAKES = 500
# A pass plans repeats up to its start.
NOW = timedelta(0)
# With nothing within HORIZON, the heartbeat's next_delivery is looked for this far ahead
# (a weekday repeat on a Friday: the next one is on Monday), looking at no more than
# NEXT_PER_REPEAT occurrences of each repeat after HORIZON: the first is the one wanted.
NEXT_LOOKAHEAD = timedelta(days=400)
NEXT_PER_REPEAT = 10
# How many snapshots back the daemon's plans can follow the posts changed one by one.
STEPS_KEPT = 4
# File events arriving within this long of each other are handled together (a `git pull`
# replacing many files at once is one reload).
SETTLE = 0.2


class DaemonAlreadyRunning(HumaspostError):
    """Another daemon holds the lock of this state folder."""


class PostCache:
    """Every post file, loaded and checked, reloaded one file at a time as it changes
    (with `committed_only`, only when HEAD moves: see `follow_head`)."""

    def __init__(
        self,
        config: Config,
        cwd: Path,
        clock: OffsetClock,
        *,
        committed_only: bool = False,
        inbox_log: LogLocation | None = None,
        workers: int = 1,
    ) -> None:
        """`inbox_log`: the publish log whose inbox replies are checked against when
        their files are read (None in a rehearsal, whose log has no inbox); `workers`:
        how many processes read the files at start (see daemon_load)."""
        self.workers = workers
        self.config = config
        self.inbox_log = inbox_log
        self.cwd = cwd
        self.clock = clock
        self.committed_only = committed_only
        self.media = MediaCache(config.root, config.state_dir)
        self.files: dict[Path, Entry] = {}
        self.git: Checkout | NoCheckout = NoCheckout("")
        # Committed only: the files and folders changed on disk since HEAD last moved.
        self.edited: set[Path] = set()
        self.edited_folders: set[Path] = set()
        # The last snapshot, until a file is read again; and what the next one is
        # worked out from: each file's PlannedPost, in the files' order, kept while its
        # post and whether it is blocked stay the same (the daemon's plans are kept by
        # PlannedPost: see daemon_plan); the files by post id (None: to be found
        # again from all files) and those shared, the files with errors, those
        # blocked, and those read again since the last snapshot.
        self.loaded: LoadedPosts | None = None
        self.planned: dict[Path, PlannedPost] = {}
        self.by_id: dict[str, Path] | None = None  # a file of each id
        self.shared: dict[str, list[Path]] = {}  # the files of ids more than one has
        self.erring: set[Path] = set()
        self.blocked: set[Path] = set()
        self.dirty: set[Path] = set()
        # How each of the last snapshots came from the one before: (before, after,
        # PlannedPosts gone, new); and the PlannedPosts gone since the last one.
        self.steps: deque[
            tuple[LoadedPosts | None, LoadedPosts, list[PlannedPost], list[PlannedPost]]
        ]
        self.steps = deque(maxlen=STEPS_KEPT)
        self.loaded_before: LoadedPosts | None = None
        self.removed: list[PlannedPost] = []

    def load_all(self, git: Checkout | NoCheckout) -> None:
        """Load every post under posts_dir, read from this checkout (or none)."""
        self.git = git
        paths = walk_posts(self.config.posts_dir) if self.config.posts_dir.is_dir() else []
        with self._inbox() as inbox:
            self.files = self._reader().read_all(paths, self.media, inbox, self.workers)
        self.loaded, self.by_id = None, None

    def reload(self, paths: set[Path], folders: frozenset[Path] = frozenset()) -> list[str]:
        """Reload changed files (removed ones drop out) and every post file in or once in
        `folders` (moved or removed as a whole); returns the names of the post files
        that changed, as shown (not editors' temporary files and the like). With
        `committed_only` nothing is read: the changes wait for HEAD to move."""
        if self.committed_only:
            self.edited |= paths
            self.edited_folders |= folders
            return []
        return self._reload(paths, folders)

    def follow_head(self) -> list[str] | None:
        """Ask git whether HEAD moved (one git call); None if it did not. If it did,
        every post's source follows the new HEAD and, with `committed_only`, the files
        edited since or changed by the commit are read again; returns their names."""
        if not isinstance(self.git, Checkout):
            return None
        old, new = self.git, follow(self.git)
        if new is old:
            return None
        self.git = new
        names: list[str] = []
        if self.committed_only:
            paths = self.edited | changed_files(old, new)
            names = self._reload(paths, frozenset(self.edited_folders))
            self.edited, self.edited_folders = set(), set()
        # Files not read again: the same bytes, measured against the new HEAD.
        for path, entry in self.files.items():
            if entry.post is not None and entry.hashes is not None:
                source = new.source(path, entry.hashes)
                self.files[path] = entry._replace(post=replace(entry.post, source=source))
        self.loaded, self.by_id = None, None
        return names

    def _reload(self, paths: set[Path], folders: frozenset[Path]) -> list[str]:
        self.media = MediaCache(
            self.config.root, self.config.state_dir
        )  # an image may have changed too
        paths = set(paths)
        if folders:
            for folder in folders:
                if folder.is_dir():
                    paths.update(walk_posts(folder))
            paths.update(p for p in self.files if not folders.isdisjoint(p.parents))
        reader = self._reader()
        with self._inbox() as inbox:
            loaded = {
                path: reader.read(path, self.media, inbox)
                for path in paths
                if path.is_file() and is_post_path(path, self.config.posts_dir)
            }
        gone = {path for path in paths if path not in loaded and path in self.files}
        before = {path: self.files.get(path) for path in {*loaded, *gone}}
        for path in gone:
            del self.files[path]
        self.files.update(loaded)
        self._changed(before)
        return sorted(shown_name(path, self.cwd) for path in {*loaded, *gone})

    def _inbox(self) -> contextlib.AbstractContextManager[InboxLookup | None]:
        """The inbox to check replies against while files are read. A log that cannot
        be read then leaves them unchecked: the publisher checks each one again before
        sending it."""
        location = self.inbox_log
        if location is None:
            return contextlib.nullcontext()
        return inbox_of(lambda: location, tolerant=True)

    def _reader(self) -> Reader:
        return Reader(self.config, self.cwd, self.clock, self.git)

    def not_committed(self, names: Iterable[str] | None = None) -> list[Post]:
        """The loaded posts whose file is not as HEAD has it (of the files named, as
        shown, or of all)."""
        named = set(names) if names is not None else None
        return [
            entry.post
            for entry in self.files.values()
            if entry.post is not None
            and entry.post.source is not None
            and not entry.post.source.committed
            and (named is None or entry.post.shown in named)
        ]

    def snapshot(self) -> LoadedPosts:
        """The posts as they are now, with the checks across files redone (the same
        object until a file is read again)."""
        if self.loaded is None:
            self.loaded = self._snapshot()
        return self.loaded

    def _changed(self, before: Mapping[Path, Entry | None]) -> None:
        """Files were read again (`before`: their entries until then): the next
        snapshot follows, worked out from these files alone."""
        self.loaded = None
        if self.by_id is None:
            return
        for path, old in before.items():
            if old is not None and old.post is not None:
                self._unindex(old.post.id, path)
            now = self.files.get(path)
            if now is not None and now.post is not None:
                self._index(now.post.id, path)
            if now is not None and now.errors:
                self.erring.add(path)
            else:
                self.erring.discard(path)
            if now is None or now.post is None:
                if (gone := self.planned.pop(path, None)) is not None:
                    self.removed.append(gone)
            elif path not in self.planned and old is not None:
                # A file that had no post has one now: `planned` would not be in the
                # files' order any more.
                self.by_id = None
                return
        self.dirty |= before.keys()

    def _snapshot(self) -> LoadedPosts:
        """The posts with the checks across files: each file's errors, in the files'
        order, then a shared id's. Only the files read again since the last snapshot,
        those with errors, and those sharing an id are looked at (all of them after a
        full load, or when that does not suffice: see `_changed`)."""
        rebuilt = self.by_id is None
        if self.by_id is None:
            self.by_id, self.shared = {}, {}
            for path, entry in self.files.items():
                if entry.post is not None:
                    self._index(entry.post.id, path)
            self.erring = {path for path, entry in self.files.items() if entry.errors}
            self.planned, self.blocked, self.dirty = {}, set(), set(self.files)
        sharing_paths = {path for paths in self.shared.values() for path in paths}
        looked_at = self.erring | sharing_paths
        # In the files' order (their keys' order), as `check_across_posts` wants them.
        ordered = [path for path in self.files if path in looked_at] if looked_at else []
        problems = [p for path in ordered if path in self.erring for p in self.files[path].errors]
        # Across files, only a shared id is an error (a repeated text is a warning):
        # `check_across_posts` gets the posts that share one.
        sharing = [
            FileResult([], CheckedPost(post.id, post.shown, ()), entry.id_span)
            for path in ordered
            if path in sharing_paths
            for entry in [self.files[path]]
            if (post := entry.post) is not None
        ]
        problems += check_across_posts(sharing)
        bad = {p.file for p in problems if p.severity is Severity.ERROR}
        candidates = looked_at | self.blocked
        shown = {
            e.post.shown if e.post else shown_name(p, self.cwd)
            for p in candidates
            if (e := self.files.get(p))
        }
        # (Should an error name a file that is none of those, all files are looked at.)
        candidates = candidates if bad <= shown else set(self.files)
        blocked = {
            p for p in candidates if (e := self.files.get(p)) and e.post and e.post.shown in bad
        }
        todo = {p for p in self.dirty | (blocked ^ self.blocked) if p in self.files}
        new = {p for p in todo if p not in self.planned and self.files[p].post is not None}
        added: list[PlannedPost] = []
        if new:  # appended in the files' order (they come after all the others there)
            todo -= new
            added += self._plan_posts([path for path in self.files if path in new], blocked)
        added += self._plan_posts(todo, blocked)
        self.blocked, self.dirty = blocked, set()
        loaded = LoadedPosts(list(self.planned.values()), problems, self.git)
        if rebuilt:
            self.steps.clear()
        else:
            self.steps.append((self.loaded_before, loaded, self.removed, added))
        self.loaded_before, self.removed = loaded, []
        return loaded

    def _index(self, post_id: str, path: Path) -> None:
        assert self.by_id is not None
        first = self.by_id.setdefault(post_id, path)
        if first != path:
            self.shared.setdefault(post_id, [first]).append(path)

    def _unindex(self, post_id: str, path: Path) -> None:
        assert self.by_id is not None
        sharing = self.shared.get(post_id)
        if sharing is None:
            del self.by_id[post_id]
            return
        sharing.remove(path)
        self.by_id[post_id] = sharing[0]
        if len(sharing) == 1:
            del self.shared[post_id]

    def _plan_posts(self, paths: Iterable[Path], blocked: set[Path]) -> list[PlannedPost]:
        """A new PlannedPost for each of these files that has a post (read again, or
        blocked or not since); returns them (the ones they replace are `removed`)."""
        added = []
        for path in paths:
            post = self.files[path].post
            if post is not None:
                if (old := self.planned.get(path)) is not None:
                    self.removed.append(old)
                self.planned[path] = planned = PlannedPost(post, path in blocked)
                added.append(planned)
        return added

    def changes(
        self, since: LoadedPosts | None, loaded: LoadedPosts
    ) -> tuple[list[PlannedPost], list[PlannedPost]] | None:
        """The PlannedPosts gone and new from the snapshot `since` to `loaded` (None if
        that is not known: one of them too old, or the files read again in full)."""
        following = False
        gone: dict[int, PlannedPost] = {}
        new: dict[int, PlannedPost] = {}
        for before, after, removed, added in self.steps:
            following = following or before is since
            if not following:
                continue
            for planned in removed:
                if new.pop(id(planned), None) is None:
                    gone[id(planned)] = planned
            new.update((id(planned), planned) for planned in added)
            if after is loaded:
                return list(gone.values()), list(new.values())
        return None


class _Pass(NamedTuple):
    """A message to the main loop: make a publishing pass (`reason`: start, sweep, due)."""

    reason: str


class _Changed(NamedTuple):
    """A message to the main loop: post files (or whole folders) changed."""

    paths: frozenset[Path]
    folders: frozenset[Path]


class _GitChanged(NamedTuple):
    """A message to the main loop: something changed in the git folder (HEAD may have
    moved)."""


class _Stop(NamedTuple):
    """A message to the main loop: stop (`stop` is set)."""


_Message = _Pass | _Changed | _GitChanged | _Stop


class Daemon:
    """The long-running scheduler. `run` returns when `stop` is set (and
    `request_stop` posted). `environ` (`.env` included) is read once, by the caller:
    it stays the same for the daemon's life, so a secret set later needs a restart."""

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
        load_workers: int = 1,
    ) -> None:
        """`workers`: accounts published to at once; `load_workers`: processes that
        read the post files at start."""
        self.config = config
        self.clock = clock
        self.environ = environ
        self.sandbox = sandbox
        self.log = logger
        self.stop = stop
        self.committed_only = committed_only(config, sandbox=sandbox)
        self.path = log_path(config, sandbox=sandbox, environ=environ)
        self.cache = PostCache(
            config,
            cwd,
            clock,
            committed_only=self.committed_only,
            inbox_log=None if sandbox else self.path,
            workers=load_workers,
        )
        self.settings = PublishSettings(self.path, this_process(), workers=workers)
        # Each post's plan, kept between passes: for the wake-ups (HORIZON ahead) and
        # for the passes (up to their start); how many posts the last re-plan planned.
        self.plans = PostPlans(config, (HORIZON, NOW))
        self.made = 0
        # SimpleQueue: `put` may be called from a signal handler (see request_stop).
        self.inbox: queue.SimpleQueue[_Message] = queue.SimpleQueue()
        self.started = clock()
        self.last_pass: datetime | None = None
        self.next_wake: datetime | None = None

    def request_stop(self) -> None:
        """Stop after the deliveries in hand (safe to call from a signal handler)."""
        self.stop.set()
        self.inbox.put(_Stop())

    def run(self) -> None:
        """Load, catch up, then publish on time until stopped."""
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        with _DaemonLock(self.config.state_dir):
            self.open_log()
            git = find_checkout(self.config.root, self.config.posts_dir)
            if self.committed_only and isinstance(git, NoCheckout):
                # Before it starts: it could never send anything.
                raise UsageError(outside_git_refusal(self.config, git))
            self.scheduler = BackgroundScheduler(timezone=UTC)
            # Watch before loading: a file changed while the others load is reloaded
            # after, not missed until the next restart.
            observer = self.watch(git)
            try:
                self.cache.load_all(git)
                # What is loaded now lives as long as the daemon: the collector need not
                # look at it again at every pass over the oldest objects.
                gc.freeze()
                loaded = self.cache.snapshot()
                self.report_problems(loaded.problems)
                self.report_not_committed(self.cache.not_committed())
                self.log.info(
                    N_("started"),
                    extra={
                        "posts": len(loaded.planned),
                        "sandbox": self.sandbox,
                        "pid": os.getpid(),
                    },
                )
                self.report_missing_secrets()
                self.scheduler.add_job(
                    self.inbox.put,
                    IntervalTrigger(seconds=SWEEP_EVERY.total_seconds(), timezone=UTC),
                    args=[_Pass("sweep")],
                    id="sweep",
                    coalesce=True,
                    misfire_grace_time=None,
                )
                self.schedule_inbox_fetch()
                self.scheduler.start()
                self.publish("start")  # catch-up: what fell due while no daemon ran
                self.loop()
            finally:
                observer.stop()
                if self.scheduler.running:
                    self.scheduler.shutdown(wait=False)
                self.write_heartbeat(running=False)
                observer.join(timeout=2)
                self.log.info(N_("stopped"), extra={})

    def loop(self) -> None:
        """Take the inbox's messages in turn: reloads first, then at most one pass for
        all the wake-ups that arrived together."""
        while not self.stop.is_set():
            messages = [self.inbox.get()]
            messages += self._waiting()
            if any(isinstance(m, _Changed | _GitChanged) for m in messages):
                # Let a burst of file events (a `git pull`) settle into one reload.
                messages += self._waiting(SETTLE)
            if self.stop.is_set():
                return
            passes = [m.reason for m in messages if isinstance(m, _Pass)]
            changes = [m for m in messages if isinstance(m, _Changed)]
            if changes and self._reload(changes):
                passes.append("due")  # an edit made a delivery due already: a pass now
            if any(isinstance(m, _GitChanged) for m in messages) and self._follow_head():
                passes.append("due")  # a commit made a delivery due already
            if passes:
                self.publish(passes[0])

    def _waiting(self, settle: float = 0.0) -> list[_Message]:
        """The messages already in the inbox, and those that come within `settle`
        seconds (a stop ends the wait)."""
        found: list[_Message] = []
        deadline = time.monotonic() + settle
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = (
                    self.inbox.get(timeout=remaining) if remaining > 0 else self.inbox.get_nowait()
                )
            except queue.Empty:
                return found
            found.append(message)
            if isinstance(message, _Stop):
                return found

    def _reload(self, changes: list[_Changed]) -> bool:
        """Reload the changed files and plan the wake-ups again; whether a delivery is
        due now."""
        paths = {path for change in changes for path in change.paths}
        folders = frozenset(folder for change in changes for folder in change.folders)
        names = self.cache.reload(paths, folders)
        if not names:
            return False
        loaded, due = self.replan("reload")
        shown = set(names)
        self.report_problems([p for p in loaded.problems if p.file in shown])
        self.log.info(N_("reloaded"), extra={"files": names})
        return due

    def _follow_head(self) -> bool:
        """If HEAD moved: follow it (reading files again with `committed_only`) and plan
        the wake-ups again; whether a delivery is due now."""
        names = self.cache.follow_head()
        if names is None:
            return False
        loaded, due = self.replan("commit")
        if names:
            shown = set(names)
            self.report_problems([p for p in loaded.problems if p.file in shown])
            self.report_not_committed(self.cache.not_committed(names))
            head = self.cache.git.head if isinstance(self.cache.git, Checkout) else None
            self.log.info(
                N_("reloaded"), extra={"files": names, "reason": f"commit {(head or '')[:7]}"}
            )
        return due

    def watch(self, git: Checkout | NoCheckout) -> Any:
        """Start watching posts_dir (and, with `committed_only`, the git folder, for new
        commits); events are posted to the main loop."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        inbox = self.inbox

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                if event.is_directory and event.event_type == "modified":
                    return  # a file in it changed: that file has its own event
                paths = {Path(os.fsdecode(event.src_path))}
                destination = getattr(event, "dest_path", "")
                if destination:
                    paths.add(Path(os.fsdecode(destination)))
                # A folder moved out of posts_dir comes as one event, not one per file:
                # its posts must go too.
                if event.is_directory:
                    inbox.put(_Changed(frozenset(), frozenset(paths)))
                else:
                    inbox.put(_Changed(frozenset(paths), frozenset()))

        class GitHandler(FileSystemEventHandler):
            def __init__(self, git_dir: Path) -> None:
                self.objects = git_dir / "objects"

            def on_any_event(self, event: FileSystemEvent) -> None:
                # New objects alone move no ref; a commit's ref update comes after them.
                if self.objects in Path(os.fsdecode(event.src_path)).parents:
                    return
                inbox.put(_GitChanged())

        observer = Observer()
        self.config.posts_dir.mkdir(parents=True, exist_ok=True)
        changes = _changes_watched()
        observer.schedule(
            Handler(), str(self.config.posts_dir), recursive=True, event_filter=changes
        )
        if self.committed_only and isinstance(git, Checkout):
            observer.schedule(
                GitHandler(git.git_dir), str(git.git_dir), recursive=True, event_filter=changes
            )
        observer.start()
        return observer

    def publish(self, reason: str) -> None:
        """One publishing pass, then plan the next wake-ups."""
        if self.stop.is_set():
            return
        try:
            # A commit the watcher has not told of yet is followed before sending: a
            # pass never sends what HEAD no longer has.
            self._follow_head()
            loaded = self.cache.snapshot()
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
                planner=self.plan_pass,
            )
        except HumaspostError as error:  # e.g. the log locked, or its database away
            self.log.error(N_("pass failed"), extra={"reason": reason, "error": str(error)})
            self.pass_again_soon()
            return
        except Exception as error:  # a bug: in the daemon's log, and the daemon goes on
            self.log.error(
                N_("pass failed"),
                extra={"reason": reason, "error": f"{type(error).__name__}: {error}"},
                exc_info=True,
            )
            return
        self.last_pass = self.clock()
        # `result.missing_secrets` is not logged: the environment is fixed for the
        # daemon's life, so start named every such account already, and a due delivery
        # of one would repeat it at every pass (every minute) until its deadline.
        if result.unknown_after > result.unknown_before:
            self.log.error(
                N_("unknown deliveries"),
                extra={"count": result.unknown_after, "hint": "humaspost log --state unknown"},
            )
        if not self.stop.is_set():  # stopping: no new wake-ups, no "running" heartbeat
            self.replan("pass")

    def plan_pass(
        self, loaded: LoadedPosts, config: Config, log: PublishLog, now: datetime
    ) -> list[Delivery]:
        """A pass's plan (`publish_pass`'s `planner`): the deliveries of every post with
        one to act on or hold back now, each post planned again only if needed."""
        self.plans.update(loaded, log, now, NOW, self.cache.changes(self.plans.loaded, loaded))
        return self.plans.acting(NOW)

    def schedule_inbox_fetch(self) -> None:
        """Fetch the complaint inbox at start and every `inbox.interval`, in the
        scheduler's own thread so that publishing never waits on it. Only with an
        `inbox:` section in the config (X charges every read), and never in a sandbox
        rehearsal (it would read real citizens into a rehearsal's log)."""
        from apscheduler.triggers.interval import IntervalTrigger

        if self.config.inbox is None or self.sandbox:
            return
        self.scheduler.add_job(
            self.fetch_inbox,
            IntervalTrigger(seconds=self.config.inbox.interval.total_seconds(), timezone=UTC),
            id="inbox-fetch",
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,  # a long fetch is never overlapped by the next one
            misfire_grace_time=None,
        )

    def fetch_inbox(self) -> None:
        """One fetch of every account's mentions and comments. The daemon's log gets
        counts and account names, never what a resident wrote or who they are."""
        try:
            result = fetch_inbox(self.config, self.path, self.environ, self.clock, stop=self.stop)
        except HumaspostError as error:  # the log locked, or its database away
            self.log.error(N_("inbox fetch failed"), extra={"error": str(error)})
            return
        except Exception as error:  # a bug: in the daemon's log, and the daemon goes on
            self.log.error(
                N_("inbox fetch failed"),
                extra={"error": f"{type(error).__name__}: {error}"},
                exc_info=True,
            )
            return
        for fetch in result.accounts:
            if fetch.status is FetchStatus.FAILED:
                self.log.error(
                    N_("inbox fetch of an account failed"),
                    extra={"account": fetch.account, "error": fetch.message},
                )
            elif fetch.status is FetchStatus.RATE_LIMITED and fetch.retry_at is not None:
                self.log.warning(
                    N_("inbox fetch rate-limited"),
                    extra={"account": fetch.account, "until": fetch.retry_at.isoformat()},
                )
        self.log.info(
            N_("inbox fetched"),
            extra={"new": len(result.new_items), "deleted": result.deleted},
        )

    def pass_again_soon(self) -> None:
        """After a pass that could not use the log: another in RETRY_PASS, not only at
        the next sweep (a database back from a restart is used within seconds)."""
        from apscheduler.triggers.date import DateTrigger

        if self.stop.is_set():
            return
        self.scheduler.add_job(
            self.inbox.put,
            DateTrigger(run_date=self.clock.real(self.clock() + RETRY_PASS), timezone=UTC),
            args=[_Pass("retry")],
            id="retry-pass",
            replace_existing=True,
            misfire_grace_time=None,
        )

    def replan(self, reason: str) -> tuple[LoadedPosts, bool]:
        """`reschedule`, but a log that cannot be read now (locked, its database away)
        leaves the wake-ups as they were: the sweep, every minute, tries again."""
        try:
            return self.reschedule()
        except HumaspostError as error:
            self.log.error(N_("planning failed"), extra={"reason": reason, "error": str(error)})
            return self.cache.snapshot(), False

    def reschedule(self) -> tuple[LoadedPosts, bool]:
        """Add a wake-up for every upcoming delivery time (and retry), drop stale ones;
        returns the posts planned and whether a delivery is due now (after a reload the
        loop then makes a pass; not after a pass: what is still due then could not be
        sent, e.g. a missing secret, and waits for the sweep, or passes would follow
        each other without pause)."""
        from apscheduler.jobstores.base import JobLookupError
        from apscheduler.triggers.date import DateTrigger

        loaded = self.cache.snapshot()
        now = self.clock()
        with PublishLog(self.path) as log:
            changes = self.cache.changes(self.plans.loaded, loaded)
            self.made = self.plans.update(loaded, log, now, HORIZON, changes)
            # Also when another publisher's claims run out (one on another server may
            # have died): its deliveries are taken over then, not at the next sweep.
            # (The first MAX_WAKES of the union are among the first of either.)
            times = sorted(
                {
                    *self.plans.wake_times(HORIZON, MAX_WAKES),
                    *_lease_ends(log, self.settings.owner, now),
                }
            )[:MAX_WAKES]
            upcoming = times[0] if times else None
            if upcoming is None:  # nothing within HORIZON: when is the next one at all?
                later, _ = plan_bounded(
                    loaded,
                    self.config,
                    log,
                    now,
                    now + NEXT_LOOKAHEAD,
                    start=now + HORIZON,
                    per_repeat=NEXT_PER_REPEAT,
                )
                upcoming = min(_wake_times(later, now), default=None)
        wanted = {f"wake-{t.isoformat()}": t for t in times}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("wake-") and job.id not in wanted:
                with contextlib.suppress(JobLookupError):  # it ran (and went) meanwhile
                    job.remove()
        existing = {job.id for job in self.scheduler.get_jobs()}
        for job_id, moment in wanted.items():
            if job_id not in existing:
                self.scheduler.add_job(
                    self.inbox.put,
                    DateTrigger(run_date=self.clock.real(moment), timezone=UTC),
                    args=[_Pass("due")],
                    id=job_id,
                    # However late (after a pause), the wake-up runs: the plan decides
                    # what is still due and what is missed.
                    misfire_grace_time=None,
                    coalesce=True,
                )
        self.next_wake = upcoming
        self.write_heartbeat(running=True)
        return loaded, self.plans.any_due(HORIZON)

    def report_missing_secrets(self) -> None:
        """Name, once, every account whose secrets are missing (by variable, never a
        value), and what that means; then a summary for people (`summary`: a JSON log
        has no need of it)."""
        missing = missing_secrets(self.config, self.environ, sandbox=self.sandbox)
        for name, variables in missing.items():
            self.log.error(
                N_("missing secrets"),
                extra={"account": name, "variables": variables, "hint": MISSING_SECRETS_HINT},
            )
        if missing:
            total = len(self.config.accounts)
            # Only the text log shows it (see `summary`): translated here, not as an event.
            summary = ngettext(
                "secrets missing for {count} of {total} account: {accounts}. Nothing is sent "
                "to them: their deliveries are recorded missed once past their deadline. Set "
                "the variables (environment or .env) and restart the daemon.",
                "secrets missing for {count} of {total} accounts: {accounts}. Nothing is sent "
                "to them: their deliveries are recorded missed once past their deadline. Set "
                "the variables (environment or .env) and restart the daemon.",
                total,
            ).format(count=len(missing), total=total, accounts=", ".join(missing))
            self.log.error(summary, extra={"summary": True})

    def report_not_committed(self, posts: list[Post]) -> None:
        """With `committed_only`, log each post file held back because it is not as HEAD
        has it (once, when it is read)."""
        if not self.committed_only or not isinstance(self.cache.git, Checkout):
            return
        for post in posts:
            if self.cache.git.tracks(post.file):
                error = _(
                    "the file has changes that are not committed (publish_from: committed); "
                    "it is not sent, and is read again at the next commit"
                )
            else:
                error = _(
                    "the file is not committed yet (publish_from: committed); it is not "
                    "sent, and is read again at the next commit"
                )
            self.log.error(N_("post held back"), extra={"file": post.shown, "error": error})

    def report_problems(self, problems: list[Problem]) -> None:
        """Log each error that holds a post back."""
        for problem in problems:
            if problem.severity is Severity.ERROR:
                self.log.error(
                    N_("post held back"),
                    extra={
                        "file": problem.file,
                        "line": problem.line,
                        "code": problem.code,
                        "error": problem.message,
                    },
                )

    def open_log(self) -> None:
        """Before anything else: the log must be usable (a database reachable, its
        schema current) and hold the office's history, or the daemon does not start."""
        refuse_unmigrated(self.config, self.path)
        with PublishLog(self.path) as log:
            if isinstance(self.path, DatabaseUrl):
                log.forget_daemons(socket.gethostname(), self.settings.owner, is_gone)

    def write_heartbeat(self, *, running: bool) -> None:
        """Tell `schedule` (and people) whether a daemon runs and when it last worked:
        in the state folder, and with a shared log in the log, beside the other
        servers' daemons."""
        beat = Heartbeat(
            running=running,
            updated=self.clock(),
            host=socket.gethostname(),
            pid=os.getpid(),
            started=self.started,
            last_pass=self.last_pass,
            next_delivery=self.next_wake,
            sandbox=self.sandbox,
        )
        beat.write(self.config.state_dir)
        if isinstance(self.path, DatabaseUrl):
            try:
                with PublishLog(self.path) as log:
                    log.write_daemon(self.settings.owner, beat, self.clock())
            except HumaspostError as error:  # the database away: the next pass says so
                self.log.error(N_("heartbeat not recorded"), extra={"error": str(error)})


def _changes_watched() -> list[type[FileSystemEvent]]:
    """Every kind of watchdog event but a file opened or closed unwritten: those say
    nothing changed, and the daemon's own reading of every post at start would come
    back as two events a file, each handled in this process (a slower first load)."""
    from watchdog import events

    quiet = (events.FileSystemEvent, events.FileOpenedEvent, events.FileClosedNoWriteEvent)
    return [
        kind
        for kind in vars(events).values()
        if isinstance(kind, type) and issubclass(kind, events.FileSystemEvent)
        if kind not in quiet
    ]


def _lease_ends(log: PublishLog, owner: str, now: datetime) -> set[datetime]:
    """When the claims other publishers hold run out, if they are not renewed."""
    return {
        row.lease_until
        for row in log.rows_with_state(RowState.SENDING)
        if row.owner != owner and row.lease_until is not None and row.lease_until > now
    }


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
            N_("sending"), extra={"post": delivery.key.post_id, "account": delivery.key.account}
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
        import fcntl  # POSIX only: `check` and `schedule` run on Windows laptops too

        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or _("another process")
            handle.close()
            raise DaemonAlreadyRunning(
                _(
                    "a daemon is already running for {folder} ({holder}); "
                    "stop it first (one daemon per state folder)"
                ).format(folder=self.path.parent, holder=holder)
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
