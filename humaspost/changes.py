"""What git knows about the repository: post files changed since a commit, tracked files.

git is asked itself (not a diff parsed by a shell script), so that file names with
spaces or other odd bytes and renamed files are handled as git sees them.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from humaspost.i18n import _
from humaspost.problems import UsageError
from humaspost.repository import is_post_path


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError(_("--changed-since needs git, which is not installed")) from None


def _first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else _("git failed")


def changed_post_files(root: Path, posts_dir: Path, ref: str) -> list[Path]:
    """Post files under `posts_dir` added, modified or renamed since `ref` (absolute,
    sorted): what `git diff REF` shows against the working tree, deleted files left out.

    Raises UsageError when `root` is not in a git repository or git does not know `ref`.
    """
    known = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if known.returncode != 0:
        if b"not a git repository" in known.stderr:
            raise UsageError(
                _("--changed-since: {root} is not in a git repository").format(root=root)
            )
        if known.stderr:
            raise UsageError(f"--changed-since: {_first_line(known.stderr)}")
        raise UsageError(
            _(
                "--changed-since: git does not know {ref}; fetch it first "
                "(in GitHub Actions: actions/checkout with fetch-depth: 0)"
            ).format(ref=repr(ref))
        )
    pathspec = ":(literal)" + os.path.relpath(posts_dir, root)
    diff = _git(
        root,
        "diff",
        "--name-only",
        "-z",
        "--relative",
        "--find-renames",
        "--diff-filter=AMR",
        ref,
        "--",
        pathspec,
    )
    if diff.returncode != 0:
        raise UsageError(f"--changed-since: {_first_line(diff.stderr)}")
    names = [os.fsdecode(name) for name in diff.stdout.split(b"\0") if name]
    paths = sorted(root / name for name in names)
    return [path for path in paths if is_post_path(path, posts_dir) and os.path.lexists(path)]


def is_tracked(root: Path, name: str) -> bool:
    """Whether git tracks the file `name` (relative to `root`); False outside git."""
    return _git(root, "ls-files", "--error-unmatch", "--", name).returncode == 0
