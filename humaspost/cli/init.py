"""`humaspost init`: start a repository of posts (staff, on the first day)."""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from humaspost import i18n
from humaspost.cli.common import DebugOption, NowOption, cwd, now_in
from humaspost.cli.output import Output, Segment
from humaspost.i18n import _, pgettext
from humaspost.repository import shown_name
from humaspost.scaffold import INIT_LANGUAGE, TIMEZONE, Git, Scaffold, init_repository


class Language(StrEnum):
    """The languages `init` writes a repository in."""

    ID = "id"
    EN = "en"


_DEFAULT_LANGUAGE = Language(INIT_LANGUAGE)


def init(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar=_("DIR"),
            help=_("The folder to create the repository in (created if missing)."),
        ),
    ] = Path("."),
    language: Annotated[
        Language,
        typer.Option(
            "--language",
            help=_(
                "The repository's language, written into its config: id (Bahasa "
                "Indonesia) or en (English). Its files' comments, and what init says, "
                "are in it too."
            ),
        ),
    ] = _DEFAULT_LANGUAGE,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Set up a repository of posts to start from.

    Creates humaspost.yaml, posts/ with an example, media/, .gitignore, .env.example
    and a CI workflow, and runs git init where the folder is in no git repository.
    Never overwrites a file."""
    # From here on in the language of the repository being made.
    i18n.use(language.value)
    here = cwd()
    result = init_repository(here / folder, now_in(now, TIMEZONE), language.value)
    Output(sys.stdout).write(_lines(result, shown_name(result.root.absolute(), here)))


def _lines(result: Scaffold, folder: str) -> list[Segment]:
    lines: list[Segment] = []
    prefix = "" if folder == "." else f"{folder}/"
    made = pgettext("init: a file it wrote", "created")
    kept = pgettext("init: a file that existed", "kept")
    label_width = max(len(made), len(kept)) + 1
    for path in result.made:
        lines += [(made.ljust(label_width), "bold green"), (f"{prefix}{path.as_posix()}\n", None)]
    for path in result.kept:
        note = _("(exists; left unchanged)")
        lines += [
            (kept.ljust(label_width), "bold yellow"),
            (f"{prefix}{path.as_posix()}  {note}\n", None),
        ]
    if not result.made:
        lines.append((_("Nothing to create: every file already exists.") + "\n", None))
    git = _git_line(result, folder)
    if git is not None:
        lines.append(git)
    cd = "" if folder == "." else f"  cd {shlex.quote(folder)}\n"
    steps = _(
        "\n"
        "Next:\n"
        "{cd}  humaspost check                     validate the config and the posts\n"
        '  humaspost new "Announcement title"  start a new post\n'
        "  humaspost publish --sandbox         send what is due to the practice account\n"
    )
    lines.append((steps.format(cd=cd), None))
    return lines


def _git_line(result: Scaffold, folder: str) -> Segment | None:
    """What init says about git: the repository it made, or why it made none."""
    if result.git is Git.MADE:
        if folder == ".":
            text = _("Made a git repository here: commit these files to start its history.")
        else:
            text = _(
                "Made a git repository in {folder}: commit these files to start its history."
            ).format(folder=folder)
        return text + "\n", None
    if result.git is Git.MISSING:
        text = _(
            "git is not installed, so no git repository was made: "
            "'publish_from: committed' needs one to publish."
        )
        return text + "\n", "bold yellow"
    if result.git is Git.FAILED:
        text = _("'git init' failed, so no git repository was made: {reason}").format(
            reason=result.git_error or _("git said nothing")
        )
        return text + "\n", "bold yellow"
    return None
