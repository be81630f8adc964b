"""The Facebook adapter's inbox: comments on the Page's posts read, and replies sent,
through the real facebook-sdk against the local fake Graph API
(tests/fakes/facebook_server.py); and the sandbox's inbox, which reads nothing and
writes its replies to the outbox."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from humaspost.inbox_model import InboxPage, Incoming, ReplyTarget
from humaspost.platforms.base import (
    MediaFile,
    Part,
    PartReceipt,
    PermanentError,
    PlatformContext,
    PublishError,
    Receipt,
    ResolvedAccount,
    TransientError,
    UncertainError,
    listening,
    replying,
)
from humaspost.platforms.facebook import FacebookPlatform
from humaspost.platforms.sandbox import SandboxPlatform
from tests.fakes.facebook_server import Comment, FakeGraph, Fault, FeedPost
from tests.test_facebook_adapter import NOW, PAGE, TOKEN, Progress, account, assert_no_token

SINCE = NOW - timedelta(days=7)
WARGA = "7100000000000001"  # a citizen's page-scoped id


class Clock:
    """The moment Facebook and the adapter agree it is; a test moves it on."""

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
def graph(clock: Clock) -> Iterator[FakeGraph]:
    with FakeGraph(PAGE, TOKEN, clock=clock.epoch) as fake:
        yield fake


@pytest.fixture
def adapter(tmp_path: Path, clock: Clock) -> FacebookPlatform:
    return FacebookPlatform(PlatformContext(tmp_path, clock, timeout=5.0))


def read(
    adapter: FacebookPlatform, graph: FakeGraph, cursor: str | None = None, since: datetime = SINCE
) -> list[InboxPage]:
    return list(adapter.read_inbox(account(graph.url), cursor, since))


def ids(pages: list[InboxPage]) -> list[str]:
    return [item.remote_id for page in pages for item in page.items]


def citizens_comment(
    graph: FakeGraph, post: FeedPost, count: int, start: datetime = NOW - timedelta(hours=5)
) -> list[Comment]:
    """`count` comments on `post` by one citizen, a minute apart, oldest first."""
    return [
        graph.comment(
            post.id, WARGA, "Warga Contoh", f"Lampu jalan mati {n}", start + timedelta(minutes=n)
        )
        for n in range(count)
    ]


def newest_first(comments: list[Comment]) -> list[str]:
    return [c.id for c in reversed(comments)]


def fails(kind: type[PublishError], action: Callable[[], object]) -> PublishError:
    with pytest.raises(kind) as raised:
        action()
    assert_no_token(raised.value)
    return raised.value


# -- reading comments -------------------------------------------------------------------------


def test_the_first_fetch_reads_each_posts_new_comments_newest_first(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    old = graph.page_post("Jadwal posyandu", NOW - timedelta(days=20))
    new = graph.page_post("Pengumuman banjir", NOW - timedelta(days=1))
    ancient = graph.page_post("Tahun lalu", NOW - timedelta(days=40))
    graph.comment(ancient.id, WARGA, "Warga Contoh", "Masih berlaku?", NOW - timedelta(hours=1))
    graph.comment(old.id, WARGA, "Warga Contoh", "Sudah lama", NOW - timedelta(days=8))
    on_old = graph.comment(
        old.id, WARGA, "Warga Contoh", "Posyandu di mana?", NOW - timedelta(days=2)
    )
    comments = citizens_comment(graph, new, 150)

    pages = read(adapter, graph)

    # The newest post first, a page per comments page; the older post's old comment
    # is before `since`; the post older than 30 days is not read.
    assert [len(p.items) for p in pages] == [100, 50, 1]
    assert [p.complete for p in pages] == [False, False, True]
    assert ids(pages) == [*newest_first(comments), on_old.id]
    assert pages[0].items[0] == Incoming(
        remote_id=comments[-1].id,
        author_id=WARGA,
        author_name="Warga Contoh",
        author_handle=None,
        text="Lampu jalan mati 149",
        url=graph.permalink(new.id, comments[-1].id),
        created_at=NOW - timedelta(hours=5) + timedelta(minutes=149),
        answers_remote_id=new.id,
    )
    assert pages[0].items[0].created_at.tzinfo is UTC
    assert graph.counts == {"posts": 1, "comments": 3}
    saved = json.loads(pages[-1].cursor)
    assert set(saved) == {"posts"} and set(saved["posts"]) == {old.id, new.id}


def test_a_later_fetch_reads_only_new_comments(
    adapter: FacebookPlatform, graph: FakeGraph, clock: Clock
) -> None:
    post = graph.page_post("Perbaikan jalan")
    quiet = graph.page_post("Tidak ada komentar", NOW - timedelta(days=3))
    citizens_comment(graph, post, 30)
    cursor = read(adapter, graph)[-1].cursor
    clock.now += timedelta(minutes=10)
    fresh = graph.comment(post.id, "7100000000000002", "Warga Uji", "Masih rusak")
    late = graph.comment(quiet.id, "7100000000000003", "Warga Lain", "Akhirnya komentar")
    counted = graph.counts["comments"]

    pages = read(adapter, graph, cursor)
    assert ids(pages) == [fresh.id, late.id] and pages[-1].complete
    assert graph.counts["comments"] - counted == 2  # one request a post
    assert ids(read(adapter, graph, pages[-1].cursor)) == []


def test_the_pages_own_comments_are_left_out_and_a_hidden_author_is_kept(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    post = graph.page_post("Layanan KTP")
    asked = graph.comment(post.id, WARGA, "Warga Contoh", "Buka hari Sabtu?")
    graph.comment(post.id, PAGE, graph.name, "Buka, pukul 08.00", parent=asked.id)
    hidden = graph.comment(post.id, None, None, "Antrean panjang sekali")
    reply = graph.comment(post.id, "7100000000000002", "Warga Uji", "Terima kasih", parent=asked.id)

    (page,) = read(adapter, graph)
    assert [i.remote_id for i in page.items] == [reply.id, hidden.id, asked.id]
    assert (page.items[1].author_id, page.items[1].author_name) == ("", "")
    assert page.items[0].answers_remote_id == post.id  # a reply to a comment: the post


def test_a_fetch_cut_off_mid_scan_reads_that_post_again_and_loses_nothing(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    first_post = graph.page_post("Satu", NOW - timedelta(days=2))
    second_post = graph.page_post("Dua", NOW - timedelta(days=1))
    on_first = citizens_comment(graph, first_post, 3)
    on_second = citizens_comment(graph, second_post, 150)
    # The process dies after storing the first page: the rest is never asked for.
    cut = next(adapter.read_inbox(account(graph.url), None, SINCE))
    assert json.loads(cut.cursor) == {"posts": {}, "since": SINCE.isoformat()}

    rest = read(adapter, graph, cut.cursor)
    # That post again from its newest comment (the log stores the first 100 once).
    assert ids(rest) == [*newest_first(on_second), *newest_first(on_first)]
    assert set(json.loads(rest[-1].cursor)) == {"posts"}  # `since` is done with
    assert ids(read(adapter, graph, rest[-1].cursor)) == []


def test_a_post_seen_on_a_later_fetch_gives_every_comment(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    cursor = read(adapter, graph)[-1].cursor  # nothing on the Page yet
    post = graph.page_post("Dijadwalkan kemarin", NOW - timedelta(days=10))
    early = graph.comment(post.id, WARGA, "Warga Contoh", "Pertama", NOW - timedelta(days=9))
    assert ids(read(adapter, graph, cursor)) == [early.id]


def test_a_comment_of_the_same_second_as_the_marker_is_not_lost(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    post = graph.page_post("Vaksinasi")
    moment = NOW - timedelta(minutes=1)
    seen = graph.comment(post.id, WARGA, "Warga Contoh", "Satu", moment)
    cursor = read(adapter, graph)[-1].cursor
    same = graph.comment(post.id, "7100000000000002", "Warga Uji", "Dua", moment)
    pages = read(adapter, graph, cursor)
    assert ids(pages) == [same.id]
    assert seen.id in json.loads(pages[-1].cursor)["posts"][post.id][1]
    assert ids(read(adapter, graph, pages[-1].cursor)) == []


def test_posts_older_than_the_window_are_forgotten(
    adapter: FacebookPlatform, graph: FakeGraph, clock: Clock
) -> None:
    post = graph.page_post("Hampir sebulan", NOW - timedelta(days=29))
    graph.comment(post.id, WARGA, "Warga Contoh", "Komentar", NOW - timedelta(days=1))
    cursor = read(adapter, graph)[-1].cursor
    assert post.id in json.loads(cursor)["posts"]
    clock.now += timedelta(days=2)
    graph.comment(post.id, WARGA, "Warga Contoh", "Terlambat")
    (page,) = read(adapter, graph, cursor)
    assert page.items == () and page.complete
    assert json.loads(page.cursor) == {"posts": {}}


def test_many_posts_are_listed_page_by_page(adapter: FacebookPlatform, graph: FakeGraph) -> None:
    posts = [graph.page_post(f"Pos {n}", NOW - timedelta(hours=n)) for n in range(120)]
    comments = [graph.comment(p.id, WARGA, "Warga Contoh", "Halo") for p in posts[::30]]
    pages = read(adapter, graph)
    assert ids(pages) == [c.id for c in comments]
    assert len(pages) == 120 and graph.counts["posts"] == 2  # Graph's time-based paging


def test_a_rate_limit_raises_with_the_wait_and_keeps_the_pages_before(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    older = graph.page_post("Lama", NOW - timedelta(days=2))
    newer = graph.page_post("Baru", NOW - timedelta(days=1))
    on_newer = citizens_comment(graph, newer, 2)
    on_older = citizens_comment(graph, older, 2)
    graph.fail("comments", Fault.rate_limited(code=32, regain_minutes=5), after=1)
    pages: list[InboxPage] = []
    error = fails(
        TransientError, lambda: pages.extend(adapter.read_inbox(account(graph.url), None, SINCE))
    )
    assert isinstance(error, TransientError) and error.retry_after == 300
    assert "Facebook rate limit reached while reading the comments on post" in str(error)
    assert ids(pages) == newest_first(on_newer)
    rest = read(adapter, graph, pages[-1].cursor)
    assert ids(rest) == newest_first(on_older)


def test_an_expired_token_names_no_token(adapter: FacebookPlatform, graph: FakeGraph) -> None:
    graph.fail("posts", Fault.expired_token())
    error = fails(PermanentError, lambda: read(adapter, graph))
    assert "the Page access token is invalid or expired" in str(error)


def test_the_adapter_listens_and_replies(adapter: FacebookPlatform) -> None:
    assert listening(adapter) is adapter and replying(adapter) is adapter


# -- replies ---------------------------------------------------------------------------------


def a_comment(graph: FakeGraph) -> Comment:
    post = graph.page_post("Pengumuman")
    return graph.comment(post.id, WARGA, "Warga Contoh", "Kapan pasar murah?")


def reply(
    adapter: FacebookPlatform,
    graph: FakeGraph,
    *parts: Part,
    target: ReplyTarget,
    progress: Progress | None = None,
) -> Receipt:
    return adapter.reply(parts, account(graph.url), progress or Progress(graph), target)


def test_a_reply_is_a_comment_under_the_citizens_comment(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    asked = a_comment(graph)
    progress = Progress(graph)
    receipt = reply(
        adapter,
        graph,
        Part("Sabtu depan, di alun-alun.", link="https://bekasikota.go.id/pasar"),
        target=ReplyTarget(12, asked.id),
        progress=progress,
    )
    (answer,) = graph.replies()
    assert (answer.parent, answer.post_id) == (asked.id, asked.post_id)
    assert answer.message == "Sabtu depan, di alun-alun.\n\nhttps://bekasikota.go.id/pasar"
    assert receipt == Receipt((PartReceipt(answer.id, f"https://www.facebook.com/{answer.id}"),))
    assert progress.events == [("starting", 0, 0), ("published", 0, answer.id)]
    # The next fetch does not take the Page's own reply for a citizen's comment.
    assert ids(read(adapter, graph)) == [asked.id]


def test_a_reply_resumed_after_it_was_sent_is_not_sent_again(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    asked = a_comment(graph)
    done = (PartReceipt(f"{asked.id}9", "https://www.facebook.com/x"),)
    receipt = reply(
        adapter,
        graph,
        Part("Halo"),
        target=ReplyTarget(1, asked.id),
        progress=Progress(graph, done),
    )
    assert receipt.parts == done and graph.replies() == []


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        ((Part("Satu"), Part("Dua")), "a Facebook reply is one comment, not 2 parts"),
        ((Part("Foto", (MediaFile(Path("/tmp/a.png"), None),)),), "cannot carry photos"),
        ((Part("  "),), "nothing to reply: no text"),
    ],
    ids=["two parts", "media", "empty"],
)
def test_what_a_facebook_reply_cannot_be_is_refused_unsent(
    adapter: FacebookPlatform, graph: FakeGraph, parts: tuple[Part, ...], words: str
) -> None:
    asked = a_comment(graph)
    error = fails(
        PermanentError, lambda: reply(adapter, graph, *parts, target=ReplyTarget(1, asked.id))
    )
    assert words in str(error)
    assert graph.counts["comment"] == 0 and graph.replies() == []


def test_a_reply_without_the_comment_id_is_refused_unsent(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    error = fails(
        PermanentError, lambda: reply(adapter, graph, Part("Halo"), target=ReplyTarget(4, None))
    )
    assert str(error) == "account 'pemkot-fb': inbox item 4 has no comment to reply to"
    assert graph.calls == []


def test_a_lost_answer_to_a_reply_is_uncertain(adapter: FacebookPlatform, graph: FakeGraph) -> None:
    asked = a_comment(graph)
    graph.fail("comment", Fault.connection_reset())
    progress = Progress(graph)
    error = fails(
        UncertainError,
        lambda: reply(
            adapter, graph, Part("Halo"), target=ReplyTarget(1, asked.id), progress=progress
        ),
    )
    assert "may have been published" in str(error)
    assert progress.events == [("starting", 0, 0)]  # in flight when it went out
    assert len(graph.replies()) == 1  # which is why: Facebook did comment


def test_a_reply_to_a_deleted_comment_is_permanent(
    adapter: FacebookPlatform, graph: FakeGraph
) -> None:
    asked = a_comment(graph)
    graph.deleted.append(asked.id)
    error = fails(
        PermanentError, lambda: reply(adapter, graph, Part("Halo"), target=ReplyTarget(1, asked.id))
    )
    assert f"Facebook refused replying to comment {asked.id}" in str(error)


def test_retract_deletes_a_reply(adapter: FacebookPlatform, graph: FakeGraph) -> None:
    asked = a_comment(graph)
    receipt = reply(adapter, graph, Part("Sudah kami catat"), target=ReplyTarget(1, asked.id))
    adapter.retract(receipt, account(graph.url))
    assert graph.replies() == [] and graph.deleted == [receipt.parts[0].remote_id]


# -- the sandbox -----------------------------------------------------------------------------


def sandbox(tmp_path: Path) -> tuple[SandboxPlatform, ResolvedAccount]:
    context = PlatformContext(tmp_path, lambda: NOW, timezone=UTC)
    return SandboxPlatform(context), ResolvedAccount("latihan", "sandbox", {"like": "twitter"})


def test_the_sandbox_inbox_is_empty(tmp_path: Path) -> None:
    platform, trainee = sandbox(tmp_path)
    (page,) = platform.read_inbox(trainee, None, SINCE)
    assert page.items == () and page.complete
    (again,) = platform.read_inbox(trainee, page.cursor, SINCE)
    assert again == page


def test_the_sandbox_writes_a_reply_to_the_outbox(tmp_path: Path) -> None:
    platform, trainee = sandbox(tmp_path)
    parts = (
        Part("Terima kasih, kami cek.", post_id="balasan/42"),
        Part("Dua", post_id="balasan/42"),
    )
    receipt = platform.reply(parts, trainee, Progress(None), ReplyTarget(42, None))
    folder = tmp_path / "sandbox" / "latihan"
    names = sorted(path.name for path in folder.iterdir())
    assert names == [
        "2026-12-01_0100_balasan-42_reply_1.json",
        "2026-12-01_0100_balasan-42_reply_2.json",
    ]
    first, second = (json.loads((folder / name).read_text("utf-8")) for name in names)
    assert (first["reply_to"], first["text"], first["part"]) == (42, "Terima kasih, kami cek.", 1)
    assert second["reply_to"] == receipt.parts[0].remote_id
    assert first["post"] == "balasan/42" and first["url"] == receipt.url
    platform.retract(receipt, trainee)
    assert list(folder.iterdir()) == []
