"""What X's API will cost and where a schedule passes X's limits: prices and the config's
overrides, local days and months, windows at their edges, the budget."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humaspost import i18n
from humaspost.config import Config
from humaspost.problems import ConfigError, Problem
from humaspost.x_costs import (
    DEFAULT_PRICES,
    POST_WINDOW_LIMIT,
    REPOST_WINDOW_LIMIT,
    WINDOW,
    CostWarning,
    Planned,
    budget_warnings,
    cost_json,
    cost_lines,
    dollars,
    estimate,
    limit_warnings,
)
from tests.conftest import BASE_CONFIG, Repo

JAKARTA = ZoneInfo("Asia/Jakarta")
# 08:00 WIB on 1 December 2026.
MORNING = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def post(account: str = "pemkot-x", at: datetime = MORNING, **extra: object) -> Planned:
    return Planned(account, "twitter", "post", at, **extra)  # type: ignore[arg-type]


def repost(account: str, at: datetime, platform: str = "twitter") -> Planned:
    return Planned(account, platform, "repost", at)


def config_with(repo: Repo, extra: str) -> Config:
    repo.write_config(extra + BASE_CONFIG)
    return repo.config()


def problems_of(repo: Repo, extra: str) -> list[Problem]:
    repo.write_config(extra + BASE_CONFIG)
    with pytest.raises(ConfigError) as caught:
        repo.config()
    return caught.value.problems


# Prices


def test_each_kind_of_request_costs_its_2026_price() -> None:
    prices = DEFAULT_PRICES
    assert prices.of(post()) == Decimal("0.015")
    assert prices.of(post(has_url=True)) == Decimal("0.20")
    assert prices.of(post(media_count=4)) == Decimal("0.035")
    assert prices.of(post(has_url=True, media_count=1)) == Decimal("0.205")
    assert prices.of(repost("kec-a-x", MORNING)) == Decimal("0.015")
    assert prices.of(post(sandbox=True, has_url=True)) == 0


def test_only_real_x_requests_are_estimated() -> None:
    planned = [
        post(),
        repost("kec-a-fb", MORNING, platform="facebook"),
        post("latihan", sandbox=True),
    ]
    found = estimate(planned, JAKARTA)
    assert list(found.by_account_day) == ["pemkot-x"]
    assert found.day_total(date(2026, 12, 1)) == Decimal("0.015")


def test_a_sandbox_account_like_x_counts_towards_the_limits_but_costs_nothing() -> None:
    planned = [
        Planned("latihan", "twitter", "repost", MORNING + timedelta(seconds=i), sandbox=True)
        for i in range(REPOST_WINDOW_LIMIT + 1)
    ]
    assert estimate(planned, JAKARTA).months == {}
    assert [w.code for w in limit_warnings(planned, JAKARTA, {})] == ["x-repost-window"]


def test_the_config_overrides_some_prices_and_keeps_the_others(repo: Repo) -> None:
    config = config_with(repo, "x_prices:\n  post_with_url: 0.25\n  media: 0\n")
    assert config.x_prices.post_with_url == Decimal("0.25")
    assert config.x_prices.media == 0
    assert config.x_prices.post == DEFAULT_PRICES.post
    assert config.x_prices.repost == DEFAULT_PRICES.repost
    assert config.x_monthly_budget is None
    found = estimate([post(has_url=True, media_count=2)], JAKARTA, config.x_prices)
    assert found.day_total(date(2026, 12, 1)) == Decimal("0.25")


def test_without_x_prices_the_default_table_applies(repo: Repo) -> None:
    assert repo.config().x_prices == DEFAULT_PRICES


def test_a_monthly_budget_is_read_exactly(repo: Repo) -> None:
    assert config_with(repo, "x_monthly_budget: 12.3\n").x_monthly_budget == Decimal("12.3")
    assert config_with(repo, "x_monthly_budget: 50\n").x_monthly_budget == Decimal(50)


def test_an_unknown_price_is_located_with_a_suggestion(repo: Repo) -> None:
    problems = problems_of(repo, "x_prices:\n  repots: 0.01\n")
    assert [(p.code, p.line, p.column) for p in problems] == [("HP502", 2, 3)]
    assert "did you mean 'repost'" in (problems[0].hint or "")


@pytest.mark.parametrize(
    ("extra", "line", "column"),
    [
        ("x_prices:\n  post: -0.01\n", 2, 9),
        ("x_prices:\n  post: $0.015\n", 2, 9),
        ("x_prices:\n  repost: true\n", 2, 11),
        ("x_prices:\n  media: .inf\n", 2, 10),
        ("x_prices: 0.015\n", 1, 11),
        ("x_monthly_budget: 0\n", 1, 19),
        ("x_monthly_budget: -5\n", 1, 19),
        ("x_monthly_budget: '50'\n", 1, 19),
        ("x_monthly_budget: .nan\n", 1, 19),
    ],
)
def test_a_price_or_budget_that_is_no_amount_is_located(
    repo: Repo, extra: str, line: int, column: int
) -> None:
    problems = problems_of(repo, extra)
    assert [(p.code, p.line, p.column) for p in problems] == [("HP503", line, column)]


# Days and months


def test_totals_follow_local_days_and_months_across_a_month_edge_in_jakarta() -> None:
    # 30 November 16:59 UTC is 23:59 WIB; 17:00 UTC is already 1 December.
    last_of_november = datetime(2026, 11, 30, 16, 59, tzinfo=UTC)
    first_of_december = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    planned = [
        post("pemkot-x", last_of_november),
        post("pemkot-x", first_of_december, has_url=True),
        repost("kec-a-x", first_of_december + timedelta(minutes=10)),
        repost("kec-a-x", datetime(2026, 12, 31, 16, 59, tzinfo=UTC)),  # 31 Dec, 23:59
        repost("kec-a-x", datetime(2026, 12, 31, 17, 0, tzinfo=UTC)),  # 1 Jan 2027
    ]
    found = estimate(planned, JAKARTA)
    assert found.days == {
        date(2026, 11, 30): Decimal("0.015"),
        date(2026, 12, 1): Decimal("0.215"),
        date(2026, 12, 31): Decimal("0.015"),
        date(2027, 1, 1): Decimal("0.015"),
    }
    assert found.months == {
        date(2026, 11, 1): Decimal("0.015"),
        date(2026, 12, 1): Decimal("0.23"),
        date(2027, 1, 1): Decimal("0.015"),
    }
    assert found.by_account_month["kec-a-x"] == {
        date(2026, 12, 1): Decimal("0.030"),
        date(2027, 1, 1): Decimal("0.015"),
    }
    assert found.by_account_day["pemkot-x"] == {
        date(2026, 11, 30): Decimal("0.015"),
        date(2026, 12, 1): Decimal("0.20"),
    }
    assert found.month_total(date(2026, 12, 17)) == Decimal("0.23")


def test_sixty_eight_districts_reposting_every_day_add_up_exactly() -> None:
    planned = [
        repost(f"kec-{n}-x", MORNING + timedelta(days=day, minutes=n))
        for day in range(31)
        for n in range(68)
    ]
    found = estimate(planned, JAKARTA)
    assert found.month_total(date(2026, 12, 1)) == Decimal("0.015") * 68 * 31  # $31.62
    assert found.by_account_month["kec-0-x"][date(2026, 12, 1)] == Decimal("0.465")


# Windows


def reposts_at(*minutes: float) -> list[Planned]:
    return [repost("kec-a-x", MORNING + timedelta(minutes=m)) for m in minutes]


def test_fifty_reposts_within_fifteen_minutes_are_allowed_fifty_one_are_not() -> None:
    fifty = reposts_at(*(i * 0.25 for i in range(50)))
    assert limit_warnings(fifty, JAKARTA, {}) == []
    fifty_one = reposts_at(*(i * 0.25 for i in range(51)))
    (warning,) = limit_warnings(fifty_one, JAKARTA, {})
    assert (warning.code, warning.account, warning.count, warning.limit) == (
        "x-repost-window",
        "kec-a-x",
        51,
        50,
    )
    assert warning.day == date(2026, 12, 1)
    assert (f"{warning.start:%H:%M}", f"{warning.end:%H:%M}") == ("08:00", "08:12")


def test_a_request_fifteen_minutes_after_the_first_is_in_the_next_window() -> None:
    # 50 at 08:00, one at 08:15: X's window of 08:00 has reset by then.
    edge = reposts_at(*([0.0] * 50), 15.0)
    assert limit_warnings(edge, JAKARTA, {}) == []
    # A second earlier, it is the 51st of the window.
    inside = reposts_at(*([0.0] * 50), 15.0 - 1 / 60)
    assert [w.count for w in limit_warnings(inside, JAKARTA, {})] == [51]


def test_overlapping_windows_past_the_limit_are_one_warning_separate_ones_two() -> None:
    # One repost every 10 seconds for 40 minutes: 90 in any 15 minutes, all one run.
    steady = reposts_at(*(i / 6 for i in range(240)))
    (warning,) = limit_warnings(steady, JAKARTA, {})
    assert warning.count == 90
    assert (f"{warning.start:%H:%M}", f"{warning.end:%H:%M}") == ("08:00", "08:39")
    apart = reposts_at(*([0.0] * 51), *([120.0] * 51))
    assert [f"{w.start:%H:%M}" for w in limit_warnings(apart, JAKARTA, {})] == ["08:00", "10:00"]


def test_posts_have_their_own_window_of_a_hundred() -> None:
    posts = [post("pemkot-x", MORNING + timedelta(seconds=i)) for i in range(POST_WINDOW_LIMIT)]
    reposts = [repost("pemkot-x", MORNING + timedelta(seconds=i)) for i in range(50)]
    limits = {"pemkot-x": 200}
    assert limit_warnings([*posts, *reposts], JAKARTA, limits) == []
    one_more = [*posts, post("pemkot-x", MORNING + timedelta(minutes=14))]
    (warning,) = limit_warnings(one_more, JAKARTA, limits)
    assert (warning.code, warning.count, warning.limit) == ("x-post-window", 101, 100)


def test_facebook_requests_pass_no_x_limit() -> None:
    shares = [repost("kec-a-fb", MORNING, platform="facebook") for _ in range(80)]
    assert limit_warnings(shares, JAKARTA, {}) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2400), min_size=0, max_size=180),
    st.integers(min_value=0, max_value=2400),
)
def test_the_sliding_window_never_misses_a_window_past_the_limit(
    seconds: list[int], probe: int
) -> None:
    planned = [repost("kec-a-x", MORNING + timedelta(seconds=s)) for s in seconds]
    warnings = limit_warnings(planned, JAKARTA, {})
    moments = sorted(p.at for p in planned)

    def in_window(start: datetime) -> list[datetime]:
        return [m for m in moments if start <= m < start + WINDOW]

    # Every window, starting at any request or anywhere else, lies inside a warning.
    for start in [*moments, MORNING + timedelta(seconds=probe)]:
        held = in_window(start)
        if len(held) > REPOST_WINDOW_LIMIT:
            assert any(
                w.start is not None
                and w.end is not None
                and w.start <= held[0]
                and held[-1] <= w.end
                and w.count is not None
                and w.count >= len(held)
                for w in warnings
            )
    # And each warning is true: its count is the most in a window within it.
    for w in warnings:
        assert w.start is not None and w.end is not None
        starts = [m for m in moments if w.start <= m <= w.end]
        assert w.count == max(len(in_window(s)) for s in starts)
        assert w.count is not None and w.count > REPOST_WINDOW_LIMIT
    # Runs are apart: no two warnings overlap.
    for earlier, later in pairwise(warnings):
        assert earlier.end is not None and later.start is not None
        assert earlier.end < later.start


# A day's posts


def test_an_account_without_daily_limit_is_held_to_fifty_posts_a_day() -> None:
    day = [post("kec-a-x", MORNING + timedelta(minutes=10 * i)) for i in range(51)]
    (warning,) = limit_warnings(day, JAKARTA, {"kec-a-x": None})
    assert (warning.code, warning.day, warning.count, warning.limit) == (
        "x-daily-posts",
        date(2026, 12, 1),
        51,
        50,
    )
    # With a daily_limit the account has said its own (the schedule's daily-limit warns).
    assert limit_warnings(day, JAKARTA, {"kec-a-x": 60}) == []
    # Reposts are no original posts.
    reposts = [repost("kec-a-x", MORNING + timedelta(minutes=10 * i)) for i in range(51)]
    assert limit_warnings(reposts, JAKARTA, {}) == []


def test_the_day_of_fifty_posts_is_the_local_day() -> None:
    # 25 posts in the last hour of 1 December WIB, 26 in the first of 2 December.
    evening = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    planned = [post("kec-a-x", evening + timedelta(minutes=2 * i)) for i in range(25)]
    planned += [post("kec-a-x", evening + timedelta(hours=1, minutes=2 * i)) for i in range(26)]
    assert limit_warnings(planned, JAKARTA, {}) == []


def test_warnings_before_warn_from_are_left_out() -> None:
    planned = reposts_at(*([0.0] * 51), *([60 * 24] * 51))
    found = limit_warnings(planned, JAKARTA, {}, warn_from=date(2026, 12, 2))
    assert [w.day for w in found] == [date(2026, 12, 2)]


# Budget


def test_passing_the_monthly_budget_is_a_warning_reaching_it_is_not() -> None:
    planned = [post(at=MORNING + timedelta(days=d), has_url=True) for d in range(50)]
    # December: 31 posts of $0.20 = $6.20; January: 19 = $3.80.
    found = estimate(planned, JAKARTA, budget=Decimal("6.20"))
    assert budget_warnings(found) == []
    found = estimate(planned, JAKARTA, budget=Decimal("5"))
    (warning,) = budget_warnings(found)
    assert (warning.code, warning.month, warning.amount, warning.budget) == (
        "x-budget",
        date(2026, 12, 1),
        Decimal("6.20"),
        Decimal(5),
    )
    assert warning.message == (
        "the estimated X API cost of December 2026 is $6.20, more than x_monthly_budget $5.00"
    )
    assert budget_warnings(estimate(planned, JAKARTA)) == []


# Text and JSON


def test_amounts_are_shown_to_the_cent_or_to_the_tenth_of_a_cent() -> None:
    assert dollars(Decimal("0.45")) == "$0.45"
    assert dollars(Decimal("12.3")) == "$12.30"
    assert dollars(Decimal("0.015")) == "$0.015"
    assert dollars(Decimal("1234.5")) == "$1,234.50"
    assert dollars(Decimal(0)) == "$0.00"


def footer_estimate() -> tuple[list[Planned], date]:
    planned = [
        post("pemkot-x", MORNING, has_url=True),
        post("pemkot-x", MORNING + timedelta(hours=1)),
        repost("kec-a-x", MORNING + timedelta(minutes=10)),
        repost("kec-b-x", MORNING + timedelta(minutes=20)),
        repost("kec-b-x", MORNING + timedelta(days=31)),  # 1 January
    ]
    return planned, date(2026, 12, 1)


def test_the_schedule_footer_names_today_each_month_and_the_accounts() -> None:
    planned, today = footer_estimate()
    found = estimate(planned, JAKARTA, budget=Decimal(50))
    assert cost_lines(found, today) == [
        "estimated X API cost: today $0.245, December 2026 $0.245, January 2027 $0.015 "
        "(x_monthly_budget $50.00)",
        "  December 2026: pemkot-x $0.215, kec-a-x $0.015, kec-b-x $0.015",
        "  January 2027: kec-b-x $0.015",
    ]


def test_a_footer_in_a_later_month_still_shows_that_month() -> None:
    planned, _today = footer_estimate()
    found = estimate(planned[:4], JAKARTA)
    assert cost_lines(found, date(2027, 1, 5)) == [
        "estimated X API cost: today $0.00, January 2027 $0.00"
    ]


def test_no_footer_without_requests_to_x() -> None:
    assert cost_lines(estimate([], JAKARTA), date(2026, 12, 1)) == []


def test_the_footer_speaks_indonesian() -> None:
    planned, today = footer_estimate()
    i18n.use("id")
    try:
        lines = cost_lines(estimate(planned, JAKARTA), today)
    finally:
        i18n.use("en")
    assert "Desember 2026" in lines[0] and "Januari 2027" in lines[0]


def test_the_json_shape() -> None:
    planned, today = footer_estimate()
    found = estimate(planned, JAKARTA, budget=Decimal("0.1"))
    shown = cost_json(found, today, budget_warnings(found))
    assert json.loads(json.dumps(shown)) == shown
    cost = shown["x_cost"]
    assert cost["by_account"]["kec-b-x"] == {
        "days": {"2026-12-01": 0.015, "2027-01-01": 0.015},
        "months": {"2026-12": 0.015, "2027-01": 0.015},
    }
    assert cost["days"]["2026-12-01"] == 0.245
    assert cost["months"] == {"2026-12": 0.245, "2027-01": 0.015}
    assert (cost["total_today"], cost["total_month"], cost["budget"]) == (0.245, 0.245, 0.1)
    assert cost["currency"] == "USD"
    assert cost["prices"] == {
        "post": 0.015, "post_with_url": 0.2, "repost": 0.015, "media": 0.005, "read": 0.005,
    }  # fmt: skip
    assert [(w["code"], w["month"], w["amount"]) for w in cost["warnings"]] == [
        ("x-budget", "2026-12", 0.245)
    ]


def test_a_window_warning_as_json_and_text() -> None:
    (warning,) = limit_warnings(reposts_at(*([0.0] * 51)), JAKARTA, {})
    shown = warning.as_json()
    assert shown["code"] == "x-repost-window"
    assert (shown["account"], shown["day"], shown["count"], shown["limit"]) == (
        "kec-a-x",
        "2026-12-01",
        51,
        50,
    )
    assert shown["start"] == "2026-12-01T08:00:00+07:00"
    assert warning.message == (
        "kec-a-x makes up to 51 reposts within 15 minutes between 08:00 and 08:00 on "
        "Tuesday, 1 December 2026: X allows 50 per account; spread them out "
        "(a longer amplify.spread)"
    )


def test_every_warning_has_a_message() -> None:
    day = [post("kec-a-x", MORNING + timedelta(seconds=i)) for i in range(101)]
    found: list[CostWarning] = limit_warnings(day, JAKARTA, {})
    assert sorted(w.code for w in found) == ["x-daily-posts", "x-post-window"]
    assert all("kec-a-x" in w.message for w in found)
