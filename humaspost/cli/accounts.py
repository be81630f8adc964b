"""`humaspost accounts`: the accounts and groups of the config, and a credentials check."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

from humaspost.cli.common import ConfigOption, DebugOption, OutputFormat, load
from humaspost.cli.output import Output
from humaspost.cli.problems_view import print_json
from humaspost.config import Config, environment_with_dotenv
from humaspost.i18n import _, pgettext
from humaspost.tables import GAP, KEEP, Segment, Word, flow, terminal_width, text_width, wrapped
from humaspost.times import OffsetClock
from humaspost.verification import AccountsReport, AccountStatus, Verified, account_report

# The secrets wrap under their own column while it leaves this much room, else under
# the platform.
_SECRETS_ROOM = 36


def accounts(
    verify: Annotated[
        bool,
        typer.Option("--verify", help=_("Check each account's credentials with its platform.")),
    ] = False,
    only: Annotated[
        str | None,
        typer.Option("--account", help=_("Only this account."), show_default=False),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help=_("text or json."))
    ] = OutputFormat.TEXT,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """List accounts and groups.

    With --verify, ask each platform who each account posts as."""
    cfg = load(config)[0]
    report = account_report(
        cfg, only, environment_with_dotenv(cfg, os.environ), verify=verify, clock=OffsetClock()
    )
    if output is OutputFormat.JSON:
        print_json(sys.stdout, _json(cfg, report))
    else:
        Output(sys.stdout).write(_lines(cfg, report, terminal_width()))
    if report.failed:
        raise typer.Exit(1)


def _lines(cfg: Config, report: AccountsReport, width: int) -> list[Segment]:
    """A line for each account: name, platform, its secrets' variables (set or not,
    wrapped under their column) and, with --verify, the platform's answer; then the
    groups and defaults.to. Lines of at most `width` columns."""
    lines: list[Segment] = []
    name_width = max(len(account.name) for account in report.accounts)
    platforms = {account.name: _platform(account) for account in report.accounts}
    # Aligned only where secrets follow: a sandbox's "(like twitter)" would otherwise
    # push every account's secrets to the right.
    platform_width = max((len(platforms[a.name]) for a in report.accounts if a.secrets), default=0)
    under_platform = name_width + len(GAP)
    secrets_at = under_platform + platform_width + len(GAP)
    indent = secrets_at if width - secrets_at >= _SECRETS_ROOM else under_platform
    for account in report.accounts:
        lead = f"{account.name:<{name_width}}{GAP}{platforms[account.name]}"
        if account.secrets:
            lead = f"{lead:<{secrets_at}}"
        line: list[Segment] = [(lead, "bold")]
        line += flow(_secret_words(account), width, indent, gap=GAP, start=len(lead))
        if account.verified is not None:
            line = _with_answer(line, account.verified, width, under_platform)
        lines += line
    if cfg.groups:
        lines.append(("\n" + _("groups") + "\n", "bold"))
        for group, members in cfg.groups.items():
            lines += wrapped([(f"  {group}: {', '.join(members)}", None)], width, 4)
    if cfg.default_to:
        lines.append(("\n", None))
        lines += wrapped([(f"defaults.to: {', '.join(cfg.default_to)}", None)], width, 2)
    return lines


def _platform(account: AccountStatus) -> str:
    if account.rules == account.platform:
        return account.platform
    return _("{platform} (like {rules})").format(platform=account.platform, rules=account.rules)


def _secret_words(account: AccountStatus) -> list[Word]:
    """Each variable with whether it is set: one unit, never broken across lines."""
    return [
        [(var, None), (KEEP + pgettext("environment variable", "set"), "green")]
        if is_set
        else [(var, None), (KEEP + pgettext("environment variable", "NOT SET"), "bold red")]
        for var, is_set in account.secrets
    ]


def _with_answer(line: list[Segment], verified: Verified, width: int, indent: int) -> list[Segment]:
    """The account's line(s) with the platform's answer at the end when it fits, else
    on the next line under the platform."""
    answer: list[Segment] = [
        ("✓ " if verified.ok else "✗ ", "bold green" if verified.ok else "bold red"),
        (verified.message, None),
    ]
    line = line[:-1]  # its newline
    column = len("".join(text for text, _style in line).rsplit("\n", 1)[-1])
    if column + len(GAP) + text_width(answer) <= width:
        return [*line, (GAP, None), *answer, ("\n", None)]
    return [*line, ("\n", None), *wrapped([(" " * indent, None), *answer], width, indent + 2)]


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
