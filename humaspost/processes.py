"""Who is publishing: a name for this process, and whether another one is gone."""

from __future__ import annotations

import os
import socket


def this_process() -> str:
    """This process's name as a publish-log owner: `host/pid`."""
    return f"{socket.gethostname()}/{os.getpid()}"


def is_gone(owner: str) -> bool:
    """Whether the owner is a process of this machine that no longer exists. A process
    elsewhere, or one that still exists, is taken as alive (its lease decides)."""
    host, _, pid = owner.rpartition("/")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
