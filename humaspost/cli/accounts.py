"""`humaspost accounts`: the accounts and groups of the config, and a credentials check."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from humaspost.cli.common import ConfigOption, DebugOption, OutputFormat, load
from humaspost.cli.output import Output, Segment
from humaspost.cli.problems_view import print_json
from humaspost.config import Config, environment_with_dotenv
from humaspost.times import OffsetClock
from humaspost.verification import AccountsReport, account_report


def accounts(
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Check each account's credentials with its platform."),
    ] = False,
    only: Annotated[
        str | None, typer.Option("--account", help="Only this account.", show_default=False)
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.TEXT,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """List accounts and groups.

    With --verify, ask each platform who each account posts as."""
    cfg, _ = load(config)
    report = account_report(
        cfg, only, environment_with_dotenv(cfg, os.environ), verify=verify, clock=OffsetClock()
    )
    if output is OutputFormat.JSON:
        print_json(sys.stdout, _json(cfg, report))
    else:
        Output(sys.stdout).write(_lines(cfg, report))
    if report.failed:
        raise typer.Exit(1)


def _lines(cfg: Config, report: AccountsReport) -> list[Segment]:
    lines: list[Segment] = []
    width = max(len(account.name) for account in report.accounts)
    for account in report.accounts:
        platform = account.platform
        if account.rules != platform:
            platform += f" (like {account.rules})"
        lines.append((f"{account.name:<{width}}  {platform:<10}", "bold"))
        for var, is_set in account.secrets:
            lines.append((f"  {var}", None))
            lines.append((" set" if is_set else " NOT SET", "green" if is_set else "bold red"))
        if account.verified is not None:
            ok = account.verified.ok
            lines.append(("  ✓ " if ok else "  ✗ ", "bold green" if ok else "bold red"))
            lines.append((account.verified.message, None))
        lines.append(("\n", None))
    if cfg.groups:
        lines.append(("\ngroups\n", "bold"))
        for group, members in cfg.groups.items():
            lines.append((f"  {group}: {', '.join(members)}\n", None))
    if cfg.default_to:
        lines.append((f"\ndefaults.to: {', '.join(cfg.default_to)}\n", None))
    return lines


def _json(cfg: Config, report: AccountsReport) -> dict[str, Any]:
    return {
        "accounts": [
            {
                "name": account.name,
                "platform": account.platform,
                "rules": account.rules,
                "secrets": dict(account.secrets),
                **(
                    {"verified": account.verified.ok, "message": account.verified.message}
                    if account.verified is not None
                    else {}
                ),
            }
            for account in report.accounts
        ],
        "groups": {group: list(members) for group, members in cfg.groups.items()},
        "defaults": {"to": list(cfg.default_to)},
    }
