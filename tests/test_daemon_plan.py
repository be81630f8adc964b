"""The daemon keeps each post's plan between passes (humaspost.daemon_plan): its
decisions must be those of planning every post again, as `publish` and `schedule` do.

Each step below changes something (the clock, the log, a file) and compares the kept
plans with a full `plan_from_log` of the same posts at the same moment: the same
wake-up times, the same "something is due", and for a pass the same deliveries sent,
missed or held back, in the same order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from humaspost.daemon import HORIZON, NOW, PostCache
from humaspost.daemon_plan import PostPlans
from humaspost.gitsource import NoCheckout
from humaspost.plan import Delivery, State
from humaspost.platforms.base import PartReceipt
from humaspost.publog import DeliveryKey, PublishLog, RowState
from humaspost.runs import due_now, held_back
from humaspost.workflow import LoadedPosts, plan_from_log
from tests.conftest import ENDS, Repo

# Monday 7 December 2026, 08:00 WIB.
WIB = ZoneInfo("Asia/Jakarta")
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)

CONFIG = """\
timezone: Asia/Jakarta
max_delay: 30m
accounts:
  latihan:
    platform: sandbox
  humas-x:
    platform: sandbox
    like: twitter
  humas-x2:
    platform: sandbox
    like: twitter
defaults:
  to: [latihan]
"""


def local(moment: datetime) -> str:
    """A time as post files write it (WIB, to the second)."""
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")


def write(repo: Repo, name: str, front: str, text: str = "Halo warga") -> Path:
    return repo.post(name, f"---\n{front}---\n{text} ({name})\n")


class Both:
    """The daemon's kept plans beside a full plan, at each moment asked."""

    def __init__(self, repo: Repo, log: PublishLog) -> None:
        self.config = repo.config()
        self.log = log
        self.now = T0
        self.cache = PostCache(self.config, repo.root, lambda: self.now)  # type: ignore[arg-type]
        self.cache.load_all(NoCheckout("not in git"))
        self.plans = PostPlans(self.config, (HORIZON, NOW))
        self.made = 0  # posts planned again by the last check, for the wake-ups

    def check(self, now: datetime) -> tuple[list[Delivery], list[Delivery]]:
        """Compare at `now`; returns what a pass then sends and holds back."""
        self.now = now
        loaded = self.cache.snapshot()
        changes = self.cache.changes(self.plans.loaded, loaded)  # as the daemon does
        self.made = self.plans.update(loaded, self.log, now, HORIZON, changes)
        assert set(self.plans.planned) == {id(p) for p in loaded.planned}
        full = plan_from_log(loaded, self.config, self.log, now, until=now + HORIZON)
        assert self.plans.wake_times(HORIZON, 10_000) == sorted(_wake_times(full, now))
        assert self.plans.wake_times(HORIZON, 3) == sorted(_wake_times(full, now))[:3]
        assert self.plans.any_due(HORIZON) == any(d.state is State.DUE for d in full)
        self.plans.update(loaded, self.log, now, NOW, self.cache.changes(None, loaded))
        kept = self.plans.acting(NOW)
        full = plan_from_log(loaded, self.config, self.log, now, until=now)
        assert due_now(kept, now, None) == due_now(full, now, None)
        assert held_back(kept, now, None) == held_back(full, now, None)
        # The same as the daemon's own snapshot of the files, read from scratch.
        fresh = PostCache(self.config, self.cache.cwd, lambda: now)  # type: ignore[arg-type]
        fresh.files = dict(self.cache.files)
        _same_posts(fresh.snapshot(), loaded)
        return due_now(full, now, None), held_back(full, now, None)

    def reload(self, *paths: Path) -> None:
        self.cache.reload(set(paths))


def _same_posts(expected: LoadedPosts, got: LoadedPosts) -> None:
    assert [(p.post.file, p.blocked) for p in got.planned] == [
        (p.post.file, p.blocked) for p in expected.planned
    ]
    assert got.problems == expected.problems


def _wake_times(deliveries: list[Delivery], now: datetime) -> set[datetime]:
    return {
        d.ready_at
        for d in deliveries
        if d.state in (State.SCHEDULED, State.RETRYING) and d.ready_at > now
    }


def settle(log: PublishLog, delivery: Delivery, state: RowState, now: datetime) -> None:
    """What a publisher does with a due delivery: claim it, publish its part if it is
    sent, and end it in `state`."""
    taken = log.claim(
        delivery.key, platform="sandbox", due_at=delivery.due_at, owner="h/1", now=now, lease=LEASE
    )
    assert taken is not None
    if state is RowState.SENT:
        log.part_starting(taken.row_id, 0, "h/1", now, LEASE)
        receipt = PartReceipt(f"{taken.row_id}", f"https://example.org/{taken.row_id}")
        log.part_published(taken.row_id, 0, receipt, now, "h/1")
    if state is not RowState.SENDING:
        retry = now + timedelta(minutes=5) if state is RowState.RETRYING else None
        log.finish(taken.row_id, ENDS[state], owner="h/1", now=now, outcome=str(state),
                   error=None if state is RowState.SENT else "boom",
                   url="https://example.org/1" if state is RowState.SENT else None,
                   next_attempt_at=retry)  # fmt: skip


@pytest.fixture
def log(tmp_path: Path) -> Iterator[PublishLog]:
    with PublishLog(tmp_path / "publog.sqlite") as publog:
        yield publog


def test_kept_plans_decide_as_planning_every_post_again(repo: Repo, log: PublishLog) -> None:
    repo.write_config(CONFIG)
    at = {n: T0 + timedelta(minutes=n) for n in range(0, 240, 5)}
    for n in range(40):  # many posts that stay as they are
        write(repo, f"lain/{n:02}.md", f"publish_at: {local(at[5 * (n % 40)])}\n")
    pagi = write(repo, "pagi.md", f"publish_at: {local(at[10])}\nto: [latihan, humas-x]\n")
    write(repo, "draf.md", f"publish_at: {local(at[10])}\ndraft: true\n")
    write(
        repo, "ulang.md", f"publish_at: {local(T0 - timedelta(days=3))}\nrepeat: '*/20 * * * *'\n"
    )
    write(repo, "ulang-baru.md", "repeat: '15 * * * *'\nto: [humas-x]\n")
    write(
        repo,
        "sebar.md",
        f"publish_at: {local(at[20])}\nto: [humas-x]\namplify:\n  by: [humas-x2]\n",
    )
    moved = write(repo, "pindah.md", f"publish_at: {local(at[200])}\n")
    unreadable = repo.post("salah.md", "---\npublish_at: [\n---\nSalah\n")
    write(
        repo,
        "akhir.md",
        f"publish_at: {local(T0)}\nrepeat: '*/30 * * * *'\nuntil: {local(at[90])}\n",
    )
    write(repo, "balas.md", "reply_to: 5\n")  # due when first seen
    write(repo, "balas-draf.md", "reply_to: 6\ndraft: true\n")
    both = Both(repo, log)
    both.reload(write(repo, "cepat.md", f"publish_at: {local(at[5])}\n"))  # before any pass
    both.check(T0)
    # Time passes: the posts due go out, one is retried, one fails.
    for minutes in (4, 5, 9, 10, 11):
        sent, _ = both.check(T0 + timedelta(minutes=minutes, seconds=30))
        for delivery in sent:
            state = RowState.RETRYING if delivery.key.post_id == "pagi" else RowState.SENT
            if delivery.key.post_id == "lain/02":
                state = RowState.FAILED
            if delivery.state is State.DUE and delivery.row is None:
                settle(log, delivery, state, T0 + timedelta(minutes=minutes, seconds=31))
    # An edit moves a post from hours ahead to minutes ahead: only it is planned again.
    moved.write_text(f"---\npublish_at: {local(at[15])}\n---\nDimajukan\n", encoding="utf-8")
    both.reload(moved)
    both.check(T0 + timedelta(minutes=12))
    # (And the draft reply: due whenever it is first seen ready, it is planned anew.)
    assert both.made == 2
    # A post added, one removed, a file broken, two posts sharing an id.
    write(repo, "baru.md", f"publish_at: {local(at[15])}\n")
    (repo.posts / "lain/30.md").unlink()
    broken = write(repo, "rusak.md", f"publish_at: {local(at[15])}\nto: [tidak-ada]\n")
    copy = write(repo, "salinan.md", f"id: pagi\npublish_at: {local(at[15])}\n")
    both.reload(repo.posts / "baru.md", repo.posts / "lain/30.md", broken, copy)
    both.check(T0 + timedelta(minutes=12, seconds=1))
    codes = {(p.file, p.code) for p in both.cache.snapshot().problems}
    assert {("posts/pagi.md", "HP112"), ("posts/salinan.md", "HP112")} <= codes, codes
    for minutes in range(13, 60, 3):  # retries come, deadlines pass, repeats roll on
        sent, _ = both.check(T0 + timedelta(minutes=minutes))
        for delivery in sent:
            if delivery.state is State.DUE and delivery.row is None:
                settle(log, delivery, RowState.SENT, T0 + timedelta(minutes=minutes))
    # Two edits between two passes; a file that does not load read again.
    for text in ("Satu", "Dua"):
        moved.write_text(f"---\npublish_at: {local(at[25])}\n---\n{text}\n", encoding="utf-8")
        both.reload(moved, unreadable)
        both.cache.snapshot()
    both.check(T0 + timedelta(minutes=58))
    # A file that did not load at all is fixed; the amplified post and a repeat go.
    unreadable.write_text(f"---\npublish_at: {local(at[65])}\n---\nBenar\n", encoding="utf-8")
    (repo.posts / "sebar.md").unlink()
    (repo.posts / "ulang-baru.md").unlink()
    both.reload(unreadable, repo.posts / "sebar.md", repo.posts / "ulang-baru.md")
    both.check(T0 + timedelta(minutes=59))
    # The copy goes: the post it shared an id with is no longer held back.
    copy.unlink()
    both.reload(copy)
    pagi.write_text(f"---\npublish_at: {local(at[70])}\n---\nPagi lagi\n", encoding="utf-8")
    both.reload(pagi)
    for minutes in (60, 65, 69, 70, 71, 100, 101, 140, 200, 300, 60 * 24, 60 * 50):
        both.check(T0 + timedelta(minutes=minutes))
    # The clock set back (NTP, a VM restored): still the same decisions.
    both.check(T0 + timedelta(minutes=30))


def test_a_kept_plan_is_made_again_only_when_its_post_could_change(
    repo: Repo, log: PublishLog
) -> None:
    repo.write_config(CONFIG)
    for n in range(30):
        write(repo, f"{n:02}.md", f"publish_at: {local(T0 + timedelta(days=1, hours=n))}\n")
    edited = write(repo, "ubah.md", f"publish_at: {local(T0 + timedelta(days=5))}\n")
    both = Both(repo, log)
    both.check(T0)
    assert both.made == 31
    both.check(T0 + timedelta(minutes=1))
    assert both.made == 0
    edited.write_text(f"---\npublish_at: {local(T0 + timedelta(hours=3))}\n---\nBaru\n")
    both.reload(edited)
    both.check(T0 + timedelta(minutes=2))
    assert both.made == 1
    assert both.plans.wake_times(HORIZON, 1)[0] == T0 + timedelta(hours=3)
    # A post's time comes: only that post is planned again.
    sent, _ = both.check(T0 + timedelta(hours=3, seconds=1))
    assert both.made == 1
    assert both.plans.any_due(HORIZON)
    assert [d.key.post_id for d in sent] == ["ubah"]
    both.check(T0 + timedelta(days=1, hours=2, seconds=1))
    assert both.made == 4  # three more came, and the first edited one is missed
    for n in range(200):  # edit after edit: what is kept stays as small as the posts
        edited.write_text(f"---\npublish_at: {local(T0 + timedelta(days=9))}\n---\n{n}\n")
        both.reload(edited)
        made = both.plans.update(
            both.cache.snapshot(), log, T0 + timedelta(days=1, hours=2, minutes=20), HORIZON
        )
        assert made == 1
    assert len(both.plans.horizons[HORIZON].expiry) <= 2 * 31 + 100
    both.check(T0 + timedelta(days=1, hours=3))


def test_a_log_that_fails_leaves_the_new_posts_to_the_next_update(
    repo: Repo, log: PublishLog, tmp_path: Path
) -> None:
    repo.write_config(CONFIG)
    write(repo, "a.md", f"publish_at: {local(T0)}\n")
    both = Both(repo, log)
    both.check(T0)
    added = write(repo, "b.md", f"publish_at: {local(T0 + timedelta(hours=1))}\n")
    both.reload(added)
    closed = PublishLog(tmp_path / "other.sqlite")
    with closed:
        pass
    with pytest.raises(sqlite3.ProgrammingError):
        both.plans.update(both.cache.snapshot(), closed, T0 + timedelta(seconds=1), HORIZON)
    both.reload(added)  # and removed before it was ever planned
    added.unlink()
    both.reload(added)
    both.check(T0 + timedelta(seconds=2))
    write(repo, "c.md", f"publish_at: {local(T0 + timedelta(hours=1))}\n")
    both.reload(repo.posts / "c.md")
    with pytest.raises(sqlite3.ProgrammingError):
        both.plans.update(both.cache.snapshot(), closed, T0 + timedelta(seconds=3), NOW)
    both.check(T0 + timedelta(seconds=4))
    assert both.plans.wake_times(HORIZON, 1)[0] == T0 + timedelta(hours=1)


def test_kept_plans_follow_the_log_of_another_publisher(repo: Repo, log: PublishLog) -> None:
    repo.write_config(CONFIG)
    write(repo, "a.md", f"publish_at: {local(T0)}\n")
    write(repo, "b.md", f"publish_at: {local(T0)}\n")
    both = Both(repo, log)
    sent, _ = both.check(T0 + timedelta(seconds=1))
    assert [d.key.post_id for d in sent] == ["a", "b"]
    # Another server claims one (and holds it), then sends it.
    key = DeliveryKey("a", "once", "latihan")
    (first,) = [d for d in sent if d.key == key]
    settle(log, first, RowState.SENDING, T0 + timedelta(seconds=2))
    sent, _ = both.check(T0 + timedelta(seconds=3))
    assert [d.key.post_id for d in sent] == ["b"]
    sent, _ = both.check(T0 + timedelta(minutes=3))  # its lease ran out
    assert both.plans.horizons[NOW].made == 1
    # Two copies of b.md (the same id) come; then one goes, then b.md.
    copies = [
        write(repo, f"kopi-{n}.md", f"id: b\npublish_at: {local(T0 + timedelta(hours=1))}\n")
        for n in range(2)
    ]
    both.reload(*copies)
    both.check(T0 + timedelta(minutes=4))
    for gone in (copies[0], repo.posts / "b.md"):
        gone.unlink()
        both.reload(gone)
        both.check(T0 + timedelta(minutes=5))
