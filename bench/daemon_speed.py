#!/usr/bin/env python3
"""How punctual, frugal and quick to notice edits is `humaspost daemon`?

Run by hand (not in CI):

    .venv/bin/python bench/daemon_speed.py                     # all five parts (~5 min)
    .venv/bin/python bench/daemon_speed.py --only lateness --delay 200ms
    .venv/bin/python bench/daemon_speed.py --only rss,edit,replan --posts 20000
    .venv/bin/python bench/daemon_speed.py --dir /tmp/hp-daemon --keep

Each part runs the installed `humaspost daemon --log-format json` as a subprocess (its
log in a file), and stops it with SIGTERM at the end (SIGKILL if it does not go).

(a) lateness: `--deliveries` (200) single-part posts to `--accounts` (8) sandbox
    accounts, due at whole seconds spread over `--spread` (120) seconds, among
    `--background` (1,000) posts due months later. The daemon runs with `--now` (a few
    seconds before the first); lateness is each published part's "time" (the daemon's
    clock when the sandbox wrote it) minus its publish_at. Target: p99 <= 1 s.
(b) idle CPU: a realistic repository (`--idle-posts`, 2,000, made by check_speed.py's
    generator: X, Facebook, kecamatan and sandbox accounts, threads, media, repeats)
    with nothing due; utime+stime of the daemon from /proc/<pid>/stat over
    `--idle-seconds` (60) after start-up. Target: <= 1 % of one core.
(c) memory: the same generator with `--posts` (10,000) posts; VmRSS (and the peak,
    VmHWM) from /proc/<pid>/status once the daemon has loaded them and made its first
    pass. Target: <= 80 MB.
(d) edit pick-up, with the daemon of (c) still running: `--edits` (5) times, one post
    file is rewritten (new text, `to: [latihan]`, publish_at a few seconds ahead); the
    time from the write to the daemon's "reloaded" log line for that file, and the
    lateness of the edited post when it goes out. Target: <= 2 s.
(c) also times the first load: from the spawn to the "started" line. Target: < 1.5 s.
(e) re-plan: in this process, on the repository of (c) once its daemon has stopped,
    `--edits` times one file edited, reloaded and the wake-ups planned again (what the
    daemon does between the file's event and its "reloaded" line), and a pass's plan,
    beside planning every post again (what both did before the daemon kept its plans).
    Target: < 20 ms.

Exit code: 0 every target met, 1 a target missed, 2 a run failed (the daemon exited, a
delivery did not go out exactly once, an event never came).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_speed import generate_repository
from common import cpu_summary, installed_humaspost

WIB = ZoneInfo("Asia/Jakarta")
TARGET_P99 = 1.0  # seconds late
TARGET_IDLE = 1.0  # per cent of one core
TARGET_RSS = 80.0  # MB
TARGET_EDIT = 2.0  # seconds from the write to "reloaded"
TARGET_LOAD = 1.5  # seconds from the spawn to "started" (every post loaded)
TARGET_REPLAN = 0.020  # seconds to plan again after one edited file
PARTS = ("lateness", "idle", "rss", "edit", "replan")
# The lateness run's clock: Monday 15 March 2027, 09:00 WIB.
LATENESS_START = datetime(2027, 3, 15, 9, 0, tzinfo=WIB)


class Failed(Exception):
    """A run went wrong (not a missed target)."""


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120"})
    return env


def local(moment: datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")


class Daemon:
    """A running `humaspost daemon --log-format json` and its log file."""

    def __init__(self, humaspost: str, root: Path, *args: str) -> None:
        self.root = root
        self.log_file = root.parent / f"{root.name}-daemon.log"
        self.spawned = time.time()
        with self.log_file.open("w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(
                [humaspost, "daemon", "--log-format", "json", *args],
                cwd=root,
                env=environment(),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.pid = self.process.pid

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        found = []
        for line in self.log_file.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                raise Failed(f"not a JSON log line: {line!r}") from None
            if name is None or event.get("event") == name:
                found.append(event)
        return found

    def wait_for(
        self,
        name: str,
        where: Callable[[dict[str, Any]], bool] = lambda event: True,
        timeout: float = 60,
        poll: float = 0.005,
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events(name):
                if where(event):
                    return event
            if self.process.poll() is not None:
                raise Failed(f"the daemon exited {self.process.returncode}: {self.tail()}")
            if time.monotonic() > deadline:
                raise Failed(f"no {name!r} event within {timeout} s: {self.tail()}")
            time.sleep(poll)

    def heartbeat(self) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = json.loads(
                (self.root / ".humaspost" / "daemon.json").read_text()
            )
        except (OSError, ValueError):
            return None
        return data

    def wait_for_first_pass(self, timeout: float = 120) -> None:
        """Until the heartbeat exists: the start-up pass is over."""
        deadline = time.monotonic() + timeout
        while (beat := self.heartbeat()) is None or beat.get("pid") != self.pid:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise Failed(f"no heartbeat from the daemon: {self.tail()}")
            time.sleep(0.01)

    def cpu_seconds(self) -> float:
        """utime + stime of the process (all its threads) so far."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def status(self, key: str) -> float:
        """A /proc/<pid>/status figure in MB (VmRSS, VmHWM)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
        raise Failed(f"no {key} in /proc/{self.pid}/status")

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/task"))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise Failed("the daemon did not stop within 15 s of SIGTERM") from None
        return self.process.returncode

    def tail(self, lines: int = 8) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8").splitlines()
        except OSError:
            return "(no log)"
        return "\n  ".join(["", *text[-lines:]])


@contextmanager
def daemon(humaspost: str, root: Path, *args: str) -> Iterator[Daemon]:
    running = Daemon(humaspost, root, *args)
    try:
        yield running
    finally:
        code = running.stop()
        if code != 0:
            print(f"  warning: the daemon exited {code} after SIGTERM{running.tail()}")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Verdict:
    name: str
    value: str
    target: str
    met: bool


def outbox(root: Path) -> list[dict[str, Any]]:
    return [
        json.loads(path.read_text("utf-8"))
        for path in (root / ".humaspost" / "sandbox").glob("*/*.json")
    ]


# (a) lateness -------------------------------------------------------------------------


def write_lateness_repo(root: Path, args: argparse.Namespace) -> dict[str, datetime]:
    """The repository of part (a); returns text -> due time."""
    rng = random.Random(args.seed)
    names = [f"kec-{n:02d}" for n in range(args.accounts)]
    lines = ["timezone: Asia/Jakarta", "accounts:"]
    for index, name in enumerate(names):
        lines += [f"  {name}:", "    platform: sandbox", f"    delay: {args.delay}"]
        if index % 2:
            lines.append("    like: twitter")
    lines += ["defaults:", f"  to: [{names[0]}]", ""]
    root.mkdir(parents=True)
    (root / "humaspost.yaml").write_text("\n".join(lines), encoding="utf-8")
    posts = root / "posts"
    first = LATENESS_START + timedelta(seconds=args.lead)
    due: dict[str, datetime] = {}
    for n in range(args.deliveries):
        when = first + timedelta(seconds=rng.randrange(args.spread))
        text = f"Pengumuman {n:03d} untuk warga"
        due[text] = when
        path = posts / "hari-ini" / f"p{n:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\npublish_at: {local(when)}\nto: [{names[n % len(names)]}]\n---\n{text}\n",
            encoding="utf-8",
        )
    for n in range(args.background):
        when = LATENESS_START + timedelta(days=30 + n % 200, hours=n % 9)
        path = posts / "nanti" / f"b{n:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"---\npublish_at: {local(when)}\nto: [{rng.choice(names)}]\n---\n"
            f"Agenda kota nomor {n} bulan depan\n",
            encoding="utf-8",
        )
    return due


def part_lateness(humaspost: str, base: Path, args: argparse.Namespace) -> list[Verdict]:
    print(
        f"\n(a) lateness: {args.deliveries} deliveries to {args.accounts} sandbox accounts "
        f"(delay {args.delay}) over {args.spread} s, among {args.background} later posts"
    )
    root = base / "lateness"
    due = write_lateness_repo(root, args)
    with daemon(humaspost, root, "--now", local(LATENESS_START)) as running:
        running.wait_for("started")
        print(f"  'started' logged {time.time() - running.spawned:.2f} s after the spawn")
        last = max(due.values())
        wait = (last - LATENESS_START).total_seconds() + 30
        running.wait_for(
            "sent",
            lambda event: len(running.events("sent")) >= args.deliveries,
            timeout=wait,
            poll=0.5,
        )
        cpu = running.cpu_seconds()
        passes = running.events("sending")
    parts = outbox(root)
    texts = [part["text"] for part in parts]
    if sorted(texts) != sorted(due) or len(set(texts)) != len(texts):
        raise Failed(f"{len(parts)} parts published, {len(set(texts))} distinct; want {len(due)}")
    late = [
        (datetime.fromisoformat(part["time"]) - due[part["text"]]).total_seconds() for part in parts
    ]
    p50, p90, p99 = (percentile(late, q) for q in (0.5, 0.9, 0.99))
    print(f"  {len(late)} parts, every one once; {len(passes)} 'sending' lines")
    print("  | min | p50 | p90 | p99 | max |")
    print("  | --- | --- | --- | --- | --- |")
    print(
        f"  | {min(late) * 1000:.0f} ms | {p50 * 1000:.0f} ms | {p90 * 1000:.0f} ms | "
        f"{p99 * 1000:.0f} ms | {max(late) * 1000:.0f} ms |"
    )
    print(f"  daemon CPU over the whole run: {cpu:.2f} s")
    if min(late) < 0:
        raise Failed(f"a part went out {-min(late):.3f} s early")
    return [Verdict("lateness p99", f"{p99:.3f} s", f"<= {TARGET_P99} s", p99 <= TARGET_P99)]


# (b) idle CPU --------------------------------------------------------------------------


def part_idle(humaspost: str, base: Path, args: argparse.Namespace) -> list[Verdict]:
    print(f"\n(b) idle CPU: {args.idle_posts} generated posts, nothing due, {args.idle_seconds} s")
    root = base / "idle"
    made = generate_repository(root, args.idle_posts, args.seed)
    print(f"  {len(made.files)} files ({made.repeats} repeating, {made.threads} threads)")
    with daemon(humaspost, root) as running:
        running.wait_for("started", timeout=120)
        running.wait_for_first_pass()
        time.sleep(2)  # let start-up settle
        before, wall = running.cpu_seconds(), time.monotonic()
        time.sleep(args.idle_seconds)
        used, elapsed = running.cpu_seconds() - before, time.monotonic() - wall
        threads = running.threads()
        start_cpu = before
        sent = running.events("sent")
    share = used / elapsed * 100
    print(f"  start-up (load, check, first pass): {start_cpu:.2f} s CPU")
    print(
        f"  idle: {used:.2f} s CPU in {elapsed:.0f} s = {share:.2f} % of one core "
        f"({threads} threads; a sweep pass every 60 s)"
    )
    if sent:
        raise Failed(f"{len(sent)} deliveries went out from a repository with nothing due")
    return [Verdict("idle CPU", f"{share:.2f} %", f"<= {TARGET_IDLE} %", share <= TARGET_IDLE)]


# (c) memory and (d) edits -------------------------------------------------------------


def part_rss_and_edits(
    humaspost: str, base: Path, args: argparse.Namespace, parts: set[str]
) -> list[Verdict]:
    root = base / "big"
    print(f"\n(c) memory with {args.posts} generated posts")
    made = generate_repository(root, args.posts, args.seed)
    print(
        f"  {len(made.files)} files ({made.md} .md, {made.yaml} .yaml; {made.repeats} "
        f"repeating, {made.threads} threads, {made.with_media} with media)"
    )
    verdicts: list[Verdict] = []
    with daemon(humaspost, root) as running:
        started = running.wait_for("started", timeout=300, poll=0.05)
        loaded = datetime.fromisoformat(started["time"]).timestamp() - running.spawned
        running.wait_for_first_pass(timeout=300)
        ready = time.time() - running.spawned
        print(
            f"  loaded {started['posts']} posts in {loaded:.2f} s; first pass done at {ready:.2f} s"
        )
        verdicts.append(
            Verdict(
                f"first load, {args.posts} posts",
                f"{loaded:.2f} s",
                f"< {TARGET_LOAD} s",
                loaded < TARGET_LOAD,
            )
        )
        time.sleep(1)
        rss, peak = running.status("VmRSS"), running.status("VmHWM")
        print(f"  VmRSS {rss:.1f} MB (peak VmHWM {peak:.1f} MB)")
        if "rss" in parts:
            verdicts.append(
                Verdict(
                    f"RSS, {args.posts} posts",
                    f"{rss:.1f} MB",
                    f"<= {TARGET_RSS:.0f} MB",
                    rss <= TARGET_RSS,
                )
            )
        if "edit" in parts:
            verdicts += edits(running, root, made.files, args)
            rss_after = running.status("VmRSS")
            print(f"  VmRSS after the edits {rss_after:.1f} MB")
    if "replan" in parts:
        verdicts += replan(root, made.files, args)
    return verdicts


def replan(root: Path, files: list[Path], args: argparse.Namespace) -> list[Verdict]:
    """In this process, on the same repository (the daemon stopped): what the daemon does
    after one edited file, timed (no file watcher, no settling), beside planning every
    post again as each pass and re-plan did before the daemon kept its plans."""
    import threading

    from apscheduler.schedulers.background import BackgroundScheduler

    from humaspost.config import load_config
    from humaspost.daemon import HORIZON, Daemon
    from humaspost.gitsource import find_checkout
    from humaspost.publog import PublishLog
    from humaspost.times import OffsetClock
    from humaspost.workflow import plan_from_log

    print(f"\n(e) {args.edits} edits among {len(files)} posts: reload and plan again, in-process")
    config = load_config(root / "humaspost.yaml")
    daemon = Daemon(
        config,
        cwd=root,
        clock=OffsetClock(),
        environ={},
        sandbox=False,
        workers=1,
        logger=logging.getLogger("bench"),
        stop=threading.Event(),
        load_workers=os.cpu_count() or 1,
    )
    daemon.scheduler = BackgroundScheduler(timezone=UTC)  # jobs added, never run
    daemon.cache.load_all(find_checkout(config.root, config.posts_dir))
    daemon.replan("start")
    with PublishLog(daemon.path) as log:
        daemon.plan_pass(daemon.cache.snapshot(), config, log, daemon.clock())
    rng = random.Random(args.seed + 2)
    rows = []
    for n, path in enumerate(rng.sample([f for f in files if f.suffix == ".md"], args.edits)):
        due = (datetime.now(UTC) + timedelta(minutes=5)).replace(microsecond=0)
        path.write_text(f"---\npublish_at: {local(due)}\n---\nRalat {n}\n", encoding="utf-8")
        start = time.perf_counter()
        daemon.cache.reload({path})
        daemon.replan("reload")
        replanned = time.perf_counter()
        made = daemon.made
        loaded, now = daemon.cache.snapshot(), daemon.clock()
        with PublishLog(daemon.path) as log:
            begun = time.perf_counter()
            daemon.plan_pass(loaded, config, log, now)
            passed = time.perf_counter()
            plan_from_log(loaded, config, log, now, until=now + HORIZON)
            full = time.perf_counter()
        rows.append((replanned - start, made, passed - begun, full - passed))
    print("  | edit | reload + re-plan | posts planned | a pass's plan | every post planned |")
    print("  | --- | --- | --- | --- | --- |")
    for n, (seconds, made, passing, full) in enumerate(rows):
        print(
            f"  | {n + 1} | {seconds * 1000:.1f} ms | {made} | {passing * 1000:.1f} ms "
            f"| {full * 1000:.0f} ms |"
        )
    median = statistics.median(row[0] for row in rows)
    print(
        f"  median: reload + re-plan {median * 1000:.1f} ms, a pass's plan "
        f"{statistics.median(row[2] for row in rows) * 1000:.1f} ms, every post planned "
        f"{statistics.median(row[3] for row in rows) * 1000:.0f} ms"
    )
    return [
        Verdict(
            "re-plan after one edit (median)",
            f"{median * 1000:.1f} ms",
            f"< {TARGET_REPLAN * 1000:.0f} ms",
            median < TARGET_REPLAN,
        )
    ]


def edits(
    running: Daemon, root: Path, files: list[Path], args: argparse.Namespace
) -> list[Verdict]:
    print(f"\n(d) {args.edits} edits among {len(files)} posts: write -> 'reloaded'")
    rng = random.Random(args.seed + 1)
    chosen = rng.sample([f for f in files if f.suffix == ".md"], args.edits)
    pickup: list[float] = []
    late: list[float] = []
    for n, path in enumerate(chosen):
        shown = path.relative_to(root).as_posix()
        due = (datetime.now(UTC) + timedelta(seconds=4)).replace(microsecond=0)
        text = f"Ralat {n}: jadwal posyandu dimajukan"
        content = f"---\npublish_at: {local(due)}\nto: [latihan]\n---\n{text}\n"
        written = time.time()
        path.write_text(content, encoding="utf-8")

        def reloaded(event: dict[str, Any], shown: str = shown) -> bool:
            return shown in event.get("files", [])

        event = running.wait_for("reloaded", reloaded, timeout=30)
        pickup.append(datetime.fromisoformat(event["time"]).timestamp() - written)
        part = wait_for_part(running, root, text)
        late.append((datetime.fromisoformat(part["time"]) - due).total_seconds())
    print("  | edit | write -> reloaded | due -> published |")
    print("  | --- | --- | --- |")
    for n, (seconds, lateness) in enumerate(zip(pickup, late, strict=True)):
        print(f"  | {n + 1} | {seconds * 1000:.0f} ms | {lateness * 1000:.0f} ms |")
    worst = max(pickup)
    print(f"  median {statistics.median(pickup) * 1000:.0f} ms, worst {worst * 1000:.0f} ms")
    return [
        Verdict(
            "edit pick-up (worst)", f"{worst:.3f} s", f"<= {TARGET_EDIT} s", worst <= TARGET_EDIT
        )
    ]


def wait_for_part(running: Daemon, root: Path, text: str, timeout: float = 30) -> dict[str, Any]:
    """The published part with this text, waiting for it."""
    deadline = time.monotonic() + timeout
    while True:
        found = [part for part in outbox(root) if part["text"] == text]
        if len(found) > 1:
            raise Failed(f"published {len(found)} times: {text!r}")
        if found:
            return found[0]
        if running.process.poll() is not None or time.monotonic() > deadline:
            raise Failed(f"{text!r} was not published: {running.tail()}")
        time.sleep(0.02)


# main -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", default=",".join(PARTS), help=f"parts: {','.join(PARTS)}")
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--spread", type=int, default=120, help="seconds (default 120)")
    parser.add_argument("--accounts", type=int, default=8)
    parser.add_argument("--delay", default="0ms", help="sandbox delay per call (default 0ms)")
    parser.add_argument("--lead", type=int, default=10, help="seconds before the first is due")
    parser.add_argument("--background", type=int, default=1000)
    parser.add_argument("--idle-posts", type=int, default=2000)
    parser.add_argument("--idle-seconds", type=int, default=60)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--dir", type=Path, help="work here (must not exist) instead of a temp folder"
    )
    parser.add_argument("--keep", action="store_true", help="keep the repositories")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    if not parts <= set(PARTS):
        parser.error(f"--only: choose from {', '.join(PARTS)}")
    humaspost = installed_humaspost(parser)
    if args.dir is not None and args.dir.exists():
        parser.error(f"--dir {args.dir} exists; give a new folder")
    base = args.dir.resolve() if args.dir else Path(tempfile.mkdtemp(prefix="humaspost-daemon-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"Python {sys.version.split()[0]}; CPU: {cpu_summary()}; work folder {base}")
    verdicts: list[Verdict] = []
    try:
        if "lateness" in parts:
            verdicts += part_lateness(humaspost, base, args)
        if "idle" in parts:
            verdicts += part_idle(humaspost, base, args)
        if parts & {"rss", "edit", "replan"}:
            verdicts += part_rss_and_edits(humaspost, base, args, parts)
    except Failed as error:
        print(f"\nFAILED: {error}")
        return 2
    finally:
        if args.keep or args.dir:
            print(f"(the repositories are in {base})")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print("\n| measure | value | target | |\n| --- | --- | --- | --- |")
    for verdict in verdicts:
        print(
            f"| {verdict.name} | {verdict.value} | {verdict.target} "
            f"| {'ok' if verdict.met else 'MISSED'} |"
        )
    return 0 if all(v.met for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
