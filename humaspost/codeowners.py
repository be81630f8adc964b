"""The CODEOWNERS file made from the config, and whether the repository's is current.

GitHub asks the owners of the files a pull request changes for their review; with
branch protection requiring it, an office's posts need its reviewers' approval and
the config needs the city office's. The file gives:

- everything (`*`) to the config's top-level `owners` (the city office);
- each pattern of an account's or group's `paths` (under posts_dir) to its `owners`;
- the config file, `media/` and `.github/` (this file and the workflow whose check
  job branch protection requires) to the top-level `owners` again, last, so that no
  office's pattern can take them (in CODEOWNERS the last matching line wins).

`check` compares the rules (not the comments, which are in the language in use) with
the repository's CODEOWNERS and warns when they differ (HP512).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from humaspost.config import Config
from humaspost.i18n import _
from humaspost.problems import Problem, Severity, Span, UsageError

# Where GitHub looks for the file, in its order: the first one found is used.
LOCATIONS = (Path(".github") / "CODEOWNERS", Path("CODEOWNERS"), Path("docs") / "CODEOWNERS")
WRITTEN = LOCATIONS[0]
_WILDCARDS = frozenset("*?")


@dataclass(frozen=True)
class Rule:
    """One line of CODEOWNERS: a path pattern from the repository's root, its owners."""

    pattern: str
    owners: tuple[str, ...]


def git_root(folder: Path) -> Path | None:
    """The top folder of the git work tree holding `folder`; None when it is in none,
    or git is not installed."""
    from humaspost.gitsource import NoCheckout, run_git  # only a config relying on git asks

    found = run_git(folder, "rev-parse", "--show-toplevel")
    if isinstance(found, NoCheckout) or found.returncode != 0 or not found.stdout.strip():
        return None
    return Path(os.fsdecode(found.stdout.rstrip(b"\n"))).resolve()


def has_owners(config: Config) -> bool:
    """Whether the config names reviewers anywhere (top level, accounts, groups)."""
    return bool(
        config.owners
        or config.group_owners
        or any(account.owners for account in config.accounts.values())
    )


def rules(config: Config, root: Path) -> list[Rule]:
    """The rules of the CODEOWNERS file for the repository at `root`, in order.

    Raises UsageError when a path cannot be written in CODEOWNERS (posts_dir outside
    the repository, or a space in its name).
    """
    city = config.owners
    found: list[Rule] = [Rule("*", city)] if city else []
    found += _office_rules(config, _from_root(config.posts_dir, root))
    if city:
        found += [
            Rule(f"/{_from_root(config.path, root)}", city),
            Rule(f"/{_from_root(config.root / 'media', root)}/", city),
            Rule("/.github/", city),
        ]
    return found


def _office_rules(config: Config, posts: str) -> list[Rule]:
    """A rule for each pattern of the accounts' and groups' `paths` that have `owners`.
    One pattern listed by several accounts gets one line with all their owners (a
    second line would override the first); general patterns come before specific ones."""
    scoped = [(account.paths, account.owners) for account in config.accounts.values()]
    scoped += [
        (config.group_paths.get(name, ()), owners) for name, owners in config.group_owners.items()
    ]
    owners_of: dict[str, list[str]] = {}
    for paths, owners in scoped:
        if not owners:
            continue
        for pattern in paths:
            known = owners_of.setdefault(pattern, [])
            known.extend(owner for owner in owners if owner not in known)
    prefix = f"/{posts}/" if posts else "/"
    ordered = sorted(owners_of, key=_specificity)
    return [Rule(prefix + pattern, tuple(owners_of[pattern])) for pattern in ordered]


def _specificity(pattern: str) -> tuple[int, int]:
    """How specific a pattern is: the folders it names before any wildcard, then its
    depth. `kecamatan/**` comes before `kecamatan/bekasi-timur/**`."""
    parts = pattern.split("/")
    named = next((i for i, part in enumerate(parts) if _WILDCARDS & set(part)), len(parts))
    return named, len(parts)


def _from_root(path: Path, root: Path) -> str:
    """`path` relative to the repository's root, with '/' between folders ('' for the
    root itself)."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(
            _("{path} is outside the git repository {root}: CODEOWNERS cannot name it").format(
                path=path, root=root
            )
        ) from None
    if any(character.isspace() for character in relative):
        raise UsageError(
            _("{path} has a space in its name, which a CODEOWNERS file cannot hold").format(
                path=relative
            )
        )
    return "" if relative == "." else relative


def codeowners_text(config: Config, root: Path) -> str:
    """The whole CODEOWNERS file: a header saying where it comes from, then the rules."""
    header = _(
        "# Made by 'humaspost codeowners' from {config}: do not edit it here.\n"
        "# Change 'owners' and 'paths' there, then run: humaspost codeowners --write\n"
        "# The last line that matches a file names its reviewers.\n"
    ).format(config=_from_root(config.path, root))
    lines = [f"{rule.pattern}  {' '.join(rule.owners)}\n" for rule in rules(config, root)]
    return header + "\n" + "".join(lines)


def current_file(root: Path) -> Path | None:
    """The CODEOWNERS file GitHub uses in the repository at `root`, if there is one."""
    return next((root / place for place in LOCATIONS if (root / place).is_file()), None)


def _rule_lines(text: str) -> list[list[str]]:
    """The rules of a CODEOWNERS text, as words: comments, blank lines and spacing
    make no difference to GitHub."""
    return [
        line.split()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def stale_problem(config: Config, shown: str, root: Path) -> Problem | None:
    """HP512 (at the config file, 1:1) when the config names owners and the
    repository's CODEOWNERS is missing or does not say what the config says."""
    if not has_owners(config):
        return None
    hint = _("run 'humaspost codeowners --write' and commit {file}").format(file=WRITTEN.as_posix())
    try:
        wanted = _rule_lines(codeowners_text(config, root))
    except UsageError as error:
        return _warning(shown, str(error), None)
    existing = current_file(root)
    if existing is None:
        message = _("the config names 'owners', but the repository has no CODEOWNERS file")
        return _warning(shown, message, hint)
    try:
        written = existing.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        message = _("{file} cannot be read: {reason}").format(
            file=_from_root(existing, root), reason=error.strerror
        )
        return _warning(shown, message, None)
    if _rule_lines(written) == wanted:
        return None
    message = _(
        "{file} is older than the config: it does not give the folders to the owners the "
        "config names"
    ).format(file=_from_root(existing, root))
    hint = _("run 'humaspost codeowners --write' and commit it")
    return _warning(shown, message, hint)


def _warning(shown: str, message: str, hint: str | None) -> Problem:
    return Problem("HP512", Severity.WARNING, message, shown, Span(1, 1), hint)
