"""Replies to the complaint inbox: a post file with `reply_to: N` is checked (located
errors HP125-HP128), planned as a delivery of kind `reply`, published by the installed
command (and the daemon) as the reply to item N exactly once, on X through tweepy and on
Facebook through facebook-sdk against the local fakes, or into the sandbox's outbox in a
rehearsal, and marks the item answered in the same transaction; an unknown outcome,
`resolve` and `retract` keep the delivery and the item agreeing. Both log backends where
the log is involved. The citizens and their mentions are invented."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from humaspost.checks import CheckReport
from humaspost.inbox_log import InboxLog, NewItem
from humaspost.inbox_model import Action, Incoming, Item, ReplyTarget, Status
from humaspost.lifecycle import Event
from humaspost.platforms.base import (
    Part,
    PartReceipt,
    Receipt,
    ResolvedAccount,
    ThreadProgress,
    UncertainError,
)
from humaspost.posts import load_post
from humaspost.problems import Severity
from humaspost.publisher import Result
from humaspost.publog import ONCE, DeliveryKey, Kind, LogLocation, LogRow, PublishLog, RowState
from humaspost.replies import LogInbox
from humaspost.repository import post_files
from humaspost.store_postgres import DatabaseUrl
from tests.conftest import BASE_CONFIG, DATABASE_VARIABLE, HUMASPOST, NOW, Repo, run_humaspost
from tests.every_way import run_check_every_way
from tests.fakes.facebook_server import FakeGraph
from tests.fakes.x_server import FakeX, Fault
from tests.postgres_server import PostgresServer
from tests.test_platforms_e2e import X_KEYS, CommandClock, fake_x, x_account
from tests.test_publisher import DUE, Fail, Office, ScriptedPlatform, results
from tests.test_publog_lost_answers import relayed_log

# When the commands below run (--now, Asia/Jakarta) and the same moment in UTC.
LOCAL_NOW = "2026-12-01 08:00"
NOW_UTC = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
FETCHER = "humas-1/4242/boot"
PAGE = "104857600000000"
ENV = {**X_KEYS, "FB_TOKEN": "EAAGpageTOKENlonglived0000secret"}
REPLY = "Terima kasih, laporan sudah kami teruskan ke Dinas Bina Marga."

Found = tuple[str, int | None, int | None, str, str]


def errors(report: CheckReport) -> list[Found]:
    """(file, line, column, code, message) of each error."""
    return [
        (p.file, p.line, p.column, p.code, p.message)
        for p in report.problems
        if p.severity is Severity.ERROR
    ]


def check(repo: Repo, log: PublishLog | None = None) -> CheckReport:
    config = repo.config()
    files = post_files(config.posts_dir, [], repo.root)
    inbox = LogInbox(log) if log is not None else None
    return run_check_every_way(config, files, NOW, inbox=inbox)


def reply_file(item: int | str, to: str | None = "pemkot-x", extra: str = "") -> str:
    """A reply as `humaspost inbox reply` writes it, its text written in."""
    target = f"to: {to}\n" if to is not None else ""
    return f"---\n{target}reply_to: {item}\n{extra}---\n{REPLY}\n"


def receive(
    location: LogLocation,
    account: str,
    platform: str,
    remote_id: str,
    *,
    at: datetime = NOW_UTC - timedelta(hours=2),
    office: str | None = None,
) -> int:
    """An item in the inbox, stored as a fetch stores it; its number."""
    incoming = Incoming(
        remote_id=remote_id,
        author_id="1600000000000000001",
        author_name="Warga Contoh",
        author_handle="warga_uji1" if platform == "twitter" else None,
        text="Jalan di depan SDN 3 berlubang, bahaya buat motor",
        url=f"https://x.com/warga_uji1/status/{remote_id}",
        created_at=at,
    )
    new = NewItem(incoming, platform, account, at, None, office, None, at + timedelta(days=5), None)
    lease = at + timedelta(minutes=5)
    with PublishLog(location) as log:
        inbox = InboxLog(log)
        assert inbox.claim_fetch(account, platform, FETCHER, lease, at) is not None
        (item_id,) = inbox.store_page(account, FETCHER, [new], "{}", lease, at)
        inbox.release_fetch(account, FETCHER, now=at, complete=True)
    return item_id


def item(location: LogLocation, item_id: int) -> Item:
    with PublishLog(location, read_only=True) as log:
        found = InboxLog(log).item(item_id)
    assert found is not None
    return found


def history(location: LogLocation, item_id: int) -> list[tuple[Action, str | None]]:
    with PublishLog(location, read_only=True) as log:
        return [(entry.action, entry.detail) for entry in InboxLog(log).history(item_id)]


def rows(location: LogLocation) -> list[LogRow]:
    with PublishLog(location, read_only=True) as log:
        return log.search(limit=None)


# -- reading and checking the post file ------------------------------------------------


@pytest.fixture
def office(repo: Repo) -> Repo:
    """The base config with one X account alone in defaults.to, and a Facebook page
    mirrored by a sandbox account."""
    repo.write_config(
        BASE_CONFIG.replace("  to: [pemkot-x, pemkot-fb]\n", "  to: pemkot-x\n").replace(
            "  latihan:\n    platform: sandbox\n",
            "  latihan:\n    platform: sandbox\n  latihan-fb:\n    platform: sandbox\n"
            "    like: facebook\n",
        )
    )
    return repo


def test_a_reply_is_read_with_its_item_and_needs_no_publish_at(office: Repo) -> None:
    path = office.post("balasan/42.md", reply_file(42))
    config = office.config()
    loaded = load_post(path, "posts/balasan/42.md", config.posts_dir, config.timezone)
    assert loaded.problems == []
    assert loaded.post is not None
    assert (loaded.post.reply_to, loaded.post.publish_at, loaded.post.to) == (
        42, None, ("pemkot-x",),
    )  # fmt: skip
    assert check(office).problems == []


def test_a_reply_to_the_one_account_of_defaults_to_needs_no_to(office: Repo) -> None:
    office.post("balasan/42.md", reply_file(42, to=None))
    assert check(office).problems == []


def test_reply_to_must_be_a_whole_number_from_one(office: Repo) -> None:
    office.post("a.md", reply_file('"42"'))
    office.post("b.md", reply_file("4.2"))
    office.post("c.md", reply_file("true"))
    office.post("d.md", reply_file("0"))
    office.post("e.md", reply_file("-7"))
    office.post("f.md", reply_file("9" * 30))
    office.post("g.md", "---\nto: pemkot-x\nreply_to:\n---\nHalo.\n")
    found = errors(check(office))
    assert found == [
        ("posts/a.md", 3, 11, "HP102", "'reply_to' must be a whole number, not '42'"),
        ("posts/b.md", 3, 11, "HP102", "'reply_to' must be a whole number, not 4.2"),
        ("posts/c.md", 3, 11, "HP102", "'reply_to' must be a whole number, not true/false"),
        ("posts/d.md", 3, 11, "HP125", "'reply_to' is not the number of an inbox item"),
        ("posts/e.md", 3, 11, "HP125", "'reply_to' is not the number of an inbox item"),
        ("posts/f.md", 3, 11, "HP125", "'reply_to' is not the number of an inbox item"),
        # No value: neither a reply nor a post with a time.
        ("posts/g.md", 2, 1, "HP104", "the post has no 'publish_at' (when should it go out?)"),
        ("posts/g.md", 3, 1, "HP110", "'reply_to' has no value"),
    ]
    hints = {p.file: p.hint for p in check(office).problems}
    assert hints["posts/a.md"] == (
        "write the number of the inbox item as 'humaspost inbox' lists it, without quotes, "
        "e.g. 'reply_to: 42'"
    )


def test_a_reply_cannot_repeat_be_reshared_or_repost(office: Repo) -> None:
    office.post("a.md", reply_file(42, extra='repeat: "0 8 * * 1"\n'))
    office.post("b.md", reply_file(42, extra="amplify: {by: semua-kecamatan}\n"))
    office.post(
        "c.yaml",
        "to: pemkot-x\nreply_to: 42\nrepost: https://x.com/pemkotbekasi/status/1864000000000000000\n"
        "text: Halo.\n",
    )
    assert errors(check(office)) == [
        ("posts/a.md", 4, 1, "HP125", "a reply is sent once: 'repeat' cannot go with 'reply_to'"),
        ("posts/b.md", 4, 1, "HP125",
         "a reply cannot be re-shared: 'amplify' cannot go with 'reply_to'"),
        ("posts/c.yaml", 3, 1, "HP125", "a post has either 'reply_to' or 'repost', not both"),
    ]  # fmt: skip


def test_a_reply_goes_from_exactly_one_account(office: Repo) -> None:
    office.post("a.md", reply_file(42, to="[pemkot-x, pemkot-fb]"))
    office.post("b.md", reply_file(42, to="semua-kecamatan"))
    office.post("c.md", reply_file(42, to="[pemkot-x, pemkot-x]"))  # one account, twice
    office.post("d.md", reply_file(42, to="pemkot-z"))  # unknown: HP103 says it
    assert errors(check(office)) == [
        ("posts/a.md", 2, 5, "HP125",
         "a reply goes from one account, the one the inbox item came to, not from several"),
        ("posts/b.md", 2, 5, "HP125",
         "'semua-kecamatan' is a group: a reply goes from one account, the one the inbox "
         "item came to"),
        ("posts/d.md", 2, 5, "HP103", "unknown account or group 'pemkot-z' in 'to'"),
    ]  # fmt: skip


def test_a_reply_without_to_refuses_a_defaults_to_of_several_accounts(repo: Repo) -> None:
    repo.post("balasan/42.md", reply_file(42, to=None))
    (problem,) = check(repo).problems
    assert (problem.file, problem.line, problem.column, problem.code) == (
        "posts/balasan/42.md", 2, 1, "HP125",
    )  # fmt: skip
    assert problem.message == (
        "this post has no 'to' and so goes to defaults.to, which names several accounts: "
        "a reply goes from the one account the inbox item came to"
    )
    assert problem.hint == (
        "write the one account the item came to in 'to' ('humaspost inbox show 42' names it)"
    )


def test_a_reply_on_facebook_carries_no_media(office: Repo) -> None:
    office.media("peta.png")
    media = "media:\n  - file: ../media/peta.png\n    alt: Peta posko banjir\n"
    office.post("a.md", reply_file(43, to="pemkot-fb", extra=media))
    office.post("b.md", reply_file(43, to="latihan-fb", extra=media))  # rehearses Facebook
    office.post("c.md", reply_file(42, to="pemkot-x", extra=media))  # X takes pictures
    office.post("d.md", reply_file(43, to="pemkot-fb", extra=media + "facebook:\n  media: []\n"))
    assert errors(check(office)) == [
        ("posts/a.md", 4, 1, "HP126",
         "'pemkot-fb' replies on Facebook with a comment, which carries text only: no media"),
        ("posts/b.md", 4, 1, "HP126",
         "'latihan-fb' replies on Facebook with a comment, which carries text only: no media"),
    ]  # fmt: skip


def test_schedule_shows_a_reply_due_at_once_and_costs_it_as_a_post(office: Repo) -> None:
    office.post("balasan/a.md", reply_file(42))
    office.post(
        "balasan/b.md",
        "---\nto: pemkot-x\nreply_to: 43\n---\nInfo posko: https://bpbd.bekasikota.go.id\n",
    )
    office.post("balasan/c.md", reply_file(44, extra="publish_at: 2026-12-02 08:00\n"))
    result = run_humaspost("schedule", "--format", "json", "--now", LOCAL_NOW, cwd=office.root)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert [(d["post"], d["kind"], d["state"], d["local_time"]) for d in shown["deliveries"]] == [
        ("balasan/a", "reply", "due", "2026-12-01T08:00:00+07:00"),
        ("balasan/b", "reply", "due", "2026-12-01T08:00:00+07:00"),
        ("balasan/c", "reply", "scheduled", "2026-12-02T08:00:00+07:00"),
    ]
    # X bills a reply as a post, one with an address in it as a post with a URL.
    assert shown["x_cost"]["days"] == {"2026-12-01": 0.215, "2026-12-02": 0.015}


# -- checking against the inbox ----------------------------------------------------------


@pytest.fixture
def location(office: Repo, log_database: str | None) -> LogLocation:
    """The office's publish log: the SQLite file under state_dir, or a fresh database
    that the config names by its variable (both, by turns)."""
    if log_database is None:
        return office.root / ".humaspost" / "publog.sqlite"
    config = (office.root / "humaspost.yaml").read_text(encoding="utf-8")
    office.write_config(config + f"publish_log: ${{{DATABASE_VARIABLE}}}\n")
    return DatabaseUrl(log_database, DATABASE_VARIABLE)


def env_for(location: LogLocation) -> dict[str, str]:
    return {**ENV, DATABASE_VARIABLE: location.url} if isinstance(location, DatabaseUrl) else ENV


def test_check_refuses_an_unknown_item_and_another_accounts_item(
    office: Repo, location: LogLocation
) -> None:
    mine = receive(location, "pemkot-x", "twitter", "1900000000000000001")
    theirs = receive(location, "pemkot-fb", "facebook", f"{PAGE}_1200")
    office.post("ok.md", reply_file(mine))
    office.post("lain.md", reply_file(theirs))
    office.post("hilang.md", reply_file(mine + theirs + 40))
    result = run_humaspost("check", "--format", "json", cwd=office.root, env=env_for(location))
    assert result.returncode == 1, result.stdout + result.stderr
    found = [
        (p["file"], p["line"], p["column"], p["code"], p["message"], p["hint"])
        for p in json.loads(result.stdout)["problems"]
    ]
    assert found == [
        ("posts/hilang.md", 3, 11, "HP127",
         f"there is no inbox item {mine + theirs + 40} in the publish log",
         "'humaspost inbox' lists the items with their numbers (an item may have been "
         "deleted since: 'inbox.retain', 'humaspost inbox purge')"),
        ("posts/lain.md", 3, 11, "HP128",
         f"inbox item {theirs} came to the facebook account 'pemkot-fb', not to 'pemkot-x': "
         "only that account can reply to it",
         f"send the reply from that account ('to: pemkot-fb'), or check the number with "
         f"'humaspost inbox show {theirs}'"),
    ]  # fmt: skip


def test_check_without_a_log_says_nothing_of_the_inbox_and_makes_no_log(office: Repo) -> None:
    office.post("balasan/42.md", reply_file(42))
    result = run_humaspost("check", cwd=office.root, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "✓ 1 file, 1 post: no problems\n"
    # The state folder holds check's cache (issue 15), and no log.
    assert [p.name for p in (office.root / ".humaspost").iterdir()] == ["check-cache.sqlite"]


def test_check_with_an_unreachable_database_checks_the_rest_quickly(office: Repo) -> None:
    config = (office.root / "humaspost.yaml").read_text(encoding="utf-8")
    office.write_config(config + f"publish_log: ${{{DATABASE_VARIABLE}}}\n")
    office.post("balasan/42.md", reply_file(42))
    office.post("rusak.md", reply_file(0))
    port = closed_port()
    env = {**ENV, DATABASE_VARIABLE: f"postgresql://humaspost:rahasia@127.0.0.1:{port}/log"}
    started = time.monotonic()
    result = run_humaspost("check", cwd=office.root, env=env)
    assert time.monotonic() - started < 10
    assert result.returncode == 1
    assert "error[HP125]" in result.stdout and "HP127" not in result.stdout
    assert "rahasia" not in result.stdout + result.stderr
    assert "1 error, 0 warnings" in result.stdout


def closed_port() -> int:
    """A local port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_item_purged_after_its_reply_went_out_still_checks(
    office: Repo, location: LogLocation
) -> None:
    """The reply file stays in the repository; its item may be deleted later."""
    number = receive(location, "pemkot-x", "twitter", "1900000000000000001")
    office.post("balasan/a.md", reply_file(number))
    with PublishLog(location) as log:
        key = DeliveryKey("balasan/a", ONCE, "pemkot-x")
        claim = log.claim(key, platform="twitter", due_at=NOW_UTC, owner="o/1", now=NOW_UTC,
                          lease=timedelta(minutes=2), kind=Kind.REPLY, reply_to=number)  # fmt: skip
        assert claim is not None
        log.finish(claim.row_id, Event.SENT, owner="o/1", now=NOW_UTC,
                   url="https://x.com/pemkotbekasi/status/1900000000000000009")  # fmt: skip
        InboxLog(log).purge_authors({("twitter", "1600000000000000001")})
        assert InboxLog(log).item(number) is None
        assert errors(check(office, log)) == []
    office.post("balasan/b.md", reply_file(number, to="pemkot-fb"))
    with PublishLog(location, read_only=True) as log:
        assert [e[3] for e in errors(check(office, log))] == ["HP128"]


# -- publishing through X ------------------------------------------------------------------


@dataclass(frozen=True)
class XOffice:
    """The office's repository, the local X and Facebook its accounts post to, and its
    publish log."""

    repo: Repo
    x: FakeX
    graph: FakeGraph
    location: LogLocation

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run_humaspost(*args, cwd=self.repo.root, env=env_for(self.location))

    def publish(self, local: str = LOCAL_NOW, *flags: str) -> subprocess.CompletedProcess[str]:
        return self.run("publish", "--now", local, *flags)

    def mentioned(
        self, text: str = "Jalan di depan SDN 3 berlubang", office: str | None = None
    ) -> tuple[str, int]:
        """A citizen's mention of the account on X, and its item in the inbox (assigned
        to `office`, if given)."""
        tweet = self.x.mention("pemkotbekasi", "warga_uji1", text)
        return tweet.id, receive(self.location, "pemkot-x", "twitter", tweet.id, office=office)

    def replies(self) -> list[tuple[str | None, str | None]]:
        """(post replied to, text) of what the account published on X."""
        return [(t.reply_to, t.text) for t in self.x.live() if t.author is None and t.reply_to]


@pytest.fixture
def on_x(repo: Repo, log_database: str | None) -> Iterator[XOffice]:
    with fake_x(CommandClock(LOCAL_NOW)) as x, FakeGraph(PAGE, ENV["FB_TOKEN"]) as graph:
        config = (
            "timezone: Asia/Jakarta\naccounts:\n"
            + x_account("pemkot-x", x.url)
            + f"  pemkot-fb:\n    platform: facebook\n    page_id: '{PAGE}'\n"
            f"    access_token: ${{FB_TOKEN}}\n    api_url: {graph.url}\n"
            "  latihan:\n    platform: sandbox\ndefaults:\n  to: pemkot-x\n"
        )
        location: LogLocation = repo.root / ".humaspost" / "publog.sqlite"
        if log_database is not None:
            config += f"publish_log: ${{{DATABASE_VARIABLE}}}\n"
            location = DatabaseUrl(log_database, DATABASE_VARIABLE)
        repo.write_config(config)
        yield XOffice(repo, x, graph, location)


def test_a_reply_goes_out_once_as_the_reply_to_the_mention_and_answers_the_item(
    on_x: XOffice,
) -> None:
    mention, number = on_x.mentioned()
    on_x.repo.post("2026/12/balasan-jalan.md", reply_file(number))

    result = on_x.publish()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 sent" in result.stdout
    assert on_x.replies() == [(mention, REPLY)]
    (row,) = rows(on_x.location)
    assert (row.kind, row.reply_to, row.state) == (Kind.REPLY, number, RowState.SENT)
    answered = item(on_x.location, number)
    assert answered.status is Status.ANSWERED
    assert answered.reply_url == row.url and row.url is not None
    assert answered.answered_at is not None and row.sent_at is not None
    # The response time is counted to the moment the reply went out (the clock of
    # --now runs on from 08:00).
    assert timedelta(0) <= answered.answered_at - NOW_UTC < timedelta(minutes=1)
    assert answered.answered_at == row.sent_at
    assert history(on_x.location, number)[-1] == (Action.ANSWERED, row.url)

    again = on_x.publish("2026-12-01 08:05")
    assert again.returncode == 0 and again.stdout == "nothing due\n", again.stderr
    assert on_x.replies() == [(mention, REPLY)]
    assert len(history(on_x.location, number)) == 2  # received, answered: once

    logged = json.loads(on_x.run("log", "--kind", "reply", "--format", "json").stdout)
    assert [(entry["post"], entry["kind"], entry["state"]) for entry in logged] == [
        ("2026/12/balasan-jalan", "reply", "sent")
    ]
    planned = json.loads(on_x.run("schedule", "--format", "json", "--now", LOCAL_NOW).stdout)
    assert [(d["post"], d["kind"], d["state"]) for d in planned["deliveries"]] == [
        ("2026/12/balasan-jalan", "reply", "sent")
    ]


def test_publish_refuses_a_reply_to_an_unknown_item_or_another_accounts(
    on_x: XOffice,
) -> None:
    theirs = receive(on_x.location, "pemkot-fb", "facebook", f"{PAGE}_1200")
    on_x.repo.post("balasan/lain.md", reply_file(theirs))
    on_x.repo.post("balasan/hilang.md", reply_file(theirs + 1))

    result = on_x.publish()
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith(
        "2 post file(s) have errors and are held back: posts/balasan/hilang.md, "
        "posts/balasan/lain.md\n  run 'humaspost check' to see them\n"
    )
    assert result.stderr.count("held back ") == 2
    # On the server, check names them (it reads the same log).
    checked = on_x.run("check")
    assert (
        f"posts/balasan/hilang.md:3:11: error[HP127] there is no inbox item {theirs + 1} "
        "in the publish log" in checked.stdout
    )
    assert (
        f"posts/balasan/lain.md:3:11: error[HP128] inbox item {theirs} came to the facebook "
        "account 'pemkot-fb', not to 'pemkot-x'" in checked.stdout
    )
    assert on_x.x.tweets == [] and on_x.x.counts["create_tweet"] == 0
    assert rows(on_x.location) == []
    assert item(on_x.location, theirs).status is Status.NEW


def test_a_reply_with_publish_at_waits_for_it(on_x: XOffice) -> None:
    mention, number = on_x.mentioned()
    on_x.repo.post("balasan.md", reply_file(number, extra="publish_at: 2026-12-01 09:00\n"))
    early = on_x.publish()
    assert early.returncode == 0 and early.stdout == "nothing due\n", early.stderr
    assert item(on_x.location, number).status is Status.NEW
    due = on_x.publish("2026-12-01 09:01")
    assert due.returncode == 0 and "1 sent" in due.stdout, due.stdout + due.stderr
    assert on_x.replies() == [(mention, REPLY)]
    assert item(on_x.location, number).status is Status.ANSWERED


def test_a_reply_x_refuses_fails_and_leaves_the_item_open(on_x: XOffice) -> None:
    # Since February 2026 X lets an app reply only to a post that mentioned the account.
    elsewhere = on_x.x.others_post("Jalan berlubang lagi", author="warga_uji2")
    number = receive(on_x.location, "pemkot-x", "twitter", elsewhere.id)
    on_x.repo.post("balasan.md", reply_file(number))
    result = on_x.publish()
    assert result.returncode == 1
    assert "failed" in result.stdout and "X refuses the reply" in result.stdout
    assert on_x.replies() == []
    (row,) = rows(on_x.location)
    assert row.state is RowState.FAILED
    assert item(on_x.location, number).status is Status.NEW
    assert [action for action, _ in history(on_x.location, number)] == [Action.RECEIVED]


def test_a_reply_from_the_facebook_page_is_one_comment_under_the_citizens(
    on_x: XOffice,
) -> None:
    asked = on_x.graph.comment(
        on_x.graph.page_post("Pasar murah akhir tahun").id, "2900001", "Warga Contoh",
        "Kapan pasar murahnya?",
    )  # fmt: skip
    number = receive(on_x.location, "pemkot-fb", "facebook", asked.id)
    on_x.repo.post(
        "balasan.md",
        f"---\nto: pemkot-fb\nreply_to: {number}\n---\nSabtu depan, di alun-alun.\n---\n"
        "Bawa KTP ya.\n",
    )
    result = on_x.publish()
    assert result.returncode == 0, result.stdout + result.stderr
    (answer,) = on_x.graph.replies()
    assert (answer.parent, answer.message) == (
        asked.id,
        "Sabtu depan, di alun-alun.\n\nBawa KTP ya.",
    )
    answered = item(on_x.location, number)
    assert answered.status is Status.ANSWERED
    assert answered.reply_url is not None and answer.id in answered.reply_url
    assert on_x.x.tweets == []


def test_a_sandbox_rehearsal_replies_without_the_item_and_answers_nothing(
    on_x: XOffice,
) -> None:
    _, number = on_x.mentioned()
    on_x.repo.post("balasan.md", reply_file(number))
    result = on_x.publish(LOCAL_NOW, "--sandbox")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 sent" in result.stdout
    outbox = on_x.repo.root / ".humaspost" / "sandbox" / "pemkot-x"
    (written,) = sorted(outbox.glob("*_reply_1.json"))
    part = json.loads(written.read_text(encoding="utf-8"))
    assert (part["text"], part["reply_to"]) == (REPLY, number)
    again = on_x.publish("2026-12-01 08:05", "--sandbox")
    assert again.returncode == 0 and again.stdout == "nothing due\n", again.stderr
    assert len(list(outbox.glob("*.json"))) == 1
    # The real accounts and the real inbox are untouched.
    assert on_x.replies() == [] and on_x.x.counts["create_tweet"] == 0
    assert item(on_x.location, number).status is Status.NEW
    assert rows(on_x.location) == []


def in_flight(location: LogLocation) -> bool:
    try:
        return any(row.inflight_part is not None for row in rows(location))
    except Exception:  # the log is being made by the publisher
        return False


def test_a_publisher_killed_in_flight_never_replies_twice_and_resolve_answers(
    on_x: XOffice,
) -> None:
    mention, number = on_x.mentioned()
    on_x.repo.post("balasan.md", reply_file(number))
    # X makes the reply, then answers 20 s later: the publisher is killed meanwhile.
    on_x.x.fail("create_tweet", Fault("slow", delay=20))
    process = subprocess.Popen(
        [str(HUMASPOST), "publish", "--now", LOCAL_NOW],
        cwd=on_x.repo.root,
        env=process_env(on_x.location),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not in_flight(on_x.location):
        assert time.monotonic() < deadline, "the reply never went in flight"
        time.sleep(0.05)
    while on_x.x.counts["create_tweet"] == 0:
        assert time.monotonic() < deadline, "X never got the reply"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    (reply,) = [t for t in on_x.x.live() if t.reply_to == mention]

    # The lease runs out: the next run finds it may have gone out, and says so.
    later = on_x.publish("2026-12-01 08:10")
    assert later.returncode == 1, later.stdout + later.stderr
    assert "1 delivery is in state unknown" in later.stderr
    (row,) = rows(on_x.location)
    assert row.state is RowState.UNKNOWN
    assert item(on_x.location, number).status is Status.NEW  # the delivery is not sent
    again = on_x.publish("2026-12-01 08:20")
    assert "1 delivery is in state unknown" in again.stderr
    assert on_x.x.counts["create_tweet"] == 1  # never retried by itself

    url = f"https://x.com/pemkotbekasi/status/{reply.id}"
    resolved = on_x.run("resolve", str(row.id), "--sent", url, "--now", "2026-12-01 08:30")
    assert resolved.returncode == 0, resolved.stdout + resolved.stderr
    answered = item(on_x.location, number)
    assert (answered.status, answered.reply_url) == (Status.ANSWERED, url)
    assert answered.answered_at is not None
    assert answered.answered_at - (NOW_UTC + timedelta(minutes=30)) < timedelta(minutes=1)
    assert history(on_x.location, number)[-1] == (Action.ANSWERED, url)
    assert on_x.x.counts["create_tweet"] == 1


def process_env(location: LogLocation) -> dict[str, str]:
    """The environment `run_humaspost` gives a command, for one started in the background."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    return {**env, "HUMASPOST_LANG": "en", "NO_COLOR": "1", **env_for(location)}


def test_retracting_a_reply_reopens_its_item(on_x: XOffice) -> None:
    _, number = on_x.mentioned(office="Dinas Bina Marga")
    on_x.repo.post("balasan.md", reply_file(number))
    assert on_x.publish().returncode == 0
    assert item(on_x.location, number).status is Status.ANSWERED

    result = on_x.run("retract", "balasan", "--yes", "--now", "2026-12-01 09:00")
    assert result.returncode == 0, result.stdout + result.stderr
    assert on_x.replies() == []  # deleted on X
    (row,) = rows(on_x.location)
    assert row.state is RowState.RETRACTED
    reopened = item(on_x.location, number)
    assert (reopened.status, reopened.office) == (Status.ASSIGNED, "Dinas Bina Marga")
    assert (reopened.answered_at, reopened.settled_at, reopened.reply_url) == (None, None, None)
    assert history(on_x.location, number)[-1][0] is Action.REOPENED


# -- the publisher, in-process -------------------------------------------------------------


class ReplyingPlatform(ScriptedPlatform):
    """The scripted platform, able to reply: each reply's target is recorded, and the
    first part replies to the target's remote id."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[tuple[str, ReplyTarget]] = []

    def reply(
        self,
        parts: tuple[Part, ...],
        account: ResolvedAccount,
        progress: ThreadProgress,
        target: ReplyTarget,
    ) -> Receipt:
        self.targets.append((account.name, target))
        return self.publish(parts, account, progress)


@pytest.fixture
def scripted(repo: Repo, log_database: str | None) -> Office:
    office = Office(repo, ["a", "b"], database=log_database)
    office.platform = ReplyingPlatform()
    return office


def scripted_reply(office: Office, item_id: int, to: str = "a") -> None:
    office.repo.post("balasan.md", reply_file(item_id, to=to))


def test_the_publisher_replies_to_the_items_mention_and_answers_it(scripted: Office) -> None:
    number = receive(scripted.log_path, "a", "scripted", "r-77")
    scripted_reply(scripted, number)
    outcomes = scripted.run(DUE)
    assert results(outcomes) == [("balasan", Result.SENT)]
    assert isinstance(scripted.platform, ReplyingPlatform)
    assert scripted.platform.targets == [("a", ReplyTarget(number, "r-77"))]
    assert scripted.platform.posted == [("a", REPLY, None)]
    (row,) = rows(scripted.log_path)
    assert (row.kind, row.reply_to, row.state) == (Kind.REPLY, number, RowState.SENT)
    answered = item(scripted.log_path, number)
    assert (answered.status, answered.answered_at, answered.reply_url) == (
        Status.ANSWERED, DUE, row.url,
    )  # fmt: skip
    assert scripted.run(DUE + timedelta(minutes=1)) == []
    assert len(scripted.platform.targets) == 1


def test_a_reply_without_publish_at_is_due_when_first_seen(scripted: Office) -> None:
    number = receive(scripted.log_path, "a", "scripted", "r-77")
    scripted.repo.post("balasan.md", reply_file(number, extra="draft: true\n"))
    # A draft is not seen as ready: its time starts when it is no longer one.
    assert scripted.run(DUE) == []
    scripted_reply(scripted, number)
    later = DUE + timedelta(hours=5)  # past max_delay after the draft was first seen
    assert results(scripted.run(later)) == [("balasan", Result.SENT)]
    (row,) = rows(scripted.log_path)
    assert row.due_at == later


def test_an_adapter_that_cannot_reply_fails_the_delivery_and_posts_nothing(
    scripted: Office,
) -> None:
    scripted.platform = ScriptedPlatform()
    number = receive(scripted.log_path, "a", "scripted", "r-77")
    scripted_reply(scripted, number)
    outcomes = scripted.run(DUE)
    assert [(o.result, o.error) for o in outcomes] == [
        (Result.FAILED, "the scripted adapter cannot reply to inbox items")
    ]
    assert scripted.platform.posted == []  # never posted as a post of its own
    assert item(scripted.log_path, number).status is Status.NEW


def test_an_item_deleted_after_the_check_is_never_replied_to(scripted: Office) -> None:
    number = receive(scripted.log_path, "a", "scripted", "r-77")
    scripted_reply(scripted, number)

    def purged() -> None:  # between planning and sending
        with PublishLog(scripted.log_path) as log:
            assert InboxLog(log).purge_authors({("scripted", "1600000000000000001")}) == 1

    outcomes = scripted.run(DUE, after_planning=purged)
    assert [(o.result, o.error) for o in outcomes] == [
        (Result.FAILED, f"inbox item {number} is not in the publish log (deleted since the "
                        "post was checked?): the reply is not sent"),
    ]  # fmt: skip
    assert scripted.platform.posted == []


def test_a_reply_to_another_accounts_item_is_never_sent(scripted: Office) -> None:
    """The last check, before sending: `check` and loading refuse it first (HP128)."""
    number = receive(scripted.log_path, "b", "scripted", "r-78")
    scripted_reply(scripted, number, to="a")
    outcomes = scripted.run(DUE)
    assert [o.result for o in outcomes] == [Result.FAILED]
    assert outcomes[0].error == (
        f"inbox item {number} came to the scripted account 'b', not to 'a': the reply is not sent"
    )
    assert scripted.platform.posted == []
    assert item(scripted.log_path, number).status is Status.NEW


def test_a_rehearsal_replies_without_the_item(scripted: Office) -> None:
    scripted_reply(scripted, 42)  # the rehearsal's log has no inbox
    outcomes = scripted.run(DUE, rehearsal=True)
    assert results(outcomes) == [("balasan", Result.SENT)]
    assert isinstance(scripted.platform, ReplyingPlatform)
    assert scripted.platform.targets == [("a", ReplyTarget(42, None))]
    with PublishLog(scripted.log_path) as log:
        assert InboxLog(log).items() == []


def test_a_reply_whose_answer_was_lost_is_unknown_and_leaves_the_item_open(
    scripted: Office,
) -> None:
    number = receive(scripted.log_path, "a", "scripted", "r-77")
    scripted_reply(scripted, number)
    scripted.platform.fail("a", Fail(UncertainError("the connection broke after the request")))
    assert results(scripted.run(DUE)) == [("balasan", Result.UNKNOWN)]
    assert item(scripted.log_path, number).status is Status.NEW
    assert scripted.run(DUE + timedelta(minutes=5)) == []  # a person settles it
    (row,) = rows(scripted.log_path)
    with PublishLog(scripted.log_path) as log:
        log.resolve(row.id, sent_url="https://example.test/a/9", now=DUE + timedelta(hours=1))
    answered = item(scripted.log_path, number)
    assert (answered.status, answered.reply_url, answered.answered_at) == (
        Status.ANSWERED, "https://example.test/a/9", DUE + timedelta(hours=1),
    )  # fmt: skip


def test_a_sent_reply_whose_commit_answer_was_lost_answers_its_item_once(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    """The delivery marked sent and its item answered are one transaction: run again on
    a new connection after its COMMIT's answer was lost, it changes neither twice."""
    number = receive(DatabaseUrl(postgres_url, DATABASE_VARIABLE), "pemkot-x", "twitter", "19001")
    with relayed_log(postgres_server, postgres_url) as (relay, log):
        key = DeliveryKey("balasan", ONCE, "pemkot-x")
        taken = log.claim(key, platform="twitter", due_at=NOW_UTC, owner="o/1", now=NOW_UTC,
                          lease=timedelta(minutes=2), kind=Kind.REPLY, reply_to=number)  # fmt: skip
        assert taken is not None
        url = "https://x.com/pemkotbekasi/status/19002"
        log.part_starting(taken.row_id, 0, "o/1", NOW_UTC, timedelta(minutes=2))
        log.part_published(taken.row_id, 0, PartReceipt("19002", url), NOW_UTC, "o/1")
        relay.lose_next_commit_answer()
        assert log.finish(taken.row_id, Event.SENT, owner="o/1", now=NOW_UTC, url=url)
        assert relay.cut == 1
        stored = log.row(taken.row_id)
        assert stored is not None and stored.state is RowState.SENT
        answered = InboxLog(log).item(number)
        assert answered is not None
        assert (answered.status, answered.reply_url) == (Status.ANSWERED, url)
        assert [e.action for e in InboxLog(log).history(number)] == [
            Action.RECEIVED, Action.ANSWERED,
        ]  # fmt: skip


# -- the daemon ----------------------------------------------------------------------------


def daemon_events(log_file: Path, name: str) -> list[dict[str, Any]]:
    lines = log_file.read_text(encoding="utf-8").splitlines() if log_file.exists() else []
    return [event for line in lines if (event := json.loads(line))["event"] == name]


def wait_for_event(
    process: subprocess.Popen[str], log_file: Path, name: str, timeout: float = 20
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while not (found := daemon_events(log_file, name)):
        assert process.poll() is None, log_file.read_text(encoding="utf-8")
        assert time.monotonic() < deadline, f"no {name}: {log_file.read_text(encoding='utf-8')}"
        time.sleep(0.05)
    return found


def test_the_daemon_replies_once_and_holds_back_a_reply_to_another_accounts_item(
    on_x: XOffice, tmp_path: Path
) -> None:
    mention, mine = on_x.mentioned()
    theirs = receive(on_x.location, "pemkot-fb", "facebook", f"{PAGE}_1200")
    on_x.repo.post("balasan/jalan.md", reply_file(mine))
    log_file = tmp_path / "daemon.log"
    with log_file.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [str(HUMASPOST), "daemon", "--log-format", "json", "--now", LOCAL_NOW],
            cwd=on_x.repo.root,
            env=process_env(on_x.location),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
    try:
        (sent,) = wait_for_event(process, log_file, "sent")
        assert sent["post"] == "balasan/jalan"
        on_x.repo.post("balasan/lain.md", reply_file(theirs))
        (held,) = wait_for_event(process, log_file, "post held back")
        assert (held["file"], held["line"], held["code"]) == ("posts/balasan/lain.md", 3, "HP128")
        time.sleep(1)  # a pass after the reload: nothing more goes out
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert on_x.replies() == [(mention, REPLY)]
    assert item(on_x.location, mine).status is Status.ANSWERED
    assert item(on_x.location, theirs).status is Status.NEW
    assert [row.key.post_id for row in rows(on_x.location)] == ["balasan/jalan"]
