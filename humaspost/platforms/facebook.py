"""The Facebook Pages adapter: posts to a Page's feed with a Page access token.

It talks to the Graph API through facebook-sdk 3.1.0, an unmaintained library (2018).
Everything that knows about that library is in this file, so that it can be swapped for
a maintained client here alone. What it needed around it:

- Its constructor accepts Graph versions up to 3.1 only: we build it without one and set
  `version` afterwards (`graph_version`, default v23.0).
- Its base URL is a module constant (`FACEBOOK_GRAPH_URL`). Changing that constant would
  send every account of the process to the same host, so each call gets its own
  `requests.Session` that rewrites the prefix to the account's `api_url` instead (the
  same door as the X adapter's; a subclass of `GraphAPI` would mean copying its whole
  `request` method).
- It has no default timeout: we pass `PlatformContext.timeout`.
- It does not catch `requests` exceptions, whose messages contain the request URL, and
  the access token is in the URL of every GET and DELETE; on a non-JSON answer (a 502
  page from a proxy) it loses the HTTP status, and without a Content-Type header it
  crashes with KeyError. Our session records each answer's status and headers and
  refuses answers that are not JSON, and every failure becomes one of our errors with
  a message of our own: no library text reaches a user without the token redacted.

Facebook gets one part: the thread joined (see rules.py). Text and link go to the Page
feed; one photo is a published photo with the text as its caption; several photos are
uploaded unpublished, then attached to one feed post. Photo uploads that publish
nothing are made before the post is marked in flight, so that a failure during them is
simply retried. humaspost sends photos only (no video) and does not send alt text.

A re-share is a post on the Page's feed whose `link` is the origin's permalink (the
Graph API has no "share" call for Pages), with the optional comment as its message.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import re
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from humaspost.i18n import _
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
    publish_thread,
)

if TYPE_CHECKING:
    import requests

DEFAULT_API_URL = "https://graph.facebook.com"
DEFAULT_GRAPH_VERSION = "v23.0"
POST_URL = "https://www.facebook.com/{}"

INVALID_TOKEN = 190
DUPLICATE_POST = 506
BLOCKED_BY_POLICY = 368
NO_SUCH_OBJECT = 33  # the subcode of code 100 for an id that names nothing (any more)
# Application, user, Page and API rate limits; 80001 is the Pages "business use case"
# limit that Page tokens are counted under.
RATE_LIMITS = frozenset({4, 17, 32, 613, 80001})

_VERSION_RE = re.compile(r"v?(\d{1,3}\.\d{1,3})")
_PAGE_ID_RE = re.compile(r"[0-9]+")
_POST_ID_RE = re.compile(r"[0-9]+(?:_[0-9]+)?")
_TOKEN_IN_URL_RE = re.compile(r"(access_token=)[^&\s'\"]+")


class FacebookPlatform:
    """Publishes to a Facebook Page through the Graph API."""

    name: ClassVar[str] = "facebook"

    def __init__(self, context: PlatformContext) -> None:
        self.context = context

    def publish(
        self, parts: tuple[Part, ...], account: ResolvedAccount, progress: ThreadProgress
    ) -> Receipt:
        """Publish the (single) part as one Page post, unless an earlier attempt did."""
        page = PageSettings.of(account)
        if len(parts) != 1:
            raise PermanentError(
                _("a Facebook post is one part, not {count}").format(count=len(parts))
            )
        gate = _InFlightGate(progress)
        with _Graph(page, self.context.timeout) as graph:

            def send(part: Part, reply_to: str | None) -> PartReceipt:
                return _post(graph, page, part, gate)

            return publish_thread(parts, gate, send)

    def retract(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Delete each part's post from the Page."""
        page = PageSettings.of(account)
        with _Graph(page, self.context.timeout) as graph:
            for part in receipt.parts:
                post_id = _checked_post_id(part.remote_id)
                answer = graph.call(
                    _("deleting post {post_id}").format(post_id=post_id),
                    functools.partial(graph.api.delete_object, post_id),
                )
                if answer.get("success") is False:
                    raise PermanentError(
                        _("Facebook did not delete post {post_id}").format(post_id=post_id)
                    )

    def repost(self, origin: Origin, account: ResolvedAccount, comment: str | None) -> Receipt:
        """Share the origin on the Page: a feed post linking to its permalink, with the
        comment as its text; the receipt is the new post's."""
        page = PageSettings.of(account)
        link = origin.url.strip()
        if urlsplit(link).scheme not in ("https", "http"):
            raise PermanentError(
                _("account '{account}': {url} is not a web address to share").format(
                    account=account.name, url=repr(origin.url)
                )
            )
        fields = {"link": link}
        if comment and comment.strip():
            fields["message"] = comment.strip()
        with _Graph(page, self.context.timeout) as graph:
            answer = graph.call(
                _("sharing {url}").format(url=link),
                lambda: graph.api.put_object(page.page_id, "feed", **fields),
                creating=True,
            )
        return Receipt((_receipt(answer, "id"),))

    def unrepost(self, receipt: Receipt, account: ResolvedAccount) -> None:
        """Delete the share from the Page; one deleted already (by hand) is fine."""
        import facebook

        page = PageSettings.of(account)
        with _Graph(page, self.context.timeout) as graph:
            for part in receipt.parts:
                post_id = _checked_post_id(part.remote_id)

                def delete(post_id: str = post_id) -> Any:
                    try:
                        return graph.api.delete_object(post_id)
                    except facebook.GraphAPIError as error:
                        if _gone(error):
                            return {"success": True}
                        raise

                answer = graph.call(_("deleting post {post_id}").format(post_id=post_id), delete)
                if answer.get("success") is False:
                    raise PermanentError(
                        _("Facebook did not delete post {post_id}").format(post_id=post_id)
                    )

    def verify(self, account: ResolvedAccount) -> str:
        """Read the Page's name with the token: it proves both are right."""
        page = PageSettings.of(account)
        with _Graph(page, self.context.timeout) as graph:
            answer = graph.call(
                _("reading the Page"), lambda: graph.api.get_object(page.page_id, fields="name")
            )
        return _("posting as page {page}").format(page=answer.get("name") or page.page_id)


@dataclass(frozen=True)
class PageSettings:
    """An account's Facebook settings, checked."""

    page_id: str
    token: str
    version: str
    api_url: str

    def __repr__(self) -> str:  # never show the token
        return f"PageSettings(page_id={self.page_id!r}, version={self.version!r})"

    @classmethod
    def of(cls, account: ResolvedAccount) -> PageSettings:
        """Read and check the settings; a PermanentError says what is wrong."""
        settings = account.settings
        page_id = settings.get("page_id", "").strip()
        name = account.name
        if not _PAGE_ID_RE.fullmatch(page_id):
            raise PermanentError(
                _("account '{account}': page_id must be the Page's numeric ID").format(account=name)
            )
        token = settings.get("access_token", "").strip()
        if not token:
            raise PermanentError(
                _("account '{account}': access_token is empty").format(account=name)
            )
        raw_version = settings.get("graph_version", DEFAULT_GRAPH_VERSION).strip()
        version = _VERSION_RE.fullmatch(raw_version)
        if version is None:
            raise PermanentError(
                _(
                    "account '{account}': graph_version must look like {example}, not {value}"
                ).format(account=name, example=DEFAULT_GRAPH_VERSION, value=repr(raw_version))
            )
        api_url = settings.get("api_url", DEFAULT_API_URL).strip().rstrip("/")
        address = urlsplit(api_url)
        local = address.hostname in ("127.0.0.1", "localhost", "::1")
        if not address.hostname or address.scheme not in ("https", "http"):
            raise PermanentError(
                _("account '{account}': api_url must be a web address").format(account=name)
            )
        if address.scheme == "http" and not local:
            raise PermanentError(
                _("account '{account}': api_url must use https (the token travels in it)").format(
                    account=name
                )
            )
        return cls(page_id, token, f"v{version.group(1)}", api_url)


# ---------------------------------------------------------------------------- posting


def _post(graph: _Graph, page: PageSettings, part: Part, gate: _InFlightGate) -> PartReceipt:
    """Create the post for `part`; mark it in flight right before the creating request."""
    message = _message(part)
    if not part.media:
        if not message and not part.link:
            raise PermanentError(_("nothing to post: no text, photo or link"))
        fields = {"message": message} if message else {}
        if part.link:
            fields["link"] = part.link
        gate.creating()
        answer = graph.call(
            _("publishing the post"),
            lambda: graph.api.put_object(page.page_id, "feed", **fields),
            creating=True,
        )
        return _receipt(answer, "id")
    caption = {"message": message} if message else {}
    if len(part.media) == 1:
        answer = _upload(graph, page, part.media[0], _("publishing the photo"), caption, gate)
        return _receipt(answer, "post_id", "id")
    photo_ids = []
    for number, media in enumerate(part.media, start=1):
        what = _("uploading photo {number} of {total} ({file})").format(
            number=number, total=len(part.media), file=media.path.name
        )
        uploaded = _upload(graph, page, media, what, {"published": "false"})
        photo_id = uploaded.get("id")
        if not isinstance(photo_id, str | int) or not str(photo_id):
            raise PermanentError(_("Facebook answered {what} without a photo id").format(what=what))
        photo_ids.append({"media_fbid": str(photo_id)})
    gate.creating()
    answer = graph.call(
        _("publishing the post"),
        lambda: graph.api.put_object(
            page.page_id, "feed", **caption, attached_media=json.dumps(photo_ids)
        ),
        creating=True,
    )
    return _receipt(answer, "id")


def _message(part: Part) -> str:
    """The post's text. A photo post cannot carry a link preview: its link goes at the end
    of the text (unless the text has it already), where Facebook makes it clickable."""
    text = part.text.strip()
    if part.media and part.link and part.link not in text:
        return f"{text}\n\n{part.link}" if text else part.link
    return text


def _upload(
    graph: _Graph,
    page: PageSettings,
    media: MediaFile,
    what: str,
    fields: Mapping[str, str],
    gate: _InFlightGate | None = None,
) -> dict[str, Any]:
    """Upload one photo; with `gate`, it is published (so in flight once the file opens)."""
    kind = mimetypes.guess_type(media.path.name)[0] or "application/octet-stream"
    try:
        file = media.path.open("rb")
    except OSError as error:
        raise PermanentError(
            _("cannot read {path}: {reason}").format(path=media.path, reason=error.strerror)
        ) from None
    with file:
        if gate is not None:
            gate.creating()
        return graph.call(
            what,
            lambda: graph.api.put_photo(
                (media.path.name, file, kind), album_path=f"{page.page_id}/photos", **fields
            ),
            creating=gate is not None,
        )


def _receipt(answer: Mapping[str, Any], *keys: str) -> PartReceipt:
    for key in keys:
        value = answer.get(key)
        if isinstance(value, str | int) and _POST_ID_RE.fullmatch(str(value)):
            return PartReceipt(str(value), POST_URL.format(value))
    raise UncertainError(
        _("Facebook answered without a usable post id; the post may exist: check the Page")
    )


def _gone(error: Any) -> bool:
    """Whether a Graph error says the object does not exist (code 100, subcode 33)."""
    body = error.result.get("error") if isinstance(error.result, dict) else None
    subcode = _int(body.get("error_subcode")) if isinstance(body, dict) else None
    return _int(error.code) == 100 and subcode == NO_SUCH_OBJECT


def _checked_post_id(remote_id: str) -> str:
    if not _POST_ID_RE.fullmatch(remote_id):
        raise PermanentError(
            _("{post_id} is not a Facebook post id").format(post_id=repr(remote_id))
        )
    return remote_id


class _InFlightGate:
    """The publisher's progress, with the part marked in flight only when the request
    that creates the post goes out (not before the unpublished photo uploads)."""

    def __init__(self, progress: ThreadProgress) -> None:
        self.progress = progress
        self.index: int | None = None

    @property
    def done(self) -> tuple[PartReceipt, ...]:
        """The parts an earlier attempt published."""
        return self.progress.done

    def starting(self, index: int) -> None:
        """Remember the part; it goes in flight at `creating`."""
        self.index = index

    def creating(self) -> None:
        """The request that makes the post public is about to go out."""
        assert self.index is not None
        self.progress.starting(self.index)

    def published(self, index: int, receipt: PartReceipt) -> None:
        """Record the published part."""
        self.progress.published(index, receipt)


# ------------------------------------------------------------------ the Graph client


@dataclass(frozen=True)
class Answer:
    """What is known of the HTTP answer to a request."""

    status: int
    headers: Mapping[str, str]
    content_type: str = ""


class UnreadableAnswer(Exception):
    """The server answered something that is not Graph API JSON."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(f"HTTP {answer.status} {answer.content_type or 'no content type'}")
        self.answer = answer


class _Graph:
    """A facebook-sdk client for one account, for one call of the adapter."""

    def __init__(self, page: PageSettings, timeout: float) -> None:
        import facebook

        self.page = page
        self.last = _LastAnswer()
        self.session = _session_class()(page.api_url, self.last)
        self.api = facebook.GraphAPI(access_token=page.token, timeout=timeout, session=self.session)
        self.api.version = page.version  # the constructor refuses versions after 3.1
        self.timeout = timeout

    def __enter__(self) -> _Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def call(
        self, what: str, request: Callable[[], Any], *, creating: bool = False
    ) -> dict[str, Any]:
        """Run one request; any failure becomes a PublishError with a safe message.

        The error is raised outside the `except` block so that no library exception (whose
        text may hold the token) is chained to it."""
        failure: PublishError
        try:
            answer = request()
        except Exception as error:
            failure = classify_error(
                error,
                what=what,
                creating=creating,
                answer=self.last.answer,
                timeout=self.timeout,
                secrets=(self.page.token,),
            )
        else:
            return answer if isinstance(answer, dict) else {"success": bool(answer)}
        raise failure


class _LastAnswer:
    """Where a session notes the HTTP answer to its latest request."""

    def __init__(self) -> None:
        self.answer: Answer | None = None


@functools.cache
def _session_class() -> Callable[[str, _LastAnswer], requests.Session]:
    """The session class, built on first use so that `requests` loads only when needed."""
    import facebook
    import requests

    prefix: str = facebook.FACEBOOK_GRAPH_URL

    class GraphSession(requests.Session):
        """Sends facebook-sdk's requests to `api_url` instead of graph.facebook.com and
        notes each answer; refuses answers that are not JSON."""

        def __init__(self, api_url: str, last: _LastAnswer) -> None:
            super().__init__()
            self.base = api_url.rstrip("/") + "/"
            self.last = last

        def request(  # type: ignore[override]
            self, method: str, url: str, *args: Any, **kwargs: Any
        ) -> requests.Response:
            if url.startswith(prefix):
                url = self.base + url[len(prefix) :]
            self.last.answer = None
            response = super().request(method, url, *args, **kwargs)
            content_type = response.headers.get("content-type", "")
            answer = Answer(response.status_code, dict(response.headers), content_type)
            self.last.answer = answer
            if "json" not in content_type:
                raise UnreadableAnswer(answer)
            try:
                response.json()
            except ValueError:
                raise UnreadableAnswer(answer) from None
            return response

    return GraphSession


# ----------------------------------------------------------------- error mapping


def classify_error(
    error: BaseException,
    *,
    what: str,
    creating: bool,
    answer: Answer | None = None,
    timeout: float | None = None,
    secrets: tuple[str, ...] = (),
) -> PublishError:
    """The PublishError for a failed request.

    `what` names the request in the language in use ("publishing the post", shown
    after "while"); `creating` says whether it is the one that makes a post public (a
    feed post, a published photo), so that losing its answer leaves the delivery
    uncertain; `answer` is the HTTP answer, if one came. Messages are in the language
    in use and never include `secrets` or an access_token in a URL.
    """
    import facebook
    import requests

    def clean(text: object) -> str:
        return redact(str(text), secrets)

    if isinstance(error, facebook.GraphAPIError):
        return _graph_error(error, what, answer, clean)
    if isinstance(error, UnreadableAnswer):
        status = error.answer.status
        kind = error.answer.content_type or _("no content type")
        if status >= 500:
            return TransientError(
                _("Facebook server error (HTTP {status}) while {what}").format(
                    status=status, what=what
                )
            )
        if status == 429:
            return _too_many_requests(what, error.answer.headers)
        if 200 <= status < 300 and creating:
            return UncertainError(
                _(
                    "Facebook's answer to {what} could not be read (HTTP {status}, {kind}); "
                    "the post may have been published: check the Page before retrying"
                ).format(what=what, status=status, kind=kind)
            )
        return PermanentError(
            _(
                "unexpected answer (HTTP {status}, {kind}) while {what}: is api_url the Graph API?"
            ).format(status=status, kind=kind, what=what)
        )
    if isinstance(error, requests.RequestException):
        return _network_error(error, what, creating, timeout)
    # facebook-sdk raises AssertionError, KeyError and the like on bugs of its own.
    name = type(error).__name__
    if creating and answer is not None and 200 <= answer.status < 300:
        return UncertainError(
            _(
                "internal error in facebook-sdk after Facebook answered {what} ({name}); "
                "the post may have been published: check the Page before retrying"
            ).format(what=what, name=name)
        )
    return PermanentError(
        _("internal error in facebook-sdk while {what} ({name})").format(what=what, name=name)
    )


def _too_many_requests(what: str, headers: Mapping[str, str]) -> TransientError:
    """An HTTP 429, with how long Facebook says to wait."""
    return TransientError(
        _("Facebook: too many requests while {what}").format(what=what), _retry_after(headers)
    )


def _graph_error(
    error: Any, what: str, answer: Answer | None, clean: Callable[[object], str]
) -> PublishError:
    """A Graph API error body ({"error": {"message", "code", ...}})."""
    body = error.result.get("error") if isinstance(error.result, dict) else None
    details = body if isinstance(body, dict) else {}
    code = _int(error.code)
    subcode = _int(details.get("error_subcode"))
    said = clean(error.message).strip() or _("no message")
    status = answer.status if answer is not None else None
    if code == INVALID_TOKEN:
        return PermanentError(
            _(
                "the Page access token is invalid or expired (Facebook: {said}); it must be "
                "renewed: create a new long-lived Page access token and update its "
                "environment variable (see docs/platforms/facebook.md)"
            ).format(said=said)
        )
    if code == DUPLICATE_POST:
        return PermanentError(
            _("Facebook refuses a post identical to a recent one (Facebook: {said})").format(
                said=said
            )
        )
    if code == BLOCKED_BY_POLICY:
        return PermanentError(
            _(
                "blocked by Facebook's policy or spam checks while {what} (Facebook: {said}); "
                "see the Page's notifications in Meta Business Suite"
            ).format(what=what, said=said)
        )
    if code in RATE_LIMITS:
        return TransientError(
            _("Facebook rate limit reached while {what} (code {code}: {said})").format(
                what=what, code=code, said=said
            ),
            retry_after=_retry_after(answer.headers if answer is not None else {}),
        )
    if status == 429:
        return _too_many_requests(what, answer.headers if answer is not None else {})
    if (status is not None and status >= 500) or details.get("is_transient") is True:
        if status is None:
            return TransientError(
                _("Facebook server error (temporary) while {what}: {said}").format(
                    what=what, said=said
                )
            )
        return TransientError(
            _("Facebook server error (HTTP {status}) while {what}: {said}").format(
                status=status, what=what, said=said
            )
        )
    return PermanentError(_refused(what, said, code, subcode))


def _refused(what: str, said: str, code: int | None, subcode: int | None) -> str:
    """Facebook refused a request for another reason: its words, and its codes."""
    values = {"what": what, "said": said, "code": code, "subcode": subcode}
    if code and subcode:
        return _("Facebook refused {what}: {said} (code {code}, subcode {subcode})").format(
            **values
        )
    if code:
        return _("Facebook refused {what}: {said} (code {code})").format(**values)
    if subcode:
        return _("Facebook refused {what}: {said} (subcode {subcode})").format(**values)
    return _("Facebook refused {what}: {said}").format(**values)


def _network_error(
    error: requests.RequestException, what: str, creating: bool, timeout: float | None
) -> PublishError:
    """A request that got no (complete) answer: was anything sent?"""
    import requests
    import urllib3.exceptions

    # requests wraps urllib3's MaxRetryError, whose `reason` says what failed.
    reason = getattr(error.args[0] if error.args else None, "reason", None)
    problem = None
    if isinstance(error, requests.ConnectTimeout):
        problem = _("timed out")
    elif isinstance(error, requests.exceptions.ProxyError):
        problem = _("the proxy failed")
    elif isinstance(reason, urllib3.exceptions.NameResolutionError):
        problem = _("the name could not be resolved")
    elif isinstance(reason, urllib3.exceptions.NewConnectionError):
        refused = "refused" in str(reason).lower()
        problem = _("connection refused") if refused else _("connection failed")
    elif reason is not None and any(
        isinstance(arg, ssl.SSLCertVerificationError) for arg in getattr(reason, "args", ())
    ):
        problem = _("its certificate could not be verified")
    if problem is not None:
        return TransientError(
            _("could not connect to Facebook ({problem}) while {what}").format(
                problem=problem, what=what
            )
        )
    answer_lost = (
        requests.ReadTimeout,
        requests.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    )
    if isinstance(error, answer_lost):
        if not isinstance(error, requests.ReadTimeout):
            lost = _("the connection broke before the answer came")
        elif timeout:
            lost = _("no answer within {seconds} s").format(seconds=f"{timeout:g}")
        else:
            lost = _("no answer in time")
        if creating:
            return UncertainError(
                _(
                    "{lost} while {what}; the post may have been published: "
                    "check the Page before retrying"
                ).format(lost=lost, what=what)
            )
        return TransientError(_("{lost} while {what}").format(lost=lost, what=what))
    # InvalidURL, MissingSchema, InvalidHeader...: the request never left.
    return PermanentError(
        _("the request for {what} could not be made ({name})").format(
            what=what, name=type(error).__name__
        )
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, when Facebook says: a Retry-After header, or the longest
    `estimated_time_to_regain_access` (minutes) of the X-Business-Use-Case-Usage header."""
    lowered = {key.lower(): value for key, value in headers.items()}
    retry_after = lowered.get("retry-after", "").strip()
    if retry_after.isdigit() and int(retry_after) > 0:
        return float(retry_after)
    try:
        usage = json.loads(lowered.get("x-business-use-case-usage", ""))
    except ValueError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else ())
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    longest = max((m for m in minutes if isinstance(m, int | float) and m > 0), default=None)
    return float(longest) * 60 if longest is not None else None


def _int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` without the secrets and without any access_token in a URL."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _TOKEN_IN_URL_RE.sub(r"\1***", text)
