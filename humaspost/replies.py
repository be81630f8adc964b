"""Replies (`reply_to`) against the complaint inbox in the publish log: which account an
item came to, for `check`, `publish` and the daemon (HP127, HP128), and what the
publisher replies to.

An item deleted since (retention, `inbox purge`) is still known by a reply sent to it:
the log keeps its reply deliveries, with the item's number, so that the reply file
stays valid in the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from humaspost.checks import InboxLookup, InboxUnreadable
from humaspost.inbox_log import InboxLog
from humaspost.publog import LogLocation, PublishLog, PublishLogError, log_exists


class LogInbox:
    """An `InboxLookup` over an open publish log: (account, platform) of an item by its
    number, each number read once."""

    def __init__(self, log: PublishLog) -> None:
        self.log = log
        self.found: dict[int, tuple[str, str] | None] = {}

    def __call__(self, item_id: int) -> tuple[str, str] | None:
        """The account and platform item `item_id` came to; None if the log has no such
        item and no reply to it was ever sent."""
        if item_id not in self.found:
            self.found[item_id] = self._read(item_id)
        return self.found[item_id]

    def _read(self, item_id: int) -> tuple[str, str] | None:
        item = InboxLog(self.log).item(item_id)
        if item is not None:
            return item.account, item.platform
        row = self.log.store.execute(
            "SELECT account, platform FROM deliveries WHERE reply_to = ?"
            " AND state IN ('sent', 'retracted') ORDER BY id LIMIT 1",
            (item_id,),
        ).fetchone()
        return (row[0], row[1]) if row is not None else None


class _Opening:
    """An `InboxLookup` over the log `locate` names, found and opened read-only when a
    reply first asks (a log that does not exist is not made: it has no items). With
    `tolerant`, a log that cannot be read is said (InboxUnreadable) instead of failing
    the caller."""

    def __init__(self, locate: Callable[[], LogLocation], *, tolerant: bool) -> None:
        self.locate = locate
        self.tolerant = tolerant
        self.log: PublishLog | None = None
        self.inbox: InboxLookup | None = None

    def __call__(self, item_id: int) -> tuple[str, str] | None:
        try:
            if self.inbox is None:
                location = self.locate()
                if log_exists(location):
                    self.log = PublishLog(location, read_only=True)
                    self.inbox = LogInbox(self.log)
                else:
                    self.inbox = _no_items
            return self.inbox(item_id)
        except PublishLogError as error:
            if not self.tolerant:
                raise
            raise InboxUnreadable(str(error)) from None

    def close(self) -> None:
        if self.log is not None:
            self.log.close()


def _no_items(item_id: int) -> tuple[str, str] | None:
    """The inbox of a log that does not exist yet."""
    return None


@contextmanager
def inbox_of(locate: Callable[[], LogLocation], *, tolerant: bool = False) -> Iterator[InboxLookup]:
    """The inbox of the publish log `locate` names, while the block runs: read-only,
    opened only if a reply asks, and never made. With `tolerant`, a log that cannot be
    read leaves replies unchecked (the daemon: the publisher checks again before
    sending); without, its error (PublishLogError, or the ConfigError of an unset
    database variable) goes to the caller (`publish`: it needs the log anyway)."""
    lookup = _Opening(locate, tolerant=tolerant)
    try:
        yield lookup
    finally:
        lookup.close()
