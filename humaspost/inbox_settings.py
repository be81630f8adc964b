"""The config's `inbox:` section as read: how often to fetch, how long staff have to
answer, and which office an item goes to.

Kept apart from the rules that use it (humaspost/inbox_routing.py,
humaspost/working_days.py) so that reading the config stays cheap: those need the
holiday calendar, the config does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

DEFAULT_INTERVAL = timedelta(minutes=10)
# More often than this would spend X's paid reads for nothing a person can act on.
MIN_INTERVAL = timedelta(minutes=1)
DEFAULT_RESPOND_WITHIN = 5
# The most working days a deadline may be (about a year and a half): a count staff can
# still mean, and one that keeps counting the days cheap.
MAX_WORKING_DAYS = 365
DEFAULT_RETAIN = timedelta(days=365)
MIN_RETAIN = timedelta(days=1)
DEFAULT_SINCE = timedelta(days=7)


@dataclass(frozen=True)
class Route:
    """One routing rule of `inbox.routes`: items of `account` (an account or a group
    name: any of its accounts) and/or whose text has one of `keywords` go to `office`,
    in `category` when it gives one. At least one of `account` and `keywords` is set;
    with both, both must match. `index` is the rule's place in the list, counted from
    1 as people count (`routes[1]` is the first)."""

    index: int
    office: str
    account: str | None = None
    keywords: tuple[str, ...] = ()
    category: str | None = None


@dataclass(frozen=True)
class InboxSettings:
    """The `inbox:` section. Days are working days (humaspost/working_days.py)."""

    interval: timedelta = DEFAULT_INTERVAL  # how often the daemon fetches
    respond_within: int = DEFAULT_RESPOND_WITHIN  # working days, for items of no category
    categories: Mapping[str, int] = field(default_factory=dict)  # name: working days
    routes: tuple[Route, ...] = ()  # tried in this order; the first that matches wins
    collective_leave: frozenset[date] = frozenset()  # cuti bersama: no working days
    retain: timedelta = DEFAULT_RETAIN  # how long settled items are kept
    since: timedelta = DEFAULT_SINCE  # how far back an account's first fetch reads
