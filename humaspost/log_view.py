"""What `log` shows: the publish log's rows that match, as text and as a spreadsheet.

Text: a heading (which log, the time zone), then the deliveries newest first under a
heading for each local day (`Selasa, 1 Desember 2026`, as `schedule` has them): the
delivery's number, its local time (when it was sent, else when its row last changed),
its state (`lifecycle.state_label`), post and account, a repeat's occurrence, then its
address (a sandbox one shortened, `tables.short_address`) or error and the git commit
(7 characters) and author its post file was sent from, on the next line when the row
and they do not fit the width.

CSV: the columns of `--format json` plus `text`, with machine keys as headers and
machine values (states as `sent`, `once`) in either language, so that a report built on
the columns works whoever exported it; times local. Separated by `;` in Indonesian (what
Excel expects where a comma is the decimal mark), `,` in English.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from humaspost.config import Config
from humaspost.gitsource import Source
from humaspost.i18n import _
from humaspost.lifecycle import State, shown_state_of_row, state_label
from humaspost.log_location import log_path
from humaspost.publog import (
    ONCE,
    DeliveryKey,
    LogRow,
    PublishLog,
    RowState,
    log_exists,
    split_occurrence,
)
from humaspost.tables import (
    GAP,
    KEEP,
    STATE_STYLE,
    Segment,
    is_sandbox_address,
    row,
    sandbox_note,
    short_address,
)
from humaspost.times import day_name, format_local

CSV_FIELDS = ["id", "post", "occurrence", "account", "platform", "kind", "state", "due_at",
              "sent_at", "updated_at", "attempts", "url", "error", "commit", "blob", "author",
              "committed", "text"]  # fmt: skip
# A commit as text output shows it, as `git log --oneline` does.
SHORT_COMMIT = 7


def search_log(
    cfg: Config,
    *,
    sandbox: bool,
    since: datetime | None = None,
    post_id: str | None = None,
    account: str | None = None,
    state: str | None = None,
    limit: int | None = 1,
    kind: str | None = None,
    environ: Mapping[str, str],
) -> list[LogRow]:
    """The rows of the publish log (or the sandbox's) that match, newest first; none
    where there is no log yet (reading never creates one)."""
    path = log_path(cfg, sandbox=sandbox, environ=environ)
    if not log_exists(path):
        return []
    with PublishLog(path, read_only=True) as publog:
        return publog.search(
            since=since, post_id=post_id, account=account, state=state, limit=limit, kind=kind
        )


def csv_separator(language: str) -> str:
    """The field separator a spreadsheet of `language`'s locale reads: `;` for
    Indonesian (whose decimal mark is the comma), `,` otherwise."""
    return ";" if language == "id" else ","


def log_text(
    rows: list[LogRow], cfg: Config, cwd: Path, *, sandbox: bool, width: int
) -> list[Segment]:
    """The text output of `log` for `rows` (newest first), lines at most `width` wide."""
    tz = cfg.timezone
    now = datetime.now(UTC)
    shown = [(log_row, row_state(log_row, now)) for log_row in rows]
    zones = {_moment(log_row).astimezone(tz).tzname() for log_row in rows}
    zone = zones.pop() if len(zones) == 1 else tz.key
    title = (
        _("Sandbox log, newest first (times in {zone})")
        if sandbox
        else _("Publish log, newest first (times in {zone})")
    )
    lines: list[Segment] = [(title.format(zone=zone) + "\n", "bold")]
    number_width = max((len(str(log_row.id)) for log_row in rows), default=1)
    state_width = max((len(state_label(state)) for _row, state in shown), default=0)
    current = None
    for log_row, state in shown:
        local = _moment(log_row).astimezone(tz)
        if local.date() != current:
            current = local.date()
            lines.append(("\n" + day_name(current) + "\n", "bold"))
        head: list[Segment] = [
            (f"{log_row.id:>{number_width}}  {local:%H:%M}  ", None),
            (state_label(state).ljust(state_width), STATE_STYLE[state]),
            (f"  {log_row.key.post_id} → {log_row.key.account}", None),
        ]
        base, origin = split_occurrence(log_row.key.occurrence)
        if base != ONCE:
            head.append((f" @ {_occurrence_on(base, local, tz)}", "dim"))
        if origin is not None:
            reshare = _("(re-share of {account})").format(account=origin)
            head.append((f" {reshare}", "dim"))
        detail: list[Segment] = [(text, None)] if (text := _detail(log_row)) else []
        if log_row.source is not None:
            detail += [(GAP, None)] if detail else []
            detail.append((source_text(log_row.source), "dim"))
        # `row` writes KEEP as a space only where it breaks the detail onto new lines.
        laid_out = row(head, detail, width, number_width + 2)
        lines.extend((text.replace(KEEP, " "), style) for text, style in laid_out)
    if any(log_row.state is RowState.SENT and is_sandbox_address(log_row.url) for log_row in rows):
        lines.append(("\n", None))
        lines.extend(sandbox_note(cfg, cwd, width))
    return lines


def source_text(source: Source) -> str:
    """Where a delivery's text came from, in a few words kept on one line: the short
    commit, whether the file was as committed, and the author's name (the email is in
    `trace`)."""
    commit = source.commit[:SHORT_COMMIT] if source.commit else None
    if source.committed and commit:
        where = commit
    elif commit:
        where = _("{commit} (not committed)").format(commit=commit)
    else:
        where = _("(not committed)")
    if source.author is not None:
        name = source.author.split(" <", 1)[0]
        where = _("{source} by {author}").format(source=where, author=name)
    return where.replace(" ", KEEP)


def row_state(log_row: LogRow, now: datetime) -> State:
    """The state a row is shown in: the one the log stores (what `--state` matches), a
    row put back in the queue as due or scheduled (`pending` has no name of its own)."""
    if log_row.state is RowState.PENDING:
        return shown_state_of_row(log_row, now)
    return State(log_row.state.value)


def write_csv(
    out: BinaryIO, rows: list[LogRow], cfg: Config, texts: dict[DeliveryKey, str], language: str
) -> None:
    """The rows for a spreadsheet: UTF-8 with a byte order mark (so that Excel reads it
    as UTF-8), a header of `CSV_FIELDS`, separated for `language` (`csv_separator`)."""
    out.write("\ufeff".encode())
    sheet = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(
        sheet, fieldnames=CSV_FIELDS, delimiter=csv_separator(language), lineterminator="\r\n"
    )
    writer.writeheader()
    writer.writerows(csv_records(rows, cfg, texts))
    sheet.detach()


def csv_records(
    rows: list[LogRow], cfg: Config, texts: dict[DeliveryKey, str]
) -> list[dict[str, Any]]:
    """The rows as CSV records (`CSV_FIELDS`): times local, as `2026-12-01 08:00:00`;
    `texts` gives each delivery's first part as its post file says it now."""
    return [
        {
            **row_json(log_row),
            "occurrence": occurrence(log_row.key, cfg.timezone),
            "due_at": _spreadsheet_time(log_row.due_at, cfg.timezone),
            "sent_at": _spreadsheet_time(log_row.sent_at, cfg.timezone) if log_row.sent_at else "",
            "updated_at": _spreadsheet_time(log_row.updated_at, cfg.timezone),
            "committed": _csv_flag(log_row.source.committed) if log_row.source else "",
            "text": texts.get(log_row.key, ""),
        }
        for log_row in rows
    ]


def row_json(log_row: LogRow) -> dict[str, Any]:
    """A row as `log --format json` gives it: machine values, times in UTC."""
    return {
        "id": log_row.id,
        "post": log_row.key.post_id,
        "occurrence": log_row.key.occurrence,
        "account": log_row.key.account,
        "platform": log_row.platform,
        "kind": str(log_row.kind),
        "state": str(log_row.state),
        "due_at": log_row.due_at.isoformat(),
        "sent_at": log_row.sent_at.isoformat() if log_row.sent_at else None,
        "updated_at": log_row.updated_at.isoformat(),
        "attempts": log_row.attempts,
        "url": log_row.url,
        "error": log_row.error,
        **source_json(log_row.source),
    }


def source_json(source: Source | None) -> dict[str, Any]:
    """A delivery's git source as JSON fields (`commit`, `blob`, `author`, `committed`),
    each null where the delivery was not sent from a git checkout."""
    if source is None:
        return {"commit": None, "blob": None, "author": None, "committed": None}
    return {
        "commit": source.commit,
        "blob": source.blob,
        "author": source.author,
        "committed": source.committed,
    }


def occurrence(key: DeliveryKey, tz: ZoneInfo) -> str:
    """A repeat's occurrence in local time (the key keeps it in UTC); `once` as it is;
    a re-share's with `>` and the account whose delivery it re-shares."""
    base, origin = split_occurrence(key.occurrence)
    shown = base if base == ONCE else format_local(datetime.fromisoformat(base), tz)
    return shown if origin is None else f"{shown}>{origin}"


def _moment(log_row: LogRow) -> datetime:
    """The time a row is shown at: when it was sent, else when it last changed."""
    return log_row.sent_at or log_row.updated_at


def _occurrence_on(occurrence: str, local: datetime, tz: ZoneInfo) -> str:
    """A repeat's occurrence beside a row shown at `local`: the time alone on the same
    day, else with the date (the zone is in the heading)."""
    at = datetime.fromisoformat(occurrence).astimezone(tz)
    return f"{at:%H:%M}" if at.date() == local.date() else f"{at:%Y-%m-%d %H:%M}"


def _detail(log_row: LogRow) -> str | None:
    """A sent row's address, else its error (or the address a settled row has)."""
    detail = log_row.url if log_row.state is RowState.SENT else log_row.error or log_row.url
    return short_address(detail) if detail else None


def _csv_flag(value: bool) -> str:
    """A yes/no column as JSON writes it, in either language: `true` or `false`."""
    return "true" if value else "false"


def _spreadsheet_time(moment: datetime, tz: ZoneInfo) -> str:
    """A time as a spreadsheet reads it: `2026-12-01 08:00:00`, local."""
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M:%S}"
