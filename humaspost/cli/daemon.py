"""`humaspost daemon`: publish each delivery at its time, until SIGTERM or SIGINT."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from enum import StrEnum
from types import FrameType
from typing import Annotated, Any

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    SandboxOption,
    clock_from,
    cwd,
    load,
)
from humaspost.config import Config, environment_with_dotenv
from humaspost.daemon import Daemon
from humaspost.i18n import N_, _, pgettext
from humaspost.lifecycle import State, state_label
from humaspost.runs import refuse_clock_ahead
from humaspost.secrets import redact
from humaspost.times import OffsetClock


class LogFormat(StrEnum):
    """How the daemon writes its log."""

    TEXT = "text"
    JSON = "json"


# Fields of a log record that are ours (passed with `extra=`), in the order shown.
_FIELDS = ("post", "account", "variables", "url", "error", "file", "line", "code", "files",
           "posts", "count", "hint", "reason", "sandbox", "pid", "new", "deleted",
           "until")  # fmt: skip


def daemon(
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help=_("Accounts published at once."))
    ] = 8,
    log_format: Annotated[
        LogFormat,
        typer.Option("--log-format", help=_("text (for people) or json (one object per line).")),
    ] = LogFormat.TEXT,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Run until stopped, publishing each delivery at its time.

    Picks up edited, added and removed post files without a restart, and retries with
    backoff. SIGTERM or SIGINT stops it cleanly (the delivery in hand is finished
    first)."""
    cfg, _shown = load(config)
    clock = clock_from(now, cfg)
    environ = environment_with_dotenv(cfg, os.environ)
    # Before it starts, not at its first pass: a daemon that may not run exits 2.
    refuse_clock_ahead(cfg, cfg.accounts, clock, environ, sandbox=sandbox)
    stop = threading.Event()
    runner = Daemon(
        cfg,
        cwd=cwd(),
        clock=clock,
        environ=environ,
        sandbox=sandbox,
        workers=workers,
        logger=_logger(log_format, cfg, clock),
        stop=stop,
        load_workers=os.cpu_count() or 1,
    )

    def on_signal(signum: int, frame: FrameType | None) -> None:
        runner.request_stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner.run()


def _logger(log_format: LogFormat, cfg: Config, clock: OffsetClock) -> logging.Logger:
    logger = logging.getLogger("humaspost.daemon")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.StreamHandler(sys.stderr)
    if log_format is LogFormat.JSON:
        handler.setFormatter(_JsonFormatter(clock))
        # A summary for people would count the accounts of its objects a second time.
        handler.addFilter(lambda record: not getattr(record, "summary", False))
    else:
        handler.setFormatter(_TextFormatter(cfg, clock))
    logger.handlers[:] = [handler]
    # APScheduler's own warnings (a wake-up missed after the machine slept) in the same
    # format, not as stray lines in a JSON log.
    scheduler = logging.getLogger("apscheduler")
    scheduler.setLevel(logging.WARNING)
    scheduler.propagate = False
    scheduler.handlers[:] = [handler]
    return logger


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {key: getattr(record, key) for key in _FIELDS if getattr(record, key, None) is not None}


# The daemon's events as a person reads them in the text log (the JSON log keeps the
# English name, for log collectors); a delivery's events are the names of its states.
_EVENTS = {
    "started": N_("started"),
    "stopped": N_("stopped"),
    "reloaded": N_("reloaded"),
    "pass failed": N_("pass failed"),
    "unknown deliveries": N_("unknown deliveries"),
    "missing secrets": N_("missing secrets"),
    "post held back": N_("post held back"),
    "inbox fetched": N_("inbox fetched"),
    "inbox fetch failed": N_("inbox fetch failed"),
    "inbox fetch of an account failed": N_("inbox fetch of an account failed"),
    "inbox fetch rate-limited": N_("inbox fetch rate-limited"),
}
_STATES = {state.value: state for state in State}


def _event(record: logging.LogRecord) -> str:
    """What happened, in the language in use where it is one of the daemon's events."""
    if not record.args and record.msg in _EVENTS:
        return _(_EVENTS[record.msg])
    if not record.args and record.msg in _STATES:
        return state_label(_STATES[record.msg])
    return record.getMessage()


def _levels() -> dict[int, str]:
    """The levels the daemon logs at, as the text log names them."""
    return {
        logging.INFO: pgettext("log level", "info"),
        logging.WARNING: pgettext("log level", "warning"),
        logging.ERROR: pgettext("log level", "error"),
    }


class _TextFormatter(logging.Formatter):
    """`2026-12-01 08:00:01 WIB  info     sent  post=... account=... url=...`, the words
    in the language in use."""

    def __init__(self, cfg: Config, clock: OffsetClock) -> None:
        super().__init__()
        self.cfg = cfg
        self.clock = clock
        self.levels = _levels()
        # Levels in a column one wider than the longest name.
        self.width = max(len(name) for name in self.levels.values()) + 1

    def format(self, record: logging.LogRecord) -> str:
        local = self.clock().astimezone(self.cfg.timezone)
        when = f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"
        details = "  ".join(f"{key}={value}" for key, value in _fields(record).items())
        level = self.levels.get(record.levelno, record.levelname.lower()).ljust(self.width)
        line = f"{when}  {level} {_event(record)}  {details}"
        if record.exc_info:
            line = f"{line.rstrip()}\n{self.formatException(record.exc_info)}"
        return redact(line.rstrip())


class _JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def __init__(self, clock: OffsetClock) -> None:
        super().__init__()
        self.clock = clock

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.clock().isoformat(),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, ensure_ascii=False, default=str))
