"""Who is publishing: a name for this process, and whether another one is gone.

An owner is `host/pid/boot-id`. The boot id (Linux's, new at every start of the
machine) keeps a pid reused after a restart from being taken for the old process; a
pid is looked at only on the owner's own machine. For a process on another server,
only its lease in the publish log says whether it still works.
"""

from __future__ import annotations

import os
import socket
from functools import cache
from pathlib import Path

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@cache
def boot_id() -> str:
    """This machine's boot id ('' where the system has none)."""
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def this_process() -> str:
    """This process's name as a publish-log owner: `host/pid/boot-id`."""
    return f"{socket.gethostname()}/{os.getpid()}/{boot_id()}"


def is_gone(owner: str) -> bool:
    """Whether the owner is a process of this machine that no longer exists: its pid is
    not running, or the machine has restarted since (another boot id). A process on
    another host, or one that still exists, is taken as alive (its lease decides).
    Owners written before the boot id was added (`host/pid`) are judged by the pid."""
    host, pid, boot = _parts(owner)
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if boot and boot_id() and boot != boot_id():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _parts(owner: str) -> tuple[str, str, str]:
    """(host, pid, boot id) of an owner; a host name never holds a '/'."""
    host, _, rest = owner.partition("/")
    pid, _, boot = rest.partition("/")
    return host, pid, boot
