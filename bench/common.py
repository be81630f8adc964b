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
from collections.abc import Sequence
from pathlib import Path

MARKER = ".humaspost-bench"  # left in a --dir work folder the scripts may empty again


def bench_env(*, no_color: bool = True) -> dict[str, str]:
    """The environment of every subprocess: no inherited config (and no colours)."""
    env = {k: v for k, v in os.environ.items() if k != "HUMASPOST_CONFIG"}
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
