"""The one place where exceptions become messages and exit codes (see docs/cli.md)."""

from __future__ import annotations

import sys
import traceback
from datetime import UTC, datetime

from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from humaspost.cli.common import cwd
from humaspost.cli.output import Output
from humaspost.cli.problems_view import SourceLines, problem_segments
from humaspost.cli.typer_i18n import usage_message
from humaspost.crash_reports import CrashReports
from humaspost.i18n import _
from humaspost.problems import ConfigError, HumaspostError
from humaspost.secrets import redact

EXIT_INTERNAL = 3


def report_user_error(error: HumaspostError) -> int:
    """Print an error meant for the user to stderr; returns its exit code."""
    out = Output(sys.stderr)
    if isinstance(error, ConfigError):
        out.write(problem_segments(error.problems, SourceLines(cwd())))
    else:
        out.write([(_("humaspost: error:") + " ", "bold red"), (f"{redact(str(error))}\n", None)])
    return error.exit_code


def report_typer_error(error: ClickException) -> int:
    """Print an error typer found on the command line (an unknown option, a missing
    argument, a bad choice) the way typer does, in the language in use; returns its exit
    code (2 for a usage error)."""
    if isinstance(error, NoArgsIsHelpError):
        error.show()  # `humaspost` alone: the help, on stderr
        return error.exit_code
    framing = ""
    if isinstance(error, UsageError) and error.ctx is not None:
        ctx = error.ctx
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]
            )
            hint += "\n"
        framing = f"{ctx.get_usage()}\n{hint}\n"
    message = _("Error: {message}").format(message=usage_message(error))
    sys.stderr.write(f"{framing}{message}\n")
    return error.exit_code


def report_aborted() -> int:
    """Input ended where a command asked for some (typer's Abort); returns exit code 1."""
    sys.stderr.write(_("Aborted!") + "\n")
    return 1


def report_crash(error: BaseException, *, debug: bool) -> int:
    """Write a crash report file and print one line naming it (the traceback with --debug)."""
    report = crash_reports().write(error)
    kind = type(error).__name__
    if report:
        line = _("humaspost: internal error ({kind}); details in {report}. Please report it.")
    else:
        line = _("humaspost: internal error ({kind}); no crash report could be written. "
                 "Please report it.")  # fmt: skip
    sys.stderr.write(line.format(kind=kind, report=report) + "\n")
    if debug:
        sys.stderr.write(redact("".join(traceback.format_exception(error))))
    return EXIT_INTERNAL


# Options whose values may be a resident's personal data (an author to purge, a note
# on their complaint): a crash report, a file in the temp folder, never shows them.
PRIVATE_OPTIONS = ("--author", "--note")


def crash_reports() -> CrashReports:
    """Where this run's crash reports go: the system's temp folder, stamped by the real
    clock, naming the command line as typed (private values left out)."""
    return CrashReports(None, shown_command(sys.argv[1:]), lambda: datetime.now(UTC))


def shown_command(arguments: list[str]) -> str:
    """The command line as a crash report names it: the values of PRIVATE_OPTIONS
    (`--note T` or `--note=T`) replaced by `...`."""
    shown: list[str] = []
    hide_next = False
    for argument in arguments:
        name = argument.partition("=")[0]
        if hide_next:
            shown.append("...")
            hide_next = False
        elif name in PRIVATE_OPTIONS and "=" in argument:
            shown.append(f"{name}=...")
        else:
            shown.append(argument)
            hide_next = argument in PRIVATE_OPTIONS
    return " ".join(shown)
