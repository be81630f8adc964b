"""`humaspost new`: start a post file from a template (staff)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from humaspost.cli.common import ConfigOption, DebugOption, NowOption, cwd, load, now_from
from humaspost.i18n import _
from humaspost.newpost import create_post
from humaspost.repository import shown_name


def new(
    title: Annotated[
        str,
        typer.Argument(
            metavar=_("TITLE"), help=_("The post's title: its first line and file name.")
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help=_(
                "When to publish, local time, e.g. '2026-12-10 09:00'. Default: tomorrow 09:00."
            ),
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help=_("Accounts and groups, separated by commas. Default: the config's defaults.to."),
            show_default=False,
        ),
    ] = None,
    as_yaml: Annotated[
        bool, typer.Option("--yaml", help=_("Write a .yaml post instead of .md."))
    ] = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Create a post file named from its date and title.

    Prints the new file's path."""
    cfg = load(config)[0]
    path = create_post(cfg, title, at=at, to=to, as_yaml=as_yaml, now=now_from(now, cfg))
    # The path alone, so that a script can open it: `$EDITOR "$(humaspost new ...)"`.
    sys.stdout.write(shown_name(path, cwd()) + "\n")
