"""Warnings about the `.env` file beside the config: its secrets must stay private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from humaspost.i18n import _
from humaspost.problems import Problem, Severity, Span
from humaspost.repository import shown_name

ENV_FILE = ".env"


def env_file_problems(root: Path, cwd: Path) -> list[Problem]:
    """HP510 warnings when `root/.env` holds values and git tracks it or others can
    read it. The file's lines are never shown (the problems are marked secret)."""
    path = root / ENV_FILE
    try:
        mode = path.stat().st_mode
        holds_values = stat.S_ISREG(mode) and _holds_values(path)
    except OSError:  # missing, or unreadable to us: nothing to warn about
        return []
    if not holds_values:
        return []
    shown = shown_name(Path(os.path.abspath(path)), cwd)
    problems = []
    from humaspost.changes import is_tracked  # asks git: only where a .env holds values

    if is_tracked(root, ENV_FILE):
        problems.append(
            _warning(
                shown,
                _(
                    "{file} holds values and is tracked by git: "
                    "everyone who can read the repository can read them"
                ).format(file=ENV_FILE),
                _(
                    "run `git rm --cached {file}`, add {file} to .gitignore, and "
                    "replace the secrets: they stay in git's history"
                ).format(file=ENV_FILE),
            )
        )
    if mode & 0o044:
        problems.append(
            _warning(
                shown,
                _(
                    "{file} holds values and other users of this computer can read it (mode {mode})"
                ).format(file=ENV_FILE, mode=f"{stat.S_IMODE(mode):04o}"),
                _("run `chmod 600 {file}`").format(file=ENV_FILE),
            )
        )
    return problems


def _holds_values(path: Path) -> bool:
    from dotenv import dotenv_values  # only needed when there is a .env

    return any(dotenv_values(path).values())


def _warning(shown: str, message: str, hint: str) -> Problem:
    return Problem("HP510", Severity.WARNING, message, shown, Span(1, 1), hint, secret=True)
