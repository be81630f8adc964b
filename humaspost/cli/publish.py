"""`humaspost publish`: send every delivery that is due now, then exit (cron, CI, staff)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import Counter
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
from humaspost.cli.output import Output, Segment
from humaspost.config import (
    Config,
    environment_with_dotenv,
)
from humaspost.lookup import post_id_from
from humaspost.plan import Delivery
from humaspost.problems import Problem, UsageError
from humaspost.processes import is_gone, this_process
from humaspost.publisher import Outcome, PublishSettings, Result
from humaspost.runs import publish_pass, would_send
from humaspost.times import format_local
from humaspost.workflow import load_posts, log_path


def publish(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and record nothing.")
    ] = False,
    post: Annotated[
        str | None,
        typer.Option("--post", help="Only this post (its id or its file).", show_default=False),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Accounts published at once.")
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
    cfg, _ = load(config)
    clock = clock_from(now, cfg)
    start = clock()
    loaded = load_posts(cfg, cwd(), start)
    out = Output(sys.stdout)
    err = Output(sys.stderr)
    if post is not None:
        try:
            post = post_id_from(post, [p.post for p in loaded.planned], cfg, cwd(), label="--post")
        except UsageError:
            _report_blocked(err, loaded.errors)
            raise
    _report_blocked(err, loaded.errors)
    path = log_path(cfg, sandbox=sandbox)
    if dry_run:
        chosen = would_send(cfg, loaded, log_path=path, now=start, only_post=post)
        out.write(_dry_run_lines(chosen, cfg))
        return
    stop = threading.Event()
    with _progress() as events, _stop_on_interrupt(stop):
        result = publish_pass(
            cfg,
            loaded,
            log_path=path,
            clock=clock,
            environ=environment_with_dotenv(cfg, os.environ),
            sandbox=sandbox,
            settings=PublishSettings(path, this_process(), workers=workers),
            events=events,
            is_gone=is_gone,
            only_post=post,
            stop=stop,
        )
    out.write(_summary(result.outcomes, cfg))
    if result.held_back:
        err.write(_held_back_lines(result.held_back, cfg))
    if result.unknown_after:
        new = result.unknown_after - result.unknown_before
        err.write(_unknown_warning(result.unknown_after, new))
    if result.missing_secrets:
        problems = [p for found in result.missing_secrets.values() for p in found]
        err.write(_missing_lines(problems))
    if stop.is_set():
        err.write(_interrupted_line(result.outcomes, len(result.not_started)))
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
        self.task = self.progress.add_task("publishing", total=None)

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


_RESULT_STYLE = {
    Result.SENT: "green",
    Result.RETRYING: "yellow",
    Result.FAILED: "bold red",
    Result.UNKNOWN: "bold red",
    Result.MISSED: "yellow",
}


def _summary(outcomes: list[Outcome], cfg: Config) -> list[Segment]:
    lines: list[Segment] = []
    for outcome in outcomes:
        if outcome.result is Result.SKIPPED:
            continue
        key = outcome.delivery.key
        lines.append((f"{outcome.result:<9}", _RESULT_STYLE[outcome.result]))
        when = format_local(outcome.delivery.due_at, cfg.timezone)
        lines.append((f" {when}  {key.post_id} → {key.account}", None))
        detail = outcome.url or outcome.error
        lines.append((f"  {detail}\n" if detail else "\n", None))
    counts = _counts(outcomes)
    lines.append((f"{', '.join(counts)}\n", "bold") if counts else ("nothing due\n", None))
    return lines


def _counts(outcomes: list[Outcome]) -> list[str]:
    """`2 sent`, `1 failed`, ...: the deliveries acted on, by how they ended."""
    counts: Counter[Result] = Counter(o.result for o in outcomes if o.result is not Result.SKIPPED)
    return [f"{counts[r]} {r}" for r in Result if counts[r]]


def _dry_run_lines(chosen: list[Delivery], cfg: Config) -> list[Segment]:
    if not chosen:
        return [("nothing due\n", None)]
    lines: list[Segment] = [("would send:\n", "bold")]
    for delivery in chosen:
        when = format_local(delivery.due_at, cfg.timezone)
        lines.append(
            (
                f"  {when}  {delivery.key.post_id} → {delivery.key.account} ({delivery.state})\n",
                None,
            )
        )
    return lines


def _interrupted_line(outcomes: list[Outcome], not_started: int) -> list[Segment]:
    return [
        ("interrupted: ", "bold yellow"),
        (", ".join([*_counts(outcomes), f"{not_started} not started"]), None),
        (_LATER if not_started else "\n", None),
    ]


_LATER = " (what was not started goes out with the next publish)\n"


def _held_back_lines(held: list[Delivery], cfg: Config) -> list[Segment]:
    lines: list[Segment] = []
    for delivery in held:
        when = format_local(delivery.due_at, cfg.timezone)
        lines.append(("held back ", "bold red"))
        lines.append(
            (
                f"{when}  {delivery.key.post_id} → {delivery.key.account}: due, but "
                f"{delivery.post.shown} has errors; fix it and it goes out with the next "
                "publish\n",
                None,
            )
        )
    return lines


def _report_blocked(err: Output, errors: list[Problem]) -> None:
    files = sorted({p.file for p in errors})
    if files:
        err.write(
            [
                (f"{len(files)} post file(s) have errors and are held back: ", "bold yellow"),
                (", ".join(files) + "\n", None),
                ("  run 'humaspost check' to see them\n", "dim"),
            ]
        )


def _unknown_warning(total: int, new: int) -> list[Segment]:
    return [
        (f"{total} deliver{'y is' if total == 1 else 'ies are'} in state unknown", "bold red"),
        (f" ({new} new this run)" if new > 0 else "", None),
        (
            ": they may or may not have been published. Look on the platform, then run "
            "'humaspost resolve ID --sent URL' or '--not-sent' (see 'humaspost log --state "
            "unknown').\n",
            None,
        ),
    ]


def _missing_lines(missing: list[Problem]) -> list[Segment]:
    lines: list[Segment] = []
    for problem in missing:
        lines.append(("error: ", "bold red"))
        lines.append((f"{problem.message}; its posts were not sent\n", None))
    return lines
