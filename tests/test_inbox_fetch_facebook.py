"""Fetching the comments on a Facebook Page's posts (the local fake of the Graph API,
through the real facebook-sdk) into the inbox, on both log backends: which of our posts
a comment answers, the Page's own comments left out, each comment once across fetches
and across a fetch cut off mid-post."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from humaspost.config import load_config
from humaspost.inbox_fetch import FetchStatus, fetch_inbox
from humaspost.inbox_log import InboxLog
from humaspost.inbox_model import Item, Status
from humaspost.log_location import log_path
from humaspost.publog import PublishLog
from tests.conftest import DATABASE_VARIABLE, run_humaspost
from tests.fakes.facebook_server import FakeGraph
from tests.fakes.facebook_server import Fault as GraphFault
from tests.inbox_on_x import WIB, Clock

PAGE = "104857600000000"
TOKEN = "EAAGpageTOKENlonglived0000secret"
NOW = "2026-12-23 10:00"


class Page:
    """The office: one Facebook Page account routed to `humas`, on the fake Graph."""

    def __init__(self, root: Path, graph: FakeGraph, clock: Clock, url: str | None) -> None:
        self.root, self.graph, self.clock = root, graph, clock
        self.env = {"FB_TOKEN": TOKEN, **({DATABASE_VARIABLE: url} if url else {})}
        (root / "posts").mkdir(parents=True)
        (root / "humaspost.yaml").write_text(
            "timezone: Asia/Jakarta\n"
            "accounts:\n"
            f"  pemkot-fb:\n    platform: facebook\n    page_id: '{PAGE}'\n"
            f"    access_token: ${{FB_TOKEN}}\n    api_url: {graph.url}\n"
            "defaults:\n  to: [pemkot-fb]\n"
            "inbox:\n  routes:\n    - {account: pemkot-fb, office: humas}\n"
            "offices: [humas]\n" + (f"publish_log: ${{{DATABASE_VARIABLE}}}\n" if url else ""),
            encoding="utf-8",
        )
        self.config = load_config(root / "humaspost.yaml")
        self.log = log_path(self.config, sandbox=False, environ=self.env)

    def fetch(self) -> tuple[FetchStatus, int]:
        result = fetch_inbox(self.config, self.log, self.env, self.clock.now)
        (page,) = result.accounts
        return page.status, page.new

    def items(self) -> list[Item]:
        with PublishLog(self.log) as log:
            return InboxLog(log).items(statuses=frozenset(Status))


@pytest.fixture
def page(tmp_path: Path, log_database: str | None) -> Iterator[Page]:
    clock = Clock(NOW)
    with FakeGraph(PAGE, TOKEN, clock=clock.epoch) as graph:
        yield Page(tmp_path / "repo", graph, clock, log_database)


def test_comments_on_our_post_are_linked_to_it_and_the_pages_own_are_left_out(
    page: Page,
) -> None:
    (page.root / "posts" / "jadwal.md").write_text(
        "---\npublish_at: 2026-12-22 08:00\n---\nJadwal pelayanan KTP keliling minggu ini.\n",
        encoding="utf-8",
    )
    page.clock.at("2026-12-22 08:00")
    published = run_humaspost("publish", "--now", "2026-12-22 08:00", cwd=page.root, env=page.env)
    assert published.returncode == 0, published.stderr
    (ours,) = page.graph.feed
    other = page.graph.page_post("Info pemadaman listrik", datetime(2026, 12, 21, 9, 0, tzinfo=WIB))
    page.clock.at(NOW)
    at = datetime(2026, 12, 23, 9, 0, tzinfo=WIB)
    asked = page.graph.comment(ours.id, "900001", "Warga Contoh", "Di kelurahan mana?", at)
    page.graph.comment(ours.id, PAGE, "Pemkot", "Terima kasih sudah bertanya", at)
    page.graph.comment(other.id, "900002", "Warga Uji", "Kapan listrik menyala?", at)
    page.graph.comment(ours.id, "900003", "Warga Tiga", "Saya juga tanya", at, parent=asked.id)
    assert page.fetch() == (FetchStatus.DONE, 3)
    found = {item.author_id: item for item in page.items()}
    assert set(found) == {"900001", "900002", "900003"}  # not the Page's own comment
    assert found["900001"].answers_post == "jadwal"
    assert found["900003"].answers_post == "jadwal"  # a reply in the thread of our post
    assert found["900002"].answers_post is None  # a post made outside humaspost
    assert {item.office for item in found.values()} == {"humas"}
    assert page.fetch() == (FetchStatus.DONE, 0)
    page.clock.at("2026-12-23 11:00")
    page.graph.comment(other.id, "900004", "Warga Empat", "Sudah menyala", page.clock.now())
    assert page.fetch() == (FetchStatus.DONE, 1)


def test_a_fetch_cut_off_mid_post_rereads_that_post_and_doubles_nothing(page: Page) -> None:
    post = page.graph.page_post("Pengumuman", datetime(2026, 12, 22, 8, 0, tzinfo=WIB))
    first = datetime(2026, 12, 22, 9, 0, tzinfo=WIB)
    for number in range(230):  # three pages of comments
        page.graph.comment(post.id, str(910000 + number), f"Warga {number}",
                           f"pertanyaan {number}", first + timedelta(minutes=number))  # fmt: skip
    page.graph.fail("comments", GraphFault.server_error(), after=1)  # its second page
    status, new = page.fetch()
    assert status is FetchStatus.FAILED and new > 0
    assert page.fetch() == (FetchStatus.DONE, 230 - new)
    stored = sorted(item.remote_id for item in page.items())
    assert len(stored) == len(set(stored)) == 230
