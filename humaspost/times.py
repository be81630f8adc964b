"""Times as users write them: ISO 8601 date-times, local to the config's timezone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from humaspost.i18n import N_, _

_BARE_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d|w)\s*$")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


# The years a written time may have (docs/post-format.md). Python's datetime ends at the
# years 1 and 9999; staying this far inside means that converting to UTC and adding or
# taking away what humaspost does (a duration up to MAX_DURATION, a schedule window of
# up to ten years, a day of look-back) can never leave that range.
FIRST_YEAR = 1970
LAST_YEAR = 9000
# The longest duration accepted (`max_delay`, a sandbox `delay`): ten years.
MAX_DURATION = timedelta(days=3650)
_MAX_DURATION_MS = MAX_DURATION // timedelta(milliseconds=1)
# Values longer than this are shortened in messages: the person sees which value is
# meant without a screenful of it.
_SHOWN_CHARS = 60


class TimeFormatError(ValueError):
    """A time or duration written in a way humaspost does not accept; says how to fix it."""


# Indonesia's three zones by the names staff write after a time ("08:00 WIB"). They
# keep one offset all year (no daylight saving), so a name says exactly which moment.
_INDONESIAN_ZONES = {"WIB": "+07:00", "WITA": "+08:00", "WIT": "+09:00"}
# The written form of a date-time, unanchored: the JSON Schema of posts (json_schema.py)
# puts the same form in its `pattern`, so that editors refuse what `check` refuses.
DATETIME_FORM = (
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt]|\s+)(\d{1,2})[:.](\d{2})(?::(\d{2}))?"
    # Zone names spelled out letter by letter: JSON Schema's (ECMA-262) regexes have no
    # inline flags.
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?|[Ww][Ii][Tt][Aa]|[Ww][Ii][BbTt])?"
)
# A date-time followed by some other zone name (UTC, GMT, Asia/Jakarta): told apart from
# a time written wrongly, so that the message can say what to write instead.
_OTHER_ZONE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}[:.]\d{2})\s*[A-Za-z][\w/+-]*$"
)
_DATETIME = re.compile(f"^{DATETIME_FORM}$")
# Why Python's datetime refuses a date or time, as whole sentences; another reason is
# quoted in English.
_NOT_REAL = {
    "day is out of range for month": N_(
        "'{text}' is not a real date or time (day is out of range for month)"
    ),
    "month must be in 1..12": N_("'{text}' is not a real date or time (month must be in 1..12)"),
    "hour must be in 0..23": N_("'{text}' is not a real date or time (hour must be in 0..23)"),
    "minute must be in 0..59": N_("'{text}' is not a real date or time (minute must be in 0..59)"),
    "second must be in 0..59": N_("'{text}' is not a real date or time (second must be in 0..59)"),
}


def parse_datetime(raw: object, tz: ZoneInfo) -> datetime:
    """Parse a user's date-time; without an offset it is local time in `tz`. Returns UTC.

    Accepts `2026-12-01 08:00`, `2026-12-01T08:00:00+07:00`, `...Z`, the Indonesian
    `08.30` for 08:30, and a zone name WIB, WITA or WIT for its offset. A bare date is
    refused (which hour?), as is a local time that does not exist or is ambiguous in
    `tz` because of a daylight-saving change.
    """
    if not isinstance(raw, str):
        raise TimeFormatError(
            _("expected a date and time like 2026-12-01 08:00, got {value}").format(
                value=quoted(raw)
            )
        )
    text = raw.strip()
    if _BARE_DATE.match(text):
        raise TimeFormatError(
            _("'{date}' is a date without a time; write the hour too, e.g. '{date} 08:00'").format(
                date=text
            )
        )
    match = _DATETIME.match(text)
    if match is None:
        other_zone = _OTHER_ZONE.match(text)
        if other_zone is not None:
            raise TimeFormatError(
                _(
                    "{value} names a zone humaspost does not know; write WIB, WITA or "
                    "WIT, or an offset such as '{time}+07:00', or nothing for local time"
                ).format(value=quoted(text), time=other_zone.group(1))
            )
        raise TimeFormatError(
            _("{value} is not a date and time; write it like 2026-12-01 08:00").format(
                value=quoted(text)
            )
        )
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise TimeFormatError(
            _("'{text}' is outside the years humaspost works with ({first} to {last})").format(
                text=text, first=FIRST_YEAR, last=LAST_YEAR
            )
        )
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        known = _NOT_REAL.get(str(exc))
        message = (
            _(known).format(text=text)
            if known
            else _("'{text}' is not a real date or time ({reason})").format(text=text, reason=exc)
        )
        raise TimeFormatError(message) from None
    offset = match.group(7)
    if offset is None:
        return _localize(value, tz).astimezone(UTC)
    try:
        aware = datetime.fromisoformat(f"{value.isoformat()}{_iso_offset(offset)}")
    except ValueError as exc:
        raise TimeFormatError(
            _("'{text}' has an impossible offset ({reason})").format(text=text, reason=exc)
        ) from None
    return aware.astimezone(UTC)


def parse_since(raw: str, tz: ZoneInfo) -> datetime:
    """A moment to look back to (`log --since`): a date-time as `parse_datetime` takes
    it, or a bare date for that day's local midnight in `tz`. Returns UTC."""
    text = raw.strip()
    return parse_datetime(f"{text} 00:00" if _BARE_DATE.match(text) else text, tz)


def _iso_offset(offset: str) -> str:
    if offset in ("Z", "z"):
        return "+00:00"
    if offset.upper() in _INDONESIAN_ZONES:
        return _INDONESIAN_ZONES[offset.upper()]
    if len(offset) == 3:
        return f"{offset}:00"
    return offset if ":" in offset else f"{offset[:3]}:{offset[3:]}"


def _localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach `tz`, refusing local times skipped or repeated by a DST change."""
    early = naive.replace(tzinfo=tz, fold=0)
    late = naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() != late.utcoffset():
        round_trip = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            raise TimeFormatError(
                _(
                    "{time} does not exist in {zone} (the clocks skip it); "
                    "pick another time or give an offset"
                ).format(time=f"{naive:%Y-%m-%d %H:%M}", zone=tz.key)
            )
        raise TimeFormatError(
            _(
                "{time} happens twice in {zone} (the clocks go back); "
                "give an offset such as +01:00 to say which"
            ).format(time=f"{naive:%Y-%m-%d %H:%M}", zone=tz.key)
        )
    return early


def duration_text(duration: timedelta) -> str:
    """A duration as a post file writes it: `1h30m`, `10m`, `45s`, `0m`."""
    seconds = int(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    text += f"{seconds}s" if seconds else ""
    return text or "0m"


def parse_duration(raw: object) -> timedelta:
    """Parse a duration such as `200ms`, `90m`, `2h`, `1d`, `1w` (a number and a unit),
    at most MAX_DURATION."""
    match = _DURATION.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise TimeFormatError(
            _("{value} is not a duration; write a number and a unit: 30m, 2h, 1d").format(
                value=quoted(raw)
            )
        )
    digits, unit = match.group(1).lstrip("0"), match.group(2)
    # Compared as milliseconds before anything else is made of it: int() refuses more
    # than 4,300 digits, and a timedelta more than 999,999,999 days.
    if len(digits) > len(str(_MAX_DURATION_MS)) or int(digits or 0) * _UNIT_MS[unit] > (
        _MAX_DURATION_MS
    ):
        raise TimeFormatError(
            _("{value} is too long; a duration is at most 3650d (ten years)").format(
                value=quoted(raw)
            )
        )
    return timedelta(milliseconds=int(digits or 0) * _UNIT_MS[unit])


def quoted(raw: object) -> str:
    """A value as a message quotes it (text in quotes, like repr): shortened if it is
    long, and never failing (a value read from YAML may be an int too long to write)."""
    try:
        text = raw if isinstance(raw, str) else repr(raw)
    except ValueError:  # an int of more than 4,300 digits has no repr
        return _("a number too long to show")
    if len(text) > _SHOWN_CHARS:
        text = f"{text[:_SHOWN_CHARS]}…"
    return f"'{text}'" if isinstance(raw, str) else text


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    """A UTC moment as local time for people: `2026-12-01 08:00 WIB`."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


DAY_NAMES = (
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"),
    N_("Friday"), N_("Saturday"), N_("Sunday"),
)  # fmt: skip
MONTH_NAMES = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
    N_("December"),
)  # fmt: skip


def day_name(day: date) -> str:
    """A date with its weekday, in the language in use: `Selasa, 1 Desember 2026`
    (`Tuesday, 1 December 2026` in English)."""
    weekday, month = _(DAY_NAMES[day.weekday()]), _(MONTH_NAMES[day.month - 1])
    return f"{weekday}, {day.day} {month} {day.year}"


def format_local_day(moment: datetime, tz: ZoneInfo) -> str:
    """A UTC moment as local time with its day and date: `Selasa, 1 Desember 2026 08:00
    WIB`."""
    local = moment.astimezone(tz)
    return f"{day_name(local.date())} {local:%H:%M} {local.tzname()}"


def local_midnight(moment: datetime, tz: ZoneInfo) -> datetime:
    """The start of `moment`'s local day, in UTC."""
    day = moment.astimezone(tz).date()
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class OffsetClock:
    """The real clock, shifted by `offset` (for `--now`: training, tests). Time runs on
    from the pretended moment; `real` turns a shifted time back into a real one (what a
    scheduler waits for)."""

    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def real(self, moment: datetime) -> datetime:
        """The real time at which this clock shows `moment`."""
        return moment - self.offset
