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
"""

from __future__ import annotations

import base64
import contextlib
import functools
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from humaspost.i18n import N_, _
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
        client = self._client(account)
        try:
            staging = _UploadFirst(
                progress, lambda index: self._upload_all(client, account, parts[index].media)
            )

            def send(part: Part, reply_to: str | None) -> PartReceipt:
                media_ids = staging.media_ids
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
                tweet_id = _data_id(answer)
                if tweet_id is None:
                    raise UncertainError(
                        _(
                            "X accepted the post but its answer had no post id; check the "
                            "account on x.com before settling it with `humaspost resolve`"
                        )
                    )
                return PartReceipt(tweet_id, STATUS_URL.format(tweet_id))

            return publish_thread(parts, staging, send)
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
    if status == 403 and "reply to a" in lowered and "deleted or not visible" in lowered:
        # Seen mid-thread right after the part replied to was created (X's replicas
        # lag); nothing was created, so try again later: the thread resumes there.
        return TransientError(
            _("X refused the reply: {message}").format(message=message), retry_after=60
        )
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


# -- helpers -----------------------------------------------------------------------------


_NUMERIC_ID = re.compile(r"[0-9]{1,20}")
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
