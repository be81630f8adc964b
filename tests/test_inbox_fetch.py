"""Fetching the complaint inbox from X (the local fake, through the real tweepy) into
the publish log, on both backends: each mention once however often and however
interrupted the fetch is, routed and due by the office's rules, rate limits waited out
without spending requests, retention and leases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from humaspost.config import Config
from humaspost.inbox_fetch import FetchResult, FetchStatus, fetch_inbox
from humaspost.inbox_log import InboxLog
from humaspost.inbox_model import Action, Item, Status
from humaspost.publog import LogLocation, PublishLog
from tests.conftest import run_humaspost
from tests.fakes.x_server import FakeX
from tests.fakes.x_server import Fault as XFault
from tests.inbox_on_x import (
    SECRETS,
    WIB,
    Clock,
    district,
    environment,
    fake_x,
    office_config,
    office_log,
)

# A Wednesday: Thursday 24 is the config's collective leave, Friday 25 Christmas.
NOW = "2026-12-23 10:00"
ALL = frozenset(Status)


class Office:
    """The office under test: its config, log, the fake X and the shared clock."""

    def __init__(self, root: Path, x: FakeX, clock: Clock, database_url: str | None) -> None:
        self.x = x
        self.clock = clock
        self.env = environment(database_url)
        self.config: Config = office_config(root, x, database_url)
        self.log: LogLocation = office_log(self.config, database_url)

    def fetch(self, accounts: tuple[str, ...] | None = None) -> FetchResult:
        return fetch_inbox(self.config, self.log, self.env, self.clock.now, accounts=accounts)

    def items(self, statuses: frozenset[Status] = ALL) -> list[Item]:
        with PublishLog(self.log) as log:
            return InboxLog(log).items(statuses=statuses)

    def mentions(
        self, count: int, *, start: str = "2026-12-23 09:00", to: str = "pemkotbekasi"
    ) -> None:
        """`count` mentions of `to` by different citizens, a minute apart from `start`."""
        first = datetime.strptime(start, "%Y-%m-%d %H:%M").replace(tzinfo=WIB)
        for number in range(count):
            self.x.mention(
                to, f"warga_uji{number}", f"lampu jalan mati nomor {number}",
                created_at=first + timedelta(minutes=number),
            )  # fmt: skip


@pytest.fixture
def office(tmp_path: Path, log_database: str | None) -> Iterator[Office]:
    clock = Clock(NOW)
    root = tmp_path / "repo"
    root.mkdir()
    with fake_x(clock) as x:
        district(x)
        yield Office(root, x, clock, log_database)


def by_account(result: FetchResult) -> dict[str, tuple[FetchStatus, int]]:
    return {fetch.account: (fetch.status, fetch.new) for fetch in result.accounts}


def test_two_fetches_bring_each_mention_once_and_only_new_pages_are_read(office: Office) -> None:
    office.mentions(250)  # three pages of 100
    first = office.fetch()
    assert by_account(first) == {
        "pemkot-x": (FetchStatus.DONE, 250),
        "kec-timur-x": (FetchStatus.DONE, 0),
    }
    assert not first.failed
    assert office.x.counts["mentions"] == 3 + 1  # three pages for the city, one for kec-timur
    # X bills each post it returns: 250 at $0.005 (x_prices.read).
    assert (first.x_reads, first.x_read_cost) == (250, Decimal("1.250"))
    office.mentions(5, start="2026-12-23 09:50")
    second = office.fetch()
    assert by_account(second)["pemkot-x"] == (FetchStatus.DONE, 5)
    assert second.x_reads == 5
    # Only what is newer than the first fetch's newest (since_id): one page each.
    assert office.x.counts["mentions"] == 4 + 2
    items = office.items()
    assert len(items) == 255
    assert len({item.remote_id for item in items}) == 255
    assert office.fetch().new_items == ()


def test_a_fetch_cut_off_mid_walk_goes_on_from_its_last_page(office: Office) -> None:
    office.mentions(250)
    office.x.fail("mentions", XFault("503"), after=1)  # the second page fails
    cut = office.fetch(("pemkot-x",))
    (city,) = cut.accounts
    assert city.status is FetchStatus.FAILED and city.new == 100 and cut.failed
    assert len(office.items()) == 100
    again = office.fetch(("pemkot-x",))
    assert by_account(again)["pemkot-x"] == (FetchStatus.DONE, 150)
    items = office.items()
    assert sorted(int(item.remote_id) for item in items) == sorted(
        int(tweet.id) for tweet in office.x.tweets
    )
    # Page 1 was not read again: 1 + the failed one + pages 2 and 3.
    assert office.x.counts["mentions"] == 4


def test_routing_and_due_dates_across_leave_holiday_and_weekend(office: Office) -> None:
    received = datetime(2026, 12, 23, 9, 0, tzinfo=WIB)
    office.x.mention("pemkotbekasi", "warga_uji1", "Banjir di Jl. Contoh!", created_at=received)
    office.x.mention("pemkotbekasi", "warga_uji2", "ada kebanjiran? genangannya tinggi",
                     created_at=received)  # fmt: skip
    office.x.mention("kectimur", "warga_uji3", "sampah belum diangkut", created_at=received)
    office.x.mention("pemkotbekasi", "warga_uji4", "terima kasih", created_at=received)
    office.fetch()
    found = {item.author_handle: item for item in office.items()}
    flood, puddle, rubbish, thanks = (found[f"warga_uji{n}"] for n in (1, 2, 3, 4))
    # Darurat, one working day: 24 Dec is collective leave, 25 Christmas, 26-27 the
    # weekend: Monday 28 December, until midnight WIB.
    end_of_monday = datetime(2026, 12, 29, 0, 0, tzinfo=WIB)
    assert (flood.office, flood.category, flood.status) == ("BPBD", "darurat", Status.ASSIGNED)
    assert flood.due_at == end_of_monday
    assert (puddle.office, puddle.due_at) == ("BPBD", end_of_monday)  # "*genangan*" widened
    # The district's route, five working days: 28, 29, 30, 31 December, then (1 January
    # being New Year's Day) Monday 4 January 2027.
    assert (rubbish.office, rubbish.category, rubbish.account) == ("kec-timur", None, "kec-timur-x")
    assert rubbish.due_at == datetime(2027, 1, 5, 0, 0, tzinfo=WIB)
    assert (thanks.office, thanks.status) == (None, Status.NEW)
    with PublishLog(office.log) as log:
        history = InboxLog(log).history(flood.id)
    assert [(entry.action, entry.by) for entry in history] == [
        (Action.RECEIVED, "humaspost"),
        (Action.ROUTED, "humaspost"),
    ]
    assert history[1].detail is not None and "routes[1]" in history[1].detail


def test_a_mention_in_the_thread_of_our_post_is_linked_to_it(office: Office) -> None:
    root = office.config.root
    (root / "posts").mkdir()
    (root / "posts" / "jadwal.md").write_text(
        "---\npublish_at: 2026-12-22 08:00\nto: [pemkot-x]\n---\nJadwal KTP keliling pekan ini.\n",
        encoding="utf-8",
    )
    sent = run_humaspost("publish", "--now", "2026-12-22 08:00", cwd=root, env=office.env)
    assert sent.returncode == 0, sent.stderr
    ours = office.x.live()[-1]
    at = datetime(2026, 12, 23, 9, 0, tzinfo=WIB)
    asked = office.x.mention("pemkotbekasi", "warga_uji1", "Di mana?", ours.id, at)
    office.x.mention("pemkotbekasi", "warga_uji2", "Saya juga ingin tahu", asked.id, at)
    office.x.mention("pemkotbekasi", "warga_uji3", "Jalan rusak", created_at=at)
    office.fetch(("pemkot-x",))
    answers = {item.author_handle: item.answers_post for item in office.items()}
    # The second replies to the first citizen, in the conversation our post started.
    assert answers == {"warga_uji1": "jadwal", "warga_uji2": "jadwal", "warga_uji3": None}


def test_a_rate_limit_is_waited_out_without_spending_requests(office: Office) -> None:
    office.mentions(250)
    office.x.limits["mentions"] = 2
    limited = office.fetch(("pemkot-x",))
    (city,) = limited.accounts
    assert city.status is FetchStatus.RATE_LIMITED and city.new == 200
    assert not limited.failed  # a rate limit is the platform's pace, not a failure
    reset = datetime.fromtimestamp(office.clock.epoch() + 900, UTC)
    assert city.retry_at == reset
    asked = office.x.counts["mentions"]
    office.clock.at("2026-12-23 10:05")
    waiting = office.fetch(("pemkot-x",))
    assert waiting.accounts[0].status is FetchStatus.WAITING
    assert waiting.accounts[0].retry_at == reset
    assert office.x.counts["mentions"] == asked  # X was not asked again before the reset
    office.clock.at("2026-12-23 10:16")
    done = office.fetch(("pemkot-x",))
    assert by_account(done)["pemkot-x"] == (FetchStatus.DONE, 50)
    assert len(office.items()) == 250


def test_retention_deletes_only_items_settled_longer_ago_than_retain(office: Office) -> None:
    office.mentions(3)
    office.fetch()
    old, recent, still_open = office.items()
    with PublishLog(office.log) as log:
        inbox = InboxLog(log)
        inbox.close(old.id, "sudah ditangani", by="Rina", now=office.clock.now())
        later = office.clock.now() + timedelta(days=20)
        inbox.close(recent.id, "bukan keluhan", by="Rina", now=later, not_complaint=True)
    office.clock.at("2027-01-25 10:00")  # 33 days after the first close, 13 after the second
    result = office.fetch()
    assert result.deleted == 1
    left = {item.id: item.status for item in office.items()}
    assert left == {recent.id: Status.NOT_COMPLAINT, still_open.id: Status.NEW}
    with PublishLog(office.log) as log:
        assert InboxLog(log).history(old.id) == []


def test_an_account_another_fetcher_holds_is_passed_over(office: Office) -> None:
    office.mentions(2)
    office.x.mention("kectimur", "warga_uji9", "jalan rusak")
    with PublishLog(office.log) as log:
        now = office.clock.now()
        claim = InboxLog(log).claim_fetch(
            "pemkot-x", "twitter", "server-b/4242/boot", now + timedelta(minutes=2), now
        )
    assert claim is not None
    result = office.fetch()
    assert by_account(result) == {
        "pemkot-x": (FetchStatus.BUSY, 0),
        "kec-timur-x": (FetchStatus.DONE, 1),
    }
    assert not result.failed
    office.clock.at("2026-12-23 10:03")  # the other server's lease ran out
    assert by_account(office.fetch())["pemkot-x"] == (FetchStatus.DONE, 2)


def test_an_account_without_its_secrets_fails_naming_the_variable(office: Office) -> None:
    office.x.mention("kectimur", "warga_uji9", "jalan rusak")
    del office.env["X_TOKEN_SECRET"]
    result = office.fetch()
    city = result.accounts[0]
    assert city.status is FetchStatus.FAILED and result.failed
    assert city.message is not None and "X_TOKEN_SECRET" in city.message
    assert not any(secret in city.message for secret in SECRETS)
    assert by_account(result)["kec-timur-x"] == (FetchStatus.DONE, 1)
