#!/usr/bin/env python3
"""How fast does `humaspost publish` send one due post to each of 100 slow accounts?

Run by hand (not in CI):

    .venv/bin/python bench/publish_speed.py                 # 100 accounts, 3 runs each
    .venv/bin/python bench/publish_speed.py --workers 8,16,32,64 --repeat 5
    .venv/bin/python bench/publish_speed.py --profile       # always profile the default run
    .venv/bin/python bench/publish_speed.py --dir /tmp/hp-pub --keep   # keep the repos

It generates a repository with N sandbox accounts, each with `delay: 200ms` (every call
to the sandbox takes that long, like a real platform), and one single-part post per
account, all due in the same minute. Then, in a fresh copy of the repository each time,
it runs the installed `humaspost publish --now <that minute>` as a subprocess (with the
default --workers, then each --workers value given) and times it, interpreter start-up
included. After every run it checks that each post went out exactly once: one outbox
file per account, `humaspost log --format json --all` showing N rows all `sent` after
one attempt, and the log's `parts` table agreeing with the outbox.

Target: the default run <= 3 s (sending one after the other would take N x delay = 20 s).
When it is missed (or with --profile), the default run is profiled: `-X importtime`,
a timed run (phases, per-thread time split, SQLite transactions: waiting for the write
lock vs. holding it) and a cProfile of the main and worker threads.

Nothing touches the network: every account is a sandbox account.
Exit code: 0 target met, 1 target missed, 2 a run failed or did not send exactly once.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import textwrap
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from common import (
    MARKER,
    PROFILE_SHORT,
    PROFILE_TABLE,
    best_of,
    importtime_entries,
    installed_humaspost,
    median_of,
    print_importtime,
    run,
    tail,
    work_folder,
)

TARGET = 3.0  # seconds, the default run
DEFAULT_WORKERS = 8  # `humaspost publish` without --workers
WHEN = "2027-03-15 09:00"  # every post's publish_at, and the run's --now
BEFORE = "2027-03-15 08:59"  # nothing is due yet: the cost of a run that sends nothing

# ---------------------------------------------------------------------------------------
# The repository: N sandbox accounts (X-like and Facebook-like), one post each.
# ---------------------------------------------------------------------------------------

UNITS = (
    "pemkot", "dinkes", "dlh", "bpbd", "disdukcapil", "dishub", "disdik", "dinsos",
    "bapenda", "satpol-pp", "damkar", "diskominfo", "dpmptsp", "disnaker", "dkp3",
    "kec-bekasi-timur", "kec-bekasi-barat", "kec-bekasi-utara", "kec-bekasi-selatan",
    "kec-medan-satria", "kec-rawalumbu", "kec-bantargebang", "kec-mustikajaya",
    "kec-jatiasih", "kec-jatisampurna", "kec-pondokgede", "kec-pondok-melati",
    "kel-aren-jaya", "kel-bekasi-jaya", "kel-duren-jaya", "kel-margahayu", "kel-bintara",
    "kel-kranji", "kel-kota-baru", "kel-jakasampurna", "kel-harapan-jaya", "kel-perwira",
    "kel-teluk-pucung", "kel-marga-mulya", "kel-pekayon-jaya", "kel-jaka-setia",
    "kel-pengasinan", "kel-sepanjang-jaya", "kel-cikiwul", "kel-ciketing-udik",
    "kel-mustika-jaya", "kel-jatiwaringin", "kel-jatibening", "kel-jatikramat",
    "kel-jatirangga",
)  # fmt: skip

TEMPLATES = (
    "Pelayanan KTP-el keliling hadir di {place} hari ini pukul 09.00-14.00 WIB. "
    "Bawa fotokopi KK dan surat pengantar RT/RW. #KotaBekasi",
    "Kerja bakti bersih saluran air di wilayah {place} Minggu pagi pukul 07.00 WIB. "
    "Warga diimbau membawa sarung tangan dan karung. #BekasiBersih",
    "Posyandu balita di {place} dibuka pukul 08.00 WIB. Jangan lupa bawa buku KIA; "
    "ada vitamin A dan makanan tambahan. #BekasiSehat",
    "Pembayaran PBB 2027 kini bisa di loket {place} atau lewat aplikasi. "
    "Jatuh tempo 31 Agustus 2027, hindari denda. #KotaBekasi",
    "Waspada genangan: warga {place} diminta membersihkan saluran di depan rumah. "
    "Darurat banjir: hubungi 112 (gratis, 24 jam). #SiagaBencana",
    "Pasar murah sembako di halaman kantor {place} mulai pukul 08.00 WIB, selama "
    "persediaan masih ada. Bawa KTP-el dan kantong belanja. #KotaBekasi",
)


def account_names(count: int) -> list[str]:
    """`<unit>-x` and `<unit>-fb` for each unit, numbered when there are more units."""
    names: list[str] = []
    round_ = 0
    while len(names) < count:
        for unit in UNITS:
            base = unit if round_ == 0 else f"{unit}{round_ + 1}"
            names += [f"{base}-x", f"{base}-fb"]
        round_ += 1
    return names[:count]


def config_text(accounts: Sequence[str], delay: str) -> str:
    """A humaspost.yaml with only sandbox accounts (no network, no credentials)."""
    lines = [
        "# humaspost configuration generated by bench/publish_speed.py: sandbox accounts",
        "# only, each slowed down like a real platform.",
        "",
        "timezone: Asia/Jakarta",
        "posts_dir: posts",
        "state_dir: .humaspost",
        "max_delay: 2h",
        "require_alt_text: true",
        "",
        "accounts:",
    ]
    for name in accounts:
        like = "facebook" if name.endswith("-fb") else "twitter"
        lines += [f"  {name}:", "    platform: sandbox", f"    like: {like}", f"    delay: {delay}"]
    return "\n".join(lines) + "\n"


def place_of(account: str) -> str:
    """A readable place name for an account, e.g. 'Kelurahan Aren Jaya'."""
    unit = account.rsplit("-", 1)[0]
    for prefix, word in (("kec-", "Kecamatan "), ("kel-", "Kelurahan ")):
        if unit.startswith(prefix):
            return word + unit.removeprefix(prefix).replace("-", " ").title()
    return "kantor " + unit.replace("-", " ").upper()


def post_text(index: int, account: str) -> str:
    return TEMPLATES[index % len(TEMPLATES)].format(place=place_of(account))


def write_repository(root: Path, accounts: Sequence[str], delay: str) -> dict[str, str]:
    """Write config and posts; return each account's post text (to check the outbox)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("bench/publish_speed.py\n", encoding="utf-8")
    (root / "humaspost.yaml").write_text(config_text(accounts, delay), encoding="utf-8")
    folder = root / "posts" / "2027" / "03"
    folder.mkdir(parents=True)
    texts: dict[str, str] = {}
    for index, account in enumerate(accounts):
        text = post_text(index, account)
        texts[account] = text
        slug = f"15-{account}"
        if index % 3 == 2:  # a third as YAML files, the rest Markdown with front matter
            body = f"publish_at: {WHEN}\nto: [{account}]\ntags: [layanan]\ntext: |\n  {text}\n"
            (folder / f"{slug}.yaml").write_text(body, encoding="utf-8")
        else:
            front = f"publish_at: {WHEN}\nto: [{account}]\nauthor: Humas {place_of(account)}\n"
            (folder / f"{slug}.md").write_text(f"---\n{front}---\n{text}\n", encoding="utf-8")
    if len(set(texts.values())) != len(texts) and len(accounts) <= 2 * len(UNITS):
        raise AssertionError("generated texts are not all different")
    return texts


# ---------------------------------------------------------------------------------------
# Running and checking.
# ---------------------------------------------------------------------------------------


@dataclass
class Verified:
    """What one publish run did, as found afterwards."""

    problems: list[str] = field(default_factory=list)
    first_part: float = math.nan  # seconds after the run's clock started (--now)
    last_part: float = math.nan


def verify(
    humaspost: str,
    repo: Path,
    texts: dict[str, str],
    done: subprocess.CompletedProcess[str],
) -> Verified:
    """Check that every post went out exactly once: summary, outbox, log, parts table."""
    result = Verified()
    problems = result.problems
    count = len(texts)
    if done.returncode != 0:
        problems.append(f"publish exited {done.returncode}")
    last_line = done.stdout.strip().splitlines()[-1:] or [""]
    if last_line[0] != f"{count} sent":
        problems.append(f"publish's summary is {last_line[0]!r}, not '{count} sent'")
    if done.stderr.strip():
        problems.append("publish wrote to stderr:\n" + tail(done.stderr, 20))

    outbox = repo / ".humaspost" / "sandbox"
    found: dict[str, list[dict[str, object]]] = {}
    leftovers = [p.name for p in outbox.rglob("*") if p.is_file() and p.suffix != ".json"]
    if leftovers:
        problems.append(f"non-JSON files in the outbox: {leftovers[:5]}")
    for path in sorted(outbox.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        found.setdefault(path.parent.name, []).append(record)
    if set(found) != set(texts):
        missing = sorted(set(texts) - set(found))
        extra = sorted(set(found) - set(texts))
        problems.append(f"outbox folders: missing {missing[:5]}, unexpected {extra[:5]}")
    twice = {name: len(records) for name, records in found.items() if len(records) != 1}
    if twice:
        problems.append(f"accounts with other than 1 outbox file: {dict(list(twice.items())[:5])}")
    total_files = sum(len(records) for records in found.values())
    start = datetime.fromisoformat(f"{WHEN}:00+07:00")
    moments: list[float] = []
    remote_ids: dict[str, str] = {}
    for name, records in found.items():
        for record in records:
            if record.get("text") != texts.get(name) or record.get("account") != name:
                problems.append(f"outbox file of {name} has the wrong text or account")
            moments.append((datetime.fromisoformat(str(record["time"])) - start).total_seconds())
            remote_ids[name] = str(record["id"])
    if moments:
        result.first_part, result.last_part = min(moments), max(moments)

    _, shown = run([humaspost, "log", "--format", "json", "--all"], repo)
    rows: list[dict[str, object]] = []
    if shown.returncode != 0:
        problems.append(f"`humaspost log` exited {shown.returncode}: {tail(shown.stderr, 5)}")
    else:
        try:
            rows = json.loads(shown.stdout)
        except ValueError as exc:
            problems.append(f"`humaspost log --format json` is not JSON: {exc}")
    keys = Counter((row["post"], row["occurrence"], row["account"]) for row in rows)
    if len(rows) != count or len(keys) != count:
        problems.append(f"the log has {len(rows)} rows ({len(keys)} keys), not {count}")
    not_sent = [r for r in rows if r["state"] != "sent" or r["attempts"] != 1]
    if not_sent:
        problems.append(f"{len(not_sent)} log rows not sent at the first attempt: {not_sent[:2]}")
    for row in rows:
        account = str(row["account"])
        if row["url"] != f"sandbox://{account}/{remote_ids.get(account)}":
            problems.append(f"log URL {row['url']} does not match the outbox of {account}")
            break
    with sqlite3.connect(repo / ".humaspost" / "publog.sqlite") as db:
        parts = db.execute("SELECT COUNT(*), COUNT(DISTINCT delivery_id) FROM parts").fetchone()
        attempts = db.execute("SELECT outcome, COUNT(*) FROM attempts GROUP BY outcome")
        outcomes = dict(attempts.fetchall())
    db.close()
    if tuple(parts) != (count, count) or total_files != count:
        problems.append(f"parts table {tuple(parts)}, outbox files {total_files}, not {count}")
    if outcomes != {"claimed": count, "sent": count}:
        problems.append(f"attempts by outcome: {outcomes}")
    return result


@dataclass
class Series:
    """Repeated wall times of one kind of run."""

    label: str
    workers: int | None  # None: a baseline, not a publish run
    runs: list[float] = field(default_factory=list)
    spans: list[tuple[float, float]] = field(default_factory=list)  # first, last part
    failures: list[str] = field(default_factory=list)

    @property
    def best(self) -> float:
        return best_of(self.runs)

    @property
    def median(self) -> float:
        return median_of(self.runs)


class Bench:
    """Fresh repositories and timed runs under one folder."""

    def __init__(self, root: Path, humaspost: str, accounts: list[str], delay: str) -> None:
        self.root = root
        self.humaspost = humaspost
        self.accounts = accounts
        self.delay = delay
        self.made = 0
        self.keep = False

    def fresh(self, label: str) -> tuple[Path, dict[str, str]]:
        self.made += 1
        repo = self.root / f"{self.made:02d}-{label}"
        return repo, write_repository(repo, self.accounts, self.delay)

    def done_with(self, repo: Path) -> None:
        if not self.keep:
            shutil.rmtree(repo, ignore_errors=True)

    def publish_once(self, series: Series, *, timed: bool = True) -> None:
        repo, texts = self.fresh(series.label.replace(" ", "-").replace("=", ""))
        command = [self.humaspost, "publish", "--now", WHEN]
        if series.workers is not None and series.workers != DEFAULT_WORKERS:
            command += ["--workers", str(series.workers)]
        elapsed, done = run(command, repo)
        checked = verify(self.humaspost, repo, texts, done)
        if checked.problems:
            report = f"{' '.join(command[1:])} in {repo}:\n" + "\n".join(checked.problems)
            report += "\nstdout (tail):\n" + tail(done.stdout, 8)
            series.failures.append(report)
            print(" FAILED", end="", flush=True)
        if timed:
            series.runs.append(elapsed)
            series.spans.append((checked.first_part, checked.last_part))
            print(f" {elapsed:.2f}", end="", flush=True)
        if not checked.problems:
            self.done_with(repo)


def baseline(label: str, command: list[str], cwd: Path, repeat: int, expect: str) -> Series:
    """A command run once untimed, then `repeat` times."""
    series = Series(label, None)
    print(f"  {label} ...", end="", flush=True)
    for attempt in range(repeat + 1):
        elapsed, done = run(command, cwd)
        if done.returncode != 0 or expect not in done.stdout:
            series.failures.append(
                f"{' '.join(command)} exited {done.returncode}, expected {expect!r} in stdout\n"
                + tail(done.stdout, 5)
                + "\n"
                + tail(done.stderr, 10)
            )
        if attempt:
            series.runs.append(elapsed)
    print(f" best {series.best:.3f} s")
    return series


# ---------------------------------------------------------------------------------------
# Profiling: importtime, a timed run (phases, threads, SQLite), cProfile.
# ---------------------------------------------------------------------------------------

# Runs `humaspost publish` in-process with light timers around its phases, the publish
# log's methods and transactions, and the adapter's sleeps; prints one JSON object.
TIMED_SCRIPT = r"""
import json, sys, threading, time
from collections import defaultdict
from contextlib import contextmanager
t_script = time.perf_counter()
when, workers = sys.argv[1], sys.argv[2]
events = []  # (thread name, what, start, end)
lock = threading.Lock()

def note(what, start, end):
    with lock:
        events.append((threading.current_thread().name, what, start, end))

def timed(owner, name, label=None):
    original = getattr(owner, name, None)
    if original is None:
        return
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            note(label or name, start, time.perf_counter())
    setattr(owner, name, wrapper)

real_sleep = time.sleep
def sleep(seconds):
    start = time.perf_counter()
    real_sleep(seconds)
    note("adapter delay (sleep)", start, time.perf_counter())
time.sleep = sleep

t0 = time.perf_counter()
import humaspost.cli.app as app
import humaspost.cli.publish as cli
import humaspost.publisher as publisher
import humaspost.publog as publog
t_import = time.perf_counter() - t0

for name in ("load", "load_posts", "plan_from_log", "sendable", "_resolve_accounts",
             "_adapters", "publish_due", "_summary"):
    timed(cli, name, f"phase {name}")
PL = publog.PublishLog
for name in ("claim", "part_starting", "part_published", "finish", "mark_missed",
             "release_stale", "rows_with_state", "rows_for_posts", "first_seen", "close"):
    timed(PL, name, f"log.{name}")
timed(PL, "__init__", "log open (connect, pragmas, migrate)")
timed(publisher, "render", "render")
timed(publisher, "content_hash", "content_hash")

transactions = []  # (thread, wait for BEGIN IMMEDIATE, body, COMMIT)
original_transaction = PL.transaction
@contextmanager
def transaction(self):
    t_a = time.perf_counter()
    with original_transaction(self) as db:
        t_b = time.perf_counter()
        yield db
        t_c = time.perf_counter()
    t_d = time.perf_counter()
    with lock:
        transactions.append((threading.current_thread().name, t_b - t_a, t_c - t_b, t_d - t_c))
PL.transaction = transaction

queues = []
original_run_queue = publisher._Sender.run_queue
def run_queue(self, queue):
    start = time.perf_counter()
    try:
        return original_run_queue(self, queue)
    finally:
        end = time.perf_counter()
        with lock:
            queues.append((threading.current_thread().name, start, end, len(queue)))
publisher._Sender.run_queue = run_queue

sys.argv = ["humaspost", "publish", "--now", when]
if workers != "default":
    sys.argv += ["--workers", workers]
t_main = time.perf_counter()
code = 0
try:
    app.main()
except SystemExit as exit:
    code = exit.code
t_end = time.perf_counter()
print("\x00RESULT" + json.dumps({
    "code": code, "script_to_import": t0 - t_script, "import": t_import,
    "main": t_end - t_main, "t_main": t_main, "events": events,
    "transactions": transactions, "queues": queues,
}))
"""

PROFILE_SCRIPT = r"""
import contextlib, cProfile, io, os, pstats, sys, threading
when, workers, top = sys.argv[1], sys.argv[2], int(sys.argv[3])
import humaspost.publisher as publisher
profiles = []
lock = threading.Lock()
original_run_queue = publisher._Sender.run_queue
def run_queue(self, queue):
    profile = cProfile.Profile()
    profile.enable()
    try:
        return original_run_queue(self, queue)
    finally:
        profile.disable()
        with lock:
            profiles.append(profile)
publisher._Sender.run_queue = run_queue
"""
PROFILE_SCRIPT += PROFILE_SHORT + PROFILE_TABLE
PROFILE_SCRIPT += r"""
sys.argv = ["humaspost", "publish", "--now", when]
if workers != "default":
    sys.argv += ["--workers", workers]
main_profile = cProfile.Profile()
out = io.StringIO()
main_profile.enable()
try:
    with contextlib.redirect_stdout(out):
        from humaspost.cli.app import main
        main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
main_profile.disable()
print(f"exit code {code}; last line of output: {out.getvalue().strip().splitlines()[-1:]}")
print()
main_stats = pstats.Stats(main_profile)
table(main_stats, "main thread (imports included), humaspost functions by cumulative time",
      "cumtime", "/humaspost/")
table(main_stats, "main thread, all functions by own time (waiting for the pool excluded)",
      "tottime", skip=("acquire' of '_thread.lock", "method 'acquire'"))
if profiles:
    workers_stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        workers_stats.add(profile)
    print(f"{len(profiles)} account queues in worker threads, profiles summed:")
    table(workers_stats, "worker threads, humaspost functions by cumulative time",
          "cumtime", "/humaspost/")
    table(workers_stats, "worker threads, all functions by own time", "tottime")
"""


def importtime_report(python: str, repo: Path, top: int) -> None:
    """`python -X importtime` of a whole publish run: the slowest imports at any depth."""
    command = [python, "-X", "importtime", "-m", "humaspost", "publish", "--now", WHEN]
    elapsed, done = run(command, repo)
    entries = importtime_entries(done.stderr)
    total = sum(cumulative for cumulative, _, depth, _ in entries if depth == 0)
    print(f"python -X importtime of the run (wall {elapsed:.2f} s under importtime):")
    print(f"  all imports: {total / 1e6:.3f} s (importtime inflates this a little)")
    print_importtime(entries, top)
    print()


def _result_of(stdout: str) -> dict[str, Any] | None:
    for line in stdout.splitlines():
        if line.startswith("\x00RESULT"):
            loaded: dict[str, Any] = json.loads(line.removeprefix("\x00RESULT"))
            return loaded
    return None


Event = tuple[str, str, float, float]
COLUMN_NAMES = {
    "adapter delay (sleep)": "delay",
    "log open (connect, pragmas, migrate)": "open",
    "log.part_published": "part_pub",
    "log.part_starting": "part_start",
    "content_hash": "hash",
}


def timed_report(python: str, repo: Path, workers: str, delay: float) -> None:
    """Run publish in-process with timers; print phases, threads and SQLite figures."""
    command = [python, "-c", TIMED_SCRIPT, WHEN, workers]
    elapsed, done = run(command, repo)
    data = _result_of(done.stdout)
    if data is None:
        print(f"timed run failed (exit {done.returncode}):\n{tail(done.stderr, 20)}")
        return
    events: list[Event] = [(str(a), str(b), float(c), float(d)) for a, b, c, d in data["events"]]
    main_s, t_main, imports = float(data["main"]), float(data["t_main"]), float(data["import"])
    before = elapsed - main_s - imports
    print(f"Timed run (--workers {workers}): wall {elapsed:.3f} s, exit code {data['code']}")
    print(f"  {before:7.3f} s  interpreter start-up and shutdown, the bench's timers and output")
    print(f"  {imports:7.3f} s  import humaspost.cli.app")
    phases = sorted((e for e in events if e[1].startswith("phase ")), key=lambda e: e[2])
    typer_setup = phases[0][2] - t_main if phases else 0.0
    print(f"  {typer_setup:7.3f} s  typer: build the command, convert the options (before load)")
    accounted = typer_setup
    for _, what, start, end in phases:
        accounted += end - start
        print(
            f"  {end - start:7.3f} s  {what.removeprefix('phase ')}  (from +{start - t_main:.3f} s)"
        )
    rest = main_s - accounted
    print(f"  {rest:7.3f} s  the rest of main(): log opens, unknown-rows checks, exit")
    print()

    # Worker threads: how each one spent its time in run_queue.
    queues: list[tuple[str, float, float, int]] = [
        (str(a), float(b), float(c), int(d)) for a, b, c, d in data["queues"]
    ]
    by_thread: dict[str, list[tuple[float, float, int]]] = {}
    for thread, start, end, size in queues:
        by_thread.setdefault(thread, []).append((start, end, size))
    busy: dict[str, dict[str, float]] = {t: defaultdict(float) for t in by_thread}
    for thread, what, start, end in events:
        if thread in busy and not what.startswith("phase "):
            busy[thread][what] += end - start
    # Columns: the calls worker threads made, the biggest first.
    totals: dict[str, float] = defaultdict(float)
    for spent in busy.values():
        for what, seconds in spent.items():
            totals[what] += seconds
    kinds = sorted(totals, key=lambda k: -totals[k])
    short = {k: COLUMN_NAMES.get(k, k.removeprefix("log.")) for k in kinds}
    print("Worker threads (the slowest decides the run): seconds inside run_queue, by call")
    header = ["thread", "queues", "in queues", "from", "to", *kinds, "other"]
    print("  " + " ".join(f"{short.get(h, h):>10}" for h in header))
    ordered = sorted(by_thread, key=lambda t: -max(end for _, end, _ in by_thread[t]))
    for thread in ordered:
        spans = by_thread[thread]
        inside = sum(end - start for start, end, _ in spans)
        parts = [busy[thread].get(k, 0.0) for k in kinds]
        other = inside - sum(parts)  # none of the timed calls is nested in another
        cells = [
            thread.replace("ThreadPoolExecutor-0_", "worker "),
            str(len(spans)),
            f"{inside:.3f}",
            f"+{min(s for s, _, _ in spans) - t_main:.3f}",
            f"+{max(e for _, e, _ in spans) - t_main:.3f}",
            *(f"{p:.3f}" for p in parts),
            f"{other:.3f}",
        ]
        print("  " + " ".join(f"{c:>10}" for c in cells))
    print(
        "  (from/to: seconds after main() started; delay: the sandbox's sleeps; open/close:"
        " PublishLog per account queue; other: render, outbox files, Python)"
    )
    slowest = ordered[0] if ordered else None
    if slowest:
        count = sum(size for _, _, size in by_thread[slowest])
        print(
            f"  the slowest thread sent {count} deliveries: {count} x {delay:.3f} s of delay "
            f"= {count * delay:.3f} s; everything else on it "
            f"{sum(e - s for s, e, _ in by_thread[slowest]) - count * delay:.3f} s"
        )
    print()

    # SQLite write transactions: waiting for the lock vs. holding it.
    transactions: list[tuple[str, float, float, float]] = [
        (str(a), float(b), float(c), float(d)) for a, b, c, d in data["transactions"]
    ]
    if transactions:
        waits = sorted(t[1] for t in transactions)
        holds = sorted(t[2] + t[3] for t in transactions)

        def pct(values: list[float], q: float) -> float:
            return values[min(len(values) - 1, int(q * len(values)))] * 1000

        print(f"SQLite write transactions: {len(transactions)} (BEGIN IMMEDIATE ... COMMIT)")
        print(f"  {'':<28} {'total s':>8} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}")
        for label, values in (("BEGIN IMMEDIATE (lock wait)", waits), ("body + COMMIT", holds)):
            print(
                f"  {label:<28} {sum(values):8.3f} {pct(values, 0.5):10.2f}"
                f" {pct(values, 0.9):8.2f} {max(values) * 1000:8.2f}"
            )
    calls: dict[str, list[float]] = {}
    for _, what, start, end in events:
        if not what.startswith("phase "):
            calls.setdefault(what, []).append(end - start)
    print(f"  {'publish-log call':<36} {'calls':>6} {'total s':>8} {'mean ms':>8} {'max ms':>8}")
    for what, values in sorted(calls.items(), key=lambda kv: -sum(kv[1])):
        mean = sum(values) / len(values) * 1000
        worst = max(values) * 1000
        print(f"  {what:<36} {len(values):6d} {sum(values):8.3f} {mean:8.2f} {worst:8.2f}")
    print()


def cprofile_report(python: str, repo: Path, workers: str, top: int) -> None:
    command = [python, "-c", PROFILE_SCRIPT, WHEN, workers, str(top)]
    elapsed, done = run(command, repo)
    print(f"cProfile (wall {elapsed:.2f} s under the profiler; times inflated):\n")
    print(done.stdout)
    if done.returncode != 0 or done.stderr.strip():
        print(tail(done.stderr, 30))


def profile(bench: Bench, python: str, top: int, delay: float) -> None:
    print("\n" + "=" * 88)
    print("Profile of the default run (`humaspost publish --now ...`, --workers 8)")
    print("=" * 88 + "\n")
    for step in ("importtime", "timed", "cprofile"):
        repo, _ = bench.fresh(f"profile-{step}")
        if step == "importtime":
            importtime_report(python, repo, top)
        elif step == "timed":
            timed_report(python, repo, "default", delay)
        else:
            cprofile_report(python, repo, "default", top)
        bench.done_with(repo)


# ---------------------------------------------------------------------------------------
# Main.
# ---------------------------------------------------------------------------------------


def parse_delay(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)", text)
    if not match:
        raise argparse.ArgumentTypeError("write the delay like 200ms or 0.2s")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=100, help="accounts = posts (100)")
    parser.add_argument("--delay", default="200ms", help="each sandbox call (200ms)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (3)")
    parser.add_argument(
        "--workers", default="16,32", help="--workers values besides the default (16,32)"
    )
    parser.add_argument("--dir", type=Path, help="work here instead of a temp folder")
    parser.add_argument("--keep", action="store_true", help="keep the repositories")
    parser.add_argument("--profile", action="store_true", help="always profile")
    parser.add_argument("--no-profile", action="store_true", help="never profile")
    parser.add_argument("--top", type=int, default=20, help="profile lines (20)")
    args = parser.parse_args(argv)
    delay = parse_delay(args.delay)
    extra = [int(w) for w in args.workers.split(",") if w.strip()]
    if args.accounts < 1 or args.repeat < 1 or any(not 1 <= w <= 64 for w in extra):
        parser.error("--accounts, --repeat >= 1; --workers values in 1..64")

    python = sys.executable
    humaspost = installed_humaspost(parser)
    root, temporary = work_folder(
        parser, args.dir, "humaspost-publish-bench-", "bench/publish_speed.py"
    )
    bench = Bench(root, humaspost, account_names(args.accounts), args.delay)
    bench.keep = args.keep or not temporary
    try:
        return _run(args, bench, python, delay, extra)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"(the repositories are in {root})")


def _run(
    args: argparse.Namespace, bench: Bench, python: str, delay: float, extra: list[int]
) -> int:
    n = args.accounts
    print(f"Python {sys.version.split()[0]} at {python}; {os.cpu_count()} logical CPUs")
    print(
        f"{n} sandbox accounts with delay {args.delay}, one single-part post each, all due "
        f"{WHEN} WIB; work folder {bench.root}"
    )
    print(f"\nBaselines ({args.repeat} timed runs after one warm-up):")
    repo, _ = bench.fresh("baseline")
    baselines = [
        baseline("python start-up", [python, "-c", "pass"], repo, args.repeat, ""),
        baseline(
            "import humaspost.cli.app",
            [python, "-c", "import humaspost.cli.app"],
            repo,
            args.repeat,
            "",
        ),
        baseline(
            "publish, nothing due yet",
            [bench.humaspost, "publish", "--now", BEFORE],
            repo,
            args.repeat,
            "nothing due",
        ),
    ]
    bench.done_with(repo)

    series = [Series(f"--workers {DEFAULT_WORKERS} (default)", DEFAULT_WORKERS)]
    series += [Series(f"--workers {w}", w) for w in extra if w != DEFAULT_WORKERS]
    print("\nWarm-up publish run (untimed) ...", end="", flush=True)
    bench.publish_once(Series("warm-up", DEFAULT_WORKERS), timed=False)
    print(" done")
    print(f"Publish runs, a fresh repository each ({args.repeat} rounds, wall s):")
    for round_ in range(args.repeat):
        print(f"  round {round_ + 1}:", end="", flush=True)
        for each in series:
            print(f"  [{each.label.split(' (')[0]}]", end="", flush=True)
            bench.publish_once(each)
        print()

    print(f"\nResults: {n} deliveries, {n} accounts, delay {args.delay} per call\n")
    width = max(len(s.label) for s in [*baselines, *series]) + 2
    print(f"  {'run':<{width}} {'best':>7} {'median':>7} {'floor':>7} {'overhead':>9}  last part")
    print(f"  {'-' * width} {'-' * 7} {'-' * 7} {'-' * 7} {'-' * 9}  {'-' * 9}")
    for each in baselines:
        print(f"  {each.label:<{width}} {each.best:7.3f} {each.median:7.3f}")
    for each in series:
        assert each.workers is not None
        floor = math.ceil(n / min(each.workers, n)) * delay
        last = statistics.median(s[1] for s in each.spans) if each.spans else math.nan
        print(
            f"  {each.label:<{width}} {each.best:7.3f} {each.median:7.3f} {floor:7.3f}"
            f" {each.best - floor:9.3f}  +{last:.3f}"
        )
    sequential = n * delay
    print(
        "\n  floor = ceil(accounts / workers) x delay, the delay alone on the busiest worker;"
        "\n  overhead = best - floor; last part = median time of the last outbox file after"
        f"\n  the run's clock started (the --now clock starts after config loading)."
        f"\n  One after the other the delays alone would take {n} x {delay:g} s"
        f" = {sequential:.1f} s."
    )

    failures = [f for each in [*baselines, *series] for f in each.failures]
    default = series[0]
    met = default.best <= TARGET
    print(
        f"\nTarget: default run best {default.best:.3f} s, median {default.median:.3f} s,"
        f" target <= {TARGET:.1f} s: {'OK' if met else 'MISSED'}"
        f" (median {'within' if default.median <= TARGET else 'over'} target)"
    )
    if failures:
        print(f"\n{len(failures)} run(s) FAILED the exactly-once checks:")
        for failure in failures:
            print(textwrap.indent(failure, "  | "))
    else:
        print(f"Exactly once: every run sent all {n} posts once (outbox, log, parts, attempts).")
    if args.profile or (not met and not args.no_profile):
        profile(bench, python, args.top, delay)
    if failures:
        return 2
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
