"""Finding post files in the repository, and naming them the way users see them."""

from __future__ import annotations

import os
from pathlib import Path

from humaspost.i18n import _
from humaspost.posts import NEAR_MISS_SUFFIXES, POST_SUFFIXES
from humaspost.problems import UsageError
from humaspost.textfile import printable


def shown_name(path: Path, cwd: Path) -> str:
    """The path as users see it: relative to the current folder where possible.

    Bytes of a file name that are not UTF-8 are shown as U+FFFD ('�'), as editors do:
    Python keeps them as lone surrogates, which no UTF-8 output (JSON, a terminal, the
    publish log) can hold.
    """
    text, here = str(path), str(cwd) + os.sep
    if text.startswith(here):  # the common case, without pathlib's cost per file
        relative = text[len(here) :]
        shown = relative if os.sep == "/" else relative.replace(os.sep, "/")
    else:
        relative = os.path.relpath(text, cwd)
        shown = Path(relative).as_posix() if not relative.startswith("../../..") else text
    return shown if shown.isascii() else printable(shown)


# Near misses are listed too, so that `check` says why they will never be published.
_LISTED_SUFFIXES = POST_SUFFIXES + NEAR_MISS_SUFFIXES


def _ignored(name: str) -> bool:
    # Templates and notes (`_template.md`) and hidden files are not posts.
    return name.startswith(("_", "."))


def is_post_path(path: Path, posts_dir: Path) -> bool:
    """Whether `path` is a file `walk_posts` would list (for a watcher's events)."""
    try:
        parts = path.relative_to(posts_dir).parts
    except ValueError:
        return False
    return (
        bool(parts)
        and not any(_ignored(part) for part in parts)
        and parts[-1].lower().endswith(_LISTED_SUFFIXES)
    )


def walk_posts(folder: Path) -> list[Path]:
    """Post files (and near misses such as `.markdown`) under `folder`, sorted; skips
    names starting with '_' or '.'."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not _ignored(d)]
        found.extend(
            os.path.join(root, name)
            for name in files
            if name.lower().endswith(_LISTED_SUFFIXES) and not _ignored(name)
        )
    found.sort()
    return [Path(path) for path in found]


def post_files(posts_dir: Path, paths: list[Path], cwd: Path) -> list[tuple[Path, str]]:
    """(absolute path, shown name) of the files to check: all of posts_dir, or `paths`.

    A folder in `paths` is searched like posts_dir; a file named explicitly is always
    taken, so that a mistake in it is reported rather than skipped.
    """
    if not paths:
        if not posts_dir.is_dir():
            shown = shown_name(posts_dir, cwd)
            raise UsageError(_("posts_dir {folder} does not exist").format(folder=shown))
        files = walk_posts(posts_dir)
    else:
        files = []
        for given in paths:
            absolute = Path(os.path.abspath(cwd / given))
            # The folders' links are resolved, not the file's own: a post file that is
            # a link is read as one, and refused (HP013), as when posts_dir is searched.
            path = absolute.parent.resolve() / absolute.name
            if path.is_dir():
                files.extend(walk_posts(path))
            elif os.path.lexists(path):
                files.append(path)
            else:
                raise UsageError(_("no such file or folder: {path}").format(path=given))
    unique = dict.fromkeys(files)
    return [(path, shown_name(path, cwd)) for path in unique]
