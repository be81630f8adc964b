"""What a platform adapter is: the parts it is given, what it returns, how it fails.

Adapters never read the environment or the clock: the framework hands them the account
with its secrets resolved, and records progress through `ThreadProgress`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

if TYPE_CHECKING:  # only adapters that fetch or reply use them
    from humaspost.inbox_model import InboxPage, ReplyTarget


@dataclass(frozen=True)
class MediaFile:
    """A media file to attach: its absolute path and alt text."""

    path: Path
    alt: str | None


@dataclass(frozen=True)
class Part:
    """One post as a platform receives it. A thread on X is several parts, each replying
    to the one before; media go with the first part; `link` is Facebook's link field."""

    text: str
    media: tuple[MediaFile, ...] = ()
    link: str | None = None
    # The post it comes from, for the adapter's own records (the sandbox names its
    # files by it); no platform is sent it.
    post_id: str | None = None


@dataclass(frozen=True)
class PartReceipt:
    """What the platform returned for one published part."""

    remote_id: str
    url: str


@dataclass(frozen=True)
class Receipt:
    """What the platform returned for a whole delivery: every part's receipt."""

    parts: tuple[PartReceipt, ...]

    @property
    def url(self) -> str:
        """The address of the delivery: its first part."""
        return self.parts[0].url


@dataclass(frozen=True)
class Origin:
    """The delivery a re-share re-shares: its address and its id on the platform (the
    first part's receipt of a delivery humaspost sent, or what a `repost:` URL names:
    the status id of an X URL, the post id of a Facebook one). `post_id` is the post
    file the re-share comes from, for the adapter's own records (the sandbox names its
    files by it); no platform is sent it."""

    url: str
    remote_id: str
    post_id: str | None = None


@dataclass(frozen=True)
class ResolvedAccount:
    """An account as an adapter sees it: name, platform and settings with secrets."""

    name: str
    platform: str
    settings: Mapping[str, str] = field(repr=False)


# The clock as the framework passes it around: adapters and publishers never read the
# real one themselves.
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class PlatformContext:
    """What the framework gives every adapter: where local state lives, the clock, the
    network timeout for each request, and the config's timezone (for what a person
    reads, such as the sandbox's file names)."""

    state_dir: Path
    clock: Clock
    timeout: float = 30.0
    timezone: tzinfo = UTC


class ThreadProgress(Protocol):
    """Where an adapter records each part as it goes, so that a crash resumes a thread
    at the next part instead of posting it again."""

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        """Parts already published by an earlier attempt: skip them, reply to the last."""
        ...

    def starting(self, index: int) -> None:
        """Called right before the request that publishes part `index`."""
        ...

    def published(self, index: int, receipt: PartReceipt) -> None:
        """Called as soon as part `index` exists on the platform."""
        ...


class Platform(Protocol):
    """A platform adapter. Built-ins and plugins register under the entry-point group
    `humaspost.platforms`."""

    name: ClassVar[str]

    def __init__(self, context: PlatformContext) -> None: ...

    def publish(
        self, parts: tuple[Part, ...], account: ResolvedAccount, progress: ThreadProgress
    ) -> Receipt:
        """Publish the parts not yet in `progress.done`, in order; return every receipt."""
        ...

    def retract(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Delete a published delivery from the platform."""
        ...

    def verify(self, account: ResolvedAccount) -> str:
        """Check the credentials; say who the account posts as."""
        ...


class Resharing(Platform, Protocol):
    """A platform adapter that can also re-share deliveries (X reposts, Facebook shares).
    The built-ins all can; a plugin may not, and `resharing` tells (HP124)."""

    def repost(self, origin: Origin, account: ResolvedAccount, comment: str | None) -> Receipt:
        """Re-share `origin` from `account`, with `comment` where the platform takes one
        (Facebook; a plugin that cannot carry it raises PermanentError). One request
        creates the re-share: the framework marks the delivery in flight before calling,
        so a lost answer raises UncertainError. The platform saying the account has
        re-shared it already is success. The receipt has one part: what `unrepost` needs
        to undo it (on X the origin's id and address, a retweet having no id of its own
        in API v2; on Facebook the new post's)."""
        ...

    def unrepost(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Undo a re-share `repost` returned; one undone already is fine."""
        ...


def resharing(adapter: Platform) -> Resharing | None:
    """The adapter as a `Resharing` one, or None if it has no `repost` and `unrepost`."""
    if callable(getattr(adapter, "repost", None)) and callable(getattr(adapter, "unrepost", None)):
        return cast(Resharing, adapter)
    return None


class Listening(Platform, Protocol):
    """A platform adapter that can read what citizens write to an account (X mentions,
    comments on a Facebook page's posts) for the complaint inbox."""

    def read_inbox(
        self, account: ResolvedAccount, cursor: str | None, since: datetime
    ) -> Iterator[InboxPage]:
        """Read what is new since `cursor` (the last page's cursor of an earlier fetch,
        None the first time: then nothing older than `since`), newest first, a page at a
        time. The framework stores each page's items with its cursor in one transaction
        before asking for the next, so a fetch cut off anywhere resumes from the last
        stored cursor and loses and doubles nothing. A rate limit raises TransientError
        with `retry_after` (pages given before it are kept)."""
        ...


class Replying(Platform, Protocol):
    """A platform adapter that can publish a post as the reply to an inbox item."""

    def reply(
        self,
        parts: tuple[Part, ...],
        account: ResolvedAccount,
        progress: ThreadProgress,
        target: ReplyTarget,
    ) -> Receipt:
        """Publish `parts` as the reply to `target` (on X the first part replies to the
        mention and the rest follow it as a thread; on Facebook one comment replying to
        the comment), resuming after `progress.done` like `publish`."""
        ...


def listening(adapter: Platform) -> Listening | None:
    """The adapter as a `Listening` one, or None if it has no `read_inbox`."""
    if callable(getattr(adapter, "read_inbox", None)):
        return cast(Listening, adapter)
    return None


def replying(adapter: Platform) -> Replying | None:
    """The adapter as a `Replying` one, or None if it has no `reply`."""
    if callable(getattr(adapter, "reply", None)):
        return cast(Replying, adapter)
    return None


class PublishError(Exception):
    """A platform refused or failed a request; the message is safe to show and log."""


class TransientError(PublishError):
    """Worth retrying later: rate limits, server errors, refused connections."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(PublishError):
    """Retrying will not help: bad credentials, duplicate content, policy, bad request."""


class UsageCapped(PermanentError):
    """The platform refuses because the app's paid usage is used up (X's monthly usage
    cap, or its pay-per-use credits exhausted): nothing more goes out until a person
    buys credits or raises the cap, so retrying by itself will not help."""


class UncertainError(PublishError):
    """The request may have reached the platform (a timeout after sending, a reset
    mid-response): it must not be retried without a person checking."""


def publish_thread(
    parts: tuple[Part, ...],
    progress: ThreadProgress,
    send: SendPart,
    first_reply_to: str | None = None,
) -> Receipt:
    """Publish a thread part by part, resuming after `progress.done` and replying to the
    last published part: the loop every adapter needs, around its own `send`. The first
    part replies to `first_reply_to` when given (a reply to an inbox item: the mention
    it answers)."""
    receipts = list(progress.done)
    for index in range(len(receipts), len(parts)):
        reply_to = receipts[-1].remote_id if receipts else first_reply_to
        progress.starting(index)
        receipt = send(parts[index], reply_to)
        progress.published(index, receipt)
        receipts.append(receipt)
    return Receipt(tuple(receipts))


class SendPart(Protocol):
    """Publishes one part, as a reply to `reply_to` when given."""

    def __call__(self, part: Part, reply_to: str | None) -> PartReceipt: ...
