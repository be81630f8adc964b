"""The `humaspost` command: typer wiring only; each command lives in its own module."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from typer._click.exceptions import ClickException

from humaspost import __version__
from humaspost.cli import (
    accounts,
    check,
    codeowners,
    daemon,
    inbox,
    init,
    log,
    log_migrate,
    new,
    preview,
    publish,
    report,
    retract,
    schedule,
    schema,
    trace,
)
from humaspost.cli.common import ConfigOption, DebugOption, remember_config
from humaspost.cli.errors import (
    crash_reports,
    report_aborted,
    report_crash,
    report_typer_error,
    report_user_error,
)
from humaspost.cli.typer_i18n import (
    COMMAND_METAVAR,
    OPTIONS_METAVAR,
    HumaspostCommand,
    HumaspostGroup,
)
from humaspost.crash_reports import set_destination
from humaspost.i18n import _
from humaspost.problems import HumaspostError

app = typer.Typer(
    name="humaspost",
    cls=HumaspostGroup,
    options_metavar=_(OPTIONS_METAVAR),
    subcommand_metavar=_(COMMAND_METAVAR),
    help=_("Run a PR office's social media from a git repository."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _command(name: str, function: Callable[..., None]) -> None:
    """Register a command; its docstring is its `--help`, in the language in use."""
    app.command(name, cls=HumaspostCommand, help=_(_docstring(function)))(function)


def _docstring(function: Callable[..., None]) -> str:
    doc = inspect.getdoc(function)
    if not doc:
        raise TypeError(f"command {function.__name__} has no docstring to show as its help")
    return doc


_command("check", check.check)
_command("schedule", schedule.schedule)
_command("publish", publish.publish)
_command("daemon", daemon.daemon)
# `log` lists the log; `log migrate` is its one subcommand.
log_app = typer.Typer(
    cls=HumaspostGroup,
    options_metavar=_(OPTIONS_METAVAR),
    subcommand_metavar=_(COMMAND_METAVAR),
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
log_app.callback(invoke_without_command=True, help=_(_docstring(log.log)))(log.log)
log_app.command("migrate", cls=HumaspostCommand, help=_(_docstring(log_migrate.migrate)))(
    log_migrate.migrate
)
app.add_typer(log_app, name="log")
# `inbox` lists the complaint inbox; its subcommands act on it.
inbox_app = typer.Typer(
    cls=HumaspostGroup,
    options_metavar=_(OPTIONS_METAVAR),
    subcommand_metavar=_(COMMAND_METAVAR),
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
inbox_app.callback(invoke_without_command=True, help=_(_docstring(inbox.inbox)))(inbox.inbox)


def _inbox_command(name: str, function: Callable[..., None]) -> None:
    inbox_app.command(name, cls=HumaspostCommand, help=_(_docstring(function)))(function)


_inbox_command("fetch", inbox.fetch)
_inbox_command("show", inbox.show)
_inbox_command("assign", inbox.assign)
_inbox_command("close", inbox.close)
_inbox_command("reply", inbox.reply)
_inbox_command("purge", inbox.purge)
app.add_typer(inbox_app, name="inbox")
_command("resolve", log.resolve)
_command("retry", log.retry)
_command("retract", retract.retract)
_command("trace", trace.trace)
_command("report", report.report)
_command("accounts", accounts.accounts)
_command("new", new.new)
_command("init", init.init)
_command("preview", preview.preview)
_command("schema", schema.schema)
_command("codeowners", codeowners.codeowners)

TOP_LEVEL = (*(info.name for info in app.registered_commands), "log", "inbox")


def commands() -> list[tuple[str, Callable[..., None]]]:
    """Every command as typed after `humaspost` (`log migrate` and `inbox show` too), with
    its function (whose docstring is its help): for the catalog and the docs' tests."""
    found = [(info.name or "", info.callback) for info in app.registered_commands]
    found.append(("log", log.log))
    found += [(f"log {info.name}", info.callback) for info in log_app.registered_commands]
    found.append(("inbox", inbox.inbox))
    found += [(f"inbox {info.name}", info.callback) for info in inbox_app.registered_commands]
    return [(name, callback) for name, callback in found if callback is not None]


def _print_version(given: bool) -> None:
    if given:
        print(f"humaspost {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    config: ConfigOption = None,
    debug: DebugOption = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help=_("Print the version and exit."),
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Validate, schedule and publish posts written as files.

    --config and --debug may come before the command as well as after it; `main` reads
    --debug wherever it stands.
    """
    remember_config(config)


def main() -> None:
    """Entry point: run the app and map every failure to an exit code."""
    # A bug met while reading one post file keeps out only that post, with a report.
    set_destination(crash_reports())
    try:
        # Not standalone: typer's own errors come back here to be shown in the language
        # in use; `typer.Exit(code)` comes back as its code.
        code = app(standalone_mode=False)
    except ClickException as error:
        sys.exit(report_typer_error(error))
    except typer.Abort:
        sys.exit(report_aborted())
    except HumaspostError as error:
        sys.exit(report_user_error(error))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        sys.exit(report_crash(error, debug="--debug" in sys.argv[1:]))
    sys.exit(code if isinstance(code, int) else 0)
