"""The inbox commands' core (humaspost/inbox.py, humaspost/inbox_view.py) for what the
command line cannot reach easily: pseudonyms, the time spans, the folder of a reply,
and `inbox fetch`'s output."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from humaspost.inbox import (
    StatusFilter,
    close_item,
    list_items,
    pseudonym,
    pseudonymized,
    purge_author,
    statuses_of,
    who_acts,
    write_reply,
)
from humaspost.inbox_fetch import AccountFetch, FetchResult, FetchStatus
from humaspost.inbox_model import OPEN, InboxError, Status
from humaspost.inbox_view import fetch_json, fetch_text, listing_text, span_text
from humaspost.publog import PublishLog
from tests.conftest import Repo
from tests.inbox_office import INBOX_CONFIG, ITEMS, NOW_UTC, location_of, office, seeded, store


def test_the_status_filter_defaults_to_open_and_all_is_every_status() -> None:
    assert statuses_of([]) == OPEN
    assert statuses_of([StatusFilter.OPEN]) == {Status.NEW, Status.ASSIGNED}
    assert statuses_of([StatusFilter.CLOSED, StatusFilter.NEW]) == {Status.CLOSED, Status.NEW}
    assert statuses_of([StatusFilter.NEW, StatusFilter.ALL]) == set(Status)


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(days=2, hours=3, minutes=59), "2d 3h"),
        (timedelta(days=2), "2d"),
        (timedelta(hours=5, minutes=20), "5h 20m"),
        (timedelta(hours=5), "5h"),
        (timedelta(minutes=45, seconds=59), "45m"),
        (timedelta(seconds=30), "0m"),
        (-timedelta(days=1, hours=2), "1d 2h"),  # the sign is the caller's ("overdue")
    ],
)
def test_time_spans_are_two_units_at_most(span: timedelta, text: str) -> None:
    assert span_text(span) == text


def test_a_pseudonym_is_hmac_sha256_of_platform_and_author_id_under_the_logs_key() -> None:
    key = bytes(range(32))
    expected = hmac.new(key, b"twitter:7001", hashlib.sha256).hexdigest()[:8]
    assert pseudonym(key, "twitter", "7001") == f"warga-{expected}"
    assert pseudonym(key, "facebook", "7001") != pseudonym(key, "twitter", "7001")
    assert pseudonym(bytes(32), "twitter", "7001") != pseudonym(key, "twitter", "7001")


def test_pseudonyms_are_stable_in_one_log_and_differ_between_logs(
    repo: Repo, tmp_path: Path
) -> None:
    env = seeded(repo, None)
    config, location = repo.config(), location_of(repo, env)
    first = list_items(config, location, NOW_UTC, pseudonymize=True)
    again = list_items(config, location, NOW_UTC, pseudonymize=True)
    assert [r.item.author_id for r in first.rows] == [r.item.author_id for r in again.rows]
    other = Repo(tmp_path / "other")
    seeded(other, None)
    elsewhere = list_items(other.config(), location_of(other, {}), NOW_UTC, pseudonymize=True)
    assert first.rows[0].item.author_id != elsewhere.rows[0].item.author_id
    # Reading the list as it is never makes the key (nor writes the log).
    assert list_items(config, location, NOW_UTC).rows[0].item.author_name == "Warga Contoh"


def test_pseudonymized_items_lead_back_to_nobody(repo: Repo) -> None:
    env = seeded(repo, None)
    listing = list_items(repo.config(), location_of(repo, env), NOW_UTC, statuses=set(Status))
    key = b"k" * 32
    [first, *_rest] = pseudonymized([row.item for row in listing.rows], key)
    name = pseudonym(key, "twitter", "7001")
    assert (first.author_id, first.author_name, first.author_handle) == (name, name, name)
    assert (first.url, first.remote_id, first.reply_url) == ("", "", None)
    assert first.text == ITEMS[0].text  # our own account's handle is no citizen's


def test_an_overdue_listing_leaves_settled_items_out(repo: Repo) -> None:
    env = seeded(repo, None)
    config, location = repo.config(), location_of(repo, env)
    close_item(location, 4, "ucapan terima kasih", not_complaint=True, by="uji", now=NOW_UTC)
    later = NOW_UTC + timedelta(days=30)
    overdue = list_items(config, location, later, statuses=set(Status), overdue=True)
    assert [row.item.id for row in overdue.rows] == [1, 3, 2]
    assert all(row.overdue for row in overdue.rows)


def test_on_a_narrow_terminal_the_received_time_and_the_text_fit_the_width(repo: Repo) -> None:
    env = seeded(repo, None)
    listing = list_items(repo.config(), location_of(repo, env), NOW_UTC)
    text = "".join(piece for piece, _style in listing_text(listing, repo.config().timezone, 60))
    assert text.splitlines()[2:5] == [
        "1  overdue 9h   assigned  BPBD    pemkot-x",
        "   2026-12-01 08:15 (3d ago)",
        "   Warga Contoh (@warga_uji1): @pemkot_bekasi Banjir seting…",
    ]
    assert max(len(line) for line in text.splitlines()) <= 60


def test_who_acts_is_by_first_and_an_empty_by_is_refused(tmp_path: Path) -> None:
    assert who_acts(" Rina  Humas ", {}, tmp_path) == "Rina Humas"
    assert who_acts(None, {"HUMASPOST_USER": "Siti"}, tmp_path) == "Siti"
    with pytest.raises(InboxError, match="--by is empty"):
        who_acts("", {"HUMASPOST_USER": "Siti"}, tmp_path)


@pytest.mark.parametrize(
    ("paths", "folder"),
    [
        ("[kecamatan/bekasi-timur/**]", "kecamatan/bekasi-timur/2026/12"),
        ("[kecamatan/bekasi-timur/*.md]", "kecamatan/bekasi-timur"),
        ("['kec-*/**', kecamatan/timur/**]", "kecamatan/timur/2026/12"),
        ("['**/timur/**']", "timur/2026/12"),  # '**' matches no folder at all as well
    ],
)
def test_a_reply_goes_where_the_accounts_paths_take_it(repo: Repo, paths: str, folder: str) -> None:
    config = INBOX_CONFIG.replace(
        "  kec-timur:\n    platform: facebook\n",
        f"  kec-timur:\n    platform: facebook\n    paths: {paths}\n",
    )
    env = office(repo, None, config)
    location = location_of(repo, env)
    [number] = store(location, ITEMS[2])
    written = write_reply(repo.config(), location, number, now=NOW_UTC, force=False)
    assert written.path == repo.posts / folder / "balasan-1.md"


def test_a_reply_needs_a_folder_the_account_takes(repo: Repo) -> None:
    config = INBOX_CONFIG.replace(
        "  kec-timur:\n    platform: facebook\n",
        "  kec-timur:\n    platform: facebook\n    paths: ['*/timur/*.yaml']\n",
    )
    env = office(repo, None, config)
    location = location_of(repo, env)
    [number] = store(location, ITEMS[2])
    with pytest.raises(InboxError, match="'paths' of account 'kec-timur' name no folder"):
        write_reply(repo.config(), location, number, now=NOW_UTC, force=False)


def test_a_reply_to_an_account_the_config_no_longer_has_is_refused(repo: Repo) -> None:
    env = seeded(repo, None)
    timur = '  kec-timur:\n    platform: facebook\n    page_id: "104857600000101"\n'
    config = INBOX_CONFIG.replace(timur + "    access_token: ${FB_TIMUR_TOKEN}\n", "").replace(
        "semua-kecamatan: [kec-timur, kec-barat]", "semua-kecamatan: [kec-barat]"
    )
    repo.write_config(config)
    with pytest.raises(InboxError, match="the account 'kec-timur', which the config no longer"):
        write_reply(repo.config(), location_of(repo, env), 3, now=NOW_UTC, force=True)


def test_purge_without_a_log_deletes_nothing_and_makes_no_log(repo: Repo) -> None:
    env = office(repo, None)
    assert purge_author(location_of(repo, env), "warga_uji1").deleted == 0
    assert not (repo.root / ".humaspost").exists()
    with pytest.raises(InboxError, match="--author is empty"):
        purge_author(location_of(repo, env), " ")


def test_a_pseudonym_that_is_nobodys_purges_nothing(repo: Repo) -> None:
    env = seeded(repo, None)
    location = location_of(repo, env)
    assert purge_author(location, "warga-00000000").deleted == 0
    with PublishLog(location, read_only=True) as log:
        assert log.store.execute("SELECT count(*) FROM inbox_items").fetchone()[0] == 4


# What `inbox fetch` shows of a fetch.
FETCHED = FetchResult(
    (
        AccountFetch("pemkot-x", "twitter", FetchStatus.RATE_LIMITED, 2, 1,
                retry_at=datetime(2026, 12, 4, 2, 15, tzinfo=UTC), read=3),
        AccountFetch("pemkot-fb", "facebook", FetchStatus.DONE, 1, 2, read=1),
        AccountFetch("kec-timur", "facebook", FetchStatus.FAILED, 0, 0,
                "Facebook refused the page token (code 190): renew it"),
    ),
    (7, 8, 9),
    3,
    Decimal("0.015"),
)  # fmt: skip


def test_fetch_says_what_each_account_got_and_what_retention_deleted(repo: Repo) -> None:
    shown = fetch_text(FETCHED, repo.config().timezone, 80)
    assert "".join(piece for piece, _style in shown) == (
        "pemkot-x   rate limited  2 new; again after 2026-12-04 09:15 WIB\n"
        "pemkot-fb  done          1 new\n"
        "kec-timur  failed        0 new; Facebook refused the page token (code 190):\n"
        "                         renew it\n"
        "3 new items in the inbox; 3 settled items deleted (inbox.retain)\n"
        "3 posts read from X, about US$0.02 (x_prices.read)\n"
    )
    assert fetch_json(FETCHED) == {
        "accounts": [
            {"account": "pemkot-x", "platform": "twitter", "status": "rate-limited", "new": 2,
             "pages": 1, "read": 3, "message": None, "retry_at": "2026-12-04T02:15:00+00:00"},
            {"account": "pemkot-fb", "platform": "facebook", "status": "done", "new": 1,
             "pages": 2, "read": 1, "message": None, "retry_at": None},
            {"account": "kec-timur", "platform": "facebook", "status": "failed", "new": 0,
             "pages": 0, "read": 0,
             "message": "Facebook refused the page token (code 190): renew it", "retry_at": None},
        ],
        "new_items": [7, 8, 9],
        "deleted": 3,
        "x_reads": 3,
        "x_read_cost": 0.015,
    }  # fmt: skip
