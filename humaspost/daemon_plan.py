"""The daemon's plans, kept post by post between passes.

`plan` is a function of each post on its own (its file, whether it is held back, its
own log rows, when it was first seen, the first parts of its sent deliveries) and of
`now`: nothing crosses from one post to another but the final order by time. So each
post's plan is kept with what it was made from, and made again only when one of those
changed, or when `now` reaches a moment at which it could differ: the time, deadline
or retry of one of its deliveries, the end of a claim, or, for a repeat, an occurrence
entering the window ahead or leaving the look-back behind. Between those moments every
comparison `plan` makes with `now` comes out the same, so the kept plan is the plan.

After an edit among 10,000 posts only the edited post is planned again (plus any post
whose log rows changed, e.g. the ones a pass just sent); every pass still reads the
log's rows, so a `retry` or another server's work is seen as before.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from humaspost.config import Config
from humaspost.lifecycle import needs_action
from humaspost.plan import Delivery, PlannedPost, State, plan
from humaspost.platforms.base import PartReceipt
from humaspost.posts import Post
from humaspost.publog import DeliveryKey, LogRow, PublishLog
from humaspost.repeats import occurrences
from humaspost.workflow import LoadedPosts, LogQuery, read_log, seen_when_ready

_NO_ROWS: dict[DeliveryKey, LogRow] = {}
_NO_RECEIPTS: dict[int, PartReceipt] = {}
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Kept:
    """One post's plan at `made` and what it was made from; it holds while `now` is
    before `good_until`. Only what the daemon uses of it is kept: the wake-up times,
    whether a delivery is due, and the deliveries themselves only when a pass acts on
    or holds back one of them."""

    serial: int
    planned: PlannedPost
    rows: dict[DeliveryKey, LogRow]
    first_seen: datetime | None
    receipts: dict[int, PartReceipt]
    made: datetime
    good_until: datetime
    wakes: tuple[datetime, ...]
    due: bool
    acting: tuple[Delivery, ...]


class PostPlans:
    """The plan of every loaded post up to `ahead` after `now` (`plan_from_log`'s
    `until`), kept between calls and made again post by post as needed."""

    def __init__(self, config: Config, ahead: timedelta) -> None:
        self.config = config
        self.ahead = ahead
        self.loaded: LoadedPosts | None = None
        self.query = LogQuery([], [], [], set())
        # By the PlannedPost's id (the daemon's snapshot keeps each one until its file
        # changes; the entry holds the object, so its id is not reused meanwhile).
        self.planned: dict[int, PlannedPost] = {}
        self.kept: dict[int, _Kept] = {}
        self.position: dict[int, int] | None = None  # in loaded.planned, once needed
        # By post id (two posts may share one); and what `log_query` asks of them.
        self.of_post: dict[str, list[int]] = {}
        self.unanchored: dict[int, str] = {}
        self.waiting: dict[int, str] = {}
        self.amplified: Counter[str] = Counter()
        # When kept plans run out: (good_until, the entry's serial, PlannedPost id).
        self.expiry: list[tuple[datetime, int, int]] = []
        self.serials = itertools.count()
        self.now: datetime | None = None
        # Post ids the log told of at the last update: with rows, first seen, receipts.
        self.told: tuple[set[str], set[str], set[str]] = (set(), set(), set())
        self.wakes: Counter[datetime] = Counter()
        self.sorted_wakes: list[datetime] = []
        self.due = 0
        self.acting_ids: set[int] = set()
        # Posts not planned yet (new, or the update that was to plan them failed).
        self.unplanned: set[int] = set()
        self.made = 0  # posts planned by the last update (for tests and the bench)

    def update(self, loaded: LoadedPosts, log: PublishLog, now: datetime) -> None:
        """Bring every post's plan to `now`, against the log as it is now (recording
        when posts were first seen, as `plan_from_log` does)."""
        if loaded is not self.loaded:
            self._follow(loaded)
        known = read_log(self.query, log, now, record=True)
        dirty, self.unplanned = self.unplanned, set()
        rows_of: dict[str, dict[DeliveryKey, LogRow]] = {}
        for key, row in known.rows.items():
            rows_of.setdefault(key.post_id, {})[key] = row
        receipts_of: dict[str, dict[int, PartReceipt]] = {}
        for row in known.rows.values() if known.receipts else ():
            if row.id in known.receipts:
                receipts_of.setdefault(row.key.post_id, {})[row.id] = known.receipts[row.id]
        told = (set(rows_of), set(known.first_seen), set(receipts_of))
        if self.now is not None and now < self.now:
            dirty = set(self.planned)  # the clock went back: no kept plan is sure
        # Posts whose rows, first-seen time or receipts changed (only those the log
        # tells of, now or at the last update, can have).
        for post_id in set().union(*told, *self.told):
            for planned_id in self.of_post.get(post_id, ()):
                kept = self.kept.get(planned_id)
                if kept is not None and (
                    kept.rows != rows_of.get(post_id, _NO_ROWS)
                    or kept.first_seen != known.first_seen.get(post_id)
                    or kept.receipts != receipts_of.get(post_id, _NO_RECEIPTS)
                ):
                    dirty.add(planned_id)
        # Posts whose plan ran out: `now` reached a moment at which it could differ.
        while self.expiry and self.expiry[0][0] <= now:
            _, serial, planned_id = heapq.heappop(self.expiry)
            kept = self.kept.get(planned_id)
            if kept is not None and kept.serial == serial:
                dirty.add(planned_id)
        for planned_id in dirty:
            old = self.kept.pop(planned_id, None)
            if old is not None:
                self._forget(planned_id, old)
            planned = self.planned[planned_id]
            post_id = planned.post.id
            kept = self._plan(
                planned,
                rows_of.get(post_id, _NO_ROWS),
                known.first_seen.get(post_id),
                receipts_of.get(post_id, _NO_RECEIPTS),
                now,
            )
            self._count(planned_id, kept)
        self.made, self.now, self.told = len(dirty), now, told

    def _follow(self, loaded: LoadedPosts) -> None:
        """Take the posts of a new snapshot: forget the plans of those gone; the new
        ones are to be planned (`unplanned`, until an update gets to them)."""
        planned = dict(zip(map(id, loaded.planned), loaded.planned, strict=True))
        for planned_id in self.planned.keys() - planned.keys():
            gone = self.planned[planned_id]
            self.of_post[gone.post.id].remove(planned_id)
            if not self.of_post[gone.post.id]:
                del self.of_post[gone.post.id]
            self.unanchored.pop(planned_id, None)
            self.waiting.pop(planned_id, None)
            self.unplanned.discard(planned_id)
            if gone.post.amplify is not None:
                self.amplified[gone.post.id] -= 1
            kept = self.kept.pop(planned_id, None)
            if kept is not None:
                self._forget(planned_id, kept)
        new = planned.keys() - self.planned.keys()
        for planned_id in new:
            post = planned[planned_id].post
            self.of_post.setdefault(post.id, []).append(planned_id)
            ready = seen_when_ready(planned[planned_id])
            if ready or (post.repeat is not None and post.publish_at is None):
                self.unanchored[planned_id] = post.id
            if ready is False:
                self.waiting[planned_id] = post.id
            if post.amplify is not None:
                self.amplified[post.id] += 1
        self.loaded, self.planned, self.position = loaded, planned, None
        # As `log_query` would ask (in another order, which changes no answer).
        self.query = LogQuery(
            list(self.of_post),
            list(self.unanchored.values()),
            list(self.waiting.values()),
            {post_id for post_id, count in self.amplified.items() if count},
        )
        self.unplanned |= new

    def wake_times(self) -> list[datetime]:
        """Every upcoming time (after the `now` of the last update) at which a delivery
        is scheduled or a retry waits, in order."""
        return self.sorted_wakes

    def any_due(self) -> bool:
        """Whether a delivery was due at the last update."""
        return self.due > 0

    def acting(self) -> list[Delivery]:
        """The deliveries of the posts with one that a pass at the last update's `now`
        acts on or holds back, in the plan's order: a part of `plan`'s list, in which
        those deliveries keep their order."""
        if self.position is None:
            self.position = dict(zip(self.planned, range(len(self.planned)), strict=True))
        posts = sorted(self.acting_ids, key=self.position.__getitem__)
        found = [d for planned_id in posts for d in self.kept[planned_id].acting]
        found.sort(key=lambda d: (d.due_at, d.key.account, d.key.post_id))
        return found

    def _plan(
        self,
        planned: PlannedPost,
        rows: dict[DeliveryKey, LogRow],
        seen: datetime | None,
        receipts: dict[int, PartReceipt],
        now: datetime,
    ) -> _Kept:
        post = planned.post
        until = now + self.ahead
        first_seen = {post.id: seen} if seen is not None else {}
        deliveries = plan(
            [planned], self.config, rows, now, until=until, first_seen=first_seen, receipts=receipts
        )
        moments = [moment for d in deliveries for moment in _moments(d)]
        moments += [moment for row in rows.values() for moment in _row_moments(row)]
        start = post.publish_at or seen
        if start is None and (post.repeat is not None or post.reply_to is not None):
            moments.append(now)  # due when first seen, which is not recorded: `now` itself
        elif post.repeat is not None and start is not None:
            moments += self._window_moments(post, start, now, until)
        good_until = min((m for m in moments if m >= now), default=_NEVER)
        wakes = tuple(
            {
                d.ready_at
                for d in deliveries
                if d.state in (State.SCHEDULED, State.RETRYING) and d.ready_at > now
            }
        )
        due = any(d.state is State.DUE for d in deliveries)
        acts = any(_acts(d, now) for d in deliveries)
        return _Kept(
            next(self.serials),
            planned,
            rows,
            seen,
            receipts,
            now,
            good_until,
            wakes,
            due,
            tuple(deliveries) if acts else (),
        )

    def _window_moments(
        self, post: Post, start: datetime, now: datetime, until: datetime
    ) -> list[datetime]:
        """For a repeat starting at `start`: when its first occurrence in the window
        leaves the look-back, and when the next one after the window enters it (as
        `plan._occurrences` finds them)."""
        assert post.repeat is not None
        lookback = max(self.config.max_delay, timedelta(days=1))
        found = []
        for n, moment in enumerate(
            occurrences(post.repeat, max(start, now - lookback), self.config.timezone, post.until)
        ):
            if n == 0:
                found.append(moment + lookback)
            if moment > until:
                found.append(moment - self.ahead)
                break
        return found

    def _count(self, planned_id: int, kept: _Kept) -> None:
        self.kept[planned_id] = kept
        for moment in kept.wakes:
            if not self.wakes[moment]:
                bisect.insort(self.sorted_wakes, moment)
            self.wakes[moment] += 1
        self.due += kept.due
        if kept.acting:
            self.acting_ids.add(planned_id)
        if kept.good_until is not _NEVER:
            heapq.heappush(self.expiry, (kept.good_until, kept.serial, planned_id))
        if len(self.expiry) > 2 * len(self.kept) + 100:  # mostly plans made again since
            self.expiry = [
                (k.good_until, k.serial, i)
                for i, k in self.kept.items()
                if k.good_until is not _NEVER
            ]
            heapq.heapify(self.expiry)

    def _forget(self, planned_id: int, kept: _Kept) -> None:
        for moment in kept.wakes:
            self.wakes[moment] -= 1
            if not self.wakes[moment]:
                del self.wakes[moment]
                del self.sorted_wakes[bisect.bisect_left(self.sorted_wakes, moment)]
        self.due -= kept.due
        self.acting_ids.discard(planned_id)


def _moments(delivery: Delivery) -> Iterable[datetime]:
    """The moments a delivery's state is compared with `now` at."""
    yield delivery.due_at
    yield delivery.deadline
    yield delivery.ready_at


def _row_moments(row: LogRow) -> Iterable[datetime]:
    for moment in (row.due_at, row.next_attempt_at, row.lease_until):
        if moment is not None:
            yield moment


def _acts(delivery: Delivery, now: datetime) -> bool:
    """Whether a pass at `now` acts on the delivery (`runs.due_now`) or holds it back
    (`runs.held_back`)."""
    if needs_action(delivery.state, delivery.row, delivery.ready_at, now):
        return True
    return delivery.state is State.BLOCKED and delivery.due_at <= now <= delivery.deadline
