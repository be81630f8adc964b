"""Working days, and the one rule for when an inbox item must be answered.

A working day is a Monday to Friday that is not an Indonesian public holiday (the
`holidays` package's calendar for Indonesia, public category) and not a day of the
config's `inbox.collective_leave` (cuti bersama, which the government announces each
year and the package's public calendar does not hold).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

_SATURDAY = 5


@functools.cache
def _public_holidays(year: int) -> frozenset[date]:
    """Indonesia's public holidays of one year. Worked out once per year and process:
    the package computes a whole year at a time (lunar and Islamic dates too), which
    takes tens of milliseconds; the calendar does not depend on the config. Years the
    package has no calendar for (before 1946, after 2100) have none."""
    return frozenset(holidays.country_holidays("ID", years=year, categories=("public",)))


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days count as working days where the config's office is (`timezone`)."""

    timezone: ZoneInfo
    collective_leave: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Whether `day` is a working day: Monday to Friday, no public holiday, no
        collective leave."""
        return (
            day.weekday() < _SATURDAY
            and day not in self.collective_leave
            and day not in _public_holidays(day.year)
        )

    def due_at(self, received_at: datetime, days: int) -> datetime:
        """When an item received at `received_at` must be answered, `days` working days
        on (days >= 1), as an aware UTC time.

        The count starts on the first working day after the local day it was received
        (received on a weekend or holiday: the first working day after it as well); it is
        due at the end of the `days`-th working day, 24:00 local time, which is 00:00 of
        the next day.
        """
        if received_at.tzinfo is None:
            raise ValueError("received_at must be an aware datetime")
        day = received_at.astimezone(self.timezone).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        end = day + timedelta(days=1)
        return datetime.combine(end, time(0), tzinfo=self.timezone).astimezone(UTC)

    def response_days(self, received_at: datetime, answered_at: datetime) -> int:
        """How many working days an item took to answer: the working days after the
        local day it was received, up to and including the local day it was answered.
        Answered the day it came: 0; received on a Friday, answered on the Monday: 1;
        received on a Saturday, answered on the Monday: 1 as well. (An item answered
        before its received time, which only clocks out of step make, took 0.)"""
        if received_at.tzinfo is None or answered_at.tzinfo is None:
            raise ValueError("received_at and answered_at must be aware datetimes")
        day = received_at.astimezone(self.timezone).date()
        last = answered_at.astimezone(self.timezone).date()
        counted = 0
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return counted
