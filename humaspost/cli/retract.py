"""`humaspost retract`: show what will be deleted, ask, delete; recorded in the log."""

from __future__ import annotations

import os
import sys
import textwrap
from enum import StrEnum
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
from humaspost.publog import split_occurrence
from humaspost.retraction import (
    Decision,
    Result,
    RetractionPlan,
    Target,
    TextStatus,
    retract_post,
)
from humaspost.times import format_local

# Answers that mean yes, in English and in Indonesian (`ya`), whatever the language in
# use; anything else (Enter included) keeps everything.
_YES = ("y", "yes", "ya")


class _Reshares(StrEnum):
    """What the listing says becomes of the re-shares."""

    UNDONE = "undone"  # --yes: undone with the post
    ASKED = "asked"  # on a terminal: a question of their own follows
    KEPT = "kept"  # --keep-reshares


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
    keep_reshares: Annotated[
        bool,
        typer.Option(
            "--keep-reshares",
            help=_(
                "Keep the re-shares of what is deleted (by default --yes undoes them too; "
                "on a terminal you are asked)."
            ),
        ),
    ] = False,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Delete a published post from the platforms.

    Every part of a thread is deleted; the retraction is recorded in the log and the post
    is never published again. Its re-shares by other accounts are undone too, unless
    --keep-reshares. Shows what will be deleted and asks first."""
    cfg, _shown = load(config)
    out = Output(sys.stdout)
    mode = _Reshares.KEPT if keep_reshares else _Reshares.UNDONE if yes else _Reshares.ASKED
    listed: list[bool] = []

    def confirm(plan: RetractionPlan) -> Decision:
        out.write(_plan_lines(plan, cfg, mode))
        listed.append(True)
        if yes:
            return Decision(delete=True, undo_reshares=True)
        if not sys.stdin.isatty():
            raise UsageError(
                _(
                    "retract deletes posts and standard input is not a terminal to ask on: "
                    "add --yes to delete what is listed above"
                )
            )
        targets = _reachable(plan.targets)
        offered = [] if plan.keep_reshares else _reachable(plan.reshares)
        if targets and not _ask(_question(len(targets))):
            return Decision(delete=False, undo_reshares=False)
        undo = bool(offered) and _ask(_reshare_question(len(offered), also=bool(targets)))
        return Decision(delete=True, undo_reshares=undo)

    result = retract_post(
        cfg,
        post,
        account=account,
        cwd=cwd(),
        clock=clock_from(now, cfg),
        environ=environment_with_dotenv(cfg, os.environ),
        sandbox=sandbox,
        confirm=confirm,
        keep_reshares=keep_reshares,
    )
    if result.cancelled:
        Output(sys.stderr).write([(_("retract cancelled: nothing was deleted") + "\n", "bold")])
        raise typer.Exit(1)
    plan = result.plan
    if not plan.targets and not plan.reshares:
        text = _("post '{post_id}' was already retracted; nothing to delete").format(
            post_id=plan.post_id
        )
        out.write([(text + "\n", None)])
        out.write(_already_lines(plan, cfg, mode))
        return
    # With nothing it could delete, nobody was asked, so the list is not on screen yet.
    lines = [] if listed else _plan_lines(plan, cfg, mode)
    retracted, failed = state_label(State.RETRACTED), state_label(State.FAILED)
    width = max(len(retracted), len(failed))
    kept: list[Target] = []
    for outcome in result.outcomes:
        target, row = outcome.target, outcome.target.row
        name = f"{row.key.post_id} → {row.key.account}"
        if target.origin is not None:
            name += " " + _("(re-share of {account})").format(account=target.origin.account)
        if outcome.result is Result.RETRACTED:
            url = "" if target.text is TextStatus.RESHARE else f"  {row.url or ''}"
            lines += [(retracted.ljust(width), "green"), (f" {name}{url}\n", None)]
        elif outcome.result is Result.FAILED:
            lines += [(failed.ljust(width), "bold red"), (f" {name}: {outcome.error}\n", None)]
        elif outcome.result is Result.KEPT:
            kept.append(target)
        else:
            text = (
                _("{error}; not undone")
                if target.text is TextStatus.RESHARE
                else _("{error}; not deleted")
            ).format(error=outcome.error)
            lines += [(pgettext("severity", "error") + ": ", "bold red"), (text + "\n", None)]
    reshares_kept = [target for target in kept if target.origin is not None]
    if reshares_kept:
        accounts = _names(reshares_kept)
        text = ngettext(
            "kept the re-share by {accounts}: it stays on its page",
            "kept {count} re-shares by {accounts}: they stay on their pages",
            len(reshares_kept),
        ).format(count=len(reshares_kept), accounts=accounts)
        lines.append((text + "\n", "dim"))
    out.write(lines)
    if result.failed:
        raise typer.Exit(1)


def _reachable(targets: list[Target]) -> list[Target]:
    return [target for target in targets if target.problem is None]


def _ask(question: str) -> bool:
    """Ask on the terminal; only an answer in `_YES` agrees."""
    sys.stderr.write(question + " ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in _YES


def _names(targets: list[Target]) -> str:
    """The accounts of some deliveries, each once, in order."""
    return _joined([target.row.key.account for target in targets])


def _joined(accounts: list[str]) -> str:
    return ", ".join(dict.fromkeys(accounts))


def _question(count: int) -> str:
    """The question before deleting what is listed; `_YES` holds the answers that delete."""
    return ngettext(
        "Delete this delivery from the platforms? [y/N]",
        "Delete these {count} deliveries from the platforms? [y/N]",
        count,
    ).format(count=count)


def _reshare_question(count: int, *, also: bool) -> str:
    """The question about the re-shares listed, after (`also`) or without the first."""
    if also:
        text = ngettext(
            "Undo the re-share too? [y/N]", "Undo the {count} re-shares too? [y/N]", count
        )
    else:
        text = ngettext("Undo this re-share? [y/N]", "Undo these {count} re-shares? [y/N]", count)
    return text.format(count=count)


def _plan_lines(plan: RetractionPlan, cfg: Config, mode: _Reshares) -> list[Segment]:
    heading = _("retract {post_id} will delete:").format(post_id=plan.post_id)
    lines: list[Segment] = [(heading + "\n", "bold")]
    for target in plan.targets:
        row = target.row
        sent = ""
        if row.sent_at:
            sent = "  " + _("sent {time}").format(time=format_local(row.sent_at, cfg.timezone))
        if target.reshare_of is not None:
            sent += "  " + _("(re-share of {account})").format(account=target.reshare_of)
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
        lines += _reshare_lines(plan.reshares_of(row.key), mode)
    lines += _already_lines(plan, cfg, mode)
    # Re-shares of a delivery neither deleted now nor before (not one `--account` named).
    listed = {t.row.key for t in plan.targets} | {row.key for row in plan.already}
    for origin in dict.fromkeys(t.origin for t in plan.reshares if t.origin not in listed):
        if origin is not None:
            text = _("re-shares of the delivery to {account}:").format(account=origin.account)
            lines.append((f"  {text}\n", "bold"))
            lines += _reshare_lines(plan.reshares_of(origin), mode)
    return lines


def _reshare_lines(reshares: list[Target], mode: _Reshares) -> list[Segment]:
    """What becomes of one delivery's re-shares, and those that cannot be undone now."""
    if not reshares:
        return []
    count, accounts = len(reshares), _names(reshares)
    if mode is _Reshares.KEPT:
        text = ngettext(
            "its re-share by {accounts} is kept (--keep-reshares)",
            "its {count} re-shares by {accounts} are kept (--keep-reshares)",
            count,
        )
    elif mode is _Reshares.ASKED:
        text = ngettext(
            "and its re-share by {accounts}, undone if you say so (asked next)",
            "and its {count} re-shares by {accounts}, undone if you say so (asked next)",
            count,
        )
    else:
        text = ngettext(
            "and its re-share by {accounts} is undone",
            "and its {count} re-shares by {accounts} are undone",
            count,
        )
    wrapped = textwrap.fill(
        text.format(count=count, accounts=accounts),
        width=88,
        initial_indent="    ",
        subsequent_indent="      ",
        break_on_hyphens=False,
    )
    lines: list[Segment] = [(wrapped + "\n", None)]
    if mode is _Reshares.KEPT:
        return lines
    for target in reshares:
        if target.problem is not None:
            text = _("{account}: cannot be undone now: {reason}").format(
                account=target.row.key.account, reason=target.problem
            )
            lines.append((f"      {text}\n", "bold red"))
    return lines


def _already_lines(plan: RetractionPlan, cfg: Config, mode: _Reshares) -> list[Segment]:
    lines: list[Segment] = []
    undone = [row for row in plan.already if split_occurrence(row.key.occurrence)[1]]
    order = {name: index for index, name in enumerate(cfg.accounts)}
    undone.sort(key=lambda row: (order.get(row.key.account, len(order)), row.id))
    for row in plan.already:
        if row in undone:
            continue
        text = _("already retracted from {account} on {time}").format(
            account=row.key.account, time=format_local(row.updated_at, cfg.timezone)
        )
        lines.append(("  " + text + "\n", "dim"))
        lines += _reshare_lines(plan.reshares_of(row.key), mode)
    if undone:
        text = ngettext(
            "already undone: the re-share by {accounts}",
            "already undone: {count} re-shares by {accounts}",
            len(undone),
        ).format(count=len(undone), accounts=_joined([row.key.account for row in undone]))
        lines.append(("  " + text + "\n", "dim"))
    return lines


def _indented(text: str) -> str:
    if not text:
        return "       " + _("(no text: media only)") + "\n"
    return "".join(f"       {line}\n" if line else "\n" for line in text.splitlines())
