"""Reading post files as the daemon keeps them, and many at once in worker processes.

The daemon reads every post file when it starts: with many files (as `check` does,
from `checks.PARALLEL_MIN_FILES`) in forked worker processes too, each reading chunks
of files in turn while this process reads the last chunks no worker has begun, the
results put back in the files' order. Workers check
replies against no inbox (a database connection is not to be shared with a forked
process): that is done here, for the few replies, as reading a file one at a time
does it.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from humaspost.checks import PARALLEL_MIN_FILES, InboxLookup, MediaCache, ReplyRef, inbox_problems
from humaspost.config import Config
from humaspost.gitsource import Checkout, FileHashes, NoCheckout
from humaspost.posts import Post
from humaspost.problems import Problem, Severity, Span
from humaspost.repository import shown_name
from humaspost.workflow import load_file
from humaspost.yamlpos import Located

_EMPTY = Located({})


class Entry(NamedTuple):
    """A post file as the daemon keeps it: the post (None if it did not load), its
    errors, and where it sets its id (for the shared-id error)."""

    post: Post | None
    errors: tuple[Problem, ...]
    id_span: Span | None
    hashes: FileHashes | None  # of the bytes read, in a git checkout


@dataclass(frozen=True)
class Reader:
    """What every file is read with: the config, the folder names are shown from, the
    clock (each file is checked at its own `now`) and the checkout (or none)."""

    config: Config
    cwd: Path
    clock: Callable[[], datetime]
    git: Checkout | NoCheckout

    def read(self, path: Path, media: MediaCache, inbox: InboxLookup | None) -> Entry:
        """One file, checked (replies against `inbox`, if any)."""
        return _with_inbox(*self._read(path, media), inbox)

    def read_all(
        self, paths: list[Path], media: MediaCache, inbox: InboxLookup | None, workers: int
    ) -> dict[Path, Entry]:
        """Every file, in order; with `workers` > 1 and many files, in that many
        processes (this one and workers - 1 forked ones)."""
        # As `check` does: no collector passes over the many long-lived objects built.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            if workers > 1 and len(paths) >= PARALLEL_MIN_FILES:
                read = self._in_processes(paths, media, workers)
            else:
                read = [self._read(path, media) for path in paths]
        finally:
            if was_enabled:
                gc.enable()
        return {
            path: _with_inbox(entry, reply, inbox)
            for path, (entry, reply) in zip(paths, read, strict=True)
        }

    def _read(self, path: Path, media: MediaCache) -> tuple[Entry, ReplyRef | None]:
        post, result, hashes = load_file(
            path, shown_name(path, self.cwd), self.config, self.clock(), media, self.git
        )
        # Only what the daemon acts on is kept, so that 10,000 scheduled posts fit in a
        # few tens of MB: no YAML nodes (positions are only needed for problems, already
        # found), only errors (a file with one is held back; warnings are for `check`),
        # no per-account reports, no texts for the duplicate-text warning.
        errors = tuple(p for p in result.problems if p.severity is Severity.ERROR)
        kept = replace(post, located=_EMPTY) if post else None
        return Entry(kept, errors, result.id_span, hashes), result.reply

    def _in_processes(
        self, paths: list[Path], media: MediaCache, workers: int
    ) -> list[tuple[Entry, ReplyRef | None]]:
        from humaspost.fork_pool import in_processes  # only a large load needs it

        # Fork: the workers start with this reader (nothing re-imported or pickled).
        return [
            read
            for _chunk, results, _from_worker in in_processes(
                paths,
                workers,
                start=_start_worker,
                start_args=(self,),
                in_worker=_read_chunk,
                here=lambda chunk: [self._read(path, media) for path in chunk],
            )
            for read in results
        ]


def _with_inbox(entry: Entry, reply: ReplyRef | None, inbox: InboxLookup | None) -> Entry:
    """The entry with the errors of checking its reply against the inbox, if any (after
    the file's own, as `load_file` adds them)."""
    if inbox is None or reply is None:
        return entry
    errors = [p for p in inbox_problems(reply, inbox) if p.severity is Severity.ERROR]
    return entry._replace(errors=entry.errors + tuple(errors))


# In a worker process: the reader, and its own media cache.
_worker: tuple[Reader, MediaCache] | None = None


def _start_worker(reader: Reader) -> None:
    global _worker
    gc.disable()  # a worker lives for one load
    _worker = reader, MediaCache(reader.config.root, reader.config.state_dir)


def _read_chunk(paths: list[Path]) -> list[tuple[Entry, ReplyRef | None]]:
    assert _worker is not None
    reader, media = _worker
    return [reader._read(path, media) for path in paths]
