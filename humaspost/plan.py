"""Planning: which deliveries exist, when they are due, and in what state they are.

`plan` is a pure function of the posts, the config, the publish log's rows and `now`.
`schedule` shows its result; `publish` and the daemon send the deliveries it says are
due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from humaspost.config import Account, Config
from humaspost.i18n import N_, _
from humaspost.lifecycle import RowState, pending_since, shown_state
from humaspost.lifecycle import State as State  # re-exported: the plan's states
from humaspost.platforms.base import Origin, PartReceipt
from humaspost.posts import Post
from humaspost.publog import ONCE, DeliveryKey, Kind, LogRow, occurrence_of, split_occurrence
from humaspost.repeats import occurrences
from humaspost.reshare_plan import origin_of_url, reshare_state, reshares_of


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """A loaded post and whether its file has errors (then nothing of it is sent)."""

    post: Post
    blocked: bool


@dataclass(frozen=True)
class Delivery:
    """One post (one occurrence, for repeats) to one account, with its state."""

    key: DeliveryKey
    post: Post
    account: Account
    due_at: datetime
    deadline: datetime
    state: State
    row: LogRow | None
    missed_reason: str | None = None  # why, when its state is missed
    # A re-share (`amplify`, `repost:`): what it re-shares, and a comment (Facebook).
    kind: Kind = Kind.POST
    origin: Origin | None = None
    comment: str | None = None
    # A reply (`reply_to`): the inbox item it answers.
    reply_to: int | None = None

    @property
    def ready_at(self) -> datetime:
        """When it may next be sent: its due time, or the end of a retry's wait."""
        if self.state is State.RETRYING and self.row and self.row.next_attempt_at:
            return self.row.next_attempt_at
        return self.due_at


def plan(
    posts: Iterable[PlannedPost],
    config: Config,
    rows: Mapping[DeliveryKey, LogRow],
    now: datetime,
    *,
    until: datetime,
    first_seen: Mapping[str, datetime],
    receipts: Mapping[int, PartReceipt] | None = None,
) -> list[Delivery]:
    """Every delivery of the posts, ordered by time: one-off posts whatever their time;
    repeats from a day (or `max_delay`, if longer) before `now` up to `until`, plus
    older occurrences the log still has work for (put back by hand, retrying); and the
    re-shares of each (`amplify`), from the first parts of sent origins (`receipts`, by
    log row). A reply (`reply_to`) without `publish_at` is due when `first_seen` says
    (`now` if it says nothing)."""
    open_work = _open_occurrences(rows)
    found: list[Delivery] = []
    for planned in posts:
        post = planned.post
        accounts = _accounts(post, config)
        times = _occurrences(post, config, now, until, first_seen)
        if post.repeat is not None:
            times = sorted({*times, *open_work.get(post.id, ())})
        for account in accounts:
            of_account = [
                _delivery(planned, account, due_at, rows, config, now) for due_at in times
            ]
            if post.repeat is not None:
                of_account = _latest_catch_up_only(of_account)
            if post.repost is not None:
                of_account = [_repost(d, post) for d in of_account]
            if post.reply_to is not None:
                of_account = [
                    replace(d, kind=Kind.REPLY, reply_to=post.reply_to) for d in of_account
                ]
            found += of_account
            for origin in of_account:
                found += _reshares(planned, origin, config, rows, receipts or {}, now)
    found.sort(key=lambda d: (d.due_at, d.key.account, d.key.post_id))
    return found


def _delivery(
    planned: PlannedPost,
    account: Account,
    due_at: datetime,
    rows: Mapping[DeliveryKey, LogRow],
    config: Config,
    now: datetime,
) -> Delivery:
    post = planned.post
    key = DeliveryKey(post.id, occurrence_of(due_at if post.repeat else None), account.name)
    row = rows.get(key)
    pending = row is not None and row.state is RowState.PENDING
    effective_due = pending_since(row) if row and pending else due_at
    # Put back by hand: the deadline runs from then, not from the post's time.
    rearmed = row.rearmed_at if row and row.rearmed_at else None
    deadline = _deadline(post, max(due_at, rearmed or due_at), config.max_delay)
    state = shown_state(
        row, due_at=due_at, deadline=deadline, now=now, draft=post.draft, blocked=planned.blocked
    )
    reason = _missed_reason(post, planned.blocked, deadline) if state is State.MISSED else None
    return Delivery(key, post, account, effective_due, deadline, state, row, reason)


def _repost(delivery: Delivery, post: Post) -> Delivery:
    """A delivery of a `repost:` post: a re-share of the URL, with the post's text (if
    any) as its comment."""
    assert post.repost is not None
    parts = post.content.parts or ()
    comment = parts[0] if parts else None
    origin = origin_of_url(post.repost, post.id)
    return replace(delivery, kind=Kind.REPOST, origin=origin, comment=comment)


def _reshares(
    planned: PlannedPost,
    origin: Delivery,
    config: Config,
    rows: Mapping[DeliveryKey, LogRow],
    receipts: Mapping[int, PartReceipt],
    now: datetime,
) -> list[Delivery]:
    """The re-shares of one delivery of a post with `amplify` (see reshare_plan)."""
    post = planned.post
    if post.amplify is None:
        return []
    found = []
    origin_row = rows.get(origin.key)
    for key, account, due_at, shared in reshares_of(
        origin.key, origin.account, origin.due_at, post, config, rows, receipts
    ):
        row = rows.get(key)
        deadline = due_at + config.max_delay
        state, reason = reshare_state(
            origin_row, row, due_at=due_at, deadline=deadline, now=now,
            draft=post.draft, blocked=planned.blocked,
        )  # fmt: skip
        found.append(
            Delivery(
                key,
                post,
                account,
                due_at,
                deadline,
                state,
                row,
                reason,
                kind=Kind.REPOST,
                origin=shared,
                comment=post.amplify.text,
            )
        )
    return found


def _latest_catch_up_only(deliveries: list[Delivery]) -> list[Delivery]:
    """After downtime a repeat sends only its latest due occurrence (in time order):
    the older ones that were never tried are missed, not sent in a row."""
    fresh_due = [d for d in deliveries if d.state is State.DUE and d.row is None]
    superseded = {d.key for d in fresh_due[:-1]}
    return [
        replace(d, state=State.MISSED, missed_reason=_(SUPERSEDED)) if d.key in superseded else d
        for d in deliveries
    ]


SUPERSEDED = N_("a later occurrence of the repeat was due; only the latest is sent after downtime")


def _missed_reason(post: Post, blocked: bool, deadline: datetime) -> str:
    if blocked:
        return _("held back by errors in {file} until its time had passed").format(file=post.shown)
    if post.expires_at is not None and deadline == post.expires_at:
        return _("past its expires_at")
    return _("past max_delay after its time")


def _open_occurrences(rows: Mapping[DeliveryKey, LogRow]) -> dict[str, set[datetime]]:
    """Occurrences of repeats whose rows still wait to be sent, by post."""
    found: dict[str, set[datetime]] = {}
    for key, row in rows.items():
        base, origin = split_occurrence(key.occurrence)
        if origin is not None:
            continue  # a re-share is planned from its origin
        if base != ONCE and row.state in (RowState.PENDING, RowState.RETRYING):
            found.setdefault(key.post_id, set()).add(datetime.fromisoformat(base))
    return found


def _accounts(post: Post, config: Config) -> list[Account]:
    names = post.to if post.to is not None else config.default_to
    accounts: dict[str, Account] = {}
    for name in names:
        for account in config.expand(name) or ():
            accounts[account] = config.accounts[account]
    return list(accounts.values())


def _occurrences(
    post: Post,
    config: Config,
    now: datetime,
    until: datetime,
    first_seen: Mapping[str, datetime],
) -> list[datetime]:
    if post.repeat is None:
        if post.publish_at is None and post.reply_to is not None:
            # A reply without a time is due when a publisher first saw it.
            return [first_seen.get(post.id, now)]
        return [post.publish_at] if post.publish_at is not None else []
    start = post.publish_at or first_seen.get(post.id, now)
    # Look back far enough to see occurrences still within their deadline (catch-up).
    lookback = now - max(config.max_delay, timedelta(days=1))
    times: list[datetime] = []
    for moment in occurrences(post.repeat, max(start, lookback), config.timezone, post.until):
        if moment > until:
            break
        times.append(moment)
    return times


def _deadline(post: Post, due_at: datetime, max_delay: timedelta) -> datetime:
    """The last moment a delivery may go out: `expires_at` overrides max_delay."""
    if post.expires_at is not None and post.repeat is None:
        return post.expires_at
    deadline = due_at + max_delay
    return min(deadline, post.expires_at) if post.expires_at is not None else deadline
