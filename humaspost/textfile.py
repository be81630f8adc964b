"""Reading user files: only regular files, never blocking, never unbounded.

A post file may be a link to `/proc/self/environ`, a FIFO or `/dev/zero`; reading it
would print someone's tokens, wait forever or fill the memory. So every user file is
opened through `open_plain`, which refuses anything but a regular file before opening
it, and text is read up to `MAX_TEXT_BYTES`.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from humaspost.i18n import N_, _
from humaspost.problems import Problem, Severity, Span

# A post or config is a few kilobytes; anything this large is not one.
MAX_TEXT_BYTES = 1024 * 1024

# Where the system has them: O_NONBLOCK so that a FIFO swapped in after the checks does
# not wait for a writer, O_NOFOLLOW so that a link swapped in is not followed.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


# Lone surrogates: how Python keeps the bytes of a file name that are not UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")

# The reasons of NotPlainFile (English, as other messages quote them), one for each kind
# of path that is refused, so that callers can tell them apart and word their own sentence.
LINK = N_("a link")
OUTSIDE = N_("outside the repository")
NUL_NAME = N_("a name with a NUL character in it")
FOLDER = N_("a folder")
FIFO = N_("a FIFO (named pipe)")
DEVICE = N_("a device")
SOCKET = N_("a socket")
OTHER = N_("not a regular file")
# HP013 as a whole sentence for each reason (a reason is not a fragment to translate);
# read_text opens a file without `inside`, so never OUTSIDE.
_NOT_PLAIN = {
    LINK: N_("not a plain file: it is a link"),
    NUL_NAME: N_("not a plain file: it is a name with a NUL character in it"),
    FOLDER: N_("not a plain file: it is a folder"),
    FIFO: N_("not a plain file: it is a FIFO (named pipe)"),
    DEVICE: N_("not a plain file: it is a device"),
    SOCKET: N_("not a plain file: it is a socket"),
    OTHER: N_("not a plain file: it is not a regular file"),
}


class NotPlainFile(Exception):
    """The path is not a regular file that may be read; `reason` says what it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return FOLDER
    if stat.S_ISFIFO(mode):
        return FIFO
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return DEVICE
    if stat.S_ISSOCK(mode):
        return SOCKET
    return OTHER


def open_plain(path: Path, *, inside: Path | None = None) -> BinaryIO:
    """Open a regular file for reading in binary mode; nothing else is ever opened.

    Without `inside`, `path` itself must not be a link. With `inside` (a resolved
    folder), links are followed, and the file they lead to must be inside that folder.
    Raises NotPlainFile (a link, outside `inside`, a folder, a FIFO, a device, ...) or
    OSError (FileNotFoundError when nothing is there).
    """
    if "\0" in os.fspath(path):  # the system refuses such a name (ValueError)
        raise NotPlainFile(NUL_NAME)
    if inside is None:
        target = os.fspath(path)
        info = os.lstat(target)
        if stat.S_ISLNK(info.st_mode):
            raise NotPlainFile(LINK)
    else:
        target = os.path.realpath(path)
        if not target.startswith(str(inside) + os.sep):
            raise NotPlainFile(OUTSIDE)
        info = os.stat(target)
    if not stat.S_ISREG(info.st_mode):
        raise NotPlainFile(_what(info.st_mode))
    descriptor = os.open(target, _OPEN_FLAGS)
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the check and the open
            raise NotPlainFile(_what(opened.st_mode))
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_text(path: Path, shown: str) -> tuple[str | None, Problem | None]:
    """The file's text (UTF-8, a leading BOM dropped, CRLF as LF; a lone CR stays a
    character, as editors and GitHub count lines at LF), or a problem at 1:1
    (or where the first byte that is not UTF-8 is)."""
    try:
        with open_plain(path) as handle:
            raw = handle.read(MAX_TEXT_BYTES + 1)
    except NotPlainFile as exc:
        return None, Problem(
            "HP013",
            Severity.ERROR,
            _(_NOT_PLAIN[exc.reason]),
            shown,
            Span(1, 1),
            _("put the file itself here, not a link")
            if exc.reason == LINK
            else _("humaspost reads only regular files"),
        )
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return None, Problem(
            "HP001",
            Severity.ERROR,
            _("cannot read the file: {reason}").format(reason=reason),
            shown,
            Span(1, 1),
        )
    return text_of(raw, shown)


def text_of(raw: bytes, shown: str) -> tuple[str | None, Problem | None]:
    """`read_text` for a file's first `MAX_TEXT_BYTES` + 1 bytes, already read."""
    if len(raw) > MAX_TEXT_BYTES:
        return None, Problem(
            "HP014",
            Severity.ERROR,
            _("the file is larger than {size} MiB").format(size=MAX_TEXT_BYTES // 1024 // 1024),
            shown,
            Span(1, 1),
            _("a post or configuration is a few kilobytes; is this the right file?"),
        )
    # The BOM is dropped before decoding, so that the error's byte offsets are those of
    # the text as editors show it ("utf-8-sig" counts them after the BOM).
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return None, Problem(
            "HP002",
            Severity.ERROR,
            _("the file is not UTF-8 text (byte 0x{byte:02x})").format(byte=raw[exc.start]),
            shown,
            Span(line, column),
            _("save the file as UTF-8 in your editor"),
        )
    return _normal_newlines(text), None


def read_plain(path: Path) -> bytes | None:
    """The first `MAX_TEXT_BYTES` + 1 bytes of a regular file, as `read_text` would read
    them (no link, no FIFO to wait on), in fewer calls; None for anything else: the
    caller then reads it with `read_text`, which says why it cannot (check's cache)."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except (OSError, ValueError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        chunks = []
        left = MAX_TEXT_BYTES + 1
        while left > 0 and (chunk := os.read(descriptor, left)):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _normal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n") if "\r" in text else text


def source_lines(path: Path) -> list[str] | None:
    """The lines of a file as problems count them (LF-separated, bytes that are not UTF-8
    shown as U+FFFD), to quote the line a problem points at; None if it may not be read.

    Read like `read_text`: a link, a FIFO or a file too large is never quoted.
    """
    try:
        with open_plain(path) as handle:
            raw = handle.read(MAX_TEXT_BYTES + 1)
    except (NotPlainFile, OSError):
        return None
    if len(raw) > MAX_TEXT_BYTES:
        return None
    return _normal_newlines(raw.decode("utf-8-sig", "replace")).split("\n")


def printable(text: str) -> str:
    """`text` with each lone surrogate (an undecodable byte of a file name, as Python
    keeps it) replaced by U+FFFD ('�'), so that it can be written as UTF-8."""
    return _SURROGATE.sub("\ufffd", text)
