"""The X (Twitter) platform: posts and threads through X's API v2, with tweepy.

Authentication is OAuth 1.0a user context (the account's consumer key and secret and
its access token and secret). tweepy's `Client` has no timeout and a hard-coded host,
so each client gets a `requests.Session` that applies the context's timeout and sends
the requests to the account's `api_url` (tests point it at a local fake of X).

tweepy and requests are imported inside the methods: the registry imports this module
to list the platforms, and `check` must stay free of network libraries.

Reposts go through `Client.retweet`, which takes the account's user id from its OAuth
1.0a access token (X writes it before the first '-'), so no request is spent asking X
who the account is; a token of another form costs one `get_me` per account, kept.

Media go up before their part is marked in flight (see `_UploadFirst`): an upload that
fails or is cut off created no post, so the delivery is simply retried later. Only the
request that creates a post can leave the outcome uncertain.

The inbox reads the account's mentions (`GET /2/users/:id/mentions`, 100 a page, newest
first), only those after the newest one read before (`since_id`): X charges every post
read. Its cursor is JSON: `since_id` once a fetch has read everything, and while a
fetch walks its pages the `next_token` to go on from and the `newest_id` of its first
page (the next `since_id`); before the first complete fetch, the `start_time` it began
with instead of a `since_id`. A reply answers a mention; since February 2026 X refuses
a reply to a post whose author did not mention (or quote) the account.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from humaspost.i18n import N_, _
from humaspost.inbox_model import InboxPage, Incoming, ReplyTarget
from humaspost.media import MediaKind, UnsupportedMedia, inspect_media
from humaspost.platforms.base import (
    MediaFile,
    Origin,
    Part,
    PartReceipt,
    PermanentError,
    PlatformContext,
    PublishError,
    Receipt,
    ResolvedAccount,
    ThreadProgress,
    TransientError,
    UncertainError,
    UsageCapped,
    publish_thread,
)
from humaspost.textfile import NotPlainFile

if TYPE_CHECKING:
    import requests
    import tweepy

T = TypeVar("T")

# The host tweepy's Client.request hard-codes; replaced by the account's api_url.
X_API = "https://api.twitter.com"
STATUS_URL = "https://x.com/i/web/status/{}"
MENTION_URL = "https://x.com/{username}/status/{id}"
CREDENTIALS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")

MIME_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}
# GIFs and videos take X's chunked upload (its one-request upload takes still images
# only). 768 KiB of file per request is 1 MiB once base64-encoded.
CHUNK_BYTES = 768 * 1024
# How long to wait for X to process an uploaded GIF or video before giving up for now.
PROCESSING_BUDGET = 300.0

_DUPLICATE = N_("X refuses a post whose text is the same as a recent one; change the wording")
_NOT_MENTIONED = N_(
    "X refuses the reply: X lets an app reply only to a post whose author mentioned or "
    "quoted the account, and this one did not (X: {message}); answer the citizen another "
    "way, or ask them to mention the account"
)

# What the inbox asks of each mention: its time, author and the post it replies to
# (`referenced_tweets`), and the whole text of a long post (`note_tweet`: `text` holds
# its first 280 characters only); the authors come along in `includes.users`.
MENTIONS_PER_PAGE = 100
MENTION_FIELDS = ["created_at", "author_id", "referenced_tweets", "conversation_id", "note_tweet"]
AUTHOR_FIELDS = ["username", "name"]


class TwitterPlatform:
    """Publishes to X through its API v2."""

    name: ClassVar[str] = "twitter"

    def __init__(self, context: PlatformContext) -> None:
        self.context = context
        # How to wait while X processes a GIF or video (tests replace it).
        self.sleep: Callable[[float], None] = time.sleep
        # The user id of each account whose access token does not start with it,
        # keyed by account and token: asked of X once.
        self._user_ids: dict[tuple[str, str], str] = {}

    def publish(
        self, parts: tuple[Part, ...], account: ResolvedAccount, progress: ThreadProgress
    ) -> Receipt:
        """Post each part not yet published, each replying to the one before; media go
        with the part that carries them (render puts them on the first)."""
        return self._thread(parts, account, progress, None)

    def reply(
        self,
        parts: tuple[Part, ...],
        account: ResolvedAccount,
        progress: ThreadProgress,
        target: ReplyTarget,
    ) -> Receipt:
        """Post the parts as a reply to the mention `target` names: the first part
        replies to it, the others follow as a thread, as `publish` does. X refusing a
        reply to a post that did not mention the account is a PermanentError."""
        if target.remote_id is None:
            raise PermanentError(
                _("account '{account}': inbox item {item} has no X post to reply to").format(
                    account=account.name, item=target.item_id
                )
            )
        return self._thread(parts, account, progress, _checked_id(target.remote_id))

    def read_inbox(
        self, account: ResolvedAccount, cursor: str | None, since: datetime
    ) -> Iterator[InboxPage]:
        """The account's mentions that are newer than the cursor says (the first time:
        written since `since`), a page of up to 100 at a time, newest first; the
        account's own posts are left out. Resuming a fetch cut off mid-walk goes on
        with its pagination token; a token X no longer takes starts the walk again
        (what was stored already is stored once: the log keys items by their id)."""
        walk = _MentionsCursor.read(cursor, since)
        # Only a token saved by an earlier fetch may have expired; X refusing one it
        # has just given is an error like any other.
        saved_token = walk.next_token is not None
        client = self._client(account)
        try:
            user_id = self._own_id(client, account)
            while True:
                ask = functools.partial(_mentions, client, user_id, walk, saved_token)
                answer = self._call(account, ask)
                saved_token = False
                if answer is None:  # X refused the saved token: from the start again
                    walk = walk.restarted()
                    continue
                items = _incoming(answer, user_id, self.context.clock())
                meta = answer.get("meta") if isinstance(answer, Mapping) else None
                meta = meta if isinstance(meta, Mapping) else {}
                walk = walk.after(meta)
                yield InboxPage(items, walk.text(), complete=walk.next_token is None)
                if walk.next_token is None:
                    return
        finally:
            client.session.close()

    def _thread(
        self,
        parts: tuple[Part, ...],
        account: ResolvedAccount,
        progress: ThreadProgress,
        first_reply_to: str | None,
    ) -> Receipt:
        """Publish the parts as a thread, the first replying to `first_reply_to`."""
        client = self._client(account)
        try:
            staging = _UploadFirst(
                progress, lambda index: self._upload_all(client, account, parts[index].media)
            )

            def send(part: Part, reply_to: str | None) -> PartReceipt:
                media_ids = staging.media_ids
                try:
                    answer = self._call(
                        account,
                        lambda: client.create_tweet(
                            text=part.text or None,
                            media_ids=media_ids or None,
                            in_reply_to_tweet_id=reply_to,
                            user_auth=True,
                        ),
                        creating=True,
                    )
                except RepliedToGone as error:
                    if first_reply_to is None or reply_to != first_reply_to:
                        raise  # our own part, just made: X's replicas lag
                    # The citizen's post itself: deleted, or hidden from the account.
                    raise PermanentError(
                        _(
                            "account '{account}': the post this reply answers was deleted or"
                            " cannot be seen by the account ({message}); there is nothing to"
                            " reply to: close the inbox item with `humaspost inbox close`"
                        ).format(account=account.name, message=error.said)
                    ) from error
                tweet_id = _data_id(answer)
                if tweet_id is None:
                    raise UncertainError(
                        _(
                            "X accepted the post but its answer had no post id; check the "
                            "account on x.com before settling it with `humaspost resolve`"
                        )
                    )
                return PartReceipt(tweet_id, STATUS_URL.format(tweet_id))

            return publish_thread(parts, staging, send, first_reply_to)
        finally:
            client.session.close()

    def retract(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Delete every part of a delivery, the last first; a part already gone is fine."""
        from tweepy.errors import NotFound

        client = self._client(account)

        def delete(tweet_id: str) -> None:
            # A part deleted already (by hand, or by an earlier retract) is fine.
            with contextlib.suppress(NotFound):
                client.delete_tweet(tweet_id, user_auth=True)

        try:
            for part in reversed(receipt.parts):
                self._call(account, functools.partial(delete, part.remote_id))
        finally:
            client.session.close()

    def repost(self, origin: Origin, account: ResolvedAccount, comment: str | None) -> Receipt:
        """Repost (retweet) the origin post from the account. X saying the account has
        reposted it already is success. The receipt is the origin's id and address: a
        repost has no id of its own in API v2, and undoing it names the origin."""
        if comment:
            raise PermanentError(
                _(
                    "account '{account}': an X repost cannot carry a comment (quote posts "
                    "need X's Enterprise plan)"
                ).format(account=account.name)
            )
        tweet_id = _checked_id(origin.remote_id)
        client = self._client(account)
        try:
            user_id = self._user_id(client, account)
            answer = self._call(account, lambda: _retweet(client, user_id, tweet_id), creating=True)
        finally:
            client.session.close()
        data = answer.get("data") if isinstance(answer, Mapping) else None
        if not isinstance(data, Mapping) or data.get("retweeted") is not True:
            raise UncertainError(
                _(
                    "X answered the repost by account '{account}' without saying it is "
                    "reposted; check the account on x.com before settling it with "
                    "`humaspost resolve`"
                ).format(account=account.name)
            )
        return Receipt((PartReceipt(tweet_id, origin.url or STATUS_URL.format(tweet_id)),))

    def unrepost(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Undo the account's repost of each origin in the receipt; X answers a repost
        undone already (or never made) as done, and an origin deleted since is fine."""
        from tweepy.errors import NotFound

        client = self._client(account)
        try:
            user_id = self._user_id(client, account)

            def undo(tweet_id: str) -> None:
                with contextlib.suppress(NotFound):
                    if user_id is None:
                        client.unretweet(tweet_id, user_auth=True)
                    else:
                        route = f"/2/users/{user_id}/retweets/{tweet_id}"
                        client.request("DELETE", route, user_auth=True)

            for part in receipt.parts:
                self._call(account, functools.partial(undo, _checked_id(part.remote_id)))
        finally:
            client.session.close()

    def verify(self, account: ResolvedAccount) -> str:
        """Ask X who the credentials belong to; refuse a token that can only read."""
        import requests

        client = self._client(account)
        client.return_type = requests.Response  # to see the headers too

        def ask() -> tuple[str, Any]:
            response = client.get_me(user_auth=True)
            return response.headers.get("x-access-level", ""), response.json()

        try:
            access, answer = self._call(account, ask)
        finally:
            client.session.close()
        data = answer.get("data") if isinstance(answer, Mapping) else None
        username = data.get("username") if isinstance(data, Mapping) else None
        if not isinstance(username, str):
            raise TransientError(_("X's answer about the account had no username"))
        if access and "write" not in access:
            # X names the token's permissions on OAuth 1.0a answers ("read",
            # "read-write", "read-write-directmessages").
            raise PermanentError(
                _(
                    "the access token of account '{account}' (@{username}) can only "
                    "read: regenerate the Access Token and Secret after setting the app's "
                    "permissions to Read and Write"
                ).format(account=account.name, username=username)
            )
        return _("posting as @{username}").format(username=username)

    # -- requests ------------------------------------------------------------------------

    def _client(self, account: ResolvedAccount) -> tweepy.Client:
        """A tweepy client for one account; never waits on rate limits by itself."""
        import tweepy

        missing = [key for key in CREDENTIALS if not account.settings.get(key)]
        if missing:
            raise PermanentError(
                _("account '{account}' has no {settings} in its settings").format(
                    account=account.name, settings=", ".join(missing)
                )
            )
        client = tweepy.Client(
            consumer_key=account.settings["consumer_key"],
            consumer_secret=account.settings["consumer_secret"],
            access_token=account.settings["access_token"],
            access_token_secret=account.settings["access_token_secret"],
            return_type=dict,
            wait_on_rate_limit=False,
        )
        api_url = account.settings.get("api_url") or X_API
        client.session = _session_class()(api_url, self.context.timeout)
        return client

    def _call(self, account: ResolvedAccount, action: Callable[[], T], creating: bool = False) -> T:
        """Run one request; turn what tweepy and requests raise into the three errors."""
        try:
            return action()
        except PublishError:
            raise
        except Exception as error:
            mapped = map_error(error, account, creating=creating, now=self.context.clock())
            if mapped is None:
                raise
            raise mapped from error

    def _own_id(self, client: tweepy.Client, account: ResolvedAccount) -> str:
        """The account's user id: from its access token, else asked of X once."""
        return self._user_id(client, account) or account.settings["access_token"].partition("-")[0]

    def _user_id(self, client: tweepy.Client, account: ResolvedAccount) -> str | None:
        """The account's user id when tweepy cannot read it from the access token (None
        when it can): asked of X with `get_me` once per account and token."""
        token = account.settings["access_token"]
        if _NUMERIC_ID.fullmatch(token.partition("-")[0]):
            return None
        key = (account.name, token)
        if key not in self._user_ids:
            answer = self._call(account, lambda: client.get_me(user_auth=True))
            user_id = _data_id(answer)
            if user_id is None or not user_id.isdigit():
                raise TransientError(_("X's answer about the account had no user id"))
            self._user_ids[key] = user_id
        return self._user_ids[key]

    def _request(
        self,
        client: tweepy.Client,
        account: ResolvedAccount,
        method: str,
        route: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Mapping[str, Any]:
        """A media request through `Client.request` (tweepy has no v2 media methods)."""

        def run() -> Any:
            response = client.request(method, route, params=params, json=body, user_auth=True)
            return response.json() if response.content else {}

        answer = self._call(account, run)
        if not isinstance(answer, Mapping):
            raise TransientError(
                _("X answered {method} {route} in an unexpected form").format(
                    method=method, route=route
                )
            )
        return answer

    # -- media ---------------------------------------------------------------------------

    def _upload_all(
        self, client: tweepy.Client, account: ResolvedAccount, media: tuple[MediaFile, ...]
    ) -> list[str]:
        return [self._upload(client, account, item) for item in media]

    def _upload(self, client: tweepy.Client, account: ResolvedAccount, media: MediaFile) -> str:
        """Upload one file, set its alt text; its media id."""
        kind, mime, data = _read_media(media.path)
        if kind is MediaKind.IMAGE:
            body = {
                "media": base64.b64encode(data).decode("ascii"),
                "media_category": "tweet_image",
                "media_type": mime,
            }
            media_id = _data_id(
                self._request(client, account, "POST", "/2/media/upload", body=body)
            )
            if media_id is None:
                raise TransientError(
                    _("X's answer to the upload of {file} had no id").format(file=media.path.name)
                )
        else:
            category = "tweet_gif" if kind is MediaKind.GIF else "tweet_video"
            media_id = self._upload_chunked(client, account, media.path, data, mime, category)
        if media.alt:
            metadata = {"id": media_id, "metadata": {"alt_text": {"text": media.alt}}}
            self._request(client, account, "POST", "/2/media/metadata", body=metadata)
        return media_id

    def _upload_chunked(
        self,
        client: tweepy.Client,
        account: ResolvedAccount,
        path: Path,
        data: bytes,
        mime: str,
        category: str,
    ) -> str:
        """X's chunked upload: initialize, append the pieces, finalize, wait for X."""
        start = {"media_type": mime, "total_bytes": len(data), "media_category": category}
        media_id = _data_id(
            self._request(client, account, "POST", "/2/media/upload/initialize", body=start)
        )
        if media_id is None:
            raise TransientError(
                _("X's answer to the upload of {file} had no id").format(file=path.name)
            )
        for index, offset in enumerate(range(0, len(data), CHUNK_BYTES)):
            chunk = base64.b64encode(data[offset : offset + CHUNK_BYTES]).decode("ascii")
            route = f"/2/media/upload/{media_id}/append"
            self._request(
                client, account, "POST", route, body={"media": chunk, "segment_index": index}
            )
        answer = self._request(client, account, "POST", f"/2/media/upload/{media_id}/finalize")
        waited = 0.0
        while (state := _processing(answer))[0] in ("pending", "in_progress"):
            wait = min(max(state[1], 1.0), 30.0)
            if waited + wait > PROCESSING_BUDGET:
                raise TransientError(
                    _("X is still processing {file}; will try again later").format(file=path.name)
                )
            self.sleep(wait)
            waited += wait
            params = {"command": "STATUS", "media_id": media_id}
            answer = self._request(client, account, "GET", "/2/media/upload", params=params)
        if state[0] == "failed":
            raise PermanentError(
                _("X could not process {file}: {reason}").format(file=path.name, reason=state[2])
            )
        return media_id


class _UploadFirst:
    """The publisher's progress, with a part's media uploaded before the part is marked
    in flight: a crash or failure during an upload leaves nothing uncertain."""

    def __init__(self, progress: ThreadProgress, upload: Callable[[int], list[str]]) -> None:
        self.progress = progress
        self.upload = upload
        self.media_ids: list[str] = []

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        """The parts an earlier attempt published."""
        return self.progress.done

    def starting(self, index: int) -> None:
        """Upload the part's media, then mark the part in flight."""
        self.media_ids = self.upload(index)
        self.progress.starting(index)

    def published(self, index: int, receipt: PartReceipt) -> None:
        """Record the published part."""
        self.progress.published(index, receipt)


# -- errors ------------------------------------------------------------------------------


def map_error(
    error: BaseException, account: ResolvedAccount, *, creating: bool, now: datetime
) -> PublishError | None:
    """What a tweepy or requests exception means for the delivery; None if it is neither
    (a bug, left to the publisher). `creating`: the request was the one that creates a
    post, so a request that may have reached X makes the outcome uncertain. Messages
    are in the language in use (X's own words kept as X said them) and never contain
    the account's keys or tokens."""
    import requests
    from tweepy.errors import HTTPException, TooManyRequests, TwitterServerError, Unauthorized

    mapped: PublishError | None
    if isinstance(error, HTTPException) and (capped := _usage_capped(error, account)):
        mapped = capped
    elif isinstance(error, TooManyRequests):
        mapped = _rate_limited(error.response.headers, now)
    elif isinstance(error, TwitterServerError):
        status = f"{error.response.status_code} {error.response.reason}".strip()
        mapped = TransientError(
            _("X is having trouble ({status}); will retry").format(status=status)
        )
    elif isinstance(error, Unauthorized):
        mapped = PermanentError(
            _(
                "X refused the credentials of account '{account}': check its four keys "
                "(consumer key and secret, access token and secret), or regenerate the access "
                "token after setting the app's permissions to Read and Write"
            ).format(account=account.name)
        )
    elif isinstance(error, HTTPException):
        mapped = _refusal(error)
    elif isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        mapped = PermanentError(
            _("the api_url of account '{account}' is not a web address").format(
                account=account.name
            )
        )
    elif _never_sent(error):
        mapped = TransientError(
            _("could not connect to X ({reason}); nothing was sent").format(reason=_reason(error))
        )
    elif isinstance(error, requests.RequestException):
        if creating:
            mapped = UncertainError(
                _(
                    "X did not answer after the post was sent ({reason}); it may have "
                    "been published: check the account on x.com, then settle it with "
                    "`humaspost resolve`"
                ).format(reason=_reason(error))
            )
        else:
            mapped = TransientError(
                _("X did not answer ({reason}); try again later").format(reason=_reason(error))
            )
    else:
        return None
    return _scrubbed(mapped, account)


def _usage_capped(error: Any, account: ResolvedAccount) -> UsageCapped | None:
    """X's answer when the developer app's paid usage is used up, or None: 402 (its
    pay-per-use credits exhausted, "CreditsDepleted"), or 429 with the problem type
    `.../2/problems/usage-capped` ("UsageCapExceeded", a monthly cap) rather than a
    rate limit. Either way nothing more goes out until a person acts: not a retry."""
    status = error.response.status_code
    try:
        body = error.response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, Mapping) else {}
    kind, title = str(body.get("type", "")), str(body.get("title", ""))
    said = str(body.get("detail") or title or f"{status} {error.response.reason}".strip())
    if status == 402:
        return UsageCapped(
            _(
                "X refuses requests from account '{account}': the X developer app's "
                "credits are used up (X: {said}); buy credits or raise the spending limit "
                "in the X developer console; nothing goes out through the app until then"
            ).format(account=account.name, said=said)
        )
    if status == 429 and (kind.endswith("/usage-capped") or title.startswith("UsageCap")):
        return UsageCapped(
            _(
                "X refuses requests from account '{account}': the X developer app's usage "
                "cap is reached (X: {said}); nothing goes out through the app until the cap "
                "resets or is raised in the X developer console"
            ).format(account=account.name, said=said)
        )
    return None


def _rate_limited(headers: Mapping[str, str], now: datetime) -> TransientError:
    """X answered 429: which limit is used up, and when it resets if X says."""
    retry_after, daily = _retry_after(headers, now)
    if retry_after is None:
        message = _("X's rate limit for this account is used up")
    elif daily:
        message = _(
            "X's daily posting limit for this account is used up; it resets in {seconds} s"
        ).format(seconds=f"{retry_after:.0f}")
    else:
        message = _("X's rate limit for this account is used up; it resets in {seconds} s").format(
            seconds=f"{retry_after:.0f}"
        )
    return TransientError(message, retry_after)


def _refusal(error: Any) -> PublishError:
    """X answered with a 4xx other than 401 and 429; X's own words are kept as they are."""
    status = error.response.status_code
    message = _x_message(error)
    lowered = message.lower()
    if status == 403 and "duplicate content" in lowered:
        return PermanentError(_(_DUPLICATE))
    if status == 403 and "not been mentioned" in lowered:
        return PermanentError(_(_NOT_MENTIONED).format(message=message))
    if status == 403 and "reply to a" in lowered and "deleted or not visible" in lowered:
        # Seen mid-thread right after the part replied to was created (X's replicas
        # lag); nothing was created, so try again later: the thread resumes there. (A
        # reply to a citizen's deleted post is told apart by the reply: RepliedToGone.)
        return RepliedToGone(message)
    if status == 403:
        return PermanentError(_("X refused the request: {message}").format(message=message))
    if status == 400:
        return PermanentError(
            _("X rejected the request as invalid: {message}").format(message=message)
        )
    status_line = f"{status} {error.response.reason}".strip()
    if message == status_line:
        return PermanentError(_("X answered {status}").format(status=status_line))
    return PermanentError(
        _("X answered {status}: {message}").format(status=status_line, message=message)
    )


class RepliedToGone(TransientError):
    """X refused a reply because the post it answers is deleted or not visible."""

    def __init__(self, said: str) -> None:
        super().__init__(_("X refused the reply: {message}").format(message=said), 60)
        self.said = said


def _x_message(error: Any) -> str:
    """X's own words for a refusal, or the status line."""
    messages = [str(m) for m in error.api_messages if m]
    status = f"{error.response.status_code} {error.response.reason}".strip()
    return "; ".join(messages) if messages else status


def _retry_after(headers: Mapping[str, str], now: datetime) -> tuple[float | None, bool]:
    """Seconds until X lifts the limit (at least 1), and whether it is a 24-hour cap."""

    def epoch(name: str) -> int | None:
        value = headers.get(name, "")
        return int(value) if value.isdigit() else None

    resets = [epoch("x-rate-limit-reset")]
    daily = [
        epoch(f"x-{who}-limit-24hour-reset")
        for who in ("user", "app")
        if headers.get(f"x-{who}-limit-24hour-remaining") == "0"
    ]
    known = [r for r in resets + daily if r is not None]
    if not known:
        return None, False
    latest = max(known)
    return max(1.0, latest - now.timestamp()), latest in daily and latest not in resets


def _never_sent(error: BaseException) -> bool:
    """Whether the request failed before it could reach X: refused or timed-out connect,
    name resolution, TLS handshake, proxy."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

    if isinstance(
        error,
        requests.exceptions.ConnectTimeout
        | requests.exceptions.SSLError
        | requests.exceptions.ProxyError,
    ):
        return True
    if isinstance(error, requests.exceptions.ConnectionError) and error.args:
        cause = error.args[0]
        reason = cause.reason if isinstance(cause, MaxRetryError) else None
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def _reason(error: BaseException) -> str:
    """A short, secret-free description of a network failure."""
    import requests

    for kind, words in (
        (requests.exceptions.ConnectTimeout, N_("connection timed out")),
        (requests.exceptions.ReadTimeout, N_("timed out waiting for the answer")),
        (requests.exceptions.SSLError, N_("TLS error")),
        (requests.exceptions.ChunkedEncodingError, N_("connection broken mid-answer")),
        (requests.exceptions.JSONDecodeError, N_("the answer was not JSON")),
    ):
        if isinstance(error, kind):
            return _(words)
    text = repr(error)
    for marker, words in (
        ("refused", N_("connection refused")),
        ("reset", N_("connection reset")),
        ("RemoteDisconnected", N_("connection closed without an answer")),
        ("NameResolution", N_("unknown host name")),
    ):
        if marker in text:
            return _(words)
    return type(error).__name__


def _scrubbed(error: PublishError, account: ResolvedAccount) -> PublishError:
    """The error with any of the account's keys or tokens blanked from its message."""
    message = str(error)
    secrets = [account.settings.get(key, "") for key in CREDENTIALS]
    clean = message
    for secret in secrets:
        if len(secret) >= 4:
            clean = clean.replace(secret, "***")
    if clean == message:
        return error
    if isinstance(error, TransientError):
        return TransientError(clean, error.retry_after)
    return type(error)(clean)


# -- the inbox ---------------------------------------------------------------------------


class _MentionsCursor:
    """Where a mentions fetch stands; its JSON is the inbox cursor (see the module's
    docstring). What cannot be read in a saved cursor is left out; one with neither a
    since_id nor a start_time starts from `since`, as a first fetch does (what is read
    again is stored once: the log keys items by their id)."""

    def __init__(
        self,
        since_id: str | None,
        start_time: str | None,
        next_token: str | None = None,
        newest_id: str | None = None,
    ) -> None:
        self.since_id = since_id
        self.start_time = start_time  # only while there is no since_id
        self.next_token = next_token
        self.newest_id = newest_id

    @classmethod
    def read(cls, cursor: str | None, since: datetime) -> _MentionsCursor:
        """The cursor a fetch starts from (`since` bounds the first one)."""
        try:
            saved = json.loads(cursor) if cursor else {}
        except ValueError:
            saved = {}
        saved = saved if isinstance(saved, dict) else {}

        def text(key: str, pattern: re.Pattern[str]) -> str | None:
            value = saved.get(key)
            return value if isinstance(value, str) and pattern.fullmatch(value) else None

        since_id = text("since_id", _NUMERIC_ID)
        start_time = None if since_id else text("start_time", _X_TIME)
        if since_id is None and start_time is None:
            start_time = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        next_token = saved.get("next_token")
        next_token = next_token if isinstance(next_token, str) and next_token else None
        newest_id = text("newest_id", _NUMERIC_ID) if next_token else None
        return cls(since_id, start_time, next_token, newest_id)

    def restarted(self) -> _MentionsCursor:
        """The same fetch from its first page again."""
        return _MentionsCursor(self.since_id, self.start_time)

    def after(self, meta: Mapping[str, Any]) -> _MentionsCursor:
        """Where the fetch stands after a page with this `meta`: on to its next_token,
        or done, with the newest id of the walk's first page as the next since_id."""
        newest = self.newest_id
        if self.next_token is None:  # this was the walk's first page
            value = meta.get("newest_id")
            newest = value if isinstance(value, str) and _NUMERIC_ID.fullmatch(value) else None
        token = meta.get("next_token")
        if isinstance(token, str) and token:
            return _MentionsCursor(self.since_id, self.start_time, token, newest)
        since_id = newest or self.since_id
        return _MentionsCursor(since_id, None if since_id else self.start_time)

    def text(self) -> str:
        """The cursor as the log stores it."""
        fields = {
            "since_id": self.since_id,
            "start_time": self.start_time,
            "next_token": self.next_token,
            "newest_id": self.newest_id,
        }
        return json.dumps({key: value for key, value in fields.items() if value is not None})


def _mentions(
    client: tweepy.Client, user_id: str, walk: _MentionsCursor, token_may_expire: bool
) -> Any:
    """One page of the user's mentions where `walk` stands; None when X refuses the
    walk's pagination token and `token_may_expire`."""
    from tweepy.errors import BadRequest

    bound: dict[str, str] = (
        {"since_id": walk.since_id} if walk.since_id else {"start_time": str(walk.start_time)}
    )
    if walk.next_token:
        bound["pagination_token"] = walk.next_token
    try:
        return client.get_users_mentions(
            user_id,
            user_auth=True,
            max_results=MENTIONS_PER_PAGE,
            expansions="author_id",
            tweet_fields=MENTION_FIELDS,
            user_fields=AUTHOR_FIELDS,
            **bound,
        )
    except BadRequest as error:
        if token_may_expire and _names_the_token(error):
            return None
        raise


def _names_the_token(error: Any) -> bool:
    """Whether X's 400 is about the pagination token."""
    for problem in error.api_errors:
        parameters = problem.get("parameters") if isinstance(problem, Mapping) else None
        if isinstance(parameters, Mapping) and "pagination_token" in parameters:
            return True
    return any("pagination_token" in str(message) for message in error.api_messages)


def _incoming(answer: object, user_id: str, now: datetime) -> tuple[Incoming, ...]:
    """The mentions of a page, without the account's own posts. `now` stands in for a
    post's time if X's answer lacks it (it never should: the request asks for it)."""
    page = answer if isinstance(answer, Mapping) else {}
    includes = page.get("includes")
    users = includes.get("users") if isinstance(includes, Mapping) else None
    authors = {str(user.get("id")): user for user in users or () if isinstance(user, Mapping)}
    found = []
    for tweet in page.get("data") or ():
        tweet_id = _data_id({"data": tweet})
        if tweet_id is None:
            continue
        author_id = str(tweet.get("author_id", ""))
        if author_id == user_id:
            continue
        author = authors.get(author_id, {})
        username = author.get("username")
        username = username if isinstance(username, str) and username else None
        note = tweet.get("note_tweet")
        text = note.get("text") if isinstance(note, Mapping) else None
        replied = [
            str(reference.get("id"))
            for reference in tweet.get("referenced_tweets") or ()
            if isinstance(reference, Mapping) and reference.get("type") == "replied_to"
        ]
        url = MENTION_URL.format(username=username, id=tweet_id) if username else None
        conversation = str(tweet.get("conversation_id") or "")
        found.append(
            Incoming(
                remote_id=tweet_id,
                author_id=author_id,
                author_name=str(author.get("name") or ""),
                author_handle=username,
                # X writes &, < and > as HTML entities in the texts it gives.
                text=html.unescape(str(text if isinstance(text, str) else tweet.get("text") or "")),
                url=url or STATUS_URL.format(tweet_id),
                created_at=_x_time(tweet.get("created_at"), now),
                answers_remote_id=replied[0] if replied else None,
                thread_remote_id=conversation if conversation not in ("", tweet_id) else None,
            )
        )
    return tuple(found)


def _x_time(value: object, fallback: datetime) -> datetime:
    """An X time (`2026-12-01T01:00:00.000Z`) as an aware UTC datetime."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return fallback.astimezone(UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- helpers -----------------------------------------------------------------------------


_NUMERIC_ID = re.compile(r"[0-9]{1,20}")
_X_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_ALREADY_REPOSTED = ("already retweeted", "already reposted")


def _retweet(client: tweepy.Client, user_id: str | None, tweet_id: str) -> Any:
    """Repost `tweet_id`: through `Client.retweet` (tweepy reads the user id from the
    token) or, with `user_id`, the same route by hand. X's v1.1-style refusal of a
    repost made already ("You have already retweeted this Tweet.", code 327) counts
    as reposted, as X's v2 answer to it does."""
    from tweepy.errors import Forbidden

    try:
        if user_id is None:
            return client.retweet(tweet_id, user_auth=True)
        route = f"/2/users/{user_id}/retweets"
        response = client.request("POST", route, json={"tweet_id": tweet_id}, user_auth=True)
        return response.json()
    except Forbidden as error:
        said = " ".join(str(m) for m in error.api_messages).lower()
        if 327 in error.api_codes or any(words in said for words in _ALREADY_REPOSTED):
            return {"data": {"retweeted": True}}
        raise


def _checked_id(remote_id: str) -> str:
    """A post id, checked: one X could not have given is refused here, not sent."""
    if not _NUMERIC_ID.fullmatch(remote_id):
        raise PermanentError(_("{post_id} is not an X post id").format(post_id=repr(remote_id)))
    return remote_id


def _data_id(answer: object) -> str | None:
    """`data.id` of an X answer."""
    data = answer.get("data") if isinstance(answer, Mapping) else None
    value = data.get("id") if isinstance(data, Mapping) else None
    return str(value) if isinstance(value, str | int) and value != "" else None


def _processing(answer: Mapping[str, Any]) -> tuple[str, float, str]:
    """(state, seconds to wait, error message) of an upload X processes."""
    data = answer.get("data")
    info = data.get("processing_info") if isinstance(data, Mapping) else None
    if not isinstance(info, Mapping):
        return "succeeded", 0.0, ""
    wait = info.get("check_after_secs", 1)
    problem = info.get("error")
    message = problem.get("message", "") if isinstance(problem, Mapping) else ""
    return (
        str(info.get("state", "succeeded")),
        float(wait) if isinstance(wait, int | float) else 1.0,
        str(message) or _("no reason given"),
    )


def _read_media(path: Path) -> tuple[MediaKind, str, bytes]:
    """The kind, MIME type and bytes of a media file (its format from its bytes)."""
    try:
        info = inspect_media(path)
        data = path.read_bytes()
    except UnsupportedMedia as error:
        raise PermanentError(
            _("{file} cannot be posted to X: it is {reason}").format(file=path.name, reason=error)
        ) from None
    except NotPlainFile as error:
        raise PermanentError(
            _("{file} is {reason}, not a plain file").format(file=path.name, reason=error.reason)
        ) from None
    except OSError as error:
        raise PermanentError(
            _("cannot read {file}: {reason}").format(file=path.name, reason=error.strerror)
        ) from None
    return info.kind, MIME_TYPES[info.format], data


@functools.cache
def _session_class() -> Callable[[str, float], requests.Session]:
    """The requests.Session that sends tweepy's requests to the account's api_url, each
    with the context's timeout (built on first use: requests is imported late)."""
    import requests

    class XSession(requests.Session):
        def __init__(self, api_url: str, timeout: float) -> None:
            super().__init__()
            self.api_url = api_url.rstrip("/")
            self.timeout = timeout

        def request(  # type: ignore[override]
            self, method: str, url: str, *args: Any, **kwargs: Any
        ) -> requests.Response:
            # Rewritten before the request is prepared, so the OAuth signature covers
            # the address the request really goes to.
            if url.startswith(X_API):
                url = self.api_url + url[len(X_API) :]
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = self.timeout
            return super().request(method, url, *args, **kwargs)

    return XSession
