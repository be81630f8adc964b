"""The daemon's plans, kept post by post between passes.

`plan` is a function of each post on its own (its file, whether it is held back, its
own log rows, when it was first seen, the first parts of its sent deliveries) and of
`now`: nothing crosses from one post to another but the final order by time (which
posts share an id, and so are all held back, the daemon's snapshot works out before:
such a post comes as a new PlannedPost, planned anew). So each
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
    """One post's plan and what it was made from; it holds while `now` is before
    `good_until`. Only what the daemon uses of it is kept: the wake-up times, whether
    a delivery is due, and the deliveries themselves only when a pass acts on or holds
    back one of them."""

    rows: dict[DeliveryKey, LogRow]
    first_seen: datetime | None
    receipts: dict[int, PartReceipt]
    good_until: datetime
    wakes: tuple[datetime, ...]
    due: bool
    acting: tuple[Delivery, ...]


class _Horizon:
    """The kept plans of every post up to `ahead` after `now` (`plan_from_log`'s
    `until`), by the PlannedPost's id."""

    def __init__(self, ahead: timedelta) -> None:
        self.ahead = ahead
        self.kept: dict[int, _Kept] = {}
        self.unplanned: set[int] = set()  # new, or the update to plan them failed
        # When kept plans run out, (good_until, PlannedPost id); some are of plans
        # since made again (they only make a post be planned again once more).
        self.expiry: list[tuple[datetime, int]] = []
        self.wakes: list[datetime] = []  # every kept plan's, in order, with repeats
        self.due = 0  # kept plans with a delivery due
        self.acting: set[int] = set()  # kept plans a pass acts on
        self.now: datetime | None = None
        # Post ids the log told of at the last update: with rows, first seen, receipts.
        self.told: tuple[set[str], ...] = (set(), set(), set())
        self.made = 0

    def keep(self, planned_id: int, kept: _Kept) -> None:
        self.kept[planned_id] = kept
        for moment in kept.wakes:
            bisect.insort(self.wakes, moment)
        self.due += kept.due
        if kept.acting:
            self.acting.add(planned_id)
        if kept.good_until is not _NEVER:
            heapq.heappush(self.expiry, (kept.good_until, planned_id))
        if len(self.expiry) > 2 * len(self.kept) + 100:  # mostly plans made again since
            self.expiry = [
                (k.good_until, i) for i, k in self.kept.items() if k.good_until is not _NEVER
            ]
            heapq.heapify(self.expiry)

    def forget(self, planned_id: int) -> None:
        kept = self.kept.pop(planned_id, None)
        self.unplanned.discard(planned_id)
        if kept is None:
            return
        for moment in kept.wakes:
            del self.wakes[bisect.bisect_left(self.wakes, moment)]
        self.due -= kept.due
        self.acting.discard(planned_id)


class PostPlans:
    """The plan of every loaded post, kept between calls and made again post by post
    as needed, for each of `aheads` (how far after `now` repeats are planned)."""

    def __init__(self, config: Config, aheads: tuple[timedelta, ...]) -> None:
        self.config = config
        self.horizons = {ahead: _Horizon(ahead) for ahead in aheads}
        self.loaded: LoadedPosts | None = None
        # By the PlannedPost's id (the daemon's snapshot keeps each one until its file
        # changes; it is held here, so its id is not reused meanwhile).
        self.planned: dict[int, PlannedPost] = {}
        # By post id (a list when posts share one); and what `log_query` asks of them.
        self.of_post: dict[str, int | list[int]] = {}
        self.unanchored: dict[int, str] = {}
        self.waiting: dict[int, str] = {}
        self.amplified: Counter[str] = Counter()
        self.query = LogQuery([], [], [], set())

    def update(
        self,
        loaded: LoadedPosts,
        log: PublishLog,
        now: datetime,
        ahead: timedelta,
        changes: tuple[list[PlannedPost], list[PlannedPost]] | None = None,
    ) -> int:
        """Bring every post's plan up to `ahead` to `now`, against the log as it is now
        (recording when posts were first seen, as `plan_from_log` does); returns how
        many posts were planned again. `changes`: the PlannedPosts gone and new since
        the last update's `loaded`, if known (else all are compared)."""
        if loaded is not self.loaded:
            self._follow(loaded, changes)
        horizon = self.horizons[ahead]
        known = read_log(self.query, log, now, record=True)
        dirty, horizon.unplanned = horizon.unplanned, set()
        rows_of: dict[str, dict[DeliveryKey, LogRow]] = {}
        for key, row in known.rows.items():
            rows_of.setdefault(key.post_id, {})[key] = row
        receipts_of: dict[str, dict[int, PartReceipt]] = {}
        for row in known.rows.values() if known.receipts else ():
            if row.id in known.receipts:
                receipts_of.setdefault(row.key.post_id, {})[row.id] = known.receipts[row.id]
        told = (set(rows_of), set(known.first_seen), set(receipts_of))
        if horizon.now is not None and now < horizon.now:
            dirty = set(self.planned)  # the clock went back: no kept plan is sure
        # Posts whose rows, first-seen time or receipts changed (only those the log
        # tells of, now or at the last update, can have).
        for post_id in set().union(*told, *horizon.told):
            for planned_id in self._of(post_id):
                kept = horizon.kept.get(planned_id)
                if kept is not None and (
                    kept.rows != rows_of.get(post_id, _NO_ROWS)
                    or kept.first_seen != known.first_seen.get(post_id)
                    or kept.receipts != receipts_of.get(post_id, _NO_RECEIPTS)
                ):
                    dirty.add(planned_id)
        # Posts whose plan ran out: `now` reached a moment at which it could differ.
        while horizon.expiry and horizon.expiry[0][0] <= now:
            _, planned_id = heapq.heappop(horizon.expiry)
            if planned_id in horizon.kept:
                dirty.add(planned_id)
        for planned_id in dirty:
            horizon.forget(planned_id)
            planned = self.planned[planned_id]
            post_id = planned.post.id
            kept = self._plan(
                planned,
                rows_of.get(post_id, _NO_ROWS),
                known.first_seen.get(post_id),
                receipts_of.get(post_id, _NO_RECEIPTS),
                now,
                ahead,
            )
            horizon.keep(planned_id, kept)
        horizon.now, horizon.told, horizon.made = now, told, len(dirty)
        return len(dirty)

    def wake_times(self, ahead: timedelta, first: int) -> list[datetime]:
        """The first `first` upcoming times (after the `now` of the last update) at
        which a delivery is scheduled or a retry waits, in order."""
        found: list[datetime] = []
        for moment in self.horizons[ahead].wakes:
            if len(found) == first:
                break
            if not found or moment != found[-1]:
                found.append(moment)
        return found

    def any_due(self, ahead: timedelta) -> bool:
        """Whether a delivery was due at the last update."""
        return self.horizons[ahead].due > 0

    def acting(self, ahead: timedelta) -> list[Delivery]:
        """The deliveries of the posts with one that a pass at the last update's `now`
        acts on or holds back, in the plan's order: a part of `plan`'s list, in which
        those deliveries keep their order."""
        horizon = self.horizons[ahead]
        posts = list(horizon.acting)
        if len(posts) > 1 and self.loaded is not None:  # in the posts' order, as for `plan`
            posts = [id(p) for p in self.loaded.planned if id(p) in horizon.acting]
        found = [d for planned_id in posts for d in horizon.kept[planned_id].acting]
        found.sort(key=lambda d: (d.due_at, d.key.account, d.key.post_id))
        return found

    def _of(self, post_id: str) -> list[int]:
        sharing = self.of_post.get(post_id, [])
        return [sharing] if isinstance(sharing, int) else sharing

    def _follow(
        self, loaded: LoadedPosts, changes: tuple[list[PlannedPost], list[PlannedPost]] | None
    ) -> None:
        """Take the posts of a new snapshot: forget the plans of those gone; the new
        ones are to be planned (`unplanned`, until an update gets to them)."""
        if changes is None:
            planned = dict(zip(map(id, loaded.planned), loaded.planned, strict=True))
            gone = self.planned.keys() - planned.keys()
            new = planned.keys() - self.planned.keys()
        else:
            planned = self.planned
            gone = {id(p) for p in changes[0]}
            new = {id(p) for p in changes[1]}
        for planned_id in gone:
            post = self.planned[planned_id].post
            sharing = self.of_post[post.id]
            if isinstance(sharing, int):
                del self.of_post[post.id]
            else:
                sharing.remove(planned_id)
                if len(sharing) == 1:
                    self.of_post[post.id] = sharing[0]
            self.unanchored.pop(planned_id, None)
            self.waiting.pop(planned_id, None)
            if post.amplify is not None:
                self.amplified[post.id] -= 1
            for horizon in self.horizons.values():
                horizon.forget(planned_id)
        if changes is not None:
            for planned_id in gone:
                del planned[planned_id]
            planned.update((id(p), p) for p in changes[1])
        for planned_id in new:
            post = planned[planned_id].post
            shared = self.of_post.get(post.id)
            if shared is None:
                self.of_post[post.id] = planned_id
            elif isinstance(shared, int):
                self.of_post[post.id] = [shared, planned_id]
            else:
                shared.append(planned_id)
            ready = seen_when_ready(planned[planned_id])
            if ready or (post.repeat is not None and post.publish_at is None):
                self.unanchored[planned_id] = post.id
            if ready is False:
                self.waiting[planned_id] = post.id
            if post.amplify is not None:
                self.amplified[post.id] += 1
        for horizon in self.horizons.values():
            horizon.unplanned |= new
        self.loaded, self.planned = loaded, planned
        # As `log_query` would ask (in another order, which changes no answer).
        self.query = LogQuery(
            list(self.of_post),
            list(self.unanchored.values()),
            list(self.waiting.values()),
            {post_id for post_id, count in self.amplified.items() if count},
        )

    def _plan(
        self,
        planned: PlannedPost,
        rows: dict[DeliveryKey, LogRow],
        seen: datetime | None,
        receipts: dict[int, PartReceipt],
        now: datetime,
        ahead: timedelta,
    ) -> _Kept:
        post = planned.post
        until = now + ahead
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
            moments += self._window_moments(post, start, now, until, ahead)
        wakes = {
            d.ready_at
            for d in deliveries
            if d.state in (State.SCHEDULED, State.RETRYING) and d.ready_at > now
        }
        acts = any(_acts(d, now) for d in deliveries)
        return _Kept(
            rows,
            seen,
            receipts,
            min((m for m in moments if m >= now), default=_NEVER),
            tuple(wakes),
            any(d.state is State.DUE for d in deliveries),
            tuple(deliveries) if acts else (),
        )

    def _window_moments(
        self, post: Post, start: datetime, now: datetime, until: datetime, ahead: timedelta
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
                found.append(moment - ahead)
                break
        return found


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
