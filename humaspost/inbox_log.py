"""The complaint inbox in the publish log: its items, their history, each account's fetch
cursor and lease, and the pseudonym key (migration 6 of both backends).

Items are residents' personal data: this module and the log's tables are the only place
they are kept. Every write is one short transaction through the log's connection, run
again on a new connection when that connection broke (`publog.reconnecting`), and made
so that running it a second time, after a COMMIT whose answer was lost, changes nothing
twice. Two fetchers (two servers on one PostgreSQL log, or a person's `inbox fetch`
beside the daemon) never fetch one account at once: each account has a lease in
`inbox_cursors`, and a page is stored only by the fetcher that holds it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from humaspost import secrets as known_secrets
from humaspost.i18n import N_, _
from humaspost.inbox_model import (
    OPEN,
    SETTLED,
    Action,
    HistoryEntry,
    InboxError,
    Incoming,
    Item,
    Status,
    status_after,
)
from humaspost.publog import LogRow, PublishLog, reconnecting, stamp, unstamp
from humaspost.store import Store

# Who makes the automatic changes in an item's history (received, routed, answered).
AUTOMATIC = "humaspost"
# The detail of the history entry of an item reopened because its reply was deleted
# from the platform (stored as written; translated where it is shown).
REPLY_RETRACTED = N_("reply retracted")
# The name of the pseudonym key in inbox_secrets.
_PSEUDONYM = "pseudonym"
_KEY_QUERY = "SELECT value FROM inbox_secrets WHERE name = ?"
_KEY_BYTES = 32

_ITEM_COLUMNS = (
    "id, platform, account, remote_id, author_id, author_name, author_handle, text, url,"
    " received_at, fetched_at, answers_post, answers_remote_id, status, office, category,"
    " due_at, answered_at, settled_at, reply_url"
)
# The settled statuses as SQL, in a fixed order (retention deletes only these).
_SETTLED_SQL = "(" + ", ".join(f"'{status.value}'" for status in sorted(SETTLED)) + ")"


@dataclass(frozen=True)
class NewItem:
    """What the fetcher stores of one mention or comment: the adapter's `incoming`, and
    what triage made of it (office and category when a route matched, the due time)."""

    incoming: Incoming
    platform: str
    account: str
    fetched_at: datetime
    answers_post: str | None  # our post file it answers (InboxLog.post_answered)
    office: str | None
    category: str | None
    due_at: datetime
    routed_by: str | None  # the rule, when a route matched (e.g. `routes[2]`)


@dataclass(frozen=True)
class FetchClaim:
    """An account this fetcher may now fetch: where the last fetch stopped (the
    adapter's cursor), until when the platform asked to wait (a rate limit's reset), and
    when a fetch of it last completed (None: never, so the first fetch's `since` bound
    applies)."""

    cursor: str | None
    not_before: datetime | None
    fetched_at: datetime | None


class FetchLost(Exception):
    """Another fetcher took the account over (this one's lease ran out): this fetcher
    must store nothing more of it. The argument is the account."""


def _item(values: Sequence[Any]) -> Item:
    (id_, platform, account, remote_id, author_id, author_name, author_handle, text, url,
     received, fetched, answers_post, answers_remote, status, office, category, due,
     answered, settled, reply_url) = values  # fmt: skip
    return Item(
        id=int(id_),
        platform=platform,
        account=account,
        remote_id=remote_id,
        author_id=author_id,
        author_name=author_name,
        author_handle=author_handle,
        text=text,
        url=url,
        received_at=_required(unstamp(received)),
        fetched_at=_required(unstamp(fetched)),
        answers_post=answers_post,
        answers_remote_id=answers_remote,
        status=Status(status),
        office=office,
        category=category,
        due_at=_required(unstamp(due)),
        answered_at=unstamp(answered),
        settled_at=unstamp(settled),
        reply_url=reply_url,
    )


def _required(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment


def _add_history(
    store: Store, item_id: int, at: datetime, by: str, action: Action, detail: str | None
) -> None:
    store.execute(
        "INSERT INTO inbox_history (item_id, at, by_name, action, detail) VALUES (?, ?, ?, ?, ?)",
        (item_id, stamp(at), by, action.value, detail),
    )


def _latest_is(
    store: Store,
    item_id: int,
    at: datetime,
    by: str,
    actions: Collection[Action],
    detail: str | None,
) -> bool:
    """Whether the item's latest history entry is one of `actions` by `by` at `at` with
    `detail`: what a change run again after its COMMIT's answer was lost finds of its
    first run."""
    latest = store.execute(
        "SELECT at, by_name, action, detail FROM inbox_history WHERE item_id = ?"
        " ORDER BY id DESC LIMIT 1",
        (item_id,),
    ).fetchone()
    return (
        latest is not None
        and (latest[0], latest[1], latest[3]) == (stamp(at), by, detail)
        and latest[2] in {action.value for action in actions}
    )


def _locked_status(store: Store, item_id: int) -> tuple[Status, str | None] | None:
    """The item's status and office, its row locked until the transaction ends (None if
    there is no such item). A no-op update takes the lock on PostgreSQL, waiting for
    whoever is changing the item, so the status read after it is the latest; SQLite's
    write transaction holds the whole file already."""
    if store.execute("UPDATE inbox_items SET status = status WHERE id = ?", (item_id,)).rowcount:
        values = store.execute(
            "SELECT status, office FROM inbox_items WHERE id = ?", (item_id,)
        ).fetchone()
        return Status(values[0]), values[1]
    return None


def record_answered(store: Store, item_id: int, reply_url: str, now: datetime) -> None:
    """Record that a reply to the item was sent (at `reply_url`), inside the caller's
    open transaction (the publish log's record of the sent reply): the item becomes
    answered, its response time is the first reply's, and its history says so. An item
    that is no longer in the log (purged meanwhile) is left alone."""
    found = _locked_status(store, item_id)
    if found is None:
        return
    if _latest_is(store, item_id, now, AUTOMATIC, (Action.ANSWERED,), reply_url):
        return  # this very record, written again after its COMMIT's answer was lost
    status = status_after(found[0], Action.ANSWERED)
    store.execute(
        "UPDATE inbox_items SET status = ?, answered_at = COALESCE(answered_at, ?),"
        " settled_at = ?, reply_url = ? WHERE id = ?",
        (status.value, stamp(now), stamp(now), reply_url, item_id),
    )
    _add_history(store, item_id, now, AUTOMATIC, Action.ANSWERED, reply_url)


def record_reply_retracted(store: Store, item_id: int, now: datetime) -> None:
    """Record that the reply to an answered item was deleted from its platform, inside
    the caller's open transaction: the item is open again (assigned if it has an office,
    else new), with no reply, response time or settlement, and its history says
    `reopened` (REPLY_RETRACTED). An item that is not answered (settled by a person
    since, or purged) is left alone."""
    found = _locked_status(store, item_id)
    if found is None or found[0] is not Status.ANSWERED:
        return
    status = Status.ASSIGNED if found[1] is not None else Status.NEW
    store.execute(
        "UPDATE inbox_items SET status = ?, answered_at = NULL, settled_at = NULL,"
        " reply_url = NULL WHERE id = ?",
        (status.value, item_id),
    )
    _add_history(store, item_id, now, AUTOMATIC, Action.REOPENED, REPLY_RETRACTED)


def _make_key(store: Store) -> None:
    """Make the log's pseudonym key unless it has one. Of two processes making it at
    once, the first one's is kept by both."""
    store.execute(
        "INSERT INTO inbox_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        (_PSEUDONYM, secrets.token_bytes(_KEY_BYTES).hex()),
    )


def _unknown(item_id: int) -> InboxError:
    return InboxError(
        _(
            "there is no inbox item {id} (never fetched, or purged); `humaspost inbox`"
            " lists the open items"
        ).format(id=item_id)
    )


class InboxLog:
    """The inbox's tables of a publish log, through the log's connection (one per
    thread, as the log's)."""

    def __init__(self, log: PublishLog) -> None:
        """The inbox of `log` (already migrated to the inbox's schema by opening it)."""
        self.log = log

    @property
    def store(self) -> Store:
        """The log's connection (a new one after a reconnect)."""
        return self.log.store

    @property
    def reconnect_for(self) -> timedelta:
        """How long a write waits for a lost database connection (the log's setting)."""
        return self.log.reconnect_for

    # Fetching

    @reconnecting
    def claim_fetch(
        self,
        account: str,
        platform: str,
        owner: str,
        lease_until: datetime,
        now: datetime,
        is_gone: Callable[[str], bool] = lambda holder: False,
    ) -> FetchClaim | None:
        """Take the account for fetching until `lease_until`, unless another fetcher holds
        an unexpired lease on it (None then). Taking it again while holding it (a lease
        being extended, or this very claim run again) succeeds, and so does taking it
        from a holder `is_gone` says has ended (a fetch killed on this machine: run
        again at once, it goes on from its last page). An account whose platform
        changed in the config starts afresh: another platform's cursor means nothing."""
        with self.log.transaction():
            self.store.execute(
                "INSERT INTO inbox_cursors (account, platform) VALUES (?, ?)"
                " ON CONFLICT (account) DO NOTHING",
                (account, platform),
            )
            # Another server claiming it at this moment holds the row's lock: passed
            # over (None), as a held lease is.
            values = self.store.execute(
                "SELECT platform, cursor, not_before, owner, lease_until, fetched_at"
                f" FROM inbox_cursors WHERE account = ?{self.store.lock_rows}",
                (account,),
            ).fetchone()
            if values is None:
                return None
            was_platform, cursor, not_before, holder, held_until, fetched_at = values
            held = holder not in (None, owner) and held_until is not None
            if held and held_until >= stamp(now) and not is_gone(holder):
                return None
            if was_platform != platform:
                cursor = not_before = fetched_at = None
            self.store.execute(
                "UPDATE inbox_cursors SET owner = ?, lease_until = ?, platform = ?, cursor = ?,"
                " not_before = ?, fetched_at = ? WHERE account = ?",
                (owner, stamp(lease_until), platform, cursor, not_before, fetched_at, account),
            )
        return FetchClaim(cursor, unstamp(not_before), unstamp(fetched_at))

    @reconnecting
    def store_page(
        self,
        account: str,
        owner: str,
        items: Sequence[NewItem],
        cursor: str,
        lease_until: datetime,
        now: datetime,
    ) -> list[int]:
        """Store one page of what was read for `account`, with the cursor to go on from,
        and extend the lease to `lease_until`, in one transaction; returns the numbers of
        the items that are new (an item already stored, by its platform and remote id,
        is left as it is). Routed items are assigned to their office, the others new;
        each has its history (received, and routed). Raises FetchLost, storing nothing,
        if `owner` no longer holds the account."""
        with self.log.transaction():
            before = self.store.execute(
                "SELECT cursor, lease_until FROM inbox_cursors WHERE account = ? AND owner = ?",
                (account, owner),
            ).fetchone()
            held = self.store.execute(
                "UPDATE inbox_cursors SET cursor = ?, lease_until = ? WHERE account = ?"
                " AND owner = ?",
                (cursor, stamp(lease_until), account, owner),
            )
            if held.rowcount != 1:
                raise FetchLost(account)
            # This very page, stored again after its COMMIT's answer was lost: its items
            # are there already, and are still the ones it made new.
            again = before is not None and tuple(before) == (cursor, stamp(lease_until))
            # An item twice in one page (found twice by a page run again) counts once.
            ids = list(
                dict.fromkeys(
                    item_id
                    for new in items
                    if (item_id := self._insert(new, now, again=again)) is not None
                )
            )
            if ids:
                # Made with the first items at the latest: a log opened only for reading
                # (an export) finds it whenever it has items to give pseudonyms to.
                _make_key(self.store)
            return ids

    def _insert(self, new: NewItem, now: datetime, *, again: bool) -> int | None:
        """Store one item (and its history) unless it is there; its number if it is new
        (or, `again`, was made new by this same page at `now`)."""
        incoming = new.incoming
        status = Status.ASSIGNED if new.office is not None else Status.NEW
        inserted = self.store.execute(
            f"INSERT INTO inbox_items ({_ITEM_COLUMNS.removeprefix('id, ')})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL)"
            " ON CONFLICT (platform, remote_id) DO NOTHING RETURNING id",
            (new.platform, new.account, incoming.remote_id, incoming.author_id,
             incoming.author_name, incoming.author_handle, incoming.text, incoming.url,
             stamp(incoming.created_at), stamp(new.fetched_at), new.answers_post,
             incoming.answers_remote_id, status.value, new.office, new.category,
             stamp(new.due_at)),
        ).fetchone()  # fmt: skip
        if inserted is None:
            if not again:
                return None
            values = self.store.execute(
                "SELECT i.id FROM inbox_items i JOIN inbox_history h ON h.item_id = i.id"
                " WHERE i.platform = ? AND i.remote_id = ? AND h.action = ? AND h.at = ?",
                (new.platform, incoming.remote_id, Action.RECEIVED.value, stamp(now)),
            ).fetchone()
            return None if values is None else int(values[0])
        item_id = int(inserted[0])
        _add_history(self.store, item_id, now, AUTOMATIC, Action.RECEIVED, None)
        if new.office is not None:
            _add_history(self.store, item_id, now, AUTOMATIC, Action.ROUTED, new.routed_by)
        return item_id

    @reconnecting
    def release_fetch(
        self,
        account: str,
        owner: str,
        *,
        now: datetime,
        complete: bool,
        not_before: datetime | None = None,
    ) -> None:
        """Give the account up, if `owner` still holds it: `complete` records that a
        fetch ended at `now` (the next one starts from the cursor, without the first
        fetch's bound). `not_before` is when the platform lets the account be read again
        (a rate limit's reset); without it, a complete fetch clears the earlier one and
        any other release keeps it (a fetcher that waited, or failed, changes nothing
        of what the platform asked)."""
        # Decided here, not by the database: PostgreSQL cannot tell a bare parameter's type.
        if not_before is not None:
            wait, args = "?", [stamp(not_before)]
        else:
            wait, args = ("NULL" if complete else "not_before"), []
        fetched = "?" if complete else "fetched_at"
        with self.log.transaction():
            self.store.execute(
                f"UPDATE inbox_cursors SET owner = NULL, lease_until = NULL, not_before = {wait},"
                f" fetched_at = {fetched} WHERE account = ? AND owner = ?",
                (*args, *([stamp(now)] if complete else []), account, owner),
            )

    @reconnecting
    def post_answered(self, account: str, remote_id: str) -> str | None:
        """The post (its id) of ours that `remote_id` is a part of, as delivered to
        `account`: what a mention replying to it, or a comment on it, answers."""
        values = self.store.execute(
            "SELECT d.post_id FROM parts p JOIN deliveries d ON d.id = p.delivery_id"
            " WHERE p.remote_id = ? AND d.account = ? ORDER BY d.id LIMIT 1",
            (remote_id, account),
        ).fetchone()
        return None if values is None else str(values[0])

    @reconnecting
    def purge_settled_before(self, cutoff: datetime) -> int:
        """Delete the items settled (answered, closed, not a complaint) before `cutoff`,
        with their history; open items are never deleted. Returns how many."""
        chosen = f"status IN {_SETTLED_SQL} AND settled_at < ?"
        with self.log.transaction():
            self.store.execute(
                "DELETE FROM inbox_history WHERE item_id IN"
                f" (SELECT id FROM inbox_items WHERE {chosen})",
                (stamp(cutoff),),
            )
            deleted = self.store.execute(
                f"DELETE FROM inbox_items WHERE {chosen}", (stamp(cutoff),)
            )
            return deleted.rowcount

    # Reading

    @reconnecting
    def items(
        self,
        *,
        statuses: Collection[Status] = OPEN,
        office: str | None = None,
        account: str | None = None,
        due_before: datetime | None = None,
    ) -> list[Item]:
        """The items with one of `statuses` (of `office`, of `account`, due before
        `due_before`, if given), most urgent first: by due time, then the oldest."""
        wanted = sorted({Status(status).value for status in statuses})
        if not wanted:
            return []
        where = [f"status IN ({', '.join('?' * len(wanted))})"]
        args: list[str] = list(wanted)
        for column, value in (("office", office), ("account", account)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if due_before is not None:
            where.append("due_at < ?")
            args.append(stamp(due_before))
        query = (
            f"SELECT {_ITEM_COLUMNS} FROM inbox_items WHERE {' AND '.join(where)}"
            " ORDER BY due_at, received_at, id"
        )
        return [_item(values) for values in self.store.execute(query, args)]

    @reconnecting
    def items_for_period(self, start: datetime, end: datetime) -> list[Item]:
        """The items received, or first answered, from `start` (included) to `end`
        (excluded): what a report of that time counts; oldest first."""
        query = (
            f"SELECT {_ITEM_COLUMNS} FROM inbox_items"
            " WHERE (received_at >= ? AND received_at < ?)"
            " OR (answered_at >= ? AND answered_at < ?) ORDER BY received_at, id"
        )
        args = (stamp(start), stamp(end), stamp(start), stamp(end))
        return [_item(values) for values in self.store.execute(query, args)]

    @reconnecting
    def oldest_open(self, before: datetime, limit: int) -> list[Item]:
        """The `limit` oldest items received before `before` that are open and were never
        answered (a reply sent counts as an answer), oldest first."""
        open_statuses = sorted(status.value for status in OPEN)
        query = (
            f"SELECT {_ITEM_COLUMNS} FROM inbox_items WHERE received_at < ?"
            f" AND status IN ({', '.join('?' * len(open_statuses))}) AND answered_at IS NULL"
            f" ORDER BY received_at, id LIMIT {int(limit)}"
        )
        rows = self.store.execute(query, (stamp(before), *open_statuses))
        return [_item(values) for values in rows]

    @reconnecting
    def item(self, item_id: int) -> Item | None:
        """One item by its number."""
        values = self.store.execute(
            f"SELECT {_ITEM_COLUMNS} FROM inbox_items WHERE id = ?", (item_id,)
        ).fetchone()
        return None if values is None else _item(values)

    @reconnecting
    def history(self, item_id: int) -> list[HistoryEntry]:
        """What happened to an item, oldest first."""
        query = (
            "SELECT at, by_name, action, detail FROM inbox_history WHERE item_id = ? ORDER BY id"
        )
        return [
            HistoryEntry(item_id, _required(unstamp(at)), by, Action(action), detail)
            for at, by, action, detail in self.store.execute(query, (item_id,))
        ]

    @reconnecting
    def replies(self, item_id: int) -> list[LogRow]:
        """The reply deliveries to an item (posts with its `reply_to`), oldest first."""
        query = "SELECT id FROM deliveries WHERE reply_to = ? ORDER BY id"
        ids = [int(row_id) for (row_id,) in self.store.execute(query, (item_id,))]
        return [row for row_id in ids if (row := self.log.row(row_id)) is not None]

    # People's changes: each one transaction and one history entry.

    @reconnecting
    def assign(
        self,
        item_id: int,
        office: str,
        *,
        by: str,
        now: datetime,
        category: str | None = None,
        due_at: datetime | None = None,
    ) -> Item:
        """Make `office` responsible for the item (and set its category and due time, if
        given); a settled item is reopened. Raises InboxError for an unknown item."""
        detail = office if category is None else f"{office}, {category}"
        with self.log.transaction():
            found = _locked_status(self.store, item_id)
            if found is None:
                raise _unknown(item_id)
            done = (Action.ASSIGNED, Action.REOPENED)
            if not _latest_is(self.store, item_id, now, by, done, detail):
                action = Action.REOPENED if found[0] in SETTLED else Action.ASSIGNED
                self.store.execute(
                    "UPDATE inbox_items SET status = ?, office = ?,"
                    " category = COALESCE(?, category), due_at = COALESCE(?, due_at),"
                    " settled_at = NULL WHERE id = ?",
                    (status_after(found[0], Action.ASSIGNED).value, office, category,
                     None if due_at is None else stamp(due_at), item_id),
                )  # fmt: skip
                _add_history(self.store, item_id, now, by, action, detail)
            return self._item_now(item_id)

    @reconnecting
    def close(
        self, item_id: int, note: str, *, by: str, now: datetime, not_complaint: bool = False
    ) -> Item:
        """Settle the item by hand, with `note` saying why (`not_complaint`: there was
        nothing to follow up). Raises InboxError for an unknown item or one closed
        already."""
        action = Action.NOT_COMPLAINT if not_complaint else Action.CLOSED
        with self.log.transaction():
            found = _locked_status(self.store, item_id)
            if found is None:
                raise _unknown(item_id)
            if not _latest_is(self.store, item_id, now, by, (action,), note):
                status = status_after(found[0], action)  # InboxError if settled already
                self.store.execute(
                    "UPDATE inbox_items SET status = ?, settled_at = ? WHERE id = ?",
                    (status.value, stamp(now), item_id),
                )
                _add_history(self.store, item_id, now, by, action, note)
            return self._item_now(item_id)

    def _item_now(self, item_id: int) -> Item:
        values = self.store.execute(
            f"SELECT {_ITEM_COLUMNS} FROM inbox_items WHERE id = ?", (item_id,)
        ).fetchone()
        return _item(values)

    @reconnecting
    def authors(self, text: str) -> set[tuple[str, str]]:
        """The authors (platform, author id) that `text` names: an X handle (any case,
        with or without '@'), or a platform's id of the author."""
        wanted = text.strip()
        if not wanted:
            return set()
        query = (
            "SELECT DISTINCT platform, author_id FROM inbox_items"
            " WHERE lower(author_handle) = lower(?) OR author_id = ?"
        )
        rows = self.store.execute(query, (wanted.removeprefix("@"), wanted))
        return {(platform, author_id) for platform, author_id in rows}

    @reconnecting
    def purge_authors(self, authors: Collection[tuple[str, str]]) -> int:
        """Delete every item (any status) of these authors, with its history; our reply
        deliveries stay. Returns how many items were deleted."""
        deleted = 0
        with self.log.transaction():
            for platform, author_id in sorted(authors):
                self.store.execute(
                    "DELETE FROM inbox_history WHERE item_id IN (SELECT id FROM inbox_items"
                    " WHERE platform = ? AND author_id = ?)",
                    (platform, author_id),
                )
                deleted += self.store.execute(
                    "DELETE FROM inbox_items WHERE platform = ? AND author_id = ?",
                    (platform, author_id),
                ).rowcount
        return deleted

    @reconnecting
    def made_pseudonym_key(self) -> bytes | None:
        """The log's key for authors' pseudonyms if it has one (made with the first
        items stored), without making one: what a reader of a log opened only for
        reading can have."""
        values = self.store.execute(_KEY_QUERY, (_PSEUDONYM,)).fetchone()
        if values is None:
            return None
        key: str = values[0]
        known_secrets.remember(key)  # kept out of crash reports and error messages
        return bytes.fromhex(key)

    @reconnecting
    def pseudonym_key(self) -> bytes:
        """The log's key for authors' pseudonyms: made (at random) with the first items
        stored, or the first time it is asked for, then the same for every process and
        server using the log."""
        values = self.store.execute(_KEY_QUERY, (_PSEUDONYM,)).fetchone()
        if values is None:
            with self.log.transaction():
                _make_key(self.store)
                values = self.store.execute(_KEY_QUERY, (_PSEUDONYM,)).fetchone()
        key: str = values[0]
        known_secrets.remember(key)  # kept out of crash reports and error messages
        return bytes.fromhex(key)
