"""Planning re-shares: the deliveries `amplify:` and `repost:` make, and the rules that
decide them (who re-shares, when, and what becomes of a re-share whose origin did not
go out). Which account may re-share which, and what a URL names: humaspost.reshare.

A re-share of a post's delivery is its own delivery: its key names the origin
(`once>pemkot-x` as its occurrence), its kind is `repost`. It waits while the origin is
not sent; once it is, the i-th of n accounts re-shares it `after + i * spread / n`
after the origin went out, in the order `amplify.by` names them (a group's accounts
in the config's order). An origin that failed, was missed or retracted leaves its
re-shares missed, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from humaspost.config import Account, Config
from humaspost.i18n import N_, _
from humaspost.lifecycle import RowState, State, shown_state
from humaspost.platforms.base import Origin, PartReceipt
from humaspost.posts import Post
from humaspost.publog import DeliveryKey, LogRow
from humaspost.reshare import can_reshare, repost_target

# What an origin's end means for its re-shares (the reason they are missed).
_ORIGIN_ENDED = {
    RowState.FAILED: N_("the post it re-shares failed: {error}"),
    RowState.MISSED: N_("the post it re-shares was missed: {error}"),
    RowState.RETRACTED: N_("the post it re-shares was retracted"),
}


def reshare_occurrence(origin: DeliveryKey) -> str:
    """The occurrence part of a re-share's key: the origin's occurrence and account."""
    return f"{origin.occurrence}>{origin.account}"


def resharers(post: Post, origin_account: Account, config: Config) -> list[Account]:
    """The accounts that re-share a delivery of `post` to `origin_account`: those of
    `amplify.by` on the same platform, in the order named (groups in config order),
    each once."""
    if post.amplify is None:
        return []
    found: dict[str, Account] = {}
    for name in post.amplify.by:
        for member in config.expand(name) or ():
            account = config.accounts[member]
            if can_reshare(account, origin_account) and member != origin_account.name:
                found.setdefault(member, account)
    return list(found.values())


def offset(index: int, count: int, after: timedelta, spread: timedelta) -> timedelta:
    """When the index-th of `count` re-shares goes out, after its origin: evenly over
    `spread`, starting at `after`."""
    return after + (spread * index / count if count else timedelta(0))


def origin_of_row(row: LogRow, first_part: PartReceipt | None, post_id: str) -> Origin | None:
    """What a sent delivery is, for its re-shares: its first part on the platform."""
    if first_part is not None:
        return Origin(first_part.url, first_part.remote_id, post_id)
    if row.url is None:
        return None
    return origin_of_url(row.url, post_id)


def origin_of_url(url: str, post_id: str) -> Origin:
    """What a `repost:` URL names (`check` refuses any other URL, HP122), or, for a sent
    delivery known only by its address, the address's last part."""
    target = repost_target(url)
    remote_id = target.remote_id if target else url.rstrip("/").rsplit("/", 1)[-1]
    return Origin(url, remote_id, post_id)


def reshare_state(
    origin_row: LogRow | None,
    row: LogRow | None,
    *,
    due_at: datetime,
    deadline: datetime,
    now: datetime,
    draft: bool,
    blocked: bool,
) -> tuple[State, str | None]:
    """The state of a re-share, and why it is missed when it is: its own row decides
    once it has one that settled it; else the origin (waiting, or ended)."""
    if row is not None and row.state in (RowState.SENT, RowState.UNKNOWN, RowState.RETRACTED):
        return shown_state(row, due_at=due_at, deadline=deadline, now=now), None
    if origin_row is not None and origin_row.state in _ORIGIN_ENDED:
        reason = _(_ORIGIN_ENDED[origin_row.state]).format(error=origin_row.error or "")
        return State.MISSED, reason.rstrip(": ")
    if origin_row is None or origin_row.state is not RowState.SENT:
        return State.WAITING, None
    state = shown_state(
        row, due_at=due_at, deadline=deadline, now=now, draft=draft, blocked=blocked
    )
    return state, None


def reshares_of(
    origin_key: DeliveryKey,
    origin_account: Account,
    origin_due: datetime,
    post: Post,
    config: Config,
    rows: Mapping[DeliveryKey, LogRow],
    receipts: Mapping[int, PartReceipt],
) -> list[tuple[DeliveryKey, Account, datetime, Origin | None]]:
    """Each re-share of one origin delivery: its key, account, due time (from the
    origin's time sent, or its due time while it waits) and what it re-shares (None
    while the origin is not sent)."""
    accounts = resharers(post, origin_account, config)
    if post.amplify is None or not accounts:
        return []
    origin_row = rows.get(origin_key)
    sent = origin_row is not None and origin_row.state is RowState.SENT
    start = origin_row.sent_at if sent and origin_row and origin_row.sent_at else origin_due
    origin = (
        origin_of_row(origin_row, receipts.get(origin_row.id), post.id)
        if sent and origin_row
        else None
    )
    occurrence = reshare_occurrence(origin_key)
    return [
        (
            DeliveryKey(post.id, occurrence, account.name),
            account,
            start + offset(index, len(accounts), post.amplify.after, post.amplify.spread),
            origin,
        )
        for index, account in enumerate(accounts)
    ]
