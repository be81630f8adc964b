"""The Facebook adapter through the real facebook-sdk, against a local fake Graph API.

Each test starts `FakeGraph` on 127.0.0.1 and points the account's `api_url` at it;
everything between the adapter and that server (facebook-sdk, requests, urllib3) is
the real code. The publisher tests use a real publish log in a temp folder.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import facebook as facebook_sdk
import pytest
import requests
import urllib3.exceptions

from humaspost.log_location import log_path
from humaspost.platforms.base import (
    MediaFile,
    Origin,
    Part,
    PartReceipt,
    PermanentError,
    Platform,
    PlatformContext,
    PublishError,
    Receipt,
    ResolvedAccount,
    TransientError,
    UncertainError,
)
from humaspost.platforms.facebook import Answer, FacebookPlatform, UnreadableAnswer, classify_error
from humaspost.publisher import Outcome, PublishSettings, Result, publish_due
from humaspost.publog import PublishLog, RowState
from humaspost.workflow import load_posts, plan_from_log, sendable
from tests.conftest import PNG_BYTES, Repo
from tests.fakes.facebook_server import FakeGraph, Fault

TOKEN = "EAAJ4pemkotBekasiPageToken0123456789SECRET"
PAGE = "104857600000000"
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 08:00 WIB
TIMEOUT = 5.0  # generous: a loaded machine must not fail the ordinary tests
SHORT = 0.3  # for the tests that make the fake answer too late
LINK = "https://bekasikota.go.id/berita/pasar-murah"


class Progress:
    """A ThreadProgress that records what the adapter reported, and how many photos the
    fake held when the post was marked in flight."""

    def __init__(self, graph: FakeGraph | None, done: tuple[PartReceipt, ...] = ()) -> None:
        self.graph = graph
        self.previous = done
        self.events: list[tuple[str, int, object]] = []

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        return self.previous

    def starting(self, index: int) -> None:
        self.events.append(("starting", index, len(self.graph.photos) if self.graph else None))

    def published(self, index: int, receipt: PartReceipt) -> None:
        self.events.append(("published", index, receipt.remote_id))


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph(PAGE, TOKEN) as fake:
        yield fake


def adapter(tmp_path: Path, timeout: float = TIMEOUT) -> FacebookPlatform:
    return FacebookPlatform(PlatformContext(tmp_path, lambda: NOW, timeout=timeout))


def account(url: str, **settings: str) -> ResolvedAccount:
    values = {"page_id": PAGE, "access_token": TOKEN, "api_url": url, **settings}
    return ResolvedAccount("pemkot-fb", "facebook", values)


def photo(tmp_path: Path, name: str) -> MediaFile:
    path = tmp_path / name
    path.write_bytes(PNG_BYTES + name.encode())
    return MediaFile(path, f"alt of {name}")


def publish(
    graph: FakeGraph, tmp_path: Path, part: Part, timeout: float = TIMEOUT, **settings: str
) -> tuple[Receipt, Progress]:
    progress = Progress(graph)
    receipt = adapter(tmp_path, timeout).publish((part,), account(graph.url, **settings), progress)
    return receipt, progress


def failure(
    graph: FakeGraph, tmp_path: Path, part: Part, timeout: float = TIMEOUT, **settings: str
) -> tuple[PublishError, Progress]:
    progress = Progress(graph)
    with pytest.raises(PublishError) as caught:
        adapter(tmp_path, timeout).publish((part,), account(graph.url, **settings), progress)
    assert_no_token(caught.value)
    return caught.value, progress


def assert_no_token(error: BaseException) -> None:
    """Neither the message, nor the repr, nor the traceback a log would print (with
    every chained exception) shows the token."""
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
    assert TOKEN not in shown
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ------------------------------------------------------------------------ publishing


def test_text_and_link_go_to_the_feed(graph: FakeGraph, tmp_path: Path) -> None:
    receipt, progress = publish(graph, tmp_path, Part("Pasar murah hari ini.", link=LINK))
    (post,) = graph.feed
    assert (post.message, post.link, post.attached_media) == ("Pasar murah hari ini.", LINK, [])
    assert receipt.parts == (PartReceipt(post.id, f"https://www.facebook.com/{post.id}"),)
    assert progress.events == [("starting", 0, 0), ("published", 0, post.id)]
    assert graph.photos == [] and post.id.startswith(f"{PAGE}_")


def test_text_alone(graph: FakeGraph, tmp_path: Path) -> None:
    publish(graph, tmp_path, Part("Selamat pagi, warga Bekasi!"))
    assert [(p.message, p.link) for p in graph.feed] == [("Selamat pagi, warga Bekasi!", None)]


def test_one_photo_is_a_published_photo_with_its_caption(graph: FakeGraph, tmp_path: Path) -> None:
    image = photo(tmp_path, "peta.png")
    receipt, progress = publish(graph, tmp_path, Part("Peta rawan banjir", (image,)))
    (uploaded,) = graph.photos
    assert (uploaded.filename, uploaded.content) == ("peta.png", image.path.read_bytes())
    assert (uploaded.message, uploaded.published) == ("Peta rawan banjir", True)
    assert receipt.parts[0].remote_id == uploaded.post_id  # the post, not the photo
    assert receipt.url == f"https://www.facebook.com/{uploaded.post_id}"
    assert graph.feed == [] and progress.events[0] == ("starting", 0, 0)


def test_one_photo_without_post_id_in_the_answer_uses_the_photo_id(
    graph: FakeGraph, tmp_path: Path
) -> None:
    graph.photo_post_ids = False
    receipt, _ = publish(graph, tmp_path, Part("Foto", (photo(tmp_path, "a.png"),)))
    assert receipt.parts[0].remote_id == graph.photos[0].id


def test_three_photos_are_uploaded_unpublished_then_attached_in_order(
    graph: FakeGraph, tmp_path: Path
) -> None:
    images = tuple(photo(tmp_path, f"foto-{n}.png") for n in (1, 2, 3))
    receipt, progress = publish(graph, tmp_path, Part("Kerja bakti", images, link=LINK))
    assert [(p.filename, p.published, p.message) for p in graph.photos] == [
        ("foto-1.png", False, None),
        ("foto-2.png", False, None),
        ("foto-3.png", False, None),
    ]
    (post,) = graph.feed
    assert post.attached_media == [p.id for p in graph.photos]
    # A photo post cannot show a link preview: the link ends the text.
    assert (post.message, post.link) == (f"Kerja bakti\n\n{LINK}", None)
    assert receipt.parts[0].remote_id == post.id
    # In flight only once the three uploads (which publish nothing) are done.
    assert progress.events == [("starting", 0, 3), ("published", 0, post.id)]
    assert [path for _, path in graph.calls] == [f"/v23.0/{PAGE}/photos"] * 3 + [
        f"/v23.0/{PAGE}/feed"
    ]


def test_a_part_already_published_is_not_sent_again(graph: FakeGraph, tmp_path: Path) -> None:
    done = (PartReceipt(f"{PAGE}_1", f"https://www.facebook.com/{PAGE}_1"),)
    progress = Progress(graph, done)
    receipt = adapter(tmp_path).publish((Part("Halo"),), account(graph.url), progress)
    assert receipt.parts == done and graph.calls == []


def test_more_than_one_part_is_refused_before_sending(graph: FakeGraph, tmp_path: Path) -> None:
    with pytest.raises(PermanentError, match="one part"):
        adapter(tmp_path).publish((Part("a"), Part("b")), account(graph.url), Progress(graph))
    assert graph.calls == []


def test_a_missing_photo_file_is_permanent(graph: FakeGraph, tmp_path: Path) -> None:
    missing = MediaFile(tmp_path / "hilang.png", None)
    error, progress = failure(graph, tmp_path, Part("x", (missing,)))
    assert isinstance(error, PermanentError) and "hilang.png" in str(error)
    assert progress.events == [] and graph.calls == []


# --------------------------------------------------------------------- error mapping


FEED_FAULTS = [
    pytest.param(Fault.rate_limited(4), TransientError, "rate limit", id="rate-limit-4"),
    pytest.param(Fault.rate_limited(17), TransientError, "rate limit", id="rate-limit-17"),
    pytest.param(Fault.rate_limited(32), TransientError, "rate limit", id="rate-limit-32"),
    pytest.param(Fault.rate_limited(613), TransientError, "rate limit", id="rate-limit-613"),
    pytest.param(Fault.server_error(500), TransientError, "HTTP 500", id="500-json"),
    pytest.param(Fault.server_error(503, html=True), TransientError, "HTTP 503", id="503-html"),
    pytest.param(
        Fault.expired_token(), PermanentError, "long-lived Page access token", id="token-190"
    ),
    pytest.param(Fault.duplicate(), PermanentError, "identical to a recent one", id="dup-506"),
    pytest.param(Fault.blocked(), PermanentError, "policy or spam checks", id="policy-368"),
    pytest.param(
        Fault.graph_error(200, "(#200) Requires the pages_manage_posts permission"),
        PermanentError,
        "pages_manage_posts",
        id="other-200",
    ),
    pytest.param(Fault.connection_reset(), UncertainError, "may have been published", id="reset"),
    pytest.param(
        Fault.connection_reset(before_answer=True),
        UncertainError,
        "may have been published",
        id="reset-before-answer",
    ),
]


@pytest.mark.parametrize(("fault", "kind", "says"), FEED_FAULTS)
def test_feed_post_errors(
    graph: FakeGraph, tmp_path: Path, fault: Fault, kind: type[PublishError], says: str
) -> None:
    graph.fail("feed", fault)
    error, progress = failure(graph, tmp_path, Part("Halo warga", link=LINK))
    assert type(error) is kind and says in str(error)
    if kind is TransientError:
        assert error.retry_after is None  # type: ignore[attr-defined]
    graph.settle()
    # An uncertain post really may exist: the fake made it before the connection broke.
    assert len(graph.feed) == (1 if kind is UncertainError else 0)
    assert progress.events == [("starting", 0, 0)]


def test_rate_limit_honours_the_time_to_regain_access(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("feed", Fault.rate_limited(32, regain_minutes=5))
    error, _ = failure(graph, tmp_path, Part("Halo"))
    assert isinstance(error, TransientError) and error.retry_after == 300


def test_no_answer_in_time_to_a_feed_post_is_uncertain(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("feed", Fault.slow(SHORT * 2))
    error, _ = failure(graph, tmp_path, Part("Halo"), timeout=SHORT)
    assert isinstance(error, UncertainError)
    assert f"no answer within {SHORT:g} s while publishing the post" in str(error)
    graph.settle()
    assert len(graph.feed) == 1  # it was published after all


def test_a_published_photo_whose_answer_is_lost_is_uncertain(
    graph: FakeGraph, tmp_path: Path
) -> None:
    graph.fail("photos", Fault.connection_reset())
    error, _ = failure(graph, tmp_path, Part("Foto", (photo(tmp_path, "a.png"),)))
    assert isinstance(error, UncertainError) and "publishing the photo" in str(error)


@pytest.mark.parametrize(
    "fault",
    [Fault.connection_reset(), Fault.connection_reset(before_answer=True), Fault.slow(SHORT * 2)],
    ids=["reset", "reset-before-answer", "timeout"],
)
def test_an_unpublished_photo_upload_that_fails_is_transient(
    graph: FakeGraph, tmp_path: Path, fault: Fault
) -> None:
    graph.fail("photos", fault)
    images = (photo(tmp_path, "a.png"), photo(tmp_path, "b.png"))
    error, progress = failure(graph, tmp_path, Part("Foto", images), timeout=SHORT)
    assert isinstance(error, TransientError)
    assert "uploading photo 1 of 2 (a.png)" in str(error)
    assert progress.events == [] and graph.feed == []  # nothing public, nothing in flight


def test_a_rate_limit_during_the_uploads_is_transient(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("photos", Fault.rate_limited(4))
    images = (photo(tmp_path, "a.png"), photo(tmp_path, "b.png"))
    error, progress = failure(graph, tmp_path, Part("Foto", images))
    assert isinstance(error, TransientError) and progress.events == []


def test_a_reset_after_three_uploads_is_uncertain(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("feed", Fault.connection_reset())
    images = tuple(photo(tmp_path, f"{n}.png") for n in range(3))
    error, progress = failure(graph, tmp_path, Part("Foto", images))
    assert isinstance(error, UncertainError) and progress.events == [("starting", 0, 3)]


def test_connection_refused_is_transient(tmp_path: Path) -> None:
    url = closed_port_url()
    for call in (
        lambda: adapter(tmp_path).publish((Part("x"),), account(url), Progress(None)),
        lambda: adapter(tmp_path).verify(account(url)),  # its URL holds the token
        lambda: adapter(tmp_path).retract(Receipt((PartReceipt(f"{PAGE}_1", "u"),)), account(url)),
    ):
        with pytest.raises(TransientError, match="connection refused") as caught:
            call()
        assert_no_token(caught.value)


def test_a_wrong_token_is_refused_by_the_fake(graph: FakeGraph, tmp_path: Path) -> None:
    wrong = account(graph.url, access_token="EAAwrongtoken")
    with pytest.raises(PermanentError, match="token is invalid or expired") as caught:
        adapter(tmp_path).publish((Part("Halo"),), wrong, Progress(graph))
    assert "EAAwrongtoken" not in str(caught.value) and graph.feed == []


# ----------------------------------------------------------- retract, verify, settings


def test_retract_deletes_the_post(graph: FakeGraph, tmp_path: Path) -> None:
    receipt, _ = publish(graph, tmp_path, Part("Salah ketik"))
    adapter(tmp_path).retract(receipt, account(graph.url))
    assert graph.deleted == [graph.feed[0].id]
    assert graph.calls[-1] == ("DELETE", f"/v23.0/{graph.feed[0].id}")
    with pytest.raises(PermanentError, match="does not exist") as caught:
        adapter(tmp_path).retract(receipt, account(graph.url))
    assert_no_token(caught.value)


def test_retract_errors_are_mapped(graph: FakeGraph, tmp_path: Path) -> None:
    receipt, _ = publish(graph, tmp_path, Part("Halo"))
    graph.fail("delete", Fault.connection_reset())
    with pytest.raises(TransientError):  # deleting twice does no harm
        adapter(tmp_path).retract(receipt, account(graph.url))
    with pytest.raises(PermanentError, match="not a Facebook post id"):
        adapter(tmp_path).retract(Receipt((PartReceipt("../me", "u"),)), account(graph.url))


# ------------------------------------------------------------------------ shares

CITY_POST = Origin(
    "https://www.facebook.com/104857600000000_900000000000777",
    "104857600000000_900000000000777",
    "vaksin",
)


def test_a_share_with_a_comment(graph: FakeGraph, tmp_path: Path) -> None:
    receipt = adapter(tmp_path).repost(CITY_POST, account(graph.url), "  Ayo vaksin!  ")
    (share,) = graph.shares()
    assert (share.link, share.message) == (CITY_POST.url, "Ayo vaksin!")
    assert receipt == Receipt((PartReceipt(share.id, f"https://www.facebook.com/{share.id}"),))
    assert graph.calls == [("POST", f"/v23.0/{PAGE}/feed")]


def test_a_share_without_a_comment_and_its_deletion(graph: FakeGraph, tmp_path: Path) -> None:
    receipt = adapter(tmp_path).repost(CITY_POST, account(graph.url), None)
    (share,) = graph.shares()
    assert (share.link, share.message) == (CITY_POST.url, None)
    adapter(tmp_path).unrepost(receipt, account(graph.url))
    assert graph.deleted == [share.id] and graph.shares() == []
    adapter(tmp_path).unrepost(receipt, account(graph.url))  # deleted already: fine
    assert graph.calls[-1] == ("DELETE", f"/v23.0/{share.id}")


def test_a_share_whose_answer_is_lost_is_uncertain(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("feed", Fault.connection_reset())
    with pytest.raises(UncertainError, match="may have been published") as caught:
        adapter(tmp_path).repost(CITY_POST, account(graph.url), None)
    assert_no_token(caught.value)
    assert len(graph.shares()) == 1  # which is why


def test_share_errors_are_mapped(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("feed", Fault.rate_limited(32, regain_minutes=5))
    with pytest.raises(TransientError) as caught:
        adapter(tmp_path).repost(CITY_POST, account(graph.url), None)
    assert isinstance(caught.value, TransientError) and caught.value.retry_after == 300
    assert "while sharing https://www.facebook.com/" in str(caught.value)
    graph.fail("delete", Fault.server_error())
    receipt = Receipt((PartReceipt(f"{PAGE}_1", "u"),))
    with pytest.raises(TransientError):
        adapter(tmp_path).unrepost(receipt, account(graph.url))


def test_a_share_of_something_not_a_web_address_is_refused_unsent(
    graph: FakeGraph, tmp_path: Path
) -> None:
    with pytest.raises(PermanentError, match="is not a web address to share"):
        adapter(tmp_path).repost(Origin("sandbox://kota/x", "x"), account(graph.url), None)
    assert graph.calls == []


def test_verify_names_the_page(graph: FakeGraph, tmp_path: Path) -> None:
    assert adapter(tmp_path).verify(account(graph.url)) == "posting as page Pemerintah Kota Bekasi"
    assert graph.calls == [("GET", f"/v23.0/{PAGE}")]


def test_verify_with_an_expired_token(graph: FakeGraph, tmp_path: Path) -> None:
    graph.fail("read", Fault.expired_token())
    with pytest.raises(PermanentError, match="renewed") as caught:
        adapter(tmp_path).verify(account(graph.url))
    assert "Session has expired" in str(caught.value)
    assert_no_token(caught.value)


def test_graph_version_is_configurable(tmp_path: Path) -> None:
    with FakeGraph(PAGE, TOKEN, versions=("v24.0",)) as newer:
        publish(newer, tmp_path, Part("Halo"), graph_version="24.0")
        adapter(tmp_path).verify(account(newer.url, graph_version="v24.0"))
        assert [path for _, path in newer.calls] == [f"/v24.0/{PAGE}/feed", f"/v24.0/{PAGE}"]


def test_an_unknown_graph_version_is_refused_by_facebook(graph: FakeGraph, tmp_path: Path) -> None:
    error, _ = failure(graph, tmp_path, Part("Halo"), graph_version="v99.0")
    assert isinstance(error, PermanentError) and "Unknown path components" in str(error)


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("graph_version", "latest", "graph_version must look like v23.0"),
        ("page_id", "pemkot.bekasi", "numeric ID"),
        ("access_token", "", "access_token is empty"),
        ("api_url", "http://graph.example.org", "must use https"),
        ("api_url", "graph.facebook.com", "must be a web address"),
    ],
)
def test_bad_settings_are_refused_before_sending(
    graph: FakeGraph, tmp_path: Path, setting: str, value: str, says: str
) -> None:
    with pytest.raises(PermanentError, match=says):
        adapter(tmp_path).publish(
            (Part("x"),), account(graph.url, **{setting: value}), Progress(graph)
        )
    assert graph.calls == []


def test_importing_the_adapter_loads_no_network_library() -> None:
    code = (
        "import sys, humaspost.platforms.facebook as f; f.FacebookPlatform.name; "
        "print(sorted(m for m in ('facebook', 'requests', 'urllib3') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# ------------------------------------------------------------ the mapping, directly


def graph_error(code: int, message: str = "nope", **extra: object) -> Exception:
    error: Exception = facebook_sdk.GraphAPIError(
        {"error": {"message": message, "code": code, **extra}}
    )
    return error


def classify(
    error: BaseException, creating: bool = True, answer: Answer | None = None
) -> PublishError:
    mapped = classify_error(
        error,
        what="publishing the post",
        creating=creating,
        answer=answer,
        timeout=2.0,
        secrets=(TOKEN,),
    )
    assert TOKEN not in str(mapped)
    return mapped


def test_mapping_of_errors_without_a_fake() -> None:
    url = f"/v23.0/{PAGE}?access_token={TOKEN}"
    connect_timeout = requests.ConnectTimeout(
        urllib3.exceptions.MaxRetryError(None, url, urllib3.exceptions.ConnectTimeoutError("slow"))  # type: ignore[arg-type]
    )
    assert TOKEN in str(connect_timeout)  # what requests would have shown
    assert isinstance(classify(connect_timeout), TransientError)
    assert isinstance(classify(requests.ReadTimeout("x")), UncertainError)
    assert isinstance(classify(requests.ReadTimeout("x"), creating=False), TransientError)
    assert isinstance(classify(requests.exceptions.ChunkedEncodingError("x")), UncertainError)
    assert isinstance(classify(requests.exceptions.InvalidURL(url)), PermanentError)
    # A Graph message quoting the token (or a URL with it) is redacted.
    said = classify(graph_error(100, f"bad {url} and {TOKEN}"))
    assert isinstance(said, PermanentError) and "access_token=***" in str(said)
    # 5xx with Graph's JSON, and Graph's is_transient flag, are transient.
    assert isinstance(classify(graph_error(1), answer=Answer(500, {})), TransientError)
    assert isinstance(classify(graph_error(2, is_transient=True)), TransientError)
    # A usable Retry-After wins; a useless usage header gives None.
    limited = classify(graph_error(613), answer=Answer(400, {"Retry-After": "120"}))
    assert isinstance(limited, TransientError) and limited.retry_after == 120
    odd = classify(graph_error(4), answer=Answer(400, {"X-Business-Use-Case-Usage": "{oops"}))
    assert isinstance(odd, TransientError) and odd.retry_after is None
    # Answers that are not Graph JSON.
    assert isinstance(classify(UnreadableAnswer(Answer(502, {}, "text/html"))), TransientError)
    assert isinstance(classify(UnreadableAnswer(Answer(200, {}, "text/html"))), UncertainError)
    assert isinstance(
        classify(UnreadableAnswer(Answer(200, {}, "")), creating=False), PermanentError
    )
    assert isinstance(classify(UnreadableAnswer(Answer(404, {}, "text/html"))), PermanentError)
    throttled = classify(UnreadableAnswer(Answer(429, {"retry-after": "30"}, "text/plain")))
    assert isinstance(throttled, TransientError) and throttled.retry_after == 30
    # facebook-sdk's own bugs: the type name only.
    assert str(classify(KeyError(TOKEN))).endswith("(KeyError)")
    after_answer = classify(KeyError("x"), answer=Answer(200, {}, "application/json"))
    assert isinstance(after_answer, UncertainError)


# --------------------------------------------------------------- the fake's strictness


@pytest.mark.parametrize(
    ("path", "data", "files", "code"),
    [
        ("/v23.0/{page}/feed", {}, None, 100),
        ("/v23.0/{page}/feed", {"attached_media": "not json"}, None, 100),
        ("/v23.0/{page}/feed", {"attached_media": '[{"media_fbid": "42"}]'}, None, 100),
        ("/v23.0/{page}/photos", {"message": "no file"}, None, 324),
        ("/v23.0/{page}/photos", {"published": "False"}, {"source": ("a.png", b"x")}, 100),
        ("/v99.0/{page}/feed", {"message": "x"}, None, 2500),
        ("/v23.0/{page}/feed", {"message": "x", "access_token": "wrong"}, None, 190),
    ],
)
def test_the_fake_refuses_bad_requests(
    graph: FakeGraph,
    path: str,
    data: dict[str, str],
    files: dict[str, tuple[str, bytes]] | None,
    code: int,
) -> None:
    form = {"access_token": TOKEN, **data}
    response = requests.post(graph.url + path.format(page=PAGE), data=form, files=files, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert graph.feed == [] and [p for p in graph.photos if p.published] == []


def test_the_fake_takes_the_token_from_the_query(graph: FakeGraph) -> None:
    response = requests.get(f"{graph.url}/v23.0/{PAGE}", params={"access_token": TOKEN}, timeout=5)
    assert response.json() == {"id": PAGE, "name": "Pemerintah Kota Bekasi"}
    assert requests.get(f"{graph.url}/v23.0/{PAGE}", timeout=5).status_code == 400


# ------------------------------------------------------------------ through the publisher


FB_CONFIG = """\
timezone: Asia/Jakarta
accounts:
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_TOKEN}
  kec-timur:
    platform: facebook
    page_id: "104857600000101"
    access_token: ${FB_TIMUR_TOKEN}
"""


class Events:
    def started(self, delivery: object) -> None:
        pass

    def finished(self, outcome: Outcome) -> None:
        pass


def run_publisher(
    repo: Repo, urls: dict[str, str], now: datetime, tokens: dict[str, str] | None = None
) -> list[Outcome]:
    config = repo.config()
    loaded = load_posts(config, repo.root, now)
    assert loaded.errors == []
    path = log_path(config, sandbox=False, environ={})
    with PublishLog(path) as log:
        chosen = sendable(plan_from_log(loaded, config, log, now, until=now), now)
    context = PlatformContext(config.state_dir, lambda: now, timeout=TIMEOUT)
    platform = FacebookPlatform(context)
    accounts = {
        name: ResolvedAccount(
            name,
            "facebook",
            {
                "page_id": config.accounts[name].settings["page_id"],
                "access_token": (tokens or {}).get(name, TOKEN),
                "api_url": url,
            },
        )
        for name, url in urls.items()
    }
    adapters: dict[str, Platform] = dict.fromkeys(urls, platform)
    return publish_due(
        chosen,
        adapters=adapters,
        accounts=accounts,
        settings=PublishSettings(path, "test-host/1"),
        clock=lambda: now,
        events=Events(),
        rng=random.Random(3),
    )


def rows(repo: Repo) -> dict[str, tuple[RowState, str | None]]:
    with PublishLog(log_path(repo.config(), sandbox=False, environ={})) as log:
        return {row.key.account: (row.state, row.url) for row in log.search(limit=None)}


PHOTO_POST = """\
---
publish_at: 2026-12-01 08:00
to: pemkot-fb
media:
  - file: ../media/peta.png
    alt: Peta titik rawan banjir
  - file: ../media/posko.png
    alt: Lokasi posko pengungsian
---
Waspada banjir di bantaran Kali Bekasi.
---
Hubungi BPBD di 112.
"""


def test_a_failed_upload_is_retried_and_the_post_goes_out_once(
    repo: Repo, graph: FakeGraph
) -> None:
    repo.write_config(FB_CONFIG)
    repo.media("peta.png", PNG_BYTES + b"peta")
    repo.media("posko.png", PNG_BYTES + b"posko")
    repo.post("banjir.md", PHOTO_POST)
    graph.fail("photos", Fault.connection_reset())
    first = run_publisher(repo, {"pemkot-fb": graph.url}, NOW)
    assert [o.result for o in first] == [Result.RETRYING]
    assert rows(repo)["pemkot-fb"][0] is RowState.RETRYING and graph.feed == []
    later = NOW + timedelta(minutes=5)
    second = run_publisher(repo, {"pemkot-fb": graph.url}, later)
    (post,) = graph.feed
    assert [o.result for o in second] == [Result.SENT]
    assert rows(repo)["pemkot-fb"] == (RowState.SENT, f"https://www.facebook.com/{post.id}")
    assert post.message == "Waspada banjir di bantaran Kali Bekasi.\n\nHubungi BPBD di 112."
    attached = [p for p in graph.photos if p.id in post.attached_media]
    assert [p.content[-5:] for p in attached] == [b"\x00peta", b"posko"]


def test_a_lost_answer_to_the_feed_post_leaves_the_delivery_unknown(
    repo: Repo, graph: FakeGraph
) -> None:
    repo.write_config(FB_CONFIG)
    repo.post("halo.md", "---\npublish_at: 2026-12-01 08:00\nto: pemkot-fb\n---\nHalo warga\n")
    graph.fail("feed", Fault.connection_reset())
    (outcome,) = run_publisher(repo, {"pemkot-fb": graph.url}, NOW)
    assert outcome.result is Result.UNKNOWN and outcome.error is not None
    assert TOKEN not in outcome.error
    # Never retried by itself: a person checks the Page and resolves it.
    assert run_publisher(repo, {"pemkot-fb": graph.url}, NOW + timedelta(hours=1)) == []
    graph.settle()
    assert len(graph.feed) == 1


def test_accounts_with_their_own_api_url_publish_concurrently(repo: Repo, graph: FakeGraph) -> None:
    repo.write_config(FB_CONFIG)
    repo.post(
        "halo.md",
        "---\npublish_at: 2026-12-01 08:00\nto: [pemkot-fb, kec-timur]\n---\nHalo warga\n",
    )
    other_token = "EAAkecTimurPageTokenSECRET"
    with FakeGraph("104857600000101", other_token, "Kecamatan Bekasi Timur") as timur:
        outcomes = run_publisher(
            repo,
            {"pemkot-fb": graph.url, "kec-timur": timur.url},
            NOW,
            tokens={"kec-timur": other_token},
        )
        assert sorted(o.result for o in outcomes) == [Result.SENT, Result.SENT]
        assert [p.message for p in graph.feed] == ["Halo warga"]
        assert [p.message for p in timur.feed] == ["Halo warga"]
        assert rows(repo)["kec-timur"][1] == f"https://www.facebook.com/{timur.feed[0].id}"
