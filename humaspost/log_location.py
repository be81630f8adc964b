"""Where the publish log is, and whether one is at hand to read.

Light on purpose: `check` asks on every run (in CI, where there is no log, it needs
nothing more), so the log's own machinery is imported only when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from humaspost.i18n import _
from humaspost.problems import ConfigError, Problem, Severity
from humaspost.store import PublishLogError
from humaspost.store_postgres import DatabaseUrl, parse_database_url
from humaspost.store_sqlite import LOG_NAME
from humaspost.store_sqlite import log_exists as sqlite_log_exists

if TYPE_CHECKING:  # publog imports this module, and both are lighter without checks
    from humaspost.checks import Published
    from humaspost.config import Config

# Where a publish log is: a SQLite file, or a PostgreSQL database.
LogLocation = Path | DatabaseUrl


def log_exists(location: LogLocation) -> bool:
    """Whether there is a publish log at `location` (see store_sqlite.log_exists). A
    database is one, made there by whoever opens it first (the config names it: an
    empty one is a log of an office that has sent nothing yet, never a file gone
    missing); whether it can be reached shows when it is opened."""
    if isinstance(location, DatabaseUrl):
        return True
    return sqlite_log_exists(location)


def log_at_hand(
    config: Config, environ: Mapping[str, str]
) -> tuple[LogLocation | None, Published | None]:
    """The publish log, if there is one here that can be read (never made), and what
    it says went out: for `check` (which checks replies against its inbox, HP127 and
    HP128) and `preview`. A database that is not set or cannot be reached counts as no
    log, after one connection attempt."""
    try:
        location = log_path(config, sandbox=False, environ=environ)
        if not log_exists(location):
            return None, None
        from humaspost.checks import Sent
        from humaspost.publog import PublishLog

        with PublishLog(location, read_only=True) as log:
            sent = {key: Sent(*record) for key, record in log.sent_once().items()}
    except (ConfigError, PublishLogError):
        if isinstance(config.publish_log, str):
            return None, None
        raise
    return location, sent


def log_path(config: Config, *, sandbox: bool, environ: Mapping[str, str]) -> LogLocation:
    """The publish log: the SQLite file under state_dir, or the PostgreSQL database
    whose URL the variable `publish_log` names holds. `--sandbox` runs keep their own
    SQLite file, so that a rehearsal never marks a real delivery as sent (nor reaches
    the database other servers share).

    Raises ConfigError (naming the variable, never its value) when the variable is not
    set or holds no PostgreSQL URL."""
    if sandbox or config.publish_log is None:
        return config.state_dir / ("sandbox" if sandbox else "") / LOG_NAME
    variable = config.publish_log
    value = environ.get(variable, "")
    if not value:
        message = _(
            "publish_log names the environment variable {variable}, which is not set"
        ).format(variable=variable)
        hint: str | None = _(
            "set it to the publish log database's URL (postgresql://...), or add it to the"
            " .env file beside the config"
        )
    else:
        parsed = parse_database_url(value, variable)
        if isinstance(parsed, DatabaseUrl):
            return parsed
        message, hint = parsed, None
    raise ConfigError([Problem("HP509", Severity.ERROR, message, "environment", hint=hint)])
