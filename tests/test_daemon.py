"""`humaspost daemon` end to end: the installed command in a subprocess, with sandbox
accounts and `--now` (the daemon's clock runs from there at real speed), its log as
JSON lines in a file.

Every daemon a test starts is stopped in a `finally` (SIGTERM, then SIGKILL), so none
outlives its test. Times are checked against the sandbox outbox: each published part's
"time" is the daemon's clock when the part went out.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from humaspost.plan import plan
from humaspost.workflow import load_posts
from tests.conftest import HUMASPOST, Repo, run_humaspost

WIB = ZoneInfo("Asia/Jakarta")
# Friday 4 December 2026, three seconds before 08:00 WIB.
FRIDAY = datetime(2026, 12, 4, 7, 59, 57, tzinfo=WIB)
# Where the other tests start the daemon's clock (`--now`): a fixed time, whatever the
# date they run on.
START = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)

CONFIG = """\
timezone: Asia/Jakarta
accounts:
  latihan:
    platform: sandbox
  humas-x:
    platform: sandbox
    like: twitter
  lambat:
    platform: sandbox
    delay: 1s
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_TOKEN_NOT_SET}
defaults:
  to: [latihan]
"""


def local(moment: datetime) -> str:
    """A time as post files and `--now` write it (WIB, to the second)."""
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")


class Daemon:
    """A `humaspost daemon --log-format json` process and its log."""

    def __init__(self, root: Path, log_file: Path, *args: str) -> None:
        self.root = root
        self.log_file = log_file
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
        env.update({"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"})
        with log_file.open("w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(
                [str(HUMASPOST), "daemon", "--log-format", "json", *args],
                cwd=root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def lines(self) -> list[str]:
        return self.log_file.read_text(encoding="utf-8").splitlines()

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The log's JSON objects (all complete lines must be JSON), optionally one event."""
        found = []
        for line in self.lines():
            try:
                event = json.loads(line)
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
            if name is None or event["event"] == name:
                found.append(event)
        return found

    def wait_for(
        self,
        name: str,
        where: Callable[[dict[str, Any]], bool] = lambda e: True,
        timeout: float = 15,
    ) -> dict[str, Any]:
        """The first `name` event matching `where`, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events(name):
                if where(event):
                    return event
            assert self.process.poll() is None, f"daemon exited: {self.lines()}"
            assert time.monotonic() < deadline, f"no {name} event in {timeout} s: {self.lines()}"
            time.sleep(0.02)

    def heartbeat(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / ".humaspost" / "daemon.json").read_text())
        return data

    def terminate(self, timeout: float = 10) -> int:
        """SIGTERM; SIGKILL if it is still there after `timeout` (and fail)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"no exit {timeout} s after SIGTERM: {self.lines()}") from None


@contextmanager
def daemon(repo: Repo, now: datetime, *args: str) -> Iterator[Daemon]:
    """Start a daemon at `now` and wait until it has loaded the posts and caught up
    (its heartbeat is written after the catch-up pass)."""
    running = Daemon(repo.root, repo.root.parent / "daemon.log", "--now", local(now), *args)
    try:
        running.wait_for("started")
        deadline = time.monotonic() + 15
        while not (repo.root / ".humaspost" / "daemon.json").exists():
            assert time.monotonic() < deadline, f"no heartbeat: {running.lines()}"
            time.sleep(0.02)
        yield running
    finally:
        if running.process.poll() is None:
            running.process.send_signal(signal.SIGTERM)
            try:
                running.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                running.process.kill()
                running.process.wait()


def post(repo: Repo, name: str, when: datetime, text: str, **fields: str) -> Path:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return repo.post(name, f"---\npublish_at: {local(when)}\n{extra}---\n{text}\n")


def rewrite(path: Path, text: str) -> None:
    """Replace a file the way editors and `git pull` do: write beside it, then rename."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def outbox(repo: Repo) -> dict[tuple[str, str], dict[str, Any]]:
    """(account, text) -> the published part."""
    parts = {}
    for path in (repo.root / ".humaspost" / "sandbox").glob("*/*.json"):
        part = json.loads(path.read_text("utf-8"))
        key = (part["account"], part["text"])
        assert key not in parts, f"published twice: {key}"
        parts[key] = part
    return parts


def lateness(part: dict[str, Any], due: datetime) -> float:
    return (datetime.fromisoformat(part["time"]) - due).total_seconds()


def log_rows(repo: Repo) -> dict[str, dict[str, Any]]:
    """Post id -> its publish log row (posts with one delivery)."""
    result = run_humaspost("log", "--all", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return {row["post"]: row for row in json.loads(result.stdout)}


def test_deliveries_go_out_on_time_and_edits_need_no_restart(repo: Repo) -> None:
    repo.write_config(CONFIG)
    t0 = START
    post(repo, "pagi.md", t0 + timedelta(seconds=3), "Pagi", to="[latihan, humas-x]")
    edited = post(repo, "siang.md", t0 + timedelta(seconds=4), "Teks lama")
    moved = post(repo, "sore.md", t0 + timedelta(hours=5), "Sore")
    post(repo, "2026-12/batal.md", t0 + timedelta(seconds=4), "Dibatalkan")
    with daemon(repo, t0) as running:
        # A folder archived out of posts/ in one move: its posts go with it.
        (repo.posts / "2026-12").rename(repo.root / "arsip")
        running.wait_for("reloaded", lambda e: e["files"] == ["posts/2026-12/batal.md"])
        rewrite(edited, f"---\npublish_at: {local(t0 + timedelta(seconds=4))}\n---\nTeks baru\n")
        running.wait_for("reloaded", lambda e: e["files"] == ["posts/siang.md"])
        # Moved from five hours ahead to five seconds ahead; a file added.
        moved.write_text(f"---\npublish_at: {local(t0 + timedelta(seconds=5))}\n---\nSore\n")
        post(repo, "baru.md", t0 + timedelta(seconds=5), "Baru", to="humas-x")
        running.wait_for("reloaded", lambda e: "posts/baru.md" in e["files"])
        for name in ("pagi", "siang", "sore", "baru"):
            running.wait_for("sent", lambda e, name=name: e["post"] == name)  # type: ignore[misc]
        heartbeat = running.heartbeat()
        assert heartbeat["running"] is True and heartbeat["pid"] == running.process.pid
        assert running.process.poll() is None
    parts = outbox(repo)
    assert set(parts) == {
        ("latihan", "Pagi"),
        ("humas-x", "Pagi"),
        ("latihan", "Teks baru"),
        ("latihan", "Sore"),
        ("humas-x", "Baru"),
    }
    due = {"Pagi": 3, "Teks baru": 4, "Sore": 5, "Baru": 5}
    for (account, text), part in parts.items():
        late = lateness(part, t0 + timedelta(seconds=due[text]))
        assert 0 <= late <= 1, (account, text, late)
    assert {row["state"] for row in log_rows(repo).values()} == {"sent"}


def test_reading_posts_is_not_an_edit_nor_is_the_daemon_reading_them(repo: Repo) -> None:
    repo.write_config(CONFIG)
    t0 = START
    read = [post(repo, f"baca-{n}.md", t0 + timedelta(hours=n + 1), f"Baca {n}") for n in (0, 1)]
    edited = post(repo, "ubah.md", t0 + timedelta(hours=5), "Lama")
    with daemon(repo, t0) as running:
        for path in read:  # as an editor, grep or a backup does
            path.read_bytes()
        rewrite(edited, f"---\npublish_at: {local(t0 + timedelta(hours=5))}\n---\nBaru\n")
        running.wait_for("reloaded", lambda e: "posts/ubah.md" in e["files"])
        rewrite(read[0], f"---\npublish_at: {local(t0 + timedelta(hours=1))}\n---\nBaca lagi\n")
        running.wait_for("reloaded", lambda e: "posts/baca-0.md" in e["files"])
        # Events come in order: a read taken for an edit (the test's, or the daemon's own
        # reading of ubah.md, which would reload it again and again) would show here.
        reloads = [event["files"] for event in running.events("reloaded")]
        assert reloads == [["posts/ubah.md"], ["posts/baca-0.md"]]


def test_an_edit_that_breaks_a_file_holds_back_only_that_post(repo: Repo) -> None:
    repo.write_config(CONFIG)
    t0 = START
    post(repo, "baik.md", t0 + timedelta(seconds=3), "Baik")
    broken = post(repo, "rusak.md", t0 + timedelta(seconds=3), "Rusak")
    with daemon(repo, t0) as running:
        rewrite(
            broken,
            f"---\npublish_at: {local(t0 + timedelta(seconds=3))}\nto: [pemkot-ig]\n---\nRusak\n",
        )
        loud = running.wait_for("post held back")
        assert loud["level"] == "error"
        assert (loud["file"], loud["line"], loud["code"]) == ("posts/rusak.md", 3, "HP103")
        assert "pemkot-ig" in loud["error"]
        running.wait_for("sent", lambda e: e["post"] == "baik")
        time.sleep(0.5)
        assert set(outbox(repo)) == {("latihan", "Baik")}
        assert running.process.poll() is None
        # Fixed, now past its time but within max_delay: it goes out at once.
        rewrite(broken, f"---\npublish_at: {local(t0 + timedelta(seconds=3))}\n---\nRusak\n")
        running.wait_for("sent", lambda e: e["post"] == "rusak")
        assert running.terminate() == 0
    assert set(outbox(repo)) == {("latihan", "Baik"), ("latihan", "Rusak")}


def test_sigterm_finishes_the_delivery_in_hand_and_one_daemon_per_folder(repo: Repo) -> None:
    repo.write_config(CONFIG)
    t0 = START
    post(repo, "lambat.md", t0 + timedelta(seconds=2), "Lambat", to="lambat")  # 1 s to send
    with daemon(repo, t0) as running:
        second = run_humaspost("daemon", "--now", local(t0), cwd=repo.root)
        assert second.returncode == 2, second.stderr
        assert "a daemon is already running" in second.stderr
        assert f"pid {running.process.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        assert running.heartbeat()["pid"] == running.process.pid  # the second wrote nothing

        running.wait_for("sending", lambda e: e["post"] == "lambat")
        asked = time.monotonic()
        assert running.terminate() == 0
        assert time.monotonic() - asked < 10
        assert [e["event"] for e in running.events()][-2:] == ["sent", "stopped"]
        heartbeat = running.heartbeat()
        assert heartbeat["running"] is False
    assert log_rows(repo)["lambat"]["state"] == "sent"
    code = run_humaspost("schedule", "--format", "json", "--now", local(t0), cwd=repo.root)
    assert json.loads(code.stdout)["daemon"]["state"] == "stopped"


def test_a_weekday_repeat_fires_on_friday_and_next_on_monday(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post(
        "senam.md", '---\npublish_at: 2026-12-04 08:00\nrepeat: "0 8 * * 1-5"\n---\nSenam pagi\n'
    )
    friday_eight = FRIDAY.replace(hour=8, minute=0, second=0)
    with daemon(repo, FRIDAY) as running:
        running.wait_for("sent", lambda e: e["post"] == "senam")
        (part,) = outbox(repo).values()
        assert 0 <= lateness(part, friday_eight) <= 1
        monday = datetime(2026, 12, 7, 8, 0, tzinfo=WIB)

        def after_the_pass() -> bool:  # the heartbeat is written once the pass is over
            last = running.heartbeat()["last_sweep"]
            return last is not None and datetime.fromisoformat(last) >= friday_eight

        deadline = time.monotonic() + 5
        while not after_the_pass() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert datetime.fromisoformat(running.heartbeat()["next_delivery"]) == monday
        shown = run_humaspost(
            "schedule",
            "--format",
            "json",
            "--days",
            "4",
            "--now",
            local(friday_eight),
            cwd=repo.root,
        )
        data = json.loads(shown.stdout)
        assert data["daemon"]["state"] == "running"
        assert datetime.fromisoformat(data["daemon"]["next_delivery"]) == monday
        assert [(d["local_time"], d["state"]) for d in data["deliveries"]] == [
            ("2026-12-04T08:00:00+07:00", "sent"),
            ("2026-12-07T08:00:00+07:00", "scheduled"),
            ("2026-12-08T08:00:00+07:00", "scheduled"),
        ]


def test_day_of_week_0_and_7_are_sunday_and_1_5_monday_to_friday(repo: Repo) -> None:
    repo.write_config(CONFIG)
    for name, expression in (
        ("nol", "0 8 * * 0"),
        ("tujuh", "0 8 * * 7"),
        ("kerja", "0 8 * * 1-5"),
    ):
        repo.post(
            f"{name}.yaml", f"repeat: '{expression}'\npublish_at: 2026-11-30 08:00\ntext: {name}\n"
        )
    config = repo.config()
    now = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    loaded = load_posts(config, repo.root, now)
    assert not loaded.errors
    deliveries = plan(
        loaded.planned, config, {}, now, until=now + timedelta(days=14), first_seen={}
    )
    days: dict[str, list[str]] = {}
    for delivery in deliveries:
        local_time = delivery.due_at.astimezone(WIB)
        assert (local_time.hour, local_time.minute) == (8, 0)
        days.setdefault(delivery.key.post_id, []).append(local_time.strftime("%a %d"))
    sundays = ["Sun 06", "Sun 13"]
    assert days["nol"] == days["tujuh"] == sundays
    assert days["kerja"] == [
        "Mon 30", "Tue 01", "Wed 02", "Thu 03", "Fri 04",
        "Mon 07", "Tue 08", "Wed 09", "Thu 10", "Fri 11",
    ]  # fmt: skip


def test_catch_up_sends_what_is_within_max_delay_and_misses_the_rest(repo: Repo) -> None:
    repo.write_config(CONFIG)  # max_delay: 2 hours (the default)
    t0 = START
    post(repo, "telat.md", t0 - timedelta(minutes=30), "Telat setengah jam")
    post(repo, "basi.md", t0 - timedelta(hours=3), "Telat tiga jam")
    post(repo, "facebook.md", t0 - timedelta(minutes=30), "Tanpa token", to="pemkot-fb")
    with daemon(repo, t0) as running:
        sent = running.wait_for("sent", lambda e: e["post"] == "telat")
        missed = running.wait_for("missed", lambda e: e["post"] == "basi")
        assert missed["level"] == "warning"
        started = datetime.fromisoformat(running.events("started")[0]["time"])
        assert datetime.fromisoformat(sent["time"]) - started < timedelta(seconds=1)
        # A missing secret is said loudly, once (not in a loop without pause, nor at
        # every pass while its delivery is due), and the delivery waits for it.
        time.sleep(1)
        (secret,) = running.events("missing secrets")
        assert secret["level"] == "error" and secret["variables"] == ["FB_TOKEN_NOT_SET"]
        assert secret["account"] == "pemkot-fb"
    assert set(outbox(repo)) == {("latihan", "Telat setengah jam")}
    rows = log_rows(repo)
    assert (rows["telat"]["state"], rows["basi"]["state"]) == ("sent", "missed")
    assert "facebook" not in rows  # not claimed: it goes out once the secret is there


def test_the_next_delivery_is_found_quickly_past_a_minutely_repeat(repo: Repo) -> None:
    repo.write_config(CONFIG)
    # Held back (HP116), yet the search for the next delivery must not expand 400 days
    # of its minutes.
    repo.post("menit.yaml", "repeat: '* * * * *'\ntext: Tiap menit\n")
    later = datetime(2026, 12, 14, 8, 0, tzinfo=WIB)  # beyond the 2 days planned ahead
    post(repo, "senam.md", later, "Senam pagi", repeat="'0 8 * * 1'")
    started = time.monotonic()
    with daemon(repo, FRIDAY) as running:
        assert time.monotonic() - started < 10
        assert datetime.fromisoformat(running.heartbeat()["next_delivery"]) == later
        assert running.wait_for("post held back")["code"] == "HP116"


TWO_ACCOUNTS = """\
timezone: Asia/Jakarta
max_delay: 10s
accounts:
  latihan:
    platform: sandbox
  pemkot-fb:
    platform: facebook
    page_id: ${FB_PAGE_ID}
    access_token: ${FB_TOKEN_NOT_SET}
defaults:
  to: [latihan]
"""
# Set in .env: the log may name its variable, never show it.
PAGE_ID = "104857609999999"


def two_accounts(repo: Repo) -> None:
    repo.write_config(TWO_ACCOUNTS)
    (repo.root / ".env").write_text(f"FB_PAGE_ID={PAGE_ID}\n", encoding="utf-8")


def test_missing_secrets_are_said_once_at_start_and_the_other_account_publishes(
    repo: Repo,
) -> None:
    two_accounts(repo)
    t0 = START
    # Due from t0+1 s to its deadline at t0+11 s: every pass until then finds it due.
    post(repo, "facebook.md", t0 + timedelta(seconds=1), "Tanpa token", to="pemkot-fb")
    post(repo, "pagi.md", t0 + timedelta(seconds=2), "Pagi")
    post(repo, "siang.md", t0 + timedelta(seconds=4), "Siang")
    with daemon(repo, t0) as running:
        (said,) = running.events("missing secrets")
        assert said["level"] == "error" and said["account"] == "pemkot-fb"
        assert said["variables"] == ["FB_TOKEN_NOT_SET"]
        assert "not sent" in said["hint"] and "missed" in said["hint"]
        names = [e["event"] for e in running.events()]
        assert names.index("started") < names.index("missing secrets")
        running.wait_for("sent", lambda e: e["post"] == "siang")
        assert running.terminate() == 0
        # Every pass (start, three wake-ups), the secrets named once; in JSON no
        # summary beside the account's own object.
        assert len(running.events("missing secrets")) == 1
        assert not [e for e in running.events() if "secrets missing" in e["event"]]
        assert PAGE_ID not in running.log_file.read_text(encoding="utf-8")
    assert set(outbox(repo)) == {("latihan", "Pagi"), ("latihan", "Siang")}
    # The daemon's clock is a month ahead (--now): a delivery to a public account is
    # not recorded missed before its real time (tests/test_nothing_vanishes.py shows it
    # recorded once its deadline has really passed).
    assert "facebook" not in log_rows(repo)


def test_a_text_log_sums_up_the_missing_secrets_and_sandbox_needs_none(repo: Repo) -> None:
    two_accounts(repo)
    t0 = START
    log_file = repo.root.parent / "daemon-text.log"
    with log_file.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [str(HUMASPOST), "daemon", "--now", local(t0)],
            cwd=repo.root,
            env={k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + 15
        while not (repo.root / ".humaspost" / "daemon.json").exists():
            assert time.monotonic() < deadline, log_file.read_text(encoding="utf-8")
            time.sleep(0.02)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    text = log_file.read_text(encoding="utf-8")
    (line,) = [line for line in text.splitlines() if "missing secrets" in line]
    assert "error" in line and "account=pemkot-fb" in line
    assert "variables=['FB_TOKEN_NOT_SET']" in line
    (summary,) = [line for line in text.splitlines() if "secrets missing" in line]
    assert "secrets missing for 1 of 2 accounts: pemkot-fb." in summary
    assert "restart the daemon" in summary
    assert PAGE_ID not in text

    post(repo, "facebook.md", t0 + timedelta(seconds=1), "Ke sandbox", to="pemkot-fb")
    with daemon(repo, t0, "--sandbox") as running:
        running.wait_for("sent", lambda e: e["post"] == "facebook")
        assert not running.events("missing secrets")
