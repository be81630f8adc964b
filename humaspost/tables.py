"""Text laid out for a terminal of a given width, as `schedule`, `log` and `accounts`
show it: rows whose detail (a URL, an error) goes on the next line when it does not fit,
long text broken between words under a hanging indent, sandbox addresses shortened.

Text is a list of segments, `(text, style)` pairs (`style` is a rich style name, or
None), as `humaspost.cli.output.Output` writes them. The width is the terminal's
(`COLUMNS`, else 80 off a terminal); a word longer than a line is never cut.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from humaspost.config import Config
from humaspost.i18n import _
from humaspost.lifecycle import State
from humaspost.platforms.sandbox import outbox_file_name
from humaspost.repository import shown_name

# A piece of text and its style (None: unstyled).
Segment = tuple[str, str | None]
# Pieces that are never broken across lines: a word, or a unit such as "X_KEY set".
Word = list[Segment]

# The narrowest layout: below this, lines overflow rather than break into crumbs.
MIN_WIDTH = 40
# Continuation lines of a message under a label (`warning: `, `daemon: `).
MESSAGE_INDENT = 2
# Between a row and its detail on the same line, and between the items of a list.
GAP = "  "
# A space never broken at ("18 scheduled" stays whole); written as a plain space.
KEEP = "\u00a0"
# How each state looks on a terminal, in `schedule` and `log` alike.
STATE_STYLE = {
    State.SCHEDULED: "cyan",
    State.WAITING: "dim cyan",
    State.DUE: "bold cyan",
    State.SENDING: "cyan",
    State.SENT: "green",
    State.RETRYING: "yellow",
    State.FAILED: "bold red",
    State.UNKNOWN: "bold red",
    State.MISSED: "yellow",
    State.DRAFT: "dim",
    State.BLOCKED: "bold magenta",
    State.RETRACTED: "dim",
}
# A command quoted in a hint stays whole on one line, so that it can be copied.
_QUOTED_COMMAND = re.compile(r"'humaspost [^']*'")


def terminal_width() -> int:
    """The width to lay text out in: `COLUMNS`, else the terminal's, else 80 (cron, a
    pipe), never under MIN_WIDTH."""
    return max(shutil.get_terminal_size().columns, MIN_WIDTH)


def text_width(segments: Iterable[Segment]) -> int:
    """How many columns the segments take (every character humaspost shows takes one)."""
    return sum(len(text) for text, _ in segments)


def words(segments: Iterable[Segment]) -> list[Word]:
    """The segments split at whitespace into words, each word keeping its pieces'
    styles; a quoted `'humaspost ...'` command is one word. (A line break inside a
    message, as a platform's error may have, becomes a space.)"""
    pieces = list(segments)
    joined = "".join(text for text, _ in pieces)
    kept = {i for m in _QUOTED_COMMAND.finditer(joined) for i in range(m.start(), m.end())}
    found: list[Word] = []
    word: Word = []
    offset = 0
    for text, style in pieces:
        start = 0
        for index, char in enumerate(text):
            if char.isspace() and char != KEEP and offset + index not in kept:
                if index > start:
                    word.append((text[start:index], style))
                if word:
                    found.append(word)
                    word = []
                start = index + 1
        if start < len(text):
            word.append((text[start:], style))
        offset += len(text)
    if word:
        found.append(word)
    return found


def flow(
    items: Iterable[Word], width: int, indent: int, *, gap: str = " ", start: int = 0
) -> list[Segment]:
    """Words filled into lines of at most `width` columns, `gap` between them; the first
    line has `start` columns written already, every later one starts with `indent`
    spaces. Ends with a newline."""
    lines: list[Segment] = []
    used, first_on_line = start, True
    for item in items:
        size = text_width(item)
        if not first_on_line and used + len(gap) + size > width:
            lines.append(("\n" + " " * indent, None))
            used = indent
        elif not first_on_line:
            lines.append((gap, None))
            used += len(gap)
        lines.extend((text.replace(KEEP, " "), style) for text, style in item)
        used += size
        first_on_line = False
    lines.append(("\n", None))
    return lines


def wrapped(segments: Iterable[Segment], width: int, indent: int) -> list[Segment]:
    """One line of text (a message, a hint), broken between words to fit `width`; the
    spaces it starts with are kept."""
    pieces = list(segments)
    joined = "".join(text for text, _ in pieces)
    lead = len(joined) - len(joined.lstrip(" "))
    laid_out = flow(words(pieces), width, indent, start=lead)
    return [(" " * lead, None), *laid_out] if lead else laid_out


def row(head: list[Segment], detail: list[Segment], width: int, indent: int) -> list[Segment]:
    """A row and its detail: on one line when both fit in `width`, else the detail on
    the next line(s), `indent` spaces in. The head is kept as it is (its columns are
    aligned with spaces); an empty detail leaves the head alone."""
    if not detail:
        return [*head, ("\n", None)]
    if text_width(head) + len(GAP) + text_width(detail) <= width:
        return [*head, (GAP, None), *detail, ("\n", None)]
    return [*head, ("\n", None), *wrapped([(" " * indent, None), *detail], width, indent)]


def short_address(url: str) -> str:
    """A delivery's address as text output shows it: a sandbox address as the name of
    its outbox file (the account's folder is said once, in `sandbox_note`); others as
    they are."""
    return outbox_file_name(url) or url


def is_sandbox_address(url: str | None) -> bool:
    """Whether `url` is where the sandbox put a delivery."""
    return url is not None and outbox_file_name(url) is not None


def sandbox_note(cfg: Config, cwd: Path, width: int) -> list[Segment]:
    """Once, under deliveries with a shortened sandbox address: where their files are."""
    folder = shown_name(cfg.state_dir / "sandbox", cwd)
    note = _("sandbox files are in {folder}/<account>/").format(folder=folder)
    return wrapped([(note, "dim")], width, MESSAGE_INDENT)
