"""`humaspost schedule` end to end: the installed command in a subprocess, with `--now`.

The repository's accounts are sandbox accounts, so that `humaspost publish` really sends
(into the local outbox) and the schedule then shows what went out."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from humaspost.publog import DeliveryKey, PublishLog, RowState
from tests.conftest import ENDS, HUMASPOST, Repo, run_humaspost

# Saturday 28 November 2026, 16:00 WIB (09:00 UTC).
NOW = "2026-11-28 16:00"

CONFIG = """\
timezone: Asia/Jakarta
accounts:
  latihan:
    platform: sandbox
    daily_limit: 2
  humas-x:
    platform: sandbox
    like: twitter
  pemkot-x:
    platform: twitter
    consumer_key: ${X_KEY}
    consumer_secret: ${X_SECRET}
    access_token: ${X_TOKEN}
    access_token_secret: ${X_TOKEN_SECRET}
defaults:
  to: [latihan]
"""

HEADING = re.compile(
    r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{1,2} "
    r"(January|February|March|April|May|June|July|August|September|October|November"
    r"|December) \d{4}"
)
ROW = re.compile(r"^  (\d\d:\d\d)  (\w+) +(\S+) → (\S+)(.*)$")


@pytest.fixture
def office(repo: Repo) -> Repo:
    """A repository whose default account is a sandbox account with a daily limit of 2."""
    repo.write_config(CONFIG)
    return repo


def post(repo: Repo, name: str, when: str, text: str = "Info untuk warga", **fields: str) -> None:
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    repo.post(name, f"---\npublish_at: {when}\n{extra}---\n{text}\n")


def schedule(repo: Repo, *args: str) -> tuple[int, str, str]:
    # Wide enough that no line is broken: these tests read whole lines (the layout at 80
    # columns is tested in test_i18n_everyday.py).
    result = run_humaspost("schedule", "--now", NOW, *args, cwd=repo.root, env={"COLUMNS": "250"})
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, result.stdout, result.stderr


def schedule_json(repo: Repo, *args: str) -> dict[str, Any]:
    _, out, _ = schedule(repo, "--format", "json", *args)
    data: dict[str, Any] = json.loads(out)
    return data


def timeline(text: str) -> dict[str, list[tuple[str, str, str, str, str]]]:
    """Day heading -> (time, state, post, account, rest) of each delivery line."""
    days: dict[str, list[tuple[str, str, str, str, str]]] = {}
    current = None
    for line in text.splitlines():
        if HEADING.match(line):
            current = line.removesuffix(" (today)")
            days[current] = []
        elif (match := ROW.match(line)) and current is not None:
            when, state, post_id, account, rest = match.groups()
            days[current].append((when, state, post_id, account, rest.strip()))
    return days


def states(text: str) -> dict[str, str]:
    """Post id -> state, for posts with one delivery."""
    return {row[2]: row[1] for rows in timeline(text).values() for row in rows}


def test_days_are_local_days_across_midnight_utc(office: Repo) -> None:
    # 06:00 WIB on 1 December is 23:00 UTC on 30 November.
    post(office, "pagi.md", "2026-12-01 06:00")
    post(office, "malam.md", "2026-12-01 23:30")
    post(office, "sore.md", "2026-11-30 20:00")
    code, out, _ = schedule(office)
    assert code == 0
    days = timeline(out)
    assert list(days) == ["Monday, 30 November 2026", "Tuesday, 1 December 2026"]
    assert [row[:4] for row in days["Tuesday, 1 December 2026"]] == [
        ("06:00", "scheduled", "pagi", "latihan"),
        ("23:30", "scheduled", "malam", "latihan"),
    ]
    assert [row[2] for row in days["Monday, 30 November 2026"]] == ["sore"]
    pagi = next(d for d in schedule_json(office)["deliveries"] if d["post"] == "pagi")
    assert pagi["due_at"] == "2026-11-30T23:00:00+00:00"
    assert pagi["local_time"] == "2026-12-01T06:00:00+07:00"


def test_every_state_and_the_exit_code_for_blocked_posts(office: Repo) -> None:
    post(office, "terkirim.md", "2026-11-28 15:00")
    sent = run_humaspost("publish", "--now", "2026-11-28 15:05", cwd=office.root)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    post(office, "jatuh-tempo.md", "2026-11-28 15:30")
    post(office, "nanti.md", "2026-11-29 09:00")
    post(office, "draf.md", "2026-11-29 10:00", draft="true")
    post(office, "rusak.md", "2026-11-29 11:00", media="[{file: ../media/hilang.png, alt: x}]")
    post(office, "dulu.md", "2026-11-20 09:00")

    code, out, _ = schedule(office)
    assert code == 1  # a post file has errors
    assert states(out) == {
        "terkirim": "sent",
        "jatuh-tempo": "due",
        "nanti": "scheduled",
        "draf": "draft",
        "rusak": "blocked",
    }  # a delivery missed long ago is not shown
    days = timeline(out)
    assert list(days) == ["Saturday, 28 November 2026", "Sunday, 29 November 2026"]
    assert "Saturday, 28 November 2026 (today)" in out.splitlines()
    terkirim = next(row for row in days["Saturday, 28 November 2026"] if row[2] == "terkirim")
    assert terkirim[4] == "2026-11-28_1505_terkirim_1.json"  # the sandbox's outbox file
    assert "1 post file has errors and is held back: posts/rusak.md" in out
    assert "run 'humaspost check' to see them" in out
    assert out.splitlines()[-1] == ("5 deliveries: 1 scheduled, 1 due, 1 sent, 1 draft, 1 blocked")

    code, out, _ = schedule(office, "--all")
    assert code == 1
    assert states(out)["dulu"] == "missed"
    assert "Friday, 20 November 2026" in timeline(out)

    (office.posts / "rusak.md").unlink()
    code, out, _ = schedule(office)
    assert code == 0
    assert "held back" not in out


def test_the_window_is_today_to_days_ahead(office: Repo) -> None:
    post(office, "pagi-ini.md", "2026-11-28 07:00")  # earlier today: still shown
    post(office, "dua-minggu.md", "2026-12-12 15:00")
    post(office, "tiga-minggu.md", "2026-12-19 09:00")
    _, out, _ = schedule(office)
    assert set(states(out)) == {"pagi-ini", "dua-minggu"}
    _, out, _ = schedule(office, "--days", "3")
    assert set(states(out)) == {"pagi-ini"}
    _, out, _ = schedule(office, "--days", "30")
    assert set(states(out)) == {"pagi-ini", "dua-minggu", "tiga-minggu"}


def test_more_than_the_daily_limit_is_a_warning(office: Repo) -> None:
    for hour in ("08:00", "12:00", "17:00"):
        post(office, f"selasa-{hour[:2]}.md", f"2026-12-01 {hour}")
    for hour in ("08:00", "12:00"):
        post(office, f"rabu-{hour[:2]}.md", f"2026-12-02 {hour}")
    post(office, "rabu-draf.md", "2026-12-02 18:00", draft="true")  # drafts do not count
    code, out, _ = schedule(office)
    assert code == 0  # warnings do not fail
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: latihan has 3 deliveries on Tuesday, 1 December 2026, more than its "
        "daily_limit of 2"
    ]
    data = schedule_json(office)
    assert [(w["code"], w["account"], w["day"]) for w in data["warnings"]] == [
        ("daily-limit", "latihan", "2026-12-01")
    ]


def test_three_deliveries_within_fifteen_minutes_are_a_burst(office: Repo) -> None:
    for minute in ("00", "05", "15"):
        post(office, f"pagi-{minute}.md", f"2026-12-03 09:{minute}", to="humas-x")
    for minute in ("00", "10", "20"):  # 20 minutes from first to last: not a burst
        post(office, f"siang-{minute}.md", f"2026-12-03 13:{minute}", to="humas-x")
    post(office, "lain.md", "2026-12-03 09:10")  # another account
    code, out, _ = schedule(office)
    assert code == 0
    warnings = [line for line in out.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "warning: humas-x gets 3 deliveries between 09:00 and 09:15 on Thursday, 3 December 2026"
    )
    (burst,) = schedule_json(office)["warnings"]
    assert (burst["code"], burst["account"], burst["day"]) == ("burst", "humas-x", "2026-12-03")


def test_a_weekly_repeat_is_one_delivery_per_occurrence(office: Repo) -> None:
    office.post(
        "senam.yaml",
        "publish_at: 2026-11-23 08:00\nrepeat: '0 8 * * 1'\ntext: Senam pagi di Alun-alun\n",
    )
    _, out, _ = schedule(office)
    days = timeline(out)
    assert {day: [row[:4] for row in rows] for day, rows in days.items()} == {
        "Monday, 30 November 2026": [("08:00", "scheduled", "senam", "latihan")],
        "Monday, 7 December 2026": [("08:00", "scheduled", "senam", "latihan")],
    }
    assert all(rows[0][4] == "(repeat)" for rows in days.values())
    deliveries = schedule_json(office)["deliveries"]
    assert [(d["occurrence"], d["repeat"]) for d in deliveries] == [
        ("2026-11-30T01:00:00Z", "0 8 * * 1"),
        ("2026-12-07T01:00:00Z", "0 8 * * 1"),
    ]
    _, out, _ = schedule(office, "--days", "3")
    assert list(timeline(out)) == ["Monday, 30 November 2026"]


def test_json_shape(office: Repo) -> None:
    post(office, "terkirim.md", "2026-11-28 15:00")
    run_humaspost("publish", "--now", "2026-11-28 15:05", cwd=office.root)
    post(office, "nanti.md", "2026-11-29 09:00", to="[latihan, humas-x]")
    office.post("rusak.md", "---\npublish_at: besok\n---\nTeks\n")
    data = schedule_json(office)
    assert set(data) == {
        "now", "timezone", "deliveries", "warnings", "not_shown", "problems", "not_committed",
        "daemon", "daemons", "x_cost",
    }  # fmt: skip
    assert data["daemons"] == []  # a SQLite log: only this state folder's daemon
    assert data["not_shown"] == []
    assert data["now"] == "2026-11-28T09:00:00+00:00"
    assert data["timezone"] == "Asia/Jakarta"
    assert data["problems"] == 1
    assert data["warnings"] == []
    first, *rest = data["deliveries"]
    assert isinstance(first["id"], int)
    assert first == {
        "id": first["id"],
        "post": "terkirim",
        "file": "posts/terkirim.md",
        "account": "latihan",
        "platform": "sandbox",
        "occurrence": "once",
        "kind": "post",
        "origin": None,
        "due_at": "2026-11-28T08:00:00+00:00",
        "local_time": "2026-11-28T15:00:00+07:00",
        "state": "sent",
        "url": first["url"],
        "error": None,
        "repeat": None,
    }
    assert first["url"].startswith("sandbox://latihan/")
    assert [(d["post"], d["account"], d["id"], d["state"]) for d in rest] == [
        ("nanti", "humas-x", None, "scheduled"),
        ("nanti", "latihan", None, "scheduled"),
    ]


def unfold(raw: bytes) -> list[str]:
    """The content lines of an iCalendar file, checking its line structure on the way."""
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in physical)
    assert all(len(line) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        if line.startswith(b" "):
            logical[-1] += line[1:].decode("utf-8")
        else:
            logical.append(line.decode("utf-8"))
    return logical


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_ics_is_a_valid_calendar(office: Repo) -> None:
    long_text = (
        "Waspada banjir; curah hujan tinggi, warga di bantaran kali diminta siaga. "
        "Hubungi BPBD Kota Bekasi di 112 — gratis, 24 jam. \\ Info: https://bekasikota.go.id"
    )
    post(office, "banjir.md", "2026-12-01 06:00", text=long_text, to="[latihan, humas-x]")
    post(office, "draf.md", "2026-12-02 09:00", draft="true")
    office.post(
        "senam.yaml", "publish_at: 2026-11-23 08:00\nrepeat: '0 8 * * 1'\ntext: Senam pagi\n"
    )
    raw = raw_ics(office)
    lines = unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    events: list[dict[str, str]] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            events.append({})
        elif line != "END:VEVENT" and events and not line.startswith("END:VCALENDAR"):
            name, _, value = line.partition(":")
            events[-1][name] = value
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(events) == 5
    deliveries = schedule_json(office)["deliveries"]
    assert [e["UID"] for e in events] == [
        f"{d['post']}/{d['occurrence']}/{d['account']}@humaspost" for d in deliveries
    ]
    assert "banjir/once/humas-x@humaspost" in [e["UID"] for e in events]
    assert "senam/2026-11-30T01:00:00Z/latihan@humaspost" in [e["UID"] for e in events]
    for event, delivery in zip(events, deliveries, strict=True):
        assert {"UID", "DTSTAMP", "DTSTART", "SUMMARY", "DESCRIPTION"} <= set(event)
        due = datetime.fromisoformat(delivery["due_at"])
        assert event["DTSTART"] == due.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        assert f"State: {delivery['state']}" in unescape(event["DESCRIPTION"])
    banjir = next(e for e in events if e["UID"] == "banjir/once/latihan@humaspost")
    assert unescape(banjir["SUMMARY"]) == f"latihan: {long_text[:60]}"
    assert "\\;" in banjir["SUMMARY"] and "\\," in banjir["SUMMARY"]
    assert long_text in unescape(banjir["DESCRIPTION"])
    draf = next(e for e in events if e["UID"].startswith("draf/"))
    assert draf["STATUS"] == "TENTATIVE"


def raw_ics(repo: Repo) -> bytes:
    """The command's stdout as bytes: text-mode capture would hide how lines end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    result = subprocess.run(
        [str(HUMASPOST), "schedule", "--now", NOW, "--format", "ics"],
        cwd=repo.root,
        env={**env, "NO_COLOR": "1", "HUMASPOST_LANG": "en"},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def seed(repo: Repo, post_id: str, occurrence: str, due: str, state: RowState, error: str) -> int:
    """Put a delivery in the publish log as a publisher would have left it."""
    due_at = datetime.fromisoformat(due)
    with PublishLog(repo.root / ".humaspost" / "publog.sqlite") as publog:
        key = DeliveryKey(post_id, occurrence, "latihan")
        lease = timedelta(minutes=2)
        claim = publog.claim(
            key, platform="sandbox", due_at=due_at, owner="test", now=due_at, lease=lease
        )
        assert claim is not None
        publog.finish(claim.row_id, ENDS[state], owner="test", now=due_at, outcome="x", error=error)
        return claim.row_id


def test_unknown_and_failed_deliveries_are_shown_loudly_and_fail(office: Repo) -> None:
    post(office, "hilang.md", "2026-11-21 09:00")  # a week ago: older than today
    post(office, "gagal.md", "2026-11-22 09:00")
    office.post("senam.yaml", "publish_at: 2026-11-02 08:00\nrepeat: '0 8 * * 1'\ntext: Senam\n")
    unknown = seed(
        office,
        "hilang",
        "once",
        "2026-11-21T02:00:00+00:00",
        RowState.UNKNOWN,
        "connection reset while sending part 1",
    )
    failed = seed(
        office,
        "gagal",
        "once",
        "2026-11-22T02:00:00+00:00",
        RowState.FAILED,
        "401 Unauthorized: the access token has expired",
    )
    # An occurrence of a repeat far older than anything the plan still looks at.
    old = seed(
        office,
        "senam",
        "2026-11-09T01:00:00Z",
        "2026-11-09T01:00:00+00:00",
        RowState.UNKNOWN,
        "timeout",
    )
    code, out, _ = schedule(office)
    assert code == 1
    assert states(out)["hilang"] == "unknown"
    assert states(out)["gagal"] == "failed"
    lines = out.splitlines()
    at = lines.index(next(line for line in lines if "hilang → latihan" in line))
    assert lines[at + 1].strip() == "connection reset while sending part 1"
    assert f"humaspost resolve {unknown} --sent URL" in lines[at + 2]
    at = lines.index(next(line for line in lines if "gagal → latihan" in line))
    assert lines[at + 1].strip() == "401 Unauthorized: the access token has expired"
    assert f"humaspost retry {failed}" in lines[at + 2]
    assert "Monday, 9 November 2026" in timeline(out)
    data = schedule_json(office)
    by_id = {d["id"]: d for d in data["deliveries"] if d["id"] is not None}
    assert by_id[unknown]["error"] == "connection reset while sending part 1"
    assert (by_id[old]["post"], by_id[old]["state"]) == ("senam", "unknown")

    for settle in (
        ("resolve", str(unknown), "--not-sent"),
        ("resolve", str(old), "--sent", "https://x.com/humas/status/1"),
        ("retry", str(failed)),
    ):
        settled = run_humaspost(*settle, "--now", NOW, cwd=office.root)
        assert settled.returncode == 0, settled.stdout + settled.stderr
    code, out, _ = schedule(office)
    assert code == 0, out
    assert states(out)["hilang"] == "due"


def test_sandbox_uses_its_own_log(office: Repo) -> None:
    post(office, "latih.md", "2026-11-28 15:00", to="pemkot-x")
    published = run_humaspost("publish", "--sandbox", "--now", "2026-11-28 15:05", cwd=office.root)
    assert published.returncode == 0, published.stdout + published.stderr
    _, out, _ = schedule(office, "--sandbox")
    assert states(out) == {"latih": "sent"}
    _, out, _ = schedule(office)
    assert states(out) == {"latih": "due"}  # the real log knows nothing of the rehearsal
    assert not (office.root / ".humaspost" / "publog.sqlite").exists()


def test_schedule_writes_no_log(office: Repo) -> None:
    post(office, "nanti.md", "2026-11-29 09:00")
    code, out, _ = schedule(office)
    assert code == 0
    assert states(out) == {"nanti": "scheduled"}
    assert not (office.root / ".humaspost").exists()


def test_nothing_to_show(office: Repo) -> None:
    code, out, _ = schedule(office)
    assert code == 0
    assert "nothing to publish in this period" in out
    assert out.splitlines()[-1] == "no deliveries"


@pytest.mark.parametrize(
    "args",
    [("--days", "-1"), ("--format", "xml"), ("--now", "besok pagi"), ("--days", "99999999")],
)
def test_usage_errors_exit_2(office: Repo, args: tuple[str, ...]) -> None:
    result = run_humaspost("schedule", *args, cwd=office.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_exits_2(tmp_path: Path) -> None:
    result = run_humaspost("schedule", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 2
    assert "humaspost.yaml" in result.stderr


# The daemon line: `schedule` reads the heartbeat a daemon keeps in the state folder.


def heartbeat(repo: Repo, **fields: object) -> None:
    """Write `.humaspost/daemon.json` as a daemon of this machine (this test's process,
    which is alive) would have left it at NOW (09:00 UTC)."""
    data: dict[str, object] = {
        "running": True,
        "updated": "2026-11-28T08:59:30+00:00",
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": "2026-11-27T23:00:00+00:00",
        "last_sweep": "2026-11-28T08:59:30.250000+00:00",
        "next_delivery": "2026-12-01T01:00:00+00:00",
        "sandbox": False,
    }
    data.update(fields)
    state = repo.root / ".humaspost"
    state.mkdir(exist_ok=True)
    (state / "daemon.json").write_text(json.dumps(data), encoding="utf-8")


def daemon_line(repo: Repo) -> str:
    """The daemon line, checking it comes just before the summary."""
    code, out, _ = schedule(repo)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[-2].startswith("daemon: "), out
    return lines[-2]


def test_schedule_says_when_no_daemon_ever_ran(office: Repo) -> None:
    post(office, "nanti.md", "2026-11-29 09:00")
    assert daemon_line(office) == (
        "daemon: none has run here; is 'humaspost publish' run from cron?"
    )
    assert schedule_json(office)["daemon"] == {
        "state": "none",
        "pid": None,
        "host": None,
        "sandbox": False,
        "started": None,
        "last_pass": None,
        "next_delivery": None,
        "updated": None,
    }
    assert not (office.root / ".humaspost").exists()  # reading it writes nothing


def test_schedule_shows_a_running_daemon(office: Repo) -> None:
    heartbeat(office)
    pid = os.getpid()
    assert daemon_line(office) == (
        f"daemon: running (pid {pid}), last pass 15:59:30 WIB, next wake 2026-12-01 08:00 WIB"
    )
    assert schedule_json(office)["daemon"] == {
        "state": "running",
        "pid": pid,
        "host": socket.gethostname(),
        "sandbox": False,
        "started": "2026-11-27T23:00:00+00:00",
        "last_pass": "2026-11-28T08:59:30.250000+00:00",
        "next_delivery": "2026-12-01T01:00:00+00:00",
        "updated": "2026-11-28T08:59:30+00:00",
    }
    # On another machine (sharing the folder): its pid cannot be checked from here.
    heartbeat(office, host="humas-srv-2", pid=1, sandbox=True, next_delivery=None)
    assert daemon_line(office) == (
        "daemon: running (pid 1 on humas-srv-2, --sandbox), last pass 15:59:30 WIB, "
        "nothing scheduled"
    )


def test_a_daemon_without_a_pass_for_three_minutes_is_not_responding(office: Repo) -> None:
    heartbeat(office, last_sweep="2026-11-28T08:57:30+00:00")  # 2.5 minutes ago: fine
    assert schedule_json(office)["daemon"]["state"] == "running"
    heartbeat(office, last_sweep="2026-11-28T08:50:00+00:00")
    line = daemon_line(office)
    assert line == (
        f"daemon: running (pid {os.getpid()}) but not responding: last pass 15:50:00 WIB, "
        "10 minutes ago; look at its log, or restart it"
    )
    assert schedule_json(office)["daemon"]["state"] == "not-responding"
    # Yesterday's pass: the date is shown.
    heartbeat(office, last_sweep="2026-11-27T08:00:00+00:00")
    assert "last pass 2026-11-27 15:00:00 WIB, 25 hours ago" in daemon_line(office)


def test_a_stopped_or_vanished_daemon_is_not_running(office: Repo) -> None:
    heartbeat(office, running=False, updated="2026-11-28T00:00:00+00:00")
    assert daemon_line(office) == "daemon: not running (stopped 2026-11-28 07:00 WIB)"
    assert schedule_json(office)["daemon"]["state"] == "stopped"
    # Killed (SIGKILL, power cut): the heartbeat still says running, the process is gone.
    gone = subprocess.Popen(["true"])
    gone.wait()
    heartbeat(office, pid=gone.pid)
    assert daemon_line(office) == (
        f"daemon: not running (pid {gone.pid} ended without stopping cleanly; "
        "last pass 15:59:30 WIB)"
    )
    assert schedule_json(office)["daemon"]["state"] == "gone"


# Every view bounds what it expands: at most 500 occurrences of one repeating post.


def test_a_repeat_shows_at_most_500_occurrences_and_says_how_many_more(office: Repo) -> None:
    office.post(
        "rutin/jam.yaml",
        "publish_at: 2026-11-29 00:00\nrepeat: '0 * * * *'\nto: humas-x\ntext: Info\n",
    )
    # To 28 December 16:00: 29 days of 24 hours and 17 more hours, 713 occurrences.
    data = schedule_json(office, "--days", "30")
    hourly = [d for d in data["deliveries"] if d["post"] == "rutin/jam"]
    assert len(hourly) == 500
    assert hourly[-1]["local_time"] == "2026-12-19T19:00:00+07:00"
    assert data["not_shown"] == [
        {
            "post": "rutin/jam",
            "after": "2026-12-19T12:00:00+00:00",
            "occurrences": 213,
            "at_least": False,
        }
    ]
    _, out, _ = schedule(office, "--days", "30")
    assert (
        "not shown: 213 later occurrences of rutin/jam (after 2026-12-19 19:00 WIB; at most "
        "500 are shown per repeating post, use a smaller --days)"
    ) in out.splitlines()


def test_ten_years_of_an_hourly_and_a_minutely_repeat_stay_small_and_quick(
    office: Repo,
) -> None:
    office.post("jam.yaml", "repeat: '0 * * * *'\nto: humas-x\ntext: Tiap jam\n")
    office.post("menit.yaml", "repeat: '* * * * *'\nto: humas-x\ntext: Tiap menit\n")  # HP116
    started = time.monotonic()
    result = run_humaspost("schedule", "--now", NOW, "--days", "3660", "--format", "json",
                           cwd=office.root)  # fmt: skip
    assert time.monotonic() - started < 10
    assert result.returncode == 1  # menit.yaml has an error: held back
    data = json.loads(result.stdout)
    counts = Counter((d["post"], d["state"]) for d in data["deliveries"])
    # Not anchored by publish_at: both start now (16:00), which is due.
    assert counts == {("jam", "due"): 1, ("jam", "scheduled"): 499, ("menit", "blocked"): 500}
    assert [
        (n["post"], n["after"], n["occurrences"], n["at_least"]) for n in data["not_shown"]
    ] == [
        ("jam", "2026-12-19T04:00:00+00:00", 10000, True),  # 16:00 WIB + 499 hours
        ("menit", "2026-11-28T17:19:00+00:00", 10000, True),  # 16:00 WIB + 499 minutes
    ]
