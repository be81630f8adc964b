"""Crash reports: what a bug leaves behind for the people who fix it.

The CLI writes one when a command dies (exit 3); the core writes one when reading or
checking a single post file fails with a bug, which then keeps out only that post
(HP020). Both write the same report through `CrashReports.write`.

Where reports go, the command line and the clock are the edge's business: the CLI
passes a `CrashReports` to `set_destination` at start-up, as it hands secrets to
`secrets.remember`, and the core only calls `write_report`. Worker processes started
with `fork` inherit it.
"""

from __future__ import annotations

import os
import platform
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from humaspost import __version__
from humaspost.secrets import redact


@dataclass(frozen=True)
class CrashReports:
    """Where crash reports are written (None: the system's temp folder, looked up when
    one is), the command line they name, and the clock that stamps them (the real one:
    a report's time is when it happened)."""

    folder: Path | None
    command: str
    clock: Callable[[], datetime]

    def write(self, error: BaseException, about: str = "") -> Path | None:
        """Write a report of `error` (`about`: what was being done); its path, or None
        if it could not be written. Secrets are scrubbed from it."""
        stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
        text = "".join(
            [
                f"humaspost {__version__} crash report, {stamp}\n",
                f"python {platform.python_version()} on {platform.platform()}\n",
                f"command: humaspost {self.command}\n",
                f"while {about}\n" if about else "",
                "\n",
                *traceback.format_exception(error),
            ]
        )
        import tempfile  # only here: most runs write no report

        try:
            handle, name = tempfile.mkstemp(
                prefix=f"humaspost-crash-{stamp}-", suffix=".txt", dir=self.folder
            )
            with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as file:
                file.write(redact(text))
        except OSError:
            return None
        return Path(name)


_destination: CrashReports | None = None
# Reports written, by the exception's type and the places of its traceback: a bug that
# every post meets (a plugin's, say) leaves one report, not one per file.
_written: dict[tuple[object, ...], Path] = {}


def set_destination(reports: CrashReports | None) -> None:
    """Say where `write_report` writes (None: nowhere, e.g. the core used as a library)."""
    global _destination
    _destination = reports
    _written.clear()


def write_report(error: BaseException, about: str) -> Path | None:
    """Write a crash report where `set_destination` said, or name the one already
    written for the same failure at the same place; None if none was written."""
    if _destination is None:
        return None
    frames = traceback.extract_tb(error.__traceback__)
    key = (type(error), *((frame.filename, frame.lineno) for frame in frames))
    # A daemon runs for months: a report the system cleaned out of /tmp is written anew.
    if key not in _written or not _written[key].exists():
        path = _destination.write(error, about)
        if path is None:
            return None
        _written[key] = path
    return _written[key]
