"""`humaspost log`, `resolve` and `retry`: what went out, and settling what did not."""

from __future__ import annotations

import csv
import io
import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    SandboxOption,
    cwd,
    load,
    now_from,
)
from humaspost.cli.output import Output, Segment
from humaspost.cli.problems_view import print_json
from humaspost.config import Config
from humaspost.lookup import existing_log
from humaspost.problems import UsageError
from humaspost.publog import ONCE, LogRow, PublishLog, RowState, log_exists
from humaspost.times import TimeFormatError, format_local, parse_since
from humaspost.workflow import first_part_texts, log_path

# SQLite's integers end here: no publish log has a delivery with a larger number, or
# more rows.
_SQLITE_MAX = 2**63 - 1


class LogFormat(StrEnum):
    """Output formats of `log`."""

    TEXT = "text"
    JSON = "json"
    CSV = "csv"


_STYLE = {
    RowState.SENT: "green",
    RowState.SENDING: "cyan",
    RowState.PENDING: "cyan",
    RowState.RETRYING: "yellow",
    RowState.MISSED: "yellow",
    RowState.FAILED: "bold red",
    RowState.UNKNOWN: "bold red",
    RowState.RETRACTED: "dim",
}


def log(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only rows changed since this time, e.g. '2026-12-01 08:00', or a date "
            "for that day's local midnight.",
            show_default=False,
        ),
    ] = None,
    post: Annotated[str | None, typer.Option("--post", help="Only this post.")] = None,
    account: Annotated[str | None, typer.Option("--account", help="Only this account.")] = None,
    state: Annotated[
        RowState | None, typer.Option("--state", help="Only this state.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many rows, newest first.")] = 50,
    show_all: Annotated[bool, typer.Option("--all", help="Every row (no limit).")] = False,
    output: Annotated[
        LogFormat, typer.Option("--format", help="text, json or csv.")
    ] = LogFormat.TEXT,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """What went out and what did not, newest first.

    Each delivery with its number, local time, state, post, account, and URL or error.
    """
    if limit > _SQLITE_MAX:
        raise UsageError(f"--limit: {limit} is more rows than a publish log can hold; use --all")
    cfg, _ = load(config)
    since_at = _since(since, cfg)
    rows = _search(
        cfg,
        sandbox=sandbox,
        since=since_at,
        post_id=post,
        account=account,
        state=state.value if state else None,
        limit=None if show_all else limit,
    )
    if output is LogFormat.JSON:
        print_json(sys.stdout, [_row_json(row) for row in rows])
    elif output is LogFormat.CSV:
        _write_csv(rows, cfg)
    elif rows:
        Output(sys.stdout).write(_row_lines(rows, cfg))
    elif not sandbox and not _search(cfg, sandbox=False) and _search(cfg, sandbox=True):
        print(
            "the publish log has no deliveries; only the sandbox log has deliveries: add --sandbox"
        )
    else:
        print("the publish log has no matching deliveries")


def resolve(
    delivery: Annotated[int, typer.Argument(help="The delivery's number, as `log` shows it.")],
    sent: Annotated[
        str | None,
        typer.Option("--sent", help="It was published, at this URL.", show_default=False),
    ] = None,
    not_sent: Annotated[
        bool, typer.Option("--not-sent", help="It was not published: send it again.")
    ] = False,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Settle an unknown delivery, after looking on the platform."""
    if (sent is None) == (not not_sent):
        raise UsageError("say either --sent URL or --not-sent")
    if sent is not None:
        _check_web_address(sent)
    cfg, _ = load(config)
    moment = now_from(now, cfg)
    with PublishLog(existing_log(cfg, cwd(), sandbox=sandbox)) as publog:
        row = _existing(publog, delivery)
        if row.state is not RowState.UNKNOWN:
            raise UsageError(f"delivery {delivery} is {row.state}, not unknown; nothing to resolve")
        publog.resolve(row.id, sent_url=sent, now=moment)
    what = f"recorded as sent at {sent}" if sent else "queued to be sent again by the next publish"
    Output(sys.stdout).write([(f"delivery {delivery} ({_name(row)}) {what}\n", None)])


def retry(
    delivery: Annotated[int, typer.Argument(help="The delivery's number, as `log` shows it.")],
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Put a failed or missed delivery back in the queue.

    For example after fixing an account's token."""
    cfg, _ = load(config)
    moment = now_from(now, cfg)
    with PublishLog(existing_log(cfg, cwd(), sandbox=sandbox)) as publog:
        row = _existing(publog, delivery)
        if row.state not in (RowState.FAILED, RowState.MISSED):
            raise UsageError(
                f"delivery {delivery} is {row.state}; only failed or missed ones can be retried"
            )
        publog.requeue(row.id, moment)
    Output(sys.stdout).write(
        [(f"delivery {delivery} ({_name(row)}) will be sent by the next publish\n", None)]
    )


def _check_web_address(value: str) -> None:
    # What was typed is echoed only once it is a web address: a token pasted by mistake
    # must not end up on the screen or in a terminal log.
    problem = None
    scheme, colon, _ = value.partition(":")
    if not colon or scheme.lower() not in ("http", "https"):
        problem = "it does not start with https:// or http://"
    elif any(c.isspace() for c in value):
        problem = "it contains spaces"
    elif not _hostname(value):
        problem = "it names no host after the scheme"
    if problem:
        raise UsageError(
            f"--sent takes the address where the post was published, such as "
            f"https://x.com/pemkotbekasi/status/1863...; the value given is not one: {problem}"
        )


def _hostname(value: str) -> str | None:
    try:
        return urlsplit(value).hostname
    except ValueError:  # such as an unclosed IPv6 bracket
        return None


def _existing(publog: PublishLog, number: int) -> LogRow:
    row = publog.row(number) if 0 < number <= _SQLITE_MAX else None
    if row is None:
        raise UsageError(f"there is no delivery {number} in the publish log")
    return row


def _name(row: LogRow) -> str:
    return f"{row.key.post_id} → {row.key.account}"


def _search(
    cfg: Config,
    *,
    sandbox: bool,
    since: datetime | None = None,
    post_id: str | None = None,
    account: str | None = None,
    state: str | None = None,
    limit: int | None = 1,
) -> list[LogRow]:
    path = log_path(cfg, sandbox=sandbox)
    if not log_exists(path):
        return []
    with PublishLog(path, read_only=True) as publog:
        return publog.search(
            since=since, post_id=post_id, account=account, state=state, limit=limit
        )


def _since(value: str | None, cfg: Config) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_since(value, cfg.timezone)
    except TimeFormatError as exc:
        raise UsageError(f"--since: {exc}") from None


def _occurrence(row: LogRow, cfg: Config) -> str:
    """A repeat's occurrence in local time (the key keeps it in UTC); `once` as it is."""
    if row.key.occurrence == ONCE:
        return ONCE
    return format_local(datetime.fromisoformat(row.key.occurrence), cfg.timezone)


def _row_lines(rows: list[LogRow], cfg: Config) -> list[Segment]:
    lines: list[Segment] = []
    for row in rows:
        moment = row.sent_at or row.updated_at
        lines.append((f"{row.id:>6}  {format_local(moment, cfg.timezone)}  ", None))
        lines.append((f"{row.state:<8}", _STYLE[row.state]))
        lines.append((f"  {_name(row)}", None))
        if row.key.occurrence != ONCE:
            lines.append((f" @ {_occurrence(row, cfg)}", "dim"))
        detail = row.url if row.state is RowState.SENT else row.error or row.url
        lines.append((f"  {detail}\n" if detail else "\n", None))
    return lines


def _row_json(row: LogRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "post": row.key.post_id,
        "occurrence": row.key.occurrence,
        "account": row.key.account,
        "platform": row.platform,
        "state": str(row.state),
        "due_at": row.due_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "updated_at": row.updated_at.isoformat(),
        "attempts": row.attempts,
        "url": row.url,
        "error": row.error,
    }


def _write_csv(rows: list[LogRow], cfg: Config) -> None:
    """For a spreadsheet: UTF-8 with a byte order mark (so that Excel reads it as
    UTF-8), times local to the config's timezone, and the text of the post's first part
    as its file says it now (empty once the file no longer loads)."""
    # The separator stays a comma until there is a language option (`;` for Indonesian).
    fields = ["id", "post", "occurrence", "account", "platform", "state", "due_at", "sent_at",
              "updated_at", "attempts", "url", "error", "text"]  # fmt: skip
    texts = first_part_texts(cfg, cwd(), (row.key for row in rows))
    out = sys.stdout.buffer
    out.write("\ufeff".encode())
    sheet = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(sheet, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **_row_json(row),
                "occurrence": _occurrence(row, cfg),
                "due_at": _local(row.due_at, cfg),
                "sent_at": _local(row.sent_at, cfg) if row.sent_at else "",
                "updated_at": _local(row.updated_at, cfg),
                "text": texts.get(row.key, ""),
            }
        )
    sheet.detach()


def _local(moment: datetime, cfg: Config) -> str:
    """A time as a spreadsheet reads it: `2026-12-01 08:00:00`, local."""
    return f"{moment.astimezone(cfg.timezone):%Y-%m-%d %H:%M:%S}"
