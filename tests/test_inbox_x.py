"""The X adapter's inbox: mentions read and replies sent through the real tweepy and
requests code, against the local fake of X's API v2 (tests/fakes/x_server.py), which
checks every OAuth 1.0a signature, counts each user's mentions requests in X's
15-minute window and refuses a reply to a post that did not mention the account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from humaspost.inbox_model import InboxPage, Incoming, ReplyTarget
from humaspost.platforms.base import (
    Part,
    PartReceipt,
    PermanentError,
    PlatformContext,
    Receipt,
    TransientError,
    listening,
    replying,
)
from humaspost.platforms.twitter import TwitterPlatform
from tests.fakes.x_server import FakeX, Fault, Tweet
from tests.test_twitter_adapter import KEYS, NOW, Progress, account, fails

SINCE = NOW - timedelta(days=7)
ME = "1234567890"  # the account's user id (its token's prefix)


class Clock:
    """The moment X and the adapter agree it is; a test moves it on."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def x(clock: Clock) -> Iterator[FakeX]:
    with FakeX(
        consumer_key=KEYS["consumer_key"],
        consumer_secret=KEYS["consumer_secret"],
        access_token=KEYS["access_token"],
        access_token_secret=KEYS["access_token_secret"],
        clock=clock.epoch,
    ) as server:
        yield server


@pytest.fixture
def adapter(tmp_path: Path, clock: Clock) -> TwitterPlatform:
    return TwitterPlatform(PlatformContext(tmp_path, clock, timeout=5.0))


def read(
    adapter: TwitterPlatform, x: FakeX, cursor: str | None = None, since: datetime = SINCE
) -> list[InboxPage]:
    return list(adapter.read_inbox(account(x), cursor, since))


def citizens_write(x: FakeX, count: int, start: datetime = NOW - timedelta(hours=5)) -> list[Tweet]:
    """`count` mentions of the account by five citizens, a minute apart, oldest first."""
    return [
        x.mention(
            "pemkotbekasi",
            f"warga_uji{n % 5 + 1}",
            f"Jalan rusak & berlubang nomor {n}",
            created_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    ]


def ids(pages: list[InboxPage]) -> list[str]:
    return [item.remote_id for page in pages for item in page.items]


def newest_first(tweets: list[Tweet]) -> list[str]:
    return [t.id for t in reversed(tweets)]


# -- reading mentions -------------------------------------------------------------------------


def test_the_first_fetch_reads_every_page_since_the_bound_newest_first(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    x.person("warga_uji1", "Warga Contoh")
    x.mention(
        "pemkotbekasi",
        "warga_uji1",
        "Lampu mati sejak bulan lalu",
        created_at=SINCE - timedelta(hours=1),
    )
    tweets = citizens_write(x, 230)

    pages = read(adapter, x)

    assert [len(p.items) for p in pages] == [100, 100, 30]
    assert [p.complete for p in pages] == [False, False, True]
    assert ids(pages) == newest_first(tweets)  # nothing older than `since`
    assert json.loads(pages[-1].cursor) == {"since_id": tweets[-1].id}
    assert x.counts["mentions"] == 3 and x.rejected == []
    last = pages[0].items[0]
    assert last == Incoming(
        remote_id=tweets[-1].id,
        author_id=x.person("warga_uji5").user_id,
        author_name="Warga warga_uji5",
        author_handle="warga_uji5",
        text="@pemkotbekasi Jalan rusak & berlubang nomor 229",
        url=f"https://x.com/warga_uji5/status/{tweets[-1].id}",
        created_at=NOW - timedelta(hours=5) + timedelta(minutes=229),
        answers_remote_id=None,
    )
    assert last.created_at.tzinfo is UTC
    first = pages[-1].items[-1]
    assert (first.author_name, first.author_handle) == ("Warga Contoh", "warga_uji1")


def test_a_later_fetch_reads_only_what_is_new_in_one_request(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    citizens_write(x, 12)
    cursor = read(adapter, x)[-1].cursor
    fresh = x.mention("pemkotbekasi", "warga_uji9", "Banjir di Jalan Ahmad Yani")

    (page,) = read(adapter, x, cursor, since=NOW)
    assert [i.remote_id for i in page.items] == [fresh.id] and page.complete
    assert json.loads(page.cursor) == {"since_id": fresh.id}
    (nothing,) = read(adapter, x, page.cursor)
    assert nothing.items == () and nothing.complete and nothing.cursor == page.cursor
    assert x.counts["mentions"] == 3


def test_a_first_fetch_with_nothing_keeps_its_bound(adapter: TwitterPlatform, x: FakeX) -> None:
    (page,) = read(adapter, x)
    assert page.items == () and page.complete
    assert json.loads(page.cursor) == {"start_time": "2026-11-24T01:00:00Z"}
    # A week later the next fetch still starts from the first one's bound.
    late = x.mention("pemkotbekasi", "warga_uji1", "Sampah belum diangkut", created_at=NOW)
    (page,) = read(adapter, x, page.cursor, since=NOW + timedelta(days=7))
    assert [i.remote_id for i in page.items] == [late.id]


def test_the_accounts_own_posts_are_left_out(adapter: TwitterPlatform, x: FakeX) -> None:
    citizen = x.mention("pemkotbekasi", "warga_uji1", "Pohon tumbang di Jl. Juanda")
    x.mention("pemkotbekasi", "pemkotbekasi", "Terima kasih laporannya, @pemkotbekasi")
    (page,) = read(adapter, x)
    assert [i.remote_id for i in page.items] == [citizen.id]


def test_a_reply_to_our_post_names_the_post_it_answers(
    tmp_path: Path, adapter: TwitterPlatform, x: FakeX
) -> None:
    ours = adapter.publish((Part("Jadwal vaksinasi minggu ini"),), account(x), Progress(x))
    answer = x.mention(
        "pemkotbekasi", "warga_uji2", "Di puskesmas mana?", in_reply_to=ours.parts[0].remote_id
    )
    (page,) = read(adapter, x)
    (item,) = page.items
    assert (item.remote_id, item.answers_remote_id) == (answer.id, ours.parts[0].remote_id)


def test_a_long_post_comes_whole_and_as_written(adapter: TwitterPlatform, x: FakeX) -> None:
    long = "Saluran air di RT 03 & RT 04 <tersumbat>. " * 10
    x.mention("pemkotbekasi", "warga_uji3", long)
    (page,) = read(adapter, x)
    assert page.items[0].text == f"@pemkotbekasi {long}"


def test_a_fetch_cut_off_mid_walk_resumes_where_it_stood(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    tweets = citizens_write(x, 230)
    # The process dies after storing the first page: the rest is never asked for.
    first = next(adapter.read_inbox(account(x), None, SINCE))
    saved = json.loads(first.cursor)
    assert set(saved) == {"start_time", "next_token", "newest_id"}
    assert saved["newest_id"] == tweets[-1].id
    later = x.mention("pemkotbekasi", "warga_uji7", "Ada yang baru")

    rest = read(adapter, x, first.cursor, since=NOW)
    assert [len(p.items) for p in rest] == [100, 30]
    assert ids([first, *rest]) == newest_first(tweets)
    assert json.loads(rest[-1].cursor) == {"since_id": tweets[-1].id}
    # What came while the walk was cut off is the next fetch's.
    (page,) = read(adapter, x, rest[-1].cursor)
    assert [i.remote_id for i in page.items] == [later.id]


def test_a_saved_token_x_no_longer_takes_starts_the_walk_again(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    old = citizens_write(x, 20, start=NOW - timedelta(hours=9))
    cursor = read(adapter, x)[-1].cursor
    tweets = citizens_write(x, 150)
    first = next(adapter.read_inbox(account(x), cursor, SINCE))
    x.forget_page_tokens()

    again = read(adapter, x, first.cursor)
    # From the saved since_id again: the first page comes twice (the log stores it
    # once), nothing older than what the cursor had is read again.
    assert ids(again) == newest_first(tweets)
    assert json.loads(again[-1].cursor) == {"since_id": tweets[-1].id}
    assert not set(ids(again)) & {t.id for t in old}
    assert x.calls[-3:] == ["mentions"] * 3  # the refused one, then the two pages


def test_a_used_up_window_raises_with_the_reset_and_keeps_the_pages_before(
    adapter: TwitterPlatform, x: FakeX, clock: Clock
) -> None:
    x.limits["mentions"] = 2
    tweets = citizens_write(x, 230)
    pages: list[InboxPage] = []
    error = fails(TransientError, lambda: pages.extend(adapter.read_inbox(account(x), None, SINCE)))
    assert isinstance(error, TransientError) and error.retry_after == 900
    assert "rate limit for this account is used up; it resets in 900 s" in str(error)
    assert [len(p.items) for p in pages] == [100, 100]

    clock.now += timedelta(minutes=15)  # X's window has reset
    (rest,) = read(adapter, x, pages[-1].cursor)
    assert ids([*pages, rest]) == newest_first(tweets) and rest.complete


def test_a_429_with_x_reset_header_is_transient(adapter: TwitterPlatform, x: FakeX) -> None:
    x.fail("mentions", Fault("429", reset_at=NOW.timestamp() + 420))
    error = fails(TransientError, lambda: read(adapter, x))
    assert isinstance(error, TransientError) and error.retry_after == 420


def test_a_token_without_the_user_id_asks_x_who_the_account_is(tmp_path: Path) -> None:
    keys = KEYS | {"access_token": "at-WITHOUT-PREFIX-77"}
    with FakeX(
        consumer_key=keys["consumer_key"],
        consumer_secret=keys["consumer_secret"],
        access_token=keys["access_token"],
        access_token_secret=keys["access_token_secret"],
        user_id="5550001",
        clock=NOW.timestamp,
    ) as x:
        adapter = TwitterPlatform(PlatformContext(tmp_path, lambda: NOW))
        mine = x.mention("pemkotbekasi", "warga_uji1", "Halo")
        x.mention("pemkotbekasi", "pemkotbekasi", "@pemkotbekasi catatan")
        pages = list(adapter.read_inbox(account(x, access_token=keys["access_token"]), None, SINCE))
        assert ids(pages) == [mine.id]
        assert x.calls == ["me", "mentions"]


def test_a_citizen_mentioning_another_account_is_not_ours(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    x.add_user(
        consumer_key="ck-kec1",
        consumer_secret="cs-kec1-secret",
        access_token="1870000001-at-kec1",
        access_token_secret="ats-kec1-secret",
        user_id="1870000001",
        username="kec1",
    )
    x.mention("kec1", "warga_uji1", "Untuk kecamatan")
    ours = x.mention("pemkotbekasi", "warga_uji1", "Untuk kota")
    assert ids(read(adapter, x)) == [ours.id]


def test_the_adapter_listens_and_replies(adapter: TwitterPlatform) -> None:
    assert listening(adapter) is adapter and replying(adapter) is adapter


# -- replies ---------------------------------------------------------------------------------


def test_a_reply_answers_the_mention(adapter: TwitterPlatform, x: FakeX) -> None:
    mention = x.mention("pemkotbekasi", "warga_uji1", "Kapan jalan diperbaiki?")
    progress = Progress(x)
    receipt = adapter.reply(
        (Part("Terima kasih, petugas kami datang besok."),),
        account(x),
        progress,
        ReplyTarget(42, mention.id),
    )
    reply = x.live()[-1]
    assert (reply.text, reply.reply_to, reply.author_id) == (
        "Terima kasih, petugas kami datang besok.",
        mention.id,
        ME,
    )
    assert receipt == Receipt((PartReceipt(reply.id, f"https://x.com/i/web/status/{reply.id}"),))
    assert progress.calls == [("starting", 0), ("published", 0)]


def test_a_reply_of_several_parts_is_a_thread_under_the_mention(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    mention = x.mention("pemkotbekasi", "warga_uji1", "Bagaimana cara daftar?")
    parts = (Part("Satu"), Part("Dua"), Part("Tiga"))
    receipt = adapter.reply(parts, account(x), Progress(x), ReplyTarget(7, mention.id))
    one, two, three = x.live()[-3:]
    assert [(t.text, t.reply_to) for t in (one, two, three)] == [
        ("Satu", mention.id),
        ("Dua", one.id),
        ("Tiga", two.id),
    ]
    assert [p.remote_id for p in receipt.parts] == [one.id, two.id, three.id]
    # Resumed after its first part, it goes on under that part.
    progress = Progress(x, done=receipt.parts[:1])
    adapter.reply(
        (Part("Satu"), Part("Dua, lagi")), account(x), progress, ReplyTarget(7, mention.id)
    )
    assert x.live()[-1].reply_to == one.id and progress.calls == [("starting", 1), ("published", 1)]


def test_a_reply_to_a_post_that_did_not_mention_the_account_is_refused_clearly(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    stranger = x.others_post("Jalanan macet lagi", author="warga_uji4")
    before = len(x.tweets)
    error = fails(
        PermanentError,
        lambda: adapter.reply(
            (Part("Mohon maaf"),), account(x), Progress(x), ReplyTarget(3, stranger.id)
        ),
    )
    assert str(error).startswith(
        "X refuses the reply: X lets an app reply only to a post whose author mentioned or "
        "quoted the account"
    )
    assert "ask them to mention the account" in str(error)
    assert "have not been mentioned" in str(error)  # X's own words
    assert len(x.tweets) == before


def test_a_reply_to_a_mention_deleted_since_fails_for_good_unsent(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    mention = x.mention("pemkotbekasi", "warga_uji1", "Tolong dicek")
    mention.deleted = True  # the citizen deleted it before the answer went out
    before = len(x.tweets)
    error = fails(
        PermanentError,
        lambda: adapter.reply(
            (Part("Sudah kami cek"),), account(x), Progress(x), ReplyTarget(8, mention.id)
        ),
    )
    assert "the post this reply answers was deleted or cannot be seen" in str(error)
    assert "humaspost inbox close" in str(error)
    assert len(x.tweets) == before


def test_a_reply_without_the_mention_id_is_refused_unsent(
    adapter: TwitterPlatform, x: FakeX
) -> None:
    error = fails(
        PermanentError,
        lambda: adapter.reply((Part("Halo"),), account(x), Progress(x), ReplyTarget(5, None)),
    )
    assert str(error) == "account 'pemkot-x': inbox item 5 has no X post to reply to"
    assert x.calls == []


def test_retract_deletes_a_reply(adapter: TwitterPlatform, x: FakeX) -> None:
    mention = x.mention("pemkotbekasi", "warga_uji1", "Tolong dicek")
    receipt = adapter.reply(
        (Part("Sudah kami teruskan"), Part("Ke dinas terkait")),
        account(x),
        Progress(x),
        ReplyTarget(9, mention.id),
    )
    adapter.retract(receipt, account(x))
    assert [t.id for t in x.live()] == [mention.id]


def test_an_account_may_publish_a_thread_of_its_own(adapter: TwitterPlatform, x: FakeX) -> None:
    """The fake's reply rule leaves the account's own threads alone."""
    receipt = adapter.publish((Part("Satu"), Part("Dua")), account(x), Progress(x))
    assert x.live()[-1].reply_to == receipt.parts[0].remote_id


def test_reading_with_a_wrong_secret_names_no_secret(adapter: TwitterPlatform, x: FakeX) -> None:
    bad = account(x, access_token_secret="ats-WRONG-1")
    error = fails(PermanentError, lambda: list(adapter.read_inbox(bad, None, SINCE)))
    assert "refused the credentials of account 'pemkot-x'" in str(error)
