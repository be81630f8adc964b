"""Bahasa Indonesia in what `schedule` shows and in why X or Facebook refused a post:
the installed command with HUMASPOST_LANG=id, against the local fakes of both platforms.
English stays the messages as written; JSON keys and machine values stay English."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from humaspost import i18n
from humaspost.platforms.registry import platform_class
from humaspost.problems import UsageError
from humaspost.publog import DeliveryKey, PublishLog, RowState
from tests.conftest import ENDS, Repo, run_humaspost
from tests.fakes.facebook_server import FakeGraph
from tests.fakes.facebook_server import Fault as GraphFault
from tests.fakes.x_server import FakeX
from tests.fakes.x_server import Fault as XFault
from tests.test_platforms_e2e import ENV, NOW, PAGE, CommandClock, fake_x, x_account

INDONESIAN = {"HUMASPOST_LANG": "id"}

# Two sandbox accounts: one with a daily limit of 2, one that gets a burst.
CONFIG = """\
timezone: Asia/Jakarta
accounts:
  latihan:
    platform: sandbox
    daily_limit: 2
  humas-x:
    platform: sandbox
    like: twitter
defaults:
  to: [latihan]
"""
# Saturday 28 November 2026, 16:00 WIB.
SCHEDULE_NOW = "2026-11-28 16:00"


def post(repo: Repo, name: str, when: str, **fields: str) -> None:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    repo.post(name, f"---\npublish_at: {when}\n{extra}---\nInfo untuk warga\n")


def schedule(repo: Repo, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = run_humaspost("schedule", "--now", SCHEDULE_NOW, *args, cwd=repo.root, env=env)
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, result.stdout


def seed(repo: Repo, post_id: str, due: str, state: RowState, error: str) -> int:
    """A delivery of `latihan` in the publish log, as a publisher would have left it."""
    due_at = datetime.fromisoformat(due)
    with PublishLog(repo.root / ".humaspost" / "publog.sqlite") as publog:
        key = DeliveryKey(post_id, "once", "latihan")
        lease = timedelta(minutes=2)
        claim = publog.claim(
            key, platform="sandbox", due_at=due_at, owner="test", now=due_at, lease=lease
        )
        assert claim is not None
        publog.finish(claim.row_id, ENDS[state], owner="test", now=due_at, outcome="x", error=error)
        return claim.row_id


@pytest.fixture
def office(repo: Repo) -> Repo:
    """A week with too many posts on Tuesday, a burst on Thursday, and two deliveries
    from last week that need a person: one unknown, one failed."""
    repo.write_config(CONFIG)
    for hour in ("08:00", "12:00", "17:00"):
        post(repo, f"selasa-{hour[:2]}.md", f"2026-12-01 {hour}")
    for minute in ("00", "05", "15"):
        post(repo, f"pagi-{minute}.md", f"2026-12-03 09:{minute}", to="humas-x")
    post(repo, "hilang.md", "2026-11-21 09:00")
    post(repo, "gagal.md", "2026-11-22 09:00")
    # No error recorded: the sender stopped mid-request, which schedule explains itself.
    seed(repo, "hilang", "2026-11-21T02:00:00+00:00", RowState.UNKNOWN, "")
    seed(repo, "gagal", "2026-11-22T02:00:00+00:00", RowState.FAILED, "401 Unauthorized")
    return repo


def _words(text: str) -> str:
    """Text with its line breaks and indents as single spaces: long messages wrap at the
    terminal's width."""
    return " ".join(text.split())


def test_schedule_warns_and_explains_in_indonesian(office: Repo) -> None:
    code, shown = schedule(office, env=INDONESIAN)
    out = _words(shown)
    assert code == 1  # the unknown and failed deliveries still fail the command
    assert (
        "latihan mendapat 3 pengiriman pada Selasa, 1 Desember 2026, melebihi daily_limit 2" in out
    )
    assert (
        "humas-x mendapat 3 pengiriman antara pukul 09:00 dan 09:15 pada Kamis, "
        "3 Desember 2026 (3 atau lebih dalam 15 menit membanjiri linimasa pengikut)"
    ) in out
    assert "proses penerbitan berhenti saat mengirim; unggahan mungkin sudah terbit" in out
    assert (
        "periksa di sandbox apakah sudah terkirim, lalu jalankan 'humaspost resolve 1 "
        "--sent URL' atau 'humaspost resolve 1 --not-sent'"
    ) in out
    assert "perbaiki penyebabnya, lalu jalankan 'humaspost retry 2'" in out
    assert "more than its daily_limit" not in out and "spread them out" not in out


def test_schedule_in_english_is_unchanged(office: Repo) -> None:
    _, shown = schedule(office)
    out = _words(shown)
    assert (
        "latihan has 3 deliveries on Tuesday, 1 December 2026, more than its daily_limit of 2"
        in out
    )
    assert (
        "humas-x gets 3 deliveries between 09:00 and 09:15 on Thursday, 3 December 2026 "
        "(3 or more within 15 minutes flood followers' timelines); spread them out"
    ) in out
    assert "the publishing process stopped while sending; it may have been published" in out
    assert (
        "look on sandbox whether it went out, then run 'humaspost resolve 1 --sent URL' "
        "or 'humaspost resolve 1 --not-sent'"
    ) in out
    assert "fix the cause, then run 'humaspost retry 2'" in out


def _machine_part(value: Any) -> Any:
    """The JSON without the texts a person reads (warnings' messages, errors)."""
    if isinstance(value, dict):
        return {k: _machine_part(v) for k, v in value.items() if k not in ("message", "error")}
    if isinstance(value, list):
        return [_machine_part(item) for item in value]
    return value


def test_schedule_json_keeps_its_keys_and_machine_values_in_english(office: Repo) -> None:
    _, english = schedule(office, "--format", "json")
    _, indonesian = schedule(office, "--format", "json", env=INDONESIAN)
    en, id_ = json.loads(english), json.loads(indonesian)
    assert _machine_part(id_) == _machine_part(en)
    states = {d["post"]: d["state"] for d in id_["deliveries"]}
    assert (states["hilang"], states["gagal"], states["selasa-08"]) == (
        "unknown",
        "failed",
        "scheduled",
    )
    assert [w["code"] for w in id_["warnings"]] == ["daily-limit", "burst"]
    # The messages are for people: in the language asked for.
    assert id_["warnings"][0]["message"].startswith("latihan mendapat 3 pengiriman")
    assert en["warnings"][0]["message"].startswith("latihan has 3 deliveries")


def _unfolded_ics(text: str) -> str:
    """An iCalendar feed (its CRLFs read as newlines) with its folded lines joined and
    its escapes undone."""
    joined = text.replace("\r\n", "\n").replace("\n ", "")
    return joined.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";")


def test_the_calendar_feed_names_states_in_indonesian(office: Repo) -> None:
    _, english = schedule(office, "--format", "ics")
    _, indonesian = schedule(office, "--format", "ics", env=INDONESIAN)
    en, id_ = _unfolded_ics(english), _unfolded_ics(indonesian)
    assert "Status: terjadwal\nUnggahan: selasa-08\nBerkas: posts/selasa-08.md" in id_
    assert "Akun: latihan (sandbox)" in id_ and "Status: tidak pasti" in id_
    assert "Galat: proses penerbitan berhenti saat mengirim" in id_
    assert "State: scheduled\nPost: selasa-08\nFile: posts/selasa-08.md" in en
    assert "Error: the publishing process stopped while sending" in en
    # The calendar's structure does not depend on the language.
    uids = [line for line in id_.splitlines() if line.startswith(("UID:", "STATUS:"))]
    assert uids == [line for line in en.splitlines() if line.startswith(("UID:", "STATUS:"))]


@pytest.fixture
def platforms(repo: Repo) -> Iterator[tuple[FakeX, FakeGraph, CommandClock]]:
    """The repository publishing to the local fakes of X and Facebook."""
    clock = CommandClock(NOW)
    with fake_x(clock) as x, FakeGraph(PAGE, ENV["FB_TOKEN"]) as graph:
        repo.write_config(
            "accounts:\n"
            + x_account("pemkot-x", x.url)
            + f"  pemkot-fb:\n    platform: facebook\n    page_id: '{PAGE}'\n"
            f"    access_token: ${{FB_TOKEN}}\n    api_url: {graph.url}\n"
            "defaults:\n  to: [pemkot-x, pemkot-fb]\n"
        )
        repo.post("a.yaml", "publish_at: 2026-12-01 08:00\ntext: Halo warga Bekasi\n")
        yield x, graph, clock


def _refuse_both(x: FakeX, graph: FakeGraph, clock: CommandClock) -> None:
    """X's rate limit is used up for 15 minutes; Facebook's token has expired."""
    x.fail("create_tweet", XFault("429", reset_at=clock() + 900))
    graph.fail("feed", GraphFault.expired_token())


def test_why_a_platform_refused_is_told_in_indonesian_with_its_own_words(
    repo: Repo, platforms: tuple[FakeX, FakeGraph, CommandClock]
) -> None:
    x, graph, clock = platforms
    _refuse_both(x, graph, clock)
    env = {**ENV, **INDONESIAN}
    published = run_humaspost("publish", "--now", NOW, cwd=repo.root, env=env)
    out = _words(published.stdout)
    assert published.returncode == 1, out + published.stderr
    # The commands' clock runs on from --now: the reset is a second or so nearer.
    assert re.search(
        r"batas permintaan X untuk akun ini sudah habis; tersedia lagi dalam (?:89\d|900) detik",
        out,
    )
    # Our framing in Indonesian, Facebook's own explanation as it said it.
    assert (
        "token akses Halaman tidak valid atau kedaluwarsa (Facebook: Error validating access "
        "token: Session has expired on Friday, 27-Nov-26.); token harus diperbarui"
    ) in out
    # The log keeps the reason; schedule shows it with what to do.
    shown = run_humaspost("schedule", "--now", NOW, cwd=repo.root, env=env).stdout
    assert "token akses Halaman tidak valid atau kedaluwarsa" in shown
    assert "perbaiki penyebabnya, lalu jalankan 'humaspost retry" in shown
    verified = run_humaspost("accounts", "--verify", cwd=repo.root, env=env).stdout
    assert "mengunggah sebagai @pemkotbekasi" in verified
    assert "mengunggah sebagai halaman" in verified


def test_why_a_platform_refused_is_unchanged_in_english(
    repo: Repo, platforms: tuple[FakeX, FakeGraph, CommandClock]
) -> None:
    x, graph, clock = platforms
    _refuse_both(x, graph, clock)
    out = _words(run_humaspost("publish", "--now", NOW, cwd=repo.root, env=ENV).stdout)
    assert re.search(
        r"X's rate limit for this account is used up; it resets in (?:89\d|900) s\b", out
    )
    assert (
        "the Page access token is invalid or expired (Facebook: Error validating access "
        "token: Session has expired on Friday, 27-Nov-26.); it must be renewed"
    ) in out
    verified = run_humaspost("accounts", "--verify", cwd=repo.root, env=ENV).stdout
    assert "posting as @pemkotbekasi" in verified and "posting as page" in verified


def test_a_platform_that_is_not_installed_is_named_in_indonesian() -> None:
    try:
        i18n.use("id")
        with pytest.raises(UsageError) as raised:
            platform_class("mastodon")
        assert "platform 'mastodon' tidak terpasang (yang terpasang: " in str(raised.value)
        assert "facebook" in str(raised.value)
    finally:
        i18n.use("en")
    with pytest.raises(UsageError, match=r"platform 'mastodon' is not installed \(installed: "):
        platform_class("mastodon")
