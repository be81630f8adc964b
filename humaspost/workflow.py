"""The steps `schedule`, `publish` and the daemon share: load and check the posts, open
the right publish log, and plan against it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from humaspost.checks import (
    FileResult,
    InboxLookup,
    MediaCache,
    check_across_posts,
    check_and_keep,
    inbox_problems,
)
from humaspost.config import COMMITTED, Config
from humaspost.gitsource import Checkout, FileHashes, NoCheckout, find_checkout, read_hashed
from humaspost.lifecycle import RowState, needs_action
from humaspost.plan import Delivery, PlannedPost, plan
from humaspost.platforms.base import PartReceipt
from humaspost.posts import POST_SUFFIXES, Post, load_post
from humaspost.problems import Problem, Severity
from humaspost.publog import (
    DeliveryKey,
    Kind,
    LogRow,
    PublishLog,
)
from humaspost.render import render
from humaspost.repository import post_files, shown_name


@dataclass(frozen=True)
class LoadedPosts:
    """Every post that loaded (blocked if its file has errors) and every problem found."""

    planned: list[PlannedPost]
    problems: list[Problem]
    # The git checkout the posts were read from, or why there is none (None: not looked
    # for, in a part of the posts planned on its own).
    git: Checkout | NoCheckout | None = None

    @property
    def errors(self) -> list[Problem]:
        """The problems that block posts."""
        return [p for p in self.problems if p.severity is Severity.ERROR]


def load_posts(
    config: Config, cwd: Path, now: datetime, *, inbox: InboxLookup | None = None
) -> LoadedPosts:
    """Load and check every post under posts_dir. A file with errors blocks its post;
    the others go on. In a git checkout each post gets its `source`. With `inbox`,
    replies are checked against the inbox (HP127, HP128) like everything else."""
    cache = MediaCache(config.root, config.state_dir)
    files = post_files(config.posts_dir, [], cwd)
    git = find_checkout(config.root, config.posts_dir)
    kept = [load_file(path, shown, config, now, cache, git, inbox)[:2] for path, shown in files]
    results = [result for _, result in kept]
    problems = [p for r in results for p in r.problems] + check_across_posts(results)
    bad_files = {p.file for p in problems if p.severity is Severity.ERROR}
    planned = [
        PlannedPost(post, blocked=post.shown in bad_files) for post, _ in kept if post is not None
    ]
    problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
    return LoadedPosts(planned, problems, git)


# A file that writes an id of its own (`id: 2026/12/banjir-siaga`, at the top level).
_EXPLICIT_ID = re.compile(rb"^id[ \t]*:", re.MULTILINE)


def load_posts_with_ids(config: Config, cwd: Path, ids: Iterable[str]) -> LoadedPosts:
    """The posts with these ids, as their files are now, read without `load_posts`'
    checks (for what only reads them, such as `report`; no problems are looked for):
    each from the file its id names (`<posts_dir>/<id>.md`, `.yaml` or `.yml`), and
    for an id no such file has, from a file that writes an `id:` of its own. Ids whose
    file is gone are left out."""
    wanted = set(ids)
    found: dict[str, Post] = {}
    tried: set[Path] = set()
    posts_dir = config.posts_dir

    def load(path: Path) -> Post | None:
        tried.add(path)
        post = load_post(path, shown_name(path, cwd), posts_dir, config.timezone).post
        return post if post is not None and post.id in wanted else None

    for post_id in sorted(wanted):
        if ".." in post_id.split("/"):
            continue  # no file under posts_dir has it
        for suffix in POST_SUFFIXES:
            path = posts_dir / f"{post_id}{suffix}"
            if path.is_file() and (post := load(path)) is not None and post.id == post_id:
                found[post_id] = post
                break
    if wanted - found.keys():
        for path, _shown in post_files(posts_dir, [], cwd):
            if path in tried or not path.is_file():
                continue
            try:
                explicit = _EXPLICIT_ID.search(path.read_bytes())
            except OSError:
                continue
            if explicit and (post := load(path)) is not None:
                found.setdefault(post.id, post)
    return LoadedPosts([PlannedPost(post, blocked=False) for post in found.values()], [])


def load_file(
    path: Path,
    shown: str,
    config: Config,
    now: datetime,
    media: MediaCache,
    git: Checkout | NoCheckout,
    inbox: InboxLookup | None = None,
) -> tuple[Post | None, FileResult, FileHashes | None]:
    """`check_and_keep` one post file; in a git checkout the post gets its source, and
    the blob ids of the bytes it was read from come back too (None outside git). With
    `inbox`, a reply is checked against it (outside check_and_keep: a log that cannot be
    read is no bug of the file)."""

    def load() -> tuple[Post | None, FileResult]:
        return check_and_keep(path, shown, config, now, media, {})

    if isinstance(git, NoCheckout):
        (post, result), hashes = load(), None
    else:
        (post, result), hashes = read_hashed(path, git.algorithm, load)
        if post is not None:
            post = replace(post, source=git.source(path, hashes))
    if inbox is not None and result.reply is not None:
        result.problems.extend(inbox_problems(result.reply, inbox))
    return post, result, hashes


def committed_only(config: Config, *, sandbox: bool) -> bool:
    """Whether a run sends posts only as the checked-out commit has them: with
    `publish_from: committed`, except `--sandbox` rehearsals (they never reach the
    public, and training happens on laptops with edits not committed)."""
    return config.publish_from == COMMITTED and not sandbox


def plan_from_log(
    loaded: LoadedPosts,
    config: Config,
    log: PublishLog | None,
    now: datetime,
    until: datetime,
    *,
    record: bool = True,
) -> list[Delivery]:
    """Plan the loaded posts against what the log knows (nothing, without a log).
    With `record` false the log is only read (`--dry-run`)."""
    if log is None:
        return plan(loaded.planned, config, {}, now, until=until, first_seen={})
    known = log_inputs(loaded, log, now, record=record)
    return plan(
        loaded.planned,
        config,
        known.rows,
        now,
        until=until,
        first_seen=known.first_seen,
        receipts=known.receipts,
    )


@dataclass(frozen=True)
class LogInputs:
    """What planning the loaded posts reads from the log (see `plan`'s arguments)."""

    rows: dict[DeliveryKey, LogRow]
    first_seen: dict[str, datetime]
    receipts: dict[int, PartReceipt]


def log_inputs(loaded: LoadedPosts, log: PublishLog, now: datetime, *, record: bool) -> LogInputs:
    """The log's rows of the loaded posts, when the posts that need it were first seen
    (recorded now for those seen the first time, if `record`), and the first parts of
    the sent deliveries of amplified posts."""
    return read_log(log_query(loaded), log, now, record=record)


@dataclass(frozen=True)
class LogQuery:
    """What `log_inputs` asks the log about: the posts' ids; those of repeats without
    a time and of replies without one, ready to go (`unanchored`) or not (`waiting`);
    and those of amplified posts."""

    post_ids: list[str]
    unanchored: list[str]
    waiting: list[str]
    amplified: set[str]


def log_query(loaded: LoadedPosts) -> LogQuery:
    """What to ask the log about the loaded posts."""
    posts = [p.post for p in loaded.planned]
    unanchored = [p.id for p in posts if p.repeat is not None and p.publish_at is None]
    replies = [p for p in loaded.planned if seen_when_ready(p) is not None]
    unanchored += [p.post.id for p in replies if seen_when_ready(p)]
    waiting = [p.post.id for p in replies if not seen_when_ready(p)]
    amplified = {p.id for p in posts if p.amplify is not None}
    return LogQuery([post.id for post in posts], unanchored, waiting, amplified)


def seen_when_ready(planned: PlannedPost) -> bool | None:
    """For a reply without a time (due when first seen ready to go): whether it is
    ready (seen while a draft or held back by errors, it would be missed by the time
    it is fixed); None for any other post."""
    post = planned.post
    if post.reply_to is None or post.publish_at is not None:
        return None
    return not (planned.blocked or post.draft)


def read_log(query: LogQuery, log: PublishLog, now: datetime, *, record: bool) -> LogInputs:
    """`log_inputs` of the posts `query` was made of."""
    rows = log.rows_for_posts(query.post_ids)
    unanchored, waiting = query.unanchored, query.waiting
    first_seen = log.first_seen(unanchored, now, record=record) if unanchored else {}
    if waiting:
        first_seen.update(log.first_seen(waiting, now, record=False))
    # What each sent delivery of an amplified post is on its platform: its re-shares
    # re-share that.
    receipts = {
        row.id: parts[0]
        for row in rows.values()
        if row.key.post_id in query.amplified
        and row.kind is Kind.POST
        and row.state is RowState.SENT
        if (parts := log.parts(row.id))
    }
    return LogInputs(rows, first_seen, receipts)


def sendable(deliveries: list[Delivery], now: datetime) -> list[Delivery]:
    """Deliveries a publisher should act on now (see `lifecycle.needs_action`)."""
    return [d for d in deliveries if needs_action(d.state, d.row, d.ready_at, now)]


def first_part_texts(
    config: Config, cwd: Path, keys: Iterable[DeliveryKey]
) -> dict[DeliveryKey, str]:
    """The text of the first part each delivery's account gets, as the post file says it
    now (for `log --format csv`). A delivery whose post file no longer loads, or whose
    account is no longer in the config, is left out."""
    wanted = list(keys)
    ids = {key.post_id for key in wanted}
    posts: dict[str, Post] = {}
    for path, shown in post_files(config.posts_dir, [], cwd):
        post = load_post(path, shown, config.posts_dir, config.timezone).post
        if post is not None and post.id in ids:
            posts.setdefault(post.id, post)
    texts = {}
    for key in wanted:
        post, account = posts.get(key.post_id), config.accounts.get(key.account)
        if post is not None and account is not None:
            parts = render(post, account)
            texts[key] = parts[0].text if parts else ""
    return texts
