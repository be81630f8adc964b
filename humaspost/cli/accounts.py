"""`humaspost accounts`: the accounts and groups of the config, and a credentials check."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from humaspost.cli.common import ConfigOption, DebugOption, OutputFormat, load
from humaspost.cli.output import Output, Segment
from humaspost.cli.problems_view import print_json
from humaspost.config import Config, environment_with_dotenv, secret_references
from humaspost.connections import build_adapters, resolve_accounts
from humaspost.platforms.base import PublishError
from humaspost.problems import UsageError
from humaspost.times import OffsetClock


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
    """List accounts and groups; with --verify, ask each platform who the account posts as."""
    cfg, _ = load(config)
    names = [only] if only else list(cfg.accounts)
    if only and only not in cfg.accounts:
        raise UsageError(f"--account: there is no account '{only}' in the config")
    environ = environment_with_dotenv(cfg, os.environ)
    results = _verify(cfg, names, environ) if verify else {}
    if output is OutputFormat.JSON:
        print_json(sys.stdout, _json(cfg, names, environ, results))
    else:
        Output(sys.stdout).write(_lines(cfg, names, environ, results, verify))
    if verify and any(not ok for ok, _ in results.values()):
        raise typer.Exit(1)


def _verify(cfg: Config, names: list[str], environ: dict[str, str]) -> dict[str, tuple[bool, str]]:
    """(ok, what the platform said or why not) per account."""
    resolved, missing = resolve_accounts(cfg, names, environ, sandbox=False)
    results: dict[str, tuple[bool, str]] = {}
    for name, problems in missing.items():
        results[name] = (False, "; ".join(problem.message for problem in problems))
    adapters = build_adapters(cfg, resolved, OffsetClock())
    for name, account in resolved.items():
        try:
            results[name] = (True, adapters[name].verify(account))
        except PublishError as error:
            results[name] = (False, str(error))
    return results


def _secrets(cfg: Config, name: str, environ: dict[str, str]) -> list[tuple[str, bool]]:
    """The environment variables an account needs, and whether each is set."""
    return [
        (var, bool(environ.get(var)))
        for value in cfg.accounts[name].settings.values()
        for var in secret_references(value)
    ]


def _lines(
    cfg: Config,
    names: list[str],
    environ: dict[str, str],
    results: dict[str, tuple[bool, str]],
    verify: bool,
) -> list[Segment]:
    lines: list[Segment] = []
    width = max(len(n) for n in names)
    for name in names:
        account = cfg.accounts[name]
        platform = account.platform
        if account.rules_platform != platform:
            platform += f" (like {account.rules_platform})"
        lines.append((f"{name:<{width}}  {platform:<10}", "bold"))
        variables = _secrets(cfg, name, environ)
        for var, is_set in variables:
            lines.append((f"  {var}", None))
            lines.append((" set" if is_set else " NOT SET", "green" if is_set else "bold red"))
        if verify:
            ok, said = results[name]
            lines.append(("  ✓ " if ok else "  ✗ ", "bold green" if ok else "bold red"))
            lines.append((said, None))
        lines.append(("\n", None))
    if cfg.groups:
        lines.append(("\ngroups\n", "bold"))
        for group, members in cfg.groups.items():
            lines.append((f"  {group}: {', '.join(members)}\n", None))
    if cfg.default_to:
        lines.append((f"\ndefaults.to: {', '.join(cfg.default_to)}\n", None))
    return lines


def _json(
    cfg: Config,
    names: list[str],
    environ: dict[str, str],
    results: dict[str, tuple[bool, str]],
) -> dict[str, Any]:
    return {
        "accounts": [
            {
                "name": name,
                "platform": cfg.accounts[name].platform,
                "rules": cfg.accounts[name].rules_platform,
                "secrets": {var: is_set for var, is_set in _secrets(cfg, name, environ)},
                **(
                    {"verified": results[name][0], "message": results[name][1]}
                    if name in results
                    else {}
                ),
            }
            for name in names
        ],
        "groups": {group: list(members) for group, members in cfg.groups.items()},
        "defaults": {"to": list(cfg.default_to)},
    }
