"""The sandbox outbox as a trainer reads it: files named by local time, post id and part
number, each recording its post, part and length against the limit of the platform the
account is `like`; ids and addresses never given twice; retract removes the files."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from humaspost import i18n
from humaspost.platforms.base import (
    MediaFile,
    Origin,
    Part,
    PartReceipt,
    PlatformContext,
    Receipt,
    ResolvedAccount,
)
from humaspost.platforms.sandbox import SandboxPlatform, outbox_file_name
from tests.conftest import Repo, run_humaspost

# 2026-12-01 08:00 WIB.
MOMENT = datetime(2026, 12, 1, 1, 0, 5, tzinfo=UTC)
JAKARTA = ZoneInfo("Asia/Jakarta")
LIKE_X = ResolvedAccount("latihan", "sandbox", {"like": "twitter"})
THREAD = (
    Part("Pasar murah di Alun-alun https://bekasikota.go.id/pasar", post_id="2026/12/pasar"),
    Part("Bawa KTP Kota Bekasi.", post_id="2026/12/pasar"),
)
RECORD_KEYS = {
    "id",
    "url",
    "account",
    "post",
    "part",
    "parts",
    "like",
    "length",
    "limit",
    "text",
    "media",
    "link",
    "reply_to",
    "time",
}


class Progress:
    """A ThreadProgress that keeps what the adapter reported."""

    def __init__(self, done: tuple[PartReceipt, ...] = ()) -> None:
        self.done = done
        self.started: list[int] = []
        self.receipts: dict[int, PartReceipt] = {}

    def starting(self, index: int) -> None:
        self.started.append(index)

    def published(self, index: int, receipt: PartReceipt) -> None:
        self.receipts[index] = receipt


def sandbox(tmp_path: Path, moment: datetime = MOMENT, tz: ZoneInfo = JAKARTA) -> SandboxPlatform:
    return SandboxPlatform(PlatformContext(tmp_path, lambda: moment, timezone=tz))


def files(tmp_path: Path, account: str = "latihan") -> dict[str, dict[str, Any]]:
    """File name -> record, of the account's outbox."""
    folder = tmp_path / "sandbox" / account
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def test_each_part_is_named_by_local_time_post_and_part(tmp_path: Path) -> None:
    receipt = sandbox(tmp_path).publish(THREAD, LIKE_X, Progress())
    outbox = files(tmp_path)
    assert list(outbox) == [
        "2026-12-01_0800_2026-12-pasar_1.json",
        "2026-12-01_0800_2026-12-pasar_2.json",
    ]
    first, second = outbox.values()
    assert set(first) == RECORD_KEYS
    assert first["post"] == "2026/12/pasar" and (first["part"], first["parts"]) == (1, 2)
    # The length as X counts it (a link 23) against X's limit, for the account is like X.
    assert (first["like"], first["length"], first["limit"]) == ("twitter", 48, 280)
    assert second["text"] == "Bawa KTP Kota Bekasi." and second["reply_to"] == first["id"]
    assert first["time"] == "2026-12-01T08:00:05+07:00"
    assert [r.remote_id for r in receipt.parts] == [first["id"], second["id"]]
    assert receipt.url == first["url"] == f"sandbox://latihan/{first['id']}"
    assert first["id"].startswith("2026-12-01_0800_2026-12-pasar_1.")


def test_the_config_timezone_names_the_files(tmp_path: Path) -> None:
    sandbox(tmp_path, tz=ZoneInfo("Asia/Jayapura")).publish(THREAD[:1], LIKE_X, Progress())
    assert list(files(tmp_path)) == ["2026-12-01_1000_2026-12-pasar_1.json"]


def test_a_facebook_like_or_plain_account_records_its_own_limit(tmp_path: Path) -> None:
    joined = (Part("Pasar murah\n\nBawa KTP", link="https://bekasikota.go.id", post_id="pasar"),)
    platform = sandbox(tmp_path)
    platform.publish(joined, ResolvedAccount("fb", "sandbox", {"like": "facebook"}), Progress())
    platform.publish(joined, ResolvedAccount("plain", "sandbox", {}), Progress())
    (fb,) = files(tmp_path, "fb").values()
    (plain,) = files(tmp_path, "plain").values()
    assert (fb["like"], fb["length"], fb["limit"], fb["link"]) == (
        "facebook",
        21,
        63206,
        "https://bekasikota.go.id",
    )
    assert (plain["like"], plain["length"], plain["limit"]) == ("sandbox", 21, None)


def test_the_same_post_twice_in_a_minute_never_overwrites(tmp_path: Path) -> None:
    platform = sandbox(tmp_path)
    first = platform.publish(THREAD, LIKE_X, Progress())
    second = platform.publish(THREAD, LIKE_X, Progress())
    assert list(files(tmp_path)) == [
        "2026-12-01_0800_2026-12-pasar_1.json",
        "2026-12-01_0800_2026-12-pasar_1~2.json",
        "2026-12-01_0800_2026-12-pasar_2.json",
        "2026-12-01_0800_2026-12-pasar_2~2.json",
    ]
    ids = [r.remote_id for r in first.parts + second.parts]
    assert len(set(ids)) == 4
    platform.retract(first, LIKE_X)
    assert list(files(tmp_path)) == [
        "2026-12-01_0800_2026-12-pasar_1~2.json",
        "2026-12-01_0800_2026-12-pasar_2~2.json",
    ]


def test_an_address_is_never_given_twice_even_after_a_retract(tmp_path: Path) -> None:
    platform = sandbox(tmp_path)
    first = platform.publish(THREAD[:1], LIKE_X, Progress())
    platform.retract(first, LIKE_X)
    again = platform.publish(THREAD[:1], LIKE_X, Progress())
    # The same file name is free again, but the address is new ...
    assert list(files(tmp_path)) == ["2026-12-01_0800_2026-12-pasar_1.json"]
    assert again.url != first.url
    # ... and retracting the old one again leaves the new file alone.
    platform.retract(first, LIKE_X)
    assert list(files(tmp_path)) == ["2026-12-01_0800_2026-12-pasar_1.json"]


def test_a_resumed_thread_keeps_the_name_of_its_first_part(tmp_path: Path) -> None:
    first = sandbox(tmp_path).publish(THREAD[:1], LIKE_X, Progress())
    later = sandbox(tmp_path, MOMENT + timedelta(hours=2))
    progress = Progress(first.parts)
    receipt = later.publish(THREAD, LIKE_X, progress)
    assert progress.started == [1]
    assert list(files(tmp_path)) == [
        "2026-12-01_0800_2026-12-pasar_1.json",
        "2026-12-01_0800_2026-12-pasar_2.json",
    ]
    second = files(tmp_path)["2026-12-01_0800_2026-12-pasar_2.json"]
    assert second["time"] == "2026-12-01T10:00:05+07:00"  # when it really went out
    assert second["reply_to"] == first.parts[0].remote_id
    assert receipt.parts[0] == first.parts[0]


def test_retract_removes_the_files_of_an_older_outbox(tmp_path: Path) -> None:
    """Before files were named by local time and post, each was named by its id:
    `<UTC time>-<random>.json`."""
    folder = tmp_path / "sandbox" / "latihan"
    folder.mkdir(parents=True)
    old = "20261201T010000092740-dcb28622"
    (folder / f"{old}.json").write_text(json.dumps({"id": old, "text": "Halo"}), "utf-8")
    sandbox(tmp_path).retract(Receipt((PartReceipt(old, f"sandbox://latihan/{old}"),)), LIKE_X)
    assert list(folder.iterdir()) == []


def test_media_are_recorded_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    poster = tmp_path / "poster.png"
    part = Part("Poster", (MediaFile(poster, "Poster pasar murah"),), post_id="pasar")
    sandbox(tmp_path).publish((part,), LIKE_X, Progress())
    (record,) = files(tmp_path).values()
    assert record["media"] == [{"file": str(poster), "alt": "Poster pasar murah"}]
    assert [p.name for p in (tmp_path / "sandbox" / "latihan").iterdir()] == [
        "2026-12-01_0800_pasar_1.json"
    ]


def test_verify_names_the_outbox_in_the_language_in_use(tmp_path: Path) -> None:
    platform = sandbox(tmp_path)
    assert platform.verify(LIKE_X) == f"sandbox outbox {tmp_path / 'sandbox' / 'latihan'}"
    try:
        i18n.use("id")
        assert platform.verify(LIKE_X).startswith("kotak keluar sandbox ")
    finally:
        i18n.use("en")


CONFIG = """\
timezone: Asia/Makassar
accounts:
  latihan:
    platform: sandbox
    like: twitter
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_TOKEN}
"""


def test_publish_and_retract_end_to_end(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post(
        "2026/12/pasar.md",
        "---\npublish_at: 2026-12-01 08:00\nto: [latihan, pemkot-fb]\n---\nPasar murah\n---\nBawa KTP\n",
    )
    sent = run_humaspost("publish", "--sandbox", "--now", "2026-12-01 08:00", cwd=repo.root)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    outbox = repo.root / ".humaspost" / "sandbox"
    # Local time of the config's timezone (WITA), the post id, the part.
    assert sorted(p.name for p in (outbox / "latihan").glob("*.json")) == [
        "2026-12-01_0800_2026-12-pasar_1.json",
        "2026-12-01_0800_2026-12-pasar_2.json",
    ]
    (fb,) = (outbox / "pemkot-fb").glob("*.json")
    assert fb.name == "2026-12-01_0800_2026-12-pasar_1.json"
    record = json.loads(fb.read_text("utf-8"))
    assert (record["like"], record["limit"], record["parts"]) == ("facebook", 63206, 1)
    assert record["text"] == "Pasar murah\n\nBawa KTP"
    rows = json.loads(run_humaspost("log", "--sandbox", "--format", "json", cwd=repo.root).stdout)
    assert {row["account"]: row["url"] for row in rows}["pemkot-fb"] == record["url"]

    retracted = run_humaspost(
        "retract",
        "2026/12/pasar",
        "--sandbox",
        "--yes",
        "--now",
        "2026-12-01 08:05",
        cwd=repo.root,
    )
    assert retracted.returncode == 0, retracted.stdout + retracted.stderr
    assert list(outbox.glob("*/*.json")) == []


# -- re-shares ----------------------------------------------------------------------------

ORIGIN = Origin("sandbox://kota/2026-12-01_0800_2026-12-pasar_1.3f9a0c2e", "x1", "2026/12/pasar")


def test_a_repost_is_one_file_naming_what_it_reshares(tmp_path: Path) -> None:
    later = MOMENT + timedelta(minutes=10)
    receipt = sandbox(tmp_path, later).repost(ORIGIN, LIKE_X, None)
    (name, record), *others = files(tmp_path).items()
    assert others == [] and name == "2026-12-01_0810_2026-12-pasar_repost.json"
    assert {k: record[k] for k in ("account", "post", "kind", "like", "repost_of", "comment")} == {
        "account": "latihan",
        "post": "2026/12/pasar",
        "kind": "repost",
        "like": "twitter",
        "repost_of": ORIGIN.url,
        "comment": None,
    }
    assert record["repost_of_id"] == "x1" and record["time"] == "2026-12-01T08:10:05+07:00"
    (part,) = receipt.parts
    assert (record["id"], record["url"]) == (part.remote_id, part.url)
    assert outbox_file_name(part.url) == name  # as the log shows it


def test_a_repost_with_a_comment_and_its_undoing(tmp_path: Path) -> None:
    like_fb = ResolvedAccount("latihan", "sandbox", {"like": "facebook"})
    platform = sandbox(tmp_path)
    first = platform.repost(ORIGIN, like_fb, "Ayo datang!")
    second = platform.repost(ORIGIN, like_fb, None)  # the same minute: never overwrites
    outbox = files(tmp_path)
    assert list(outbox) == [
        "2026-12-01_0800_2026-12-pasar_repost.json",
        "2026-12-01_0800_2026-12-pasar_repost~2.json",
    ]
    assert outbox["2026-12-01_0800_2026-12-pasar_repost.json"]["comment"] == "Ayo datang!"
    platform.unrepost(first, like_fb)
    assert list(files(tmp_path)) == ["2026-12-01_0800_2026-12-pasar_repost~2.json"]
    platform.unrepost(first, like_fb)  # gone already: fine, and the other stays
    platform.unrepost(second, like_fb)
    assert files(tmp_path) == {}
