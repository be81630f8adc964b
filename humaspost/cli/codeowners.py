"""`humaspost codeowners`: the CODEOWNERS file made from the config (the office head)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from humaspost.cli.common import ConfigOption, DebugOption, cwd, load
from humaspost.cli.output import Output
from humaspost.codeowners import WRITTEN, codeowners_text, git_root, has_owners
from humaspost.i18n import _
from humaspost.problems import UsageError
from humaspost.repository import shown_name


def codeowners(
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help=_(
                "Write it to .github/CODEOWNERS at the repository's root instead of printing it."
            ),
        ),
    ] = False,
    config: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Print the CODEOWNERS file made from the config.

    Each office's folders ('paths') go to its reviewers ('owners'); the config file,
    media/ and .github/ go to the top-level 'owners'. With branch protection requiring
    the code owners' review, no post goes out without their approval."""
    cfg, _shown = load(config)
    if not has_owners(cfg):
        raise UsageError(_("the config names no 'owners': there is nobody to put in CODEOWNERS"))
    root = git_root(cfg.root) or cfg.root
    text = codeowners_text(cfg, root)
    if not cfg.owners:
        # Without them, an office could approve its own change to the config.
        Output(sys.stderr).write(
            [
                (
                    _(
                        "note: the config has no top-level 'owners', so nobody's review "
                        "is needed for changes to the config, media/ or .github/"
                    )
                    + "\n",
                    "yellow",
                )
            ]
        )
    if not write:
        sys.stdout.write(text)
        return
    path = root / WRITTEN
    shown = shown_name(path, cwd())
    try:
        if path.is_file() and path.read_text(encoding="utf-8", errors="replace") == text:
            Output(sys.stdout).write([(_("{file} is up to date").format(file=shown) + "\n", None)])
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(
            _("cannot write {file}: {reason}").format(file=shown, reason=exc.strerror)
        ) from None
    Output(sys.stdout).write(
        [(_("wrote {file}: commit it with the config").format(file=shown) + "\n", "bold green")]
    )
