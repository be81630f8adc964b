"""The publisher with a test platform that fails on demand, against a real publish log.

`ScriptedPlatform` implements the `Platform` protocol the way a plugin would (it uses
`publish_thread`, like the built-in adapters); only its failures are scripted. Every
test runs on both backends of the log (SQLite, and PostgreSQL as `publish_log:
${HUMASPOST_DATABASE_URL}` configures it) unless it is about SQLite's file.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from humaspost import store_sqlite
from humaspost.lifecycle import shown_state
from humaspost.log_location import log_path
from humaspost.plan import Delivery
from humaspost.platforms.base import (
    Part,
    PartReceipt,
    PermanentError,
    Platform,
    Receipt,
    ResolvedAccount,
    ThreadProgress,
    TransientError,
    UncertainError,
    publish_thread,
)
from humaspost.publisher import Outcome, PublishSettings, Result, publish_due
from humaspost.publog import ONCE, DeliveryKey, LogRow, PublishLog, RowState
from humaspost.store_postgres import DatabaseUrl
from humaspost.workflow import load_posts, plan_from_log, sendable
from tests.conftest import DATABASE_VARIABLE, Repo

# 2026-12-01 08:00 WIB
DUE = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
OWNER = "test-host/1"


@dataclass(frozen=True)
class Fail:
    """One scripted failure: raised in the request of part `at_part` (so that part is in
    flight), or before any request when `at_part` is None."""

    error: Exception
    at_part: int | None = 0


class ScriptedPlatform:
    """A platform that records what it was sent and fails when its script says so."""

    name: ClassVar[str] = "scripted"

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.script: dict[str, list[Fail]] = defaultdict(list)
        self.calls: list[str] = []  # account of every publish call
        self.posted: list[tuple[str, str, str | None]] = []  # account, text, reply_to
        self.order: dict[str, list[str]] = defaultdict(list)  # account -> first texts
        self.lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self.counter = 0
        # Called right before part `index` is marked in flight: (account, index) -> hook.
        self.before_part: dict[tuple[str, int], Callable[[], None]] = {}

    def fail(self, account: str, *failures: Fail) -> None:
        """Make the next publish calls for `account` fail, one failure per call."""
        self.script[account].extend(failures)

    def publish(
        self, parts: tuple[Part, ...], account: ResolvedAccount, progress: ThreadProgress
    ) -> Receipt:
        with self.lock:
            self.calls.append(account.name)
            self.order[account.name].append(parts[0].text)
            failure = self.script[account.name].pop(0) if self.script[account.name] else None
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            if self.delay:
                time.sleep(self.delay)
            if failure is not None and failure.at_part is None:
                raise failure.error

            next_index = [len(progress.done)]

            def send(part: Part, reply_to: str | None) -> PartReceipt:
                index = next_index[0]
                next_index[0] += 1
                if failure is not None and failure.at_part == index:
                    raise failure.error
                with self.lock:
                    self.counter += 1
                    remote_id = str(self.counter)
                    self.posted.append((account.name, part.text, reply_to))
                return PartReceipt(remote_id, f"https://example.test/{account.name}/{remote_id}")

            return publish_thread(parts, _Hooked(progress, self, account.name), send)
        finally:
            with self.lock:
                self.running -= 1

    def retract(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Not needed here."""

    def verify(self, account: ResolvedAccount) -> str:
        """Not needed here."""
        return account.name


class _Hooked:
    """The publisher's progress, with the platform's hooks run before each part."""

    def __init__(self, progress: ThreadProgress, platform: ScriptedPlatform, account: str):
        self.progress = progress
        self.platform = platform
        self.account = account

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        return self.progress.done

    def starting(self, index: int) -> None:
        hook = self.platform.before_part.pop((self.account, index), None)
        if hook is not None:
            hook()
        self.progress.starting(index)

    def published(self, index: int, receipt: PartReceipt) -> None:
        self.progress.published(index, receipt)


class Recorder:
    """Publish events, as a user interface would get them."""

    def __init__(self) -> None:
        self.began: list[Delivery] = []
        self.ended: list[Outcome] = []

    def started(self, delivery: Delivery) -> None:
        self.began.append(delivery)

    def finished(self, outcome: Outcome) -> None:
        self.ended.append(outcome)


def planned_again(delivery: Delivery, row: LogRow | None, now: datetime) -> Delivery:
    """A delivery whose key a test changed, with its state from the log's row for it."""
    state = shown_state(row, due_at=delivery.due_at, deadline=delivery.deadline, now=now,
                        draft=False, blocked=False)  # fmt: skip
    return replace(delivery, row=row, state=state)


def accounts_config(names: list[str], *, shared_log: bool = False) -> str:
    lines = ["timezone: Asia/Jakarta"]
    if shared_log:
        lines.append(f"publish_log: ${{{DATABASE_VARIABLE}}}")
    lines.append("accounts:")
    lines += [f"  {name}:\n    platform: sandbox" for name in names]
    return "\n".join(lines) + "\n"


class Office:
    """A repository of posts, its publish log and the scripted platform, published
    in-process with a clock the test sets. The log is the SQLite file under state_dir,
    or with `database` (a URL) that PostgreSQL database, named in the config."""

    def __init__(
        self, repo: Repo, accounts: list[str], delay: float = 0.0, database: str | None = None
    ) -> None:
        self.repo = repo
        repo.write_config(accounts_config(accounts, shared_log=database is not None))
        self.platform = ScriptedPlatform(delay)
        environ = {} if database is None else {DATABASE_VARIABLE: database}
        self.log_path = log_path(repo.config(), sandbox=False, environ=environ)
        assert isinstance(self.log_path, DatabaseUrl) == (database is not None)

    def post(self, name: str, at: str, to: str, *parts: str, extra: str = "") -> None:
        body = "\n---\n".join(parts or (f"Halo warga, ini {name}",))
        self.repo.post(f"{name}.md", f"---\npublish_at: {at}\nto: {to}\n{extra}---\n{body}\n")

    def run(
        self,
        now: datetime,
        clock: Callable[[], datetime] | None = None,
        stop: threading.Event | None = None,
        after_planning: Callable[[], None] | None = None,
        change: Callable[[list[Delivery]], list[Delivery]] | None = None,
        **settings: object,
    ) -> list[Outcome]:
        config = self.repo.config()
        loaded = load_posts(config, self.repo.root, now)
        with PublishLog(self.log_path) as log:
            deliveries = plan_from_log(loaded, config, log, now, until=now)
        if change is not None:  # the deliveries as the test wants them (re-shares)
            deliveries = change(deliveries)
            with PublishLog(self.log_path) as log:
                rows = log.rows_for_posts(d.key.post_id for d in deliveries)
            deliveries = [planned_again(d, rows.get(d.key), now) for d in deliveries]
        chosen = sendable(deliveries, now)
        if after_planning is not None:
            after_planning()
        names = {d.key.account for d in chosen}
        accounts = {name: ResolvedAccount(name, "scripted", {}) for name in names}
        adapters: dict[str, Platform] = {name: self.platform for name in names}
        return publish_due(
            chosen,
            adapters=adapters,
            accounts=accounts,
            settings=PublishSettings(self.log_path, OWNER, **settings),  # type: ignore[arg-type]
            clock=clock or (lambda: now),
            events=Recorder(),
            rng=random.Random(7),
            stop=stop,
        )

    def rows(self) -> dict[tuple[str, str], tuple[RowState, int, str | None]]:
        with PublishLog(self.log_path) as log:
            return {
                (row.key.post_id, row.key.account): (row.state, row.attempts, row.error)
                for row in log.search(limit=None)
            }

    def row_state(self, post: str, account: str = "a") -> RowState:
        return self.rows()[(post, account)][0]


def results(outcomes: list[Outcome]) -> list[tuple[str, Result]]:
    return [(o.delivery.key.post_id, o.result) for o in outcomes]


@pytest.fixture
def office(repo: Repo, log_database: str | None) -> Office:
    return Office(repo, ["a", "b"], database=log_database)


def test_a_post_another_publisher_claims_first_holds_back_the_accounts_later_ones(
    office: Office,
) -> None:
    office.post("p1", "2026-12-01 08:00", "a")
    office.post("p2", "2026-12-01 08:01", "a")
    office.post("q", "2026-12-01 08:00", "b")
    now = DUE + timedelta(minutes=2)
    lease = timedelta(minutes=2)

    def another_server_claims_p1() -> None:  # between this publisher's plan and its claims
        with PublishLog(office.log_path) as log:
            key = DeliveryKey("p1", ONCE, "a")
            assert log.claim(key, platform="scripted", due_at=DUE, owner="humas-2/9/b",
                             now=now, lease=lease)  # fmt: skip

    outcomes = office.run(now, after_planning=another_server_claims_p1)
    # p2 is not sent before p1, which the other server is sending: it waits its turn.
    assert sorted(results(outcomes)) == [("p1", Result.SKIPPED), ("q", Result.SENT)]
    assert office.platform.order["a"] == []
    assert ("p2", "a") not in office.rows()


def test_a_thread_is_sent_and_recorded(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a", "Satu", "Dua", "Tiga")
    outcomes = office.run(DUE + timedelta(minutes=1))
    assert results(outcomes) == [("t", Result.SENT)]
    assert office.platform.posted == [("a", "Satu", None), ("a", "Dua", "1"), ("a", "Tiga", "2")]
    assert outcomes[0].url == "https://example.test/a/1"
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        assert row.state is RowState.SENT and row.url == "https://example.test/a/1"
        assert row.content_hash and row.sent_at == DUE + timedelta(minutes=1)
        assert [p.remote_id for p in log.parts(row.id)] == ["1", "2", "3"]
        assert [outcome for _, outcome, _ in log.attempts(row.id)] == ["claimed", "sent"]
    # A second run sends nothing.
    assert office.run(DUE + timedelta(minutes=2)) == []
    assert len(office.platform.posted) == 3


def test_nothing_before_its_time(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    assert office.run(DUE - timedelta(seconds=1)) == []
    assert office.platform.calls == []


def test_transient_then_sent_honouring_retry_after(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", Fail(TransientError("429 too many requests", retry_after=600)))
    first = office.run(DUE)
    assert results(first) == [("t", Result.RETRYING)]
    assert first[0].error == "429 too many requests"
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
    # The backoff (30 s at most for a first retry) is less than the platform's reset time.
    assert row.state is RowState.RETRYING and row.next_attempt_at == DUE + timedelta(seconds=600)
    assert office.run(DUE + timedelta(seconds=599)) == []
    assert office.platform.calls == ["a"]
    second = office.run(DUE + timedelta(seconds=600))
    assert results(second) == [("t", Result.SENT)]
    assert office.rows()[("t", "a")] == (RowState.SENT, 2, None)


def test_backoff_grows_with_jitter(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", *[Fail(TransientError("503"))] * 3)
    now = DUE
    waits = []
    for _ in range(3):
        assert results(office.run(now)) == [("t", Result.RETRYING)]
        with PublishLog(office.log_path) as log:
            (row,) = log.search()
        assert row.next_attempt_at is not None
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    # 30 s, 60 s, 120 s, each times a random factor in [0.5, 1].
    for wait, base in zip(waits, (30, 60, 120), strict=True):
        assert timedelta(seconds=base / 2) <= wait <= timedelta(seconds=base)
    assert results(office.run(now)) == [("t", Result.SENT)]


def test_a_thread_interrupted_by_a_transient_error_resumes(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a", "Satu", "Dua", "Tiga")
    office.platform.fail("a", Fail(TransientError("connection refused"), at_part=1))
    assert results(office.run(DUE)) == [("t", Result.RETRYING)]
    assert results(office.run(DUE + timedelta(minutes=1))) == [("t", Result.SENT)]
    assert office.platform.posted == [("a", "Satu", None), ("a", "Dua", "1"), ("a", "Tiga", "2")]


def test_retry_budget_exhausted_fails(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", *[Fail(TransientError("503"), at_part=None)] * 5)
    now = DUE
    for _ in range(2):
        assert results(office.run(now, max_attempts=3)) == [("t", Result.RETRYING)]
        now += timedelta(minutes=5)
    last = office.run(now, max_attempts=3)
    assert results(last) == [("t", Result.FAILED)]
    assert last[0].error == "503 (gave up after 3 attempts)"
    state, attempts, error = office.rows()[("t", "a")]
    assert (state, attempts) == (RowState.FAILED, 3) and error and "gave up" in error
    assert office.run(now + timedelta(minutes=5), max_attempts=3) == []
    assert len(office.platform.calls) == 3


def test_permanent_error_fails_and_is_never_retried(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", Fail(PermanentError("403 duplicate content")))
    assert results(office.run(DUE)) == [("t", Result.FAILED)]
    for minutes in (1, 30, 110):
        assert office.run(DUE + timedelta(minutes=minutes)) == []
    assert office.platform.calls == ["a"]
    assert office.rows()[("t", "a")] == (RowState.FAILED, 1, "403 duplicate content")


def test_after_a_retry_by_hand_a_new_failure_is_final_too(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail(
        "a", Fail(PermanentError("401 token expired")), Fail(PermanentError("403 policy"))
    )
    assert results(office.run(DUE)) == [("t", Result.FAILED)]
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        log.requeue(row.id, DUE + timedelta(minutes=10))  # what `humaspost retry` does
    assert results(office.run(DUE + timedelta(minutes=11))) == [("t", Result.FAILED)]
    # Later cron runs, still within max_delay of the post's time, leave it alone.
    for minutes in (12, 13, 60):
        assert office.run(DUE + timedelta(minutes=minutes)) == []
    assert office.platform.calls == ["a", "a"]
    assert office.row_state("t") is RowState.FAILED


def test_uncertain_error_is_unknown_and_never_retried(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", Fail(UncertainError("timeout after sending")))
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.UNKNOWN)]
    for minutes in (1, 60, 119):
        assert office.run(DUE + timedelta(minutes=minutes)) == []
    assert office.platform.calls == ["a"]
    assert office.rows()[("t", "a")] == (RowState.UNKNOWN, 1, "timeout after sending")


def test_adapter_crash_with_a_part_in_flight_is_unknown(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a", "Satu", "Dua")
    office.platform.fail("a", Fail(RuntimeError("bug in the adapter"), at_part=1))
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.UNKNOWN)]
    assert outcomes[0].error == "internal error in the scripted adapter (RuntimeError)"
    assert office.run(DUE + timedelta(minutes=5)) == []
    # Someone looked: part 2 is not there. The thread resumes at part 2.
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        assert row.inflight_part == 1
        log.resolve(row.id, sent_url=None, now=DUE + timedelta(minutes=6))
    assert results(office.run(DUE + timedelta(minutes=7))) == [("t", Result.SENT)]
    assert office.platform.posted == [("a", "Satu", None), ("a", "Dua", "1")]


def test_adapter_crash_before_any_request_fails(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", Fail(KeyError("api_url"), at_part=None))
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.FAILED)]
    assert outcomes[0].error == "internal error in the scripted adapter (KeyError)"


def test_past_the_deadline_is_missed_without_calling_the_platform(office: Office) -> None:
    office.post("late", "2026-12-01 08:00", "a")
    office.post("expired", "2026-12-01 10:00", "b", extra="expires_at: 2026-12-01 10:30\n")
    outcomes = office.run(DUE + timedelta(hours=2, minutes=31))
    assert sorted(results(outcomes)) == [("expired", Result.MISSED), ("late", Result.MISSED)]
    errors = {o.delivery.key.post_id: o.error for o in outcomes}
    assert errors == {"late": "past max_delay after its time", "expired": "past its expires_at"}
    assert office.platform.calls == []
    assert office.row_state("late") is RowState.MISSED
    assert office.run(DUE + timedelta(hours=3)) == []


def test_a_retry_that_would_come_after_the_deadline_is_missed(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", Fail(TransientError("429", retry_after=3 * 3600)))
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.MISSED)]
    assert outcomes[0].error == "429; the next try would be after the deadline"


def test_another_publishers_delivery_is_skipped(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    with PublishLog(office.log_path) as log:
        (delivery,) = plan_from_log(
            load_posts(office.repo.config(), office.repo.root, DUE),
            office.repo.config(),
            log,
            DUE,
            DUE,
        )
        log.claim(delivery.key, platform="sandbox", due_at=DUE, owner="other-host/9",
                  now=DUE, lease=timedelta(minutes=2))  # fmt: skip
    outcomes = publish_due(
        [delivery],
        adapters={"a": office.platform},
        accounts={"a": ResolvedAccount("a", "scripted", {})},
        settings=PublishSettings(office.log_path, OWNER),
        clock=lambda: DUE,
        events=Recorder(),
    )
    assert results(outcomes) == [("t", Result.SKIPPED)]
    assert office.platform.calls == []


def test_accounts_run_concurrently_each_in_order(repo: Repo, log_database: str | None) -> None:
    names = [f"k{n}" for n in range(6)]
    office = Office(repo, names, delay=0.1, database=log_database)
    for minute in range(3):
        for name in names:
            # Written in reverse so that file order is not time order.
            office.post(f"{name}-{2 - minute}", f"2026-12-01 08:0{2 - minute}", name,
                        f"Pengumuman {name} nomor {2 - minute}")  # fmt: skip
    started = time.monotonic()
    outcomes = office.run(DUE + timedelta(minutes=5), workers=8)
    elapsed = time.monotonic() - started
    assert len(outcomes) == 18 and all(o.result is Result.SENT for o in outcomes)
    sequential = 18 * 0.1
    # A generous bound (a loaded machine slows every thread); the overlap itself is
    # shown by most_at_once.
    assert elapsed < sequential, f"{elapsed:.2f}s, sequential would be {sequential:.1f}s"
    assert office.platform.most_at_once > 1
    for name in names:
        assert office.platform.order[name] == [f"Pengumuman {name} nomor {n}" for n in range(3)]


def test_workers_bound_the_accounts_at_once(repo: Repo, log_database: str | None) -> None:
    names = [f"k{n}" for n in range(4)]
    office = Office(repo, names, delay=0.05, database=log_database)
    for name in names:
        office.post(name, "2026-12-01 08:00", name)
    assert len(office.run(DUE, workers=2)) == 4
    assert office.platform.most_at_once <= 2


def test_stop_finishes_the_delivery_in_hand(office: Office) -> None:
    office.post("t1", "2026-12-01 08:00", "a")
    office.post("t2", "2026-12-01 08:01", "a")
    stop = threading.Event()
    stop.set()
    assert office.run(DUE + timedelta(minutes=5), stop=stop) == []
    assert office.platform.calls == []
    assert len(office.run(DUE + timedelta(minutes=5))) == 2


def another_publisher_takes_over(office: Office, at: datetime, *, sending: bool = False) -> None:
    """While this publisher was stopped, its lease ran out and another one took the
    delivery over (and, with `sending`, has a part in flight)."""
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        log.release_stale(at, lambda owner: False)
        taken = log.claim(row.key, platform="sandbox", due_at=DUE, owner="other-host/2",
                          now=at, lease=timedelta(minutes=2))  # fmt: skip
        assert taken is not None
        if sending:
            log.part_starting(taken.row_id, 0, "other-host/2", at, timedelta(minutes=2))


def test_a_publisher_that_lost_its_claim_sends_no_more_parts(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a", "Satu", "Dua", "Tiga")
    later = DUE + timedelta(minutes=10)
    office.platform.before_part[("a", 1)] = lambda: another_publisher_takes_over(office, later)
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.SKIPPED)]
    assert office.platform.posted == [("a", "Satu", None)]
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        # The other publisher's claim is untouched: it resumes at part 2.
        assert row.state is RowState.SENDING and row.owner == "other-host/2"
        assert [outcome for _, outcome, _ in log.attempts(row.id)] == [
            "claimed", "interrupted between parts", "claimed"
        ]  # fmt: skip


class PausedThenFailing(ScriptedPlatform):
    """Paused before its first request (past its lease; another publisher took the
    delivery over meanwhile), then told by the platform to try again later."""

    def __init__(self, take_over: Callable[[], None]) -> None:
        super().__init__()
        self.take_over = take_over

    def publish(
        self, parts: tuple[Part, ...], account: ResolvedAccount, progress: ThreadProgress
    ) -> Receipt:
        self.take_over()
        raise TransientError("503 service unavailable")


def test_a_run_that_lost_its_claim_leaves_the_new_owners_send_alone(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    later = DUE + timedelta(minutes=10)
    office.platform = PausedThenFailing(
        lambda: another_publisher_takes_over(office, later, sending=True)
    )
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.SKIPPED)]
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        # The new owner is still sending, its part in flight: nobody may claim it.
        assert row.state is RowState.SENDING and row.owner == "other-host/2"
        assert row.inflight_part == 0 and row.next_attempt_at is None
        attempts = log.attempts(row.id)
    assert [outcome for _, outcome, _ in attempts] == [
        "claimed", "interrupted between parts", "claimed", "transient error"
    ]  # fmt: skip
    assert "the claim was lost" in (attempts[-1][2] or "")
    # A third run finds nothing to take.
    assert office.run(later + timedelta(seconds=30)) == []


def test_waiting_on_a_locked_log_mid_thread_is_not_an_adapter_failure(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite alone: the lock of its file, held by another program.
    office = Office(repo, ["a", "b"])
    office.post("t", "2026-12-01 08:00", "a", "Satu", "Dua", "Tiga")
    monkeypatch.setattr(store_sqlite, "BUSY_TIMEOUT", 0.2)  # waited 30 s in production
    PublishLog(office.log_path).close()  # the log exists, as after any earlier run
    assert isinstance(office.log_path, Path)
    holder = sqlite3.connect(office.log_path, isolation_level=None, check_same_thread=False)

    def another_program_locks_the_log() -> None:
        holder.execute("BEGIN EXCLUSIVE")

    office.platform.before_part[("a", 1)] = another_program_locks_the_log
    try:
        outcomes = office.run(DUE)
    finally:
        holder.close()
    assert results(outcomes) == [("t", Result.SKIPPED)], outcomes[0].error
    assert "locked" in (outcomes[0].error or "")
    assert office.platform.posted == [("a", "Satu", None)]
    assert office.row_state("t") is RowState.SENDING  # not failed: nothing is in flight
    # Once the lease has run out, the next pass settles it (as every pass does first)
    # and resumes at part 2, replying to part 1.
    with PublishLog(office.log_path) as log:
        assert log.release_stale(DUE + timedelta(minutes=5), lambda owner: False) == []
    resumed = office.run(DUE + timedelta(minutes=5))
    assert results(resumed) == [("t", Result.SENT)], resumed[0].error
    assert office.platform.posted == [("a", "Satu", None), ("a", "Dua", "1"), ("a", "Tiga", "2")]
    with PublishLog(office.log_path) as log:
        (row,) = log.search()
        outcomes_seen = [outcome for _, outcome, _ in log.attempts(row.id)]
    assert "adapter crashed" not in outcomes_seen and outcomes_seen[-1] == "sent"


def test_an_absurd_retry_after_from_a_platform_is_a_miss_not_a_crash(office: Office) -> None:
    office.post("t", "2026-12-01 08:00", "a")
    office.platform.fail("a", Fail(TransientError("429", retry_after=1e300)))
    outcomes = office.run(DUE)
    assert results(outcomes) == [("t", Result.MISSED)]
    assert office.row_state("t") is RowState.MISSED
