"""Every case of the public YAML test suite, as a `.yaml` post and as `.md` front matter:
`check --format json` ends with exit 0 or 1, prints valid JSON, and places every problem
inside the file (a line and column an editor shows), never an internal error.

The suite lives beside the project (`../shared/yaml-test-suite`, see its README); without
it this module is skipped. For speed all cases go into one repository and `check` runs on
a few batches of files; a batch that crashes, hangs or prints no JSON is split in halves
until the culprit files are named, so each failure below names its case.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import HUMASPOST, Repo

PROJECT = Path(__file__).resolve().parents[1]
SUITE = PROJECT.parent / "shared" / "yaml-test-suite"
NOW = "2026-11-28 09:00"
BATCHES = 4  # check runs; each well above check's 400-file threshold for worker processes
RUN_TIMEOUT = 60.0  # seconds for one `check` run (a hang is a failure too)

if not (SUITE / "README.md").is_file():
    pytest.skip(f"the YAML test suite is not at {SUITE}", allow_module_level=True)


def suite_cases() -> list[tuple[str, Path]]:
    """(case id such as 'ZWK4' or '2G84/01', its in.yaml), sorted by id."""
    found = sorted(SUITE.glob("*/in.yaml")) + sorted(SUITE.glob("*/*/in.yaml"))
    cases = [(path.parent.relative_to(SUITE).as_posix(), path) for path in found]
    return sorted(cases)


CASES = suite_cases()
KINDS = ("yaml", "md")


def post_bytes(kind: str, content: bytes) -> bytes:
    """The post file of a case: the input itself, or the front matter of a Markdown post."""
    return content if kind == "yaml" else b"---\n" + content + b"\n---\nteks\n"


def shown_name(case: str, kind: str) -> str:
    """The file of a case as `check` names it (relative to the repository root)."""
    return f"posts/{case.split('/')[0][0].lower()}/{case.replace('/', '-')}.{kind}"


def placement_faults(problem: dict[str, object], data: bytes) -> list[str]:
    """What is wrong with where a problem points: it must be a line and column an editor
    shows (lines split on LF only, 1-based; columns in characters, at most one past the
    end of the line)."""
    line, column = problem.get("line"), problem.get("column")
    what = f"{problem.get('code')} {problem.get('message')!r} at {line}:{column}"
    if not isinstance(line, int) or not isinstance(column, int):
        return [f"unlocated: {what}"]
    lines = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff").split("\n")
    if not 1 <= line <= len(lines):
        return [f"misplaced: {what}: the file has {len(lines)} lines"]
    if not 1 <= column <= len(lines[line - 1]) + 1:
        return [f"misplaced: {what}: line {line} has {len(lines[line - 1])} characters"]
    return []


def crash_origin(stderr: str) -> str:
    """Where an internal error was raised, from the crash report `check` names."""
    found = re.search(r"details in (\S+?)\.? Please report", stderr)
    if not found:
        return ""
    try:
        report = Path(found.group(1)).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    frames = re.findall(r'^\s*File "([^"]+)", line (\d+), in (\S+)', report, re.MULTILINE)
    last = report.strip().splitlines()[-1] if report.strip() else ""
    if not frames:
        return f"\n  {last}"
    file, line, function = frames[-1]
    return f"\n  raised at {Path(file).name}:{line} in {function}: {last}"


class SuiteRun:
    """All cases written into one repository, checked in batches; faults by file."""

    def __init__(self, root: Path) -> None:
        self.repo = Repo(root)
        self.data: dict[str, bytes] = {}
        for case, path in CASES:
            content = path.read_bytes()
            for kind in KINDS:
                shown = shown_name(case, kind)
                target = self.repo.root / shown
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(post_bytes(kind, content))
                self.data[shown] = target.read_bytes()

    def faults(self) -> dict[str, list[str]]:
        """Every file's faults (an empty list for a file that passed)."""
        files = sorted(self.data)
        size = -(-len(files) // BATCHES)
        batches = [files[i : i + size] for i in range(0, len(files), size)]
        found: dict[str, list[str]] = {name: [] for name in files}
        with ThreadPoolExecutor(2) as pool:
            for faults in pool.map(self.batch_faults, batches):
                for name, messages in faults.items():
                    found[name].extend(messages)
        return found

    def batch_faults(self, files: Sequence[str]) -> dict[str, list[str]]:
        """Run check on `files`; if the run itself fails, narrow it down by halves."""
        run_fault, problems = self.run(files)
        if run_fault is None:
            return self.problem_faults(files, problems)
        if len(files) == 1:
            return {files[0]: [run_fault]}
        half = len(files) // 2
        found = {**self.batch_faults(files[:half]), **self.batch_faults(files[half:])}
        if not any(found.values()):  # only the files together fail (checks across posts)
            return {
                name: [f"{run_fault} (only with {len(files)} files together)"] for name in files
            }
        return found

    def problem_faults(
        self, files: Sequence[str], problems: list[dict[str, object]]
    ) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {name: [] for name in files}
        for problem in problems:
            file = problem.get("file")
            if not isinstance(file, str) or file not in found:
                for name in files:
                    found[name].append(f"problem outside the files checked: {problem}")
                continue
            found[file].extend(placement_faults(problem, self.data[file]))
            if "internal error" in str(problem.get("message")).lower():
                found[file].append(f"internal error reported as a problem: {problem}")
        return found

    def run(self, files: Sequence[str]) -> tuple[str | None, list[dict[str, object]]]:
        """(what went wrong with the run or None, its problems)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
        env.update({"NO_COLOR": "1", "COLUMNS": "120"})
        command = [str(HUMASPOST), "check", "--format", "json", "--now", NOW, *files]
        try:
            done = subprocess.run(
                command,
                cwd=self.repo.root,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=RUN_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"hang: check did not end within {RUN_TIMEOUT:.0f} s", []
        stderr = done.stderr.decode("utf-8", "replace").strip()
        if done.returncode not in (0, 1):
            return f"exit {done.returncode}: {stderr[-400:]}{crash_origin(stderr)}", []
        if "Traceback" in stderr or "internal error" in stderr:
            return f"exit {done.returncode} but stderr says: {stderr[-400:]}", []
        try:
            report = json.loads(done.stdout.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return f"invalid JSON ({exc}): {done.stdout[:200]!r}", []
        if not isinstance(report, dict) or not isinstance(report.get("problems"), list):
            return f"JSON without a list of problems: {str(report)[:200]}", []
        if report.get("files") != len(files):
            return f"JSON says {report.get('files')} files, {len(files)} were given", []
        return None, report["problems"]


@pytest.fixture(scope="module")
def suite_faults(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> dict[str, list[str]]:
    """The faults of every file, computed once per test session (shared between xdist
    workers through a file in the session's temporary folder)."""
    if worker_id == "master":
        return SuiteRun(tmp_path_factory.mktemp("suite") / "repo").faults()
    shared = tmp_path_factory.getbasetemp().parent / "yaml-test-suite-faults.json"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.is_file():
            loaded: dict[str, list[str]] = json.loads(shared.read_text(encoding="utf-8"))
            return loaded
        faults = SuiteRun(tmp_path_factory.mktemp("suite") / "repo").faults()
        shared.write_text(json.dumps(faults), encoding="utf-8")
        return faults


def test_the_suite_is_complete() -> None:
    assert len(CASES) >= 400, f"{len(CASES)} cases in {SUITE}"


def case_params() -> Iterator[object]:
    for case, _ in CASES:
        for kind in KINDS:
            yield pytest.param(case, kind, id=f"{case}-{kind}")


@pytest.mark.parametrize(("case", "kind"), list(case_params()))
def test_case_checks_cleanly(case: str, kind: str, suite_faults: dict[str, list[str]]) -> None:
    shown = shown_name(case, kind)
    faults = suite_faults[shown]
    title = (SUITE / case / "===").read_text(encoding="utf-8").strip()
    assert not faults, f"YAML test suite case {case} ({title}) as {shown}:\n" + "\n".join(faults)
