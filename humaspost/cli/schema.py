"""`humaspost schema`: the JSON Schema of post files, printed or written to a file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from humaspost.cli.common import DebugOption, cwd
from humaspost.i18n import _
from humaspost.json_schema import post_json_schema
from humaspost.problems import UsageError
from humaspost.times import quoted


def schema(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help=_(
                "Write the schema to this file (relative to the current folder) instead "
                "of printing it."
            ),
            show_default=False,
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Print the JSON Schema of post files.

    For editors (the YAML language server) and CI tools such as check-jsonschema."""
    # Not ASCII-escaped: the descriptions are read as hover help, and a file the editor
    # loads is UTF-8 anyway.
    text = json.dumps(post_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        (cwd() / output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            _("cannot write {file}: {reason}").format(file=quoted(str(output)), reason=exc.strerror)
        ) from None
