"""X and Facebook end to end: the installed `humaspost` in a subprocess, through the
real tweepy and facebook-sdk, against the local fakes of both platforms."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import textwrap
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import HUMASPOST, PNG_BYTES, Repo, run_humaspost
from tests.fakes.facebook_server import FakeGraph
from tests.fakes.facebook_server import Fault as GraphFault
from tests.fakes.x_server import FakeX
from tests.fakes.x_server import Fault as XFault

X_KEYS = {
    "X_KEY": "ck-Z8yq3Lq9vT2kconsumerkey",
    "X_SECRET": "cs-Jm4Wn7Pp1Rr8consumersecret",
    "X_TOKEN": "1870000000-at9Hh3Kk2accesstoken",
    "X_TOKEN_SECRET": "ats-Qq5Ee6Tt0accesstokensecret",
}
FB_TOKEN = "EAAGpageTOKENlonglived0000secret"
SECRETS = [*X_KEYS.values(), FB_TOKEN]
PAGE = "104857600000000"
WIB = ZoneInfo("Asia/Jakarta")
NOW = "2026-12-01 08:00"  # WIB: when the posts below are due


class CommandClock:
    """The moment the commands are run at (their --now, Asia/Jakarta): the fakes' clock
    too, so that X's rate-limit resets and expiries are in the commands' time."""

    def __init__(self, local: str) -> None:
        self.at(local)

    def at(self, local: str) -> str:
        """Move to `local` ("YYYY-MM-DD HH:MM") and return it, for --now."""
        self.moment = datetime.strptime(local, "%Y-%m-%d %H:%M").replace(tzinfo=WIB)
        return local

    def __call__(self) -> float:
        return self.moment.timestamp()


def fake_x(clock: CommandClock, prefix: str = "") -> FakeX:
    return FakeX(
        consumer_key=prefix + X_KEYS["X_KEY"],
        consumer_secret=prefix + X_KEYS["X_SECRET"],
        access_token=prefix + X_KEYS["X_TOKEN"],
        access_token_secret=prefix + X_KEYS["X_TOKEN_SECRET"],
        clock=clock,
    )


def x_account(name: str, url: str, prefix: str = "") -> str:
    refs = "".join(f"    {field}: ${{{prefix}{var}}}\n" for field, var in (
        ("consumer_key", "X_KEY"), ("consumer_secret", "X_SECRET"),
        ("access_token", "X_TOKEN"), ("access_token_secret", "X_TOKEN_SECRET"),
    ))  # fmt: skip
    return f"  {name}:\n    platform: twitter\n    api_url: {url}\n{refs}"


@pytest.fixture
def clock() -> CommandClock:
    return CommandClock(NOW)


@pytest.fixture
def platforms(repo: Repo, clock: CommandClock) -> Iterator[tuple[FakeX, FakeGraph]]:
    with fake_x(clock) as x, FakeGraph(PAGE, FB_TOKEN) as graph:
        repo.write_config(
            "accounts:\n"
            + x_account("pemkot-x", x.url)
            + f"  pemkot-fb:\n    platform: facebook\n    page_id: '{PAGE}'\n"
            f"    access_token: ${{FB_TOKEN}}\n    api_url: {graph.url}\n"
            "defaults:\n  to: [pemkot-x, pemkot-fb]\n"
        )
        for name in ("a.png", "b.png", "c.png"):
            repo.media(name, PNG_BYTES + name.encode())
        yield x, graph


ENV = {**X_KEYS, "FB_TOKEN": FB_TOKEN}


def test_a_thread_with_images_and_a_three_photo_post(
    repo: Repo, platforms: tuple[FakeX, FakeGraph]
) -> None:
    x, graph = platforms
    repo.post(
        "hari-aids.md",
        textwrap.dedent(
            """\
            ---
            publish_at: 2026-12-01 08:00
            media:
              - {file: ../media/a.png, alt: Poster pita merah}
              - {file: ../media/b.png, alt: Peta Puskesmas}
              - {file: ../media/c.png, alt: Jadwal layanan}
            ---
            Hari AIDS Sedunia: tes HIV gratis di Puskesmas. #KotaBekasi
            ---
            Jadwal layanan: Senin-Jumat 08.00-14.00 WIB.
            """
        ),
    )
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 sent" in result.stdout
    # X: three uploads with alt text, then the thread in order, replying.
    assert x.calls[:6] == ["upload", "metadata"] * 3
    assert [m.alt for m in x.media.values()] == [
        "Poster pita merah",
        "Peta Puskesmas",
        "Jadwal layanan",
    ]
    first, second = x.live()
    assert first.media_ids == list(x.media) and first.reply_to is None
    assert (
        second.reply_to == first.id
        and second.text == "Jadwal layanan: Senin-Jumat 08.00-14.00 WIB."
    )
    # Facebook: three unpublished photos, then one feed post with all of them.
    assert [p.published for p in graph.photos] == [False, False, False]
    (post,) = graph.feed
    assert post.attached_media == [p.id for p in graph.photos]
    assert post.message is not None
    assert "Hari AIDS Sedunia" in post.message and "Jadwal layanan" in post.message
    log = json.loads(run_humaspost("log", "--format", "json", cwd=repo.root).stdout)
    assert {row["account"]: row["url"].split("/")[2] for row in log} == {
        "pemkot-x": "x.com",
        "pemkot-fb": "www.facebook.com",
    }


def test_accounts_verify_and_retract(
    repo: Repo, platforms: tuple[FakeX, FakeGraph], clock: CommandClock
) -> None:
    x, graph = platforms
    verified = run_humaspost("accounts", "--verify", cwd=repo.root, env=ENV)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "posting as @pemkotbekasi" in verified.stdout
    assert "Pemerintah Kota Bekasi" in verified.stdout
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\ntext: Halo warga Bekasi\n")
    assert run_humaspost("publish", "--now", NOW, cwd=repo.root, env=ENV).returncode == 0
    later = clock.at("2026-12-01 08:30")
    retracted = run_humaspost("retract", "a", "--yes", "--now", later, cwd=repo.root, env=ENV)
    assert retracted.returncode == 0, retracted.stdout + retracted.stderr
    assert x.live() == [] and graph.deleted == [graph.feed[0].id]
    graph.fail("read", GraphFault.expired_token())
    expired = run_humaspost("accounts", "--verify", cwd=repo.root, env=ENV)
    assert expired.returncode == 1 and "token is invalid or expired" in expired.stdout


def test_under_30_percent_transient_faults_50_deliveries_all_end_sent_once(repo: Repo) -> None:
    rng = random.Random(2026)
    clock = CommandClock(NOW)
    with fake_x(clock) as one, fake_x(clock, "b-") as two:
        repo.write_config(
            "accounts:\n" + x_account("kec-timur", one.url) + x_account("kec-barat", two.url, "B_")
            + "defaults:\n  to: [kec-timur, kec-barat]\n"
        )  # fmt: skip
        env = {**ENV, **{f"B_{k}": "b-" + v for k, v in X_KEYS.items()}}
        for fake in (one, two):
            # 30% of the calls that create a post fail with 503, at random.
            pattern = [XFault("503") if rng.random() < 0.3 else None for _ in range(200)]
            fake.faults["create_tweet"] = pattern
        for number in range(25):
            repo.post(
                f"p{number:02}.yaml",
                f"publish_at: 2026-12-01 08:00\ntext: Pengumuman nomor {number}\n",
            )
        now = datetime(2026, 12, 1, 8, 0)
        for _ in range(12):
            at = clock.at(f"{now:%Y-%m-%d %H:%M}")
            run_humaspost("publish", "--now", at, cwd=repo.root, env=env)
            now += timedelta(minutes=5)  # cron would run every minute
        log = json.loads(run_humaspost("log", "--all", "--format", "json", cwd=repo.root).stdout)
        assert len(log) == 50 and {row["state"] for row in log} == {"sent"}
        for fake in (one, two):
            texts = [tweet.text or "" for tweet in fake.live()]
            assert sorted(texts) == sorted(f"Pengumuman nomor {n}" for n in range(25))
        assert max(row["attempts"] for row in log) > 1  # the faults did happen


def test_no_secret_appears_in_any_output_log_or_crash_report(
    repo: Repo, platforms: tuple[FakeX, FakeGraph], clock: CommandClock, tmp_path: Path
) -> None:
    x, graph = platforms
    crash_dir = tmp_path / "tmp"
    crash_dir.mkdir()
    env = {**ENV, "TMPDIR": str(crash_dir)}
    repo.post("a.md", "---\npublish_at: 2026-12-01 08:00\n---\nSatu\n---\nDua\n")
    repo.post("b.yaml", "publish_at: 2026-12-01 08:05\ntext: Kedua\n")
    x.fail("create_tweet", XFault("401"))
    x.fail("me", XFault("401"))
    graph.fail("feed", GraphFault.expired_token())
    graph.fail("read", GraphFault.connection_reset(before_answer=True))
    graph.fail("delete", GraphFault.server_error(503))
    outputs = []
    for at, args in (
        ("2026-12-01 07:00", ["check"]), ("2026-12-01 07:00", ["schedule"]),
        (None, ["accounts", "--verify"]),
        ("2026-12-01 08:00", ["publish"]), ("2026-12-01 08:06", ["publish"]),
        (None, ["log", "--all"]), (None, ["log", "--format", "csv", "--all"]),
        ("2026-12-01 08:07", ["retry", "1"]), ("2026-12-01 08:07", ["resolve", "2", "--not-sent"]),
        ("2026-12-01 08:08", ["retract", "b", "--yes"]),
        ("2026-12-01 08:08", ["retract", "a", "--yes"]),
    ):  # fmt: skip
        now = ["--now", clock.at(at)] if at else []
        result = run_humaspost(*args, *now, "--debug", cwd=repo.root, env=env)
        assert "Traceback" not in result.stderr or "--debug" in args
        outputs.append(result.stdout + result.stderr)
    daemon_at = clock.at("2026-12-01 08:10")
    daemon = subprocess.Popen(
        [str(HUMASPOST), "daemon", "--debug", "--log-format", "json", "--now", daemon_at],
        cwd=repo.root,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3)
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=15)
    outputs.append(out + err)
    everything = "\n".join(outputs)
    files = [p for p in (repo.root / ".humaspost").rglob("*") if p.is_file()]
    files += [p for p in crash_dir.rglob("*") if p.is_file()]
    for secret in SECRETS:
        assert secret not in everything, secret
        for file in files:
            assert secret.encode() not in file.read_bytes(), (secret, file)
    assert "refused the credentials" in everything  # the faults were met and reported


MP4_BYTES = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


def test_a_video_processed_for_several_leases_is_uploaded_and_posted_once(repo: Repo) -> None:
    """X takes ~8 s to process the video, the lease is 3 s, and cron-like runs keep
    starting meanwhile: the first run keeps its claim alive, so nobody uploads again.
    Leases are judged by the clock of every run alike: the real one here, shared by the
    test (the post's time is a minute ago) and the runs (no --now)."""
    x = FakeX(
        consumer_key=X_KEYS["X_KEY"],
        consumer_secret=X_KEYS["X_SECRET"],
        access_token=X_KEYS["X_TOKEN"],
        access_token_secret=X_KEYS["X_TOKEN_SECRET"],
        processing_polls=8,  # one second apart (X's check_after_secs)
    )
    with x:
        repo.write_config(
            "lease: 3s\naccounts:\n"
            + x_account("pemkot-x", x.url)
            + "defaults:\n  to: [pemkot-x]\n"
        )
        repo.media("banjir.mp4", MP4_BYTES)
        wib = ZoneInfo("Asia/Jakarta")
        a_minute_ago = f"{datetime.now(wib) - timedelta(minutes=1):%Y-%m-%d %H:%M}"
        repo.post(
            "banjir.md",
            f"---\npublish_at: {a_minute_ago}\nmedia:\n"
            "  - {file: ../media/banjir.mp4, alt: Video genangan di Jalan Ahmad Yani}\n"
            "---\nPantauan banjir pagi ini. #KotaBekasi\n",
        )
        runs: list[subprocess.Popen[str]] = []
        deadline = time.monotonic() + 120
        # A new run every half second, as long as the post is not out (cron, impatient).
        while "create_tweet" not in x.calls:
            assert time.monotonic() < deadline, "the video was never posted"
            runs.append(
                subprocess.Popen(
                    [str(HUMASPOST), "publish"],
                    cwd=repo.root,
                    env={**os.environ, **ENV},
                    text=True,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
            time.sleep(0.5)
        ended = [(run.wait(timeout=60), *run.communicate()) for run in runs]
        assert len(runs) >= 6  # runs kept starting for more than two leases
        assert all(code == 0 for code, _, _ in ended), ended
        sent = [out for _, out, _ in ended if "1 sent" in out]
        assert len(sent) == 1, ended
        assert all(out == "nothing due\n" for _, out, _ in ended if out not in sent), ended
        assert x.calls.count("initialize") == 1 and x.calls.count("finalize") == 1
        assert len(x.live()) == 1
        (row,) = json.loads(run_humaspost("log", "--format", "json", cwd=repo.root).stdout)
        assert row["state"] == "sent" and row["attempts"] == 1
