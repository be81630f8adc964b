"""A city office with a complaint inbox, for the tests of the `inbox` commands: the
config (offices, categories), and items stored in its publish log the way a fetch stores
them (InboxLog.store_page). Every citizen and text here is invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from humaspost.inbox_log import InboxLog, NewItem
from humaspost.inbox_model import Incoming
from humaspost.log_location import log_path
from humaspost.publog import LogLocation, PublishLog
from tests.conftest import BASE_CONFIG, DATABASE_VARIABLE, Repo

INBOX_CONFIG = (
    BASE_CONFIG
    + """\
offices: [BPBD, DISHUB, DINKES, humas]
inbox:
  respond_within: 5
  categories: {banjir: 2, jalan: 10}
  collective_leave: [2026-12-24]
"""
)
# The moment the tests look at the inbox: Friday 4 December 2026, 09:00 WIB.
NOW = "2026-12-04 09:00"
NOW_UTC = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def wib(text: str) -> datetime:
    """A Jakarta time (UTC+7, no summer time) as an aware UTC time."""
    return datetime.fromisoformat(text + "+07:00").astimezone(UTC)


@dataclass(frozen=True)
class Seed:
    """One mention or comment, and what triage made of it."""

    account: str
    platform: str
    remote_id: str
    author_id: str
    author_name: str
    author_handle: str | None
    text: str
    received: str  # local time, WIB
    due: str  # local time, WIB
    office: str | None = None
    category: str | None = None


# Four items: numbers 1 to 4 in this order. Friday 4 December 09:00 WIB, the first is 9
# hours overdue (due at the end of Thursday: banjir has 2 working days), the third has
# 3 days 15 hours left, the second 4 days 15 hours; the fourth is the first author's
# thanks, closed in the tests that need a settled item.
ITEMS = (
    Seed("pemkot-x", "twitter", "1865000000000000001", "7001", "Warga Contoh", "warga_uji1",
         "@pemkot_bekasi Banjir setinggi lutut di Jl. Ahmad Yani, mohon bantuan",
         "2026-12-01 08:15", "2026-12-04 00:00", "BPBD", "banjir"),
    Seed("pemkot-fb", "facebook", "900100_800001", "fb-3001", "Ibu Warga Uji", None,
         "Lampu jalan di Jl. Cut Meutia mati sejak seminggu.\nMohon diperbaiki; terima kasih",
         "2026-12-01 10:00", "2026-12-09 00:00"),
    Seed("kec-timur", "facebook", "900200_800002", "fb-3002", "Pak Contoh Dua", None,
         'Jalan berlubang di depan SDN 3 "Harapan"', "2026-11-30 09:00", "2026-12-08 00:00",
         "DISHUB"),
    Seed("pemkot-x", "twitter", "1865000000000000004", "7001", "Warga Contoh", "warga_uji1",
         "@pemkot_bekasi terima kasih, airnya sudah surut", "2026-12-03 16:00",
         "2026-12-11 00:00"),
)  # fmt: skip


def office(repo: Repo, database: str | None, config: str = INBOX_CONFIG) -> dict[str, str]:
    """Write the config (the PostgreSQL log when `database` is a URL); the environment
    the commands need."""
    if database is not None:
        config += "publish_log: ${HUMASPOST_DATABASE_URL}\n"
    repo.write_config(config)
    return {} if database is None else {DATABASE_VARIABLE: database}


def location_of(repo: Repo, env: dict[str, str]) -> LogLocation:
    """The repository's real publish log."""
    return log_path(repo.config(), sandbox=False, environ=env)


def store(location: LogLocation, *seeds: Seed) -> list[int]:
    """Store the seeds as a fetch would, one page per item; the new items' numbers."""
    ids = []
    with PublishLog(location) as log:
        inbox = InboxLog(log)
        for seed in seeds:
            fetched = wib(seed.received) + timedelta(minutes=5)
            lease = fetched + timedelta(minutes=2)
            assert inbox.claim_fetch(seed.account, seed.platform, "uji", lease, fetched)
            incoming = Incoming(seed.remote_id, seed.author_id, seed.author_name,
                                seed.author_handle, seed.text, _url(seed), wib(seed.received))  # fmt: skip
            new = NewItem(incoming, seed.platform, seed.account, fetched, None, seed.office,
                          seed.category, wib(seed.due), "routes[1]" if seed.office else None)  # fmt: skip
            ids += inbox.store_page(seed.account, "uji", [new], "{}", lease, fetched)
            inbox.release_fetch(seed.account, "uji", now=fetched, complete=True)
    return ids


def seeded(repo: Repo, database: str | None) -> dict[str, str]:
    """The office with its four items in the log; the environment."""
    env = office(repo, database)
    assert store(location_of(repo, env), *ITEMS) == [1, 2, 3, 4]
    return env


def _url(seed: Seed) -> str:
    if seed.platform == "twitter":
        return f"https://x.com/{seed.author_handle}/status/{seed.remote_id}"
    return f"https://www.facebook.com/{seed.remote_id.replace('_', '/posts/')}?comment_id=1"
