"""Fuzz `humaspost check`'s core with many generated post files and configs.

    .venv/bin/python bench/fuzz_check.py                     # 100,000 cases, seed 0
    .venv/bin/python bench/fuzz_check.py --count 10000 --seed 7 --workers 2
    .venv/bin/python bench/fuzz_check.py --only post-yaml,suite --show 3

Each case is a file, made reproducibly from (seed, case number): a valid post or config
with one to three mutations (byte flips, truncation, inserted tabs/NUL/BOM/CRLF/U+2028,
huge numbers, deep nesting, long lines, duplicated keys, swapped types, known-bad
values), arbitrary text or bytes, or a YAML test suite case (`../shared/yaml-test-suite`,
when present) as a `.yaml` post or `.md` front matter, maybe mutated. Posts are checked
with `humaspost.checks.run_check`, configs loaded with `humaspost.config.load_config`
(its ConfigError is a result, not a failure) and, when they load, used to check a post.

Cases run in worker processes, each with its own repository; an alarm inside the worker
and a watchdog in this process (which kills and replaces a worker that stops answering)
turn hangs into results. Outcomes:

| outcome | meaning |
| --- | --- |
| ok | no problems |
| problems | only problems, each on a line and column the file has |
| internal | an exception escaped (a bug) |
| hang | the case ran longer than --timeout |
| unlocated | a problem without a line and column |
| misplaced | a problem on a line or column the file does not have (lines split on LF) |

Failures are grouped into classes (exception type and the humaspost function it came
from; or the problem code and what is wrong with its place) with the smallest input seen.
Exit code 0 only if there are no internal errors, hangs, unlocated or misplaced problems.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import multiprocessing
import os
import random
import re
import signal
import sys
import tempfile
import textwrap
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import ForkProcess
from pathlib import Path
from types import FrameType

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from humaspost.checks import run_check  # noqa: E402
from humaspost.config import load_config  # noqa: E402
from humaspost.problems import ConfigError, Problem  # noqa: E402
from tests.conftest import PNG_BYTES  # noqa: E402
from tests.test_fuzz_posts import (  # noqa: E402
    INSERTS,
    NASTY_BLOCKS,
    NASTY_VALUES,
    NOW,
    VALID_CONFIGS,
    VALID_POSTS,
    placement_faults,
)

SUITE = PROJECT.parent / "shared" / "yaml-test-suite"
KINDS = {  # kind of case: weight
    "post-yaml": 30,
    "post-md": 30,
    "config": 10,
    "text": 8,
    "bytes": 4,
    "suite": 18,
}
FAILURES = ("internal", "hang", "unlocated", "misplaced")
OUTCOMES = ("ok", "problems", *FAILURES)
CHUNK = 250  # cases handed to a worker at a time


# --- Making cases -----------------------------------------------------------------------

CHAR_POOL = [*":-?[]{},#&*!|>'\"%@` \n\n\n\t\r", *INSERTS[:13], "a", "é", "9", "0x", "~"]


def _suite_inputs() -> list[bytes]:
    if not SUITE.is_dir():
        return []
    paths = sorted(SUITE.glob("*/in.yaml")) + sorted(SUITE.glob("*/*/in.yaml"))
    return [path.read_bytes() for path in sorted(paths)]


SUITE_INPUTS = _suite_inputs()


def _add(text: str, line: str) -> str:
    """Add a line at the end of the YAML (of the front matter, for a .md post)."""
    if text.startswith("---\n") and "\n---\n" in text[3:]:
        end = text.index("\n---\n", 3) + 1
        return text[:end] + line + text[end:]
    return text.rstrip("\n") + "\n" + line


def _replace_value(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ":" in line] or [0]
    i = rng.choice(keyed)
    key = lines[i].split(":", 1)[0] if ":" in lines[i] else "notes"
    lines[i] = f"{key}: {rng.choice(NASTY_VALUES)}"
    return "\n".join(lines)


def _swap_values(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    keyed = [i for i, line in enumerate(lines) if ": " in line and line.strip()[0] != "#"]
    if len(keyed) < 2:
        return text
    i, j = rng.sample(keyed, 2)
    (ki, vi), (kj, vj) = lines[i].split(": ", 1), lines[j].split(": ", 1)
    lines[i], lines[j] = f"{ki}: {vj}", f"{kj}: {vi}"
    return "\n".join(lines)


def _duplicate_line(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return "\n".join(lines)


def _nest(rng: random.Random, text: str) -> str:
    depth = rng.choice([10, 100, 1000, 5000])
    value = rng.choice(
        [
            "[" * depth + "]" * depth,
            "{a: " * depth + "1" + "}" * depth,
            "\n" + "".join("  " * n + "- \n" for n in range(min(depth, 200))),
        ]
    )
    return _add(text, f"notes: {value}\n")


def _insert(rng: random.Random, text: str) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + rng.choice(INSERTS) + text[at:]


TEXT_MUTATIONS: list[Callable[[random.Random, str], str]] = [
    _insert,
    _insert,
    lambda rng, text: text[: rng.randint(0, len(text))],
    _replace_value,
    _replace_value,
    _swap_values,
    lambda rng, text: _add(text, rng.choice(NASTY_BLOCKS)),
    lambda rng, text: _add(text, f"notes: {rng.choice(NASTY_VALUES)}\n"),
    _duplicate_line,
    _nest,
    lambda rng, text: _add(
        text, "notes: " + rng.choice("xé😀9") * rng.choice([1000, 10000, 100000]) + "\n"
    ),
    lambda rng, text: text.replace("\n", rng.choice(["\r\n", "\r", "\u2028", "\x85"])),
    lambda rng, text: text.rstrip("\n"),
]


def _mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    choice = rng.randrange(3)
    at = rng.randint(0, max(0, len(data) - 1))
    if choice == 0 and data:
        return data[:at] + bytes([data[at] ^ rng.randint(1, 255)]) + data[at + 1 :]
    if choice == 1:
        raw = rng.choice([b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\x00", b"\xed\xa0\x80"])
        return data[:at] + raw + data[at:]
    return data[: rng.randint(0, len(data))]


def _mutated(rng: random.Random, text: str) -> bytes:
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(TEXT_MUTATIONS)(rng, text)
    data = text.encode("utf-8", "surrogatepass")
    return _mutate_bytes(rng, data) if rng.randrange(6) == 0 else data


@dataclass(frozen=True)
class Case:
    """One generated input: what it is (`post-yaml`, ...), the file suffix, its bytes."""

    kind: str
    suffix: str  # "yaml", "md", or "config"
    data: bytes


def make_case(seed: int, number: int) -> Case:
    """Case `number` of the run with `seed`: the same every time."""
    rng = random.Random(seed * 1_000_003 + number)
    kinds = [k for k in KINDS if k != "suite" or SUITE_INPUTS]
    kind = rng.choices(kinds, [KINDS[k] for k in kinds])[0]
    if kind in ("post-yaml", "post-md"):
        suffix = kind.removeprefix("post-")
        seed_text = textwrap.dedent(rng.choice(VALID_POSTS[suffix]))
        return Case(kind, suffix, _mutated(rng, seed_text))
    if kind == "config":
        return Case(kind, "config", _mutated(rng, rng.choice(VALID_CONFIGS)))
    suffix = rng.choice(["yaml", "md"])
    if kind == "text":
        text = "".join(rng.choice(CHAR_POOL) for _ in range(rng.randint(0, 200)))
        data = text.encode("utf-8", "surrogatepass")
        return Case(kind, suffix, data if suffix == "yaml" else b"---\n" + data + b"\n---\nx\n")
    if kind == "bytes":
        return Case(kind, suffix, rng.randbytes(rng.randint(0, 200)))
    content = rng.choice(SUITE_INPUTS)
    if rng.randrange(2):
        content = _mutated(rng, content.decode("utf-8", "surrogateescape"))
    data = content if suffix == "yaml" else b"---\n" + content + b"\n---\nteks\n"
    return Case(kind, suffix, data)


# --- Running cases (in a worker process) ------------------------------------------------


class _Hang(Exception):
    pass


@dataclass(frozen=True)
class Result:
    """A case's outcome, and for a failure its class and the reason."""

    number: int
    outcome: str
    failure: str | None = None
    detail: str | None = None
    kind: str = ""
    size: int = 0


class Runner:
    """A repository of its own, where each case's file is written and checked."""

    def __init__(self, root: Path, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        (root / "posts").mkdir(parents=True)
        (root / "media").mkdir()
        (root / "media" / "logo.png").write_bytes(PNG_BYTES)
        self.config_path = root / "humaspost.yaml"
        self.config_path.write_text(VALID_CONFIGS[0], encoding="utf-8")
        self.config = load_config(self.config_path, "humaspost.yaml")
        self.sample_post = textwrap.dedent(VALID_POSTS["yaml"][1]).encode()

    def run(self, number: int, case: Case) -> Result:
        fired = False

        def alarm(signum: int, frame: FrameType | None) -> None:
            nonlocal fired
            fired = True
            raise _Hang

        signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        try:
            problems = self.check(case)
        except _Hang:
            return Result(number, "hang", "hang (interrupted by the alarm)")
        except Exception as error:
            return Result(number, "internal", _exception_class(error), f"{error}"[:300])
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if fired:  # the alarm was caught inside and turned into something else
            return Result(number, "hang", "hang (interrupted by the alarm)")
        for shown, data, problem in problems:
            if case.suffix == "config" and problem.code == "HP010":
                continue  # the mutated config moved posts_dir away from the sample post
            if "internal error" in problem.message.lower():
                return Result(number, "internal", f"internal-error problem {problem.code}")
            faults = placement_faults(problem, data)
            if problem.file != shown:
                faults = [f"misplaced: names {problem.file}"]
            if faults:
                outcome = faults[0].split(":", 1)[0]
                cause = _misplaced_cause(problem, data) if outcome == "misplaced" else problem.code
                return Result(number, outcome, f"{outcome}: {cause}", faults[0])
        return Result(number, "problems" if problems else "ok")

    def check(self, case: Case) -> list[tuple[str, bytes, Problem]]:
        """(file, its bytes, problem) for every problem of the case."""
        config = self.config
        data, suffix = case.data, case.suffix
        if case.suffix == "config":
            self.config_path.write_bytes(case.data)
            try:
                config = load_config(self.config_path, "humaspost.yaml")
            except ConfigError as error:
                return [("humaspost.yaml", case.data, p) for p in error.problems]
            data, suffix = self.sample_post, "yaml"
        shown = f"posts/case.{suffix}"
        path = self.root / shown
        path.write_bytes(data)
        report = run_check(config, [(path, shown)], NOW, workers=1)
        return [(shown, data, problem) for problem in report.problems]


def _exception_class(error: BaseException) -> str:
    """`Type in file:function (message)`, from the innermost humaspost frame (else the
    last one); numbers and quoted values in the message are blanked, to group alike."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/humaspost/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].name}" if ours else "?"
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", str(error).split(": value has")[0])
    message = re.sub(r"\d+", "N", message)[:70]
    return f"{type(error).__name__} in {where} ({message})"


_OTHER_BREAKS = {"\r": "CR", "\x85": "U+0085", "\u2028": "U+2028", "\u2029": "U+2029"}


def _misplaced_cause(problem: Problem, data: bytes) -> str:
    """Why a problem points past the file or the line, as far as the file tells."""
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    lines = text.split("\n")
    line, column = problem.line or 0, problem.column or 0
    yaml_lines = re.split("\r\n|[\r\n\x85\u2028\u2029]", text)
    breaks = [name for char, name in _OTHER_BREAKS.items() if char in text.replace("\r\n", "")]
    at_end = line == len(yaml_lines) + 1 and column == 1  # and no final newline
    inside = 1 <= line <= len(yaml_lines) and column <= len(yaml_lines[line - 1]) + 1
    if breaks and (at_end or inside):
        return f"{'/'.join(breaks)} counted as a line break"
    if line == len(lines) + 1 and not text.endswith("\n"):
        return "line N+1 at the end of a file without a final newline"
    if line > len(lines):
        return f"past the last line ({problem.code})"
    return f"column past the end of the line ({problem.code})"


def _worker(conn: Connection, seed: int, timeout: float) -> None:
    """Run the chunks of case numbers this process is sent; answer case by case."""
    with tempfile.TemporaryDirectory(prefix="humaspost-fuzz-") as folder:
        runner = Runner(Path(folder) / "repo", timeout)
        while True:
            chunk: list[int] | None = conn.recv()
            if chunk is None:
                return
            for number in chunk:
                case = make_case(seed, number)
                result = runner.run(number, case)
                conn.send(dataclasses.replace(result, kind=case.kind, size=len(case.data)))


# --- Driving the workers (in this process) ----------------------------------------------


class Worker:
    """A worker process with a watchdog: one that stops answering is killed."""

    def __init__(self, seed: int, timeout: float) -> None:
        self.seed, self.timeout = seed, timeout
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process: ForkProcess = context.Process(
            target=_worker, args=(child, seed, timeout), daemon=True
        )
        self.process.start()
        child.close()
        self.pending: list[int] = []  # case numbers sent, not yet answered

    def give(self, numbers: list[int]) -> None:
        self.conn.send(numbers)
        self.pending = list(numbers)

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.conn.send(None)
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()


def run_all(
    count: int, seed: int, workers: int, timeout: float, only: set[str] | None
) -> tuple[Counter[str], Counter[str], dict[str, tuple[int, str | None, int]], Counter[str]]:
    """Run cases 0..count-1; returns outcome counts, failure class counts, each class's
    smallest case (number, detail) and the counts by kind of case."""
    numbers = [n for n in range(count) if only is None or make_case(seed, n).kind in only]
    chunks = [numbers[i : i + CHUNK] for i in range(0, len(numbers), CHUNK)]
    outcomes: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    smallest: dict[str, tuple[int, str | None, int]] = {}
    pool = [Worker(seed, timeout) for _ in range(max(1, workers))]
    todo = list(reversed(chunks))
    done_cases = 0
    started = time.perf_counter()

    def record(result: Result) -> None:
        nonlocal done_cases
        done_cases += 1
        outcomes[result.outcome] += 1
        by_kind[result.kind or make_case(seed, result.number).kind] += 1
        if result.failure is not None:
            classes[result.failure] += 1
            size = result.size or len(make_case(seed, result.number).data)
            best = smallest.get(result.failure)
            if best is None or size < best[2]:
                smallest[result.failure] = (result.number, result.detail, size)

    for worker in pool:
        if todo:
            worker.give(todo.pop())
    while any(w.pending for w in pool):
        for i, worker in enumerate(pool):
            if not worker.pending:
                continue
            # The watchdog: the alarm inside should answer first; this catches hangs in C.
            if not worker.conn.poll(timeout * 2 + 5):
                hung = worker.pending[0]
                worker.process.kill()
                worker.process.join()
                record(Result(hung, "hang", "hang (worker killed by the watchdog)"))
                rest = worker.pending[1:]
                pool[i] = worker = Worker(seed, timeout)
                if rest:
                    worker.give(rest)
                continue
            try:
                result: Result = worker.conn.recv()
            except EOFError:  # the worker died (memory, a crash in C)
                dead = worker.pending[0]
                record(Result(dead, "internal", f"worker died (exit {worker.process.exitcode})"))
                rest = worker.pending[1:]
                pool[i] = worker = Worker(seed, timeout)
                if rest:
                    worker.give(rest)
                continue
            worker.pending.remove(result.number)
            record(result)
            if not worker.pending and todo:
                worker.give(todo.pop())
            if done_cases and done_cases % 10_000 == 0:
                rate = done_cases / (time.perf_counter() - started)
                print(f"  {done_cases:,} cases, {rate:,.0f}/s", file=sys.stderr, flush=True)
    for worker in pool:
        worker.stop()
    return outcomes, classes, smallest, by_kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="cases (default 100,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per case")
    parser.add_argument("--only", help=f"comma-separated kinds of case: {', '.join(KINDS)}")
    parser.add_argument("--show", type=int, default=300, help="bytes of each reproducer shown")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    print(
        f"fuzz_check: {args.count:,} cases, seed {args.seed}, {args.workers} workers, "
        f"timeout {args.timeout:g} s, YAML test suite: "
        f"{f'{len(SUITE_INPUTS)} cases' if SUITE_INPUTS else 'absent'}"
    )
    started = time.perf_counter()
    outcomes, classes, smallest, by_kind = run_all(
        args.count, args.seed, args.workers, args.timeout, only
    )
    elapsed = time.perf_counter() - started
    total = sum(outcomes.values())
    print(f"\n{total:,} cases in {elapsed:.1f} s ({total / elapsed:,.0f} cases/s)")
    print("by kind: " + ", ".join(f"{k} {by_kind[k]:,}" for k in KINDS if by_kind[k]))
    print("\n| outcome | cases |\n| --- | ---: |")
    for outcome in OUTCOMES:
        print(f"| {outcome} | {outcomes[outcome]:,} |")
    if classes:
        print("\nFailure classes (count, class, smallest case):")
        for failure, number in classes.most_common():
            case_number, detail, _ = smallest[failure]
            case = make_case(args.seed, case_number)
            shown = case.data[: args.show]
            more = f" ... ({len(case.data):,} bytes)" if len(case.data) > args.show else ""
            print(f"\n{number:7,}  {failure}")
            print(f"         case {case_number} ({case.kind}, as .{case.suffix}): {shown!r}{more}")
            if detail:
                print(f"         {detail[:300]}")
    failed = sum(outcomes[f] for f in FAILURES)
    verdict = "FAIL" if failed else "OK"
    print(f"\n{verdict}: {failed:,} internal errors, hangs, unlocated or misplaced problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
