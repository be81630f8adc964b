"""Helpers shared by the benchmark scripts in bench/.

The scripts run as `.venv/bin/python bench/<script>.py`, so Python puts this folder on
`sys.path` and they import these with a plain `from common import ...`.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

MARKER = ".humaspost-bench"  # left in a --dir work folder the scripts may empty again


def bench_env(*, no_color: bool = True) -> dict[str, str]:
    """The environment of every subprocess: no inherited config (and no colours), and
    bytecode written and used as an installed package's is (without it, every import of
    humaspost's own modules recompiles them, which the measurements would count)."""
    dropped = {"HUMASPOST_CONFIG", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if no_color:
        env["NO_COLOR"] = "1"
    return env


def run(
    command: Sequence[str], cwd: Path, *, no_color: bool = True
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a command (output captured); return its wall time and result."""
    env = bench_env(no_color=no_color)
    start = time.perf_counter()
    done = subprocess.run(
        list(command), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, done


def tail(text: str, lines: int, *, strip: bool = True) -> str:
    """The last `lines` lines of `text`, saying how many were left out above."""
    kept = (text.strip() if strip else text).splitlines()
    if len(kept) > lines:
        kept = [f"... ({len(kept) - lines} lines above)", *kept[-lines:]]
    return "\n".join(kept) or "(empty)"


def best_of(runs: Sequence[float]) -> float:
    """The fastest run (NaN when there is none)."""
    return min(runs) if runs else math.nan


def median_of(runs: Sequence[float]) -> float:
    """The median run (NaN when there is none)."""
    return statistics.median(runs) if runs else math.nan


def cpu_summary() -> str:
    """How many logical CPUs the machine has and this process may use."""
    total = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else total
    return f"{total} logical CPUs ({usable} usable by this process)"


def installed_humaspost(parser: argparse.ArgumentParser) -> str:
    """The `humaspost` script next to this interpreter (a parser error if missing)."""
    humaspost = str(Path(sys.executable).parent / "humaspost")
    if not Path(humaspost).exists():
        parser.error(f"{humaspost} not found: install humaspost in this interpreter's environment")
    return humaspost


def work_folder(
    parser: argparse.ArgumentParser, directory: Path | None, prefix: str, script: str
) -> tuple[Path, bool]:
    """A temporary folder, or `directory` emptied and marked; returns it and "temporary".

    A non-empty `directory` is only emptied when it has this scripts' MARKER.
    """
    if directory is None:
        return Path(tempfile.mkdtemp(prefix=prefix)), True
    root = directory.resolve()
    if root.exists() and any(root.iterdir()) and not (root / MARKER).exists():
        parser.error(f"{root} is not empty and was not made by this script")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / MARKER).write_text(f"{script}\n", encoding="utf-8")
    return root, False


ImportTime = tuple[int, int, int, str]  # cumulative us, self us, depth, module


def importtime_entries(stderr: str) -> list[ImportTime]:
    """The modules that `python -X importtime` reported on stderr."""
    entries: list[ImportTime] = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if match:
            depth = len(match.group(3)) // 2
            entries.append((int(match.group(2)), int(match.group(1)), depth, match.group(4)))
    return entries


def print_importtime(entries: Sequence[ImportTime], top: int) -> None:
    """The `top` slowest imports (by cumulative time, at any depth) as a table."""
    print(f"  {'cumul. s':>9} {'self s':>7}  module (indented by import depth)")
    for cumulative, own, depth, name in sorted(entries, reverse=True)[:top]:
        print(f"  {cumulative / 1e6:9.3f} {own / 1e6:7.3f}  {'  ' * depth}{name}")


# Source for the profiling scripts run with `python -c`: `short(path)` names a source file
# briefly; `table(...)` prints a pstats.Stats' `top` rows (`top` is a global of the script).
PROFILE_SHORT = r"""
def short(path):
    for marker in ("/site-packages/", "/humaspost/", "/lib/python3."):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return "humaspost/" + tail if marker == "/humaspost/" else tail.split("/", 1)[-1]
    return os.path.basename(path)
"""

PROFILE_TABLE = r"""
def table(stats, title, key, only=None, skip=()):
    rows = []
    for (file, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
        if only and only not in file:
            continue
        label = f"{short(file)}:{line}({name})" if file != "~" else name
        if any(s in label for s in skip):
            continue
        calls = str(nc) if nc == cc else f"{nc}/{cc}"
        rows.append(((tt if key == "tottime" else ct), calls, tt, ct, label))
    rows.sort(key=lambda row: row[0], reverse=True)
    print(f"--- {title} ---")
    print(f"{'ncalls':>10} {'tottime':>8} {'cumtime':>8}  function")
    for _, calls, tt, ct, label in rows[:top]:
        print(f"{calls:>10} {tt:8.3f} {ct:8.3f}  {label}")
    print()
"""


class BenchUnavailable(Exception):
    """Something a benchmark needs is not on this machine (PostgreSQL's programs)."""


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A PostgreSQL server of the benchmark's own, in a temporary folder, with an empty
    database `name`: its URL. Stopped and removed after."""
    from tests.postgres_server import PostgresServer, find_pg_bin

    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise BenchUnavailable(
            "PostgreSQL's server programs were not found (apt-get install postgresql)"
        )
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="humaspost-pg-")), pg_bin)
    try:
        server.start()
        server.create_database(name)
        yield server.url(name)
    finally:
        server.stop()
        shutil.rmtree(server.base, ignore_errors=True)


@dataclass(frozen=True)
class ChildRun:
    """A command run to its end: wall and CPU seconds, peak RSS in MiB, exit code, output."""

    wall: float
    cpu: float
    peak_mib: int
    code: int
    stdout: str
    stderr: str


def run_measured(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> ChildRun:
    """Run `command` and measure it, its output captured in files."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=out, stderr=err, text=True
        )
        # wait4, not wait: the child's own resource usage, its peak memory included.
        _, status, usage = os.wait4(process.pid, 0)
        took = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return ChildRun(
            took,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss // 1024,
            os.waitstatus_to_exitcode(status),
            out.read(),
            err.read(),
        )
