"""`humaspost retract`: delete a published post from its platforms, recorded in the log."""

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
    load,
)
from humaspost.cli.output import Output, Segment
from humaspost.config import environment_with_dotenv
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.platforms.base import PublishError, Receipt
from humaspost.problems import UsageError
from humaspost.publog import PublishLog, log_exists
from humaspost.workflow import log_path


def retract(
    post: Annotated[str, typer.Argument(help="The post's id, as `log` shows it.")],
    account: Annotated[
        str | None,
        typer.Option("--account", help="Only from this account.", show_default=False),
    ] = None,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Delete a published post from the platforms (every part of a thread); recorded in
    the log, and never published again."""
    cfg, _ = load(config)
    clock = clock_from(now, cfg)
    moment = clock()
    path = log_path(cfg, sandbox=sandbox)
    if not log_exists(path):
        raise UsageError("nothing has been published yet (there is no publish log)")
    with PublishLog(path) as log:
        rows = log.sent_rows(post, account)
        if not rows:
            where = f" to '{account}'" if account else ""
            raise UsageError(f"post '{post}' has no published delivery{where} to retract")
        environ = environment_with_dotenv(cfg, os.environ)
        resolved, missing = resolve_accounts(
            cfg, [row.key.account for row in rows if row.key.account in cfg.accounts],
            environ, sandbox=sandbox,
        )  # fmt: skip
        adapters = build_adapters(cfg, resolved, clock)
        lines: list[Segment] = []
        failed = bool(missing)
        for problems in missing.values():
            lines += [
                ("error: ", "bold red"),
                ("; ".join(p.message for p in problems) + "\n", None),
            ]
        for row in rows:
            name = row.key.account
            if name not in resolved:
                if name not in cfg.accounts:
                    gone = f"account '{name}' is no longer in the config\n"
                    lines += [("error: ", "bold red"), (gone, None)]
                    failed = True
                continue
            receipt = Receipt(log.parts(row.id))
            try:
                adapters[name].retract(receipt, resolved[name])
            except PublishError as error:
                lines += [("failed   ", "bold red"), (f"{post} → {name}: {error}\n", None)]
                failed = True
                continue
            log.retracted(row.id, moment)
            lines += [("retracted", "green"), (f" {post} → {name}  {row.url or ''}\n", None)]
    Output(sys.stdout).write(lines)
    if failed:
        raise typer.Exit(1)
