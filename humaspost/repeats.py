"""Repeating posts: occurrences of a 5-field cron expression with crontab's meaning.

cronsim follows cron exactly (day-of-week 0 and 7 are Sunday; when both day-of-month
and day-of-week are restricted either may match; DST handled as cron does). We
evaluate in the config's timezone and return UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def occurrences(
    expression: str, start: datetime, tz: ZoneInfo, until: datetime | None = None
) -> Iterator[datetime]:
    """UTC occurrences at or after `start` (UTC), in order, none after `until`."""
    from cronsim import CronSim

    # cronsim yields times strictly after its start; step back a second to include it.
    local_start = start.astimezone(tz).replace(microsecond=0)
    begin = local_start.timestamp() - 1
    for moment in CronSim(expression.upper(), datetime.fromtimestamp(begin, tz)):
        occurrence = moment.astimezone(UTC)
        if until is not None and occurrence > until:
            return
        yield occurrence


def more_often_than_hourly(expression: str) -> bool:
    """Whether two consecutive occurrences of a valid expression can be less than an
    hour apart (in local time). Exactly when its minute field names more than one
    minute: two of them fall in every hour it fires, while occurrences at one minute
    are whole hours apart (`0 8-9 * * *`: 08:00 and 09:00, allowed)."""
    from cronsim import CronSim

    return len(CronSim(expression.upper(), datetime(2000, 1, 1)).minutes) > 1
