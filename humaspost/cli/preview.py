"""`humaspost preview`: exactly what each account receives, for review before merging.

`humaspost.preview.preview_files` checks the files and builds the deliveries; this
module draws them as text or JSON, and `humaspost.preview_html` as a page. Text output
fits 80 columns: each part's lines are indented behind `│`, a real line break ends its
line with `⏎` (a line without one was only wrapped here), and the text beyond a
platform's limit is marked `⟨…⟩`. Times are local, with the day and month named in the
language in use, as in `schedule`. `--format json` is documented in docs/cli.md;
`--format html` is one self-contained page that draws each delivery as its platform
shows it, and loads nothing from the network.

Exit code 1 when a file has errors (a part over its limit is one, HP301); 2 for usage
and configuration errors, such as a file that does not exist or an `--output` that
cannot be written.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    cwd,
    load,
    now_from,
    published_log,
    usable_paths,
    write_output,
)
from humaspost.cli.output import Output, Segment
from humaspost.cli.problems_view import SourceLines, print_json, problem_json, problem_segments
from humaspost.i18n import _, current_language
from humaspost.platforms.rules import MB
from humaspost.preview import (
    DeliveryPreview,
    FilePreview,
    PartPreview,
    Preview,
    platform_name,
    preview_files,
)
from humaspost.preview_html import preview_page
from humaspost.repository import post_files
from humaspost.times import duration_text, format_local_day

WIDTH = 80
_TEXT_INDENT = "      │ "
LINE_END = "⏎"
OVER_START, OVER_END = "⟨", "⟩"


class PreviewFormat(StrEnum):
    """What `preview` writes."""

    TEXT = "text"
    JSON = "json"
    HTML = "html"


def preview(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar=_("FILE..."),
            help=_("Post files (or folders of them) to preview."),
            callback=usable_paths,
            show_default=False,
        ),
    ],
    shown_as: Annotated[
        PreviewFormat,
        typer.Option(
            "--format",
            help=_("text, json, or html (one page that draws each post as its platform does)."),
        ),
    ] = PreviewFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help=_(
                "Write the preview to this file (relative to the current folder) instead "
                "of printing it."
            ),
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Show exactly what each account will receive.

    Every thread part with its length and limit, line breaks, media with alt text, the
    link and the local publish time.

    Exits 1 if a file has errors (a part over its limit is one)."""
    cfg, _config_name = load(config)
    files = post_files(cfg.posts_dir, paths, cwd())
    result = preview_files(cfg, files, now_from(now, cfg), published_log(cfg))
    if shown_as is PreviewFormat.JSON:
        write_output(output, lambda stream: print_json(stream, preview_json(result)))
    elif shown_as is PreviewFormat.HTML:
        page = preview_page(result, current_language())
        write_output(output, lambda stream: stream.write(page))
    else:
        write_output(output, lambda stream: Output(stream).write(_text(result)))
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
        "reshared_by": [
            {"account": name, "after_seconds": int(after.total_seconds())}
            for name, after in delivery.reshared_by
        ],
    }


def _text(result: Preview) -> Iterator[Segment]:
    source = SourceLines(cwd())
    for file in result.files:
        yield file.file, "bold"
        post = "  " + _("(post {post_id})").format(post_id=file.post_id) if file.post_id else ""
        yield post + "\n", "dim"
        yield from problem_segments(file.problems, source)
        for delivery in file.deliveries:
            yield from _delivery_text(delivery, result.timezone)
        yield "\n", None
    yield _summary(result)


def _delivery_text(delivery: DeliveryPreview, tz: ZoneInfo) -> Iterator[Segment]:
    yield "  → ", "dim"
    yield delivery.account, "bold cyan"
    platform = platform_name(delivery.platform)
    if delivery.counted_as != delivery.platform:
        platform = _("{platform}, counted as {counted}").format(
            platform=platform, counted=platform_name(delivery.counted_as)
        )
    yield f" ({platform})\n", None
    yield from _when(delivery, tz)
    count = len(delivery.parts)
    for index, part in enumerate(delivery.parts):
        yield from _part_text(part, index, count)
        if index == 0:
            yield from _attachments(delivery)
    if not delivery.parts:
        yield "    " + _("nothing to send") + "\n", "bold red"
    if delivery.reshared_by:
        who = ", ".join(f"{name} +{duration_text(after)}" for name, after in delivery.reshared_by)
        yield "    " + _("re-shared by {accounts}").format(accounts=who) + "\n", "dim"


def _when(delivery: DeliveryPreview, tz: ZoneInfo) -> Iterator[Segment]:
    draft = "  " + _("(draft: checked, never published)") if delivery.draft else ""
    if delivery.repeat is not None:
        repeats = _("repeats '{repeat}'{draft}, next:").format(repeat=delivery.repeat, draft=draft)
        yield f"    {repeats}\n", None
        for moment in delivery.times:
            yield f"      {format_local_day(moment, tz)}\n", None
        if not delivery.times:
            yield "      " + _("no more occurrences") + "\n", "yellow"
    elif delivery.times:
        at = _("at {time}").format(time=format_local_day(delivery.times[0], tz))
        yield f"    {at}{draft}\n", None
    else:
        yield "    " + _("no publish time") + f"{draft}\n", "yellow"


def _part_text(part: PartPreview, index: int, count: int) -> Iterator[Segment]:
    numbers = {"number": index + 1, "count": count, "length": part.length}
    if part.limit is not None:
        heading = _("part {number}/{count}: {length} of {limit}").format(
            **numbers, limit=part.limit
        )
    else:
        heading = _("part {number}/{count}: {length} (no limit)").format(**numbers)
    heading = "    " + heading
    if part.over_by:
        yield heading, None
        over = _(", {over_by} over; {marks} does not fit").format(
            over_by=part.over_by, marks=f"{OVER_START}…{OVER_END}"
        )
        yield over + "\n", "bold red"
        text = f"{part.fits}{OVER_START}{part.overflow}{OVER_END}"
    else:
        yield heading + "\n", None
        text = part.text
    if not text:
        yield _TEXT_INDENT + _("(no text)") + "\n", "dim"
    lines = text.split("\n") if text else []
    for number, line in enumerate(lines):
        shown = line + (LINE_END if number < len(lines) - 1 else "")
        for row in _rows(shown, WIDTH - len(_TEXT_INDENT)):
            yield _TEXT_INDENT, "dim"
            yield row + "\n", None


def _attachments(delivery: DeliveryPreview) -> Iterator[Segment]:
    """Media and link, which go with the first part."""
    for item in delivery.media:
        found = f"{item.format}, {_size(item.size)}" if item.size is not None else _("unusable")
        yield "    " + _("media: {file} ({found})").format(file=item.file, found=found) + "\n", None
        alt = _("alt: {alt}").format(alt=item.alt) if item.alt else _("alt: (none)")
        for row in _rows(alt, WIDTH - 6):
            yield f"      {row}\n", None if item.alt else "yellow"
    if delivery.link is not None:
        yield "    " + _("link: {link}").format(link=delivery.link) + "\n", None


def _size(size: int) -> str:
    if size >= MB // 10:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return _("{size} bytes").format(size=size)


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
    if result.errors:
        mark, style = "✗", "bold red"
    elif result.warnings:
        mark, style = "!", "bold yellow"
    else:
        mark, style = "✓", "bold green"
    return f"{mark} {result.summary()}\n", style
