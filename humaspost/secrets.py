"""A last line of defence for secrets: every resolved secret value is remembered, and
text that leaves the program through a crash report, an error message or the publish
log is scrubbed of them.

Adapters already word their errors without tokens; this catches what a library puts
in an exception (a URL with `access_token=...`, a header) that nobody foresaw.
"""

from __future__ import annotations

import threading

_MASK = "***"
# Shorter values could match ordinary words; real tokens are far longer.
_MIN_LENGTH = 6

_known: set[str] = set()
_lock = threading.Lock()


def remember(value: str) -> None:
    """Note a secret value, so that `redact` removes it from any text."""
    if len(value) >= _MIN_LENGTH:
        with _lock:
            _known.add(value)


def redact(text: str) -> str:
    """`text` with every remembered secret replaced by `***`."""
    with _lock:
        values = sorted(_known, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, _MASK)
    return text
