"""Headless Chromium for the tests of humaspost's pages (preview, report, calendar):
Debian's `chromium` (.ci/run installs it with apt-get where it is missing) run on a
page file with a new profile, for the DOM after layout, a screenshot or a PDF; and PNG
images written and read with the standard library alone.

A test module takes the browser with a fixture of its own:

    @pytest.fixture(scope="module")
    def chromium() -> str:
        return find_chromium()
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import tempfile
import zlib
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# A loaded machine may take long to start chromium, never this long.
TIMEOUT = 240

RGB = tuple[int, int, int]


def find_chromium() -> str:
    """Debian's chromium; the test is skipped, saying why, where it is missing."""
    found = shutil.which("chromium")
    if found is None:
        pytest.skip(
            "chromium is not installed: .ci/run installs it with apt-get, which was "
            "unavailable or failed here (apt-get install chromium)"
        )
    return found


def run_chromium(binary: str, page: Path, window: tuple[int, int], *args: str) -> bytes:
    """Run headless chromium on the page in a window of `window` (width, height) CSS
    pixels, with a new profile; its standard output. Its processes are killed as a
    group if it hangs."""
    with tempfile.TemporaryDirectory(prefix="humaspost-chromium-") as profile:
        command = [
            binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={window[0]},{window[1]}",
            *args,
            page.as_uri(),
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            out, err = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"chromium did not finish in {TIMEOUT} s")
        assert process.returncode == 0, err.decode(errors="replace")[-2000:]
        return out


def screenshot(binary: str, page: Path, png_path: Path, window: tuple[int, int]) -> None:
    """Draw the page, in a window of `window`, into `png_path`."""
    run_chromium(binary, page, window, f"--screenshot={png_path}")
    assert png_path.is_file(), "chromium wrote no screenshot"


def print_to_pdf(binary: str, page: Path, pdf_path: Path) -> None:
    """Print the page (its print stylesheet, its own paper size) into `pdf_path`."""
    run_chromium(binary, page, (1240, 1480), "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}")
    assert pdf_path.is_file(), "chromium wrote no PDF"


class PageText(HTMLParser):
    """The text and the element names of a document (as `--dump-dom` gives it)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.elements: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements[tag] += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def dom_after_layout(binary: str, page: Path, window: tuple[int, int]) -> PageText:
    """The page's document as chromium has it after loading and laying it out."""
    dom = PageText()
    dom.feed(run_chromium(binary, page, window, "--dump-dom").decode("utf-8"))
    return dom


def png(width: int, height: int, pixel: Callable[[int, int], RGB]) -> bytes:
    """A PNG image (8-bit RGB) whose colour at (x, y) is `pixel(x, y)`."""
    rows = b"".join(
        b"\x00" + bytes(channel for x in range(width) for channel in pixel(x, y))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def decode_png(data: bytes) -> tuple[int, int, list[RGB]]:
    """Width, height and every pixel's colour of an 8-bit RGB or RGBA PNG (what
    chromium writes), with the standard library alone."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    position, idat = 8, b""
    width = height = channels = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytes(stride)
    pixels: list[RGB] = []
    for row in range(height):
        start = row * (stride + 1)
        line = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], previous, channels)
        pixels += zip(line[0::channels], line[1::channels], line[2::channels], strict=True)
        previous = line
    return width, height, pixels


def _unfilter(kind: int, line: bytes, previous: bytes, channels: int) -> bytes:
    """One scanline with its PNG filter undone (filters 0-4, RFC 2083 6.3)."""
    if kind == 0:
        return line
    if kind == 2:
        return bytes((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
    out = bytearray(line)
    for i in range(len(out)):
        left = out[i - channels] if i >= channels else 0
        if kind == 1:
            out[i] = (out[i] + left) & 0xFF
            continue
        up = previous[i]
        if kind == 3:
            out[i] = (out[i] + (left + up) // 2) & 0xFF
            continue
        corner = previous[i - channels] if i >= channels else 0
        guess = left + up - corner
        to_left, to_up, to_corner = abs(guess - left), abs(guess - up), abs(guess - corner)
        if to_left <= to_up and to_left <= to_corner:
            out[i] = (out[i] + left) & 0xFF
        elif to_up <= to_corner:
            out[i] = (out[i] + up) & 0xFF
        else:
            out[i] = (out[i] + corner) & 0xFF
    return bytes(out)
