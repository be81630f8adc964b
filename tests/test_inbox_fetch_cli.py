"""`humaspost inbox fetch` as staff and cron run it: the installed command against the
local fake of X, killed mid-walk and run again, on both log backends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

from humaspost.inbox_log import InboxLog
from humaspost.publog import PublishLog
from tests.conftest import HUMASPOST, run_humaspost
from tests.fakes.x_server import Fault as XFault
from tests.inbox_on_x import (
    SECRETS,
    WIB,
    Clock,
    district,
    environment,
    fake_x,
    office_config,
    office_log,
)

NOW = "2026-12-23 10:00"


def test_a_fetch_killed_mid_page_and_run_again_loses_and_doubles_nothing(
    tmp_path: Path, log_database: str | None
) -> None:
    clock = Clock(NOW)
    root = tmp_path / "repo"
    root.mkdir()
    with fake_x(clock) as x:
        district(x)
        config = office_config(root, x, log_database)
        first = datetime(2026, 12, 23, 6, 0, tzinfo=WIB)
        for number in range(250):
            x.mention("pemkotbekasi", f"warga_uji{number}", f"keluhan {number}",
                      created_at=first + timedelta(minutes=number))  # fmt: skip
        # The third page is read by X, then its answer hangs: the fetch is killed there.
        x.fail("mentions", XFault("slow", delay=60), after=2)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
        env.update({"NO_COLOR": "1", "HUMASPOST_LANG": "en", **environment(log_database)})
        process = subprocess.Popen(
            [str(HUMASPOST), "inbox", "fetch", "--account", "pemkot-x", "--now", NOW],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while x.counts["mentions"] < 3:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        with PublishLog(office_log(config, log_database)) as log:
            assert len(InboxLog(log).items()) == 200  # two pages stored, the third lost
        # Run again at once: the killed fetch's lease does not hold the account up.
        again = run_humaspost(
            "inbox", "fetch", "--now", NOW, "--format", "json", cwd=root,
            env=environment(log_database),
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
        fetched = {entry["account"]: entry for entry in json.loads(again.stdout)["accounts"]}
        assert (fetched["pemkot-x"]["status"], fetched["pemkot-x"]["new"]) == ("done", 50)
        # It went on from the third page: X was not asked for the first two again.
        assert x.counts["mentions"] == 3 + 1 + 1  # + kec-timur's one page
        tweets = sorted(tweet.id for tweet in x.tweets)
    with PublishLog(office_log(config, log_database)) as log:
        stored = sorted(item.remote_id for item in InboxLog(log).items())
    assert stored == tweets
    for secret in SECRETS:
        assert secret not in again.stdout + again.stderr
