"""What the `inbox` commands show: text for a person, JSON and CSV for programs and
spreadsheets (see docs/cli.md, "humaspost inbox").

Text: times in the config's timezone, time left as `2d 3h` (`overdue 1d 2h` once the
due time has passed). JSON: machine values (statuses as `not-complaint`), times in UTC,
ages and times left in seconds. CSV: the JSON's keys as the header, times local, laid
out like `log --format csv` (a byte order mark, `;` in Indonesian, CRLF).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from zoneinfo import ZoneInfo

from humaspost.i18n import N_, _, ngettext
from humaspost.inbox import Listing, Purged, ReplyFile, Row, Shown
from humaspost.inbox_log import REPLY_RETRACTED
from humaspost.inbox_model import OPEN, STATUS_NAMES, Action, Item, Status
from humaspost.lifecycle import state_label
from humaspost.log_view import csv_separator, row_state
from humaspost.publog import LogRow
from humaspost.repository import shown_name
from humaspost.tables import (
    GAP,
    KEEP,
    STATE_STYLE,
    Segment,
    short_address,
    text_width,
    wrapped,
)
from humaspost.times import format_local, format_local_day

if TYPE_CHECKING:  # fetching loads the platforms' libraries; listing never needs them
    from humaspost.inbox_fetch import FetchResult

ITEM_FIELDS = ["id", "status", "office", "category", "platform", "account", "remote_id", "url",
               "author_id", "author_name", "author_handle", "text", "received_at", "due_at",
               "age_seconds", "time_left_seconds", "overdue", "answers_post", "answered_at",
               "settled_at", "reply_url", "fetched_at"]  # fmt: skip
# A citizen's text in the list: its first this many characters at most, on one line.
_SNIPPET = 200

# Ages and times left, in the units of the language in use (`h` is no hour in
# Indonesian, where it reads as `hari`).
DAYS_HOURS = N_("{days}d {hours}h")
DAYS = N_("{days}d")
HOURS_MINUTES = N_("{hours}h {minutes}m")
HOURS = N_("{hours}h")
MINUTES = N_("{minutes}m")

ACTION_NAMES: dict[Action, str] = {
    Action.RECEIVED: N_("received"),
    Action.ROUTED: N_("routed"),
    Action.ASSIGNED: N_("assigned"),
    Action.REOPENED: N_("reopened"),
    Action.CLOSED: N_("closed"),
    Action.NOT_COMPLAINT: N_("not a complaint"),
    Action.ANSWERED: N_("answered"),
}
STATUS_STYLE: dict[Status, str] = {
    Status.NEW: "bold cyan",
    Status.ASSIGNED: "cyan",
    Status.ANSWERED: "green",
    Status.CLOSED: "dim",
    Status.NOT_COMPLAINT: "dim",
}
# How each account's fetch ended, as the text of `inbox fetch` says it.
FETCH_STATUS_NAMES: dict[str, str] = {
    "done": N_("done"),
    "rate-limited": N_("rate limited"),
    "busy": N_("busy"),
    "failed": N_("failed"),
    "waiting": N_("waiting"),
    "no-inbox": N_("no inbox"),
}
_FETCH_STYLE = {
    "done": "green",
    "failed": "bold red",
    "rate-limited": "yellow",
    "waiting": "yellow",
}


def span_text(delta: timedelta) -> str:
    """A length of time in two units at most, as the list shows ages and times left:
    `2d 3h`, `5h 20m`, `45m` in English (the sign is left to the caller)."""
    minutes = int(abs(delta).total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        shown = _(DAYS_HOURS) if hours else _(DAYS)
    elif hours:
        shown = _(HOURS_MINUTES) if minutes else _(HOURS)
    else:
        shown = _(MINUTES)
    return shown.format(days=days, hours=hours, minutes=minutes)


def time_left(row: Row) -> Segment:
    """An item's time left, as text shows it: `2d 3h left`, `overdue 1d 2h`; a settled
    item's status instead."""
    if not row.item.is_open:
        return _(STATUS_NAMES[row.item.status]), STATUS_STYLE[row.item.status]
    if row.overdue:
        return _("overdue {time}").format(time=span_text(row.time_left)), "bold red"
    style = "yellow" if row.time_left < timedelta(days=1) else None
    return _("{time} left").format(time=span_text(row.time_left)), style


def author_text(item: Item) -> str:
    """Who wrote an item: `Warga Contoh (@warga_uji1)`, or the name alone."""
    if item.author_handle and item.author_handle != item.author_name:
        return f"{item.author_name} (@{item.author_handle})"
    return item.author_name


def listing_text(listing: Listing, tz: ZoneInfo, width: int) -> list[Segment]:
    """The text of `inbox`: a heading, then for each item its number, time left,
    status, office, account and when it came, and on the next line who wrote what (the
    text's start, on one line)."""
    count = len(listing.rows)
    zone = listing.now.astimezone(tz).tzname()
    if not count:
        empty = (
            _("the inbox has no open items")
            if listing.statuses == OPEN and not listing.filtered
            else _("the inbox has no matching items")
        )
        return [(empty + "\n", None)]
    heading = (
        ngettext(
            "Inbox: {count} open item, most urgent first (times in {zone})",
            "Inbox: {count} open items, most urgent first (times in {zone})",
            count,
        )
        if listing.statuses == OPEN
        else ngettext(
            "Inbox: {count} item, most urgent first (times in {zone})",
            "Inbox: {count} items, most urgent first (times in {zone})",
            count,
        )
    )
    lines: list[Segment] = [(heading.format(count=count, zone=zone) + "\n\n", "bold")]
    lefts = [time_left(row) for row in listing.rows]
    number_width = max(len(str(row.item.id)) for row in listing.rows)
    widths = [
        max(len(text) for text, _style in lefts),
        max(len(_(STATUS_NAMES[row.item.status])) for row in listing.rows),
        max(len(row.item.office or "-") for row in listing.rows),
        max(len(row.item.account) for row in listing.rows),
    ]
    indent = " " * (number_width + 2)
    for row, (left, left_style) in zip(listing.rows, lefts, strict=True):
        item = row.item
        status = _(STATUS_NAMES[item.status])
        received = f"{item.received_at.astimezone(tz):%Y-%m-%d %H:%M}"
        age = _("{time} ago").format(time=span_text(row.age))
        head: list[Segment] = [
            (f"{item.id:>{number_width}}  ", "bold"),
            (left.ljust(widths[0]), left_style),
            (GAP, None),
            (status.ljust(widths[1]), STATUS_STYLE[item.status]),
            (f"{GAP}{(item.office or '-').ljust(widths[2])}{GAP}{item.account}", None),
        ]
        came = f"{received} ({age})"
        padded = item.account.ljust(widths[3])[len(item.account) :] + GAP
        # When came does not fit beside the account, it goes on a line of its own.
        fits = text_width(head) + len(padded) + len(came) <= width
        lines += [*head, (padded + came if fits else f"\n{indent}{came}", None), ("\n", None)]
        said = f"{author_text(item)}: {' '.join(item.text.split())[:_SNIPPET]}"
        room = max(width - len(indent), 10)
        shown = said if len(said) <= room else said[: room - 1] + "…"
        lines.append((f"{indent}{shown}\n", "dim"))
    return lines


def shown_text(shown: Shown, tz: ZoneInfo, width: int) -> list[Segment]:
    """The text of `inbox show`: the item's facts, what was written, its history and
    the deliveries that reply to it."""
    row = shown.row
    item = row.item
    left, left_style = time_left(row)
    due = format_local_day(item.due_at, tz)
    age = _("{time} ago").format(time=span_text(row.age))
    status: list[Segment] = [(_(STATUS_NAMES[item.status]), STATUS_STYLE[item.status])]
    status += [(f", {named}", None) for named in (item.office, item.category) if named]
    due_in: list[Segment] = [(f" ({left})", left_style)] if item.is_open else []
    facts: list[tuple[str, list[Segment]]] = [
        (_("status"), status),
        (_("account"), [(f"{item.account} ({item.platform})", None)]),
        (_("from"), [(author_text(item), None)]),
        (
            _("received"),
            [(format_local_day(item.received_at, tz), None), (f" ({age})", "dim")],
        ),
        (_("due"), [(due, None), *due_in]),
    ]
    if item.answers_post:
        facts.append((_("answers"), [(item.answers_post, None)]))
    if item.answered_at:
        facts.append((_("answered"), [(format_local_day(item.answered_at, tz), None)]))
    if item.url:
        facts.append((_("address"), [(item.url, None)]))
    title = _("Inbox item {id}").format(id=item.id)
    lines: list[Segment] = [(title + "\n", "bold")]
    label_width = max(len(label) for label, _facts in facts) + 1
    for label, value in facts:
        lines += [(f"{label}:".ljust(label_width) + " ", "dim"), *value, ("\n", None)]
    lines.append(("\n", None))
    for paragraph in item.text.splitlines() or [""]:
        lines += wrapped([("  " + paragraph, None)], width, 2) if paragraph.strip() else []
    lines.append(("\n" + _("History") + "\n", "bold"))
    action_width = max((len(_(ACTION_NAMES[e.action])) for e in shown.history), default=0)
    for entry in shown.history:
        # The one detail humaspost writes in words is stored in English.
        said = _(entry.detail) if entry.detail == REPLY_RETRACTED else entry.detail
        lines += [
            (f"  {format_local(entry.at, tz)}  ", None),
            (_(ACTION_NAMES[entry.action]).ljust(action_width), "bold"),
            (f"{GAP}{entry.by}{GAP + said if said else ''}\n", None),
        ]
    if shown.replies:
        lines.append(("\n" + _("Replies") + "\n", "bold"))
        for reply in shown.replies:
            state = row_state(reply, shown.now)
            address = f"{GAP}{short_address(reply.url)}" if reply.url else ""
            lines += [
                (f"  {reply.id}  ", None),
                (state_label(state), STATE_STYLE[state]),
                (f"{GAP}{reply.key.post_id} → {reply.key.account}{address}\n", None),
            ]
    return lines


def item_json(row: Row) -> dict[str, Any]:
    """An item as `inbox --format json` and `inbox show --format json` give it."""
    item = row.item
    return {
        "id": item.id,
        "status": item.status.value,
        "office": item.office,
        "category": item.category,
        "platform": item.platform,
        "account": item.account,
        "remote_id": item.remote_id or None,
        "url": item.url or None,
        "author_id": item.author_id,
        "author_name": item.author_name,
        "author_handle": item.author_handle,
        "text": item.text,
        "received_at": item.received_at.isoformat(),
        "due_at": item.due_at.isoformat(),
        "age_seconds": int(row.age.total_seconds()),
        "time_left_seconds": int(row.time_left.total_seconds()),
        "overdue": row.overdue,
        "answers_post": item.answers_post,
        "answered_at": _iso(item.answered_at),
        "settled_at": _iso(item.settled_at),
        "reply_url": item.reply_url,
        "fetched_at": item.fetched_at.isoformat(),
    }


def listing_json(listing: Listing) -> list[dict[str, Any]]:
    """`inbox --format json`: the items, most urgent first."""
    return [item_json(row) for row in listing.rows]


def shown_json(shown: Shown) -> dict[str, Any]:
    """`inbox show --format json`: the item, its history and its reply deliveries."""
    return {
        "item": item_json(shown.row),
        "history": [
            {
                "at": entry.at.isoformat(),
                "by": entry.by,
                "action": entry.action.value,
                "detail": entry.detail,
            }
            for entry in shown.history
        ],
        "replies": [_reply_json(reply) for reply in shown.replies],
    }


def write_listing_csv(out: BinaryIO, listing: Listing, tz: ZoneInfo, language: str) -> None:
    """`inbox --format csv`: UTF-8 with a byte order mark, a header of ITEM_FIELDS,
    separated for `language` as `log --format csv` is; times local
    (`2026-12-01 08:00:00`), `overdue` as `true` or `false`."""
    out.write("\ufeff".encode())
    sheet = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.DictWriter(
        sheet, fieldnames=ITEM_FIELDS, delimiter=csv_separator(language), lineterminator="\r\n"
    )
    writer.writeheader()
    for record in listing_json(listing):
        for key in ("received_at", "due_at", "answered_at", "settled_at", "fetched_at"):
            if record[key] is not None:
                record[key] = (
                    f"{datetime.fromisoformat(record[key]).astimezone(tz):%Y-%m-%d %H:%M:%S}"
                )
        record["overdue"] = "true" if record["overdue"] else "false"
        writer.writerow(record)
    sheet.detach()


def fetch_text(result: FetchResult, tz: ZoneInfo, width: int) -> list[Segment]:
    """The text of `inbox fetch`: each account's outcome (a long reason broken under
    itself to fit `width`), then what the inbox got."""
    lines: list[Segment] = []
    name_width = max((len(fetch.account) for fetch in result.accounts), default=0)
    status_width = max(
        (len(_(FETCH_STATUS_NAMES[f.status.value])) for f in result.accounts), default=0
    )
    for fetch in result.accounts:
        status = fetch.status.value
        said = [ngettext("{count} new", "{count} new", fetch.new).format(count=fetch.new)]
        if fetch.retry_at is not None:
            said.append(_("again after {time}").format(time=format_local(fetch.retry_at, tz)))
        if fetch.message:
            said.append(fetch.message)
        # The columns are kept whole (KEEP); only the reason is broken between words.
        head = f"{fetch.account.ljust(name_width)}{GAP}".replace(" ", KEEP)
        named = _(FETCH_STATUS_NAMES[status]).ljust(status_width) + GAP
        line = [(head, None), (named.replace(" ", KEEP), _FETCH_STYLE.get(status))]
        lines += wrapped([*line, ("; ".join(said), None)], width, len(head) + len(named))
    total = len(result.new_items)
    summary = ngettext(
        "{count} new item in the inbox", "{count} new items in the inbox", total
    ).format(count=total)
    if result.deleted:
        summary += "; " + ngettext(
            "{count} settled item deleted (inbox.retain)",
            "{count} settled items deleted (inbox.retain)",
            result.deleted,
        ).format(count=result.deleted)
    shown = [*lines, (summary + "\n", "bold")]
    if result.x_reads:  # X bills every post it returns, new or not
        reads = ngettext(
            "{count} post read from X, about US${cost} (x_prices.read)",
            "{count} posts read from X, about US${cost} (x_prices.read)",
            result.x_reads,
        ).format(count=result.x_reads, cost=f"{result.x_read_cost:.2f}")
        shown.append((reads + "\n", None))
    return shown


def fetch_json(result: FetchResult) -> dict[str, Any]:
    """`inbox fetch --format json`."""
    return {
        "accounts": [
            {
                "account": fetch.account,
                "platform": fetch.platform,
                "status": fetch.status.value,
                "new": fetch.new,
                "pages": fetch.pages,
                "read": fetch.read,
                "message": fetch.message,
                "retry_at": _iso(fetch.retry_at),
            }
            for fetch in result.accounts
        ],
        "new_items": list(result.new_items),
        "deleted": result.deleted,
        "x_reads": result.x_reads,
        "x_read_cost": float(result.x_read_cost),
    }


def assigned_text(item: Item, by: str) -> str:
    """What `inbox assign` says it did."""
    done = _("item {id} assigned to {office} by {by}").format(id=item.id, office=item.office, by=by)
    if item.category:
        done += "; " + _("category {category}").format(category=item.category)
    return done


def closed_text(item: Item, by: str) -> str:
    """What `inbox close` says it did."""
    if item.status is Status.NOT_COMPLAINT:
        return _("item {id} closed as not a complaint by {by}").format(id=item.id, by=by)
    return _("item {id} closed by {by}").format(id=item.id, by=by)


def reply_text(reply: ReplyFile, cwd: Path) -> str:
    """What `inbox reply` says: the file (alone on the first line, for a script) and
    what to do next."""
    steps = _(
        "Next: write the reply in place of the placeholder text, run `humaspost check`,"
        " commit the file and open a pull request. Once merged, publishing sends it as the"
        " reply to item {id} on {account}, once."
    ).format(id=reply.item.id, account=reply.item.account)
    return f"{shown_name(reply.path, cwd)}\n{steps}"


def purged_item_text(item_id: int) -> str:
    """What `inbox purge --item` says it deleted."""
    return _("deleted inbox item {id}, with its history").format(id=item_id)


def purged_text(purged: Purged) -> str:
    """What `inbox purge` says it deleted."""
    if not purged.deleted:
        return _("no inbox item has the author '{author}'; nothing was deleted").format(
            author=purged.author
        )
    return ngettext(
        "deleted {count} inbox item of the author '{author}', with its history",
        "deleted {count} inbox items of the author '{author}', with their history",
        purged.deleted,
    ).format(count=purged.deleted, author=purged.author)


def _reply_json(reply: LogRow) -> dict[str, Any]:
    return {
        "id": reply.id,
        "post": reply.key.post_id,
        "account": reply.key.account,
        "state": str(reply.state),
        "url": reply.url,
        "sent_at": _iso(reply.sent_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
