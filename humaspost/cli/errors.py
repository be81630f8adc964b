"""The one place where exceptions become messages and exit codes (see docs/cli.md)."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from humaspost import __version__
from humaspost.cli.common import cwd
from humaspost.cli.output import Output
from humaspost.cli.problems_view import SourceLines, problem_segments
from humaspost.problems import ConfigError, HumaspostError
from humaspost.secrets import redact

EXIT_INTERNAL = 3


def report_user_error(error: HumaspostError) -> int:
    """Print an error meant for the user to stderr; returns its exit code."""
    out = Output(sys.stderr)
    if isinstance(error, ConfigError):
        out.write(problem_segments(error.problems, SourceLines(cwd())))
    else:
        out.write([("humaspost: error: ", "bold red"), (f"{redact(str(error))}\n", None)])
    return error.exit_code


def report_crash(error: BaseException, *, debug: bool) -> int:
    """Write a crash report file and print one line naming it (the traceback with --debug)."""
    report = _write_crash_report(error)
    where = f"details in {report}" if report else "no crash report could be written"
    sys.stderr.write(
        f"humaspost: internal error ({type(error).__name__}); {where}. Please report it.\n"
    )
    if debug:
        sys.stderr.write(redact("".join(traceback.format_exception(error))))
    return EXIT_INTERNAL


def _write_crash_report(error: BaseException) -> Path | None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = "".join(
        [
            f"humaspost {__version__} crash report, {stamp}\n",
            f"python {platform.python_version()} on {platform.platform()}\n",
            f"command: humaspost {' '.join(sys.argv[1:])}\n\n",
            *traceback.format_exception(error),
        ]
    )
    try:
        handle, name = tempfile.mkstemp(prefix=f"humaspost-crash-{stamp}-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(redact(text))
    except OSError:
        return None
    return Path(name)
