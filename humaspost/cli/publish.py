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
from humaspost.i18n import _, ngettext, pgettext
from humaspost.lifecycle import State, state_label
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


_RESULT_STYLE = {
    Result.SENT: "green",
    Result.RETRYING: "yellow",
    Result.FAILED: "bold red",
    Result.UNKNOWN: "bold red",
    Result.MISSED: "yellow",
}


def _result_label(result: Result) -> str:
    """How a delivery ended, as a person reads it: the name of the state it is now in."""
    return state_label(State(result.value))


def _summary(outcomes: list[Outcome], cfg: Config) -> list[Segment]:
    lines: list[Segment] = []
    # The results in a column as wide as the longest one's name, and one space more.
    width = max(len(_result_label(result)) for result in _RESULT_STYLE) + 1
    for outcome in outcomes:
        if outcome.result is Result.SKIPPED:
            continue
        key = outcome.delivery.key
        lines.append((_result_label(outcome.result).ljust(width), _RESULT_STYLE[outcome.result]))
        when = format_local(outcome.delivery.due_at, cfg.timezone)
        lines.append((f" {when}  {key.post_id} → {key.account}", None))
        detail = outcome.url or outcome.error
        lines.append((f"  {detail}\n" if detail else "\n", None))
    counts = _counts(outcomes)
    if counts:
        lines.append((", ".join(counts) + "\n", "bold"))
    else:
        lines.append((_("nothing due") + "\n", None))
    return lines


def _counts(outcomes: list[Outcome]) -> list[str]:
    """`2 sent`, `1 failed`, ...: the deliveries acted on, by how they ended."""
    counts: Counter[Result] = Counter(o.result for o in outcomes if o.result is not Result.SKIPPED)
    return [f"{counts[r]} {_result_label(r)}" for r in Result if counts[r]]


def _dry_run_lines(chosen: list[Delivery], cfg: Config) -> list[Segment]:
    if not chosen:
        return [(_("nothing due") + "\n", None)]
    lines: list[Segment] = [(_("would send:") + "\n", "bold")]
    for delivery in chosen:
        when = format_local(delivery.due_at, cfg.timezone)
        key = delivery.key
        state = state_label(delivery.state)
        lines.append((f"  {when}  {key.post_id} → {key.account} ({state})\n", None))
    return lines


def _interrupted_line(outcomes: list[Outcome], not_started: int) -> list[Segment]:
    counts = [*_counts(outcomes), _("{count} not started").format(count=not_started)]
    later = " " + _("(what was not started goes out with the next publish)") if not_started else ""
    return [
        (_("interrupted:") + " ", "bold yellow"),
        (", ".join(counts), None),
        (later + "\n", None),
    ]


def _held_back_lines(held: list[Delivery], cfg: Config) -> list[Segment]:
    lines: list[Segment] = []
    for delivery in held:
        lines.append((_("held back") + " ", "bold red"))
        text = _(
            "{when}  {post_id} → {account}: due, but {file} has errors; fix it and it goes "
            "out with the next publish"
        ).format(
            when=format_local(delivery.due_at, cfg.timezone),
            post_id=delivery.key.post_id,
            account=delivery.key.account,
            file=delivery.post.shown,
        )
        lines.append((text + "\n", None))
    return lines


def _report_blocked(err: Output, errors: list[Problem]) -> None:
    files = sorted({p.file for p in errors})
    if files:
        err.write(
            [
                (
                    _("{count} post file(s) have errors and are held back:").format(
                        count=len(files)
                    )
                    + " ",
                    "bold yellow",
                ),
                (", ".join(files) + "\n", None),
                ("  " + _("run 'humaspost check' to see them") + "\n", "dim"),
            ]
        )


def _unknown_warning(total: int, new: int) -> list[Segment]:
    headline = ngettext(
        "{count} delivery is in state unknown", "{count} deliveries are in state unknown", total
    ).format(count=total)
    return [
        (headline, "bold red"),
        (" " + _("({count} new this run)").format(count=new) if new > 0 else "", None),
        (
            ": "
            + _(
                "they may or may not have been published. Look on the platform, then run "
                "'humaspost resolve ID --sent URL' or '--not-sent' (see 'humaspost log --state "
                "unknown')."
            )
            + "\n",
            None,
        ),
    ]


def _missing_lines(missing: list[Problem]) -> list[Segment]:
    lines: list[Segment] = []
    for problem in missing:
        lines.append((pgettext("severity", "error") + ": ", "bold red"))
        text = _("{message}; its posts were not sent").format(message=problem.message)
        lines.append((text + "\n", None))
    return lines
