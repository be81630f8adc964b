"""Working days and due dates: weekends, Indonesian public holidays, collective leave,
the local day an item was received."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from humaspost.working_days import WorkingCalendar

WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = WorkingCalendar(WIB)


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 7), True),  # Monday
        (date(2026, 12, 11), True),  # Friday
        (date(2026, 12, 12), False),  # Saturday
        (date(2026, 12, 13), False),  # Sunday
        (date(2026, 12, 25), False),  # Friday, Christmas
        (date(2026, 8, 17), False),  # Monday, Independence Day
        (date(2027, 1, 1), False),  # Friday, New Year's Day
        (date(2026, 12, 24), True),  # cuti bersama in 2026, but only if the config says so
    ],
)
def test_working_days_are_weekdays_without_public_holidays(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


def test_collective_leave_days_are_not_working_days() -> None:
    calendar = WorkingCalendar(WIB, frozenset({date(2026, 12, 24)}))
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert calendar.is_working_day(date(2026, 12, 23))


def test_due_at_the_end_of_the_nth_working_day_after_the_day_received() -> None:
    # Received on Monday: Tuesday is the first day, the weekend does not count, the
    # fifth is the next Monday; due at its end, 24:00 WIB.
    due = CALENDAR.due_at(wib(2026, 12, 7, 10, 0), 5)
    assert due == wib(2026, 12, 15) == datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
    assert due.tzinfo is UTC


def test_due_dates_skip_a_public_holiday() -> None:
    # Friday 14 August; Monday 17 August is Independence Day: Tuesday is the first day.
    assert CALENDAR.due_at(wib(2026, 8, 14, 15, 0), 1) == wib(2026, 8, 19)
    # Wednesday 23 December: Thursday, then (Christmas on Friday, the weekend) Monday.
    assert CALENDAR.due_at(wib(2026, 12, 23, 10, 0), 2) == wib(2026, 12, 29)


def test_due_dates_skip_collective_leave() -> None:
    calendar = WorkingCalendar(WIB, frozenset({date(2026, 12, 24)}))
    # Not Thursday (cuti bersama) nor Friday (Christmas): Monday and Tuesday.
    assert calendar.due_at(wib(2026, 12, 23, 10, 0), 2) == wib(2026, 12, 30)


@pytest.mark.parametrize(
    "received",
    [
        wib(2026, 12, 4, 16, 0),  # Friday afternoon
        wib(2026, 12, 5, 9, 0),  # Saturday
        wib(2026, 12, 6, 23, 59),  # Sunday night
    ],
)
def test_received_on_a_weekend_counts_from_the_next_working_day(received: datetime) -> None:
    # Monday is the first working day after each of them.
    assert CALENDAR.due_at(received, 1) == wib(2026, 12, 8)


def test_the_local_day_received_counts_not_the_utc_day() -> None:
    # Tuesday 01:30 WIB is still Monday in UTC: the count starts on Wednesday.
    received = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
    assert CALENDAR.due_at(received, 1) == wib(2026, 12, 10)
    # One minute before local midnight, Monday: Tuesday is the first day.
    assert CALENDAR.due_at(wib(2026, 12, 7, 23, 59), 1) == wib(2026, 12, 9)
    assert CALENDAR.due_at(wib(2026, 12, 8, 0, 0), 1) == wib(2026, 12, 10)


def test_the_config_timezone_decides_the_local_day() -> None:
    # 16:30 UTC on Monday is Monday 23:30 WIB but Tuesday 00:30 WITA.
    received = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
    wita = ZoneInfo("Asia/Makassar")
    assert CALENDAR.due_at(received, 1) == wib(2026, 12, 9)
    assert WorkingCalendar(wita).due_at(received, 1) == datetime(2026, 12, 10, tzinfo=wita)


def test_due_dates_run_on_into_the_next_year_and_its_holidays() -> None:
    # Wednesday 30 December: Thursday 31, then (New Year's Day on Friday, the weekend)
    # Monday 4 January 2027.
    assert CALENDAR.due_at(wib(2026, 12, 30, 10, 0), 2) == wib(2027, 1, 5)


@pytest.mark.parametrize(
    ("received", "answered", "days"),
    [
        (wib(2026, 12, 1, 9), wib(2026, 12, 1, 15), 0),  # the same day
        (wib(2026, 12, 4, 16), wib(2026, 12, 7, 10), 1),  # Friday to Monday
        (wib(2026, 12, 5, 10), wib(2026, 12, 7, 8), 1),  # Saturday to Monday
        (wib(2026, 12, 5, 10), wib(2026, 12, 6, 20), 0),  # Saturday to Sunday
        (wib(2026, 12, 7, 23, 59), wib(2026, 12, 8, 0, 1), 1),  # two minutes, two days
        (wib(2026, 12, 1, 9), wib(2026, 11, 30, 9), 0),  # answered "before": clocks apart
        # Wednesday 23 December to Monday 28: collective leave, Christmas, a weekend.
        (wib(2026, 12, 23, 14), wib(2026, 12, 28, 9), 1),
        (wib(2026, 12, 24, 8), wib(2026, 12, 31, 10), 4),
        (wib(2026, 12, 30, 9), wib(2027, 1, 5, 9), 2),  # 1 and 5 January are holidays
    ],
)
def test_response_days_count_the_working_days_after_the_day_received(
    received: datetime, answered: datetime, days: int
) -> None:
    calendar = WorkingCalendar(WIB, frozenset({date(2026, 12, 24)}))
    assert calendar.response_days(received, answered) == days


def test_response_days_go_by_the_local_days() -> None:
    # 17:30 UTC on Thursday 3 December is Friday 00:30 in Jakarta: answered that Friday,
    # the same local day.
    received = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    assert CALENDAR.response_days(received, wib(2026, 12, 4, 9)) == 0
    assert CALENDAR.response_days(wib(2026, 12, 3, 23), wib(2026, 12, 4, 9)) == 1
    with pytest.raises(ValueError):
        CALENDAR.response_days(datetime(2026, 12, 4), wib(2026, 12, 7))
