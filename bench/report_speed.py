#!/usr/bin/env python3
"""How long does `humaspost report` take over a year of history, and how much memory?

Run by hand (not in CI):

    .venv/bin/python bench/report_speed.py                  # 100,000 deliveries, 20,000 items
    .venv/bin/python bench/report_speed.py --postgresql     # the log on PostgreSQL
    .venv/bin/python bench/report_speed.py --deliveries 20000 --items 4000 --repeat 5
    .venv/bin/python bench/report_speed.py --dir /tmp/hp-report --keep

It writes a city office of 2026 straight into a publish log (SQLite under the state
folder, or with `--postgresql` a PostgreSQL server of its own in a temporary folder):
city hall on X and Facebook and 30 district accounts on X; about 8 posts a day, each to
both city accounts and re-shared on X by every district (`amplify`), with campaigns and
tags, a thread now and then, a URL or an image in some; the inbox's items (invented
citizens, five offices, three categories) received all year, most answered by a reply
post, some closed, some open; deliveries mostly sent, some late, missed, failed,
unknown or retracted. Every post and reply has its post file, as an office's
repository would after a year.

Each measurement runs the installed `humaspost` in a process of its own (interpreter
start-up included), once to warm the page cache, then `--repeat` times: `humaspost
--version` (the floor every command pays), and `humaspost report --month 2026-12` as
JSON and as text (wall time, best and median; the median CPU time, user and system,
which other work on the machine changes less; peak memory, the process's maximum
resident set size; both from os.wait4). It checks that the JSON counts every delivery and
item of December that was written.

Target: the report in under 2 s on SQLite. Exit code: 0 target met, 1 missed, 2 a
command failed or a check did not hold.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import multiprocessing.queues
import os
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    BenchUnavailable,
    best_of,
    cpu_summary,
    installed_humaspost,
    median_of,
    postgres_database,
    run_measured,
    work_folder,
)

from humaspost.log_location import log_path
from humaspost.publog import PublishLog, stamp
from humaspost.working_days import WorkingCalendar

WIB = ZoneInfo("Asia/Jakarta")
NOW = "2027-01-04 09:00"
DATABASE_VARIABLE = "HUMASPOST_DATABASE_URL"
DISTRICTS = 30
OFFICES = ("BPBD", "DISHUB", "DLH", "DINKES", "humas")
CATEGORIES = ("darurat", "jalan", "sampah")
CAMPAIGNS = ("hut-kota", "siaga-banjir", "natal-tahun-baru", "pilkada-damai", None, None)
TAGS = ("banjir", "kesehatan", "budaya", "ekonomi", "lalu-lintas", "lingkungan")
TARGET_SECONDS = 2.0
# The states of the office's deliveries, and how often (the rest are sent).
OUTCOMES = (("missed", 0.03), ("failed", 0.01), ("unknown", 0.002), ("retracted", 0.005))


class Failed(Exception):
    """A command failed or a check did not hold."""


@dataclass
class Year:
    """What was written, to check the report against: December's figures."""

    deliveries: int = 0
    items: int = 0
    posts: int = 0
    replies: int = 0
    december: Counter[str] = field(default_factory=Counter)


def x_account(name: str, prefix: str) -> list[str]:
    return [f"  {name}:", "    platform: twitter", "    api_url: http://127.0.0.1:9"] + [
        f"    {key}: ${{{prefix}_{key.upper()}}}"
        for key in ("consumer_key", "consumer_secret", "access_token", "access_token_secret")
    ]


def write_office(root: Path, url: str | None) -> dict[str, str]:
    """The repository's config; the environment its commands need."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env |= {"NO_COLOR": "1", "COLUMNS": "80", "HUMASPOST_LANG": "en"}
    lines = ["timezone: Asia/Jakarta", "accounts:", *x_account("pemkot-x", "PX")]
    lines += ["  pemkot-fb:", "    platform: facebook", "    page_id: '104857600000000'",
              "    access_token: ${FB_TOKEN}", "    api_url: http://127.0.0.1:9"]  # fmt: skip
    names = [f"kec-{n:02d}" for n in range(1, DISTRICTS + 1)]
    for name in names:
        lines += x_account(name, name.upper().replace("-", "_"))
    lines += ["groups:", f"  kecamatan: [{', '.join(names)}]", "defaults:", "  to: [pemkot-x]"]
    lines += ["x_monthly_budget: 400", f"offices: [{', '.join(OFFICES)}]", "inbox:",
              "  respond_within: 5", "  categories: {darurat: 1, jalan: 3, sampah: 3}",
              "  collective_leave: [2026-12-24]"]  # fmt: skip
    for prefix in ["PX", *(name.upper().replace("-", "_") for name in names)]:
        for key in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
            env[f"{prefix}_{key}"] = f"bench-{prefix.lower()}-{key.lower()}"
    env["FB_TOKEN"] = "bench-fb-token"
    if url is not None:
        lines.append(f"publish_log: ${{{DATABASE_VARIABLE}}}")
        env[DATABASE_VARIABLE] = url
    (root / "posts").mkdir(parents=True)
    (root / "media").mkdir()
    (root / "media" / "poster.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (root / "humaspost.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return env


def _outcome(rng: random.Random) -> str:
    roll = rng.random()
    for state, share in OUTCOMES:
        if roll < share:
            return state
        roll -= share
    return "sent"


class Writer:
    """Rows for the log's tables, written in a few large transactions."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.deliveries: list[tuple[object, ...]] = []
        self.parts: list[tuple[object, ...]] = []
        self.items: list[tuple[object, ...]] = []
        self.history: list[tuple[object, ...]] = []

    def delivery(
        self, post: str, occurrence: str, account: str, platform: str, due: datetime,
        kind: str, metadata: str, *, parts: int = 1, reply_to: int | None = None,
        state: str | None = None,
    ) -> tuple[str, datetime | None]:  # fmt: skip
        """One delivery (and its parts when it went out), in `state` or one drawn by
        OUTCOMES; its state and sent time."""
        state = state or _outcome(self.rng)
        sent = None
        if state in ("sent", "retracted"):
            late = self.rng.random() < 0.1
            sent = due + timedelta(seconds=self.rng.randint(120, 3600) if late else 2)
        number = len(self.deliveries) + 1
        self.deliveries.append((
            number, post, occurrence, account, platform, state, stamp(due), 1, metadata,
            stamp(sent) if sent else None, stamp(due), stamp(sent or due), kind, reply_to,
            f"https://x.com/i/web/status/{number}" if sent else None,
        ))  # fmt: skip
        if sent is not None:
            for index in range(parts):
                self.parts.append((number, index, f"{number}{index}", f"https://x.com/{number}",
                                   stamp(sent)))  # fmt: skip
        return state, sent


def make_year(root: Path, deliveries: int, items: int, seed: int) -> tuple[Writer, Year]:
    """A year of posts (their files) and inbox items (with their reply files), as rows."""
    rng = random.Random(seed)
    writer, year = Writer(rng), Year()
    calendar = WorkingCalendar(WIB, frozenset({date(2026, 12, 24)}))
    start = datetime(2026, 1, 1, tzinfo=WIB)
    replies = int(items * 0.4)
    # Each post: two city deliveries and a re-share by every district.
    posts = max((deliveries - replies) // (2 + DISTRICTS), 1)
    folder = root / "posts"
    for number in range(posts):
        day = start + timedelta(days=number * 365 // posts)
        due = day.replace(hour=rng.randint(7, 19), minute=rng.choice((0, 15, 30, 45)))
        post_id = f"{due:%Y/%m}/pengumuman-{number:05d}"
        campaign = rng.choice(CAMPAIGNS)
        tags = rng.sample(TAGS, rng.randint(0, 2))
        thread = rng.random() < 0.15
        url = rng.random() < 0.2
        image = rng.random() < 0.3
        body = f"Pengumuman {number} untuk warga Kota Bekasi."
        if url:
            body += f" https://bekasikota.go.id/info/{number}"
        if thread:
            body += f"\n---\nBagian kedua pengumuman {number}."
        head = [f"publish_at: {due:%Y-%m-%d %H:%M}", "to: [pemkot-x, pemkot-fb]",
                "amplify: {by: kecamatan, after: 10m, spread: 30m}"]  # fmt: skip
        head += [f"campaign: {campaign}"] if campaign else []
        head += [f"tags: [{', '.join(tags)}]"] if tags else []
        if image:
            head.append("media: [{file: ../../../media/poster.png, alt: Poster pengumuman}]")
        path = folder / f"{post_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(head) + "\n---\n" + body + "\n", encoding="utf-8")
        metadata = json.dumps({"campaign": campaign, "tags": tags})
        utc = due.astimezone(UTC)
        _state, sent = writer.delivery(post_id, "once", "pemkot-x", "twitter", utc, "post",
                                      metadata, parts=2 if thread else 1)  # fmt: skip
        writer.delivery(post_id, "once", "pemkot-fb", "facebook", utc, "post", metadata)
        year.posts += 1
        if due.month == 12:
            year.december["posts"] += 2
        if sent is None:
            continue  # its re-shares wait, and are never in the log
        for index in range(DISTRICTS):
            reshare_due = sent + timedelta(minutes=10) + timedelta(minutes=30) * index / DISTRICTS
            writer.delivery(post_id, "once>pemkot-x", f"kec-{index + 1:02d}", "twitter",
                            reshare_due, "repost", metadata)  # fmt: skip
            if reshare_due.astimezone(WIB).month == 12:
                year.december["reshares"] += 1
    for number in range(1, items + 1):
        received = start + timedelta(seconds=rng.randint(0, 365 * 86400 - 1))
        category = rng.choice((*CATEGORIES, None))
        days = {"darurat": 1, "jalan": 3, "sampah": 3}.get(category or "", 5)
        due = calendar.due_at(received, days)
        roll = rng.random()
        office = rng.choice((*OFFICES, None))
        answered = settled = reply_url = None
        if number <= replies:
            status = "answered"
            answered = received + timedelta(hours=rng.randint(1, 24 * 8))
            settled, reply_url = answered, f"https://x.com/i/web/status/r{number}"
        elif roll < 0.5:
            status, settled = "closed", received + timedelta(hours=rng.randint(1, 24 * 10))
        elif roll < 0.65:
            status, settled = "not-complaint", received + timedelta(hours=2)
        else:
            status = "assigned" if office else "new"
        citizen = rng.randint(1, 5000)
        writer.items.append((
            number, "twitter", "pemkot-x", f"19{number:08d}", f"16{citizen:08d}",
            f"Warga Contoh {citizen}", f"warga_uji{citizen}",
            f"Laporan nomor {number} dari warga", f"https://x.com/warga/status/{number}",
            stamp(received), stamp(received + timedelta(minutes=5)), None, None, status,
            office, category, stamp(due), stamp(answered) if answered else None,
            stamp(settled) if settled else None, reply_url,
        ))  # fmt: skip
        writer.history.append((number, stamp(received), "humaspost", "received", None))
        if received.astimezone(WIB).month == 12 and status != "not-complaint":
            year.december["items"] += 1
        if answered is None:
            continue
        local = answered.astimezone(WIB)
        reply_id = f"{local:%Y/%m}/balasan-{number}"
        path = folder / f"{reply_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\npublish_at: {local:%Y-%m-%d %H:%M}\nto: pemkot-x\nreply_to: {number}\n---\n"
            f"Terima kasih laporannya (nomor {number}), sudah kami teruskan.\n",
            encoding="utf-8",
        )
        writer.delivery(reply_id, "once", "pemkot-x", "twitter", answered, "reply", "{}",
                        reply_to=number, state="sent")  # fmt: skip
        year.replies += 1
        if local.month == 12:
            year.december["posts"] += 1
    year.deliveries, year.items = len(writer.deliveries), len(writer.items)
    return writer, year


def write_log(root: Path, env: dict[str, str], writer: Writer) -> None:
    """The rows into the office's log (made by opening it), in one transaction each."""
    from humaspost.config import load_config

    location = log_path(load_config(root / "humaspost.yaml"), sandbox=False, environ=env)
    with PublishLog(location) as log:
        store = log.store
        with log.transaction():
            store.executemany(
                "INSERT INTO deliveries (id, post_id, occurrence, account, platform, state,"
                " due_at, attempts, metadata, sent_at, created_at, updated_at, kind, reply_to,"
                " url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                writer.deliveries,
            )
        with log.transaction():
            store.executemany(
                "INSERT INTO parts (delivery_id, part_index, remote_id, url, published_at)"
                " VALUES (?, ?, ?, ?, ?)",
                writer.parts,
            )
        with log.transaction():
            store.executemany(
                "INSERT INTO inbox_items (id, platform, account, remote_id, author_id,"
                " author_name, author_handle, text, url, received_at, fetched_at, answers_post,"
                " answers_remote_id, status, office, category, due_at, answered_at, settled_at,"
                " reply_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                writer.items,
            )
            store.executemany(
                "INSERT INTO inbox_history (item_id, at, by_name, action, detail)"
                " VALUES (?, ?, ?, ?, ?)",
                writer.history,
            )
            store.execute(
                "INSERT INTO inbox_secrets (name, value) VALUES ('pseudonym', ?)",
                ("ab" * 32,),
            )
        if not isinstance(location, Path):
            # PostgreSQL's ids come from sequences: go on after the rows written here.
            for table in ("deliveries", "inbox_items"):
                store.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT MAX(id) FROM {table}))"
                )


def written_year(root: Path, env: dict[str, str], deliveries: int, items: int, seed: int) -> Year:
    """Make the year's files and rows and write them into the log, in a process of its
    own: the commands measured are started from this one, and a child's peak memory
    counts what it shared of its parent when it was made."""
    context = multiprocessing.get_context("fork")
    results: multiprocessing.queues.Queue[Year] = context.Queue()

    def work() -> None:
        writer, year = make_year(root, deliveries, items, seed)
        write_log(root, env, writer)
        results.put(year)

    process = context.Process(target=work)
    process.start()
    year = results.get()
    process.join()
    if process.exitcode != 0:
        raise Failed(f"writing the year failed (exit code {process.exitcode})")
    return year


def run(
    humaspost: str, root: Path, env: dict[str, str], *args: str
) -> tuple[float, float, int, str]:
    """Run `humaspost ARGS`: wall seconds, CPU seconds (user and system), its peak RSS
    in MiB, stdout."""
    done = run_measured([humaspost, *args], root, env)
    if done.code != 0 or "Traceback" in done.stderr:
        raise Failed(f"humaspost {' '.join(args)} exited {done.code}:\n{done.stderr}")
    return done.wall, done.cpu, done.peak_mib, done.stdout


@dataclass
class Measured:
    """Timed runs of one command: wall and CPU seconds, the most memory, its output."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: int = 0
    output: str = ""


def measure(humaspost: str, root: Path, env: dict[str, str], repeat: int, *args: str) -> Measured:
    """One warm-up run, then `repeat` timed ones."""
    run(humaspost, root, env, *args)
    found = Measured()
    for _ in range(repeat):
        took, cpu, memory, found.output = run(humaspost, root, env, *args)
        found.wall.append(took)
        found.cpu.append(cpu)
        found.peak = max(found.peak, memory)
    return found


def check(found: dict[str, object], year: Year) -> None:
    """The December report counts every delivery and item of December written."""
    posts = found["posts"]
    complaints = found["complaints"]
    amplification = found["amplification"]
    assert isinstance(posts, dict) and isinstance(complaints, dict)
    assert isinstance(amplification, dict)
    counted = sum(v for k, v in posts["total"].items() if k not in ("on_time", "late"))
    asked = sum(post["asked"] for post in amplification["posts"])
    wanted = (year.december["posts"], year.december["reshares"], year.december["items"])
    got = (counted, asked, complaints["total"]["received"])
    if got != wanted:
        raise Failed(f"the report counts (posts, re-shares, items) {got}, not {wanted}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="the publish log on a PostgreSQL server of its own (in a temporary folder)",
    )
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    humaspost = installed_humaspost(parser)
    folder, temporary = work_folder(parser, args.dir, "humaspost-report-", "report_speed.py")
    print(f"report_speed: a year of {args.deliveries} deliveries, {args.items} inbox items;"
          f" {cpu_summary()}")  # fmt: skip
    print(f"log: {'PostgreSQL' if args.postgresql else 'SQLite'}")
    try:
        with contextlib.ExitStack() as stack:
            url = (
                stack.enter_context(postgres_database("report_bench")) if args.postgresql else None
            )
            root = folder / "repo"
            env = write_office(root, url)
            started = time.perf_counter()
            year = written_year(root, env, args.deliveries, args.items, args.seed)
            print(f"written in {time.perf_counter() - started:.1f} s: {year.deliveries} deliveries"
                  f" ({year.posts} posts, {year.replies} replies, the rest re-shares),"
                  f" {year.items} inbox items, {year.posts + year.replies} post files")  # fmt: skip
            print(f"December: {dict(year.december)}")
            floor = measure(humaspost, root, env, args.repeat, "--version")
            report = ("report", "--month", "2026-12", "--now", NOW)
            as_json = measure(humaspost, root, env, args.repeat, *report, "--format", "json")
            check(json.loads(as_json.output), year)
            as_text = measure(humaspost, root, env, args.repeat, *report)
            print(f"  {'':24} {'best s':>7} {'median s':>9} {'CPU s':>6} {'peak MiB':>9}")
            for name, measured in (
                ("humaspost --version", floor),
                ("report --format json", as_json),
                ("report (text)", as_text),
            ):
                print(f"  {name:24} {best_of(measured.wall):7.2f} {median_of(measured.wall):9.2f}"
                      f" {median_of(measured.cpu):6.2f} {measured.peak:9d}")  # fmt: skip
            slowest = max(median_of(as_json.wall), median_of(as_text.wall))
            met = slowest < TARGET_SECONDS
            print(f"target: the report in under {TARGET_SECONDS:.0f} s on SQLite (median):"
                  f" {slowest:.2f} s, {'met' if met else 'MISSED'}")  # fmt: skip
            return 0 if met or args.postgresql else 1
    except (Failed, BenchUnavailable) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 2
    finally:
        if temporary and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
