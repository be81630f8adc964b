"""`humaspost preview`: exactly what each account receives, for review before merging.

`humaspost.preview.preview_files` checks the files and builds the deliveries; this
module draws them. Text output fits 80 columns: each part's lines are indented behind
`│`, a real line break ends its line with `⏎` (a line without one was only wrapped
here), and the text beyond a platform's limit is marked `⟨…⟩`. Times are local, with
Indonesian day and month names as in `schedule`. `--format json` is documented in
docs/cli.md.

Exit code 1 when a file has errors (a part over its limit is one, HP301); 2 for usage
and configuration errors, such as a file that does not exist.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    OutputFormat,
    cwd,
    load,
    now_from,
    published_log,
    usable_paths,
)
from humaspost.cli.output import Output, Segment
from humaspost.cli.problems_view import SourceLines, print_json, problem_json, problem_segments
from humaspost.platforms.rules import MB
from humaspost.preview import DeliveryPreview, FilePreview, PartPreview, Preview, preview_files
from humaspost.repository import post_files
from humaspost.times import format_local_day

WIDTH = 80
_TEXT_INDENT = "      │ "
_PLATFORM_NAMES = {"twitter": "X", "facebook": "Facebook"}
LINE_END = "⏎"
OVER_START, OVER_END = "⟨", "⟩"


def preview(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Post files (or folders of them) to preview.",
            callback=usable_paths,
            show_default=False,
        ),
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text or json.")
    ] = OutputFormat.TEXT,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Show exactly what each account will receive.

    Every thread part with its length and limit, line breaks, media with alt text, the
    link and the local publish time.

    Exits 1 if a file has errors (a part over its limit is one)."""
    cfg, _ = load(config)
    files = post_files(cfg.posts_dir, paths, cwd())
    result = preview_files(cfg, files, now_from(now, cfg), published_log(cfg))
    if output is OutputFormat.JSON:
        print_json(sys.stdout, preview_json(result))
    else:
        Output(sys.stdout).write(_text(result))
    if result.failed:
        raise typer.Exit(1)


def preview_json(result: Preview) -> dict[str, Any]:
    """The stable JSON form of a preview (see docs/cli.md)."""
    return {"files": [_file_json(f, result.timezone) for f in result.files]}


def _file_json(file: FilePreview, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "file": file.file,
        "post": file.post_id,
        "problems": [problem_json(p) for p in file.problems],
        "deliveries": [_delivery_json(d, tz) for d in file.deliveries],
    }


def _delivery_json(delivery: DeliveryPreview, tz: ZoneInfo) -> dict[str, Any]:
    times = [
        {"publish_at": t.isoformat(), "local_time": format_local_day(t, tz)} for t in delivery.times
    ]
    return {
        "account": delivery.account,
        "platform": delivery.platform,
        **(times[0] if times else {"publish_at": None, "local_time": None}),
        "repeat": delivery.repeat,
        "occurrences": times,
        "draft": delivery.draft,
        "parts": [
            {
                "text": p.text,
                "length": p.length,
                "limit": p.limit,
                "over_by": p.over_by,
                "overflow": p.overflow,
            }
            for p in delivery.parts
        ],
        "media": [
            {"file": m.file, "alt": m.alt, "format": m.format, "bytes": m.size}
            for m in delivery.media
        ],
        "link": delivery.link,
    }


def _text(result: Preview) -> Iterator[Segment]:
    source = SourceLines(cwd())
    for file in result.files:
        yield file.file, "bold"
        yield (f"  (post {file.post_id})\n" if file.post_id else "\n"), "dim"
        yield from problem_segments(file.problems, source)
        for delivery in file.deliveries:
            yield from _delivery_text(delivery, result.timezone)
        yield "\n", None
    yield _summary(result)


def _delivery_text(delivery: DeliveryPreview, tz: ZoneInfo) -> Iterator[Segment]:
    yield "  → ", "dim"
    yield delivery.account, "bold cyan"
    platform = _PLATFORM_NAMES.get(delivery.platform, delivery.platform)
    if delivery.counted_as != delivery.platform:
        platform += f", counted as {_PLATFORM_NAMES.get(delivery.counted_as, delivery.counted_as)}"
    yield f" ({platform})\n", None
    yield from _when(delivery, tz)
    count = len(delivery.parts)
    for index, part in enumerate(delivery.parts):
        yield from _part_text(part, index, count)
        if index == 0:
            yield from _attachments(delivery)
    if not delivery.parts:
        yield "    nothing to send\n", "bold red"


def _when(delivery: DeliveryPreview, tz: ZoneInfo) -> Iterator[Segment]:
    draft = "  (draft: checked, never published)" if delivery.draft else ""
    if delivery.repeat is not None:
        yield f"    repeats '{delivery.repeat}'{draft}, next:\n", None
        for moment in delivery.times:
            yield f"      {format_local_day(moment, tz)}\n", None
        if not delivery.times:
            yield "      no more occurrences\n", "yellow"
    elif delivery.times:
        yield f"    at {format_local_day(delivery.times[0], tz)}{draft}\n", None
    else:
        yield f"    no publish time{draft}\n", "yellow"


def _part_text(part: PartPreview, index: int, count: int) -> Iterator[Segment]:
    limit = f" of {part.limit}" if part.limit is not None else " (no limit)"
    heading = f"    part {index + 1}/{count}: {part.length}{limit}"
    if part.over_by:
        yield heading, None
        yield f", {part.over_by} over; {OVER_START}…{OVER_END} does not fit\n", "bold red"
        text = f"{part.fits}{OVER_START}{part.overflow}{OVER_END}"
    else:
        yield heading + "\n", None
        text = part.text
    if not text:
        yield f"{_TEXT_INDENT}(no text)\n", "dim"
    lines = text.split("\n") if text else []
    for number, line in enumerate(lines):
        shown = line + (LINE_END if number < len(lines) - 1 else "")
        for row in _rows(shown, WIDTH - len(_TEXT_INDENT)):
            yield _TEXT_INDENT, "dim"
            yield row + "\n", None


def _attachments(delivery: DeliveryPreview) -> Iterator[Segment]:
    """Media and link, which go with the first part."""
    for item in delivery.media:
        found = f"{item.format}, {_size(item.size)}" if item.size is not None else "unusable"
        yield f"    media: {item.file} ({found})\n", None
        alt = f"alt: {item.alt}" if item.alt else "alt: (none)"
        for row in _rows(alt, WIDTH - 6):
            yield f"      {row}\n", None if item.alt else "yellow"
    if delivery.link is not None:
        yield f"    link: {delivery.link}\n", None


def _size(size: int) -> str:
    if size >= MB // 10:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def _rows(line: str, width: int) -> list[str]:
    """`line` wrapped to `width` terminal columns, at a space where there is one; every
    character is kept, so the rows joined give the line back."""
    rows = []
    while _columns(line) > width:
        used = cut = space = 0
        for index, char in enumerate(line):
            used += _columns(char)
            if used > width:
                break
            cut = index + 1
            if char == " ":
                space = index + 1
        # A word longer than the row is cut where the row ends.
        end = space or cut or 1
        rows.append(line[:end])
        line = line[end:]
    rows.append(line)
    return rows


def _columns(text: str) -> int:
    """How many terminal columns `text` takes: wide characters two, marks none."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200d\ufe0f":
            continue
        total += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return total


def _summary(result: Preview) -> Segment:
    files = len(result.files)
    deliveries = sum(len(f.deliveries) for f in result.files)
    errors = sum(f.errors for f in result.files)
    warnings = sum(len(f.problems) for f in result.files) - errors
    counts = f"{_plural(files, 'file')}, {_plural(deliveries, 'delivery', 'deliveries')}"
    if not errors and not warnings:
        return f"✓ {counts}: no problems\n", "bold green"
    found = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    mark, style = ("✗", "bold red") if errors else ("!", "bold yellow")
    return f"{mark} {counts}: {found}\n", style


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"
