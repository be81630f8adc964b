"""Problems shown like a good compiler's: file:line:col, the line itself, a caret, a hint."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from humaspost.cli.output import Segment
from humaspost.i18n import _, pgettext
from humaspost.problems import Problem, Severity
from humaspost.textfile import printable, source_lines

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}

# A quoted line may hold a secret written literally, even where the problem is not about
# it (a YAML syntax error on the line of `access_token: EAAG...`): the value of a key
# named like a secret (not a route's `keywords:`, words people route by), and any long
# run of letters and digits shaped like a token (not a URL's path or a slug), are
# masked, keeping their length so that the caret still points at the right column.
_SECRET_VALUE = re.compile(
    r"""^(\s*(?:-\s+)?["']?[\w.-]*(?:token|secret|password|passwd|key(?!words?\b)|credential)"""
    r"""[\w.-]*["']?\s*:[ \t]*)(?!\$\{)(\S.*)$""",
    re.IGNORECASE,
)
_TOKEN_SHAPED = re.compile(
    r"(?<![\w/.-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])(?=[\w-]*[A-Za-z0-9]{16})[\w-]{24,}"
)


# Invisible characters in a quoted line are shown as control pictures (one column each,
# like the caret): a raw BEL or U+2028 would ring, or break the line on a terminal.
_VISIBLE = {code: 0x2400 + code for code in range(32) if code != 9} | {
    0x7F: 0x2421,
    **{code: 0xFFFD for code in (*range(0x80, 0xA0), 0x2028, 0x2029)},
}


def _masked(line: str) -> str:
    line = _SECRET_VALUE.sub(lambda m: m[1] + "*" * len(m[2]), line)
    return _TOKEN_SHAPED.sub(lambda m: "*" * len(m[0]), line)


class SourceLines:
    """Reads the lines of files named in problems, once per file.

    Files are read like post files (`textfile.source_lines`): a link, a FIFO or a huge
    file is never quoted, and lines are counted as problems count them.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.cache: dict[str, list[str] | None] = {}

    def line(self, file: str, number: int) -> str | None:
        """Line `number` (1-based) of `file`, secrets masked, or None if unavailable."""
        if file not in self.cache:
            self.cache[file] = source_lines(self.base / file)
        lines = self.cache[file]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return _masked(lines[number - 1]).translate(_VISIBLE)


def location(problem: Problem) -> str:
    """`file:line:col`, or as much of it as is known."""
    if problem.span is None:
        return problem.file
    return f"{problem.file}:{problem.span.line}:{problem.span.column}"


def severity_label(severity: Severity) -> str:
    """`error` or `warning` as a person reads it, in the language in use (JSON and the
    GitHub annotations keep the English value)."""
    if severity is Severity.ERROR:
        return pgettext("severity", "error")
    return pgettext("severity", "warning")


def problem_segments(problems: Iterable[Problem], source: SourceLines) -> Iterator[Segment]:
    """Problems as text, each with the offending line and a hint where there is one."""
    for problem in problems:
        style = _STYLE[problem.severity]
        yield printable(location(problem)), "bold"
        yield ": ", None
        yield f"{severity_label(problem.severity)}[{problem.code}]", style
        yield f" {printable(problem.message)}\n", None
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
            yield "      = " + pgettext("problem", "hint") + ": ", "dim cyan"
            yield printable(problem.hint) + "\n", None


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
    message = problem.message
    if problem.hint:
        # The annotation a person reads in the pull request; its severity stays English.
        message = _("{message} (hint: {hint})").format(message=message, hint=problem.hint)
    line = f"::{problem.severity} {','.join(props)}::{_escape_data(message)}"
    return printable(line)


def print_json(stream: TextIO, data: object) -> None:
    """Stable, UTF-8 JSON: indented for a person at a terminal, compact for programs
    (indenting makes the json module fall back to its slow pure-Python encoder).

    Text that came from undecodable bytes of a file name is written with U+FFFD in
    their place (`printable`): JSON must be valid UTF-8.
    """
    indent = 2 if stream.isatty() else None
    stream.write(printable(json.dumps(data, ensure_ascii=False, indent=indent)) + "\n")
