"""Warnings about a schedule that staff should look at; they never fail a command.

For local days from today on, counting deliveries that will or did go out (scheduled,
due, sending, retrying, sent, unknown; not drafts, blocked, failed or missed):

- `daily-limit`: an account gets more deliveries on one local calendar day than its
  `daily_limit` in the config.
- `burst`: `BURST_COUNT` (3) or more deliveries to one account within `BURST_WINDOW`
  (15 minutes, inclusive: 08:00, 08:10 and 08:15 are a burst). Overlapping bursts are
  merged into one warning naming the first and last time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from humaspost.config import Config
from humaspost.i18n import ngettext
from humaspost.plan import State
from humaspost.times import day_name

# Three or more deliveries to one account within 15 minutes flood followers' timelines
# and look like spam to the platforms.
BURST_COUNT = 3
BURST_WINDOW = timedelta(minutes=15)

# Deliveries that will or did go out: they count towards quotas and bursts.
COUNTED = frozenset(
    {State.SCHEDULED, State.DUE, State.SENDING, State.RETRYING, State.SENT, State.UNKNOWN}
)


@dataclass(frozen=True)
class ScheduleWarning:
    """Something about the schedule staff should look at; it does not fail the command."""

    code: str
    message: str  # in the language in use; `code` is what scripts match on
    account: str
    day: date


def schedule_warnings(
    deliveries: Iterable[tuple[str, datetime, State]], cfg: Config, today: date
) -> list[ScheduleWarning]:
    """The warnings about `deliveries` (account, due time, state) on local days from
    `today` on, ordered by day, account and code."""
    tz = cfg.timezone
    by_account: dict[str, list[datetime]] = defaultdict(list)
    for account, due_at, state in deliveries:
        if state in COUNTED and due_at.astimezone(tz).date() >= today:
            by_account[account].append(due_at)
    found: list[ScheduleWarning] = []
    for account, times in by_account.items():
        times.sort()
        found += _quota_warnings(account, times, cfg)
        found += _burst_warnings(account, times, tz)
    found.sort(key=lambda w: (w.day, w.account, w.code))
    return found


def _quota_warnings(account: str, times: list[datetime], cfg: Config) -> list[ScheduleWarning]:
    known = cfg.accounts.get(account)
    limit = known.daily_limit if known is not None else None
    if limit is None:
        return []
    per_day = Counter(t.astimezone(cfg.timezone).date() for t in times)
    return [
        ScheduleWarning(
            "daily-limit",
            ngettext(
                "{account} has {count} delivery on {day}, more than its daily_limit of {limit}",
                "{account} has {count} deliveries on {day}, more than its daily_limit of {limit}",
                count,
            ).format(account=account, count=count, day=day_name(day), limit=limit),
            account,
            day,
        )
        for day, count in sorted(per_day.items())
        if count > limit
    ]


def _burst_warnings(account: str, times: list[datetime], tz: ZoneInfo) -> list[ScheduleWarning]:
    """One warning per run of overlapping windows holding BURST_COUNT or more deliveries
    within BURST_WINDOW (`times` sorted)."""
    groups: list[tuple[int, int]] = []
    last = 0
    for first in range(len(times)):
        last = max(last, first)
        while last + 1 < len(times) and times[last + 1] - times[first] <= BURST_WINDOW:
            last += 1
        if last - first + 1 < BURST_COUNT:
            continue
        if groups and first <= groups[-1][1]:
            groups[-1] = (groups[-1][0], last)
        else:
            groups.append((first, last))
    minutes = int(BURST_WINDOW.total_seconds() // 60)
    found: list[ScheduleWarning] = []
    for first, last in groups:
        start, end = times[first].astimezone(tz), times[last].astimezone(tz)
        count = last - first + 1
        found.append(
            ScheduleWarning(
                "burst",
                ngettext(
                    "{account} gets {count} delivery between {start} and {end} on {day} "
                    "({burst} or more within {minutes} minutes flood followers' timelines); "
                    "spread them out",
                    "{account} gets {count} deliveries between {start} and {end} on {day} "
                    "({burst} or more within {minutes} minutes flood followers' timelines); "
                    "spread them out",
                    count,
                ).format(
                    account=account,
                    count=count,
                    start=f"{start:%H:%M}",
                    end=f"{end:%H:%M}",
                    day=day_name(start.date()),
                    burst=BURST_COUNT,
                    minutes=minutes,
                ),
                account,
                start.date(),
            )
        )
    return found
