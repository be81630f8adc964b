"""`humaspost log`, `resolve` and `retry`: what went out, and settling what did not."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    SandboxOption,
    cwd,
    environment,
    load,
    now_from,
)
from humaspost.cli.output import Output
from humaspost.cli.problems_view import print_json
from humaspost.config import Config
from humaspost.i18n import _, current_language
from humaspost.lifecycle import state_label
from humaspost.log_view import log_text, row_json, row_state, search_log, write_csv
from humaspost.lookup import existing_log
from humaspost.problems import UsageError
from humaspost.publog import Kind, LogRow, PublishLog, RowState
from humaspost.tables import terminal_width
from humaspost.times import TimeFormatError, parse_since
from humaspost.workflow import first_part_texts

# SQLite's integers end here: no publish log has a delivery with a larger number, or
# more rows.
_SQLITE_MAX = 2**63 - 1


class LogFormat(StrEnum):
    """Output formats of `log`."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"


def log(
    context: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=_(
                "Only rows changed since this time, e.g. '2026-12-01 08:00', or a date "
                "for that day's local midnight."
            ),
            show_default=False,
        ),
    ] = None,
    post: Annotated[str | None, typer.Option("--post", help=_("Only this post."))] = None,
    account: Annotated[str | None, typer.Option("--account", help=_("Only this account."))] = None,
    state: Annotated[
        RowState | None, typer.Option("--state", help=_("Only this state."), show_default=False)
    ] = None,
    kind: Annotated[
        Kind | None,
        typer.Option(
            "--kind",
            help=_("Only posts, only re-shares (repost), or only replies to the inbox (reply)."),
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help=_("How many rows, newest first."))
    ] = 50,
    show_all: Annotated[bool, typer.Option("--all", help=_("Every row (no limit)."))] = False,
    output: Annotated[
        LogFormat, typer.Option("--format", help=_("text, json or csv."))
    ] = LogFormat.TEXT,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """What went out and what did not, newest first.

    Each delivery with its number, local time, state, post, account, and URL or error.
    """
    if context.invoked_subcommand is not None:
        return  # `log migrate`: its own options and work
    if limit > _SQLITE_MAX:
        raise UsageError(
            _("--limit: {limit} is more rows than a publish log can hold; use --all").format(
                limit=limit
            )
        )
    cfg = load(config)[0]
    since_at = _since(since, cfg)
    environ = environment(cfg)
    rows = search_log(
        cfg,
        environ=environ,
        sandbox=sandbox,
        since=since_at,
        post_id=post,
        account=account,
        state=state.value if state else None,
        limit=None if show_all else limit,
        kind=kind.value if kind else None,
    )
    if output is LogFormat.JSON:
        print_json(sys.stdout, [row_json(row) for row in rows])
    elif output is LogFormat.CSV:
        texts = first_part_texts(cfg, cwd(), (row.key for row in rows))
        write_csv(sys.stdout.buffer, rows, cfg, texts, current_language())
    elif rows:
        Output(sys.stdout).write(
            log_text(rows, cfg, cwd(), sandbox=sandbox, width=terminal_width())
        )
    elif (
        not sandbox
        and not search_log(cfg, sandbox=False, environ=environ)
        and search_log(cfg, sandbox=True, environ=environ)
    ):
        print(
            _(
                "the publish log has no deliveries; only the sandbox log has deliveries: "
                "add --sandbox"
            )
        )
    else:
        print(_("the publish log has no matching deliveries"))


DeliveryArgument = Annotated[
    int,
    typer.Argument(metavar=_("DELIVERY"), help=_("The delivery's number, as `log` shows it.")),
]


def resolve(
    delivery: DeliveryArgument,
    sent: Annotated[
        str | None,
        typer.Option("--sent", help=_("It was published, at this URL."), show_default=False),
    ] = None,
    not_sent: Annotated[
        bool, typer.Option("--not-sent", help=_("It was not published: send it again."))
    ] = False,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Settle an unknown delivery, after looking on the platform."""
    if (sent is None) == (not not_sent):
        raise UsageError(_("say either --sent URL or --not-sent"))
    if sent is not None:
        _check_web_address(sent)
    cfg = load(config)[0]
    moment = now_from(now, cfg)
    location = existing_log(cfg, cwd(), sandbox=sandbox, environ=environment(cfg))
    with PublishLog(location) as publog:
        row = _existing(publog, delivery)
        if row.state is not RowState.UNKNOWN:
            raise UsageError(
                _("delivery {number} is {state}, not unknown; nothing to resolve").format(
                    number=delivery, state=state_label(row_state(row, moment))
                )
            )
        publog.resolve(row.id, sent_url=sent, now=moment)
    done = (
        _("delivery {number} ({name}) recorded as sent at {url}")
        if sent
        else _("delivery {number} ({name}) queued to be sent again by the next publish")
    )
    Output(sys.stdout).write(
        [(done.format(number=delivery, name=_name(row), url=sent) + "\n", None)]
    )


def retry(
    delivery: DeliveryArgument,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Put a failed or missed delivery back in the queue.

    For example after fixing an account's token."""
    cfg = load(config)[0]
    moment = now_from(now, cfg)
    location = existing_log(cfg, cwd(), sandbox=sandbox, environ=environment(cfg))
    with PublishLog(location) as publog:
        row = _existing(publog, delivery)
        if row.state not in (RowState.FAILED, RowState.MISSED):
            raise UsageError(
                _("delivery {number} is {state}; only failed or missed ones can be retried").format(
                    number=delivery, state=state_label(row_state(row, moment))
                )
            )
        publog.requeue(row.id, moment)
    queued = _("delivery {number} ({name}) will be sent by the next publish")
    Output(sys.stdout).write([(queued.format(number=delivery, name=_name(row)) + "\n", None)])


def _check_web_address(value: str) -> None:
    # What was typed is echoed only once it is a web address: a token pasted by mistake
    # must not end up on the screen or in a terminal log.
    problem = None
    scheme, colon, _rest = value.partition(":")
    if not colon or scheme.lower() not in ("http", "https"):
        problem = _("it does not start with https:// or http://")
    elif any(c.isspace() for c in value):
        problem = _("it contains spaces")
    elif not _hostname(value):
        problem = _("it names no host after the scheme")
    if problem:
        raise UsageError(
            _(
                "--sent takes the address where the post was published, such as "
                "https://x.com/pemkotbekasi/status/1863...; the value given is not one: "
                "{problem}"
            ).format(problem=problem)
        )


def _hostname(value: str) -> str | None:
    try:
        return urlsplit(value).hostname
    except ValueError:  # such as an unclosed IPv6 bracket
        return None


def _existing(publog: PublishLog, number: int) -> LogRow:
    row = publog.row(number) if 0 < number <= _SQLITE_MAX else None
    if row is None:
        raise UsageError(
            _("there is no delivery {number} in the publish log").format(number=number)
        )
    return row


def _name(row: LogRow) -> str:
    return f"{row.key.post_id} → {row.key.account}"


def _since(value: str | None, cfg: Config) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_since(value, cfg.timezone)
    except TimeFormatError as exc:
        raise UsageError(f"--since: {exc}") from None
