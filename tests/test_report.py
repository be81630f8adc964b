"""`humaspost report`: every figure of December 2026's report (tests/report_month.py's
month, made by the installed commands) against a count by hand, on both log backends;
the CSV's columns, text that fits the width, the periods, a log that is not there, and
names against pseudonyms."""

from __future__ import annotations

import csv
import dataclasses
import fcntl
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, run_humaspost
from tests.report_month import REPORT_NOW, History, month_of_history

# The figures below are counted from tests/report_month.py's table of what happened.
# Times the commands ran at (`--now`) are exact; a delivery's sent time is the run's
# time plus the moment the run took to reach it, so lateness is compared to a minute.
ABOUT = 0.75


def approx(minutes: float) -> Any:
    return pytest.approx(minutes, abs=ABOUT)


@pytest.fixture(scope="session")
def built_month(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> History:
    """The month on SQLite, made once per test session (the xdist workers share it
    through the session's temporary folder); tests work on copies of it."""
    if worker_id == "master":
        return month_of_history(tmp_path_factory.mktemp("month") / "repo", None)
    shared = tmp_path_factory.getbasetemp().parent / "report-month"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / "history.json"
        if made.is_file():
            saved = json.loads(made.read_text(encoding="utf-8"))
            return History(shared / "repo", saved["env"], saved["items"])
        history = month_of_history(shared / "repo", None)
        made.write_text(json.dumps({"env": history.env, "items": history.items}), "utf-8")
        return history


@pytest.fixture
def month(built_month: History, tmp_path: Path) -> History:
    """A copy of the month's office (its SQLite log in it) for one test."""
    root = tmp_path / "repo"
    shutil.copytree(built_month.root, root)
    return dataclasses.replace(built_month, root=root)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_month(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[History]:
    """The month on each backend: a copy of the SQLite one, or made anew on a
    PostgreSQL database of its own."""
    if request.param == "sqlite":
        yield request.getfixturevalue("month")
        return
    url: str = request.getfixturevalue("postgres_url")
    yield month_of_history(tmp_path / "repo", url)


def report(history: History, *args: str, lang: str = "en", columns: int = 120) -> Any:
    """`humaspost report ARGS` at the report's moment (unless ARGS give `--now`)."""
    now = () if "--now" in args else ("--now", history.now)
    env = {**history.env, "HUMASPOST_LANG": lang, "COLUMNS": str(columns)}
    return run_humaspost("report", *args, *now, cwd=history.root, env=env)


def report_json(history: History, *args: str) -> dict[str, Any]:
    done = report(history, "--format", "json", *args)
    assert done.returncode == 0, done.stdout + done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def pseudonyms(history: History) -> dict[int, str]:
    """Each item's author as `inbox --pseudonymize` exports it."""
    done = run_humaspost(
        "inbox", "--status", "all", "--format", "json", "--pseudonymize",
        cwd=history.root, env=history.env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return {item["id"]: item["author_name"] for item in json.loads(done.stdout)}


def counts(sent: int = 0, missed: int = 0, failed: int = 0, unknown: int = 0,
           retracted: int = 0, on_time: int = 0, late: int = 0) -> dict[str, int]:  # fmt: skip
    return {"sent": sent, "missed": missed, "failed": failed, "unknown": unknown,
            "retracted": retracted, "on_time": on_time, "late": late}  # fmt: skip


def group(name: str | None, received: int, answered: int, closed: int, overdue: int,
          within: int, median: float | None, p90: float | None) -> dict[str, Any]:  # fmt: skip
    return {
        "name": name, "received": received, "answered": answered, "closed": closed,
        "overdue": overdue, "within_standard": within,
        "within_standard_share": round(within / received, 4), "median_days": median,
        "p90_days": p90,
    }  # fmt: skip


def days_of(month_days: int, sent: dict[int, int], year_month: str) -> list[dict[str, Any]]:
    return [
        {"day": f"{year_month}-{day:02d}", "sent": sent.get(day, 0)}
        for day in range(1, month_days + 1)
    ]


def test_every_figure_of_december_against_a_count_by_hand(backend_month: History) -> None:
    month = backend_month
    found = report_json(month)
    item = month.items
    authors = pseudonyms(month)
    assert found == {
        # No --month: the last whole month before 4 January 2027.
        "period": {
            "start": "2026-12-01",
            "end": "2026-12-31",
            "label": "December 2026",
            "whole_month": True,
            "days": 31,
        },
        "generated_at": "2027-01-04T02:00:00+00:00",
        "timezone": "Asia/Jakarta",
        "with_names": False,
        "posts": {
            # pemkot-x: hut-kota, the replies of 1 Dec (2), siaga-banjir, pasar-murah, the
            # reply of 7 Dec, 28 Dec and 31 Dec sent in their minute (8); donor-darah 30
            # minutes late and kerja-bakti sent after its retry (2 late); natal retracted;
            # malam-tahun-baru unknown. pemkot-fb: hut-kota and natal on time, donor-darah
            # late. kec-timur-x: jalan-ditutup failed. kec-barat-x: kerja-bakti missed.
            # (akhir-bulan is November's, tahun-baru January's: 1 Jan 06:00 WIB.)
            "total": counts(
                sent=13, missed=1, failed=1, unknown=1, retracted=1, on_time=10, late=3
            ),
            "accounts": [
                {"name": "pemkot-x", **counts(sent=10, unknown=1, retracted=1, on_time=8, late=2)},
                {"name": "pemkot-fb", **counts(sent=3, on_time=2, late=1)},
                {"name": "kec-timur-x", **counts(failed=1)},
                {"name": "kec-barat-x", **counts(missed=1)},
            ],
            # Most sent first, then by name. hut-kota: hut-kota twice and pasar-murah;
            # natal-tahun-baru: natal on Facebook (sent), on X (retracted),
            # malam-tahun-baru (unknown).
            "campaigns": [
                {"name": "hut-kota", **counts(sent=3, on_time=3)},
                {"name": "natal-tahun-baru", **counts(sent=1, unknown=1, retracted=1, on_time=1)},
                {"name": "siaga-banjir", **counts(sent=1, on_time=1)},
            ],
            # hut: hut-kota twice, pasar-murah; budaya: hut-kota twice; kesehatan:
            # donor-darah twice, late; lingkungan: kerja-bakti sent late and missed.
            "tags": [
                {"name": "hut", **counts(sent=3, on_time=3)},
                {"name": "budaya", **counts(sent=2, on_time=2)},
                {"name": "kesehatan", **counts(sent=2, late=2)},
                {"name": "banjir", **counts(sent=1, on_time=1)},
                {"name": "ekonomi", **counts(sent=1, on_time=1)},
                {"name": "hari-besar", **counts(sent=1, unknown=1, retracted=1, on_time=1)},
                {"name": "lingkungan", **counts(sent=1, missed=1, late=1)},
                {"name": "lalu-lintas", **counts(failed=1)},
            ],
            # Sent, by due day: 1 Dec hut-kota twice and two replies; 7 Dec a reply and
            # pasar-murah; 12 Dec kerja-bakti (due that morning, sent after its retry).
            "per_day": days_of(31, {1: 4, 3: 1, 5: 2, 7: 2, 12: 1, 25: 1, 28: 1, 31: 1}, "2026-12"),
        },
        "amplification": {
            # hut-kota's re-shares were due at 08:10 and went out at 08:12; siaga-banjir's
            # at 06:40 (missed by 09:00), 07:40 and 08:40, the last two at 09:00.
            "posts": [
                {
                    "post": "2026/12/hut-kota",
                    "origin_account": "pemkot-x",
                    "asked": 3,
                    "reshared": 3,
                    "median_late_minutes": approx(2),
                    "max_late_minutes": approx(2),
                },
                {
                    "post": "2026/12/siaga-banjir",
                    "origin_account": "pemkot-x",
                    "asked": 3,
                    "reshared": 2,
                    "median_late_minutes": approx((80 + 20) / 2),
                    "max_late_minutes": approx(80),
                },
            ],
            # Share first, then asks, then name: kec-timur-x missed siaga-banjir.
            "resharers": [
                {"account": "kec-barat-x", "asked": 2, "reshared": 2, "share": 1.0},
                {"account": "kec-utara-x", "asked": 2, "reshared": 2, "share": 1.0},
                {"account": "kec-timur-x", "asked": 2, "reshared": 1, "share": 0.5},
            ],
        },
        "complaints": {
            # Received in December, "terima-kasih" left out (not a complaint): banjir-1
            # (answered the same day, 0 working days; closed since, still answered),
            # jalan-1 (Friday to Monday: 1), sampah (closed without a reply), selokan
            # (open, due 22 Dec: overdue), banjir-2 (Wednesday 23 Dec to Monday 28 Dec
            # over collective leave, Christmas and a weekend: 1), jalan-2 (from the
            # collective leave day to Thursday 31 Dec: 28-31 Dec, 4, after its due time
            # of 31 Dec 00:00), genangan (open, due 7 Jan: 1 and 5 Jan are holidays).
            # Within the standard: banjir-1, jalan-1, banjir-2. Days 0, 1, 1, 4: median
            # 1, 90th percentile 1 + 0.7 * (4 - 1) = 3.1.
            "total": group(None, 7, 4, 1, 1, 3, 1.0, 3.1),
            "offices": [
                group("BPBD", 2, 2, 0, 0, 2, 0.5, 0.9),  # days 0, 1
                group("DISHUB", 2, 2, 0, 0, 1, 2.5, 3.7),  # days 1, 4
                group("DLH", 1, 0, 1, 0, 0, None, None),  # sampah, assigned by hand
                group("kec-timur", 1, 0, 0, 1, 0, None, None),  # selokan (routed)
                group(None, 1, 0, 0, 0, 0, None, None),  # genangan: no route matched
            ],
            "categories": [
                group("darurat", 2, 2, 0, 0, 2, 0.5, 0.9),
                group("jalan", 2, 2, 0, 0, 1, 2.5, 3.7),
                group(None, 3, 0, 1, 1, 0, None, None),
            ],
            # Still open and received by 31 Dec, oldest first: jembatan came in November.
            "oldest_open": [
                {
                    "id": item["jembatan"],
                    "account": "kec-timur-x",
                    "office": "kec-timur",
                    "category": None,
                    "received_at": "2026-11-27T07:00:00+00:00",
                    "due_at": "2026-12-04T17:00:00+00:00",
                    "author": authors[item["jembatan"]],
                },
                {
                    "id": item["selokan"],
                    "account": "kec-timur-x",
                    "office": "kec-timur",
                    "category": None,
                    "received_at": "2026-12-14T02:00:00+00:00",
                    "due_at": "2026-12-21T17:00:00+00:00",
                    "author": authors[item["selokan"]],
                },
                {
                    "id": item["genangan"],
                    "account": "pemkot-x",
                    "office": None,
                    "category": None,
                    "received_at": "2026-12-28T04:00:00+00:00",
                    "due_at": "2027-01-06T17:00:00+00:00",
                    "author": authors[item["genangan"]],
                },
            ],
            # Received in the period's days of each week; answered: first replies sent
            # then, whenever received (banjir-nov, from November, answered 1 Dec).
            "per_week": [
                {"week": "2026-11-30", "received": 3, "answered": 2},
                {"week": "2026-12-07", "received": 0, "answered": 1},
                {"week": "2026-12-14", "received": 1, "answered": 0},
                {"week": "2026-12-21", "received": 2, "answered": 0},
                {"week": "2026-12-28", "received": 1, "answered": 2},
            ],
            "response_days": [0, 1, 1, 4],
        },
        "cost": {
            # Sent to X (retracted included): posts hut-kota, siaga-banjir,
            # donor-darah, pasar-murah's second part, kerja-bakti, natal and five
            # replies (11 x $0.015); pasar-murah's first part has a URL ($0.20) and an
            # image ($0.005); five re-shares ($0.015 each). $0.445 in all.
            "currency": "USD",
            "requests": {"post": 11, "post_with_url": 1, "repost": 5, "media": 1},
            "cost": 0.445,
            "budget": 20.0,
            "budget_pro_rata": False,
            "accounts": [
                {"account": "pemkot-x", "requests": 12, "cost": 0.37},
                {"account": "kec-barat-x", "requests": 2, "cost": 0.03},
                {"account": "kec-utara-x", "requests": 2, "cost": 0.03},
                {"account": "kec-timur-x", "requests": 1, "cost": 0.015},
            ],
        },
    }


def test_november_and_a_range_of_days_in_january(month: History) -> None:
    november = report_json(month, "--month", "2026-11")
    assert november["period"]["label"] == "November 2026"
    # akhir-bulan, on time; the items of 27 and 30 November, the second answered on 1
    # December (1 working day, by its due time of 2 December 00:00).
    assert november["posts"]["total"] == counts(sent=1, on_time=1)
    assert november["posts"]["tags"] == [{"name": "pengumuman", **counts(sent=1, on_time=1)}]
    assert november["posts"]["per_day"] == days_of(30, {30: 1}, "2026-11")
    assert november["amplification"] == {"posts": [], "resharers": []}
    assert november["complaints"]["total"] == group(None, 2, 1, 0, 1, 1, 1.0, 1.0)
    assert [i["id"] for i in november["complaints"]["oldest_open"]] == [month.items["jembatan"]]
    # 1 November 2026 is a Sunday: its week starts on 26 October.
    assert november["complaints"]["per_week"] == [
        {"week": week, "received": got, "answered": 0}
        for week, got in (("2026-10-26", 0), ("2026-11-02", 0), ("2026-11-09", 0),
                          ("2026-11-16", 0), ("2026-11-23", 1), ("2026-11-30", 1))
    ]  # fmt: skip
    assert november["cost"]["requests"] == {"post": 1, "post_with_url": 0, "repost": 0, "media": 0}
    assert (november["cost"]["cost"], november["cost"]["budget"]) == (0.015, 20.0)

    january = report_json(month, "--since", "2027-01-01", "--until", "2027-01-04")
    # tahun-baru, due 06:00 WIB on 1 January (still 31 December in UTC).
    assert january["period"] == {"start": "2027-01-01", "end": "2027-01-04",
                                 "label": "1\u20134 January 2027", "whole_month": False, "days": 4}  # fmt: skip
    assert january["posts"]["total"] == counts(sent=1, on_time=1)
    # The budget for 4 of January's 31 days: $20 x 4 / 31, to the cent.
    assert (january["cost"]["budget"], january["cost"]["budget_pro_rata"]) == (2.58, True)
    assert january["complaints"]["total"]["received"] == 0
    # Still open, and received before the period's end: every open item.
    assert [i["id"] for i in january["complaints"]["oldest_open"]] == [
        month.items[label] for label in ("jembatan", "selokan", "genangan")
    ]


def test_the_default_month_is_the_last_whole_one_in_local_time(month: History) -> None:
    # 1 January 06:30 WIB is 31 December 23:30 in UTC: already January where the office is.
    assert report_json(month, "--now", "2027-01-01 06:30")["period"]["label"] == "December 2026"
    # --since alone runs to today.
    found = report_json(month, "--since", "2026-12-28", "--now", "2027-01-02 10:00")
    assert (found["period"]["start"], found["period"]["end"]) == ("2026-12-28", "2027-01-02")
    assert found["period"]["label"] == "28 December 2026 \u2013 2 January 2027"
    # A whole month given as a range is that month.
    found = report_json(month, "--since", "2026-12-01", "--until", "2026-12-31")
    assert found["period"]["label"] == "December 2026"
    assert found["cost"]["budget_pro_rata"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-13"), "--month: '2026-13' is not a month; write it as 2026-12"),
        (("--month", "Desember"), "--month: 'Desember' is not a month; write it as 2026-12"),
        (("--month", "2026-12", "--since", "2026-12-01"),
         "give either --month or --since/--until, not both"),
        (("--until", "2026-12-31"), "--until needs --since: the first day of the report"),
        (("--since", "2026-12-31", "--until", "2026-12-01"),
         "the period ends (2026-12-01) before it starts (2026-12-31)"),
        (("--since", "1 Desember"), "--since: '1 Desember' is not a date; write it as 2026-12-01"),
    ],
)  # fmt: skip
def test_a_period_that_cannot_be_is_a_usage_error(
    month: History, args: tuple[str, ...], message: str
) -> None:
    done = report(month, *args)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"humaspost: error: {message}\n"


def test_a_log_that_does_not_exist_is_said_and_exit_2(repo: Repo) -> None:
    done = run_humaspost("report", "--now", REPORT_NOW, cwd=repo.root)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "humaspost: error: nothing has been published yet (there is no publish log"
        " .humaspost/publog.sqlite)\n"
    )
    assert not (repo.root / ".humaspost" / "publog.sqlite").exists()


def test_citizens_are_pseudonyms_unless_with_names(month: History) -> None:
    open_items = report_json(month)["complaints"]["oldest_open"]
    named = report_json(month, "--with-names")
    assert named["with_names"] is True
    # The names as `inbox` shows them; the pseudonyms those of `inbox --pseudonymize`.
    assert [item["author"] for item in named["complaints"]["oldest_open"]] == [
        "Warga Contoh 3 (@warga_uji3)",
        "Warga Contoh 7 (@warga_uji7)",
        "Warga Contoh 9 (@warga_uji9)",
    ]
    authors = pseudonyms(month)
    assert [item["author"] for item in open_items] == [authors[item["id"]] for item in open_items]
    for output in ("text", "csv", "json"):
        shown = report(month, "--format", output).stdout
        assert "Warga Contoh" not in shown and "warga_uji" not in shown, output
        assert authors[month.items["jembatan"]] in shown, output
    assert "Warga Contoh 3 (@warga_uji3)" in report(month, "--with-names").stdout


def csv_rows(text: str, separator: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=separator))


def test_the_csv_has_one_figure_a_line_under_its_five_columns(month: History) -> None:
    english = report(month, "--format", "csv")
    assert english.returncode == 0, english.stderr
    assert english.stdout.startswith("\ufeffsection,group,name,metric,value\n")
    # Lines end in CRLF, as in `log --format csv`.
    assert report(month, "--format", "csv", "--output", "laporan.csv").returncode == 0
    assert (month.root / "laporan.csv").read_bytes().count(b"\r\n") == len(
        english.stdout.splitlines()
    )
    rows = csv_rows(english.stdout, ",")
    assert all(len(row) == 5 for row in rows)
    assert ["posts", "total", "", "sent", "13"] in rows
    assert ["posts", "account", "pemkot-x", "late", "2"] in rows
    assert ["posts", "day", "2026-12-01", "sent", "4"] in rows
    assert ["amplification", "resharer", "kec-timur-x", "share", "0.5"] in rows
    assert ["complaints", "total", "", "p90_days", "3.1"] in rows
    assert ["complaints", "office", "", "received", "1"] in rows  # no office
    assert ["complaints", "response_days", "1", "items", "2"] in rows
    assert ["complaints", "open_item", str(month.items["jembatan"]), "received_at",
            "2026-11-27 14:00:00"] in rows  # fmt: skip
    assert ["cost", "total", "", "cost", "0.445"] in rows
    assert ["cost", "account", "kec-utara-x", "cost", "0.03"] in rows
    assert ["cost", "total", "", "budget", "20"] in rows
    # In Indonesian: `;` between the columns, and the decimal comma spreadsheets of
    # Indonesia read numbers with; the names of columns and figures stay.
    indonesian = report(month, "--format", "csv", lang="id")
    assert indonesian.stdout.startswith("\ufeffsection;group;name;metric;value\n")
    rows = csv_rows(indonesian.stdout, ";")
    assert ["cost", "total", "", "cost", "0,445"] in rows
    assert ["complaints", "total", "", "p90_days", "3,1"] in rows
    assert ["report", "period", "", "label", "Desember 2026"] in rows
    assert len(rows) == len(csv_rows(english.stdout, ","))


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("columns", [80, 60, 40])
def test_the_text_fits_the_width(month: History, lang: str, columns: int) -> None:
    done = report(month, lang=lang, columns=columns)
    assert done.returncode == 0, done.stderr
    too_wide = [line for line in done.stdout.splitlines() if len(line) > columns]
    assert too_wide == []
    heading = "Report for December 2026" if lang == "en" else "Desember 2026"
    assert heading in done.stdout.splitlines()[0]


def test_the_text_at_80_columns(month: History) -> None:
    text = report(month, columns=80).stdout
    lines = text.splitlines()
    assert lines[:3] == [
        "Report for December 2026 (times in WIB)",
        "Made Monday, 4 January 2027 09:00 WIB",
        "Citizens are named by pseudonyms (warga-...).",
    ]
    # Each table's figures stand under their headings.
    assert "  total          13       1       1        1          1    10     3" in lines
    assert "  DISHUB              2         2       0        0       50%     2.5   3.7" in lines
    assert "  11 posts, 1 post with a URL, 5 reposts, 1 media item: $0.445." in lines
    assert "  x_monthly_budget: $20.00, 2% of it used." in lines


def test_output_writes_the_report_to_a_file(month: History) -> None:
    done = report(month, "--format", "json", "--output", "laporan-desember.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "the report of December 2026 is in laporan-desember.json\n"
    written = json.loads((month.root / "laporan-desember.json").read_text(encoding="utf-8"))
    assert written == report_json(month)
    # Text in a file is laid out for 80 columns, whatever the terminal.
    assert report(month, "--output", "laporan.txt", columns=200).returncode == 0
    text = (month.root / "laporan.txt").read_text(encoding="utf-8")
    assert max(len(line) for line in text.splitlines()) <= 80


def test_post_files_moved_or_deleted_since_are_still_counted(month: History) -> None:
    before = report_json(month)
    posts = month.root / "posts"
    # Deleted after it went out: its campaign and tags are what the log kept of them,
    # and its X request the part the log recorded (a plain post, as it was).
    (posts / "2026" / "12" / "hut-kota.md").unlink()
    # Moved, keeping its id: found by the id it writes (its URL and image still priced).
    moved = posts / "arsip" / "pasar-murah.md"
    moved.parent.mkdir()
    text = (posts / "2026" / "12" / "pasar-murah.md").read_text(encoding="utf-8")
    moved.write_text(text.replace("---\n", "---\nid: 2026/12/pasar-murah\n", 1), "utf-8")
    (posts / "2026" / "12" / "pasar-murah.md").unlink()
    after = report_json(month)
    assert after["posts"] == before["posts"]
    assert after["cost"] == before["cost"]
