"""What every command shares: options, the clock, config loading."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO
from zoneinfo import ZoneInfo

import typer

from humaspost.checks import Published
from humaspost.config import Config, environment_with_dotenv, find_config, load_config, unusable
from humaspost.i18n import _
from humaspost.log_location import log_at_hand
from humaspost.problems import UsageError
from humaspost.repository import shown_name
from humaspost.times import OffsetClock, TimeFormatError, parse_datetime, quoted

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help=_(
            "The config file. Default: $HUMASPOST_CONFIG, else the nearest humaspost.yaml "
            "from the current folder upwards."
        ),
        show_default=False,
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help=_("Show a traceback on an internal error."))
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help=_(
            "Pretend it is this time (local time of the config's timezone unless an offset "
            "is given), e.g. '2026-12-01 08:00'."
        ),
        show_default=False,
    ),
]

SandboxOption = Annotated[
    bool,
    typer.Option(
        "--sandbox",
        help=_(
            "Work with the sandbox rehearsal: every account publishes to the local "
            "sandbox (training, demos), with a publish log of its own."
        ),
    ),
]


class OutputFormat(StrEnum):
    """Output formats shared by several commands."""

    TEXT = "text"
    JSON = "json"


def cwd() -> Path:
    """The current folder (read once, at the edge)."""
    return Path.cwd()


def write_output(output: Path | None, write: Callable[[TextIO], object]) -> None:
    """Write to standard output, or to the `--output` file (relative to the current
    folder; UTF-8, replaced whole, line ends as written)."""
    if output is None:
        write(sys.stdout)
        return
    try:
        with (cwd() / output).open("w", encoding="utf-8", newline="") as stream:
            write(stream)
    except OSError as exc:
        raise UsageError(
            _("cannot write {file}: {reason}").format(file=quoted(str(output)), reason=exc.strerror)
        ) from None


def usable_paths(paths: list[Path] | None) -> list[Path] | None:
    """Typer callback for path arguments: a path the system cannot look at (a name too
    long, links in a loop) is a usage error; one that does not exist is left to the
    command, which says so in its own words."""
    for given in paths or []:
        trouble = unusable(cwd() / given)
        if trouble is not None:
            raise UsageError(
                _("cannot use the path {path}: {reason}").format(
                    path=quoted(str(given)), reason=trouble
                )
            )
    return paths


@dataclass
class _BeforeCommand:
    """The global options given before the command: `humaspost --config F check`."""

    config: Path | None = None


_BEFORE_COMMAND = _BeforeCommand()


def remember_config(config_path: Path | None) -> None:
    """Keep a `--config` given before the command, for `load` to fall back to."""
    _BEFORE_COMMAND.config = config_path


def load(config_path: Path | None) -> tuple[Config, str]:
    """Find and load the config; returns it with its name as shown to the user. The
    command's own `--config` wins over one given before the command, which wins over
    $HUMASPOST_CONFIG and the nearest humaspost.yaml."""
    here = cwd()
    path = find_config(config_path or _BEFORE_COMMAND.config, os.environ, here)
    shown = shown_name(path.absolute(), here)
    return load_config(path, shown), shown


def now_from(option: str | None, config: Config) -> datetime:
    """The moment a command works at: exactly `--now`, else the real clock."""
    return now_in(option, config.timezone)


def now_in(option: str | None, tz: ZoneInfo) -> datetime:
    """`now_from` for a command that has no config yet (`init`): `--now` read in `tz`."""
    if option is None:
        return datetime.now(UTC)
    try:
        return parse_datetime(option, tz)
    except TimeFormatError as exc:
        raise UsageError(f"--now: {exc}") from None


def clock_from(option: str | None, config: Config) -> OffsetClock:
    """The clock a long-running command goes by: the real one, or one that starts at
    `--now` and runs on from there."""
    if option is None:
        return OffsetClock()
    return OffsetClock(now_from(option, config) - datetime.now(UTC))


def published_log(cfg: Config) -> Published | None:
    """What the publish log says went out, where there is a log (None in CI, or where
    the shared database is not set or not reachable: checking never depends on it):
    `check` and `preview` warn that an edit to a published post will not be sent."""
    return log_at_hand(cfg, environment(cfg))[1]


def environment(cfg: Config) -> dict[str, str]:
    """This process's environment plus the .env file beside the config."""
    return environment_with_dotenv(cfg, os.environ)
