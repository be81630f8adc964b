"""The `humaspost` command: typer wiring only; each command lives in its own module."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from humaspost import __version__
from humaspost.cli import (
    accounts,
    check,
    daemon,
    init,
    log,
    new,
    preview,
    publish,
    retract,
    schedule,
    schema,
)
from humaspost.cli.common import ConfigOption, DebugOption, remember_config
from humaspost.cli.errors import crash_reports, report_crash, report_user_error
from humaspost.crash_reports import set_destination
from humaspost.problems import HumaspostError

app = typer.Typer(
    name="humaspost",
    help="Run a PR office's social media from a git repository.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command("check")(check.check)
app.command("schedule")(schedule.schedule)
app.command("publish")(publish.publish)
app.command("daemon")(daemon.daemon)
app.command("log")(log.log)
app.command("resolve")(log.resolve)
app.command("retry")(log.retry)
app.command("retract")(retract.retract)
app.command("accounts")(accounts.accounts)
app.command("new")(new.new)
app.command("init")(init.init)
app.command("preview")(preview.preview)
app.command("schema")(schema.schema)


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
            help="Print the version and exit.",
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
        app()
    except HumaspostError as error:
        sys.exit(report_user_error(error))
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:
        sys.exit(report_crash(error, debug="--debug" in sys.argv[1:]))
