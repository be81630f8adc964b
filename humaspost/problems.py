"""Problems found in post files and the config, and the errors meant for users.

Every problem has a stable code (documented in docs/problem-codes.md), a severity and,
where it has one, the file, line and column it points at (1-based).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    """How bad a problem is: errors block a post, warnings only inform."""

    ERROR = "error"
    WARNING = "warning"


class Span(NamedTuple):
    """A place in a file: 1-based line and column, and how many characters it covers.

    A named tuple rather than a dataclass: one is made for every YAML node, and that
    is the hot path of `check`.
    """

    line: int
    column: int
    length: int = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a post file or the config."""

    code: str
    severity: Severity
    message: str
    file: str
    span: Span | None = None
    hint: str | None = None
    # The place holds a secret: show where it is, never the line itself.
    secret: bool = False

    @property
    def line(self) -> int | None:
        """The 1-based line, if the problem has a place."""
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        """The 1-based column, if the problem has a place."""
        return self.span.column if self.span else None


class HumaspostError(Exception):
    """An error meant for the user; the CLI turns it into a message and an exit code."""

    exit_code = 2


@dataclass
class ConfigError(HumaspostError):
    """The configuration cannot be used; carries every located problem found in it."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(p.message for p in self.problems)


class UsageError(HumaspostError):
    """A command was called with something it cannot work with (a bad path, a bad time)."""
