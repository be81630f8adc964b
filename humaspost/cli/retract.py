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
from humaspost.i18n import _, ngettext, pgettext
from humaspost.lifecycle import State, state_label
from humaspost.problems import UsageError
from humaspost.retraction import Result, RetractionPlan, Target, TextStatus, retract_post
from humaspost.times import format_local

# Answers that mean yes, in English and in Indonesian (`ya`), whatever the language in
# use; anything else (Enter included) keeps everything.
_YES = ("y", "yes", "ya")


def retract(
    post: Annotated[
        str,
        typer.Argument(metavar=_("POST"), help=_("The post's id, as `log` shows it, or its file.")),
    ],
    account: Annotated[
        str | None,
        typer.Option("--account", help=_("Only from this account."), show_default=False),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help=_("Do not ask (required when not on a terminal)."))
    ] = False,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Delete a published post from the platforms.

    Every part of a thread is deleted; the retraction is recorded in the log and the post
    is never published again. Shows what will be deleted and asks first."""
    cfg, _shown = load(config)
    out = Output(sys.stdout)

    def confirm(plan: RetractionPlan) -> bool:
        out.write(_plan_lines(plan, cfg))
        if yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                _(
                    "retract deletes posts and standard input is not a terminal to ask on: "
                    "add --yes to delete what is listed above"
                )
            )
        sys.stderr.write(_question(len(_reachable(plan))) + " ")
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
        Output(sys.stderr).write([(_("retract cancelled: nothing was deleted") + "\n", "bold")])
        raise typer.Exit(1)
    plan = result.plan
    if not plan.targets:
        text = _("post '{post_id}' was already retracted; nothing to delete").format(
            post_id=plan.post_id
        )
        out.write([(text + "\n", None)])
        out.write(_already_lines(plan, cfg))
        return
    # With nothing it could delete, nobody was asked, so the list is not on screen yet.
    lines = [] if _reachable(plan) else _plan_lines(plan, cfg)
    retracted, failed = state_label(State.RETRACTED), state_label(State.FAILED)
    width = max(len(retracted), len(failed))
    for outcome in result.outcomes:
        row = outcome.target.row
        name = f"{row.key.post_id} → {row.key.account}"
        if outcome.result is Result.RETRACTED:
            lines += [(retracted.ljust(width), "green"), (f" {name}  {row.url or ''}\n", None)]
        elif outcome.result is Result.FAILED:
            lines += [(failed.ljust(width), "bold red"), (f"{name}: {outcome.error}\n", None)]
        else:
            text = _("{error}; not deleted").format(error=outcome.error)
            lines += [(pgettext("severity", "error") + ": ", "bold red"), (text + "\n", None)]
    out.write(lines)
    if result.failed:
        raise typer.Exit(1)


def _reachable(plan: RetractionPlan) -> list[Target]:
    return [target for target in plan.targets if target.problem is None]


def _question(count: int) -> str:
    """The question before deleting what is listed; `_YES` holds the answers that delete."""
    return ngettext(
        "Delete this delivery from the platforms? [y/N]",
        "Delete these {count} deliveries from the platforms? [y/N]",
        count,
    ).format(count=count)


def _plan_lines(plan: RetractionPlan, cfg: Config) -> list[Segment]:
    heading = _("retract {post_id} will delete:").format(post_id=plan.post_id)
    lines: list[Segment] = [(heading + "\n", "bold")]
    for target in plan.targets:
        row = target.row
        sent = ""
        if row.sent_at:
            sent = "  " + _("sent {time}").format(time=format_local(row.sent_at, cfg.timezone))
        lines.append((f"  {row.key.account}", "bold"))
        lines.append((f"{sent}\n", None))
        if target.problem is not None:
            text = _("cannot be deleted now: {reason}").format(reason=target.problem)
            lines.append((f"    {text}\n", "bold red"))
        if target.text is TextStatus.CHANGED:
            text = _("the post file changed since it was sent; what went out is not shown")
            lines.append((f"    {text}\n", "yellow"))
        elif target.text is TextStatus.UNKNOWN:
            text = _("(the text that was sent cannot be shown)")
            lines.append((f"    {text}\n", "dim"))
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
            "  "
            + _("already retracted from {account} on {time}").format(
                account=row.key.account, time=format_local(row.updated_at, cfg.timezone)
            )
            + "\n",
            "dim",
        )
        for row in plan.already
    ]


def _indented(text: str) -> str:
    if not text:
        return "       " + _("(no text: media only)") + "\n"
    return "".join(f"       {line}\n" if line else "\n" for line in text.splitlines())
