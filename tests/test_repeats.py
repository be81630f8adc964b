"""Repeats keep crontab's meaning in the config's timezone, across daylight-saving changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from humaspost.repeats import occurrences

BERLIN = ZoneInfo("Europe/Berlin")
WIB = ZoneInfo("Asia/Jakarta")


def local_times(expression: str, start: datetime, tz: ZoneInfo, count: int) -> list[str]:
    found = itertools.islice(occurrences(expression, start, tz), count)
    return [f"{moment.astimezone(tz):%a %Y-%m-%d %H:%M %z}" for moment in found]


def test_a_daily_post_keeps_its_local_hour_across_both_dst_changes() -> None:
    spring = local_times("0 8 * * *", datetime(2026, 3, 28, 0, 0, tzinfo=UTC), BERLIN, 2)
    assert spring == ["Sat 2026-03-28 08:00 +0100", "Sun 2026-03-29 08:00 +0200"]
    autumn = local_times("0 8 * * *", datetime(2026, 10, 24, 0, 0, tzinfo=UTC), BERLIN, 2)
    assert autumn == ["Sat 2026-10-24 08:00 +0200", "Sun 2026-10-25 08:00 +0100"]


def test_a_time_the_clocks_skip_runs_once_at_the_jump_and_a_repeated_hour_runs_once() -> None:
    # As cron does: 02:30 does not exist on 29 March; it runs at 03:00 that day.
    skipped = local_times("30 2 * * *", datetime(2026, 3, 28, 0, 0, tzinfo=UTC), BERLIN, 3)
    assert skipped == [
        "Sat 2026-03-28 02:30 +0100",
        "Sun 2026-03-29 03:00 +0200",
        "Mon 2026-03-30 02:30 +0200",
    ]
    repeated = local_times("30 2 * * *", datetime(2026, 10, 24, 0, 0, tzinfo=UTC), BERLIN, 3)
    assert repeated == [
        "Sat 2026-10-24 02:30 +0200",
        "Sun 2026-10-25 02:30 +0200",
        "Mon 2026-10-26 02:30 +0100",
    ]


def test_weekday_numbers_and_names_mean_what_they_mean_in_crontab() -> None:
    friday = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # Friday 07:00 WIB
    weekdays = local_times("0 8 * * 1-5", friday, WIB, 3)
    assert [day[:3] for day in weekdays] == ["Fri", "Mon", "Tue"]
    for sunday in ("0 8 * * 0", "0 8 * * 7", "0 8 * * sun"):
        assert local_times(sunday, friday, WIB, 1) == ["Sun 2026-12-06 08:00 +0700"]


def test_until_ends_the_repeat() -> None:
    until = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
    found = list(occurrences("0 8 * * *", datetime(2026, 12, 5, 0, 0, tzinfo=UTC), WIB, until))
    assert [f"{m.astimezone(WIB):%d}" for m in found] == ["05", "06", "07"]
