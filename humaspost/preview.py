"""`preview`: exactly what each account receives from some post files.

Every file is loaded and checked as `check` checks it (`check_and_keep`, then
`check_across_posts` over the files given); each account the post goes to (groups and
defaults expanded) gets its parts as `render` makes them for publishing, each measured
and cut where the platform's limit falls. `humaspost.cli.preview` draws it as text or
JSON, `humaspost.preview_html` as a page.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from humaspost.checks import (
    FileResult,
    MediaCache,
    Published,
    check_across_posts,
    check_and_keep,
)
from humaspost.config import Account, Config
from humaspost.i18n import _, ngettext
from humaspost.platforms.rules import rules_for
from humaspost.posts import Post
from humaspost.problems import Problem, Severity
from humaspost.render import render
from humaspost.repeats import occurrences
from humaspost.reshare_plan import offset, resharers

# How many coming occurrences of a repeating post are shown.
SHOWN_OCCURRENCES = 3
# The platforms as their users call them; a plugin's by its own name.
PLATFORM_NAMES = {"twitter": "X", "facebook": "Facebook"}


@dataclass(frozen=True)
class PartPreview:
    """One post as the platform receives it, measured and cut at the platform's limit."""

    text: str
    length: int
    limit: int | None
    fits: str  # the text up to the limit: all of it when it fits
    overflow: str  # the text beyond the limit: "" when it fits

    @property
    def over_by(self) -> int:
        """How far the part is over its limit (0 when it fits)."""
        return 0 if self.limit is None else max(0, self.length - self.limit)


@dataclass(frozen=True)
class MediaPreview:
    """A media item (its path from the repository root), with what checking found in
    the file."""

    file: str
    alt: str | None
    format: str | None  # None: the file is unusable (its problem says why)
    size: int | None
    path: Path  # the file itself, as the post names it


@dataclass(frozen=True)
class DeliveryPreview:
    """What one account receives from one post, and when."""

    account: str
    platform: str
    counted_as: str  # the platform whose rules apply (a sandbox account may be `like` X)
    draft: bool
    repeat: str | None
    times: tuple[datetime, ...]  # UTC: the publish time, or a repeat's next occurrences
    parts: tuple[PartPreview, ...]
    media: tuple[MediaPreview, ...]
    link: str | None
    # `amplify`: who re-shares this delivery, and how long after it goes out.
    reshared_by: tuple[tuple[str, timedelta], ...] = ()


@dataclass(frozen=True)
class FilePreview:
    """One file: its problems (as `check` reports them) and its deliveries."""

    file: str
    post_id: str | None
    problems: tuple[Problem, ...]
    deliveries: tuple[DeliveryPreview, ...]

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(p.severity is Severity.ERROR for p in self.problems)


@dataclass(frozen=True)
class Preview:
    """The preview of every file given, with the timezone its times are shown in and
    the repository root (media files are read only inside it)."""

    files: tuple[FilePreview, ...]
    timezone: ZoneInfo
    root: Path

    @property
    def failed(self) -> bool:
        """Whether a file has errors (a part over its limit is one: HP301)."""
        return any(f.errors for f in self.files)

    @property
    def errors(self) -> int:
        """How many problems of all the files are errors."""
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        """How many problems of all the files are warnings."""
        return sum(len(f.problems) for f in self.files) - self.errors

    def summary(self) -> str:
        """The last line of the preview, without its mark: `1 file, 2 deliveries: no
        problems`, or how many errors and warnings there are."""
        files = len(self.files)
        deliveries = sum(len(f.deliveries) for f in self.files)
        counts = {
            "files": ngettext("{count} file", "{count} files", files).format(count=files),
            "deliveries": ngettext("{count} delivery", "{count} deliveries", deliveries).format(
                count=deliveries
            ),
        }
        if not self.errors and not self.warnings:
            return _("{files}, {deliveries}: no problems").format(**counts)
        return _("{files}, {deliveries}: {errors}, {warnings}").format(
            **counts,
            errors=ngettext("{count} error", "{count} errors", self.errors).format(
                count=self.errors
            ),
            warnings=ngettext("{count} warning", "{count} warnings", self.warnings).format(
                count=self.warnings
            ),
        )


def platform_name(platform: str) -> str:
    """A platform as its users call it: `X` for twitter."""
    return PLATFORM_NAMES.get(platform, platform)


def preview_files(
    config: Config, files: list[tuple[Path, str]], now: datetime, published: Published | None
) -> Preview:
    """Check the files (absolute path, name to show) as `check` does and show what each
    of their accounts receives; `now` starts a repeat's coming occurrences."""
    cache = MediaCache(config.root, config.state_dir)
    loaded = [check_and_keep(path, shown, config, now, cache, published) for path, shown in files]
    across = check_across_posts([result for _post, result in loaded])
    previews = []
    for (_path, shown), (post, result) in zip(files, loaded, strict=True):
        problems = result.problems + [p for p in across if p.file == shown]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        previews.append(
            FilePreview(
                shown,
                post.id if post is not None else None,
                tuple(problems),
                _deliveries(post, result, config, now, cache) if post is not None else (),
            )
        )
    return Preview(tuple(previews), config.timezone, config.root)


def _deliveries(
    post: Post, result: FileResult, config: Config, now: datetime, cache: MediaCache
) -> tuple[DeliveryPreview, ...]:
    # The checked post lists the accounts after groups and defaults, as publishing does.
    assert result.post is not None
    accounts = [config.accounts[d.account] for d in result.post.deliveries]
    times = _times(post, config, now)
    return tuple(
        replace(
            _delivery(post, account, times, cache, config.root),
            reshared_by=_reshared_by(post, account, config),
        )
        for account in accounts
    )


def _reshared_by(post: Post, account: Account, config: Config) -> tuple[tuple[str, timedelta], ...]:
    """Who re-shares the delivery to `account`, each with its time after it goes out."""
    if post.amplify is None:
        return ()
    who = resharers(post, account, config)
    after, spread = post.amplify.after, post.amplify.spread
    return tuple(
        (member.name, offset(index, len(who), after, spread)) for index, member in enumerate(who)
    )


def _times(post: Post, config: Config, now: datetime) -> tuple[datetime, ...]:
    if post.repeat is None:
        return (post.publish_at,) if post.publish_at is not None else ()
    # What is to come: from now, or from publish_at if the repeat starts later.
    start = max(now, post.publish_at) if post.publish_at is not None else now
    coming = occurrences(post.repeat, start, config.timezone, post.until)
    return tuple(itertools.islice(coming, SHOWN_OCCURRENCES))


def _delivery(
    post: Post, account: Account, times: tuple[datetime, ...], cache: MediaCache, root: Path
) -> DeliveryPreview:
    rules = rules_for(account.rules_platform)
    parts = []
    for part in render(post, account):
        fits, overflow = rules.split_at_limit(part.text)
        parts.append(
            PartPreview(part.text, rules.measure(part.text), rules.max_length, fits, overflow)
        )
    content = post.content_for(account.platform, account.rules_platform)
    media = []
    for item in content.media or ():
        info = cache.known(item.path)
        media.append(
            MediaPreview(
                _from_root(item.file, item.path, root),
                item.alt,
                info.format if info is not None else None,
                info.size if info is not None else None,
                item.path,
            )
        )
    return DeliveryPreview(
        account=account.name,
        platform=account.platform,
        counted_as=rules.name,
        draft=post.draft,
        repeat=post.repeat,
        times=times,
        parts=tuple(parts),
        media=tuple(media),
        link=content.link,
    )


def _from_root(written: str, path: Path, root: Path) -> str:
    """A media file's path from the repository root (`media/peta.png`): the same for
    every post, where the post writes it relative to itself. A path outside the
    repository (an error, HP202) stays as written."""
    relative = os.path.relpath(path, root)
    return written if relative.startswith("..") else Path(relative).as_posix()
