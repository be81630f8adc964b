"""Media files: what they are (from their first bytes, not their name) and how big."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from humaspost.i18n import N_
from humaspost.textfile import open_plain

# The identity of a media file: where its path leads, and what stat says of the file
# there (device, inode, type, size, modification and change times), or why stat
# failed there (the error's number, negative: not found, not a folder, a link loop).
Stamp = tuple[str, tuple[int, ...]]


def media_stamp(path: str) -> Stamp:
    """Where `path` leads and the stat of the file there: if both are as they were, so
    is the file (its change time moves with any write, and cannot be set back)."""
    try:
        resolved = os.path.realpath(path)
    except ValueError:  # a NUL in the name: no file has it
        return path, (0,)
    try:
        info = os.stat(resolved)
    except OSError as error:
        return resolved, (-(error.errno or 1),)
    return resolved, (
        info.st_dev,
        info.st_ino,
        info.st_mode,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    )


class MediaKind(StrEnum):
    """How platforms treat a file: still image, animated GIF, or video."""

    IMAGE = "image"
    GIF = "gif"
    VIDEO = "video"


@dataclass(frozen=True)
class MediaInfo:
    """A media file's detected format, kind and size in bytes."""

    format: str
    kind: MediaKind
    size: int


class UnsupportedMedia(ValueError):
    """The file's bytes are not a format humaspost can post. `str()` says what the file
    is, in English as marked for the catalog: translate it with `_()` where it is shown."""


# Signatures of the formats X and Facebook accept, plus a few common ones to name in errors.
_HEAD = 32


def _detect(head: bytes) -> tuple[str, MediaKind] | str:
    """(format, kind) for a supported file, else a description of what it is: marked
    for the catalog and left in English, to be translated where it is shown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", MediaKind.IMAGE
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", MediaKind.IMAGE
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", MediaKind.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", MediaKind.IMAGE
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"heis", b"hevc", b"msf1"):
            return N_("a HEIC photo (export it as JPEG)")
        if brand == b"qt  ":
            return "mov", MediaKind.VIDEO
        return "mp4", MediaKind.VIDEO
    if head.startswith(b"%PDF"):
        return N_("a PDF document (export the page as an image)")
    if head.startswith(b"PK\x03\x04"):
        return N_("a ZIP or Office document")
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return N_("an SVG drawing (export it as PNG)")
    if head.startswith(b"BM"):
        return N_("a BMP image (convert it to PNG or JPEG)")
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return N_("a TIFF image (convert it to PNG or JPEG)")
    return N_("not an image or video humaspost knows")


def inspect_media(path: Path, inside: Path | None = None) -> MediaInfo:
    """Detect the format of a media file (inside the folder `inside`; without it, the
    path must not be a link) from its first bytes. Raises UnsupportedMedia, or
    NotPlainFile for a FIFO, a device, a folder or a file outside `inside`: those are
    never read (a FIFO would wait, /dev/zero never end)."""
    with open_plain(path, inside=inside) as handle:
        head = handle.read(_HEAD)
        size = os.fstat(handle.fileno()).st_size
    found = _detect(head)
    if isinstance(found, str):
        raise UnsupportedMedia(found)
    media_format, kind = found
    return MediaInfo(media_format, kind, size)
