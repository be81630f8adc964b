"""Which post files may go to which accounts.

An account or a group may list `paths`: glob patterns, relative to posts_dir, of the
post files it takes (`kecamatan/bekasi-timur/**`; `*` stays within one folder, `**`
goes to any depth). A post whose file none of them matches may not go there: `check`
reports it (HP118), and a post with an error is never published. Going through a
group, the group's own `paths` and each member account's `paths` apply. An account or
group without `paths` takes posts from every folder.

With CODEOWNERS giving each folder to its office's reviewers (humaspost/codeowners.py)
and branch protection requiring their review, an office can then only post to the
accounts of its own folders. Every command that sends a post to a name applies this
same rule.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # config.py imports nothing from here; the types are enough
    from humaspost.config import Config


@dataclass(frozen=True)
class Refusal:
    """Why a name in `to` may not take a post: whose `paths` leave the post out.

    `group` is the group named (None when an account is named itself); `account` is
    the member account whose own `paths` leave the post out (None when the group's own
    `paths` do).
    """

    group: str | None
    account: str | None
    paths: tuple[str, ...]


def post_path(file: Path, posts_dir: Path) -> str | None:
    """The post file's path relative to posts_dir with '/' between folders, as `paths`
    are written; None for a file outside posts_dir (which no pattern matches)."""
    text, folder = str(file), str(posts_dir) + os.sep
    if not text.startswith(folder):
        return None
    relative = text[len(folder) :]
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


def takes(paths: tuple[str, ...], relative: str | None) -> bool:
    """Whether an account or group with these `paths` takes the post file at
    `relative` (see `post_path`): any of them matches, or there are none."""
    if not paths:
        return True
    if relative is None:
        return False
    from wcmatch import glob  # ~10 ms to import, and most configs scope no account

    # GLOBSTAR: `**` spans folders, as in CODEOWNERS. CASE: capitals count on every
    # system, as they do on GitHub.
    return bool(glob.globmatch(relative, list(paths), flags=glob.GLOBSTAR | glob.CASE))


def refusals(config: Config, name: str, relative: str | None) -> list[Refusal]:
    """Why the account or group `name` may not take the post file at `relative`; empty
    when it may (or when `name` is unknown, which is another problem)."""
    if name in config.accounts:
        paths = config.accounts[name].paths
        return [] if takes(paths, relative) else [Refusal(None, name, paths)]
    members = config.groups.get(name)
    if members is None:
        return []
    own = config.group_paths.get(name, ())
    if not takes(own, relative):
        # The group refuses the post as a whole: its members need not be named too.
        return [Refusal(name, None, own)]
    return [
        Refusal(name, member, config.accounts[member].paths)
        for member in members
        if not takes(config.accounts[member].paths, relative)
    ]


def accounts_for(config: Config, relative: str | None) -> list[str]:
    """The accounts whose own `paths` take the post file at `relative`: the accounts
    of its folder (accounts open to every folder are left out)."""
    return [
        name
        for name, account in config.accounts.items()
        if account.paths and takes(account.paths, relative)
    ]
