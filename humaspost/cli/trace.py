"""`humaspost trace`: who wrote what went out, who approved it, and exactly what it was."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    OutputFormat,
    SandboxOption,
    cwd,
    environment,
    load,
)
from humaspost.cli.output import Output
from humaspost.cli.problems_view import print_json
from humaspost.i18n import _
from humaspost.tables import terminal_width
from humaspost.trace import trace as trace_of
from humaspost.trace import trace_json, trace_text


def trace(
    given: Annotated[
        str,
        typer.Argument(
            metavar=_("DELIVERY|POST"),
            help=_(
                "A delivery's number, as `log` shows it; or a post's id or file, for"
                " every delivery of that post."
            ),
            show_default=False,
        ),
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help=_("text or json."))
    ] = OutputFormat.TEXT,
    sandbox: SandboxOption = False,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Who wrote and who approved what went out, and its exact text.

    For a delivery, or every delivery of a post: the post file and the git commit it
    was sent from, its author, the merge that brought it and who approved it (from
    the merge's Reviewed-by and Approved-by trailers), the text as sent, and where it
    was published. Reads the publish log and git; changes nothing.
    """
    cfg = load(config)[0]
    here = cwd()
    result = trace_of(cfg, given, cwd=here, sandbox=sandbox, environ=environment(cfg))
    if output is OutputFormat.JSON:
        print_json(sys.stdout, trace_json(result))
    else:
        Output(sys.stdout).write(trace_text(result, cfg, here, width=terminal_width()))
