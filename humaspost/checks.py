"""Checking posts against the config, their media and the platforms' rules.

`check_post` needs only one post; `check_across_posts` looks at all of them together
(duplicate ids, the same text twice in a week). `run_check` drives both over files.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import hashlib
import itertools
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from humaspost import reshare, scoping
from humaspost.codeowners import git_root, has_owners, stale_problem
from humaspost.config import Account, Config
from humaspost.i18n import N_, _, ngettext
from humaspost.media import (
    MediaInfo,
    MediaKind,
    Stamp,
    UnsupportedMedia,
    inspect_media,
    media_stamp,
)
from humaspost.newpost import placeholders
from humaspost.platforms.rules import MB, PlatformRules, link_problem, rules_for
from humaspost.posts import Amplify, Content, Media, Post, load_post
from humaspost.problems import Problem, Severity, Span
from humaspost.render import content_hash, render
from humaspost.repeats import occurrences
from humaspost.textfile import NotPlainFile, read_plain
from humaspost.times import format_local
from humaspost.x_cost_check import x_cost_problems
from humaspost.x_costs import has_web_address

if TYPE_CHECKING:
    from humaspost.check_cache import CheckCache

DUPLICATE_WINDOW = timedelta(days=7)
# Platforms that refuse a post whose text repeats a recent one.
_REFUSE_DUPLICATES = frozenset({"twitter", "facebook"})


@dataclass(frozen=True)
class PartReport:
    """One post as a platform will receive it: its length there and the limit."""

    length: int
    limit: int | None


@dataclass(frozen=True)
class DeliveryReport:
    """What one account gets from one post."""

    account: str
    platform: str
    publish_at: datetime | None
    repeat: str | None
    draft: bool
    parts: tuple[PartReport, ...]
    media: int
    # For the X cost and limits across posts (x_cost_check): whether the text or link
    # has a web address, who re-shares it how many seconds after, and where its time is
    # written (the warning's place).
    has_url: bool = False
    reshares: tuple[tuple[str, int], ...] = ()
    span: Span | None = None


@dataclass(frozen=True)
class CheckedPost:
    """A post that loaded, with what each of its accounts will receive."""

    id: str
    file: str
    deliveries: tuple[DeliveryReport, ...]


@dataclass(frozen=True)
class _SentText:
    """A text going to an account at a time: input to the duplicate-text warning."""

    account: str
    digest: bytes  # of the text: workers send back 8 bytes rather than the whole text
    at: datetime
    post_id: str
    file: str
    span: Span | None


@dataclass(frozen=True)
class Sent:
    """A one-off post's delivery as the publish log recorded it."""

    content_hash: str | None
    sent_at: datetime | None


# Sent deliveries of one-off posts by (post id, account): lets `check` warn that an edit
# to a published post will not be sent. None where there is no log (CI): then nothing
# tells whether a past post went out.
Published = Mapping[tuple[str, str], Sent]


# A text part's digest and where it is written: what the duplicate warning compares.
_Fingerprint = tuple[bytes, Span | None]

# The complaint inbox as checks see it: the account and platform an item came to, by
# its number; None for a number the log has no item of. Called in the checking process
# only (it may hold a connection to the log).
InboxLookup = Callable[[int], tuple[str, str] | None]


class InboxUnreadable(Exception):
    """An `InboxLookup` could not read the log: its posts' items are not checked."""


@dataclass(frozen=True)
class ReplyRef:
    """A reply (`reply_to`) that goes to one account: what HP127 and HP128 check
    against the inbox, and where they point."""

    item_id: int
    account: str
    platform: str
    file: str
    span: Span | None


@dataclass(frozen=True)
class _Timing:
    """What the checks that depend on the clock or on the publish log need of a post:
    kept with a cached result, so that they run every time without loading the post."""

    id: str
    shown: str
    draft: bool
    repeat: str | None
    publish_at: datetime | None
    expires_at: datetime | None
    until: datetime | None
    reposting: bool
    # The first publish time where the clock does not decide it (all but a repeat
    # without publish_at): the deliveries' `publish_at` already.
    first: datetime | None
    accounts: tuple[str, ...]
    # The platform of the first account that refuses a repeated text (HP402), if any.
    refusing: str | None
    publish_span: Span | None
    repeat_span: Span | None
    text_span: Span | None

    @property
    def clock_first(self) -> bool:
        """Whether the first publish time is the clock's: a repeat from now."""
        return self.repeat is not None and self.publish_at is None


@dataclass
class FileFacts:
    """What checking one file found that depends on nothing but the file, the config,
    its media files and humaspost itself: what `check_cache` keeps. `finish` adds the
    checks that depend on the clock and the publish log."""

    problems: list[Problem]
    # Its deliveries' `publish_at` is left None where the clock decides it.
    post: CheckedPost | None = None
    id_span: Span | None = None
    # The fingerprints of each account's text parts (duplicate texts across posts).
    fingerprints: tuple[tuple[str, tuple[_Fingerprint, ...]], ...] = ()
    reply: ReplyRef | None = None
    timing: _Timing | None = None
    # The content hash of what each account gets, for the accounts the publish log had
    # a record of (HP403); another account's is computed when the log has one.
    hashes: Mapping[str, str] = field(default_factory=dict)
    # The media files looked up (the paths posts write, resolved against the post).
    media: tuple[str, ...] = ()
    # False where the result depends on more than that: a bug (HP020), or an HP201 hint
    # naming a file elsewhere in the repository.
    cacheable: bool = True


class NeedsPost(Exception):
    """`finish` needs the post itself: the log has a record of an account whose content
    hash the facts do not hold."""


@dataclass
class FileResult:
    """Everything checking one file found: small and picklable, for worker processes."""

    problems: list[Problem]
    post: CheckedPost | None = None
    id_span: Span | None = None
    texts: list[_SentText] = field(default_factory=list)
    # A reply's item and account, checked against the inbox where the log is at hand.
    reply: ReplyRef | None = None


@dataclass
class CheckReport:
    """The result of checking a set of files."""

    files: int
    posts: list[CheckedPost]
    problems: list[Problem]

    @property
    def errors(self) -> int:
        """How many problems are errors."""
        return sum(p.severity is Severity.ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        """How many problems are warnings."""
        return sum(p.severity is Severity.WARNING for p in self.problems)


class MediaCache:
    """What is known of media files, by the path posts write: many posts share a logo,
    and resolving links and reading headers is the slow part of checking media."""

    def __init__(self, root: Path, state_dir: Path) -> None:
        self.root = Path(os.path.realpath(root))
        self.inside = str(self.root) + os.sep
        self.state_dir = os.path.realpath(state_dir)
        self.found: dict[str, tuple[bool, MediaInfo | _Unusable]] = {}
        # Each file's identity, taken before it was read: what a cached result keeps.
        self.stamps: dict[str, Stamp] = {}
        # Every file of the repository by its name in lower case, read on the first
        # missing media file only: most checks never need to walk the repository.
        self.by_name: dict[str, list[str]] | None = None

    def lookup(self, path: Path) -> tuple[bool, MediaInfo | _Unusable]:
        """(inside the repository after following links, info or why it is unusable)."""
        key = str(path)
        if key not in self.found:
            self.stamps[key] = stamp = media_stamp(key)
            resolved = stamp[0]
            inside = resolved.startswith(self.inside)
            found = _inspect(Path(resolved), self.root) if inside else _Unusable(_Why.OUTSIDE)
            self.found[key] = (inside, found)
        return self.found[key]

    def elsewhere(self, path: Path) -> list[str]:
        """The files of the repository with `path`'s name, capitals aside (`Poster.JPG`
        for `poster.jpg`), leaving out the state folder and .git; not `path` itself."""
        if self.by_name is None:
            self.by_name = defaultdict(list)
            for folder, subfolders, files in os.walk(self.root):
                subfolders[:] = [
                    name
                    for name in subfolders
                    if name != ".git" and os.path.join(folder, name) != self.state_dir
                ]
                for name in files:
                    self.by_name[name.lower()].append(os.path.join(folder, name))
        wanted = os.path.realpath(path)
        return [found for found in self.by_name.get(path.name.lower(), []) if found != wanted]

    def known(self, path: Path) -> MediaInfo | None:
        """What an earlier `lookup` found in a usable media file, without looking again
        (None: never looked up, outside the repository, or unusable)."""
        found = self.found.get(str(path))
        return found[1] if found is not None and isinstance(found[1], MediaInfo) else None


def check_file(
    file: Path,
    shown: str,
    config: Config,
    now: datetime,
    media_cache: MediaCache,
    published: Published | None,
) -> FileResult:
    """Load one post file and check it on its own.

    `media_cache` remembers inspected media files across posts (many posts share a logo).
    """
    return check_and_keep(file, shown, config, now, media_cache, published)[1]


def check_and_keep(
    file: Path,
    shown: str,
    config: Config,
    now: datetime,
    media_cache: MediaCache,
    published: Published | None,
) -> tuple[Post | None, FileResult]:
    """`check_file`, also returning the loaded post (for planning and publishing).

    Whatever goes wrong while reading or checking this one file, even a bug, becomes a
    problem of this file (HP020, with a crash report), so that every other post is still
    checked, scheduled and published. `check`, `load_posts` and the daemon all read post
    files through here. No post comes back then, even one that loaded: planning it
    could meet the same bug again, outside this file's keeping.
    """
    post, facts = facts_and_post(file, shown, config, media_cache, published)
    try:
        return post, finish(facts, config, now, published)
    except Exception as error:  # a bug, by definition: located problems are values
        return None, FileResult([_internal_error(shown, error)])


def file_facts(
    file: Path,
    shown: str,
    config: Config,
    media_cache: MediaCache,
    published: Published | None,
    raw: bytes | None = None,
) -> FileFacts:
    """Load one post file (from `raw`, its bytes, if read already) and make the checks
    that depend on nothing but the file, the config, its media and humaspost
    (`published` only says which content hashes to keep). A bug becomes this file's
    HP020, as in `check_and_keep`."""
    return facts_and_post(file, shown, config, media_cache, published, raw)[1]


def facts_and_post(
    file: Path,
    shown: str,
    config: Config,
    media_cache: MediaCache,
    published: Published | None,
    raw: bytes | None = None,
) -> tuple[Post | None, FileFacts]:
    """`file_facts`, also returning the loaded post (None after a bug)."""
    try:
        loaded = load_post(file, shown, config.posts_dir, config.timezone, raw)
        post = loaded.post
        if post is None:
            return None, FileFacts(loaded.problems)
        checker = _PostChecker(post, config, media_cache, published)
        facts = checker.run()
        facts.problems[:0] = loaded.problems
        return post, facts
    except Exception as error:  # a bug, by definition: located problems are values
        return None, FileFacts([_internal_error(shown, error)], cacheable=False)


def finish(
    facts: FileFacts, config: Config, now: datetime, published: Published | None
) -> FileResult:
    """Complete a file's facts with the checks that depend on the clock (past times,
    repeats, HP401, HP402, HP107) and on the publish log (edits of published posts,
    HP403). Raises NeedsPost where the log asks for a content hash the facts lack."""
    timing = facts.timing
    if timing is None or facts.post is None:
        return FileResult(facts.problems, facts.post, facts.id_span, [], facts.reply)
    found: dict[tuple[str, str, Span | None], Problem] = {}

    def report(code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        found.setdefault(
            (code, message, span),
            Problem(code, Severity.WARNING, message, timing.shown, span, hint),
        )

    first = _first_time(timing, config, now) if timing.clock_first else timing.first
    sent = _sent_to(timing, published)
    if sent and not timing.reposting:
        _check_edits(timing, facts.hashes, sent, config, report)
    if len(sent) < len(timing.accounts):
        _check_timing(timing, first, config, now, published, report)
    texts = []
    if first is not None and not timing.draft and not timing.reposting:
        texts = [
            _SentText(account, digest, first, timing.id, timing.shown, span)
            for account, prints in facts.fingerprints
            for digest, span in prints
        ]
    post = facts.post
    if first is not None and timing.clock_first:
        deliveries = tuple(replace(d, publish_at=first) for d in post.deliveries)
        post = CheckedPost(post.id, post.file, deliveries)
    return FileResult([*facts.problems, *found.values()], post, facts.id_span, texts, facts.reply)


def _first_time(timing: _Timing, config: Config, now: datetime) -> datetime | None:
    """The first publish time of a repeat without publish_at: the first occurrence
    from now."""
    assert timing.repeat is not None
    return next(occurrences(timing.repeat, now, config.timezone, timing.until), None)


def _sent_to(timing: _Timing, published: Published | None) -> list[tuple[str, Sent]]:
    """The accounts a one-off post already went to, by the publish log."""
    if timing.repeat is not None or not published:
        return []
    found = [(name, published.get((timing.id, name))) for name in timing.accounts]
    return [(name, sent) for name, sent in found if sent is not None]


_Report = Callable[[str, str, "Span | None", "str | None"], None]


def _check_edits(
    timing: _Timing,
    hashes: Mapping[str, str],
    sent: list[tuple[str, Sent]],
    config: Config,
    report: _Report,
) -> None:
    """Warn that an edit to a published post will not be sent (it never is twice)."""
    for account, record in sent:
        if record.content_hash is None:
            continue
        if account not in hashes:
            raise NeedsPost(account)
        if record.content_hash == hashes[account]:
            continue
        if record.sent_at:
            message = _(
                "this post was already published to '{account}' on {time}; "
                "the edit will not be sent"
            ).format(account=account, time=format_local(record.sent_at, config.timezone))
        else:
            message = _(
                "this post was already published to '{account}'; the edit will not be sent"
            ).format(account=account)
        report(
            "HP403",
            message,
            timing.text_span,
            _("to correct a published post, publish a correction as a new post"),
        )


def _check_timing(
    timing: _Timing,
    first: datetime | None,
    config: Config,
    now: datetime,
    published: Published | None,
    report: _Report,
) -> None:
    if timing.draft or first is None:
        if timing.repeat is not None and first is None and not timing.draft:
            report(
                "HP107",
                _("'repeat: {repeat}' never fires before 'until'").format(repeat=timing.repeat),
                timing.repeat_span,
                None,
            )
        return
    if timing.repeat is None:
        deadline = timing.expires_at or first + config.max_delay
        if deadline < now:
            report(
                "HP401",
                _("the publish time is already past; it will be marked missed, not sent"),
                timing.publish_span,
                # In CI the log is on the server: moving the date of a post that
                # went out would send it a second time.
                _(
                    "it may have been published by a server whose log is not here; "
                    "if not, change publish_at to a time ahead"
                )
                if published is None
                else _("change publish_at to a time ahead"),
            )
        return
    later = list(
        itertools.islice(occurrences(timing.repeat, first, config.timezone, timing.until), 2)
    )
    if len(later) == 2 and later[1] - later[0] < DUPLICATE_WINDOW and timing.refusing:
        report(
            "HP402",
            _(
                "'repeat: {repeat}' posts the same text again within 7 days; "
                "{platform} will likely refuse the repeats"
            ).format(repeat=timing.repeat, platform=timing.refusing),
            timing.repeat_span,
            _("repeat at most weekly, or vary the text"),
        )


def _internal_error(shown: str, error: Exception) -> Problem:
    # Imported here: only a bug needs it (tempfile, traceback, platform).
    from humaspost.crash_reports import write_report

    report = write_report(error, f"reading or checking {shown}")
    if report is not None:
        message = _(
            "internal error while reading or checking this file; please report it: "
            "details in {report}"
        ).format(report=report)
    else:
        message = _(
            "internal error while reading or checking this file; please report it: "
            "no crash report could be written ({error})"
        ).format(error=type(error).__name__)
    return Problem(
        "HP020",
        Severity.ERROR,
        message,
        shown,
        Span(1, 1),
        _(
            "this post is held back until humaspost is fixed or the file is changed; "
            "other posts are not affected"
        ),
    )


def check_across_posts(results: list[FileResult]) -> list[Problem]:
    """Problems only visible with all posts together: shared ids, repeated texts."""
    problems: list[Problem] = []
    by_id: dict[str, list[FileResult]] = defaultdict(list)
    for result in results:
        if result.post is not None:
            by_id[result.post.id].append(result)
    for post_id, sharing in by_id.items():
        if len(sharing) < 2:
            continue
        # Which file is the copy is not knowable: each one is told about the others.
        for result in sharing:
            assert result.post is not None
            others = ", ".join(r.post.file for r in sharing if r is not result and r.post)
            problems.append(
                Problem(
                    "HP112",
                    Severity.ERROR,
                    _("post id '{post_id}' is also the id of {others}").format(
                        post_id=post_id, others=others
                    ),
                    result.post.file,
                    result.id_span or Span(1, 1),
                    _("give one of them a different 'id'"),
                )
            )
    problems.extend(_duplicate_texts(t for r in results for t in r.texts))
    return problems


def _duplicate_texts(texts: Iterable[_SentText]) -> list[Problem]:
    by_target: dict[tuple[str, bytes], list[_SentText]] = defaultdict(list)
    for sent in texts:
        by_target[(sent.account, sent.digest)].append(sent)
    problems = []
    for group in by_target.values():
        group.sort(key=lambda s: s.at)
        for earlier, later in itertools.pairwise(group):
            if later.post_id != earlier.post_id and later.at - earlier.at < DUPLICATE_WINDOW:
                problems.append(
                    Problem(
                        "HP402",
                        Severity.WARNING,
                        _(
                            "the same text goes to '{account}' in post '{post_id}' "
                            "less than 7 days earlier; the platform will likely refuse it"
                        ).format(account=later.account, post_id=earlier.post_id),
                        later.file,
                        later.span,
                        _("change the wording a little"),
                    )
                )
    return problems


def inbox_problems(reply: ReplyRef, inbox: InboxLookup) -> list[Problem]:
    """HP127 and HP128: whether the inbox has the item a reply answers, and whether it
    came to the account the reply goes from (on X only the mentioned account may reply,
    and a Facebook comment is answered from its page). Nothing when the lookup cannot
    read the log."""
    try:
        found = inbox(reply.item_id)
    except InboxUnreadable:
        return []
    if found is None:
        return [
            Problem(
                "HP127",
                Severity.ERROR,
                _("there is no inbox item {number} in the publish log").format(
                    number=reply.item_id
                ),
                reply.file,
                reply.span,
                _(
                    "'humaspost inbox' lists the items with their numbers (an item may have "
                    "been deleted since: 'inbox.retain', 'humaspost inbox purge')"
                ),
            )
        ]
    account, platform = found
    if (account, platform) == (reply.account, reply.platform):
        return []
    return [
        Problem(
            "HP128",
            Severity.ERROR,
            _(
                "inbox item {number} came to the {platform} account '{account}', not to "
                "'{to}': only that account can reply to it"
            ).format(number=reply.item_id, platform=platform, account=account, to=reply.account),
            reply.file,
            reply.span,
            _(
                "send the reply from that account ('to: {account}'), or check the number "
                "with 'humaspost inbox show {number}'"
            ).format(account=account, number=reply.item_id),
        )
    ]


class _PostChecker:
    """Checks one loaded post against the config, its media and the platform rules."""

    def __init__(
        self,
        post: Post,
        config: Config,
        media_cache: MediaCache,
        published: Published | None,
    ) -> None:
        self.post = post
        self.config = config
        self.media_cache = media_cache
        self.published = published
        # Each media item is checked once per post, whatever the number of accounts.
        self.media_infos: dict[int, MediaInfo | None] = {}
        self.media_paths: dict[str, None] = {}  # looked up, in order
        self.rendered_parts: dict[
            tuple[str, tuple[str | int, ...]],
            tuple[tuple[PartReport, ...], tuple[_Fingerprint, ...]],
        ] = {}
        self.found: dict[tuple[str, str, Span | None], Problem] = {}
        self.fingerprints: list[tuple[str, tuple[_Fingerprint, ...]]] = []
        self.reply: ReplyRef | None = None
        # Whether the result depends only on the file, the config and the media files.
        self.cacheable = True

    @property
    def problems(self) -> list[Problem]:
        return list(self.found.values())

    @property
    def reposting(self) -> bool:
        """Whether the post is a `repost:` (its URL perhaps refused, HP122): it sends no
        content of its own."""
        return self.post.located.data.get("repost") is not None

    def report(
        self,
        code: str,
        message: str,
        span: Span | None,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        # Several accounts of one platform would report the same fault once each.
        key = (code, message, span)
        if key not in self.found:
            self.found[key] = Problem(code, severity, message, self.post.shown, span, hint)

    def run(self) -> FileFacts:
        accounts = self.accounts()
        self.check_scopes()
        self.check_sections(accounts)
        if self.post.amplify is not None:
            self.check_amplify(self.post.amplify, accounts)
        if self.post.repost is not None:
            self.check_repost(self.post.repost, accounts)
        if self.post.reply_to is not None:
            self.check_reply(self.post.reply_to, accounts)
        first = self.first_time()
        deliveries = []
        for account in accounts:
            rules = rules_for(account.rules_platform)
            content = self.post.content_for(account.platform, account.rules_platform)
            deliveries.append(self.delivery(account, rules, content, first))
        post = self.post
        return FileFacts(
            self.problems,
            CheckedPost(post.id, post.shown, tuple(deliveries)),
            post.span(("id",)) if post.located.has_key(("id",)) else None,
            tuple(self.fingerprints),
            self.reply,
            self.timing(accounts, first),
            self.hashes(accounts),
            tuple(self.media_paths),
            self.cacheable,
        )

    def first_time(self) -> datetime | None:
        """The first publish time unless the clock decides it: publish_at, or the first
        occurrence of a repeat from it."""
        post = self.post
        if post.repeat is None or post.publish_at is None:
            return post.publish_at
        return next(
            occurrences(post.repeat, post.publish_at, self.config.timezone, post.until), None
        )

    def timing(self, accounts: list[Account], first: datetime | None) -> _Timing:
        post = self.post
        refusing = [a.rules_platform for a in accounts if a.rules_platform in _REFUSE_DUPLICATES]
        return _Timing(
            post.id,
            post.shown,
            post.draft,
            post.repeat,
            post.publish_at,
            post.expires_at,
            post.until,
            self.reposting,
            first,
            tuple(account.name for account in accounts),
            refusing[0] if refusing else None,
            post.span(("publish_at",)),
            post.span(("repeat",)),
            post.span(("text",)) or post.span(("thread",)),
        )

    def hashes(self, accounts: list[Account]) -> dict[str, str]:
        """The content hash of each account's rendering that the publish log has a
        record of (HP403 compares them); rendering every account would cost every
        check, for the few posts already published."""
        if self.post.repeat is not None or not self.published:
            return {}
        return {
            account.name: content_hash(render(self.post, account))
            for account in accounts
            if (found := self.published.get((self.post.id, account.name))) is not None
            and found.content_hash is not None
        }

    def accounts(self) -> list[Account]:
        names = self.post.to if self.post.to is not None else self.config.default_to
        if not names:
            self.report(
                "HP109",
                _("the post goes to no account: it has no 'to' and the config has no defaults.to"),
                self.post.span(()),
                _("add e.g. 'to: [pemkot-x]'"),
            )
            return []
        found: list[Account] = []
        known = sorted({*self.config.accounts, *self.config.groups})
        for index, name in enumerate(names):
            expanded = self.config.expand(name)
            if expanded is None:
                path: tuple[str | int, ...] = ("to", index) if self.to_is_list() else ("to",)
                close = difflib.get_close_matches(name, known, n=1)
                if len(_split_names(name)) > 1:
                    hint = _(
                        "several names go in a list, with commas between them: 'to: [{names}]'"
                    ).format(names=", ".join(n for each in names for n in _split_names(each)))
                elif close:
                    hint = _("did you mean '{name}'?").format(name=close[0])
                else:
                    hint = _("known: {names}").format(names=", ".join(known))
                self.report(
                    "HP103",
                    _("unknown account or group '{name}' in 'to'").format(name=name),
                    self.post.span(path),
                    hint,
                )
                continue
            found.extend(self.config.accounts[n] for n in expanded)
        return list({account.name: account for account in found}.values())

    def check_amplify(self, amplify: Amplify, to: list[Account]) -> None:
        """HP119-HP121, HP123, HP124 for `amplify:`, at the name in `by` concerned.

        An account named in `by` must have something to re-share (HP120); a group's
        accounts on platforms the post does not go to are passed over, as planning
        passes them over, unless none of the group's accounts has anything to re-share.
        """
        listed = isinstance(self.post.located.data["amplify"].get("by"), list)
        known = sorted({*self.config.accounts, *self.config.groups})
        to_names = {account.name for account in to}
        on_x: list[str] = []
        for index, name in enumerate(amplify.by):
            span = self.post.span(("amplify", "by", index) if listed else ("amplify", "by"))
            expanded = self.config.expand(name)
            if expanded is None:
                self.report(
                    "HP119",
                    _("unknown account or group '{name}' in 'amplify.by'").format(name=name),
                    span,
                    self.unknown_hint(name, amplify.by, known, "by"),
                )
                continue
            group = None if name in self.config.accounts else name
            members = [self.config.accounts[n] for n in expanded]
            for account in members:
                if account.name in to_names:
                    self.report(
                        "HP123",
                        _own_reshare(account.name, group),
                        span,
                        _("leave it out of 'to' or out of 'amplify.by'"),
                    )
            resharing = [
                a
                for a in members
                if a.name not in to_names and any(reshare.can_reshare(a, o) for o in to)
            ]
            if to and not resharing and not any(a.name in to_names for a in members):
                self.report(
                    "HP120",
                    _nothing_to_reshare(members[0], group),
                    span,
                    _(
                        "re-shares stay on one platform: add an account of that platform to "
                        "'to', or leave '{name}' out of 'by'"
                    ).format(name=name),
                )
            for account in resharing:
                self.check_adapter(account, span)
                if reshare.reshares_on_x(account):
                    on_x.append(account.name)
        if amplify.text is not None and on_x:
            self.report(
                "HP121",
                _(
                    "'amplify.text' cannot go with the re-shares of X accounts ({accounts}): "
                    "an X repost carries no text (a quote post needs X's Enterprise plan)"
                ).format(accounts=", ".join(f"'{n}'" for n in dict.fromkeys(on_x))),
                self.post.span(("amplify", "text")),
                _("remove 'text', or leave the X accounts out of 'by'"),
            )

    def check_adapter(self, account: Account, span: Span | None) -> None:
        if not reshare.adapter_reshares(account.platform):
            self.report(
                "HP124",
                _(
                    "'{account}' is on platform '{platform}', which cannot re-share posts "
                    "(its plugin has no 'repost')"
                ).format(account=account.name, platform=account.platform),
                span,
                _("leave the account out, or ask the plugin's authors for re-sharing"),
            )

    def check_repost(self, url: str, to: list[Account]) -> None:
        """HP121, HP122, HP124 for a `repost:` post: each account in `to` must be able
        to re-share the post the URL names."""
        target = reshare.repost_target(url)
        assert target is not None  # the loader keeps only URLs it can read
        span = self.post.span(("repost",))
        for account in to:
            if target.platform not in reshare.reshare_platforms(account):
                message = (
                    _(
                        "'repost' is an X post, which the {platform} account '{account}' "
                        "cannot re-share"
                    )
                    if target.platform == reshare.TWITTER
                    else _(
                        "'repost' is a Facebook post, which the {platform} account "
                        "'{account}' cannot re-share"
                    )
                )
                self.report(
                    "HP122",
                    message.format(platform=account.rules_platform, account=account.name),
                    span,
                    _(
                        "re-shares stay on one platform: send this repost only to accounts "
                        "of that platform in 'to'"
                    ),
                )
            self.check_adapter(account, span)
        if target.platform == reshare.TWITTER and self.post.located.data.get("text") is not None:
            self.report(
                "HP121",
                _(
                    "a repost of an X post carries no text (a quote post needs X's "
                    "Enterprise plan); 'text' would not be published"
                ),
                self.post.span(("text",)),
                _("remove 'text': a comment goes only with a repost of a Facebook post"),
            )

    def check_reply(self, item_id: int, to: list[Account]) -> None:
        """HP125 unless the reply goes to exactly one account, named as an account (not a
        group, whose members may change); HP126 for media on a Facebook reply, which is
        one comment of text. Keeps what HP127 and HP128 check (`self.reply`)."""
        post = self.post
        named = (
            post.to
            if post.to is not None
            else (self.config.default_names or self.config.default_to)
        )
        names = list(dict.fromkeys(named))
        if not names or any(self.config.expand(name) is None for name in names):
            return  # HP103 or HP109 says what is wrong with `to`
        hint = _(
            "write the one account the item came to in 'to' ('humaspost inbox show {number}' "
            "names it)"
        ).format(number=item_id)
        span = post.span(("to",)) if post.to is not None else post.span(())
        if len(names) == 1 and names[0] in self.config.groups:
            message = (
                _(
                    "'{group}' is a group: a reply goes from one account, the one the inbox "
                    "item came to"
                )
                if post.to is not None
                else _(
                    "this post has no 'to' and so goes to defaults.to, the group '{group}': "
                    "a reply goes from the one account the inbox item came to"
                )
            )
            self.report("HP125", message.format(group=names[0]), span, hint)
            return
        if len(names) > 1:
            message = (
                _("a reply goes from one account, the one the inbox item came to, not from several")
                if post.to is not None
                else _(
                    "this post has no 'to' and so goes to defaults.to, which names several "
                    "accounts: a reply goes from the one account the inbox item came to"
                )
            )
            self.report("HP125", message, span, hint)
            return
        account = to[0]
        content = post.content_for(account.platform, account.rules_platform)
        if account.rules_platform == "facebook" and content.media:
            self.report(
                "HP126",
                _(
                    "'{account}' replies on Facebook with a comment, which carries text "
                    "only: no media"
                ).format(account=account.name),
                post.span((*content.media[0].where[:-1],), at_key=True),
                _("remove 'media', or give the reply a 'facebook:' section with 'media: []'"),
            )
        self.reply = ReplyRef(
            item_id, account.name, account.platform, post.shown, post.span(("reply_to",))
        )

    def unknown_hint(self, name: str, names: Iterable[str], known: list[str], field: str) -> str:
        """The hint for an unknown name in `to` or `amplify.by`."""
        close = difflib.get_close_matches(name, known, n=1)
        if len(_split_names(name)) > 1:
            return _(
                "several names go in a list, with commas between them: '{field}: [{names}]'"
            ).format(field=field, names=", ".join(n for each in names for n in _split_names(each)))
        if close:
            return _("did you mean '{name}'?").format(name=close[0])
        return _("known: {names}").format(names=", ".join(known))

    def to_is_list(self) -> bool:
        return isinstance(self.post.located.data.get("to"), list)

    def check_scopes(self) -> None:
        """HP118 at each name in `to` (or at 1:1 for `defaults.to`) whose account or
        group does not take posts from this post's folder (see humaspost/scoping.py)."""
        relative = scoping.post_path(self.post.file, self.config.posts_dir)
        # Where each name is written: worked out only for a name that is refused.
        named: list[tuple[str, tuple[str | int, ...] | None]]
        if self.post.to is not None:
            listed = self.to_is_list()
            named = [
                (name, ("to", index) if listed else ("to",))
                for index, name in enumerate(self.post.to)
            ]
        else:
            named = [(name, None) for name in self.config.default_names]
        for name, path in named:
            refusals = scoping.refusals(self.config, name, relative)
            span = (self.post.span(path) if path is not None else Span(1, 1)) if refusals else None
            for refusal in refusals:
                message = _refusal_message(refusal, by_default=self.post.to is None)
                self.report("HP118", message, span, self.scope_hint(relative))

    def scope_hint(self, relative: str | None) -> str:
        own = scoping.accounts_for(self.config, relative)
        if own:
            return _("the accounts for this folder: {accounts}").format(accounts=", ".join(own))
        return _(
            "no account lists this folder in its 'paths'; move the post to a folder of "
            "your office, or ask whoever keeps humaspost.yaml"
        )

    def check_sections(self, accounts: list[Account]) -> None:
        platforms = {a.platform for a in accounts} | {a.rules_platform for a in accounts}
        for name in self.post.overrides:
            if accounts and name not in platforms:
                self.report(
                    "HP303",
                    _("the '{name}' section is unused: the post goes to no {name} account").format(
                        name=name
                    ),
                    self.post.span((name,), at_key=True),
                    severity=Severity.WARNING,
                )

    def delivery(
        self,
        account: Account,
        rules: PlatformRules,
        content: Content,
        first: datetime | None,
    ) -> DeliveryReport:
        parts = rules.parts(content.parts or ())
        media = content.media or ()
        if not parts and not media and not self.reposting:
            self.report(
                "HP104",
                _("nothing to post to '{account}': no text and no media").format(
                    account=account.name
                ),
                self.post.span(content.where or ()),
            )
        reports, fingerprints = self.rendered(rules, content, parts)
        # `finish` leaves out a repost's: its comment goes with a share, which platforms
        # do not refuse as a duplicate text.
        if fingerprints:
            self.fingerprints.append((account.name, fingerprints))
        amplify = self.post.amplify
        reshares: tuple[tuple[str, int], ...] = ()
        if amplify is not None:
            # Imported here: planning (and the publish log's types) for amplified posts only.
            from humaspost.reshare_plan import offset, resharers

            who = resharers(self.post, account, self.config)
            reshares = tuple(
                (
                    member.name,
                    int(offset(i, len(who), amplify.after, amplify.spread).total_seconds()),
                )
                for i, member in enumerate(who)
            )
        return DeliveryReport(
            account=account.name,
            platform=account.platform,
            publish_at=first,
            repeat=self.post.repeat,
            draft=self.post.draft,
            parts=reports,
            media=len(media),
            has_url=bool(content.link) or any(has_web_address(part) for part in parts),
            reshares=reshares,
            span=self.post.span(("publish_at",)) or Span(1, 1),
        )

    def rendered(
        self, rules: PlatformRules, content: Content, parts: tuple[str, ...]
    ) -> tuple[tuple[PartReport, ...], tuple[_Fingerprint, ...]]:
        """Measure text and check media and link once per platform and section, however
        many accounts of that platform the post goes to. Returns each part's report and,
        for platforms that refuse duplicates, its fingerprint."""
        key = (rules.name, content.where)
        if key not in self.rendered_parts:
            reports = tuple(
                self.measure(part, index, rules, content) for index, part in enumerate(parts)
            )
            fingerprints: tuple[_Fingerprint, ...] = ()
            if rules.name in _REFUSE_DUPLICATES:
                fingerprints = tuple(
                    (
                        hashlib.blake2b(part.encode(), digest_size=8).digest(),
                        self.part_span(content, index),
                    )
                    for index, part in enumerate(parts)
                )
            self.rendered_parts[key] = reports, fingerprints
            media = content.media or ()
            self.check_media(rules, [(item, self.media(item)) for item in media])
            if content.link is not None and rules.checks_link:
                reason = link_problem(content.link)
                if reason:
                    self.report("HP302", reason, self.post.span((*content.where, "link")))
        return self.rendered_parts[key]

    def part_span(self, content: Content, index: int) -> Span | None:
        if content.parts is not None and len(content.parts) > 1:
            return self.post.span((*content.where, "thread", index))
        return self.post.span((*content.where, "text"))

    def measure(self, text: str, index: int, rules: PlatformRules, content: Content) -> PartReport:
        length = rules.measure(text)
        limit = rules.max_length
        several = content.parts is not None and len(content.parts) > 1 and not rules.joins_thread
        if placeholders().intersection(line.strip() for line in text.splitlines()):
            self.report(
                "HP117",
                _("the text is still the placeholder that 'humaspost new' wrote"),
                self.part_span(content, index if several else 0),
                _("write the announcement in its place"),
            )
        if limit is not None and length > limit:
            if several:
                message = ngettext(
                    "thread part {number} is {length} character on {platform}; "
                    "the limit is {limit}",
                    "thread part {number} is {length} characters on {platform}; "
                    "the limit is {limit}",
                    length,
                )
            else:
                message = ngettext(
                    "the text is {length} character on {platform}; the limit is {limit}",
                    "the text is {length} characters on {platform}; the limit is {limit}",
                    length,
                )
            self.report(
                "HP301",
                message.format(number=index + 1, length=length, platform=rules.name, limit=limit),
                self.part_span(content, index if several else 0),
                _("split it into a thread with a line '---' (or a 'thread:' list)")
                if rules.name == "twitter"
                else _("shorten the text"),
            )
        return PartReport(length, limit)

    def media(self, item: Media) -> MediaInfo | None:
        """Check a media file once per post: alt text, place, existence, format."""
        key = id(item)
        if key not in self.media_infos:
            self.media_infos[key] = self.inspect(item)
        return self.media_infos[key]

    def inspect(self, item: Media) -> MediaInfo | None:
        where = (*item.where, "file")  # its span is worked out for a problem only
        quoted = _quoted(item.file)
        if self.config.require_alt_text and not item.alt:
            self.report(
                "HP203",
                _("{file} has no alt text").format(file=quoted),
                self.post.span(item.where),
                _("add 'alt:' describing the image for people who cannot see it"),
            )
        if "\0" in item.file:
            # No file name can hold one, and the system calls refuse to look for it.
            self.report(
                "HP201",
                _("media file {file} cannot exist: no file name holds a NUL character").format(
                    file=quoted
                ),
                self.post.span(where),
                _("write the file's name as it is, relative to the post file"),
            )
            return None
        self.media_paths[str(item.path)] = None
        inside, found = self.media_cache.lookup(item.path)
        if not inside:
            self.report(
                "HP202",
                _("{file} is outside the repository").format(file=quoted),
                self.post.span(where),
                _("keep media in the repository, e.g. in media/"),
            )
            return None
        if isinstance(found, MediaInfo):
            return found
        # `detail` is English as marked for the catalog (a media format's description,
        # what a file that is not plain is) or the system's reason (not in the catalog).
        if found.why is _Why.MISSING:
            self.report(
                "HP201",
                _("media file {file} not found").format(file=quoted),
                self.post.span(where),
                self.where_else(item),
            )
        elif found.why is _Why.NOT_PLAIN:
            self.report(
                "HP208",
                _("media file {file} is {what}, not a plain file; nothing was read from it").format(
                    file=quoted, what=_(found.detail)
                ),
                self.post.span(where),
                _("name an image or video file itself"),
            )
        elif found.why is _Why.UNSUPPORTED:
            self.report(
                "HP204",
                _("{file} is {what}").format(file=quoted, what=_(found.detail)),
                self.post.span(where),
            )
        else:
            self.report(
                "HP204",
                _("{file} is unreadable ({reason})").format(file=quoted, reason=found.detail),
                self.post.span(where),
            )
        return None

    def where_else(self, item: Media) -> str:
        """The HP201 hint: the path, relative to the post, of the file of that name that
        looks most like the one written (a folder left out or a capital changed)."""
        wanted = os.path.realpath(item.path)
        # Which files the repository has elsewhere is not a fact of this post's files.
        self.cacheable = False
        found = self.media_cache.elsewhere(item.path)
        if not found:
            return _("the path is relative to the post file")
        closest = max(sorted(found), key=lambda f: difflib.SequenceMatcher(None, wanted, f).ratio())
        folder = os.path.realpath(self.post.file.parent)
        relative = Path(os.path.relpath(closest, folder)).as_posix()
        return _(
            "a file of that name is at '{path}' (the path is relative to the post file)"
        ).format(path=relative)

    def check_media(
        self, rules: PlatformRules, media: list[tuple[Media, MediaInfo | None]]
    ) -> None:
        for item, info in media:
            if info is None:
                continue
            span = self.post.span((*item.where, "file"))
            if info.format not in rules.media_formats:
                self.report(
                    "HP204",
                    _("{platform} does not take {format} files ({file})").format(
                        platform=rules.name, format=info.format, file=_quoted(item.file)
                    ),
                    span,
                )
                continue
            limit = rules.media_size_limit(info)
            if limit is not None and info.size > limit:
                self.report(
                    "HP205",
                    _(_TOO_LARGE[info.kind]).format(
                        file=_quoted(item.file),
                        size=f"{info.size / MB:.1f}",
                        platform=rules.name,
                        limit=limit // MB,
                    ),
                    span,
                    _("make the file smaller (export with lower quality or size)"),
                )
            alt_limit = rules.max_alt_length
            if alt_limit is not None and item.alt and len(item.alt) > alt_limit:
                self.report(
                    "HP207",
                    ngettext(
                        "alt text of {file} is {length} character; {platform} takes up to {limit}",
                        "alt text of {file} is {length} characters; {platform} takes up to {limit}",
                        len(item.alt),
                    ).format(
                        file=_quoted(item.file),
                        length=len(item.alt),
                        platform=rules.name,
                        limit=alt_limit,
                    ),
                    self.post.span((*item.where, "alt")),
                )
        infos = [info for _, info in media if info is not None]
        reason = rules.media_count_problem(infos) if infos else None
        if reason:
            self.report("HP206", reason, self.post.span(media[0][0].where[:-1]))


def _refusal_message(refusal: scoping.Refusal, *, by_default: bool) -> str:
    """HP118's message: a whole sentence for each way a post reaches the account."""
    paths = ", ".join(f"'{pattern}'" for pattern in refusal.paths)
    if refusal.group is None:
        message = (
            _(
                "this post has no 'to' and so goes to defaults.to, whose account "
                "'{account}' only takes posts from {paths}"
            )
            if by_default
            else _("account '{account}' only takes posts from {paths}")
        )
    elif refusal.account is None:
        message = (
            _(
                "this post has no 'to' and so goes to defaults.to, whose group "
                "'{group}' only takes posts from {paths}"
            )
            if by_default
            else _("group '{group}' only takes posts from {paths}")
        )
    else:
        message = (
            _(
                "this post has no 'to' and so goes to defaults.to, whose group "
                "'{group}' includes '{account}', which only takes posts from {paths}"
            )
            if by_default
            else _("group '{group}' includes '{account}', which only takes posts from {paths}")
        )
    return message.format(group=refusal.group, account=refusal.account, paths=paths)


def _own_reshare(account: str, group: str | None) -> str:
    """HP123's message for an account both in `to` and (perhaps through a group) in
    `amplify.by`."""
    if group is None:
        message = _("'{account}' is in both 'to' and 'amplify.by': it would re-share its own post")
    else:
        message = _(
            "group '{group}' in 'amplify.by' includes '{account}', which is also in 'to': "
            "it would re-share its own post"
        )
    return message.format(account=account, group=group)


def _nothing_to_reshare(account: Account, group: str | None) -> str:
    """HP120's message: the account, or no account of the group, has a delivery of the
    post on its platform to re-share."""
    if group is None:
        message = _(
            "'{account}' is a {platform} account, and the post goes to no {platform} "
            "account: it has nothing to re-share"
        )
    else:
        message = _(
            "no account of group '{group}' is on a platform the post goes to: they have "
            "nothing to re-share"
        )
    return message.format(account=account.name, platform=account.platform, group=group)


def _split_names(written: str) -> list[str]:
    """The names in one entry of `to`: `a, b` (one text, not a list) and `[a b]` (a
    space, not a comma) each hold two."""
    return [name for name in re.split(r"[,\s]+", written) if name]


class _Why(Enum):
    """Why a media file cannot be posted."""

    MISSING = "missing"
    OUTSIDE = "outside"
    NOT_PLAIN = "not plain"
    UNSUPPORTED = "unsupported"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class _Unusable:
    """A media file that cannot be posted: why, and what the file is or the system said."""

    why: _Why
    detail: str = ""


# HP205, by the kind of file: a whole sentence each, for the translation.
_TOO_LARGE = {
    MediaKind.IMAGE: N_("{file} is {size} MB; {platform} takes image files up to {limit} MB"),
    MediaKind.GIF: N_("{file} is {size} MB; {platform} takes gif files up to {limit} MB"),
    MediaKind.VIDEO: N_("{file} is {size} MB; {platform} takes video files up to {limit} MB"),
}


def _quoted(name: str) -> str:
    """A media path as written, in quotes, with characters a terminal would not show
    (a NUL, a line break) written as escapes."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in name) + "'"


def _inspect(path: Path, root: Path) -> MediaInfo | _Unusable:
    """A media file's info, or why it cannot be used."""
    try:
        return inspect_media(path, root)
    except FileNotFoundError:
        return _Unusable(_Why.MISSING)
    except NotPlainFile as exc:
        return _Unusable(_Why.NOT_PLAIN, exc.reason)
    except UnsupportedMedia as exc:
        return _Unusable(_Why.UNSUPPORTED, str(exc))
    except OSError as exc:
        return _Unusable(_Why.UNREADABLE, str(exc.strerror))


def config_warnings(config: Config, shown: str) -> list[Problem]:
    """The warnings `check` gives about the config as a whole (`shown` is its name):
    accounts open to every folder beside scoped ones (HP511, found reading it), a
    CODEOWNERS that does not say what the config says (HP512), settings that rely on
    git outside a git checkout (HP513). git is asked only when the config needs it."""
    problems = list(config.warnings)
    relying = _relying_on_git(config)
    if not relying:
        return problems
    root = git_root(config.root)
    if root is not None:
        stale = stale_problem(config, shown, root)
        return [*problems, stale] if stale is not None else problems
    settings = ", ".join(relying)
    if shutil.which("git") is None:
        message = ngettext(
            "git is not installed, but the config uses {settings}, which relies on git",
            "git is not installed, but the config uses {settings}, which rely on git",
            len(relying),
        ).format(settings=settings)
        hint = _("install git on this computer")
    else:
        message = ngettext(
            "this folder is not a git checkout, but the config uses {settings}, "
            "which relies on git",
            "this folder is not a git checkout, but the config uses {settings}, which rely on git",
            len(relying),
        ).format(settings=settings)
        hint = _("work in a clone of the office's repository, or run 'git init' here")
    return [*problems, Problem("HP513", Severity.WARNING, message, shown, Span(1, 1), hint)]


def _relying_on_git(config: Config) -> list[str]:
    """The settings of the config that only mean something in a git checkout."""
    relying = ["'publish_from: committed'"] if config.publish_from == "committed" else []
    if config.group_paths or any(account.paths for account in config.accounts.values()):
        relying.append("'paths'")
    if has_owners(config):
        relying.append("'owners'")
    return relying


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 400


def run_check(
    config: Config,
    files: list[tuple[Path, str]],
    now: datetime,
    workers: int = 1,
    published: Published | None = None,
    inbox: InboxLookup | None = None,
    cache: CheckCache | None = None,
    every_post: bool = False,
) -> CheckReport:
    """Check post files (path, name to show) and return every problem and delivery.

    With `workers` > 1 and many files, files are checked in that many processes; the
    checks across posts then run on the combined results. With `inbox` (where the
    publish log is at hand) replies are checked against it, in this process. With
    `cache`, each file's own checks come from it where they still hold (see
    humaspost/check_cache.py), and what was checked anew is written to it; `every_post`
    says that `files` are all the posts there are, so that the entries of others go.
    """
    # Checking builds many long-lived objects and no reference cycles worth collecting;
    # the collector's passes over them would cost a quarter of the run.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if cache is None:
            results = [r for r, _ in _check_all(config, files, now, workers, published, keep=False)]
        else:
            results = _check_with_cache(config, files, now, workers, published, cache, every_post)
        problems = [p for r in results for p in r.problems]
        if inbox is not None:
            problems.extend(p for r in results if r.reply for p in inbox_problems(r.reply, inbox))
        problems.extend(check_across_posts(results))
        problems.extend(x_cost_problems([r.post for r in results if r.post], config, now))
        problems.sort(key=lambda p: (p.file, p.line or 0, p.column or 0))
        posts = [r.post for r in results if r.post is not None]
    finally:
        # Move what survived to the oldest generation, so that turning the collector
        # back on does not start with a pass over all of it.
        gc.freeze()
        gc.unfreeze()
        if gc_was_enabled:
            gc.enable()
    return CheckReport(len(files), posts, problems)


def narrowed(report: CheckReport, files: list[tuple[Path, str]]) -> CheckReport:
    """The part of a check of all posts that concerns `files` (path, shown name): their
    own problems, and the problems across posts (HP112, HP402) located in them."""
    shown = {name for _, name in files}
    return CheckReport(
        len(files),
        [post for post in report.posts if post.file in shown],
        [problem for problem in report.problems if problem.file in shown],
    )


# A new cache entry: the file's path (as bytes), its key and the entry's value.
_Row = tuple[bytes, bytes, bytes]


def _check_with_cache(
    config: Config,
    files: list[tuple[Path, str]],
    now: datetime,
    workers: int,
    published: Published | None,
    cache: CheckCache,
    every_post: bool,
) -> list[FileResult]:
    """Files whose entries hold are finished here (that is quick); the others are
    checked anew, in worker processes if many, and written to the cache."""
    entries = cache.entries([path for path, _ in files])
    results: list[FileResult | None] = [None] * len(files)
    # With no entries at all (a first run, CI) every file is checked anew: reading
    # them all here first would only delay the workers.
    if entries.rows:
        for index, (path, shown) in enumerate(files):
            facts = entries.lookup(path, shown)
            if facts is not None:
                # NeedsPost, or an entry that is not what it seems: it is checked anew.
                with contextlib.suppress(Exception):
                    results[index] = finish(facts, config, now, published)
    again = [index for index, result in enumerate(results) if result is None]
    checked = _check_all(config, [files[i] for i in again], now, workers, published, keep=True)
    for index, (result, _row) in zip(again, checked, strict=True):
        results[index] = result
    every_path = [os.fsencode(path) for path, _ in files] if every_post else None
    cache.store([row for _, row in checked if row is not None], every_path)
    return [result for result in results if result is not None]


def _check_all(
    config: Config,
    files: list[tuple[Path, str]],
    now: datetime,
    workers: int,
    published: Published | None,
    *,
    keep: bool,
) -> list[tuple[FileResult, _Row | None]]:
    if workers > 1 and len(files) >= PARALLEL_MIN_FILES:
        return _check_in_processes(config, files, now, workers, published, keep)
    return _check_files(config, files, now, published, keep)


def _check_files(
    config: Config,
    files: list[tuple[Path, str]],
    now: datetime,
    published: Published | None,
    keep: bool,
) -> list[tuple[FileResult, _Row | None]]:
    """Check files anew; with `keep`, also make each one's cache entry."""
    cache = MediaCache(config.root, config.state_dir)
    if not keep:
        return [
            (check_file(path, shown, config, now, cache, published), None) for path, shown in files
        ]
    return [
        _finished(_check_anew(path, shown, config, cache, published), shown, config, now, published)
        for path, shown in files
    ]


def _check_anew(
    path: Path, shown: str, config: Config, media_cache: MediaCache, published: Published | None
) -> FileFacts | _Row:
    """A file's facts, or the cache entry that holds them where they may be kept."""
    from humaspost.check_cache import entry_value, file_key  # it imports this module

    # The key is made of the very bytes that are checked (None: not a plain file, which
    # the loader reads, and refuses, itself).
    raw = read_plain(path)
    facts = file_facts(path, shown, config, media_cache, published, raw)
    if raw is None or not facts.cacheable:
        return facts
    return os.fsencode(path), file_key(path, shown, raw), entry_value(facts, media_cache.stamps)


def _finished(
    checked: FileFacts | _Row,
    shown: str,
    config: Config,
    now: datetime,
    published: Published | None,
) -> tuple[FileResult, _Row | None]:
    """The result of `_check_anew`'s facts (read back from the entry: a worker sends
    those bytes only), and the entry to write, unless finishing met a bug."""
    row = None if isinstance(checked, FileFacts) else checked
    if isinstance(checked, FileFacts):
        facts = checked
    else:
        import pickle  # only with the cache (what a worker sent back)

        facts = pickle.loads(checked[2])[0]
    try:
        return finish(facts, config, now, published), row
    except Exception as error:  # a bug, by definition: located problems are values
        return FileResult([_internal_error(shown, error)]), None


def _check_in_processes(
    config: Config,
    files: list[tuple[Path, str]],
    now: datetime,
    workers: int,
    published: Published | None,
    keep: bool,
) -> list[tuple[FileResult, _Row | None]]:
    """Files checked by `workers` processes (see fork_pool): the config, the clock and
    the log's records go to the forked ones once."""
    from humaspost.fork_pool import in_processes

    found: list[tuple[FileResult, _Row | None]] = []
    for chunk, results, from_worker in in_processes(
        files,
        workers,
        start=_start_worker,
        start_args=(config, now, published, keep),
        in_worker=_check_chunk,
        here=lambda chunk: _check_files(config, chunk, now, published, keep),
    ):
        if from_worker and keep:  # what a worker found to keep comes back as the entry only
            for (_path, shown), checked in zip(chunk, results, strict=True):
                found.append(_finished(checked, shown, config, now, published))
        else:
            found.extend(results)
    return found


# In a worker process: what every chunk is checked with.
_worker: tuple[Config, datetime, Published | None, bool] | None = None


def _start_worker(config: Config, now: datetime, published: Published | None, keep: bool) -> None:
    global _worker
    _worker = config, now, published, keep


def _check_chunk(files: list[tuple[Path, str]]) -> list[Any]:
    """A worker's chunk: results, or with `keep` the facts or entries to finish."""
    assert _worker is not None
    config, now, published, keep = _worker
    if not keep:
        return _check_files(config, files, now, published, keep)
    media = MediaCache(config.root, config.state_dir)
    return [_check_anew(path, shown, config, media, published) for path, shown in files]
