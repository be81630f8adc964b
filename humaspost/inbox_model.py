"""What the complaint inbox holds: citizens' mentions and comments, and their status.

Items are residents' personal data (UU 27/2022): they live only in the publish log (its
SQLite file or its PostgreSQL database), never in git, the sandbox outbox or the logs.
This module is the one place that says which status changes are allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from humaspost.i18n import N_, _
from humaspost.problems import HumaspostError


class Status(StrEnum):
    """Where an item stands. Stored in the log as these names."""

    NEW = "new"  # nobody is responsible yet (no routing rule matched)
    ASSIGNED = "assigned"  # an office is responsible (a routing rule, or `inbox assign`)
    ANSWERED = "answered"  # humaspost sent the reply a post with `reply_to` carried
    CLOSED = "closed"  # settled by a person (`inbox close --note`)
    NOT_COMPLAINT = "not-complaint"  # settled by a person: nothing to follow up


OPEN: frozenset[Status] = frozenset({Status.NEW, Status.ASSIGNED})
SETTLED: frozenset[Status] = frozenset({Status.ANSWERED, Status.CLOSED, Status.NOT_COMPLAINT})


class Action(StrEnum):
    """What an entry of an item's history records. Stored in the log as these names."""

    RECEIVED = "received"  # fetched from the platform
    ROUTED = "routed"  # a routing rule gave it an office (detail: the rule)
    ASSIGNED = "assigned"  # a person gave it an office (detail: office, category)
    REOPENED = "reopened"  # assigned again after it was settled
    CLOSED = "closed"  # detail: the note
    NOT_COMPLAINT = "not-complaint"  # detail: the note
    ANSWERED = "answered"  # detail: the reply's address


class InboxError(HumaspostError):
    """An inbox command cannot do what it was asked (unknown item, unknown office, an
    item already settled); the message says why and what to do. Exit code 2."""


def status_after(current: Status, action: Action) -> Status:
    """The status an item moves to when `action` happens to it, or InboxError when the
    action is not allowed from `current` (answered, closed and not-a-complaint items are
    settled: only `inbox assign` reopens them)."""
    if action is Action.ASSIGNED:
        return Status.ASSIGNED
    if action is Action.ANSWERED:
        # A second reply to the same item (a follow-up answer) keeps it answered.
        return Status.ANSWERED
    if action in (Action.CLOSED, Action.NOT_COMPLAINT):
        if current in (Status.CLOSED, Status.NOT_COMPLAINT):
            raise InboxError(_(ALREADY_SETTLED).format(status=_(STATUS_NAMES[current])))
        return Status.CLOSED if action is Action.CLOSED else Status.NOT_COMPLAINT
    raise InboxError(_("an inbox item cannot be '{action}' by hand").format(action=action.value))


ALREADY_SETTLED = N_("the item is {status} already; `humaspost inbox assign` reopens it")

# How each status is named to a person (`inbox` lists and `inbox show`).
STATUS_NAMES: dict[Status, str] = {
    Status.NEW: N_("new"),
    Status.ASSIGNED: N_("assigned"),
    Status.ANSWERED: N_("answered"),
    Status.CLOSED: N_("closed"),
    Status.NOT_COMPLAINT: N_("not a complaint"),
}


@dataclass(frozen=True)
class Incoming:
    """A mention or comment as a platform adapter reads it, before humaspost stores it.
    `answers_remote_id` is the platform's id of the post it replies to or comments on
    (an X post it replies to, a Facebook page post), when there is one;
    `thread_remote_id` the first post of the conversation it is in, when that is another
    (on X a citizen answering another citizen under our post is in our post's
    conversation)."""

    remote_id: str
    author_id: str
    author_name: str
    author_handle: str | None  # X's @username (without '@'); None on Facebook
    text: str
    url: str
    created_at: datetime  # aware
    answers_remote_id: str | None = None
    thread_remote_id: str | None = None


@dataclass(frozen=True)
class InboxPage:
    """One page of what an adapter read for an account. `cursor` is the adapter's own
    text (JSON) saying where to go on from, stored with the page's items in one
    transaction; `complete` is True on the last page of a fetch (the cursor then says
    where the next fetch starts)."""

    items: tuple[Incoming, ...]
    cursor: str
    complete: bool


@dataclass(frozen=True)
class Item:
    """An item in the inbox. `id` is the number people type (`inbox show 42`);
    `answers_post` is the post file of ours it answers, when one is known."""

    id: int
    platform: str
    account: str
    remote_id: str
    author_id: str
    author_name: str
    author_handle: str | None
    text: str
    url: str
    received_at: datetime
    fetched_at: datetime
    answers_post: str | None
    answers_remote_id: str | None
    status: Status
    office: str | None
    category: str | None
    due_at: datetime
    answered_at: datetime | None
    settled_at: datetime | None  # when it was answered, closed or found no complaint
    reply_url: str | None

    @property
    def is_open(self) -> bool:
        """Whether someone still has to follow it up."""
        return self.status in OPEN


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an item's append-only history: what happened, who did it, when."""

    item_id: int
    at: datetime
    by: str
    action: Action
    detail: str | None


@dataclass(frozen=True)
class ReplyTarget:
    """What a reply answers, as the publisher hands it to an adapter: the inbox item and
    the platform's id of the mention or comment (None only in a sandbox rehearsal, where
    the item is in the real log and not the rehearsal's)."""

    item_id: int
    remote_id: str | None
