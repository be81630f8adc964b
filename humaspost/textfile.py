"""Reading user files as text, with located errors for unreadable or non-UTF-8 bytes."""

from __future__ import annotations

from pathlib import Path

from humaspost.problems import Problem, Severity, Span


def read_text(path: Path, shown: str) -> tuple[str | None, Problem | None]:
    """The file's text (UTF-8, a leading BOM dropped, CRLF as LF), or a problem."""
    try:
        with open(path, "rb") as handle:  # cheaper than Path.read_bytes, per file
            raw = handle.read()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return None, Problem("HP001", Severity.ERROR, f"cannot read the file: {reason}", shown)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return None, Problem(
            "HP002",
            Severity.ERROR,
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            shown,
            Span(line, column),
            "save the file as UTF-8 in your editor",
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None
