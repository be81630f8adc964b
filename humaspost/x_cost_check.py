"""`check`'s warnings about X's limits and the budget (HP404, HP405): the X requests the
checked posts will make (each thread part, each re-share), estimated with
humaspost.x_costs, each warning placed at the publish time of the post whose request
first passes the limit or the budget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from humaspost.config import Config
from humaspost.problems import Problem, Severity, Span
from humaspost.x_costs import (
    X_PLATFORM,
    CostWarning,
    Planned,
    budget_warnings,
    estimate,
    limit_warnings,
    month_of,
)


class _Delivery(Protocol):
    @property
    def account(self) -> str: ...
    @property
    def publish_at(self) -> datetime | None: ...
    @property
    def draft(self) -> bool: ...
    @property
    def parts(self) -> tuple[object, ...]: ...
    @property
    def media(self) -> int: ...
    @property
    def has_url(self) -> bool: ...
    @property
    def reshares(self) -> tuple[tuple[str, int], ...]: ...
    @property
    def span(self) -> Span | None: ...


class _Post(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def deliveries(self) -> tuple[_Delivery, ...]: ...


@dataclass(frozen=True)
class _Located:
    """An X request, and the post file and place its warning points at."""

    request: Planned
    file: str
    span: Span


def x_cost_problems(posts: Iterable[_Post], config: Config, now: datetime) -> list[Problem]:
    """HP404 where an account would pass X's limits, HP405 where a month's estimated X
    API cost passes `x_monthly_budget` (drafts and past times left out)."""
    located = sorted(_requests(posts, config, now), key=lambda item: item.request.at)
    if not located:
        return []
    requests = [item.request for item in located]
    tz = config.timezone
    daily = {name: account.daily_limit for name, account in config.accounts.items()}
    found = estimate(requests, tz, config.x_prices, config.x_monthly_budget)
    warnings = limit_warnings(requests, tz, daily, warn_from=now.astimezone(tz).date())
    problems = [_problem("HP404", w, _at_limit(w, located)) for w in warnings]
    for warning in budget_warnings(found):
        problems.append(_problem("HP405", warning, _over_budget(warning, located, config)))
    return problems


def _requests(posts: Iterable[_Post], config: Config, now: datetime) -> Iterable[_Located]:
    for post in posts:
        for delivery in post.deliveries:
            at = delivery.publish_at
            if at is None or delivery.draft or at < now:
                continue
            span = delivery.span or Span(1, 1)
            account = config.accounts.get(delivery.account)
            if account is not None and account.rules_platform == X_PLATFORM:
                sandbox = account.platform == "sandbox"
                for index, _part in enumerate(delivery.parts):
                    request = Planned(account.name, X_PLATFORM, "post", at,
                                      has_url=delivery.has_url,
                                      media_count=delivery.media if index == 0 else 0,
                                      sandbox=sandbox)  # fmt: skip
                    yield _Located(request, post.file, span)
            for name, seconds in delivery.reshares:
                member = config.accounts.get(name)
                if member is None or member.rules_platform != X_PLATFORM:
                    continue
                request = Planned(name, X_PLATFORM, "repost", at + timedelta(seconds=seconds),
                                  sandbox=member.platform == "sandbox")  # fmt: skip
                yield _Located(request, post.file, span)


def _at_limit(warning: CostWarning, located: list[_Located]) -> _Located:
    """The request of the warning's account that first passes its limit: the last one
    of the window (or day) the warning names."""
    mine = [i for i in located if i.request.account == warning.account]
    if warning.end is not None:
        within = [i for i in mine if i.request.at <= warning.end]
        return within[-1] if within else mine[-1]
    return mine[-1]


def _over_budget(warning: CostWarning, located: list[_Located], config: Config) -> _Located:
    """The request with which the month's estimate first passes the budget."""
    total = Decimal(0)
    month = [
        i
        for i in located
        if not i.request.sandbox
        and month_of(i.request.at.astimezone(config.timezone).date()) == warning.month
    ]
    for item in month:
        total += config.x_prices.of(item.request)
        if warning.budget is not None and total > warning.budget:
            return item
    return month[-1]


def _problem(code: str, warning: CostWarning, where: _Located) -> Problem:
    return Problem(code, Severity.WARNING, warning.message, where.file, where.span)
