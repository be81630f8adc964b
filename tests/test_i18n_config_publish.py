"""Bahasa Indonesia in the config's problems, the secrets, the `--now` guard, publishing,
retraction, the publish log's errors and the daemon's summary: a person who asks for
Indonesian reads it there, at the same places, and English stays as it was."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from humaspost import i18n, store_sqlite
from humaspost.daemon import Daemon
from humaspost.platforms.base import ResolvedAccount
from humaspost.publog import ONCE, DeliveryKey, PublishLog, PublishLogError
from humaspost.real_time_guard import check_not_early
from humaspost.store_sqlite import MIGRATIONS
from humaspost.times import OffsetClock
from tests.conftest import Repo, run_humaspost

ID = {"HUMASPOST_LANG": "id"}
NOW = "2026-12-01 09:00"  # WIB
WIB = ZoneInfo("Asia/Jakarta")
# Set, and never to be shown: the secrets of the accounts that have them.
SECRETS = {
    "X_KEY": "ck-4f9a2b7c1d",
    "X_SECRET": "cs-8e3d6a0b5f",
    "X_TOKEN": "at-2c7e9f1a4b",
    "X_TOKEN_SECRET": "ats-6b0d3e8c2a",
    "FB_TIMUR_TOKEN": "EAAtimur0123456789",
}

# An unknown setting, a value of the wrong kind, an unknown account setting and an
# unknown timezone, each a line of its own.
MISTAKES = """\
timezone: Asia/Jakrta
max_dealy: 2h
require_alt_text: ya
accounts:
  latihan:
    platform: sandbox
    colour: red
"""
ENGLISH = [
    ("HP502", "unknown setting 'max_dealy'"),
    ("HP503", "'require_alt_text' must be true or false"),
    ("HP502", "unknown sandbox account setting 'colour'"),
    ("HP507", "unknown timezone 'Asia/Jakrta'"),
]
INDONESIAN = [
    ("HP502", "pengaturan 'max_dealy' tidak dikenal"),
    ("HP503", "'require_alt_text' harus true atau false"),
    ("HP502", "pengaturan akun sandbox 'colour' tidak dikenal"),
    ("HP507", "zona waktu 'Asia/Jakrta' tidak dikenal"),
]
# `humaspost.yaml:2:1: error[HP502] message`; the severity's word is not this test's.
PROBLEM_LINE = re.compile(r"^humaspost\.yaml:(\d+):(\d+): \S+\[(HP\d+)\] (.*)$")


def problems(stderr: str) -> list[tuple[int, int, str, str]]:
    """(line, column, code, message) of each config problem shown, in a stable order."""
    found = [PROBLEM_LINE.match(line) for line in stderr.splitlines()]
    return sorted((int(m[1]), int(m[2]), m[3], m[4]) for m in found if m)


@pytest.fixture
def indonesian() -> Iterator[None]:
    """Speak Indonesian in this process for one test."""
    i18n.use("id")
    try:
        yield
    finally:
        i18n.use("en")


# The config


@pytest.mark.parametrize("asked_by", ["environment", "config"])
def test_config_problems_are_in_indonesian_at_the_same_places(repo: Repo, asked_by: str) -> None:
    first = {"environment": "", "config": "language: {language}\n"}[asked_by]
    repo.write_config(first.format(language="en") + MISTAKES)
    english = run_humaspost("check", cwd=repo.root)
    repo.write_config(first.format(language="id") + MISTAKES)
    indonesian = run_humaspost("check", cwd=repo.root, env=ID if asked_by == "environment" else {})
    assert english.returncode == indonesian.returncode == 2
    shown_en, shown_id = problems(english.stderr), problems(indonesian.stderr)
    assert [place[:3] for place in shown_id] == [place[:3] for place in shown_en]
    assert len(shown_en) == 4
    assert sorted((code, message) for *_, code, message in shown_en) == sorted(ENGLISH)
    assert sorted((code, message) for *_, code, message in shown_id) == sorted(INDONESIAN)
    assert "did you mean 'max_delay'?" in english.stderr
    assert "mungkin maksudnya 'max_delay'?" in indonesian.stderr
    assert "did you mean" not in indonesian.stderr


def test_a_missing_secret_is_named_in_indonesian_and_no_secret_is_shown(repo: Repo) -> None:
    (repo.root / ".env").write_text("FB_BARAT_TOKEN=EAAbarat9876543210\n", encoding="utf-8")
    # Past max_delay at NOW: recorded missed, its account's secrets missing too.
    repo.post("pagi.yaml", "publish_at: 2026-12-01 06:00\nto: [pemkot-fb, latihan]\ntext: Pagi.\n")
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root, env={**ID, **SECRETS})
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "akun 'pemkot-fb' memerlukan variabel lingkungan FB_TOKEN, yang belum diatur"
        in result.stderr
    )
    assert "; rahasia akunnya tidak ada" in result.stdout
    assert "needs the environment variable" not in result.stderr
    assert "secrets were missing" not in result.stdout
    for value in [*SECRETS.values(), "EAAbarat9876543210"]:
        assert value not in result.stdout + result.stderr


def test_a_missing_secret_is_named_in_english_as_before(repo: Repo) -> None:
    repo.post("pagi.yaml", "publish_at: 2026-12-01 06:00\nto: pemkot-fb\ntext: Pagi.\n")
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root, env=SECRETS)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "account 'pemkot-fb' needs the environment variable FB_TOKEN, which is not set"
        in result.stderr
    )
    assert "; its account's secrets were missing" in result.stdout


# `--now` and the real clock


def test_a_now_ahead_of_the_real_clock_is_refused_in_indonesian(repo: Repo) -> None:
    future = datetime.now(UTC) + timedelta(days=30)
    local = f"{future.astimezone(WIB):%Y-%m-%d %H:%M}"
    repo.post("besok.yaml", f"publish_at: {local}\nto: pemkot-x\ntext: Besok.\n")
    result = run_humaspost("publish", "--now", local, cwd=repo.root, env={**ID, **SECRETS})
    assert result.returncode == 2, result.stdout + result.stderr
    assert re.search(
        r"--now (29|30) hari( \d+ jam)?( \d+ menit)? lebih maju dari jam sebenarnya, dan akun "
        r"'pemkot-x' menerbitkan ke API publik twitter: unggahan akan keluar sebelum "
        r"waktunya\. Tidak ada yang dikirim; gunakan --sandbox untuk latihan",
        result.stderr,
    ), result.stderr
    assert not (repo.root / ".humaspost").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "account 'pemkot-x' publishes to the public address https://api.x.com and this "
            "delivery is due 1 day 1 minute from now by the real clock; it is not sent "
            "before its time",
        ),
        (
            "id",
            "akun 'pemkot-x' menerbitkan ke alamat publik https://api.x.com dan pengiriman "
            "ini baru jatuh tempo 1 hari 1 menit lagi menurut jam sebenarnya; pengiriman "
            "tidak dilakukan sebelum waktunya",
        ),
    ],
)
def test_a_delivery_held_for_the_real_clock_says_why(language: str, expected: str) -> None:
    account = ResolvedAccount("pemkot-x", "twitter", {"api_url": "https://api.x.com"})
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    i18n.use(language)
    try:
        said = check_not_early(now + timedelta(days=1, minutes=1, seconds=30), now, account)
    finally:
        i18n.use("en")
    assert said == expected


# Publishing to the sandbox


def left_in_flight(repo: Repo, post: str, account: str) -> None:
    """A delivery whose publisher stopped with its first part in flight: its lease ran
    out long before NOW (written through the log's own API into the sandbox log)."""
    config = repo.config()
    due = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    lease = timedelta(minutes=2)
    with PublishLog(config.state_dir / "sandbox" / "publog.sqlite") as log:
        taken = log.claim(DeliveryKey(post, ONCE, account), platform="sandbox", due_at=due,
                          owner="elsewhere/1", now=due, lease=lease)  # fmt: skip
        assert taken is not None
        log.part_starting(taken.row_id, 0, "elsewhere/1", due, lease)


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "the publishing process stopped while sending part 1; it may have been published"),
        (ID, "proses penerbitan berhenti saat mengirim bagian 1; bagian itu mungkin sudah terbit"),
    ],
    ids=["en", "id"],
)
def test_publish_sandbox_records_an_interrupted_delivery_in_the_language_asked(
    repo: Repo, env: dict[str, str], reason: str
) -> None:
    repo.post("aids.yaml", "publish_at: 2026-12-01 08:00\nto: [latihan, kec-timur]\ntext: Hai.\n")
    left_in_flight(repo, "aids", "kec-timur")
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root, env=env)
    assert result.returncode == 1, result.stdout + result.stderr  # a new unknown delivery
    shown = run_humaspost("log", "--sandbox", "--state", "unknown", cwd=repo.root, env=env)
    assert shown.returncode == 0, shown.stderr
    assert reason in shown.stdout


@pytest.mark.parametrize(
    ("fault", "env", "words"),
    [
        ("newer", {}, "was written by a newer humaspost (schema version 7; this one knows 6)"),
        (
            "newer",
            ID,
            "ditulis oleh humaspost yang lebih baru (versi skema 7; versi ini mengenal 6)",
        ),
        ("unreadable", {}, "is damaged (file is not a database); stop humaspost and restore"),
        ("unreadable", ID, "rusak (file is not a database); hentikan humaspost lalu pulihkan"),
    ],
    ids=["newer-en", "newer-id", "unreadable-en", "unreadable-id"],
)
def test_publish_sandbox_refuses_a_log_it_cannot_use_in_the_language_asked(
    repo: Repo, fault: str, env: dict[str, str], words: str
) -> None:
    assert len(MIGRATIONS) == 6  # the schema versions the messages name
    repo.post("aids.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Hai.\n")
    path = repo.config().state_dir / "sandbox" / "publog.sqlite"
    if fault == "newer":
        PublishLog(path).close()
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
        db.close()
    else:
        path.parent.mkdir(parents=True)
        path.write_text("id,state\n1,sent\n" * 500, encoding="utf-8")
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr, result.stderr
    log_name = "the publish log" if env == {} else "log publikasi"
    assert f"{log_name} {path} " in result.stderr
    assert "Traceback" not in result.stderr


def test_a_locked_log_is_refused_in_indonesian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indonesian: None
) -> None:
    path = tmp_path / "publog.sqlite"
    PublishLog(path).close()
    monkeypatch.setattr(store_sqlite, "BUSY_TIMEOUT", 0.05)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(PublishLogError) as refused:
            PublishLog(path)
    finally:
        holder.close()
    assert str(refused.value) == (
        f"log publikasi {path} dikunci oleh program lain (sudah menunggu 0.05 detik); jika "
        f"tidak ada humaspost lain yang berjalan, cari program yang menguncinya (fuser {path}), "
        "lalu jalankan perintahnya lagi"
    )


# Retracting


def test_retract_says_in_indonesian_that_nothing_was_published(repo: Repo) -> None:
    repo.post("pagi.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Pagi.\n")
    repo.post("besok.yaml", "publish_at: 2026-12-02 08:00\nto: latihan\ntext: Besok.\n")
    assert run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root).returncode == 0
    nothing = run_humaspost("retract", "besok", "--sandbox", "--yes", cwd=repo.root, env=ID)
    assert nothing.returncode == 2, nothing.stdout + nothing.stderr
    assert "unggahan 'besok' tidak memiliki pengiriman terkirim yang dapat ditarik" in (
        nothing.stderr
    )
    elsewhere = run_humaspost(
        "retract", "pagi", "--account", "kec-timur", "--sandbox", "--yes", cwd=repo.root, env=ID
    )
    assert elsewhere.returncode == 2, elsewhere.stdout + elsewhere.stderr
    assert (
        "unggahan 'pagi' tidak memiliki pengiriman terkirim ke 'kec-timur' yang dapat ditarik"
        in elsewhere.stderr
    )


# The daemon


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_the_daemons_summary_is_indonesian_and_its_events_stay_english(
    repo: Repo, indonesian: None
) -> None:
    config = repo.config()  # BASE_CONFIG: five accounts, four of them with secrets
    logger = logging.getLogger("humaspost.test-i18n-daemon")
    logger.propagate = False
    handler = _Records()
    logger.handlers[:] = [handler]
    daemon = Daemon(
        config,
        cwd=repo.root,
        clock=OffsetClock(timedelta(0)),
        environ={"FB_TOKEN": "EAApemkot0123456789"},
        sandbox=False,
        workers=1,
        logger=logger,
        stop=threading.Event(),
    )
    daemon.report_missing_secrets()
    *events, summary = handler.records
    # Events are for the JSON log's readers: English names, English hint.
    assert [record.getMessage() for record in events] == ["missing secrets"] * 3
    assert [record.__dict__["account"] for record in events] == [
        "pemkot-x",
        "kec-timur",
        "kec-barat",
    ]
    hint = events[0].__dict__["hint"]
    assert "restart the daemon" in hint
    assert summary.__dict__["summary"] is True
    assert summary.getMessage() == (
        "rahasia tidak ada untuk 3 dari 5 akun: pemkot-x, kec-timur, kec-barat. Tidak ada "
        "yang dikirim ke akun tersebut: pengirimannya dicatat terlewat setelah lewat batas "
        "waktunya. Atur variabelnya (variabel lingkungan atau .env) lalu jalankan ulang daemon."
    )
    # ... and the text log can show the hint in Indonesian.
    assert i18n._(hint).startswith("pengirimannya tidak dijalankan")
