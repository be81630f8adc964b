"""Shared fixtures: a temporary repository of posts, the installed command and a real
PostgreSQL server."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from humaspost.cli.app import command_named
from humaspost.config import Config, load_config
from humaspost.lifecycle import Event, RowState
from tests.postgres_server import PostgresServer, find_pg_bin

HUMASPOST = Path(sys.executable).parent / "humaspost"

# A PNG's signature and header are enough for humaspost to know the format.
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
# The event that ends a publisher's attempt in each stored state (to seed log rows).
ENDS = {
    RowState.SENT: Event.SENT,
    RowState.RETRYING: Event.TRANSIENT_FAILURE,
    RowState.FAILED: Event.PERMANENT_FAILURE,
    RowState.UNKNOWN: Event.UNCERTAIN,
    RowState.MISSED: Event.DEADLINE_PASSED,
}

BASE_CONFIG = """\
timezone: Asia/Jakarta
accounts:
  pemkot-x:
    platform: twitter
    consumer_key: ${X_KEY}
    consumer_secret: ${X_SECRET}
    access_token: ${X_TOKEN}
    access_token_secret: ${X_TOKEN_SECRET}
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_TOKEN}
  kec-timur:
    platform: facebook
    page_id: "104857600000101"
    access_token: ${FB_TIMUR_TOKEN}
  kec-barat:
    platform: facebook
    page_id: "104857600000102"
    access_token: ${FB_BARAT_TOKEN}
  latihan:
    platform: sandbox
groups:
  semua-kecamatan: [kec-timur, kec-barat]
defaults:
  to: [pemkot-x, pemkot-fb]
"""


class Repo:
    """A temporary post repository: config at the root, posts/ and media/ inside."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.posts = root / "posts"
        self.posts.mkdir(parents=True)
        (root / "media").mkdir()
        self.write_config(BASE_CONFIG)

    def write_config(self, text: str) -> Path:
        """Replace humaspost.yaml."""
        path = self.root / "humaspost.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def post(self, name: str, text: str) -> Path:
        """Write a post file under posts/ (text is dedented)."""
        path = self.posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def media(self, name: str, data: bytes = PNG_BYTES) -> Path:
        """Write a media file under media/."""
        path = self.root / "media" / name
        path.write_bytes(data)
        return path

    def config(self) -> Config:
        """The repository's config, loaded."""
        return load_config(self.root / "humaspost.yaml")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """An empty repository with a valid config."""
    return Repo(tmp_path / "repo")


# Every `check` a test runs is run three times, unless the test chooses the cache
# itself: without the cache, filling it, and from it; all three must say exactly the
# same (issue 15: the cache may never change a result). The first is what the test sees.
def run_humaspost(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `humaspost` command the way CI and cron do."""
    # Nor $CI, which turns check's cache off: tests run as on a staff laptop unless they
    # say otherwise.
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_") and k != "CI"}
    # English unless a test asks otherwise, whatever this machine's locale is.
    full_env.update({"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en", **(env or {})})

    def run(*more: str) -> subprocess.CompletedProcess[str]:
        # Right after the command: at the end, it could be the value of a dangling option.
        at = args.index("check") + 1 if more else len(args)
        return subprocess.run(
            [str(HUMASPOST), *args[:at], *more, *args[at:]],
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,  # never a terminal, as under cron: nothing may wait
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    if not _checks_with_cache(args):
        return run()
    uncached = run("--no-cache")
    for _ in ("filling the cache", "from the cache"):
        cached = run()
        assert _compared(cached) == _compared(uncached), (
            f"check {args} with the cache differs from without it"
        )
    return uncached


def _compared(result: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    """What a run said, each crash report named alike (every run writes its own)."""
    return (
        result.returncode,
        CRASH_REPORT.sub("humaspost-crash-*.txt", result.stdout),
        CRASH_REPORT.sub("humaspost-crash-*.txt", result.stderr),
    )


CRASH_REPORT = re.compile(r"humaspost-crash-[0-9TZ]+-\w+\.txt")


def _checks_with_cache(args: tuple[str, ...]) -> bool:
    """Whether a command line runs `check` with its cache (options of its own aside)."""
    return (
        command_named(list(args)) == "check"
        and "--" not in args
        and "--no-cache" not in args
        and not any(arg.startswith("--cache-dir") for arg in args)
        and "--help" not in args
        and "-h" not in args
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for this session (one per xdist worker), on 127.0.0.1."""
    pg_bin = find_pg_bin()
    if pg_bin is None:
        # Not a skip: a test that cannot run is a defect of the machine, said plainly.
        pytest.fail(
            "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found on PATH "
            "nor in /usr/lib/postgresql/<version>/bin: install Debian's postgresql package "
            "(apt-get install postgresql)",
            pytrace=False,
        )
    # Not under pytest's own temporary folder: another pytest session on the machine
    # makes that root's alone again (mode 0700), which would cut the `postgres` user off
    # from a running cluster. /tmp lets every user pass.
    base = Path(tempfile.mkdtemp(prefix="humaspost-pg-"))
    server = PostgresServer(base, pg_bin)
    try:
        server.start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database for this test alone, dropped after it."""
    name = f"t_{secrets.token_hex(6)}"
    postgres_server.create_database(name)
    yield postgres_server.url(name)
    # A test may have stopped or crashed the shared server: the next test needs it up.
    if not postgres_server.is_running():
        postgres_server.start()
    postgres_server.drop_database(name)


# The variable a test's PostgreSQL URL is said to come from (as in a real config).
DATABASE_VARIABLE = "HUMASPOST_DATABASE_URL"


@pytest.fixture(params=["sqlite", "postgresql"])
def log_database(request: pytest.FixtureRequest) -> str | None:
    """Runs a test on both backends of the publish log: None for SQLite (the file under
    state_dir), or the URL of a fresh PostgreSQL database. The server is started only
    for the PostgreSQL runs."""
    if request.param == "sqlite":
        return None
    url: str = request.getfixturevalue("postgres_url")
    return url
