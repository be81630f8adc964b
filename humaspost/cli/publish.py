"""`humaspost publish`: send every delivery that is due now, then exit (cron, CI, staff)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
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
from humaspost.plan import Delivery
from humaspost.problems import Problem, UsageError
from humaspost.processes import is_gone, this_process
from humaspost.publisher import Outcome, PublishSettings, Result
from humaspost.publog import PublishLog, log_exists
from humaspost.runs import due_now, publish_pass
from humaspost.times import format_local
from humaspost.workflow import load_posts, log_path, plan_from_log


def publish(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and record nothing.")
    ] = False,
    post: Annotated[
        str | None, typer.Option("--post", help="Only this post (its id).", show_default=False)
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Accounts published at once.")
    ] = 8,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Publish every delivery that is due now (and retries whose wait is over), then exit.

    Safe to run from cron every minute, and at the same time as other publishers and the
    daemon: each delivery is sent once."""
    cfg, _ = load(config)
    clock = clock_from(now, cfg)
    start = clock()
    loaded = load_posts(cfg, cwd(), start)
    out = Output(sys.stdout)
    err = Output(sys.stderr)
    if post is not None and not any(planned.post.id == post for planned in loaded.planned):
        _report_blocked(err, loaded.errors)
        raise UsageError(f"--post: there is no post with id '{post}'")
    _report_blocked(err, loaded.errors)
    if dry_run:
        # Records nothing: without a log, plan as if nothing had been sent yet.
        existing = log_path(cfg, sandbox=sandbox)
        if log_exists(existing):
            with PublishLog(existing, read_only=True) as log:
                deliveries = plan_from_log(loaded, cfg, log, start, until=start, record=False)
        else:
            deliveries = plan_from_log(loaded, cfg, None, start, until=start)
        out.write(_dry_run_lines(due_now(deliveries, start, post), cfg))
        return
    path = log_path(cfg, sandbox=sandbox)
    with _progress() as events:
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
        )
    out.write(_summary(result.outcomes, cfg))
    if result.unknown_after:
        new = result.unknown_after - result.unknown_before
        err.write(_unknown_warning(result.unknown_after, new))
    if result.missing_secrets:
        problems = [p for found in result.missing_secrets.values() for p in found]
        err.write(_missing_lines(problems))
        raise typer.Exit(2)
    failed = any(o.result in (Result.FAILED, Result.UNKNOWN) for o in result.outcomes)
    if result.settled_unknown or failed:
        raise typer.Exit(1)


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
    counts: Counter[Result] = Counter(o.result for o in outcomes if o.result is not Result.SKIPPED)
    if not counts:
        lines.append(("nothing due\n", None))
    else:
        parts = ", ".join(f"{counts[r]} {r}" for r in Result if counts[r])
        lines.append((f"{parts}\n", "bold"))
    return lines


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
