"""The `humaspost` command: typer wiring only; each command lives in its own module."""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from typer._click.exceptions import ClickException

from humaspost import __version__
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

# Each command by its name: its module under humaspost.cli and its function there, in
# the order `--help` lists them. A command's module, and the core it needs, is imported
# only when that command runs (or for `--help`): `check FILE` does not pay for the
# daemon, the inbox or the report.
_COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "check"),
    "schedule": ("schedule", "schedule"),
    "publish": ("publish", "publish"),
    "daemon": ("daemon", "daemon"),
    "resolve": ("log", "resolve"),
    "retry": ("log", "retry"),
    "retract": ("retract", "retract"),
    "trace": ("trace", "trace"),
    "report": ("report", "report"),
    "accounts": ("accounts", "accounts"),
    "new": ("new", "new"),
    "init": ("init", "init"),
    "preview": ("preview", "preview"),
    "schema": ("schema", "schema"),
    "codeowners": ("codeowners", "codeowners"),
    # typer lists its groups after the commands.
    "log": ("log", "log"),
    "inbox": ("inbox", "inbox"),
}
# The subcommands of the two groups: `log migrate`, `inbox fetch`...
_SUBCOMMANDS: dict[str, dict[str, tuple[str, str]]] = {
    "log": {"migrate": ("log_migrate", "migrate")},
    "inbox": {
        name: ("inbox", name) for name in ("fetch", "show", "assign", "close", "reply", "purge")
    },
}

TOP_LEVEL = tuple(_COMMANDS)


def _typer(**settings: Any) -> typer.Typer:
    return typer.Typer(
        cls=HumaspostGroup,
        options_metavar=_(OPTIONS_METAVAR),
        subcommand_metavar=_(COMMAND_METAVAR),
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
        **settings,
    )


def _function(where: tuple[str, str]) -> Callable[..., None]:
    module, name = where
    function: Callable[..., None] = getattr(
        importlib.import_module(f"humaspost.cli.{module}"), name
    )
    return function


def _docstring(function: Callable[..., None]) -> str:
    doc = inspect.getdoc(function)
    if not doc:
        raise TypeError(f"command {function.__name__} has no docstring to show as its help")
    return doc


def build_app(only: str | None = None) -> typer.Typer:
    """The `humaspost` app with every command, or with only the command `only` (the one
    a command line runs: see `main`). Each docstring is its command's `--help`, in the
    language in use."""
    app = _typer(
        name="humaspost",
        help=_("Run a PR office's social media from a git repository."),
        no_args_is_help=True,
    )
    for name, where in _COMMANDS.items():
        if only is not None and name != only:
            continue
        function = _function(where)
        if name in _SUBCOMMANDS:
            # `log` lists the log and `inbox` the complaint inbox; their subcommands act.
            group = _typer()
            group.callback(invoke_without_command=True, help=_(_docstring(function)))(function)
            for sub, sub_where in _SUBCOMMANDS[name].items():
                subfunction = _function(sub_where)
                group.command(sub, cls=HumaspostCommand, help=_(_docstring(subfunction)))(
                    subfunction
                )
            app.add_typer(group, name=name)
        else:
            app.command(name, cls=HumaspostCommand, help=_(_docstring(function)))(function)
    app.callback()(_root)
    return app


def commands() -> list[tuple[str, Callable[..., None]]]:
    """Every command as typed after `humaspost` (`log migrate` and `inbox show` too), with
    its function (whose docstring is its help): for the catalog and the docs' tests."""
    found = []
    for name, where in _COMMANDS.items():
        found.append((name, _function(where)))
        found += [(f"{name} {sub}", _function(w)) for sub, w in _SUBCOMMANDS.get(name, {}).items()]
    return found


def command_named(args: list[str]) -> str | None:
    """The command a command line runs (`check` in `--config x.yaml check FILE`), if it
    is one of humaspost's: None for `--help`, `--version`, no command or a misspelt one,
    which need every command (to list them, or to suggest the nearest)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--config":
            index += 2
        elif arg.startswith("-"):
            if arg in ("-h", "--help", "--version"):
                return None
            index += 1
        else:
            return arg if arg in _COMMANDS else None
    return None


def _print_version(given: bool) -> None:
    if given:
        print(f"humaspost {__version__}")
        raise typer.Exit()


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
        code = build_app(command_named(sys.argv[1:]))(standalone_mode=False)
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
