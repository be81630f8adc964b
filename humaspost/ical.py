"""The schedule as an iCalendar (RFC 5545) feed, for the office calendar.

One VEVENT per delivery: UID `<post>/<occurrence>/<account>@humaspost`, DTSTART in UTC,
15 minutes long, SUMMARY `<account>: <first 60 characters of the text>`, DESCRIPTION
with the state and the text (its labels and the state in the language in use); drafts
and blocked posts are TENTATIVE.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from humaspost.config import Config
from humaspost.i18n import _
from humaspost.lifecycle import state_label
from humaspost.plan import State
from humaspost.publog import DeliveryKey
from humaspost.render import render
from humaspost.timeline import Entry
from humaspost.times import format_local

_ICS_DURATION = "PT15M"
_SUMMARY_CHARS = 60


def ics(entries: Iterable[Entry], cfg: Config, now: datetime) -> str:
    """The deliveries as an iCalendar feed: CRLF line ends, lines folded at 75 octets."""
    tz = cfg.timezone
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//humaspost//schedule//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_ics_text(f'humaspost: {cfg.root.name}')}",
        f"X-WR-TIMEZONE:{tz.key}",
    ]
    stamp = _ics_time(now)
    seen: set[DeliveryKey] = set()
    for entry in entries:
        key = entry.key
        if key in seen:
            continue  # two files with one id (both blocked): a UID must be unique
        seen.add(key)
        parts = _texts(entry, cfg)
        first = " ".join(parts[0].split()) if parts and parts[0].strip() else key.post_id
        # What a person reads in the calendar app, in the language in use.
        details = [
            _("State: {state}").format(state=state_label(entry.state)),
            _("Post: {post}").format(post=key.post_id),
            *([_("File: {file}").format(file=entry.post.shown)] if entry.post is not None else []),
            _("Account: {account} ({platform})").format(
                account=key.account, platform=entry.platform
            ),
            _("Time: {time}").format(time=format_local(entry.due_at, tz)),
            *([_("Repeat: {repeat}").format(repeat=entry.repeat)] if entry.repeat else []),
            *(
                [_("URL: {url}").format(url=entry.row.url)]
                if entry.row is not None and entry.row.url
                else []
            ),
            *([_("Error: {error}").format(error=entry.error)] if entry.error else []),
        ]
        if parts:
            details += ["", "\n---\n".join(parts)]
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_ics_text(f'{key.post_id}/{key.occurrence}/{key.account}@humaspost')}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_ics_time(entry.due_at)}",
            f"DURATION:{_ICS_DURATION}",
            f"SUMMARY:{_ics_text(f'{key.account}: {first[:_SUMMARY_CHARS]}')}",
            f"DESCRIPTION:{_ics_text(chr(10).join(details))}",
            f"STATUS:{'TENTATIVE' if entry.state in (State.DRAFT, State.BLOCKED) else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _texts(entry: Entry, cfg: Config) -> list[str]:
    """The text parts the account gets (empty if the post or account is gone)."""
    account = cfg.accounts.get(entry.key.account)
    if entry.post is None or account is None:
        return []
    return [part.text for part in render(entry.post, account) if part.text]


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    """A TEXT value: backslash, `;` and `,` escaped, line breaks as `\\n`, no other
    control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return "".join(c for c in value if c == "\t" or (c >= " " and c != "\x7f"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 sequence; continuation
    lines start with a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    pieces: list[str] = []
    start, width = 0, 75
    while start < len(data):
        end = min(start + width, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, width = end, 74
    return "\r\n ".join(pieces)
