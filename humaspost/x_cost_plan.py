"""The X API requests a schedule makes, for humaspost.x_costs: one per thread part of a
post (with its URL and media), one per repost, at the time each goes (or went) out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from humaspost.config import Config
from humaspost.lifecycle import State
from humaspost.posts import Post
from humaspost.publog import DeliveryKey, Kind, LogRow
from humaspost.render import render
from humaspost.x_costs import X_PLATFORM, Planned, has_web_address


class Entry(Protocol):
    """A delivery as `schedule` shows it (timeline.Entry)."""

    @property
    def key(self) -> DeliveryKey: ...
    @property
    def state(self) -> State: ...
    @property
    def post(self) -> Post | None: ...
    @property
    def row(self) -> LogRow | None: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def kind(self) -> Kind: ...


# Deliveries that make (or made) their requests; the others never reach X.
_COUNTED = frozenset(
    {State.SCHEDULED, State.DUE, State.SENDING, State.SENT, State.RETRYING, State.WAITING}
)


def x_requests(entries: Iterable[Entry], config: Config) -> list[Planned]:
    """Every X request of `entries` (sandbox accounts `like: twitter` marked sandbox)."""
    found: list[Planned] = []
    for entry in entries:
        account = config.accounts.get(entry.key.account)
        if account is None or entry.post is None or entry.state not in _COUNTED:
            continue
        if account.rules_platform != X_PLATFORM:
            continue
        sandbox = account.platform == "sandbox"
        at = entry.row.sent_at if entry.row is not None and entry.row.sent_at else entry.due_at
        if entry.kind is Kind.REPOST:
            found.append(Planned(account.name, X_PLATFORM, "repost", at, sandbox=sandbox))
            continue
        for part in render(entry.post, account):
            has_url = bool(part.link) or has_web_address(part.text)
            found.append(Planned(account.name, X_PLATFORM, "post", at, has_url=has_url,
                                 media_count=len(part.media), sandbox=sandbox))  # fmt: skip
    return found
