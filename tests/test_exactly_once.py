"""The promises of the publish log, with the installed command and real processes:
concurrent publishers send each delivery once; a publisher killed at any moment loses
nothing and duplicates nothing; a thread killed between parts resumes where it stopped.
"""

from __future__ import annotations

import random
import re
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.sandbox_office import NOW, Office, kill_round, run, spawn


def test_four_concurrent_publishers_send_each_delivery_once(tmp_path: Path) -> None:
    # 20 accounts x 10 posts = 200 due deliveries; post 0 is a 3-part thread.
    office = Office(tmp_path, accounts=20, posts=10, delay="20ms", thread_parts={0: 3}).write()
    processes = [spawn(tmp_path, "publish", "--now", NOW) for _ in range(4)]
    finished = [process.communicate(timeout=120) for process in processes]
    for process, (stdout, stderr) in zip(processes, finished, strict=True):
        assert process.returncode == 0, stdout + stderr
    sent_lines = sum(stdout.count("\nsent ") + stdout.startswith("sent ") for stdout, _ in finished)
    assert sent_lines == 200  # each delivery reported by exactly one of the processes
    parts = office.outbox()
    assert len(parts) == 20 * (9 + 3)
    assert max(Counter((p["account"], p["text"]) for p in parts).values()) == 1
    rows = office.log()
    assert len(rows) == 200
    assert Counter(row["state"] for row in rows) == {"sent": 200}
    assert all(row["attempts"] == 1 for row in rows)
    assert office.check() == []
    again = run(tmp_path, "publish", "--now", NOW)
    assert again.returncode == 0 and again.stdout == "nothing due\n"
    assert len(office.outbox()) == 240


@pytest.mark.parametrize("seed", range(5))
def test_a_publisher_killed_at_a_random_moment(tmp_path: Path, seed: int) -> None:
    """The full 20 rounds: bench/kill_publisher.py."""
    result = kill_round(tmp_path, random.Random(seed))
    assert result.problems == [], result
    assert result.sent + result.unknown == 24
    # The rerun that settled a delivery as unknown says so in its exit code; later
    # ones only warn.
    assert result.reruns[0] == (1 if result.unknown else 0)
    assert all(code == 0 for code in result.reruns[1:])
    # The 16 re-shares (2 accounts re-share 2 posts' 4 deliveries), and the second
    # publisher, killed while sending them, likewise; an unknown origin's wait.
    assert result.reshares_sent + result.reshares_unknown + result.reshares_waiting == 16
    assert result.reshare_reruns[0] == (1 if result.reshares_unknown else 0)
    assert all(code == 0 for code in result.reshare_reruns[1:])


def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_thread_killed_after_part_2_resumes_at_part_3(tmp_path: Path) -> None:
    # 600 ms a part: 300 ms connecting, 300 ms in flight.
    office = Office(tmp_path, accounts=1, posts=1, delay="600ms", thread_parts={0: 4}).write()
    process = spawn(tmp_path, "publish", "--now", NOW)
    wait_for(lambda: len(office.outbox()) >= 2)
    time.sleep(0.1)  # part 2 is recorded; part 3 is still connecting
    process.send_signal(signal.SIGKILL)
    process.communicate()
    first_two = office.outbox()
    assert [p["text"] for p in first_two] == [office.text(0, 0), office.text(0, 1)]

    resumed = run(tmp_path, "publish", "--now", NOW)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert resumed.stdout.startswith("sent ")
    parts = office.outbox()
    assert [p["text"] for p in parts] == [office.text(0, n) for n in range(4)]
    assert parts[:2] == first_two  # parts 1 and 2 were not posted again
    assert parts[2]["reply_to"] == parts[1]["id"]
    assert parts[3]["reply_to"] == parts[2]["id"]
    (row,) = office.log()
    assert row["state"] == "sent" and row["attempts"] == 2
    assert row["url"] == f"sandbox://kec-00/{parts[0]['id']}"
    assert office.check() == []


def test_killed_with_a_part_in_flight_is_unknown_until_resolved(tmp_path: Path) -> None:
    # 600 ms a part: 300 ms connecting, 300 ms in flight.
    office = Office(tmp_path, accounts=1, posts=1, delay="600ms").write()
    process = spawn(tmp_path, "publish", "--now", NOW)
    log_file = tmp_path / ".humaspost" / "publog.sqlite"

    def in_flight() -> bool:
        if not log_file.exists():
            return False
        db = sqlite3.connect(log_file, timeout=5)
        try:
            query = "SELECT count(*) FROM deliveries WHERE inflight_part IS NOT NULL"
            return bool(db.execute(query).fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not there yet
            return False
        finally:
            db.close()

    wait_for(in_flight)
    process.send_signal(signal.SIGKILL)
    process.communicate()

    after = run(tmp_path, "publish", "--now", NOW)
    assert after.returncode == 1, after.stdout + after.stderr
    assert "nothing due" in after.stdout
    assert "1 delivery is in state unknown (1 new this run)" in after.stderr
    (row,) = office.log("--state", "unknown")
    assert "stopped while sending part 1" in row["error"]
    text = run(tmp_path, "log", "--state", "unknown")
    assert re.search(rf"\n{row['id']}  \d\d:\d\d  unknown  p000 → kec-00  ", text.stdout)
    # Never retried by itself.
    again = run(tmp_path, "publish", "--now", NOW)
    assert again.returncode == 0 and "1 delivery is in state unknown" in again.stderr
    assert office.outbox() == []
    # A person looked: it is not on the platform. The next publish sends it.
    resolved = run(tmp_path, "resolve", str(row["id"]), "--not-sent", "--now", NOW)
    assert resolved.returncode == 0, resolved.stderr
    assert "queued to be sent again" in resolved.stdout
    sent = run(tmp_path, "publish", "--now", NOW)
    assert sent.returncode == 0 and sent.stdout.startswith("sent ")
    assert [p["text"] for p in office.outbox()] == [office.text(0, 0)]
    assert office.check() == []


def test_ctrl_c_finishes_the_delivery_in_hand_then_exits_130(tmp_path: Path) -> None:
    # One account, four posts, 2 s each (1 s connecting, 1 s in flight): slow enough to
    # interrupt while the first is in hand.
    office = Office(tmp_path, accounts=1, posts=4, delay="2s").write()
    process = spawn(tmp_path, "publish", "--now", NOW)
    log_file = tmp_path / ".humaspost" / "publog.sqlite"

    def claimed() -> bool:
        if not log_file.exists():
            return False
        db = sqlite3.connect(log_file, timeout=5)
        try:
            query = "SELECT count(*) FROM deliveries WHERE state = 'sending'"
            return bool(db.execute(query).fetchone()[0])
        except sqlite3.OperationalError:  # the schema is not there yet
            return False
        finally:
            db.close()

    wait_for(claimed)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout + stderr
    assert "interrupted: 1 sent, 3 not started" in stderr
    assert stdout.splitlines()[-1] == "1 sent"
    assert "Traceback" not in stderr
    # The delivery in hand went out, once; nothing is left `sending`.
    assert [p["text"] for p in office.outbox()] == [office.text(0, 0)]
    assert [row["state"] for row in office.log()] == ["sent"]
    # The next run sends the rest, and nothing twice.
    rest = run(tmp_path, "publish", "--now", NOW)
    assert rest.returncode == 0 and rest.stdout.splitlines()[-1] == "3 sent"
    assert sorted(p["text"] for p in office.outbox()) == [office.text(n, 0) for n in range(4)]
    assert office.check() == []
