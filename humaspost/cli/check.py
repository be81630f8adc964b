"""`humaspost check`: validate the config and post files (CI and staff)."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from humaspost.checks import (
    CheckedPost,
    CheckReport,
    config_warnings,
    narrowed,
    run_check,
)
from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    cwd,
    environment,
    load,
    now_from,
    usable_paths,
)
from humaspost.cli.output import Output, Segment
from humaspost.cli.problems_view import (
    SourceLines,
    github_line,
    print_json,
    problem_json,
    problem_segments,
)
from humaspost.config import Config
from humaspost.env_file import env_file_problems
from humaspost.i18n import _, ngettext
from humaspost.log_location import log_at_hand
from humaspost.problems import ConfigError, Problem, UsageError
from humaspost.repository import post_files, shown_name

if TYPE_CHECKING:  # the cache is imported where it is used: not with --no-cache, nor in CI
    from humaspost.check_cache import CheckCache


class CheckFormat(StrEnum):
    """Output formats of `check`."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar=_("PATH..."),
            help=_("Post files or folders to check. Default: all of posts_dir."),
            callback=usable_paths,
        ),
    ] = None,
    output: Annotated[
        CheckFormat, typer.Option("--format", help=_("text, json, or github (annotations)."))
    ] = CheckFormat.TEXT,
    strict: Annotated[bool, typer.Option("--strict", help=_("Fail on warnings too."))] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help=_(
                "Check only the post files added, modified or renamed since the git "
                "commit REF (compared with all posts for duplicates)."
            ),
        ),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help=_("Check every file anew, neither reading nor writing the cache.")
        ),
    ] = False,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir",
            metavar="DIR",
            help=_("Keep the cache of results in DIR. Default: the state folder."),
        ),
    ] = None,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Validate the config and post files. Needs no secrets and no network."""
    try:
        cfg, shown = load(config)
    except ConfigError as exc:
        _render(output, CheckReport(0, [], exc.problems), to_stderr=True)
        raise typer.Exit(2) from None
    if changed_since is not None and paths:
        raise UsageError(_("give post files or --changed-since, not both"))
    when = now_from(now, cfg)
    cache = _cache(cfg, no_cache, cache_dir)
    try:
        if changed_since is None:
            files = post_files(cfg.posts_dir, paths or [], cwd())
            report = _run(cfg, files, when, cache, every_post=not paths)
        else:
            report = _check_changed(cfg, changed_since, when, cache)
    finally:
        if cache is not None:
            cache.close()
    report.problems.extend(env_file_problems(cfg.root, cwd()))
    report.problems.extend(config_warnings(cfg, shown))
    report.problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
    _render(output, report, to_stderr=False, changed_since=changed_since)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(1)


def _cache(cfg: Config, no_cache: bool, cache_dir: Path | None) -> CheckCache | None:
    """The cache to use: none with --no-cache, and none in CI (`$CI` set, as GitHub
    Actions and most CI services set it) unless --cache-dir says where: a fresh checkout
    would only pay for writing a cache it never reads."""
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
    if no_cache or (cache_dir is None and in_ci):
        return None
    from humaspost.check_cache import open_cache

    return open_cache(cfg, cwd() / cache_dir if cache_dir else None)


def _run(
    cfg: Config,
    files: list[tuple[Path, str]],
    now: datetime,
    cache: CheckCache | None,
    *,
    every_post: bool,
) -> CheckReport:
    workers = os.cpu_count() or 1
    location, published = log_at_hand(cfg, environment(cfg))
    if location is None:
        # No log here (CI): what went out, and the inbox, are not checked, and not said.
        return run_check(cfg, files, now, workers=workers, cache=cache, every_post=every_post)
    from humaspost.replies import inbox_of  # only where there is a log

    # Opened again when a reply asks, after the worker processes: none inherits it.
    with inbox_of(lambda: location, tolerant=True) as inbox:
        return run_check(
            cfg,
            files,
            now,
            workers=workers,
            published=published,
            inbox=inbox,
            cache=cache,
            every_post=every_post,
        )


def _check_changed(cfg: Config, ref: str, now: datetime, cache: CheckCache | None) -> CheckReport:
    from humaspost.changes import changed_post_files  # asks git

    here = cwd()
    changed = [
        (path, shown_name(path, here)) for path in changed_post_files(cfg.root, cfg.posts_dir, ref)
    ]
    if not changed:
        return CheckReport(0, [], [])
    every = post_files(cfg.posts_dir, [], here)
    return narrowed(_run(cfg, every, now, cache, every_post=True), changed)


def _render(
    output: CheckFormat, report: CheckReport, *, to_stderr: bool, changed_since: str | None = None
) -> None:
    if output is CheckFormat.JSON:
        print_json(sys.stdout, report_json(report))
    elif output is CheckFormat.GITHUB:
        for problem in report.problems:
            sys.stdout.write(github_line(problem) + "\n")
        sys.stdout.write(_summary(report, changed_since)[0] + "\n")
    else:
        out = Output(sys.stderr if to_stderr else sys.stdout)
        out.write(
            [
                *problem_segments(report.problems, SourceLines(cwd())),
                _summary(report, changed_since),
            ]
        )


def _summary(report: CheckReport, changed_since: str | None) -> Segment:
    """`✗ 3 files, 4 posts: 1 error, 2 warnings`, in the language in use."""
    files = ngettext("{count} file", "{count} files", report.files).format(count=report.files)
    posts = ngettext("{count} post", "{count} posts", len(report.posts)).format(
        count=len(report.posts)
    )
    if changed_since is None:
        counts = f"{files}, {posts}"
    elif not report.files and not report.problems:
        text = _("✓ no post files changed since {ref}: nothing to check").format(ref=changed_since)
        return text + "\n", "bold green"
    else:
        counts = _("{files} changed since {ref}, {posts}").format(
            files=files, ref=changed_since, posts=posts
        )
    if not report.problems:
        return _("✓ {counts}: no problems").format(counts=counts) + "\n", "bold green"
    errors = ngettext("{count} error", "{count} errors", report.errors).format(count=report.errors)
    warnings = ngettext("{count} warning", "{count} warnings", report.warnings).format(
        count=report.warnings
    )
    mark, style = ("✗", "bold red") if report.errors else ("!", "bold yellow")
    return f"{mark} {counts}: {errors}, {warnings}\n", style


def report_json(report: CheckReport) -> dict[str, Any]:
    """The stable JSON form of a check report (see docs/cli.md)."""
    return {
        "files": report.files,
        "posts": len(report.posts),
        "errors": report.errors,
        "warnings": report.warnings,
        "problems": [problem_json(p) for p in _ordered(report.problems)],
        "posts_checked": [_post_json(post) for post in report.posts],
    }


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0))


def _post_json(post: CheckedPost) -> dict[str, Any]:
    return {
        "id": post.id,
        "file": post.file,
        "deliveries": [
            {
                "account": d.account,
                "platform": d.platform,
                "publish_at": d.publish_at.isoformat() if d.publish_at else None,
                "repeat": d.repeat,
                "draft": d.draft,
                "parts": [{"length": p.length, "limit": p.limit} for p in d.parts],
                "media": d.media,
            }
            for d in post.deliveries
        ],
    }
