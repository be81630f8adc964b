"""`humaspost retract`: show what will be deleted, ask, delete; recorded in the log."""

from __future__ import annotations

import os
import sys
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
from humaspost.config import Config, environment_with_dotenv
from humaspost.problems import UsageError
from humaspost.retraction import Result, RetractionPlan, Target, TextStatus, retract_post
from humaspost.times import format_local

# Answers that mean yes; anything else (Enter included) keeps everything.
_YES = ("y", "yes")


def retract(
    post: Annotated[str, typer.Argument(help="The post's id, as `log` shows it, or its file.")],
    account: Annotated[
        str | None,
        typer.Option("--account", help="Only from this account.", show_default=False),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask (required when not on a terminal).")
    ] = False,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Delete a published post from the platforms.

    Every part of a thread is deleted; the retraction is recorded in the log and the post
    is never published again. Shows what will be deleted and asks first."""
    cfg, _ = load(config)
    out = Output(sys.stdout)

    def confirm(plan: RetractionPlan) -> bool:
        out.write(_plan_lines(plan, cfg))
        if yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                "retract deletes posts and standard input is not a terminal to ask on: "
                "add --yes to delete what is listed above"
            )
        sys.stderr.write(f"Delete {_count(_reachable(plan))} from the platforms? [y/N] ")
        sys.stderr.flush()
        return sys.stdin.readline().strip().lower() in _YES

    result = retract_post(
        cfg,
        post,
        account=account,
        cwd=cwd(),
        clock=clock_from(now, cfg),
        environ=environment_with_dotenv(cfg, os.environ),
        sandbox=sandbox,
        confirm=confirm,
    )
    if result.cancelled:
        Output(sys.stderr).write([("retract cancelled: nothing was deleted\n", "bold")])
        raise typer.Exit(1)
    plan = result.plan
    if not plan.targets:
        out.write([(f"post '{plan.post_id}' was already retracted; nothing to delete\n", None)])
        out.write(_already_lines(plan, cfg))
        return
    # With nothing it could delete, nobody was asked, so the list is not on screen yet.
    lines = [] if _reachable(plan) else _plan_lines(plan, cfg)
    for outcome in result.outcomes:
        row = outcome.target.row
        name = f"{row.key.post_id} → {row.key.account}"
        if outcome.result is Result.RETRACTED:
            lines += [("retracted", "green"), (f" {name}  {row.url or ''}\n", None)]
        elif outcome.result is Result.FAILED:
            lines += [("failed   ", "bold red"), (f"{name}: {outcome.error}\n", None)]
        else:
            lines += [("error: ", "bold red"), (f"{outcome.error}; not deleted\n", None)]
    out.write(lines)
    if result.failed:
        raise typer.Exit(1)


def _reachable(plan: RetractionPlan) -> list[Target]:
    return [target for target in plan.targets if target.problem is None]


def _count(targets: list[Target]) -> str:
    return "this delivery" if len(targets) == 1 else f"these {len(targets)} deliveries"


def _plan_lines(plan: RetractionPlan, cfg: Config) -> list[Segment]:
    lines: list[Segment] = [(f"retract {plan.post_id} will delete:\n", "bold")]
    for target in plan.targets:
        row = target.row
        sent = f"  sent {format_local(row.sent_at, cfg.timezone)}" if row.sent_at else ""
        lines.append((f"  {row.key.account}", "bold"))
        lines.append((f"{sent}\n", None))
        if target.problem is not None:
            lines.append((f"    cannot be deleted now: {target.problem}\n", "bold red"))
        if target.text is TextStatus.CHANGED:
            lines.append(
                ("    the post file changed since it was sent; what went out is not shown\n",
                 "yellow")
            )  # fmt: skip
        elif target.text is TextStatus.UNKNOWN:
            lines.append(("    (the text that was sent cannot be shown)\n", "dim"))
        for index, part in enumerate(target.parts):
            lines.append((f"    {index + 1}. {part.url}\n", None))
            if target.texts is not None and index < len(target.texts):
                lines.append((_indented(target.texts[index]), None))
        if not target.parts and row.url:
            lines.append((f"    {row.url}\n", None))
    lines += _already_lines(plan, cfg)
    return lines


def _already_lines(plan: RetractionPlan, cfg: Config) -> list[Segment]:
    return [
        (
            f"  already retracted from {row.key.account} on "
            f"{format_local(row.updated_at, cfg.timezone)}\n",
            "dim",
        )
        for row in plan.already
    ]


def _indented(text: str) -> str:
    if not text:
        return "       (no text: media only)\n"
    return "".join(f"       {line}\n" if line else "\n" for line in text.splitlines())
