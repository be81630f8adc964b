"""The one place where exceptions become messages and exit codes (see docs/cli.md)."""

from __future__ import annotations

import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from humaspost.cli.common import cwd
from humaspost.cli.output import Output
from humaspost.cli.problems_view import SourceLines, problem_segments
from humaspost.crash_reports import CrashReports
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
    report = crash_reports().write(error)
    where = f"details in {report}" if report else "no crash report could be written"
    sys.stderr.write(
        f"humaspost: internal error ({type(error).__name__}); {where}. Please report it.\n"
    )
    if debug:
        sys.stderr.write(redact("".join(traceback.format_exception(error))))
    return EXIT_INTERNAL


def crash_reports() -> CrashReports:
    """Where this run's crash reports go: the system's temp folder, stamped by the real
    clock, naming the command line as typed."""
    return CrashReports(
        Path(tempfile.gettempdir()), " ".join(sys.argv[1:]), lambda: datetime.now(UTC)
    )
