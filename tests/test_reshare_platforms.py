"""Re-shares end to end: the installed `humaspost` in subprocesses, through the real
tweepy and facebook-sdk, against the local fakes of X (one server, every account on
it, so a district account reposts city hall's post there) and Facebook (a Page each).
A city post with `amplify` goes out once; then each district account re-shares it
once, spread as asked; a rate-limited repost waits for X's reset; an origin that
failed leaves its re-shares missed; "already reposted" is sent; a used-up app is its
own error. Both log backends."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import DATABASE_VARIABLE, Repo, run_humaspost
from tests.fakes.facebook_server import FakeGraph
from tests.fakes.x_server import FakeX
from tests.fakes.x_server import Fault as XFault
from tests.test_platforms_e2e import ENV, FB_TOKEN, PAGE, WIB, X_KEYS, CommandClock

DISTRICTS = 5
CITY_X_ID = X_KEYS["X_TOKEN"].partition("-")[0]  # X writes the user id before the '-'
POST = """\
publish_at: 2026-12-01 08:00
text: "Program bedah rumah 2027 dibuka: daftar di kelurahan. #KotaBekasi"
amplify:
  by: semua-kecamatan
  after: 10m
  spread: 30m
"""
# After the origin went out at 08:00: the i-th of 5 at 10m + i * 30m / 5. (Seconds
# later: the run's clock starts at --now and goes on, and so did the origin's.)
RESHARE_TIMES = ["08:10", "08:16", "08:22", "08:28", "08:34"]


def district_x(n: int) -> dict[str, str]:
    """The keys of district account kec-x-n (its user id is its token's prefix)."""
    return {
        "consumer_key": f"ck-kec{n}-consumerkey",
        "consumer_secret": f"cs-kec{n}-consumersecret",
        "access_token": f"18700000{n:02d}-at-kec{n}-accesstoken",
        "access_token_secret": f"ats-kec{n}-accesstokensecret",
    }


def district_page(n: int) -> tuple[str, str]:
    """The page id and token of district account kec-fb-n."""
    return f"1048576000001{n:02d}", f"EAAGkec{n}pageTOKEN0000secret"


@dataclass
class Office:
    """City hall's two accounts and ten district accounts, on the fakes."""

    repo: Repo
    clock: CommandClock
    x: FakeX
    city_page: FakeGraph
    district_pages: list[FakeGraph]
    env: dict[str, str]

    def publish(self, at: str) -> str:
        result = run_humaspost(
            "publish", "--now", self.clock.at(f"2026-12-01 {at}"), cwd=self.repo.root, env=self.env
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result.stdout + result.stderr

    def log(self, *args: str) -> list[dict[str, Any]]:
        result = run_humaspost(
            "log", "--all", "--format", "json", *args, cwd=self.repo.root, env=self.env
        )
        assert result.returncode == 0, result.stderr
        rows: list[dict[str, Any]] = json.loads(result.stdout)
        return rows

    def reshares(self) -> dict[str, dict[str, Any]]:
        """The re-share rows of the log, by account."""
        return {row["account"]: row for row in self.log("--kind", "repost")}

    def user_id(self, n: int) -> str:
        return district_x(n)["access_token"].partition("-")[0]


def x_settings(name: str, url: str, prefix: str) -> str:
    refs = "".join(
        f"    {field}: ${{{prefix}{field.upper()}}}\n"
        for field in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    )
    return f"  {name}:\n    platform: twitter\n    api_url: {url}\n{refs}"


def fb_settings(name: str, page: str, url: str, variable: str) -> str:
    return (
        f"  {name}:\n    platform: facebook\n    page_id: '{page}'\n"
        f"    access_token: ${{{variable}}}\n    api_url: {url}\n"
    )


@pytest.fixture
def office(repo: Repo, log_database: str | None) -> Iterator[Office]:
    clock = CommandClock("2026-12-01 07:00")
    with ExitStack() as stack:
        x = stack.enter_context(
            FakeX(
                consumer_key=X_KEYS["X_KEY"],
                consumer_secret=X_KEYS["X_SECRET"],
                access_token=X_KEYS["X_TOKEN"],
                access_token_secret=X_KEYS["X_TOKEN_SECRET"],
                user_id=CITY_X_ID,
                clock=clock,
            )
        )
        city_page = stack.enter_context(FakeGraph(PAGE, FB_TOKEN))
        env = dict(ENV)
        accounts = [
            "  pemkot-x:\n    platform: twitter\n    api_url: " + x.url + "\n"
            "    consumer_key: ${X_KEY}\n    consumer_secret: ${X_SECRET}\n"
            "    access_token: ${X_TOKEN}\n    access_token_secret: ${X_TOKEN_SECRET}\n",
            fb_settings("pemkot-fb", PAGE, city_page.url, "FB_TOKEN"),
        ]
        pages: list[FakeGraph] = []
        members: list[str] = []
        for n in range(1, DISTRICTS + 1):
            keys = district_x(n)
            x.add_user(**keys, user_id=keys["access_token"].partition("-")[0], username=f"kec{n}")
            env |= {f"KX{n}_{field.upper()}": value for field, value in keys.items()}
            accounts.append(x_settings(f"kec-x-{n}", x.url, f"KX{n}_"))
            page_id, token = district_page(n)
            page = stack.enter_context(FakeGraph(page_id, token, name=f"Kecamatan {n}"))
            pages.append(page)
            env[f"KFB{n}_TOKEN"] = token
            accounts.append(fb_settings(f"kec-fb-{n}", page_id, page.url, f"KFB{n}_TOKEN"))
            members += [f"kec-x-{n}", f"kec-fb-{n}"]  # the platforms interleaved
        shared = "publish_log: ${HUMASPOST_DATABASE_URL}\n" if log_database else ""
        repo.write_config(
            "timezone: Asia/Jakarta\n" + shared + "accounts:\n" + "".join(accounts)
            + f"groups:\n  semua-kecamatan: [{', '.join(members)}]\n"
            + "defaults:\n  to: [pemkot-x, pemkot-fb]\n"
        )  # fmt: skip
        if log_database:
            env[DATABASE_VARIABLE] = log_database
        repo.post("bedah-rumah.yaml", POST)
        yield Office(repo, clock, x, city_page, pages, env)


def minute_after(at: str, minutes: int = 1) -> str:
    moment = datetime.strptime(at, "%H:%M") + timedelta(minutes=minutes)
    return f"{moment:%H:%M}"


def local_minute(utc: str) -> str:
    return f"{datetime.fromisoformat(utc).astimezone(WIB):%H:%M}"


def test_a_city_post_goes_out_once_then_ten_district_reshares_spread_each_once(
    office: Office,
) -> None:
    assert "2 sent" in office.publish("08:00")
    for at in RESHARE_TIMES:
        assert "nothing due" in office.publish(minute_after(at, -1)), at
        assert "2 sent" in office.publish(minute_after(at)), at
    assert "nothing due" in office.publish("08:50")

    # The origin went out once on each platform.
    (tweet,) = office.x.live()
    assert tweet.author is None and office.x.calls.count("create_tweet") == 1
    (city_post,) = office.city_page.feed
    posts = {row["account"]: row for row in office.log("--kind", "post")}
    assert set(posts) == {"pemkot-x", "pemkot-fb"}
    assert all(row["state"] == "sent" and row["attempts"] == 1 for row in posts.values())
    # Each district reposted it once, in the group's order (the fakes' records)...
    assert office.x.retweet_requests == [
        (office.user_id(n), tweet.id) for n in range(1, DISTRICTS + 1)
    ]
    for page in office.district_pages:
        (share,) = page.feed
        assert share.link == posts["pemkot-fb"]["url"] and share.message is None
    assert city_post.id.endswith(posts["pemkot-fb"]["url"].rsplit("_", 1)[-1])
    # ... at the times asked for (the log's), each after one attempt.
    rows = office.reshares()
    assert len(rows) == 2 * DISTRICTS
    for n, at in enumerate(RESHARE_TIMES, start=1):
        for platform, origin in (("x", "pemkot-x"), ("fb", "pemkot-fb")):
            row = rows[f"kec-{platform}-{n}"]
            assert row["occurrence"] == f"once>{origin}" and row["kind"] == "repost"
            assert (row["state"], row["attempts"]) == ("sent", 1), row
            assert local_minute(row["due_at"]) == at, row
            assert local_minute(row["sent_at"]) == minute_after(at), row
    assert rows["kec-x-1"]["url"] == posts["pemkot-x"]["url"]  # a repost is the origin


def epoch(at: str) -> float:
    return (
        datetime.strptime(f"2026-12-01 {at}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=WIB).timestamp()
    )


def test_a_rate_limited_repost_is_retried_after_the_reset_already_reposted_is_sent(
    office: Office,
) -> None:
    x = office.x
    # kec-x-1 (08:10) meets the 15-minute window, reset at 08:24:30; kec-x-3 (08:22)
    # had reposted it already (X's older refusal, code 327); kec-x-4 (08:28): the app's
    # monthly usage cap is reached.
    x.fail("retweet", XFault("429", reset_at=epoch("08:24:30")))
    x.fail("retweet", XFault("already-retweeted"), after=1)
    x.fail("retweet", XFault("usage-capped"), after=1)
    assert "2 sent" in office.publish("08:00")
    office.publish("08:11")
    row = office.reshares()["kec-x-1"]
    assert row["state"] == "retrying", row
    assert re.search(r"rate limit for this account is used up; it resets in 8\d\d s", row["error"])
    for at in ("08:17", "08:23"):  # kec-x-1 is not retried before the reset
        out = office.publish(at)
        assert "2 sent" in out and "kec-x-1" not in out, out
    assert "kec-x-1" not in office.publish("08:24")
    assert "kec-x-1" in office.publish("08:25")
    capped = office.publish("08:29")
    office.publish("08:35")
    assert "nothing due" in office.publish("08:50")

    rows = office.reshares()
    assert (rows["kec-x-1"]["state"], rows["kec-x-1"]["attempts"]) == ("sent", 2)
    assert local_minute(rows["kec-x-1"]["sent_at"]) == "08:25"
    assert rows["kec-x-3"]["state"] == "sent" and rows["kec-x-3"]["error"] is None
    (tweet,) = x.live()
    # X carried out each repost once; kec-x-3's was there before (X refused a repeat).
    assert x.retweet_requests == [(office.user_id(n), tweet.id) for n in (2, 1, 5)]
    assert x.calls.count("retweet") == 6  # with the 429, the 327 and the cap
    # The used-up app is its own permanent error, naming the account, not retried.
    assert rows["kec-x-4"]["state"] == "failed" and rows["kec-x-4"]["attempts"] == 1
    assert rows["kec-x-4"]["error"].startswith(
        "X refuses requests from account 'kec-x-4': the X developer app's usage cap is reached"
    )
    assert "usage cap is reached" in capped
    assert all(rows[f"kec-fb-{n}"]["state"] == "sent" for n in range(1, DISTRICTS + 1))


def test_an_origin_that_fails_leaves_its_reshares_missed_with_the_reason(
    office: Office,
) -> None:
    office.x.fail("create_tweet", XFault("duplicate"))  # permanent: X refuses the text
    office.publish("08:00")
    office.publish("08:01")  # the next run records the re-shares of the failed origin
    for at in RESHARE_TIMES:
        office.publish(minute_after(at))
    rows = office.reshares()
    for n in range(1, DISTRICTS + 1):
        row = rows[f"kec-x-{n}"]
        assert row["state"] == "missed", row
        assert row["error"].startswith("the post it re-shares failed: X refuses a post whose")
        assert rows[f"kec-fb-{n}"]["state"] == "sent"  # Facebook's origin did go out
    assert office.x.calls.count("retweet") == 0 and office.x.retweets == []
    schedule = run_humaspost(
        "schedule", "--now", "2026-12-01 08:40", "--format", "json",
        cwd=office.repo.root, env=office.env,
    )  # fmt: skip
    shown = {d["account"]: d for d in json.loads(schedule.stdout)["deliveries"]}
    assert shown["kec-x-3"]["state"] == "missed"
    assert shown["kec-x-3"]["error"].startswith("the post it re-shares failed")
