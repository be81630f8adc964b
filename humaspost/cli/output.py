"""Styled text to a stream: through rich on a terminal, plain text otherwise.

rich is imported only for a terminal: in CI and cron the output is plain anyway, and
importing and laying out through rich would cost a short `check` run a tenth of its time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

# A piece of text and its rich style (None: unstyled).
Segment = tuple[str, str | None]


class Output:
    """Where a command writes human-readable results or errors."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, segments: Iterable[Segment]) -> None:
        """Write the segments, styled where the stream is a terminal."""
        pieces = list(segments)
        if not self.stream.isatty():
            self.stream.write("".join(text for text, _ in pieces))
            return
        from rich.console import Console
        from rich.text import Text

        console = Console(file=self.stream, highlight=False, soft_wrap=True)
        text = Text()
        for piece, style in pieces:
            text.append(piece, style)
        console.print(text, end="")
