"""The daemon fetches the complaint inbox (from the local fake of X) when the config
has an `inbox:` section, and its log says how many items came, never who wrote them or
what they wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from humaspost.inbox_log import InboxLog
from humaspost.publog import PublishLog
from tests.conftest import HUMASPOST
from tests.fakes.x_server import FakeX
from tests.inbox_on_x import WIB, Clock, config_text, district, environment, fake_x

NOW = "2026-12-23 10:00"


@contextmanager
def running_daemon(root: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`humaspost daemon --log-format json` at NOW with the office's secrets; stopped
    with SIGTERM at the end (SIGKILL if it hangs)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "HUMASPOST_LANG": "en", **environment(None)})
    log_file = root.parent / "daemon.log"
    with log_file.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [str(HUMASPOST), "daemon", "--log-format", "json", "--now", f"{NOW}:00"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        yield process, log_file
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise AssertionError(f"no exit after SIGTERM: {log_file.read_text()}") from None


def events(log_file: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]


def wait_for(log_file: Path, name: str, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    """The first `name` event of the daemon's log (60 s at most: a loaded machine)."""
    deadline = time.monotonic() + 60
    while True:
        found = [event for event in events(log_file) if event["event"] == name]
        if found:
            return found[0]
        assert process.poll() is None, f"daemon exited: {log_file.read_text()}"
        assert time.monotonic() < deadline, f"no {name}: {log_file.read_text()}"
        time.sleep(0.05)


def office(root: Path, x: FakeX, *, inbox: bool) -> None:
    root.mkdir()
    (root / "posts").mkdir()
    text = config_text(x) if inbox else config_text(x, inbox="")
    (root / "humaspost.yaml").write_text(text, encoding="utf-8")


def test_the_daemon_fetches_at_start_and_logs_only_counts(tmp_path: Path) -> None:
    clock = Clock(NOW)
    root = tmp_path / "repo"
    with fake_x(clock) as x:
        district(x)
        received = datetime(2026, 12, 23, 9, 0, tzinfo=WIB)
        x.mention("pemkotbekasi", "warga_uji1", "Banjir di Jl. Contoh", created_at=received)
        x.mention("kectimur", "warga_uji2", "sampah menumpuk", created_at=received)
        office(root, x, inbox=True)
        with running_daemon(root) as (process, log_file):
            fetched = wait_for(log_file, "inbox fetched", process)
        assert process.returncode == 0
    assert fetched["new"] == 2
    with PublishLog(root / ".humaspost" / "publog.sqlite") as log:
        items = InboxLog(log).items()
    assert {(item.account, item.office) for item in items} == {
        ("pemkot-x", "BPBD"),
        ("kec-timur-x", "kec-timur"),
    }
    said = log_file.read_text(encoding="utf-8")
    for private in ("warga_uji", "Banjir", "sampah", "Warga "):
        assert private not in said


def test_without_an_inbox_section_the_daemon_reads_nothing(tmp_path: Path) -> None:
    clock = Clock(NOW)
    root = tmp_path / "repo"
    with fake_x(clock) as x:
        x.mention("pemkotbekasi", "warga_uji1", "halo")
        office(root, x, inbox=False)
        with running_daemon(root) as (process, log_file):
            wait_for(log_file, "started", process)
            deadline = time.monotonic() + 60
            while not (root / ".humaspost" / "daemon.json").exists():  # caught up
                assert time.monotonic() < deadline, log_file.read_text()
                time.sleep(0.05)
        assert x.counts["mentions"] == 0  # X charges reads: none without `inbox:`
    assert not [event for event in events(log_file) if event["event"].startswith("inbox")]
