"""Times as users write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from humaspost.times import (
    MAX_DURATION,
    TimeFormatError,
    format_local,
    parse_datetime,
    parse_duration,
)

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2026-12-01 08:00", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("2026-12-01T08:00", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("2026-12-01 08:00:30", datetime(2026, 12, 1, 1, 0, 30, tzinfo=UTC)),
        ("2026-12-03T06:30:00+07:00", datetime(2026, 12, 2, 23, 30, tzinfo=UTC)),
        ("2026-12-01T01:00Z", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
        ("2026-12-01 10:00+09:00", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
    ],
)
def test_local_time_without_offset_and_explicit_offsets(written: str, utc: datetime) -> None:
    assert parse_datetime(written, WIB) == utc


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("2026-12-01", "without a time"),
        ("2026-02-30 08:00", "not a real date"),
        ("2026-12-01 24:30", "not a real date"),
        ("besok pagi", "write it like"),
        ("1/12/2026 08:00", "write it like"),
    ],
)
def test_bad_times_say_what_is_wrong(written: str, says: str) -> None:
    with pytest.raises(TimeFormatError, match=says):
        parse_datetime(written, WIB)


def test_non_text_is_refused() -> None:
    with pytest.raises(TimeFormatError):
        parse_datetime(20261201, WIB)


def test_times_skipped_or_repeated_by_dst_are_refused() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    with pytest.raises(TimeFormatError, match="does not exist"):
        parse_datetime("2026-03-29 02:30", berlin)
    with pytest.raises(TimeFormatError, match="happens twice"):
        parse_datetime("2026-10-25 02:30", berlin)
    assert parse_datetime("2026-10-25 02:30+01:00", berlin) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        (" 1d ", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("45s", timedelta(seconds=45)),
    ],
)
def test_durations(written: str, value: timedelta) -> None:
    assert parse_duration(written) == value


@pytest.mark.parametrize("written", ["2", "2 hours", "h", "", 7200, None, "1.5h"])
def test_bad_durations(written: object) -> None:
    with pytest.raises(TimeFormatError):
        parse_duration(written)


@pytest.mark.parametrize(
    "written",
    ["0001-01-01 00:00", "1969-12-31 23:59Z", "9001-01-01 00:00", "9999-12-31 23:59-12:00"],
)
def test_times_outside_the_years_are_refused(written: str) -> None:
    with pytest.raises(TimeFormatError, match=r"outside the years humaspost works with"):
        parse_datetime(written, WIB)


def test_the_first_and_last_years_have_room_for_what_humaspost_adds() -> None:
    first = parse_datetime("1970-01-01 00:00+23:59", WIB)
    last = parse_datetime("9000-12-31 23:59-23:59", WIB)
    # The longest duration and schedule window (each at most ten years), either way,
    # stay inside datetime's years.
    for moment in (first, last):
        assert moment - MAX_DURATION * 2 >= datetime.min.replace(tzinfo=UTC)
        assert moment + MAX_DURATION * 2 <= datetime.max.replace(tzinfo=UTC)


@pytest.mark.parametrize("written", ["3651d", "99999999999d", "1" * 4301 + "s", "522w"])
def test_durations_longer_than_ten_years_are_refused(written: str) -> None:
    with pytest.raises(TimeFormatError, match="too long; a duration is at most 3650d"):
        parse_duration(written)


def test_ten_years_is_the_longest_duration() -> None:
    assert parse_duration("3650d") == MAX_DURATION == parse_duration("315360000000ms")
    assert parse_duration("0005s") == timedelta(seconds=5)


def test_format_local_names_the_zone() -> None:
    assert format_local(datetime(2026, 12, 1, 1, 0, tzinfo=UTC), WIB) == "2026-12-01 08:00 WIB"


def test_indonesian_dot_time_means_hours_and_minutes() -> None:
    assert parse_datetime("2026-12-01 08.30", WIB) == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "written", ["2026-12-10 08", "20261210T0830", "2026-12-01 08:00:00.5", "2026-12-01 8"]
)
def test_loose_iso_forms_are_refused(written: str) -> None:
    with pytest.raises(TimeFormatError, match="write it like"):
        parse_datetime(written, WIB)
