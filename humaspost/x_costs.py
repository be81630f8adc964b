"""What the planned deliveries to X will cost, and where they pass X's limits.

X bills its self-serve API per request (2026 prices, `DEFAULT_PRICES`; the config's
`x_prices:` overrides any of them): a post, a post containing a URL (instead of the
plain post price, not on top of it), a repost, and the media metadata of each media
item a post carries. A reply to an inbox item is a post (`kind` "post"), priced by what
it contains like any other. Amounts are `Decimal` US dollars, so that sums of many small
prices stay exact.

Pure: the caller turns its deliveries into `Planned` requests (one per request X
receives, so one per part of a thread) and passes the timezone; nothing here reads
files, the log or the clock.

Sandbox accounts: a `Planned` with `sandbox=True` (an account of platform `sandbox`,
`like: twitter`, or any account in a `--sandbox` rehearsal) counts towards X's limits,
which is what practising with such an account is for, but costs nothing: no money is
spent on it, so it appears neither in the estimate nor against `x_monthly_budget`.

Limits (`limit_warnings`), for each account whose rules are X's:

- `x-repost-window`: more than `REPOST_WINDOW_LIMIT` (50) reposts within any
  `WINDOW` (15 minutes); `x-post-window`: more than `POST_WINDOW_LIMIT` (100) posts
  within any 15 minutes. A window is half-open, as X's rate-limit windows are: a
  request 15 minutes after another is in the next window. Overlapping windows past the
  limit are one warning naming the first and last request and the most in any window.
- `x-daily-posts`: more than `UNVERIFIED_DAILY_POSTS` (50) posts on one local day. X
  does not tell an API client whether an account is verified, so an account with a
  `daily_limit` in the config is taken to have said its own limit (the schedule's
  `daily-limit` warning already holds it to that) and gets no `x-daily-posts`.

`budget_warnings`: `x-budget` when a month's estimated total passes `x_monthly_budget`.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from humaspost.i18n import _
from humaspost.times import MONTH_NAMES, day_name

Kind = Literal["post", "repost"]

X_PLATFORM = "twitter"


def has_web_address(text: str) -> bool:
    """Whether X prices a post with `text` as one "containing a URL"."""
    return bool(_WEB_ADDRESS.search(text))


_WEB_ADDRESS = re.compile(r"https?://\S", re.IGNORECASE)
PRICE_KEYS = ("post", "post_with_url", "repost", "media", "read")
WINDOW = timedelta(minutes=15)
REPOST_WINDOW_LIMIT = 50
POST_WINDOW_LIMIT = 100
UNVERIFIED_DAILY_POSTS = 50


@dataclass(frozen=True)
class Prices:
    """X's price per request, in US dollars."""

    post: Decimal
    post_with_url: Decimal
    repost: Decimal
    media: Decimal  # per media item of a post
    read: Decimal  # per post read (the inbox's mentions; X bills each post it returns)

    def of(self, planned: Planned) -> Decimal:
        """What one request costs (nothing for a sandbox one)."""
        if planned.sandbox:
            return Decimal(0)
        if planned.kind == "repost":
            return self.repost
        base = self.post_with_url if planned.has_url else self.post
        return base + self.media * planned.media_count

    def with_overrides(self, overrides: Mapping[str, Decimal]) -> Prices:
        """These prices with some replaced (keys of `PRICE_KEYS`)."""
        return dataclasses.replace(self, **dict(overrides))

    def as_json(self) -> dict[str, float]:
        """The table as JSON numbers."""
        return {key: float(getattr(self, key)) for key in PRICE_KEYS}


# X's self-serve prices of 2026.
DEFAULT_PRICES = Prices(
    post=Decimal("0.015"),
    post_with_url=Decimal("0.20"),
    repost=Decimal("0.015"),
    media=Decimal("0.005"),
    read=Decimal("0.005"),
)


@dataclass(frozen=True)
class Planned:
    """One request a delivery makes (or made) to a platform."""

    account: str
    # The platform whose rules apply: `Account.rules_platform` (a sandbox account's `like`).
    platform: str
    kind: Kind
    at: datetime  # aware
    has_url: bool = False
    media_count: int = 0
    # Sent to the sandbox: counts towards X's limits, costs nothing.
    sandbox: bool = False


def month_of(day: date) -> date:
    """The month a day is in, as its first day."""
    return day.replace(day=1)


@dataclass(frozen=True)
class Estimate:
    """Estimated X API cost per account per local day and month, and in total."""

    by_account_day: Mapping[str, Mapping[date, Decimal]]
    by_account_month: Mapping[str, Mapping[date, Decimal]]  # keyed by the month's 1st
    days: Mapping[date, Decimal]
    months: Mapping[date, Decimal]
    prices: Prices = DEFAULT_PRICES
    budget: Decimal | None = None

    def day_total(self, day: date) -> Decimal:
        """The whole day's estimate (0 for a day without requests)."""
        return self.days.get(day, Decimal(0))

    def month_total(self, day: date) -> Decimal:
        """The estimate of the month `day` is in."""
        return self.months.get(month_of(day), Decimal(0))


def estimate(
    planned: Iterable[Planned],
    tz: ZoneInfo,
    prices: Prices = DEFAULT_PRICES,
    budget: Decimal | None = None,
) -> Estimate:
    """The estimated cost of the X requests among `planned`, by local day and month."""
    by_day: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_month: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    days: dict[date, Decimal] = defaultdict(Decimal)
    months: dict[date, Decimal] = defaultdict(Decimal)
    for item in planned:
        if item.platform != X_PLATFORM or item.sandbox:
            continue
        cost = prices.of(item)
        day = item.at.astimezone(tz).date()
        by_day[item.account][day] += cost
        by_month[item.account][month_of(day)] += cost
        days[day] += cost
        months[month_of(day)] += cost
    return Estimate(
        by_account_day={a: dict(sorted(d.items())) for a, d in sorted(by_day.items())},
        by_account_month={a: dict(sorted(m.items())) for a, m in sorted(by_month.items())},
        days=dict(sorted(days.items())),
        months=dict(sorted(months.items())),
        prices=prices,
        budget=budget,
    )


@dataclass(frozen=True)
class CostWarning:
    """A limit or the budget passed; `message` words it in the language in use."""

    code: str  # x-repost-window, x-post-window, x-daily-posts, x-budget
    account: str | None = None
    day: date | None = None  # local day (of the first request, for a window)
    month: date | None = None  # x-budget: the month's first day
    count: int | None = None  # the most requests in one window, or on the day
    limit: int | None = None
    start: datetime | None = None  # local times of the first and last request
    end: datetime | None = None
    amount: Decimal | None = None  # x-budget: the month's estimate
    budget: Decimal | None = None

    @property
    def message(self) -> str:
        """The warning for people."""
        if self.code == "x-budget":
            assert self.month is not None and self.amount is not None
            assert self.budget is not None
            return _(
                "the estimated X API cost of {month} is {amount}, more than "
                "x_monthly_budget {budget}"
            ).format(
                month=month_name(self.month),
                amount=dollars(self.amount),
                budget=dollars(self.budget),
            )
        if self.code == "x-daily-posts":
            assert self.day is not None
            return _(
                "{account} sends {count} posts to X on {day}: an unverified X account "
                "may send {limit} a day (give the account a daily_limit if it may send more)"
            ).format(
                account=self.account, count=self.count, day=day_name(self.day), limit=self.limit
            )
        assert self.start is not None and self.end is not None
        template = (
            _(
                "{account} makes up to {count} reposts within 15 minutes between {start} and "
                "{end} on {day}: X allows {limit} per account; spread them out "
                "(a longer amplify.spread)"
            )
            if self.code == "x-repost-window"
            else _(
                "{account} sends up to {count} posts within 15 minutes between {start} and "
                "{end} on {day}: X allows {limit} per account; spread them out"
            )
        )
        return template.format(
            account=self.account,
            count=self.count,
            start=f"{self.start:%H:%M}",
            end=f"{self.end:%H:%M}",
            day=day_name(self.start.date()),
            limit=self.limit,
        )

    def as_json(self) -> dict[str, Any]:
        """The warning as JSON: its data (keys without a value left out) and message."""
        found: dict[str, Any] = {"code": self.code}
        if self.account is not None:
            found["account"] = self.account
        if self.day is not None:
            found["day"] = self.day.isoformat()
        if self.month is not None:
            found["month"] = f"{self.month:%Y-%m}"
        for key in ("count", "limit"):
            if getattr(self, key) is not None:
                found[key] = getattr(self, key)
        if self.start is not None and self.end is not None:
            found["start"] = self.start.isoformat()
            found["end"] = self.end.isoformat()
        if self.amount is not None:
            found["amount"] = float(self.amount)
        if self.budget is not None:
            found["budget"] = float(self.budget)
        found["message"] = self.message
        return found


def limit_warnings(
    planned: Iterable[Planned],
    tz: ZoneInfo,
    daily_limits: Mapping[str, int | None],
    warn_from: date | None = None,
) -> list[CostWarning]:
    """Where X's requests among `planned` pass X's limits (see the module docstring),
    on local days from `warn_from` on; `daily_limits` are the accounts' `daily_limit`.
    Ordered by day, account and code."""
    times: dict[tuple[str, Kind], list[datetime]] = defaultdict(list)
    for item in planned:
        if item.platform == X_PLATFORM:
            times[(item.account, item.kind)].append(item.at.astimezone(tz))
    found: list[CostWarning] = []
    for (account, kind), moments in times.items():
        moments.sort()
        if kind == "repost":
            found += _window_warnings("x-repost-window", account, moments, REPOST_WINDOW_LIMIT)
            continue
        found += _window_warnings("x-post-window", account, moments, POST_WINDOW_LIMIT)
        if daily_limits.get(account) is None:
            per_day: dict[date, int] = defaultdict(int)
            for moment in moments:
                per_day[moment.date()] += 1
            found += [
                CostWarning(
                    "x-daily-posts", account, day, count=count, limit=UNVERIFIED_DAILY_POSTS
                )
                for day, count in per_day.items()
                if count > UNVERIFIED_DAILY_POSTS
            ]
    if warn_from is not None:
        found = [w for w in found if w.day is not None and w.day >= warn_from]
    # Stable: a run of one account keeps its order within a day.
    found.sort(key=lambda w: (w.day or date.min, w.account or "", w.code))
    return found


def window_runs(moments: list[datetime], limit: int) -> list[tuple[int, int, int]]:
    """For sorted `moments`: each run of overlapping `WINDOW`s holding more than `limit`
    of them, as (first index, last index, the most in one window). Every window
    [s, s + WINDOW) past the limit lies within a run: the window starting at its own
    first moment holds at least as many."""
    runs: list[tuple[int, int, int]] = []
    end = 0
    for first in range(len(moments)):
        end = max(end, first)
        while end < len(moments) and moments[end] - moments[first] < WINDOW:
            end += 1
        count = end - first  # moments[first:end] lie in [moments[first], + WINDOW)
        if count <= limit:
            continue
        if runs and first <= runs[-1][1]:
            start, _last, most = runs[-1]
            runs[-1] = (start, end - 1, max(most, count))
        else:
            runs.append((first, end - 1, count))
    return runs


def _window_warnings(
    code: str, account: str, moments: list[datetime], limit: int
) -> list[CostWarning]:
    return [
        CostWarning(
            code,
            account,
            moments[first].date(),
            count=most,
            limit=limit,
            start=moments[first],
            end=moments[last],
        )
        for first, last, most in window_runs(moments, limit)
    ]


def budget_warnings(found: Estimate) -> list[CostWarning]:
    """`x-budget` for each month whose estimate passes the budget, by month."""
    if found.budget is None:
        return []
    return [
        CostWarning("x-budget", month=month, amount=amount, budget=found.budget)
        for month, amount in found.months.items()
        if amount > found.budget
    ]


def dollars(amount: Decimal) -> str:
    """An amount for people: `$0.45`, `$12.30`, `$0.015` (tenths of a cent kept, as
    X's prices have them), `$1,234.50`."""
    rounded = amount.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    if rounded == rounded.quantize(Decimal("0.01")):
        return f"${rounded:,.2f}"
    return f"${rounded:,.3f}"


def month_name(month: date) -> str:
    """A month in the language in use: `December 2026`, `Desember 2026`."""
    return f"{_(MONTH_NAMES[month.month - 1])} {month.year}"


def cost_lines(found: Estimate, today: date) -> list[str]:
    """The footer `schedule` shows: the estimate of today and of each month from this
    one on (against the budget), then each month's accounts, dearest first. Nothing
    when no request goes to X."""
    if not found.months:
        return []
    this_month = month_of(today)
    months = sorted({this_month, *(m for m in found.months if m >= this_month)})
    parts = [_("today {amount}").format(amount=dollars(found.day_total(today)))]
    parts += [f"{month_name(m)} {dollars(found.month_total(m))}" for m in months]
    head = _("estimated X API cost: {amounts}").format(amounts=", ".join(parts))
    if found.budget is not None:
        head += " " + _("(x_monthly_budget {budget})").format(budget=dollars(found.budget))
    lines = [head]
    for month in months:
        costs = [
            (amount, account)
            for account, per_month in found.by_account_month.items()
            if (amount := per_month.get(month, Decimal(0))) > 0
        ]
        if not costs:
            continue
        costs.sort(key=lambda pair: (-pair[0], pair[1]))
        shown = ", ".join(f"{account} {dollars(amount)}" for amount, account in costs)
        lines.append(f"  {month_name(month)}: {shown}")
    return lines


def cost_json(found: Estimate, today: date, warnings: Iterable[CostWarning] = ()) -> dict[str, Any]:
    """The estimate as `schedule --format json` shows it, under the key `x_cost`:
    amounts in US dollars as numbers, days as `2026-12-01`, months as `2026-12`;
    `total_month` is the estimate of today's month."""
    return {
        "x_cost": {
            "currency": "USD",
            "by_account": {
                account: {
                    "days": _dated(found.by_account_day[account], "%Y-%m-%d"),
                    "months": _dated(found.by_account_month.get(account, {}), "%Y-%m"),
                }
                for account in found.by_account_day
            },
            "days": _dated(found.days, "%Y-%m-%d"),
            "months": _dated(found.months, "%Y-%m"),
            "total_today": float(found.day_total(today)),
            "total_month": float(found.month_total(today)),
            "budget": float(found.budget) if found.budget is not None else None,
            "prices": found.prices.as_json(),
            "warnings": [w.as_json() for w in warnings],
        }
    }


def _dated(amounts: Mapping[date, Decimal], form: str) -> dict[str, float]:
    return {f"{day:{form}}": float(amount) for day, amount in amounts.items()}
