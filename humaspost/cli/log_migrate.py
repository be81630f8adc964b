"""`humaspost log migrate --to URL`: copy the office's SQLite publish log into PostgreSQL
(humaspost.log_migration does the work)."""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    OutputFormat,
    environment,
    load,
)
from humaspost.cli.output import Output
from humaspost.cli.problems_view import print_json
from humaspost.i18n import _
from humaspost.log_migration import TABLES, migrate_log, sqlite_log_of
from humaspost.problems import UsageError
from humaspost.store_postgres import DatabaseUrl, parse_database_url

_REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


def migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help=_(
                "The PostgreSQL database: a postgresql:// URL, or '${NAME}' (in single "
                "quotes) for the environment variable holding it, which keeps the password "
                "off the command line."
            ),
            show_default=False,
        ),
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help=_("text or json."))
    ] = OutputFormat.TEXT,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Copy the publish log into an empty PostgreSQL database.

    Every delivery, part and attempt, and the inbox, in one transaction; the counts are checked
    after. Stop the daemon and cron first; then set publish_log in the config."""
    cfg = load(config)[0]
    target = _target(to, environment(cfg))
    result = migrate_log(sqlite_log_of(cfg), target)
    if output is OutputFormat.JSON:
        print_json(sys.stdout, {"source": str(result.source), "target": result.target,
                                "counts": result.counts})  # fmt: skip
        return
    counts = ", ".join(f"{table} {result.counts[table]}" for table in TABLES)
    done = _("copied {source} to {target}: {counts}; the counts match").format(
        source=result.source, target=result.target, counts=counts
    )
    Output(sys.stdout).write([(done + "\n", None)])


def _target(given: str, environ: dict[str, str]) -> DatabaseUrl:
    reference = _REFERENCE.match(given)
    if reference:
        variable = reference.group(1)
        value = environ.get(variable, "")
        if not value:
            raise UsageError(
                _("--to: the environment variable {variable} is not set").format(variable=variable)
            )
    else:
        variable, value = "--to", given
    parsed = parse_database_url(value, variable)
    if isinstance(parsed, str):
        raise UsageError(parsed)
    return parsed
