"""The X adapter through the real tweepy and requests code, against a local fake of X's
API v2 (tests/fakes/x_server.py) that checks every OAuth 1.0a signature."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
import urllib3

from humaspost.log_location import log_path
from humaspost.platforms.base import (
    MediaFile,
    Origin,
    Part,
    PartReceipt,
    PermanentError,
    PlatformContext,
    PublishError,
    Receipt,
    ResolvedAccount,
    TransientError,
    UncertainError,
    UsageCapped,
    resharing,
)
from humaspost.platforms.twitter import CHUNK_BYTES, TwitterPlatform, map_error
from humaspost.publisher import PublishSettings, Result, publish_due
from humaspost.publog import PublishLog, RowState
from humaspost.workflow import load_posts, plan_from_log, sendable
from tests.conftest import PNG_BYTES, Repo
from tests.fakes.x_server import FakeX, Fault

KEYS = {
    "consumer_key": "ck-PEMKOT-9f3a",
    "consumer_secret": "cs-SECRET-71c2e0",
    "access_token": "1234567890-at-TOKEN-55d1",
    "access_token_secret": "ats-SECRET-0b9e44",
}
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 64
DUPLICATE = "X refuses a post whose text is the same as a recent one; change the wording"


@pytest.fixture
def x() -> Iterator[FakeX]:
    with FakeX(
        consumer_key=KEYS["consumer_key"],
        consumer_secret=KEYS["consumer_secret"],
        access_token=KEYS["access_token"],
        access_token_secret=KEYS["access_token_secret"],
        clock=NOW.timestamp,
    ) as server:
        yield server


def account(x: FakeX | None = None, **settings: str) -> ResolvedAccount:
    api_url = x.url if x is not None else "http://127.0.0.1:9"
    return ResolvedAccount(
        "pemkot-x", "twitter", {"platform": "twitter", **KEYS, "api_url": api_url, **settings}
    )


def platform(tmp_path: Path, timeout: float = 5.0) -> TwitterPlatform:
    return TwitterPlatform(PlatformContext(tmp_path, lambda: NOW, timeout=timeout))


class Progress:
    """A ThreadProgress that records its calls, and what the fake had seen at each."""

    def __init__(self, x: FakeX | None = None, done: tuple[PartReceipt, ...] = ()) -> None:
        self.x = x
        self.earlier = done
        self.calls: list[tuple[str, int]] = []
        self.seen_at_start: list[list[str]] = []

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        return self.earlier

    def starting(self, index: int) -> None:
        self.calls.append(("starting", index))
        self.seen_at_start.append(list(self.x.calls) if self.x else [])

    def published(self, index: int, receipt: PartReceipt) -> None:
        self.calls.append(("published", index))


def publish(
    tmp_path: Path, x: FakeX, *parts: Part, progress: Progress | None = None, timeout: float = 5.0
) -> Receipt:
    return platform(tmp_path, timeout).publish(parts, account(x), progress or Progress(x))


def fails(kind: type[PublishError], action: Callable[[], object]) -> PublishError:
    """Run `action`, expecting `kind`; no key or token may appear in its message, nor in
    the messages of the exceptions it was raised from."""
    with pytest.raises(kind) as raised:
        action()
    error: BaseException | None = raised.value
    while error is not None:
        message = f"{error} {error!r}"
        assert not any(secret in message for secret in KEYS.values()), message
        error = error.__cause__ or error.__context__
    return raised.value


# -- publishing ----------------------------------------------------------------------------


def test_a_single_post(tmp_path: Path, x: FakeX) -> None:
    progress = Progress(x)
    receipt = publish(tmp_path, x, Part("Halo warga Bekasi"), progress=progress)
    (tweet,) = x.tweets
    assert (tweet.text, tweet.reply_to, tweet.media_ids) == ("Halo warga Bekasi", None, [])
    assert receipt == Receipt((PartReceipt(tweet.id, f"https://x.com/i/web/status/{tweet.id}"),))
    assert progress.calls == [("starting", 0), ("published", 0)]
    assert x.calls == ["create_tweet"] and x.rejected == []


def test_a_thread_with_two_images_and_alt_texts(tmp_path: Path, x: FakeX) -> None:
    (tmp_path / "banjir.png").write_bytes(PNG_BYTES)
    (tmp_path / "posko.jpg").write_bytes(JPEG_BYTES)
    media = (
        MediaFile(tmp_path / "banjir.png", "Peta banjir"),
        MediaFile(tmp_path / "posko.jpg", "Posko"),
    )
    progress = Progress(x)
    receipt = publish(
        tmp_path, x, Part("Satu", media), Part("Dua"), Part("Tiga"), progress=progress
    )
    uploads = ["upload", "metadata", "upload", "metadata"]
    assert x.calls == [*uploads, "create_tweet", "create_tweet", "create_tweet"]
    # The images went up before the first part was marked in flight.
    assert progress.seen_at_start[0] == uploads
    first, second = x.media.values()
    assert (first.category, first.media_type, first.data, first.alt) == (
        "tweet_image",
        "image/png",
        PNG_BYTES,
        "Peta banjir",
    )
    assert (second.category, second.media_type, second.data, second.alt) == (
        "tweet_image",
        "image/jpeg",
        JPEG_BYTES,
        "Posko",
    )
    one, two, three = x.tweets
    assert [(t.text, t.reply_to, t.media_ids) for t in x.tweets] == [
        ("Satu", None, [first.id, second.id]),
        ("Dua", one.id, []),
        ("Tiga", two.id, []),
    ]
    assert [p.remote_id for p in receipt.parts] == [one.id, two.id, three.id]
    assert receipt.url == f"https://x.com/i/web/status/{one.id}"


def test_a_media_only_post_sends_no_text(tmp_path: Path, x: FakeX) -> None:
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    publish(tmp_path, x, Part("", (MediaFile(tmp_path / "a.png", None),)))
    assert x.calls == ["upload", "create_tweet"]  # no alt text, no metadata request
    assert x.tweets[0].text is None and len(x.tweets[0].media_ids) == 1


def test_a_gif_goes_up_in_chunks_and_waits_for_processing(tmp_path: Path, x: FakeX) -> None:
    gif = b"GIF89a" + bytes(range(256)) * ((2 * CHUNK_BYTES + 1000) // 256)
    (tmp_path / "a.gif").write_bytes(gif)
    adapter = platform(tmp_path)
    waits: list[float] = []
    adapter.sleep = waits.append
    adapter.publish(
        (Part("Animasi", (MediaFile(tmp_path / "a.gif", "Animasi banjir"),)),),
        account(x),
        Progress(x),
    )
    assert x.calls == [
        "initialize",
        "append",
        "append",
        "append",
        "finalize",
        "status",
        "metadata",
        "create_tweet",
    ]
    (media,) = x.media.values()
    assert (media.category, media.media_type, media.data, media.alt) == (
        "tweet_gif",
        "image/gif",
        gif,
        "Animasi banjir",
    )
    assert waits == [1.0]
    assert x.tweets[0].media_ids == [media.id]


def test_a_thread_resumes_after_part_two_replying_to_it(tmp_path: Path, x: FakeX) -> None:
    first = publish(tmp_path, x, Part("Satu"), Part("Dua"))
    progress = Progress(x, done=first.parts)
    receipt = publish(tmp_path, x, Part("Satu"), Part("Dua"), Part("Tiga"), progress=progress)
    assert [t.text for t in x.tweets] == ["Satu", "Dua", "Tiga"]
    assert x.tweets[2].reply_to == first.parts[1].remote_id
    assert receipt.parts[:2] == first.parts and receipt.parts[2].remote_id == x.tweets[2].id
    assert progress.calls == [("starting", 2), ("published", 2)]


def test_retract_deletes_every_part_last_first(tmp_path: Path, x: FakeX) -> None:
    receipt = publish(tmp_path, x, Part("Satu"), Part("Dua"), Part("Tiga"))
    adapter = platform(tmp_path)
    adapter.retract(receipt, account(x))
    assert x.live() == []
    assert x.calls[-3:] == ["delete_tweet"] * 3
    # Deleted already (404 from X): fine.
    adapter.retract(receipt, account(x))
    assert x.calls[-3:] == ["delete_tweet"] * 3


def test_verify_says_who_the_account_posts_as(tmp_path: Path, x: FakeX) -> None:
    assert platform(tmp_path).verify(account(x)) == "posting as @pemkotbekasi"


def test_verify_refuses_a_token_that_can_only_read(tmp_path: Path, x: FakeX) -> None:
    x.access_level = "read"
    error = fails(PermanentError, lambda: platform(tmp_path).verify(account(x)))
    assert str(error).startswith(
        "the access token of account 'pemkot-x' (@pemkotbekasi) can only read"
    )


def test_a_wrong_consumer_secret_is_refused_by_the_fake(tmp_path: Path, x: FakeX) -> None:
    error = fails(
        PermanentError,
        lambda: platform(tmp_path).verify(account(x, consumer_secret="cs-WRONG-000")),
    )
    assert "refused the credentials of account 'pemkot-x'" in str(error)
    assert "Read and Write" in str(error)
    assert x.rejected == ["signature does not match"] and x.calls == []


def test_a_wrong_token_secret_is_refused_too(tmp_path: Path, x: FakeX) -> None:
    bad = account(x, access_token_secret="ats-WRONG-1")
    fails(PermanentError, lambda: platform(tmp_path).publish((Part("Halo"),), bad, Progress()))
    assert x.rejected == ["signature does not match"] and x.tweets == []
    publish(tmp_path, x, Part("Halo"))  # the right keys post
    assert [t.text for t in x.tweets] == ["Halo"]


def test_the_adapter_module_imports_no_network_library() -> None:
    code = "import sys, humaspost.platforms.twitter; print(sorted(m for m in sys.modules if m.split('.')[0] in {'tweepy', 'requests', 'urllib3'}))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# -- errors, through the fake ----------------------------------------------------------------


def test_429_is_transient_until_the_reset_header(tmp_path: Path, x: FakeX) -> None:
    x.fail("create_tweet", Fault("429", reset_at=NOW.timestamp() + 600))
    error = fails(TransientError, lambda: publish(tmp_path, x, Part("Halo")))
    assert isinstance(error, TransientError) and error.retry_after == 600
    assert "rate limit" in str(error)


def test_429_of_the_daily_cap_waits_for_the_cap(tmp_path: Path, x: FakeX) -> None:
    x.fail("create_tweet", Fault("429", reset_at=NOW.timestamp() + 7 * 3600, daily=True))
    error = fails(TransientError, lambda: publish(tmp_path, x, Part("Halo")))
    assert isinstance(error, TransientError) and error.retry_after == 7 * 3600
    assert "daily posting limit" in str(error)


def test_429_with_a_reset_in_the_past_waits_at_least_a_second(tmp_path: Path, x: FakeX) -> None:
    x.fail("upload", Fault("429", reset_at=NOW.timestamp() - 30))
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    error = fails(
        TransientError,
        lambda: publish(tmp_path, x, Part("Halo", (MediaFile(tmp_path / "a.png", None),))),
    )
    assert isinstance(error, TransientError) and error.retry_after == 1


def test_503_is_transient(tmp_path: Path, x: FakeX) -> None:
    x.fail("create_tweet", Fault("503"))
    error = fails(TransientError, lambda: publish(tmp_path, x, Part("Halo")))
    assert "503" in str(error)
    publish(tmp_path, x, Part("Halo"))  # and the next attempt goes through
    assert [t.text for t in x.tweets] == ["Halo"]


def test_a_refused_connection_is_transient(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends
    adapter = platform(tmp_path)
    closed = account(api_url=f"http://127.0.0.1:{port}")
    error = fails(TransientError, lambda: adapter.publish((Part("Halo"),), closed, Progress()))
    assert "connection refused" in str(error) and "nothing was sent" in str(error)


def test_an_expired_token_is_permanent(tmp_path: Path, x: FakeX) -> None:
    x.fail("create_tweet", Fault("401"))
    error = fails(PermanentError, lambda: publish(tmp_path, x, Part("Halo")))
    assert "credentials of account 'pemkot-x'" in str(error)


def test_the_same_text_again_is_refused_in_plain_words(tmp_path: Path, x: FakeX) -> None:
    publish(tmp_path, x, Part("Pengumuman libur"))
    error = fails(PermanentError, lambda: publish(tmp_path, x, Part("Pengumuman libur")))
    assert str(error) == DUPLICATE
    x.fail("create_tweet", Fault("duplicate"))
    assert str(fails(PermanentError, lambda: publish(tmp_path, x, Part("Lain")))) == DUPLICATE


def test_a_bad_request_is_permanent(tmp_path: Path, x: FakeX) -> None:
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    five = tuple(MediaFile(tmp_path / "a.png", None) for _ in range(5))
    error = fails(PermanentError, lambda: publish(tmp_path, x, Part("Lima foto", five)))
    assert "X rejected the request as invalid: Your media IDs are invalid" in str(error)
    long_alt = (MediaFile(tmp_path / "a.png", "a" * 1001),)
    error = fails(PermanentError, lambda: publish(tmp_path, x, Part("Alt", long_alt)))
    assert "at most 1000 characters" in str(error)
    assert x.tweets == []


def test_another_403_or_404_is_permanent_with_x_words() -> None:
    response = _response(
        403,
        b'{"title": "Forbidden", "detail": "You are not permitted to perform this action.", "type": "about:blank", "status": 403}',
    )
    error = _mapped(_tweepy_error(response), creating=True)
    assert isinstance(error, PermanentError)
    assert str(error) == "X refused the request: You are not permitted to perform this action."
    error = _mapped(_tweepy_error(_response(404, b"")), creating=True)
    assert isinstance(error, PermanentError) and str(error) == "X answered 404 Not Found"


def test_a_reply_to_a_part_x_cannot_see_yet_is_transient(tmp_path: Path, x: FakeX) -> None:
    first = publish(tmp_path, x, Part("Satu"), Part("Dua"))
    platform(tmp_path).retract(first, account(x))
    progress = Progress(x, done=first.parts)
    error = fails(
        TransientError,
        lambda: publish(tmp_path, x, Part("Satu"), Part("Dua"), Part("Tiga"), progress=progress),
    )
    assert "deleted or not visible" in str(error)
    assert [t.text for t in x.live()] == []


def test_a_timeout_while_creating_is_uncertain(tmp_path: Path, x: FakeX) -> None:
    x.fail("create_tweet", Fault("slow", delay=1.5))
    error = fails(UncertainError, lambda: publish(tmp_path, x, Part("Halo"), timeout=0.3))
    assert "may have been published" in str(error) and "timed out" in str(error)
    assert [t.text for t in x.tweets] == ["Halo"]  # which is why: X did post it


def test_a_timeout_during_an_upload_is_transient_and_nothing_is_in_flight(
    tmp_path: Path, x: FakeX
) -> None:
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    x.fail("upload", Fault("slow", delay=1.5))
    progress = Progress(x)
    parts = (Part("Halo", (MediaFile(tmp_path / "a.png", None),)),)
    error = fails(
        TransientError, lambda: publish(tmp_path, x, *parts, progress=progress, timeout=0.3)
    )
    assert "X did not answer (timed out waiting for the answer)" in str(error)
    assert progress.calls == [] and x.tweets == []


def test_a_timeout_setting_alt_text_is_transient(tmp_path: Path, x: FakeX) -> None:
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    x.fail("metadata", Fault("slow", delay=1.5))
    parts = (Part("Halo", (MediaFile(tmp_path / "a.png", "Alt"),)),)
    fails(TransientError, lambda: publish(tmp_path, x, *parts, timeout=0.3))


def test_a_reset_while_creating_is_uncertain(tmp_path: Path, x: FakeX) -> None:
    x.fail("create_tweet", Fault("reset"))
    error = fails(UncertainError, lambda: publish(tmp_path, x, Part("Halo")))
    assert "may have been published" in str(error)
    assert [t.text for t in x.tweets] == ["Halo"]


def test_a_reset_during_an_upload_is_transient(tmp_path: Path, x: FakeX) -> None:
    (tmp_path / "a.png").write_bytes(PNG_BYTES)
    x.fail("upload", Fault("reset"))
    fails(
        TransientError,
        lambda: publish(tmp_path, x, Part("Halo", (MediaFile(tmp_path / "a.png", None),))),
    )
    assert x.tweets == []


def test_a_failure_mid_thread_leaves_the_first_part_recorded(tmp_path: Path, x: FakeX) -> None:
    x.fail("create_tweet", Fault("503"), after=1)
    progress = Progress(x)
    fails(
        TransientError, lambda: publish(tmp_path, x, Part("Satu"), Part("Dua"), progress=progress)
    )
    assert progress.calls == [("starting", 0), ("published", 0), ("starting", 1)]
    assert [t.text for t in x.tweets] == ["Satu"]


def test_unreadable_media_is_permanent(tmp_path: Path, x: FakeX) -> None:
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * 64)
    error = fails(
        PermanentError,
        lambda: publish(tmp_path, x, Part("Halo", (MediaFile(tmp_path / "doc.pdf", None),))),
    )
    assert "doc.pdf cannot be posted to X" in str(error)
    error = fails(
        PermanentError,
        lambda: publish(tmp_path, x, Part("Halo", (MediaFile(tmp_path / "gone.png", None),))),
    )
    assert "cannot read gone.png" in str(error)
    assert x.calls == []


def test_missing_credentials_are_named_not_shown(tmp_path: Path) -> None:
    bare = ResolvedAccount("pemkot-x", "twitter", {"consumer_key": KEYS["consumer_key"]})
    error = fails(PermanentError, lambda: platform(tmp_path).verify(bare))
    assert (
        str(error)
        == "account 'pemkot-x' has no consumer_secret, access_token, access_token_secret in its settings"
    )


# -- reposts ---------------------------------------------------------------------------------


def origin_of(x: FakeX, text: str = "Program vaksinasi gratis") -> Origin:
    """A post by city hall's account, as the origin a district account reposts."""
    tweet = x.others_post(text)
    return Origin(f"https://x.com/pemkotbekasi_resmi/status/{tweet.id}", tweet.id, "vaksin")


def test_a_repost_and_its_undoing(tmp_path: Path, x: FakeX) -> None:
    origin = origin_of(x)
    adapter = platform(tmp_path)
    receipt = adapter.repost(origin, account(x), None)
    # The token's prefix is the user id: tweepy needs no get_me.
    assert x.calls == ["retweet"] and x.rejected == []
    assert x.retweets == [("1234567890", origin.remote_id)]
    assert receipt == Receipt((PartReceipt(origin.remote_id, origin.url),))
    adapter.unrepost(receipt, account(x))
    assert x.calls == ["retweet", "unretweet"] and x.retweets == []
    adapter.unrepost(receipt, account(x))  # undone already: X answers it as done
    assert x.calls[-1] == "unretweet"


def test_every_built_in_adapter_can_reshare(tmp_path: Path) -> None:
    assert resharing(platform(tmp_path)) is not None

    class Plugin:
        name: ClassVar[str] = "mastodon"

        def __init__(self, context: PlatformContext) -> None: ...

        def publish(
            self, parts: tuple[Part, ...], account: ResolvedAccount, progress: Any
        ) -> Receipt:
            raise NotImplementedError

        def retract(self, receipt: Receipt, account: ResolvedAccount) -> None: ...

        def verify(self, account: ResolvedAccount) -> str:
            return ""

    assert resharing(Plugin(PlatformContext(tmp_path, lambda: NOW))) is None


def test_reposting_again_is_success(tmp_path: Path, x: FakeX) -> None:
    origin = origin_of(x)
    adapter = platform(tmp_path)
    first = adapter.repost(origin, account(x), None)
    assert adapter.repost(origin, account(x), None) == first  # X's v2: the same answer
    x.fail("retweet", Fault("already-retweeted"))  # X's older refusal, code 327
    assert adapter.repost(origin, account(x), None) == first
    assert x.retweets == [("1234567890", origin.remote_id)]


def test_a_token_without_the_user_id_asks_x_once(tmp_path: Path) -> None:
    keys = KEYS | {"access_token": "at-WITHOUT-PREFIX-77"}
    with FakeX(
        consumer_key=keys["consumer_key"],
        consumer_secret=keys["consumer_secret"],
        access_token=keys["access_token"],
        access_token_secret=keys["access_token_secret"],
        user_id="5550001",
        clock=NOW.timestamp,
    ) as x:
        adapter = platform(tmp_path)
        fast = account(x, access_token=keys["access_token"])
        one, two = origin_of(x, "Satu"), origin_of(x, "Dua")
        adapter.repost(one, fast, None)
        receipt = adapter.repost(two, fast, None)
        adapter.unrepost(receipt, fast)
        assert x.calls == ["me", "retweet", "retweet", "unretweet"]
        assert x.retweets == [("5550001", one.remote_id)]


def test_a_repost_takes_no_comment(tmp_path: Path, x: FakeX) -> None:
    error = fails(
        PermanentError, lambda: platform(tmp_path).repost(origin_of(x), account(x), "Ayo!")
    )
    assert "account 'pemkot-x': an X repost cannot carry a comment" in str(error)
    assert x.calls == []


def test_an_origin_id_x_could_not_have_given_is_refused_unsent(tmp_path: Path, x: FakeX) -> None:
    bad = Origin("https://x.com/a/status/12ab", "12ab")
    error = fails(PermanentError, lambda: platform(tmp_path).repost(bad, account(x), None))
    assert str(error) == "'12ab' is not an X post id" and x.calls == []


def test_a_repost_of_a_deleted_post_is_permanent(tmp_path: Path, x: FakeX) -> None:
    gone = Origin("https://x.com/a/status/1999", "1999")
    error = fails(PermanentError, lambda: platform(tmp_path).repost(gone, account(x), None))
    assert "Could not find tweet" in str(error)


def test_a_repost_rate_limited_waits_for_the_reset(tmp_path: Path, x: FakeX) -> None:
    x.fail("retweet", Fault("429", reset_at=NOW.timestamp() + 840))
    error = fails(TransientError, lambda: platform(tmp_path).repost(origin_of(x), account(x), None))
    assert isinstance(error, TransientError) and error.retry_after == 840
    x.fail("retweet", Fault("429", reset_at=NOW.timestamp() + 5 * 3600, daily=True))
    error = fails(TransientError, lambda: platform(tmp_path).repost(origin_of(x), account(x), None))
    assert isinstance(error, TransientError) and error.retry_after == 5 * 3600
    assert "daily posting limit" in str(error) and x.retweets == []


def test_the_fake_says_reposts_have_a_window_of_50(tmp_path: Path, x: FakeX) -> None:
    origin = origin_of(x)
    client = platform(tmp_path)._client(account(x))
    client.return_type = requests.Response
    response = client.retweet(origin.remote_id, user_auth=True)
    assert response.headers["x-rate-limit-limit"] == "50"
    client.session.close()


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("usage-capped", "usage cap is reached (X: Usage cap exceeded: Monthly product cap)"),
        ("credits", "credits are used up (X: Your enrolled account"),
    ],
)
def test_a_used_up_app_is_its_own_permanent_error(
    tmp_path: Path, x: FakeX, fault: str, words: str
) -> None:
    x.fail("retweet", Fault(fault))
    error = fails(UsageCapped, lambda: platform(tmp_path).repost(origin_of(x), account(x), None))
    assert str(error).startswith("X refuses requests from account 'pemkot-x'")
    assert words in str(error)
    x.fail("create_tweet", Fault(fault))  # posts meet it too
    fails(UsageCapped, lambda: publish(tmp_path, x, Part("Halo")))


def test_a_429_usage_cap_is_not_mistaken_for_a_rate_limit() -> None:
    body = (
        b'{"title": "UsageCapExceeded", "type": "https://api.twitter.com/2/problems/usage-capped"}'
    )
    headers = {"x-rate-limit-reset": str(int(NOW.timestamp()) + 60)}
    error = _mapped(_tweepy_error(_response(429, body, headers)), creating=True)
    assert isinstance(error, UsageCapped) and "X: UsageCapExceeded" in str(error)


def test_a_cut_connection_after_the_repost_is_uncertain(tmp_path: Path, x: FakeX) -> None:
    origin = origin_of(x)
    x.fail("retweet", Fault("reset"))
    error = fails(UncertainError, lambda: platform(tmp_path).repost(origin, account(x), None))
    assert "may have been published" in str(error)
    assert x.retweets == [("1234567890", origin.remote_id)]  # which is why
    x.fail("retweet", Fault("slow", delay=1.5))
    fails(UncertainError, lambda: platform(tmp_path, timeout=0.3).repost(origin, account(x), None))


def test_a_failed_unrepost_is_transient(tmp_path: Path, x: FakeX) -> None:
    receipt = platform(tmp_path).repost(origin_of(x), account(x), None)
    x.fail("unretweet", Fault("503"))
    fails(TransientError, lambda: platform(tmp_path).unrepost(receipt, account(x)))
    x.fail("unretweet", Fault("reset"))  # nothing is created: never uncertain
    fails(TransientError, lambda: platform(tmp_path).unrepost(receipt, account(x)))
    platform(tmp_path).unrepost(receipt, account(x))
    assert x.retweets == []


# -- the mapping itself, for failures a local server cannot stage -----------------------------


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = {
        403: "Forbidden",
        404: "Not Found",
        429: "Too Many Requests",
        500: "Internal Server Error",
    }.get(status, "")
    response._content = body
    response.headers.update(headers or {})
    return response


def _tweepy_error(response: requests.Response) -> Exception:
    import tweepy

    kinds = {
        400: tweepy.BadRequest,
        401: tweepy.Unauthorized,
        403: tweepy.Forbidden,
        404: tweepy.NotFound,
        429: tweepy.TooManyRequests,
    }
    kind = kinds.get(
        response.status_code,
        tweepy.TwitterServerError if response.status_code >= 500 else tweepy.HTTPException,
    )
    error: Exception = kind(response)
    return error


def _mapped(error: BaseException, *, creating: bool) -> PublishError | None:
    return map_error(error, account(), creating=creating, now=NOW)


@pytest.mark.parametrize(
    ("error", "creating", "kind"),
    [
        (requests.exceptions.ConnectTimeout("connect timed out"), True, TransientError),
        (requests.exceptions.ReadTimeout("read timed out"), True, UncertainError),
        (requests.exceptions.ReadTimeout("read timed out"), False, TransientError),
        (
            requests.exceptions.ConnectionError(
                urllib3.exceptions.ProtocolError(
                    "Connection aborted.", ConnectionResetError(104, "reset")
                )
            ),
            True,
            UncertainError,
        ),
        (
            requests.exceptions.ConnectionError(
                urllib3.exceptions.ProtocolError(
                    "Connection aborted.", ConnectionResetError(104, "reset")
                )
            ),
            False,
            TransientError,
        ),
        (requests.exceptions.ChunkedEncodingError("broken"), True, UncertainError),
        (requests.exceptions.SSLError("handshake"), True, TransientError),
        (requests.exceptions.InvalidURL("bad"), True, PermanentError),
    ],
)
def test_network_failures(error: BaseException, creating: bool, kind: type[PublishError]) -> None:
    assert type(_mapped(error, creating=creating)) is kind


def test_a_name_that_does_not_resolve_is_transient() -> None:
    no_connection: Any = None  # urllib3 only keeps these for the message
    pool_error = urllib3.exceptions.NameResolutionError(
        "api.x.test", no_connection, socket.gaierror("no such host")
    )
    error = requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(no_connection, "/2/tweets", pool_error)
    )
    mapped = _mapped(error, creating=True)
    assert isinstance(mapped, TransientError) and "unknown host name" in str(mapped)


def test_other_exceptions_are_left_to_the_publisher() -> None:
    assert _mapped(KeyError("data"), creating=True) is None


def test_a_429_without_headers_leaves_the_wait_to_the_publisher() -> None:
    error = _mapped(_tweepy_error(_response(429, b"{}")), creating=True)
    assert isinstance(error, TransientError) and error.retry_after is None


def test_a_500_without_json_is_transient() -> None:
    error = _mapped(_tweepy_error(_response(500, b"<html>oops</html>")), creating=True)
    assert isinstance(error, TransientError) and "500 Internal Server Error" in str(error)


def test_secrets_x_might_echo_are_blanked() -> None:
    body = f'{{"detail": "token {KEYS["access_token"]} is not allowed", "status": 403}}'.encode()
    error = _mapped(_tweepy_error(_response(403, body)), creating=True)
    assert str(error) == "X refused the request: token *** is not allowed"


# -- with the real publisher and publish log ---------------------------------------------------


def test_the_publisher_resumes_a_thread_x_interrupted(tmp_path: Path, repo: Repo, x: FakeX) -> None:
    repo.post(
        "banjir.md",
        "---\npublish_at: 2026-12-01 08:00\nto: pemkot-x\n---\nSatu\n---\nDua\n---\nTiga\n",
    )
    # One clock for the publisher, the adapter and the fake X, set by each run.
    moment = [NOW]
    adapter = TwitterPlatform(PlatformContext(tmp_path, lambda: moment[0], timeout=5.0))
    x.clock = lambda: moment[0].timestamp()

    def run(now: datetime) -> list[Result]:
        moment[0] = now
        config = repo.config()
        loaded = load_posts(config, repo.root, now)
        path = log_path(config, sandbox=False, environ={})
        with PublishLog(path) as log:
            due = sendable(plan_from_log(loaded, config, log, now, until=now), now)
        outcomes = publish_due(
            due,
            adapters={"pemkot-x": adapter},
            accounts={"pemkot-x": account(x)},
            settings=PublishSettings(path, "test-host/1"),
            clock=lambda: moment[0],
            events=_Quiet(),
        )
        return [o.result for o in outcomes]

    # Part two meets a 503 (after part one went out): the delivery waits to retry.
    x.fail("create_tweet", Fault("503"), after=1)
    assert run(NOW) == [Result.RETRYING]
    assert [t.text for t in x.tweets] == ["Satu"]
    # The retry resumes at part two, replying to part one.
    assert run(NOW + timedelta(hours=1)) == [Result.SENT]
    one, two, three = x.tweets
    assert [(t.text, t.reply_to) for t in x.tweets] == [
        ("Satu", None),
        ("Dua", one.id),
        ("Tiga", two.id),
    ]
    with PublishLog(log_path(repo.config(), sandbox=False, environ={})) as log:
        (row,) = log.search()
        assert row.state is RowState.SENT and row.url == f"https://x.com/i/web/status/{one.id}"
        assert [p.remote_id for p in log.parts(row.id)] == [one.id, two.id, three.id]


def test_the_publisher_marks_a_timed_out_post_unknown(tmp_path: Path, repo: Repo, x: FakeX) -> None:
    repo.post("a.md", "---\npublish_at: 2026-12-01 08:00\nto: pemkot-x\n---\nHalo\n")
    config = repo.config()
    path = log_path(config, sandbox=False, environ={})
    with PublishLog(path) as log:
        due = sendable(
            plan_from_log(load_posts(config, repo.root, NOW), config, log, NOW, until=NOW), NOW
        )
    x.fail("create_tweet", Fault("slow", delay=1.5))
    (outcome,) = publish_due(
        due,
        adapters={"pemkot-x": platform(tmp_path, timeout=0.3)},
        accounts={"pemkot-x": account(x)},
        settings=PublishSettings(path, "test-host/1"),
        clock=lambda: NOW,
        events=_Quiet(),
    )
    assert outcome.result is Result.UNKNOWN and "may have been published" in (outcome.error or "")
    with PublishLog(path) as log:
        (row,) = log.search()
        assert row.state is RowState.UNKNOWN


class _Quiet:
    def started(self, delivery: object) -> None:
        pass

    def finished(self, outcome: object) -> None:
        pass
