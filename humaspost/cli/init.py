"""`humaspost init`: start a repository of posts (staff, on the first day)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from humaspost.cli.common import DebugOption, NowOption, cwd, now_in
from humaspost.cli.output import Output, Segment
from humaspost.repository import shown_name
from humaspost.scaffold import TIMEZONE, Scaffold, init_repository

# Messages (kept together so that the translation step can extract them).
MADE = "created "
KEPT = "kept    "
KEPT_NOTE = "  (exists; left unchanged)"
NOTHING_MADE = "Nothing to create: every file already exists.\n"
NEXT_STEPS = """
Next:
{cd}  humaspost check                     validate the config and the posts
  humaspost new "Judul pengumuman"    start a new post
  humaspost publish --sandbox         send what is due to the practice account
"""
CD = "  cd {folder}\n"


def init(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="The folder to create the repository in (created if missing)."
        ),
    ] = Path("."),
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Set up a repository of posts to start from.

    Creates humaspost.yaml, posts/ with an example, media/, .gitignore, .env.example
    and a CI workflow. Never overwrites a file."""
    here = cwd()
    result = init_repository(here / folder, now_in(now, TIMEZONE))
    Output(sys.stdout).write(_lines(result, shown_name(result.root.absolute(), here)))


def _lines(result: Scaffold, folder: str) -> list[Segment]:
    lines: list[Segment] = []
    prefix = "" if folder == "." else f"{folder}/"
    for path in result.made:
        lines += [(MADE, "bold green"), (f"{prefix}{path.as_posix()}\n", None)]
    for path in result.kept:
        lines += [(KEPT, "bold yellow"), (f"{prefix}{path.as_posix()}{KEPT_NOTE}\n", None)]
    if not result.made:
        lines.append((NOTHING_MADE, None))
    cd = "" if folder == "." else CD.format(folder=shlex.quote(folder))
    lines.append((NEXT_STEPS.format(cd=cd), None))
    return lines
