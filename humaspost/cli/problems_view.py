"""Problems shown like a good compiler's: file:line:col, the line itself, a caret, a hint."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from humaspost.cli.output import Segment
from humaspost.problems import Problem, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}


class SourceLines:
    """Reads the lines of files named in problems, once per file."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cache: dict[str, list[str] | None] = {}

    def line(self, file: str, number: int) -> str | None:
        """Line `number` (1-based) of `file`, or None if unavailable."""
        if file not in self.cache:
            try:
                text = (self.base / file).read_text(encoding="utf-8-sig", errors="replace")
                self.cache[file] = text.splitlines()
            except OSError:
                self.cache[file] = None
        lines = self.cache[file]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def location(problem: Problem) -> str:
    """`file:line:col`, or as much of it as is known."""
    if problem.span is None:
        return problem.file
    return f"{problem.file}:{problem.span.line}:{problem.span.column}"


def problem_segments(problems: Iterable[Problem], source: SourceLines) -> Iterator[Segment]:
    """Problems as text, each with the offending line and a hint where there is one."""
    for problem in problems:
        style = _STYLE[problem.severity]
        yield location(problem), "bold"
        yield ": ", None
        yield f"{problem.severity}[{problem.code}]", style
        yield f" {problem.message}\n", None
        span = problem.span
        line = None
        if span is not None and not problem.secret:
            line = source.line(problem.file, span.line)
        if span is not None and line is not None:
            shown_line = line.replace("\t", "→")  # one column per tab, like the caret
            width = max(1, min(span.length, len(shown_line) - span.column + 1))
            yield f"{span.line:>5} | ", "dim"
            yield shown_line + "\n", None
            yield "      | ", "dim"
            yield " " * (span.column - 1) + "^" * width + "\n", style
        if problem.hint:
            yield "      = hint: ", "dim cyan"
            yield problem.hint + "\n", None


def problem_json(problem: Problem) -> dict[str, object]:
    """A problem as it appears in JSON output."""
    data: dict[str, object] = {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "severity": str(problem.severity),
        "code": problem.code,
        "message": problem.message,
    }
    if problem.hint:
        data["hint"] = problem.hint
    return data


def _escape_property(value: str) -> str:
    return (
        value.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_line(problem: Problem) -> str:
    """A GitHub Actions workflow command that annotates the problem in a pull request."""
    props = [f"file={_escape_property(problem.file)}"]
    if problem.span is not None:
        props += [f"line={problem.span.line}", f"col={problem.span.column}"]
    props.append(f"title={problem.code}")
    message = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    return f"::{problem.severity} {','.join(props)}::{_escape_data(message)}"


def print_json(stream: TextIO, data: object) -> None:
    """Stable, UTF-8 JSON: indented for a person at a terminal, compact for programs
    (indenting makes the json module fall back to its slow pure-Python encoder)."""
    indent = 2 if stream.isatty() else None
    stream.write(json.dumps(data, ensure_ascii=False, indent=indent) + "\n")
