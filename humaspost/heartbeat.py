"""The daemon's heartbeat, `<state_dir>/daemon.json`: written by the daemon after every
pass and when it stops, read by `schedule` to say whether a daemon publishes here.

This module is the only one that knows the file's format. The daemon writes it
atomically (a temporary file, then a rename), so a reader never sees half of it; a
reader takes a missing or garbled file as "no daemon ever ran here", and a field that
is missing or of the wrong type as unknown.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from humaspost.processes import is_gone

HEARTBEAT_NAME = "daemon.json"
# A running daemon passes at least every minute (its sweep): three minutes without one
# means it hangs.
NOT_RESPONDING = timedelta(minutes=3)


@dataclass(frozen=True)
class Heartbeat:
    """What a daemon last said about itself (times in UTC, by the daemon's clock)."""

    running: bool
    updated: datetime | None
    host: str | None
    pid: int | None
    started: datetime | None
    last_pass: datetime | None
    next_delivery: datetime | None
    sandbox: bool

    def write(self, state_dir: Path) -> None:
        """Replace the heartbeat file in one rename."""
        data = {
            "running": self.running,
            "updated": _iso(self.updated),
            "host": self.host,
            "pid": self.pid,
            "started": _iso(self.started),
            # The file's name for it since the first release: readers of old files rely on it.
            "last_sweep": _iso(self.last_pass),
            "next_delivery": _iso(self.next_delivery),
            "sandbox": self.sandbox,
        }
        target = state_dir / HEARTBEAT_NAME
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(temporary, target)


def read_heartbeat(state_dir: Path) -> Heartbeat | None:
    """The heartbeat, or None if no daemon ever ran here (or the file is not one)."""
    try:
        data: Any = json.loads((state_dir / HEARTBEAT_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid = data.get("pid")
    return Heartbeat(
        running=bool(data.get("running")),
        updated=_moment(data.get("updated")),
        host=str(data["host"]) if data.get("host") else None,
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        started=_moment(data.get("started")),
        last_pass=_moment(data.get("last_sweep")),
        next_delivery=_moment(data.get("next_delivery")),
        sandbox=bool(data.get("sandbox")),
    )


@dataclass(frozen=True)
class DaemonStatus:
    """The heartbeat of a state folder judged at a moment: `state` is running,
    not-responding, stopped, gone (ended without stopping cleanly) or none."""

    state: str
    beat: Heartbeat | None

    def as_json(self) -> dict[str, Any]:
        """The status for `schedule --format json`::

        {"state": "running",          # running, not-responding, stopped, gone, none
         "pid": 1234, "host": "humas-srv", "sandbox": false,
         "started": "...", "last_pass": "...", "next_delivery": "...",
         "updated": "..."}              # UTC times (the daemon's clock), or null
        """
        beat = self.beat
        return {
            "state": self.state,
            "pid": beat.pid if beat else None,
            "host": beat.host if beat else None,
            "sandbox": beat.sandbox if beat else False,
            "started": _utc(beat.started) if beat else None,
            "last_pass": _utc(beat.last_pass) if beat else None,
            "next_delivery": _utc(beat.next_delivery) if beat else None,
            "updated": _utc(beat.updated) if beat else None,
        }


def daemon_status(state_dir: Path, now: datetime) -> DaemonStatus:
    """Read the heartbeat of `state_dir` and judge it at `now`."""
    beat = read_heartbeat(state_dir)
    if beat is None:
        return DaemonStatus("none", None)
    return judged(beat, f"{beat.host}/{beat.pid}", now)


def judged(beat: Heartbeat, owner: str, now: datetime) -> DaemonStatus:
    """A daemon's heartbeat judged at `now`. `owner` names its process (see
    processes.is_gone: only a process of this machine can be seen to be gone; one on
    another server that stopped beating is not responding)."""
    if not beat.running:
        return DaemonStatus("stopped", beat)
    if is_gone(owner):
        return DaemonStatus("gone", beat)
    latest = beat.last_pass or beat.started
    if latest is None or now - latest > NOT_RESPONDING:
        return DaemonStatus("not-responding", beat)
    return DaemonStatus("running", beat)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _utc(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _moment(value: object) -> datetime | None:
    """A heartbeat time (ISO 8601), or None if missing or not a time."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
