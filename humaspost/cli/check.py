"""`humaspost check`: validate the config and post files (CI and staff)."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from humaspost.checks import CheckedPost, CheckReport, run_check
from humaspost.cli.common import (
    ConfigOption,
    DebugOption,
    NowOption,
    cwd,
    load,
    now_from,
    published_log,
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
from humaspost.problems import ConfigError, Problem
from humaspost.repository import post_files


class CheckFormat(StrEnum):
    """Output formats of `check`."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Post files or folders to check. Default: all of posts_dir.",
            callback=usable_paths,
        ),
    ] = None,
    output: Annotated[
        CheckFormat, typer.Option("--format", help="text, json, or github (annotations).")
    ] = CheckFormat.TEXT,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    config: ConfigOption = None,
    now: NowOption = None,
    debug: DebugOption = False,
) -> None:
    """Validate the config and post files. Needs no secrets and no network."""
    try:
        cfg, _ = load(config)
    except ConfigError as exc:
        _render(output, CheckReport(0, [], exc.problems), to_stderr=True)
        raise typer.Exit(2) from None
    files = post_files(cfg.posts_dir, paths or [], cwd())
    report = run_check(
        cfg, files, now_from(now, cfg), workers=os.cpu_count() or 1, published=published_log(cfg)
    )
    _render(output, report, to_stderr=False)
    if report.errors or (strict and report.warnings):
        raise typer.Exit(1)


def _render(output: CheckFormat, report: CheckReport, *, to_stderr: bool) -> None:
    if output is CheckFormat.JSON:
        print_json(sys.stdout, report_json(report))
    elif output is CheckFormat.GITHUB:
        for problem in report.problems:
            sys.stdout.write(github_line(problem) + "\n")
        sys.stdout.write(_summary(report)[0] + "\n")
    else:
        out = Output(sys.stderr if to_stderr else sys.stdout)
        out.write([*problem_segments(report.problems, SourceLines(cwd())), _summary(report)])


def _summary(report: CheckReport) -> Segment:
    counts = f"{_plural(report.files, 'file')}, {_plural(len(report.posts), 'post')}"
    if not report.problems:
        return f"✓ {counts}: no problems\n", "bold green"
    found = f"{_plural(report.errors, 'error')}, {_plural(report.warnings, 'warning')}"
    mark, style = ("✗", "bold red") if report.errors else ("!", "bold yellow")
    return f"{mark} {counts}: {found}\n", style


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


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
