"""Times as users write them: ISO 8601 date-times, local to the config's timezone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_BARE_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TimeFormatError(ValueError):
    """A time or duration written in a way humaspost does not accept; says how to fix it."""


def parse_datetime(raw: object, tz: ZoneInfo) -> datetime:
    """Parse a user's date-time; without an offset it is local time in `tz`. Returns UTC.

    Accepts `2026-12-01 08:00`, `2026-12-01T08:00:00+07:00`, `...Z`. A bare date is
    refused (which hour?), as is a local time that does not exist or is ambiguous in
    `tz` because of a daylight-saving change.
    """
    if isinstance(raw, datetime | date):
        # Only reachable from Python callers: YAML timestamps reach us as text.
        raw = raw.isoformat()
    if not isinstance(raw, str):
        raise TimeFormatError(f"expected a date and time like 2026-12-01 08:00, got {raw!r}")
    text = raw.strip()
    if _BARE_DATE.match(text):
        raise TimeFormatError(
            f"'{text}' is a date without a time; write the hour too, e.g. '{text} 08:00'"
        )
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise TimeFormatError(_explain_bad_datetime(text, exc)) from None
    if value.tzinfo is None:
        value = _localize(value, tz)
    return value.astimezone(UTC)


def _explain_bad_datetime(text: str, exc: ValueError) -> str:
    reason = str(exc)
    if "out of range" in reason or "must be in" in reason:
        return f"'{text}' is not a real date or time ({reason})"
    return f"'{text}' is not a date and time; write it like 2026-12-01 08:00"


def _localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach `tz`, refusing local times skipped or repeated by a DST change."""
    early = naive.replace(tzinfo=tz, fold=0)
    late = naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() != late.utcoffset():
        round_trip = early.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            raise TimeFormatError(
                f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip it); "
                "pick another time or give an offset"
            )
        raise TimeFormatError(
            f"{naive:%Y-%m-%d %H:%M} happens twice in {tz.key} (the clocks go back); "
            "give an offset such as +01:00 to say which"
        )
    return early


def parse_duration(raw: object) -> timedelta:
    """Parse a duration such as `90m`, `2h`, `1d`, `1w` (a number and one unit)."""
    match = _DURATION.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise TimeFormatError(f"'{raw}' is not a duration; write a number and a unit: 30m, 2h, 1d")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{_DURATION_UNITS[unit]: amount})


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    """A UTC moment as local time for people: `2026-12-01 08:00 WIB`."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
