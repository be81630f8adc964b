"""One account's posts go out one after the other, in their order, even with several
publishers (servers, cron runs) sharing the log: a publisher leaves alone an account
another one is sending for. With the installed command, on both log backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from humaspost.lifecycle import Event
from humaspost.log_location import log_path
from humaspost.publog import ONCE, DeliveryKey, PublishLog
from humaspost.store_postgres import DatabaseUrl
from tests.conftest import DATABASE_VARIABLE, Repo, run_humaspost

NOW = "2026-12-01 09:00"
NOW_UTC = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_an_account_another_publisher_is_sending_for_waits_for_it(
    repo: Repo, log_database: str | None
) -> None:
    config = "timezone: Asia/Jakarta\naccounts:\n  kec-timur:\n    platform: sandbox\n"
    config += "  kec-barat:\n    platform: sandbox\n"
    if log_database is not None:
        config += "publish_log: ${HUMASPOST_DATABASE_URL}\n"
    repo.write_config(config)
    env = {} if log_database is None else {DATABASE_VARIABLE: log_database}
    for name, at, to in (("pertama", "08:00", "kec-timur"), ("kedua", "08:30", "kec-timur"),
                         ("lain", "08:30", "kec-barat")):  # fmt: skip
        repo.post(f"{name}.yaml", f"publish_at: 2026-12-01 {at}\nto: {to}\ntext: {name}\n")
    location = log_path(repo.config(), sandbox=False, environ=env)
    assert isinstance(location, DatabaseUrl) == (log_database is not None)
    with PublishLog(location) as log:  # another server is sending the first post
        claim = log.claim(DeliveryKey("pertama", ONCE, "kec-timur"), platform="sandbox",
                          due_at=NOW_UTC - timedelta(hours=1), owner="humas-2/4242/boot",
                          now=NOW_UTC, lease=timedelta(minutes=2))  # fmt: skip
        assert claim is not None

    first = run_humaspost("publish", "--now", NOW, cwd=repo.root, env=env)
    assert first.returncode == 0, first.stderr
    assert "lain → kec-barat" in first.stdout and "kedua" not in first.stdout

    with PublishLog(location) as log:  # the other server is done with it
        assert log.finish(claim.row_id, Event.SENT, owner="humas-2/4242/boot", now=NOW_UTC,
                          url="sandbox://kec-timur/pertama")  # fmt: skip
    then = run_humaspost("publish", "--now", NOW, cwd=repo.root, env=env)
    assert then.returncode == 0 and "kedua → kec-timur" in then.stdout, then.stdout
    rows = json.loads(run_humaspost("log", "--format", "json", cwd=repo.root, env=env).stdout)
    assert sorted((r["post"], r["state"]) for r in rows) == [
        ("kedua", "sent"), ("lain", "sent"), ("pertama", "sent"),
    ]  # fmt: skip
