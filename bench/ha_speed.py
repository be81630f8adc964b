#!/usr/bin/env python3
"""How fast does a burst drain: one daemon on SQLite, one on PostgreSQL, two on one
PostgreSQL?

Run by hand (not in CI):

    .venv/bin/python bench/ha_speed.py                         # all three, ~3 minutes
    .venv/bin/python bench/ha_speed.py --workers 64            # more accounts at once
    .venv/bin/python bench/ha_speed.py --only pg2 --accounts 200
    .venv/bin/python bench/ha_speed.py --dir /tmp/hp-ha --keep  # keep the repositories

The office: `--accounts` (1,000) sandbox accounts whose every call takes `--delay`
(200 ms: half connecting, half in flight), and `--posts` (2) posts to all of them, all
due at the same minute (09:00:00 WIB): 2,000 deliveries at once. Each scenario starts
the installed `humaspost daemon --log-format json --now` (`--lead`, 8 s, before that
minute, so that start-up is over when it comes) and waits until every part is in the
sandbox outboxes, then stops the daemons with SIGTERM:

* `sqlite`: one daemon, the publish log in its state folder (SQLite);
* `pg`: one daemon, the publish log in PostgreSQL;
* `pg2`: two daemons, each with its own copy of the repository, on two hosts (UTS
  namespaces with their own hostnames, as tests/test_high_availability.py runs them),
  sharing one PostgreSQL database.

Measured: wall time from the spawn until every part was out (the script's clock);
the drain (the last `sent_at` minus the due time) and the lateness of every delivery
(`sent_at` minus its due time: min, p50, p99), both from the publish log, by the
daemons' own clocks; the daemons' CPU time (utime + stime from /proc); and, on
PostgreSQL, what the log costs the database per delivery:

* statements: the calls counted by `pg_stat_statements` in the benchmark's database
  (BEGIN and COMMIT included: `track_utility` is on). The log runs every statement on
  its own (psycopg in autocommit mode, BEGIN/COMMIT sent as statements, no pipeline),
  so each call is one round trip between daemon and server; `pg_stat_statements`
  counts them on the server, whatever the client does, without the cost and size of
  `log_statement = all`.
* transactions: `xact_commit + xact_rollback` of `pg_stat_database` (a statement
  outside BEGIN/COMMIT is a transaction of its own).
* connections: `sessions` of `pg_stat_database`; each costs a few round trips more
  (start-up and the SCRAM exchange), not counted among the statements.
* peak connections: the most `humaspost` sessions seen at once in `pg_stat_activity`
  (polled every 0.2 s), against the server's `max_connections`.

The script starts its own PostgreSQL server (tests/postgres_server.py, on 127.0.0.1,
with `pg_stat_statements` preloaded) and reads the statistics from its `postgres`
database, so that its own queries are not counted. Every scenario checks that each
delivery went out exactly once (tests/ha_office.check over all outboxes).

Exit code: 0 every scenario sent everything exactly once, 2 one did not.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import cpu_summary

from tests.ha_office import Daemon, Office, check, count_parts, outbox, servers
from tests.postgres_server import PostgresServer, find_pg_bin

WIB = ZoneInfo("Asia/Jakarta")
DUE = datetime(2027, 3, 15, 9, 0, tzinfo=WIB)  # a Monday, 09:00 WIB
SCENARIOS = ("sqlite", "pg", "pg2")
DATABASE = "humaspost_bench"
# A statement in the server's log (log_statement = all): a simple query, or the
# execution of a prepared or unnamed statement (extended protocol).
STATEMENT = re.compile(
    rf"^\S+ \S+ \S+ \[\d+\] db={DATABASE} app=humaspost LOG:  "
    r"(?:statement|execute [^:]*): (?P<sql>.*)$",
    re.MULTILINE,
)


class Failed(Exception):
    """A scenario went wrong (a daemon exited, a delivery was not sent exactly once)."""


@dataclass
class Figures:
    """What one scenario measured."""

    name: str
    daemons: int
    deliveries: int
    wall: float  # spawn -> every part in the outboxes, seconds (the script's clock)
    drain: float  # due -> last sent_at, seconds (the log's clock)
    late: list[float]  # sent_at - due of every delivery, seconds
    cpu: list[float]  # each daemon's CPU seconds
    statements: int | None = None
    transactions: int | None = None
    sessions: int | None = None
    peak_connections: int | None = None
    top: list[tuple[int, str]] = field(default_factory=list)  # (calls, statement)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) so far."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Database:
    """The benchmark's own PostgreSQL server and its statistics (read from the
    `postgres` database, so that reading them is not counted)."""

    def __init__(self, base: Path, *, log_statements: bool) -> None:
        pg_bin = find_pg_bin()
        if pg_bin is None:
            raise Failed("PostgreSQL's server programs were not found (apt-get install postgresql)")
        self.server = PostgresServer(base, pg_bin)
        self.server.init()
        self.log_statements = log_statements
        with open(self.server.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            # Every statement a session runs, one line each, with its database and program.
            conf.write(f"log_statement = '{'all' if log_statements else 'none'}'\n")
            conf.write("log_line_prefix = '%m [%p] db=%d app=%a '\n")
        self.server.start()
        self.server.create_database(DATABASE)
        self.url = self.server.url(DATABASE)
        self.stats = self.server.connect("postgres")
        self.max_connections = int(self.one("SHOW max_connections"))
        self.log_from = 0

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.stats.execute(sql, params).fetchone()
        assert row is not None
        return row[0]

    def fresh(self) -> None:
        """An empty benchmark database; statements are counted from here on."""
        self.server.drop_database(DATABASE)
        self.server.create_database(DATABASE)
        self.log_from = self.server.log.stat().st_size

    def counters(self) -> tuple[int, int]:
        """(transactions, sessions) of the benchmark database so far."""
        row = self.stats.execute(
            "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = %s",
            (DATABASE,),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def humaspost_connections(self) -> int:
        return int(
            self.one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'humaspost'"
                " AND datname = %s",
                (DATABASE,),
            )
        )

    def statements(self) -> tuple[int, list[tuple[int, str]]]:
        """Statements humaspost ran in the benchmark database since `fresh` (the server
        log's lines), and the most run (by their first words)."""
        with open(self.server.log, "rb") as log:
            log.seek(self.log_from)
            text = log.read().decode("utf-8", errors="replace")
        counts: Counter[str] = Counter()
        for found in STATEMENT.finditer(text):
            counts[" ".join(found["sql"].split())[:100]] += 1
        return sum(counts.values()), [(n, sql) for sql, n in counts.most_common(14)]

    def close(self) -> None:
        self.stats.close()
        self.server.stop()


def run_scenario(
    name: str, base: Path, office: Office, database: Database | None, args: argparse.Namespace
) -> Figures:
    """Start the daemons, wait until everything is out, stop them, measure."""
    hostnames: list[str | None] = ["humas-1", "humas-2"] if name == "pg2" else [None]
    url = database.url if database else None
    made = servers(office, base / name, hostnames, url)
    roots = [server.root for server in made]
    total_parts = office.deliveries
    before = (0, 0)
    if database:
        database.fresh()
        before = database.counters()
    now = DUE - timedelta(seconds=args.lead)
    spawned = time.monotonic()
    daemons = [server.daemon(now, "--workers", str(args.workers)) for server in made]
    peak = 0
    cpu: list[float] = []
    try:
        for daemon in daemons:
            daemon.wait_for("started", timeout=120)
        # Generous: every send one after the other on each daemon's workers, three times.
        calls = office.deliveries * _seconds(args.delay)
        limit = args.lead + 3 * calls / (args.workers * len(daemons)) + 60
        while (sent := count_parts(roots)) < total_parts:
            for daemon in daemons:
                if daemon.process.poll() is not None:
                    raise Failed(
                        f"a daemon exited {daemon.process.returncode}: {daemon.text()[-2000:]}"
                    )
            if time.monotonic() - spawned > limit:
                raise Failed(f"only {sent} of {total_parts} parts out after {limit:.0f} s")
            if database:
                peak = max(peak, database.humaspost_connections())
            time.sleep(0.2)
        wall = time.monotonic() - spawned
        cpu = [cpu_seconds(daemon.process.pid) for daemon in daemons]
        for daemon in daemons:
            code = daemon.terminate(timeout=60)
            if code != 0:
                raise Failed(f"a daemon exited {code} after SIGTERM: {daemon.text()[-2000:]}")
    finally:
        for daemon in daemons:
            daemon.stop_quietly()
    figures = Figures(name, len(daemons), office.deliveries, wall, 0.0, [], cpu)
    if database:
        time.sleep(1.5)  # the server's statistics are flushed within a second
        after = database.counters()
        figures.transactions, figures.sessions = (a - b for a, b in zip(after, before, strict=True))
        if database.log_statements:
            figures.statements, figures.top = database.statements()
        figures.peak_connections = peak
    rows = made[0].log()
    problems = check(office, outbox(roots), rows)
    if problems:
        raise Failed(f"{len(problems)} problems, e.g. {problems[:5]}")
    late = [
        (
            datetime.fromisoformat(row["sent_at"]) - datetime.fromisoformat(row["due_at"])
        ).total_seconds()
        for row in rows
    ]
    figures.late = late
    figures.drain = max(late)
    _logs_are_clean(daemons)
    return figures


def _logs_are_clean(daemons: list[Daemon]) -> None:
    for daemon in daemons:
        text = daemon.text()
        if "Traceback" in text or '"level": "error"' in text:
            raise Failed(f"the daemon's log has errors: {text[-2000:]}")


def _seconds(delay: str) -> float:
    if delay.endswith("ms"):
        return float(delay[:-2]) / 1000
    if delay.endswith("s"):
        return float(delay[:-1])
    raise ValueError(delay)


def print_figures(all_figures: list[Figures], database: Database | None) -> None:
    print(
        "\n| scenario | daemons | deliveries | spawn -> all out | drain (due -> last sent) |"
        " lateness min / p50 / p99 | CPU |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for f in all_figures:
        late = (
            f"{min(f.late):.2f} / {percentile(f.late, 0.5):.2f} / {percentile(f.late, 0.99):.2f} s"
        )
        cpu = " + ".join(f"{c:.1f}" for c in f.cpu)
        print(
            f"| {f.name} | {f.daemons} | {f.deliveries} | {f.wall:.1f} s | {f.drain:.1f} s | "
            f"{late} | {cpu} s |"
        )
    on_pg = [f for f in all_figures if f.transactions is not None]
    if not on_pg:
        return
    limit = database.max_connections if database else "?"
    print("\n| scenario | statements / delivery | transactions / delivery | connections |", end="")
    print(" peak at once |")
    print("| --- | --- | --- | --- | --- |")
    for f in on_pg:
        assert f.transactions is not None
        statements = "-" if f.statements is None else f"{f.statements / f.deliveries:.1f}"
        print(
            f"| {f.name} | {statements} | {f.transactions / f.deliveries:.1f} "
            f"| {f.sessions} | {f.peak_connections} of max_connections {limit} |"
        )
    for f in on_pg:
        if f.top:
            print(f"\n{f.name}: the most run statements (calls per delivery)")
        for calls, query in f.top:
            print(f"  {calls / f.deliveries:6.2f}  {query[:110]}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"of {','.join(SCENARIOS)}")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=2, help="posts to every account (default 2)")
    parser.add_argument("--delay", default="200ms", help="each sandbox call (default 200ms)")
    parser.add_argument("--workers", type=int, default=8, help="daemon --workers (default 8)")
    parser.add_argument("--lead", type=int, default=8, help="seconds from --now to the due time")
    parser.add_argument("--lease", default="2m", help="the config's lease (default 2m)")
    parser.add_argument(
        "--dir", type=Path, help="work here (must not exist) instead of a temp folder"
    )
    parser.add_argument(
        "--no-statement-log",
        action="store_true",
        help="do not log (and count) every statement: the server's own cost out of the times",
    )
    parser.add_argument("--keep", action="store_true", help="keep the repositories")
    args = parser.parse_args(argv)
    chosen = args.only.split(",")
    if not set(chosen) <= set(SCENARIOS):
        parser.error(f"--only: choose from {', '.join(SCENARIOS)}")
    if args.dir is not None and args.dir.exists():
        parser.error(f"--dir {args.dir} exists; give a new folder")
    base = args.dir.resolve() if args.dir else Path(tempfile.mkdtemp(prefix="humaspost-ha-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"Python {sys.version.split()[0]}; CPU: {cpu_summary()}; work folder {base}")
    print(
        f"{args.accounts} accounts x {args.posts} posts due {DUE:%H:%M} WIB, sandbox calls of "
        f"{args.delay}, --workers {args.workers}, lease {args.lease}"
    )
    due = tuple(DUE for _ in range(args.posts))
    database: Database | None = None
    results: list[Figures] = []
    try:
        if any(name.startswith("pg") for name in chosen):
            database = Database(base / "postgres", log_statements=not args.no_statement_log)
            print(f"PostgreSQL on 127.0.0.1:{database.server.port}, max_connections "
                  f"{database.max_connections}")  # fmt: skip
        for name in chosen:
            office = Office(
                accounts=args.accounts,
                due=due,
                delays=(args.delay,),
                lease=args.lease,
                shared=name != "sqlite",
            )
            print(f"\n{name}: running ...", flush=True)
            figures = run_scenario(name, base, office, database if name != "sqlite" else None, args)
            results.append(figures)
            print(f"  every delivery once; wall {figures.wall:.1f} s, drain {figures.drain:.1f} s")
    except Failed as error:
        print(f"\nFAILED: {error}")
        return 2
    finally:
        if database is not None:
            database.close()
        if args.keep or args.dir:
            print(f"(the repositories are in {base})")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print_figures(results, database)
    floor = args.accounts * args.posts * _seconds(args.delay) / args.workers
    print(f"\nfloor per daemon: {args.accounts * args.posts} x {args.delay} / {args.workers} "
          f"workers = {floor:.1f} s (half of it with two daemons)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
