"""`humaspost publish`: send every delivery that is due now, then exit (cron, CI, staff)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    SandboxOption,
    clock_from,
    cwd,
    load,
)
from humaspost.cli.output import Output
from humaspost.config import (
    environment_with_dotenv,
)
from humaspost.i18n import _
from humaspost.log_location import log_path
from humaspost.lookup import post_id_from
from humaspost.plan import Delivery
from humaspost.problems import UsageError
from humaspost.processes import is_gone, this_process
from humaspost.publish_text import (
    blocked_lines,
    dry_run_lines,
    held_back_lines,
    interrupted_line,
    missing_lines,
    not_committed_lines,
    summary_lines,
    unknown_warning,
)
from humaspost.publisher import Outcome, PublishSettings
from humaspost.publog import LogLocation
from humaspost.replies import inbox_of
from humaspost.runs import publish_pass, refuse_outside_git, split_not_committed, would_send
from humaspost.workflow import load_posts


def publish(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=_("Show what would be sent; send and record nothing.")),
    ] = False,
    post: Annotated[
        str | None,
        typer.Option("--post", help=_("Only this post (its id or its file)."), show_default=False),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help=_("Accounts published at once."))
    ] = 8,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Publish every delivery that is due now, then exit.

    Retries whose wait is over go out too.

    Safe to run from cron every minute, and at the same time as other publishers and the
    daemon: each delivery is sent once."""
    cfg, _shown = load(config)
    clock = clock_from(now, cfg)
    start = clock()
    if sandbox:
        # A rehearsal's log has no inbox: its replies go out without their items.
        loaded = load_posts(cfg, cwd(), start)
    else:
        # Every reply is checked against the inbox (HP127, HP128) before anything is sent.
        def real_log() -> LogLocation:
            return log_path(cfg, sandbox=False, environ=environment_with_dotenv(cfg, os.environ))

        with inbox_of(real_log) as inbox:
            loaded = load_posts(cfg, cwd(), start, inbox=inbox)
    out = Output(sys.stdout)
    err = Output(sys.stderr)
    if post is not None:
        try:
            post = post_id_from(post, [p.post for p in loaded.planned], cfg, cwd(), label="--post")
        except UsageError:
            err.write(blocked_lines(loaded.errors))
            raise
    err.write(blocked_lines(loaded.errors))
    environ = environment_with_dotenv(cfg, os.environ)
    path = log_path(cfg, sandbox=sandbox, environ=environ)
    if dry_run:
        # What a real run would do: refuse, or hold back what is not committed.
        refuse_outside_git(cfg, loaded, sandbox=sandbox)
        due = would_send(cfg, loaded, log_path=path, now=start, only_post=post)
        chosen, not_committed = split_not_committed(due, cfg, sandbox=sandbox)
        out.write(dry_run_lines(chosen, cfg))
        err.write(not_committed_lines(not_committed, cfg, loaded.git))
        return
    stop = threading.Event()
    with _progress() as events, _stop_on_interrupt(stop):
        result = publish_pass(
            cfg,
            loaded,
            log_path=path,
            clock=clock,
            environ=environ,
            sandbox=sandbox,
            settings=PublishSettings(path, this_process(), workers=workers),
            events=events,
            is_gone=is_gone,
            only_post=post,
            stop=stop,
        )
    out.write(summary_lines(result.outcomes, cfg))
    if result.held_back:
        err.write(held_back_lines(result.held_back, cfg))
    err.write(not_committed_lines(result.not_committed, cfg, loaded.git))
    if result.unknown_after:
        new = result.unknown_after - result.unknown_before
        err.write(unknown_warning(result.unknown_after, new))
    if result.missing_secrets:
        problems = [p for found in result.missing_secrets.values() for p in found]
        err.write(missing_lines(problems))
    if stop.is_set():
        err.write(interrupted_line(result.outcomes, len(result.not_started)))
        raise typer.Exit(EXIT_INTERRUPTED)
    if result.missing_secrets:
        raise typer.Exit(2)
    if result.went_wrong:
        raise typer.Exit(1)


# What a shell reports for a command ended by Ctrl-C (128 + SIGINT).
EXIT_INTERRUPTED = 130


@contextmanager
def _stop_on_interrupt(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C (SIGINT) sets `stop` instead of raising: each account finishes the delivery
    in hand (a thread part by part) and starts nothing new, so nothing is left half-sent
    or in state `sending`."""

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _Silent:
    """No progress display (not a terminal): only the summary is printed."""

    def started(self, delivery: Delivery) -> None:
        """Nothing to show."""

    def finished(self, outcome: Outcome) -> None:
        """Nothing to show."""


class _Bar:
    """A rich progress bar on a terminal."""

    def __init__(self) -> None:
        from rich.progress import Progress

        self.progress = Progress(transient=True)
        # The number due is known only inside the pass: the bar pulses and counts.
        self.task = self.progress.add_task(_("publishing"), total=None)

    def started(self, delivery: Delivery) -> None:
        """Show what is being sent."""
        self.progress.update(
            self.task, description=f"{delivery.key.post_id} → {delivery.key.account}"
        )

    def finished(self, outcome: Outcome) -> None:
        """Advance the bar."""
        self.progress.advance(self.task)


@contextmanager
def _progress() -> Iterator[_Silent | _Bar]:
    if not sys.stderr.isatty():
        yield _Silent()
        return
    bar = _Bar()
    with bar.progress:
        yield bar
