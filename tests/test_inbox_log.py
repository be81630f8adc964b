"""The complaint inbox in the publish log, on both backends (a SQLite file in a temporary
folder, a fresh database on the tests' real PostgreSQL server): fetch leases and pages
stored exactly once, the order and filters of `inbox`, people's changes and their
history, answers and retracted replies, retention, purges, the pseudonym key, and a log
from before the inbox. The citizens here are invented."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from humaspost.inbox_log import (
    REPLY_RETRACTED,
    FetchClaim,
    FetchLost,
    InboxLog,
    NewItem,
    record_answered,
    record_reply_retracted,
)
from humaspost.inbox_model import (
    OPEN,
    SETTLED,
    Action,
    HistoryEntry,
    InboxError,
    Incoming,
    Item,
    Status,
)
from humaspost.lifecycle import Event
from humaspost.platforms.base import PartReceipt
from humaspost.publog import ONCE, DeliveryKey, Kind, LogLocation, PublishLog, RowState
from humaspost.store_postgres import MIGRATIONS as POSTGRES_MIGRATIONS
from humaspost.store_postgres import DatabaseUrl
from humaspost.store_sqlite import MIGRATIONS as SQLITE_MIGRATIONS
from tests.conftest import DATABASE_VARIABLE
from tests.postgres_server import PostgresServer
from tests.test_publog_lost_answers import relayed_log
from tests.test_publog_postgres import in_threads

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LEASE = timedelta(minutes=5)
DAY = timedelta(days=1)
ACCOUNT = "pemkot-x"
ME = "humas-1/4242/boot"
OTHER = "humas-2/77/boot"


@pytest.fixture
def location(tmp_path: Path, log_database: str | None) -> LogLocation:
    """Where the log is: a SQLite file, or a fresh PostgreSQL database (both, by turns)."""
    if log_database is None:
        return tmp_path / "state" / "publog.sqlite"
    return DatabaseUrl(log_database, DATABASE_VARIABLE)


@pytest.fixture
def log(location: LogLocation) -> Iterator[PublishLog]:
    with PublishLog(location) as publog:
        yield publog


@pytest.fixture
def inbox(log: PublishLog) -> InboxLog:
    return InboxLog(log)


def mention(
    number: int,
    *,
    author_id: str = "1001",
    handle: str | None = "warga_uji1",
    created_at: datetime = T0,
    answers: str | None = None,
) -> Incoming:
    return Incoming(
        remote_id=f"19{number:05d}",
        author_id=author_id,
        author_name="Warga Contoh",
        author_handle=handle,
        text=f"Lampu jalan di RT {number} mati",
        url=f"https://x.com/warga_uji1/status/19{number:05d}",
        created_at=created_at,
        answers_remote_id=answers,
    )


def new_item(
    incoming: Incoming,
    *,
    office: str | None = None,
    due_at: datetime | None = None,
    account: str = ACCOUNT,
    platform: str = "twitter",
    category: str | None = None,
) -> NewItem:
    return NewItem(
        incoming=incoming,
        platform=platform,
        account=account,
        fetched_at=T0 + MINUTE,
        answers_post=None,
        office=office,
        category=category,
        due_at=due_at or T0 + 5 * DAY,
        routed_by="routes[1]" if office else None,
    )


def fetch(
    inbox: InboxLog,
    items: list[NewItem],
    *,
    now: datetime = T0,
    cursor: str = '{"since_id": "1"}',
    account: str = ACCOUNT,
) -> list[int]:
    """One fetch of one page by ME: claim, store, release."""
    assert inbox.claim_fetch(account, "twitter", ME, now + LEASE, now) is not None
    ids = inbox.store_page(account, ME, items, cursor, now + LEASE, now)
    inbox.release_fetch(account, ME, now=now, complete=True)
    return ids


def stored(inbox: InboxLog, item_id: int) -> Item:
    item = inbox.item(item_id)
    assert item is not None
    return item


def everything(inbox: InboxLog) -> list[Item]:
    return inbox.items(statuses=set(Status))


# Fetching: leases, pages


def test_a_page_is_stored_with_its_triage_and_history(inbox: InboxLog) -> None:
    routed = new_item(mention(1, answers="1800"), office="BPBD", category="banjir")
    plain = new_item(mention(2, handle=None, author_id="104857600000777"), platform="facebook")
    ids = fetch(inbox, [routed, plain], now=T0 + MINUTE)
    assert len(ids) == 2 and ids[0] < ids[1]
    first, second = stored(inbox, ids[0]), stored(inbox, ids[1])
    assert (first.status, first.office, first.category) == (Status.ASSIGNED, "BPBD", "banjir")
    assert (first.remote_id, first.author_handle, first.answers_remote_id) == (
        "1900001",
        "warga_uji1",
        "1800",
    )
    assert first.received_at == T0 and first.fetched_at == T0 + MINUTE
    assert first.due_at == T0 + 5 * DAY and first.is_open
    assert (first.answered_at, first.settled_at, first.reply_url) == (None, None, None)
    assert (second.status, second.office, second.platform) == (Status.NEW, None, "facebook")
    assert second.author_handle is None
    assert inbox.history(ids[0]) == [
        HistoryEntry(ids[0], T0 + MINUTE, "humaspost", Action.RECEIVED, None),
        HistoryEntry(ids[0], T0 + MINUTE, "humaspost", Action.ROUTED, "routes[1]"),
    ]
    assert inbox.history(ids[1]) == [
        HistoryEntry(ids[1], T0 + MINUTE, "humaspost", Action.RECEIVED, None)
    ]


def test_the_same_page_read_twice_is_stored_once(inbox: InboxLog) -> None:
    page = [new_item(mention(1)), new_item(mention(2))]
    first = fetch(inbox, page)
    # A later fetch that reads them again (a platform's overlapping page, a cursor lost).
    again = fetch(inbox, [*page, new_item(mention(3))], now=T0 + 10 * MINUTE)
    assert len(first) == 2 and len(again) == 1 and again[0] > max(first)
    assert [item.remote_id for item in everything(inbox)] == ["1900001", "1900002", "1900003"]
    assert [entry.action for entry in inbox.history(first[0])] == [Action.RECEIVED]
    # An item that appears twice in one page is one item.
    assert len(fetch(inbox, [new_item(mention(4))] * 2, now=T0 + 20 * MINUTE)) == 1
    assert len(everything(inbox)) == 4


def test_the_cursor_and_the_end_of_a_fetch_are_kept_for_the_next_claim(inbox: InboxLog) -> None:
    first = inbox.claim_fetch(ACCOUNT, "twitter", ME, T0 + LEASE, T0)
    assert first == FetchClaim(cursor=None, not_before=None, fetched_at=None)
    inbox.store_page(ACCOUNT, ME, [new_item(mention(1))], '{"next": "p2"}', T0 + LEASE, T0)
    # Interrupted (rate limited) before the fetch completed: where it stopped, and when
    # the platform lets it go on.
    inbox.release_fetch(ACCOUNT, ME, now=T0, complete=False, not_before=T0 + 15 * MINUTE)
    # A fetcher that finds it must wait gives it up again: the wait is kept.
    waiting = T0 + 5 * MINUTE
    assert inbox.claim_fetch(ACCOUNT, "twitter", ME, waiting + LEASE, waiting) == FetchClaim(
        '{"next": "p2"}', T0 + 15 * MINUTE, None
    )
    inbox.release_fetch(ACCOUNT, ME, now=waiting, complete=False)
    later = T0 + 20 * MINUTE
    resumed = inbox.claim_fetch(ACCOUNT, "twitter", OTHER, later + LEASE, later)
    assert resumed == FetchClaim('{"next": "p2"}', T0 + 15 * MINUTE, None)
    inbox.store_page(ACCOUNT, OTHER, [], '{"since_id": "9"}', later + LEASE, later)
    inbox.release_fetch(ACCOUNT, OTHER, now=later, complete=True)
    assert inbox.claim_fetch(ACCOUNT, "twitter", ME, later + LEASE, later) == FetchClaim(
        '{"since_id": "9"}', None, later
    )
    # Another account has its own cursor; an account moved to another platform starts
    # afresh (the old platform's cursor means nothing to the new one).
    assert inbox.claim_fetch("pemkot-fb", "facebook", ME, T0 + LEASE, T0) == FetchClaim(
        None, None, None
    )
    inbox.release_fetch(ACCOUNT, ME, now=later, complete=False)
    assert inbox.claim_fetch(ACCOUNT, "facebook", ME, later + LEASE, later) == FetchClaim(
        None, None, None
    )


def test_a_second_fetcher_is_refused_while_the_lease_holds(inbox: InboxLog) -> None:
    assert inbox.claim_fetch(ACCOUNT, "twitter", ME, T0 + LEASE, T0) is not None
    assert inbox.claim_fetch(ACCOUNT, "twitter", OTHER, T0 + 2 * LEASE, T0 + MINUTE) is None
    # The holder extends its lease (claiming again, or by storing a page).
    assert inbox.claim_fetch(ACCOUNT, "twitter", ME, T0 + 2 * LEASE, T0 + MINUTE) is not None
    inbox.store_page(ACCOUNT, ME, [], "{}", T0 + 3 * LEASE, T0 + 2 * MINUTE)
    assert inbox.claim_fetch(ACCOUNT, "twitter", OTHER, T0 + 4 * LEASE, T0 + 2 * LEASE) is None
    # Let in once the lease ran out ...
    expired = T0 + 3 * LEASE + MINUTE
    assert inbox.claim_fetch(ACCOUNT, "twitter", OTHER, expired + LEASE, expired) is not None
    # ... or as soon as the holder gives the account up.
    inbox.release_fetch(ACCOUNT, OTHER, now=expired, complete=True)
    assert inbox.claim_fetch(ACCOUNT, "twitter", ME, expired + LEASE, expired) is not None


def test_a_fetcher_whose_lease_was_taken_over_stores_nothing(inbox: InboxLog) -> None:
    assert inbox.claim_fetch(ACCOUNT, "twitter", ME, T0 + LEASE, T0) is not None
    later = T0 + LEASE + MINUTE  # ME stalled past its lease; OTHER took the account
    assert inbox.claim_fetch(ACCOUNT, "twitter", OTHER, later + LEASE, later) is not None
    with pytest.raises(FetchLost):
        inbox.store_page(ACCOUNT, ME, [new_item(mention(1))], '{"me": 1}', later + LEASE, later)
    assert everything(inbox) == []
    # ME's release changes nothing either: OTHER still holds it, at its own cursor.
    inbox.release_fetch(ACCOUNT, ME, now=later, complete=True)
    assert inbox.claim_fetch(ACCOUNT, "twitter", ME, later + LEASE, later + MINUTE) is None
    assert inbox.store_page(ACCOUNT, OTHER, [new_item(mention(1))], "{}", later + LEASE, later)
    # Never claimed at all: nothing stored.
    with pytest.raises(FetchLost):
        inbox.store_page("pemkot-fb", ME, [new_item(mention(2))], "{}", later + LEASE, later)
    assert len(everything(inbox)) == 1


def test_item_numbers_are_never_given_again_after_a_purge(inbox: InboxLog) -> None:
    ids = fetch(inbox, [new_item(mention(1)), new_item(mention(2, author_id="2002"))])
    assert inbox.purge_authors({("twitter", "2002")}) == 1  # the newest item
    (newer,) = fetch(inbox, [new_item(mention(3, author_id="3003"))], now=T0 + MINUTE)
    assert newer > max(ids)


def test_our_post_an_item_answers_is_found_by_the_part_it_replies_to(
    log: PublishLog, inbox: InboxLog
) -> None:
    key = DeliveryKey("2026/12/banjir", ONCE, ACCOUNT)
    claim = log.claim(key, platform="twitter", due_at=T0, owner=ME, now=T0, lease=LEASE)
    assert claim is not None
    for index in range(2):  # a thread: a mention may reply to any of its posts
        log.part_starting(claim.row_id, index, ME, T0, LEASE)
        log.part_published(claim.row_id, index, PartReceipt(f"180{index}", "u"), T0, ME)
    log.finish(claim.row_id, Event.SENT, owner=ME, now=T0, url="u")
    assert inbox.post_answered(ACCOUNT, "1801") == "2026/12/banjir"
    assert inbox.post_answered(ACCOUNT, "1800") == "2026/12/banjir"
    assert inbox.post_answered("pemkot-fb", "1801") is None
    assert inbox.post_answered(ACCOUNT, "1899") is None


# Reading: order and filters


def test_items_come_most_urgent_first(inbox: InboxLog) -> None:
    due = T0 + 3 * DAY
    ids = fetch(
        inbox,
        [
            new_item(mention(1, created_at=T0), due_at=due + DAY),
            new_item(mention(2, created_at=T0 + MINUTE), due_at=due),
            new_item(mention(3, created_at=T0), due_at=due),
            new_item(mention(4, created_at=T0 + MINUTE), due_at=due),
        ],
    )
    # The earliest due first; among those due together, the oldest; then by number.
    assert [item.id for item in inbox.items()] == [ids[2], ids[1], ids[3], ids[0]]


def test_items_are_filtered_by_status_office_account_and_due_time(inbox: InboxLog) -> None:
    ids = fetch(
        inbox,
        [
            new_item(mention(1), office="BPBD", due_at=T0 + DAY),
            new_item(mention(2), due_at=T0 + 2 * DAY),
            new_item(mention(3), office="DLH", due_at=T0 + 3 * DAY),
        ],
    )
    fb = fetch(
        inbox,
        [new_item(mention(4), account="pemkot-fb", platform="facebook", due_at=T0 + DAY)],
        account="pemkot-fb",
    )
    inbox.close(ids[2], "sudah diperbaiki", by="Siti Aminah", now=T0 + MINUTE)

    def found(**filters: object) -> list[int]:
        return [item.id for item in inbox.items(**filters)]  # type: ignore[arg-type]

    assert found() == [ids[0], fb[0], ids[1]]  # open ones only
    assert found(statuses={Status.CLOSED}) == [ids[2]]
    assert found(statuses=SETTLED | OPEN) == [ids[0], fb[0], ids[1], ids[2]]
    assert found(statuses=()) == []
    assert found(office="BPBD") == [ids[0]]
    assert found(office="DLH") == []  # closed
    assert found(account="pemkot-fb") == fb
    assert found(due_before=T0 + DAY + MINUTE) == [ids[0], fb[0]]  # overdue then
    assert found(due_before=T0 + DAY) == []  # due exactly then: not yet
    assert found(statuses={Status.NEW}, account=ACCOUNT) == [ids[1]]
    assert inbox.item(max(fb) + 100) is None
    assert inbox.history(max(fb) + 100) == []


# People's changes


def test_assign_close_and_reopen_are_each_in_the_history(inbox: InboxLog) -> None:
    (item_id,) = fetch(inbox, [new_item(mention(1))])
    at = T0 + MINUTE
    item = inbox.assign(item_id, "BPBD", by="Siti Aminah", now=at)
    assert (item.status, item.office, item.category) == (Status.ASSIGNED, "BPBD", None)
    item = inbox.assign(
        item_id, "DLH", by="Budi", now=at + MINUTE, category="sampah", due_at=T0 + 2 * DAY
    )
    assert (item.office, item.category, item.due_at) == ("DLH", "sampah", T0 + 2 * DAY)
    # Another office, the category kept.
    item = inbox.assign(item_id, "BPBD", by="Budi", now=at + 2 * MINUTE)
    assert (item.office, item.category, item.due_at) == ("BPBD", "sampah", T0 + 2 * DAY)
    item = inbox.close(item_id, "sudah ditangani", by="Siti Aminah", now=at + 3 * MINUTE)
    assert (item.status, item.settled_at, item.is_open) == (
        Status.CLOSED,
        at + 3 * MINUTE,
        False,
    )
    with pytest.raises(InboxError, match="closed already"):
        inbox.close(item_id, "lagi", by="Budi", now=at + 4 * MINUTE)
    with pytest.raises(InboxError, match="closed already"):
        inbox.close(item_id, "lagi", by="Budi", now=at + 4 * MINUTE, not_complaint=True)
    item = inbox.assign(item_id, "BPBD", by="Budi", now=at + 5 * MINUTE)  # reopened
    assert (item.status, item.settled_at) == (Status.ASSIGNED, None)
    item = inbox.close(item_id, "iklan", by="Budi", now=at + 6 * MINUTE, not_complaint=True)
    assert item.status is Status.NOT_COMPLAINT
    assert stored(inbox, item_id) == item
    assert [(e.at, e.by, e.action, e.detail) for e in inbox.history(item_id)] == [
        (T0, "humaspost", Action.RECEIVED, None),
        (at, "Siti Aminah", Action.ASSIGNED, "BPBD"),
        (at + MINUTE, "Budi", Action.ASSIGNED, "DLH, sampah"),
        (at + 2 * MINUTE, "Budi", Action.ASSIGNED, "BPBD"),
        (at + 3 * MINUTE, "Siti Aminah", Action.CLOSED, "sudah ditangani"),
        (at + 5 * MINUTE, "Budi", Action.REOPENED, "BPBD"),
        (at + 6 * MINUTE, "Budi", Action.NOT_COMPLAINT, "iklan"),
    ]


def test_changes_to_an_unknown_item_are_refused(inbox: InboxLog) -> None:
    (item_id,) = fetch(inbox, [new_item(mention(1))])
    with pytest.raises(InboxError, match=f"no inbox item {item_id + 1} "):
        inbox.assign(item_id + 1, "BPBD", by="Budi", now=T0)
    with pytest.raises(InboxError, match=f"no inbox item {item_id + 1} "):
        inbox.close(item_id + 1, "x", by="Budi", now=T0)
    assert [entry.action for entry in inbox.history(item_id)] == [Action.RECEIVED]


# Answers


def test_a_sent_reply_answers_the_item_inside_the_callers_transaction(
    log: PublishLog, inbox: InboxLog
) -> None:
    (item_id,) = fetch(inbox, [new_item(mention(1), office="BPBD")])
    sent = T0 + DAY
    with log.transaction():
        record_answered(log.store, item_id, "https://x.com/pemkot/status/2001", sent)
    item = stored(inbox, item_id)
    assert (item.status, item.answered_at, item.settled_at, item.reply_url) == (
        Status.ANSWERED,
        sent,
        sent,
        "https://x.com/pemkot/status/2001",
    )
    # A follow-up reply: the response time stays the first one's.
    with log.transaction():
        record_answered(log.store, item_id, "https://x.com/pemkot/status/2002", sent + DAY)
    item = stored(inbox, item_id)
    assert (item.answered_at, item.settled_at, item.reply_url) == (
        sent,
        sent + DAY,
        "https://x.com/pemkot/status/2002",
    )
    # The same record written twice (a transaction run again) is one entry.
    with log.transaction():
        record_answered(log.store, item_id, "https://x.com/pemkot/status/2002", sent + DAY)
    assert [(e.by, e.action, e.detail) for e in inbox.history(item_id)[2:]] == [
        ("humaspost", Action.ANSWERED, "https://x.com/pemkot/status/2001"),
        ("humaspost", Action.ANSWERED, "https://x.com/pemkot/status/2002"),
    ]
    # Undone with the caller's transaction.
    with pytest.raises(RuntimeError), log.transaction():
        record_answered(log.store, item_id, "https://x.com/pemkot/status/2003", sent + 2 * DAY)
        raise RuntimeError("the delivery's record failed")
    assert stored(inbox, item_id).reply_url == "https://x.com/pemkot/status/2002"
    # An item purged meanwhile: nothing, and no error.
    inbox.purge_authors({("twitter", "1001")})
    with log.transaction():
        record_answered(log.store, item_id, "https://x.com/pemkot/status/2004", sent)
    assert inbox.item(item_id) is None and inbox.history(item_id) == []


def test_an_item_whose_reply_was_retracted_is_open_again(log: PublishLog, inbox: InboxLog) -> None:
    routed, unrouted = fetch(inbox, [new_item(mention(1), office="BPBD"), new_item(mention(2))])
    for item_id in (routed, unrouted):
        with log.transaction():
            record_answered(log.store, item_id, f"https://x.com/pemkot/status/{item_id}", T0)
        with log.transaction():
            record_reply_retracted(log.store, item_id, T0 + DAY)
    first, second = stored(inbox, routed), stored(inbox, unrouted)
    assert (first.status, first.office) == (Status.ASSIGNED, "BPBD")
    assert (second.status, second.office) == (Status.NEW, None)
    for item in (first, second):
        assert (item.answered_at, item.settled_at, item.reply_url) == (None, None, None)
    assert inbox.history(routed)[-1] == HistoryEntry(
        routed, T0 + DAY, "humaspost", Action.REOPENED, REPLY_RETRACTED
    )
    # Not answered (any more, or ever): left alone.
    with log.transaction():
        record_reply_retracted(log.store, routed, T0 + 2 * DAY)
    inbox.close(unrouted, "selesai", by="Budi", now=T0 + 2 * DAY)
    with log.transaction():
        record_reply_retracted(log.store, unrouted, T0 + 3 * DAY)
        record_reply_retracted(log.store, unrouted + 100, T0 + 3 * DAY)
    assert len(inbox.history(routed)) == 4  # received, routed, answered, reopened
    assert stored(inbox, unrouted).status is Status.CLOSED


def test_the_reply_deliveries_of_an_item(log: PublishLog, inbox: InboxLog) -> None:
    (item_id,) = fetch(inbox, [new_item(mention(1))])
    key = DeliveryKey("2026/12/balasan-42", ONCE, ACCOUNT)
    claim = log.claim(
        key, platform="twitter", due_at=T0, owner=ME, now=T0, lease=LEASE, kind=Kind.REPLY
    )
    assert claim is not None
    other = log.claim(
        DeliveryKey("2026/12/lain", ONCE, ACCOUNT), platform="twitter", due_at=T0, owner=ME,
        now=T0, lease=LEASE,
    )  # fmt: skip
    assert other is not None
    # Which item a reply delivery answers is written by the publisher's reply path.
    with log.transaction():
        log.store.execute(
            "UPDATE deliveries SET reply_to = ? WHERE id = ?", (item_id, claim.row_id)
        )
    (row,) = inbox.replies(item_id)
    assert (row.id, row.key, row.kind, row.state) == (
        claim.row_id,
        key,
        Kind.REPLY,
        RowState.SENDING,
    )
    assert inbox.replies(item_id + 1) == []


# Retention and purges


def test_retention_deletes_only_items_settled_before_the_cutoff(
    log: PublishLog, inbox: InboxLog
) -> None:
    old_closed, old_answered, old_open, recent, not_complaint = fetch(
        inbox, [new_item(mention(n, author_id=f"{n}")) for n in range(1, 6)]
    )
    inbox.close(old_closed, "selesai", by="Budi", now=T0 + DAY)
    with log.transaction():
        record_answered(log.store, old_answered, "https://x.com/pemkot/status/9", T0 + DAY)
    inbox.close(recent, "selesai", by="Budi", now=T0 + 10 * DAY)
    inbox.close(not_complaint, "iklan", by="Budi", now=T0 + DAY, not_complaint=True)
    assert inbox.purge_settled_before(T0 + 5 * DAY) == 3
    assert [item.id for item in everything(inbox)] == [old_open, recent]
    for gone in (old_closed, old_answered, not_complaint):
        assert inbox.item(gone) is None and inbox.history(gone) == []
    assert len(inbox.history(recent)) == 2
    assert inbox.purge_settled_before(T0 + 5 * DAY) == 0
    # Open items stay however old; the recent one goes once it is old enough.
    assert inbox.purge_settled_before(T0 + 400 * DAY) == 1
    assert [item.id for item in everything(inbox)] == [old_open]


def test_a_purge_deletes_only_that_authors_items(inbox: InboxLog) -> None:
    mine = fetch(
        inbox,
        [
            new_item(mention(1, author_id="1001", handle="Warga_Uji1")),
            new_item(mention(2, author_id="1001", handle="warga_uji1")),
            new_item(mention(3, author_id="2002", handle="warga_uji2")),
            new_item(
                mention(4, author_id="104857600000777", handle=None),
                account="pemkot-fb",
                platform="facebook",
            ),
        ],
    )
    inbox.close(mine[1], "selesai", by="Budi", now=T0 + MINUTE)
    assert inbox.authors("@WARGA_UJI1") == {("twitter", "1001")}
    assert inbox.authors(" warga_uji1 ") == {("twitter", "1001")}
    assert inbox.authors("1001") == {("twitter", "1001")}
    assert inbox.authors("104857600000777") == {("facebook", "104857600000777")}
    assert inbox.authors("warga_uji") == set()
    assert inbox.authors("") == set()
    assert inbox.purge_authors(inbox.authors("@warga_uji1")) == 2  # open and closed
    assert [item.author_id for item in everything(inbox)] == ["2002", "104857600000777"]
    for gone in mine[:2]:
        assert inbox.history(gone) == []
    assert inbox.history(mine[2]) != []
    assert inbox.purge_authors({("twitter", "1001")}) == 0
    assert inbox.purge_authors(set()) == 0


def test_the_pseudonym_key_is_made_once_per_log(location: LogLocation) -> None:
    with PublishLog(location) as first, PublishLog(location) as second:
        key = InboxLog(first).pseudonym_key()
        assert len(key) == 32
        assert InboxLog(second).pseudonym_key() == key
    with PublishLog(location, read_only=True) as reader:
        assert InboxLog(reader).pseudonym_key() == key


def test_a_log_with_items_has_its_key_for_a_reader(location: LogLocation) -> None:
    with PublishLog(location) as writer:
        fetch(InboxLog(writer), [new_item(mention(1))])
    # An export opens the log only for reading.
    with PublishLog(location, read_only=True) as reader:
        key = InboxLog(reader).pseudonym_key()
    with PublishLog(location) as writer:
        assert InboxLog(writer).pseudonym_key() == key


def test_the_pseudonym_key_differs_between_logs(tmp_path: Path) -> None:
    with PublishLog(tmp_path / "a.sqlite") as one, PublishLog(tmp_path / "b.sqlite") as two:
        assert InboxLog(one).pseudonym_key() != InboxLog(two).pseudonym_key()


# A log from before the inbox


def log_before_the_inbox(location: LogLocation) -> None:
    """A publish log as humaspost wrote it before the inbox (schema version 5), with one
    sent delivery of one part."""
    stamp = "2026-11-30T01:00:00.000000Z"
    statements = [
        ("INSERT INTO deliveries (post_id, occurrence, account, platform, state, due_at, url,"
         " sent_at, created_at, updated_at) VALUES ('lama', 'once', 'pemkot-x', 'twitter',"
         " 'sent', ?, 'u', ?, ?, ?)", (stamp,) * 4),
        ("INSERT INTO parts (delivery_id, part_index, remote_id, url, published_at)"
         " SELECT id, 0, '1800', 'u', ? FROM deliveries", (stamp,)),
    ]  # fmt: skip
    if isinstance(location, DatabaseUrl):
        with psycopg.connect(location.url, autocommit=True) as conn:
            for script in POSTGRES_MIGRATIONS[:5]:
                conn.execute(script)
            conn.execute("CREATE TABLE humaspost_schema (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO humaspost_schema (version) VALUES (5)")
            for sql, params in statements:
                conn.execute(sql.replace("?", "%s"), params)
        return
    location.parent.mkdir(parents=True)
    db = sqlite3.connect(location, isolation_level=None)
    for script in SQLITE_MIGRATIONS[:5]:
        db.executescript(script)
    for sql, params in statements:
        db.execute(sql, params)
    db.execute("PRAGMA user_version = 5")
    db.close()


def test_a_log_from_before_the_inbox_migrates_and_keeps_its_rows(location: LogLocation) -> None:
    log_before_the_inbox(location)
    with PublishLog(location) as log:
        assert log.store.version() == log.store.known_version == 6
        (row,) = log.search()
        assert (row.key.post_id, row.state, row.kind) == ("lama", RowState.SENT, Kind.POST)
        inbox = InboxLog(log)
        assert inbox.post_answered(ACCOUNT, "1800") == "lama"
        assert inbox.replies(1) == []
        assert fetch(inbox, [new_item(mention(1))]) == [1]


# PostgreSQL: two servers, lost answers


def test_two_servers_claiming_an_account_at_once_never_both_get_it(postgres_url: str) -> None:
    database = DatabaseUrl(postgres_url, DATABASE_VARIABLE)
    PublishLog(database).close()
    for round_number in range(5):
        now = T0 + round_number * 2 * LEASE
        account = f"akun-{round_number}"

        def take(number: int, now: datetime = now, account: str = account) -> bool:
            with PublishLog(database) as log:
                owner = f"server-{number}"
                return (
                    InboxLog(log).claim_fetch(account, "twitter", owner, now + LEASE, now)
                    is not None
                )

        assert sum(in_threads(4, take)) == 1


def test_inbox_writes_whose_answers_are_lost_change_nothing_twice(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    with relayed_log(postgres_server, postgres_url) as (relay, log):
        inbox = InboxLog(log)
        relay.lose_next_commit_answer()
        key = inbox.pseudonym_key()
        relay.lose_next_commit_answer()
        assert inbox.claim_fetch(ACCOUNT, "twitter", ME, T0 + LEASE, T0) is not None
        relay.lose_next_commit_answer()
        page = [new_item(mention(1)), new_item(mention(2), office="BPBD"), new_item(mention(1))]
        ids = inbox.store_page(ACCOUNT, ME, page, "{}", T0 + LEASE, T0)
        assert len(ids) == 2, "the items were stored, but the fetcher was told they were not new"
        relay.lose_next_commit_answer()
        inbox.release_fetch(ACCOUNT, ME, now=T0, complete=True)
        relay.lose_next_commit_answer()
        inbox.assign(ids[0], "DLH", by="Budi", now=T0 + MINUTE)
        relay.lose_next_commit_answer()
        closed = inbox.close(ids[0], "selesai", by="Budi", now=T0 + 2 * MINUTE)
        assert relay.cut == 6
        assert closed.status is Status.CLOSED
        assert [entry.action for entry in inbox.history(ids[0])] == [
            Action.RECEIVED,
            Action.ASSIGNED,
            Action.CLOSED,
        ]
        assert [entry.action for entry in inbox.history(ids[1])] == [
            Action.RECEIVED,
            Action.ROUTED,
        ]
        assert len(everything(inbox)) == 2
        assert inbox.claim_fetch(ACCOUNT, "twitter", OTHER, T0 + LEASE, T0) == FetchClaim(
            "{}", None, T0
        )
        assert inbox.pseudonym_key() == key
