"""An office's publish log on PostgreSQL, as its staff and servers meet it through the
installed command: the `publish_log` setting and its mistakes, `log migrate`, the
guard against publishing from an empty database, and `schedule` listing every
server's daemon. Against the real PostgreSQL the fixtures start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from humaspost.heartbeat import Heartbeat
from humaspost.inbox_log import InboxLog, NewItem
from humaspost.inbox_model import Incoming
from humaspost.publog import PublishLog
from humaspost.store_postgres import DatabaseUrl
from tests.conftest import HUMASPOST, Repo, run_humaspost
from tests.postgres_server import PostgresServer

VARIABLE = "HUMASPOST_DATABASE_URL"
NOW = "2026-12-01 09:00"
NOW_UTC = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CONFIG = """\
timezone: Asia/Jakarta
accounts:
  kec-timur:
    platform: sandbox
  kec-barat:
    platform: sandbox
"""
SHARED = CONFIG + "publish_log: ${HUMASPOST_DATABASE_URL}\n"


def office(repo: Repo, config: str = CONFIG, posts: int = 3) -> Repo:
    repo.write_config(config)
    for number in range(posts):
        repo.post(
            f"p{number}.yaml",
            f"publish_at: 2026-12-01 08:{number:02d}\nto: [kec-timur, kec-barat]\n"
            f"text: Pengumuman {number}\n",
        )
    return repo


def password_of(url: str) -> str:
    password = psycopg.conninfo.conninfo_to_dict(url)["password"]
    assert isinstance(password, str) and len(password) >= 8
    return password


def test_a_literal_database_url_in_the_config_is_refused_without_showing_it(
    repo: Repo, postgres_url: str
) -> None:
    office(repo, CONFIG + f"publish_log: {postgres_url}\n")
    result = run_humaspost("check", cwd=repo.root)
    assert result.returncode == 2
    assert "HP504" in result.stderr and "'publish_log' must be a ${ENV_VAR} reference" in (
        result.stderr
    )
    assert password_of(postgres_url) not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("", "publish_log names the environment variable HUMASPOST_DATABASE_URL, which is not set"),
        ("mysql://humas:rahasia-sekali@db:3306/humas", "must hold a postgresql:// URL"),
    ],
    ids=["unset", "not-postgresql"],
)
def test_a_database_variable_unset_or_wrong_is_a_configuration_error(
    repo: Repo, value: str, words: str
) -> None:
    office(repo, SHARED)
    env = {VARIABLE: value} if value else {}
    for command in (["publish", "--now", NOW], ["log"], ["schedule", "--now", NOW]):
        result = run_humaspost(*command, cwd=repo.root, env=env)
        assert result.returncode == 2, (command, result.stderr)
        assert "HP509" in result.stderr and words in result.stderr
        assert "rahasia-sekali" not in result.stderr
    # CI checks posts without the database: check neither needs nor reports it.
    checked = run_humaspost("check", cwd=repo.root, env=env)
    assert checked.returncode == 0, checked.stderr


def test_the_database_unreachable_at_start_names_the_server_not_the_password(
    repo: Repo, postgres_url: str, postgres_server: PostgresServer
) -> None:
    office(repo, SHARED)
    url = postgres_url.replace(f":{postgres_server.port}/", ":9/")  # nothing listens on 9
    for command in (["publish", "--now", NOW], ["daemon", "--now", NOW], ["log"]):
        result = run_humaspost(*command, cwd=repo.root, env={VARIABLE: url})
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "cannot reach the publish log, database " in result.stderr
        assert "on 127.0.0.1:9" in result.stderr
        assert password_of(postgres_url) not in result.stdout + result.stderr
        assert "Traceback" not in result.stderr


def test_a_wrong_password_is_refused_and_never_shown(repo: Repo, postgres_url: str) -> None:
    office(repo, SHARED)
    wrong = postgres_url.replace(password_of(postgres_url), "salah-kata-sandi")
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root, env={VARIABLE: wrong})
    assert result.returncode == 2
    assert "password authentication failed" in result.stderr
    assert "salah-kata-sandi" not in result.stderr


def test_an_office_moves_its_log_to_postgresql(repo: Repo, postgres_url: str) -> None:
    office(repo)
    sent = run_humaspost("publish", "--now", NOW, cwd=repo.root)
    assert sent.returncode == 0 and sent.stdout.count("sent ") == 6, sent.stdout
    before = json.loads(run_humaspost("log", "--format", "json", cwd=repo.root).stdout)
    env = {VARIABLE: postgres_url}

    moved = run_humaspost("log", "migrate", "--to", "${" + VARIABLE + "}", cwd=repo.root, env=env)
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("copied ")
    assert (
        "deliveries 6, parts 6, attempts 12, posts_seen 0, inbox_items 0, inbox_history 0,"
        " inbox_cursors 0, inbox_secrets 0; the counts match"
    ) in moved.stdout
    assert password_of(postgres_url) not in moved.stdout + moved.stderr

    repo.write_config(SHARED)
    after = json.loads(run_humaspost("log", "--format", "json", cwd=repo.root, env=env).stdout)
    assert after == before  # every row, with its number, state, times and URL
    again = run_humaspost("publish", "--now", NOW, cwd=repo.root, env=env)
    assert again.returncode == 0 and again.stdout == "nothing due\n", again.stdout
    # New deliveries are numbered on from the copied ones.
    repo.post("p9.yaml", "publish_at: 2026-12-01 08:30\nto: kec-timur\ntext: Baru\n")
    # A later clock: each `--now` run's clock starts at its value, so with the same one
    # the newest update could carry an earlier time than the copied rows' last one.
    later = "2026-12-01 09:05"
    assert run_humaspost("publish", "--now", later, cwd=repo.root, env=env).returncode == 0
    newest = json.loads(
        run_humaspost("log", "--format", "json", "--limit", "1", cwd=repo.root, env=env).stdout
    )
    assert newest[0]["id"] == 7 and newest[0]["state"] == "sent"

    # A second copy would mix two histories: refused, and the database is unchanged.
    twice = run_humaspost("log", "migrate", "--to", postgres_url, "--format", "json", cwd=repo.root)
    assert twice.returncode == 2
    assert "already has deliveries (7), attempts (14) or inbox items (0)" in twice.stderr
    assert password_of(postgres_url) not in twice.stderr


def test_log_migrate_says_what_it_copied_as_json(repo: Repo, postgres_url: str) -> None:
    office(repo, posts=1)
    run_humaspost("publish", "--now", NOW, cwd=repo.root)
    moved = run_humaspost("log", "migrate", "--to", postgres_url, "--format", "json", cwd=repo.root)
    assert moved.returncode == 0, moved.stderr
    data = json.loads(moved.stdout)
    assert data["counts"] == {
        "deliveries": 2, "parts": 2, "attempts": 4, "posts_seen": 0, "inbox_items": 0,
        "inbox_history": 0, "inbox_cursors": 0, "inbox_secrets": 0,
    }  # fmt: skip
    assert data["source"].endswith("publog.sqlite") and data["target"].startswith("database t_")


def complaint(number: int) -> NewItem:
    written = NOW_UTC - timedelta(hours=1)
    said = Incoming(f"18{number:03d}", f"77{number}", f"Warga {number}", f"warga_uji{number}",
                    f"keluhan {number}", f"https://x.com/warga_uji{number}/status/18{number:03d}",
                    written)  # fmt: skip
    return NewItem(said, "sandbox", "kec-timur", NOW_UTC, None, None, None, NOW_UTC, None)


def store_complaints(log: PublishLog, *numbers: int) -> list[int]:
    inbox = InboxLog(log)
    until = NOW_UTC + timedelta(minutes=2)
    assert inbox.claim_fetch("kec-timur", "sandbox", "test/1/boot", until, NOW_UTC) is not None
    items = [complaint(number) for number in numbers]
    return inbox.store_page("kec-timur", "test/1/boot", items, "{}", until, NOW_UTC)


def test_log_migrate_takes_the_inbox_and_never_gives_a_purged_number_again(
    repo: Repo, postgres_url: str
) -> None:
    office(repo, posts=1)
    run_humaspost("publish", "--now", NOW, cwd=repo.root)
    with PublishLog(repo.root / ".humaspost" / "publog.sqlite") as log:
        first, second, third = store_complaints(log, 1, 2, 3)
        key = InboxLog(log).pseudonym_key()
        assert InboxLog(log).purge_authors({("sandbox", "773")}) == 1  # the newest number
    moved = run_humaspost("log", "migrate", "--to", postgres_url, "--format", "json", cwd=repo.root)
    assert moved.returncode == 0, moved.stderr
    assert json.loads(moved.stdout)["counts"]["inbox_items"] == 2
    with PublishLog(DatabaseUrl(postgres_url, VARIABLE)) as log:
        inbox = InboxLog(log)
        assert [item.id for item in inbox.items()] == [first, second]
        assert [entry.action for entry in inbox.history(first)] == ["received"]
        assert inbox.pseudonym_key() == key  # exports keep naming authors the same
        (fourth,) = store_complaints(log, 4)
    assert fourth > third


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("${HUMASPOST_TIDAK_ADA}", "--to: the environment variable HUMASPOST_TIDAK_ADA is not set"),
        ("sqlite:///tmp/log.sqlite", "--to must hold a postgresql:// URL"),
    ],
    ids=["unset-variable", "not-postgresql"],
)
def test_log_migrate_refuses_a_target_it_cannot_use(repo: Repo, to: str, words: str) -> None:
    office(repo, posts=1)
    run_humaspost("publish", "--now", NOW, cwd=repo.root)
    result = run_humaspost("log", "migrate", "--to", to, cwd=repo.root)
    assert result.returncode == 2 and words in result.stderr


def test_log_migrate_without_a_log_says_so(repo: Repo, postgres_url: str) -> None:
    office(repo)
    result = run_humaspost("log", "migrate", "--to", postgres_url, cwd=repo.root)
    assert result.returncode == 2
    assert "there is no publish log at " in result.stderr and "to copy" in result.stderr


def test_a_server_never_publishes_from_an_empty_database_beside_a_used_log(
    repo: Repo, postgres_url: str
) -> None:
    office(repo)
    assert run_humaspost("publish", "--now", NOW, cwd=repo.root).returncode == 0
    repo.write_config(SHARED)  # committed before the migration ran
    env = {VARIABLE: postgres_url}
    for command in (["publish", "--now", NOW], ["daemon", "--now", NOW]):
        result = run_humaspost(*command, cwd=repo.root, env=env)
        assert result.returncode == 2, (command, result.stdout)
        assert "which has no deliveries, but " in result.stderr
        assert "has 6: publishing now would send them again" in result.stderr
        assert "humaspost log migrate --to '${HUMASPOST_DATABASE_URL}'" in result.stderr
    with PublishLog(DatabaseUrl(postgres_url, VARIABLE), read_only=True) as log:
        assert log.search() == []  # nothing was sent, nothing recorded


def beat(host: str, pid: int, *, last_pass: datetime, running: bool = True) -> Heartbeat:
    return Heartbeat(
        running=running,
        updated=last_pass,
        host=host,
        pid=pid,
        started=last_pass - timedelta(hours=1),
        last_pass=last_pass,
        next_delivery=None,
        sandbox=False,
    )


def test_schedule_lists_every_servers_daemon(repo: Repo, postgres_url: str) -> None:
    office(repo, SHARED)
    location = DatabaseUrl(postgres_url, VARIABLE)
    with PublishLog(location) as log:
        log.write_daemon("humas-1/4283/b1", beat("humas-1", 4283, last_pass=NOW_UTC), NOW_UTC)
        stuck = NOW_UTC - timedelta(minutes=10)
        log.write_daemon("humas-2/5120/b2", beat("humas-2", 5120, last_pass=stuck), NOW_UTC)
        old = NOW_UTC - timedelta(days=30)
        log.write_daemon("humas-3/77/b3", beat("humas-3", 77, last_pass=old, running=False), old)
    env = {VARIABLE: postgres_url}
    text = run_humaspost("schedule", "--now", NOW, cwd=repo.root, env=env)
    assert "daemon: running (pid 4283 on humas-1), last pass 09:00:00 WIB" in text.stdout
    assert (
        "daemon: running (pid 5120 on humas-2) but not responding: last pass 08:50:00 WIB,"
        " 10 minutes ago" in text.stdout
    )
    assert "humas-3" not in text.stdout  # stopped a month ago
    data = json.loads(
        run_humaspost("schedule", "--now", NOW, "--format", "json", cwd=repo.root, env=env).stdout
    )
    assert [(d["host"], d["state"]) for d in data["daemons"]] == [
        ("humas-1", "running"),
        ("humas-2", "not-responding"),
    ]


def test_a_daemon_records_its_heartbeat_in_the_shared_log(repo: Repo, postgres_url: str) -> None:
    office(repo, SHARED, posts=1)
    env = {VARIABLE: postgres_url}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    process = subprocess.Popen(
        [str(HUMASPOST), "daemon", "--now", NOW],
        cwd=repo.root,
        env={**environment, "HUMASPOST_LANG": "en", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    location = DatabaseUrl(postgres_url, VARIABLE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with PublishLog(location, read_only=True) as log:
            if len(log.search()) == 2 and log.daemons(NOW_UTC + timedelta(minutes=5)):
                break
        time.sleep(0.1)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    with PublishLog(location, read_only=True) as log:
        ((owner, last),) = log.daemons(NOW_UTC)
    host, pid, _boot = owner.split("/")
    assert (last.host, last.pid, last.running) == (host, int(pid), False)
    assert last.pid == process.pid
    assert last.last_pass is not None


def test_no_transaction_stays_open_while_a_platform_is_called(
    repo: Repo, postgres_url: str
) -> None:
    """Each write to the log is a short transaction of its own: while the sandbox takes
    its time over each send, no session of humaspost sits in an open transaction, and
    every session runs with the timeouts set."""
    config = SHARED.replace("platform: sandbox", "platform: sandbox\n    delay: 400ms")
    office(repo, config, posts=3)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    process = subprocess.Popen(
        [str(HUMASPOST), "publish", "--now", NOW, "--workers", "2"],
        cwd=repo.root,
        env={**environment, "HUMASPOST_LANG": "en", VARIABLE: postgres_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[tuple[str, bool]] = []
    with psycopg.connect(postgres_url, autocommit=True) as watcher:
        while process.poll() is None:
            # (state, in it for longer than a log write takes): a transaction held over
            # a send would sit `idle in transaction` for the sandbox's 400 ms.
            seen += watcher.execute(
                "SELECT state, clock_timestamp() - state_change > interval '150 ms'"
                " FROM pg_stat_activity"
                " WHERE application_name = 'humaspost' AND datname = current_database()"
            ).fetchall()
            time.sleep(0.02)
    stdout, stderr = process.communicate()
    assert process.returncode == 0, stderr
    assert stdout.count("sent ") == 6
    assert ("idle", True) in seen  # sessions were watched while their process waited
    assert ("idle in transaction", True) not in seen


def test_every_session_runs_with_timeouts(postgres_url: str) -> None:
    with PublishLog(DatabaseUrl(postgres_url, VARIABLE)) as log:
        shown = [
            log.store.execute(f"SHOW {name}").fetchone()[0]
            for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout")
        ]
    assert shown == ["15s", "10s", "1min"]
