"""`--now` ahead of the real clock never sends to a public API: the rule itself
(real_time_guard), and `publish` and `daemon` refusing, or allowing, through the
installed command. The pretended times are computed from the real clock, so the tests
pass on any date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from humaspost.lifecycle import RowState
from humaspost.platforms.base import ResolvedAccount
from humaspost.publog import PublishLog
from humaspost.real_time_guard import (
    TOLERANCE,
    check_not_early,
    clock_ahead_refusal,
    is_public_api,
)
from tests.conftest import Repo, run_humaspost
from tests.fakes.x_server import FakeX

WIB = ZoneInfo("Asia/Jakarta")
X_ENV = {"X_KEY": "ck-1", "X_SECRET": "cs-1", "X_TOKEN": "at-1", "X_TOKEN_SECRET": "ats-1"}
X_ACCOUNT_KEYS = (
    "    consumer_key: ${X_KEY}\n    consumer_secret: ${X_SECRET}\n"
    "    access_token: ${X_TOKEN}\n    access_token_secret: ${X_TOKEN_SECRET}\n"
)


def local(moment: datetime) -> str:
    """A moment as post files and `--now` write it (WIB, to the minute)."""
    return f"{moment.astimezone(WIB):%Y-%m-%d %H:%M}"


def in_a_month() -> str:
    return local(datetime.now(UTC) + timedelta(days=30))


def account(platform: str = "twitter", api_url: str | None = None) -> ResolvedAccount:
    settings = {} if api_url is None else {"api_url": api_url}
    return ResolvedAccount("pemkot-x", platform, settings)


@pytest.mark.parametrize(
    "api_url",
    [
        "http://127.0.0.1:8080",
        "http://localhost:9",
        "http://LOCALHOST./",
        "http://api.localhost",
        "https://x.test",
        "https://graph.example",
        "http://fake-x.internal:8000",
        "http://printer.local",
        "http://10.1.2.3",
        "http://172.16.0.1",
        "http://192.168.1.5:3000",
        "http://169.254.1.1",
        "http://100.64.0.1",  # shared address space (carrier NAT, VPNs)
        "http://[::1]:8000",
        "http://[fd00::1]",
    ],
)
def test_local_and_private_servers_are_not_public(api_url: str) -> None:
    assert not is_public_api(account(api_url=api_url))


@pytest.mark.parametrize(
    ("platform", "api_url"),
    [
        ("twitter", None),  # the platform's own API
        ("facebook", None),
        ("echo", None),  # a plugin: humaspost cannot know where it sends
        ("twitter", "https://api.twitter.com"),
        ("facebook", "https://graph.facebook.com"),
        ("twitter", "http://8.8.8.8"),
        ("twitter", "http://fake-x"),  # one label: a DNS search domain may make it anything
        ("twitter", "http://localhost.example.com"),
        ("twitter", "not a web address"),
        ("twitter", "http://[::1"),
    ],
)
def test_everything_else_is_public(platform: str, api_url: str | None) -> None:
    assert is_public_api(account(platform, api_url))


def test_the_sandbox_is_never_public() -> None:
    assert not is_public_api(account("sandbox"))


def test_a_clock_ahead_is_refused_beyond_the_tolerance_only() -> None:
    public, local_server = account(), account(api_url="http://127.0.0.1:9")
    assert clock_ahead_refusal(TOLERANCE, [public]) is None
    assert clock_ahead_refusal(TOLERANCE + timedelta(seconds=1), [public]) is not None
    assert clock_ahead_refusal(-timedelta(days=3), [public]) is None  # the past is fine
    assert clock_ahead_refusal(timedelta(days=30), [local_server, account("sandbox")]) is None
    refusal = clock_ahead_refusal(timedelta(days=1, hours=2, seconds=5), [local_server, public])
    assert refusal is not None
    assert refusal.startswith(
        "--now is 1 day 2 hours ahead of the real clock, and account 'pemkot-x' publishes "
        "to the public twitter API"
    )
    assert "--sandbox" in refusal and "--dry-run" in refusal


def test_a_delivery_is_never_sent_before_its_time_by_the_real_clock() -> None:
    real_now = datetime(2031, 5, 6, 1, 0, tzinfo=UTC)
    assert check_not_early(real_now - timedelta(hours=1), real_now, account()) is None
    assert check_not_early(real_now + timedelta(seconds=60), real_now, account()) is None
    early = check_not_early(real_now + timedelta(hours=3), real_now, account())
    assert early == (
        "account 'pemkot-x' publishes to the public twitter API and this delivery is due "
        "3 hours from now by the real clock; it is not sent before its time"
    )
    sandbox = account("sandbox")
    assert check_not_early(real_now + timedelta(days=1), real_now, sandbox) is None


@pytest.fixture
def tomorrow_for_x(repo: Repo) -> tuple[Repo, str]:
    """A post due a month from now to the real X account, and one due in an hour (which
    a run a month ahead would record as missed)."""
    future = in_a_month()
    repo.post("besok.yaml", f"publish_at: {future}\nto: pemkot-x\ntext: Besok.\n")
    soon = local(datetime.now(UTC) + timedelta(hours=1))
    repo.post("hari-ini.yaml", f"publish_at: {soon}\nto: pemkot-x\ntext: Hari ini.\n")
    return repo, future


def test_publish_refuses_a_now_ahead_for_a_public_account(
    tomorrow_for_x: tuple[Repo, str],
) -> None:
    repo, future = tomorrow_for_x
    result = run_humaspost("publish", "--now", future, cwd=repo.root, env=X_ENV)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "ahead of the real clock, and account 'pemkot-x' publishes to the public " in (
        result.stderr
    )
    assert "use --sandbox to rehearse, or --dry-run to see what would be sent" in result.stderr
    assert "Traceback" not in result.stderr
    # Nothing sent, nothing recorded as missed: not even a publish log was created.
    assert not (repo.root / ".humaspost").exists()


def test_dry_run_and_sandbox_may_pretend_it_is_later(tomorrow_for_x: tuple[Repo, str]) -> None:
    repo, future = tomorrow_for_x
    dry = run_humaspost("publish", "--dry-run", "--now", future, cwd=repo.root, env=X_ENV)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"  {future} WIB  besok → pemkot-x (due)" in dry.stdout.splitlines()
    rehearsal = run_humaspost(
        "publish", "--sandbox", "--post", "besok", "--now", future, cwd=repo.root, env=X_ENV
    )
    assert rehearsal.returncode == 0, rehearsal.stdout + rehearsal.stderr
    assert rehearsal.stdout.splitlines()[-1] == "1 sent"
    assert list((repo.root / ".humaspost" / "sandbox" / "pemkot-x").glob("*.json"))
    assert not (repo.root / ".humaspost" / "publog.sqlite").exists()  # the real log


def test_an_account_on_a_local_server_may_pretend_it_is_later(repo: Repo) -> None:
    with FakeX(
        consumer_key=X_ENV["X_KEY"],
        consumer_secret=X_ENV["X_SECRET"],
        access_token=X_ENV["X_TOKEN"],
        access_token_secret=X_ENV["X_TOKEN_SECRET"],
    ) as x:
        repo.write_config(
            f"accounts:\n  pemkot-x:\n    platform: twitter\n    api_url: {x.url}\n"
            + X_ACCOUNT_KEYS
        )
        future = in_a_month()
        repo.post("besok.yaml", f"publish_at: {future}\nto: pemkot-x\ntext: Besok.\n")
        result = run_humaspost("publish", "--now", future, cwd=repo.root, env=X_ENV)
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1] == "1 sent"
        assert [t.text for t in x.tweets] == ["Besok."]


def test_an_account_without_its_secrets_is_neither_sent_to_nor_recorded_missed(
    repo: Repo,
) -> None:
    # Not sent to, so it does not stop the rehearsal of the sandbox account; but the
    # pretended time must not record its delivery as missed weeks before it is due.
    future = in_a_month()
    repo.post("besok.yaml", f"publish_at: {future}\nto: [pemkot-x, latihan]\ntext: Besok.\n")
    result = run_humaspost("publish", "--now", future, cwd=repo.root)
    assert result.returncode == 2  # the missing secrets, as without --now
    assert "needs the environment variable X_KEY" in result.stderr
    assert "ahead of the real clock" not in result.stderr
    outbox_file = f"{future.replace(' ', '_').replace(':', '')}_besok_1.json"
    assert result.stdout.splitlines() == [
        f"sent      {future} WIB  besok → latihan  {outbox_file}",
        "1 sent",
    ]
    with PublishLog(repo.root / ".humaspost" / "publog.sqlite", read_only=True) as log:
        assert [(r.key.account, r.state) for r in log.search()] == [("latihan", RowState.SENT)]


def test_the_daemon_refuses_a_now_ahead_for_a_public_account(repo: Repo) -> None:
    result = run_humaspost("daemon", "--now", in_a_month(), cwd=repo.root, env=X_ENV)
    assert result.returncode == 2, result.stderr
    assert "ahead of the real clock, and account 'pemkot-x' publishes to the public " in (
        result.stderr
    )
    assert not (repo.root / ".humaspost").exists()


def test_the_daemon_refusal_names_every_public_account(repo: Repo) -> None:
    env = {**X_ENV, "FB_TOKEN": "EAAtoken"}
    result = run_humaspost("daemon", "--now", in_a_month(), cwd=repo.root, env=env)
    assert result.returncode == 2
    message = result.stderr
    assert "'pemkot-fb' publishes to the public facebook API" in message
    assert "'pemkot-x' publishes to the public twitter API" in message
    assert "EAAtoken" not in message
