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

The inbox reads the comments on the Page's posts of the last 30 days (`POSTS_WINDOW`):
for each post, its comments and replies newest first, until the ones an earlier fetch
saw. The cursor (JSON) keeps, per post, the time of the newest comment its last complete
scan saw and the ids of the comments of that second (Graph's times are to the second);
a post's marker moves only when its scan is complete, so a fetch cut off mid-scan reads
that post again from the newest comment (the log stores each comment once). Until the
first fetch is complete the cursor keeps its `since` too: nothing older is read. A
reply is a comment under the citizen's comment.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import re
import ssl
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from humaspost.i18n import _
from humaspost.inbox_model import InboxPage, Incoming, ReplyTarget
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

# The Page posts whose comments the inbox reads: those of the last 30 days. Every fetch
# asks for the comments of each of them, so the window bounds a fetch's requests; a
# comment under an older post is not read.
POSTS_WINDOW = timedelta(days=30)
PAGE_SIZE = 100
# Every comment and reply (`stream`), newest first; `from` is missing where Facebook
# does not show who wrote it.
COMMENTS = {
    "order": "reverse_chronological",
    "filter": "stream",
    "fields": "id,from{id,name},message,created_time,permalink_url",
    "limit": str(PAGE_SIZE),
}

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

    def read_inbox(
        self, account: ResolvedAccount, cursor: str | None, since: datetime
    ) -> Iterator[InboxPage]:
        """The comments on the Page's posts of the last 30 days that are newer than the
        cursor says (the first time: newer than `since`), a page of comments at a time,
        each post's newest first; the Page's own comments are left out."""
        page = PageSettings.of(account)
        state = _CommentsCursor.read(cursor, since)
        with _Graph(page, self.context.timeout) as graph:
            posts = _recent_posts(graph, page, self.context.clock() - POSTS_WINDOW)
            state = state.keeping(posts)  # posts older than the window are forgotten
            if not posts:
                yield InboxPage((), state.finished().text(), complete=True)
                return
            for number, post_id in enumerate(posts, start=1):
                scan = _Scan(post_id, page.page_id, state.marker_for(post_id), self.context.clock)
                what = _("reading the comments on post {post_id}").format(post_id=post_id)
                for comments, more in _pages(graph, what, post_id, "comments", COMMENTS):
                    items = scan.read(comments)
                    scanned = scan.reached_seen or not more
                    if scanned:
                        state = state.marked(post_id, scan.marker())
                        if number == len(posts):
                            state = state.finished()
                    yield InboxPage(items, state.text(), complete=scanned and number == len(posts))
                    if scanned:
                        break

    def reply(
        self,
        parts: tuple[Part, ...],
        account: ResolvedAccount,
        progress: ThreadProgress,
        target: ReplyTarget,
    ) -> Receipt:
        """Reply to the citizen's comment with a comment of the Page: one part, text
        only (its link at the end of the text), unless an earlier attempt did."""
        page = PageSettings.of(account)
        if len(parts) != 1:
            raise PermanentError(
                _("a Facebook reply is one comment, not {count} parts").format(count=len(parts))
            )
        if parts[0].media:
            raise PermanentError(
                _("account '{account}': a reply on Facebook cannot carry photos").format(
                    account=account.name
                )
            )
        if target.remote_id is None:
            raise PermanentError(
                _("account '{account}': inbox item {item} has no comment to reply to").format(
                    account=account.name, item=target.item_id
                )
            )
        comment_id = _checked_post_id(target.remote_id)
        message = _comment_text(parts[0])
        if not message:
            raise PermanentError(_("nothing to reply: no text"))
        gate = _InFlightGate(progress)
        with _Graph(page, self.context.timeout) as graph:

            def send(part: Part, reply_to: str | None) -> PartReceipt:
                gate.creating()
                answer = graph.call(
                    _("replying to comment {comment_id}").format(comment_id=comment_id),
                    lambda: graph.api.put_object(comment_id, "comments", message=message),
                    creating=True,
                )
                return _receipt(answer, "id")

            return publish_thread(parts, gate, send)

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


def _comment_text(part: Part) -> str:
    """A reply's text: a comment has no link preview, so its link goes at the end of the
    text (unless the text has it already), where Facebook makes it clickable."""
    text = part.text.strip()
    if part.link and part.link not in text:
        return f"{text}\n\n{part.link}" if text else part.link
    return text


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


# ---------------------------------------------------------------------- the inbox


@dataclass(frozen=True)
class _Marker:
    """Where a post's comments were read to: the newest comment's time, and the ids of
    the comments of that second that were seen."""

    time: datetime
    ids: frozenset[str]


class _CommentsCursor:
    """The markers of the posts whose comments were read, and until the first fetch is
    complete its `since`; its JSON is the inbox cursor. A post without a marker was not
    scanned yet: on the first fetch only comments newer than `since` are new, later
    every comment (the post is new)."""

    def __init__(self, markers: dict[str, _Marker | None], bound: datetime | None) -> None:
        self.markers = markers  # None: scanned, no comment yet
        self.bound = bound

    @classmethod
    def read(cls, cursor: str | None, since: datetime) -> _CommentsCursor:
        """The cursor a fetch starts from; one that cannot be read is a first fetch's."""
        try:
            saved = json.loads(cursor) if cursor else None
        except ValueError:
            saved = None
        if not isinstance(saved, dict) or not isinstance(saved.get("posts"), dict):
            return cls({}, since)
        markers: dict[str, _Marker | None] = {}
        for post_id, value in saved["posts"].items():
            if value is None:
                markers[post_id] = None
            elif isinstance(value, list) and len(value) == 2:
                moment = _graph_time(value[0])
                ids = value[1] if isinstance(value[1], list) else []
                if moment is not None:
                    markers[post_id] = _Marker(moment, frozenset(str(i) for i in ids))
        bound = _graph_time(saved.get("since"))
        return cls(markers, bound)

    def marker_for(self, post_id: str) -> _Marker | None:
        """Comments up to this marker are seen (None: every comment is new)."""
        if post_id in self.markers:
            return self.markers[post_id]
        return _Marker(self.bound, frozenset()) if self.bound is not None else None

    def keeping(self, posts: list[str]) -> _CommentsCursor:
        """The cursor without the markers of posts not among `posts`."""
        kept = {post_id: self.markers[post_id] for post_id in posts if post_id in self.markers}
        return _CommentsCursor(kept, self.bound)

    def marked(self, post_id: str, marker: _Marker | None) -> _CommentsCursor:
        """The cursor once `post_id` is scanned to `marker`."""
        return _CommentsCursor({**self.markers, post_id: marker}, self.bound)

    def finished(self) -> _CommentsCursor:
        """The cursor of a complete fetch: every post has its marker, `since` is done."""
        return _CommentsCursor(self.markers, None)

    def text(self) -> str:
        """The cursor as the log stores it."""
        posts = {
            post_id: None if m is None else [m.time.isoformat(), sorted(m.ids)]
            for post_id, m in self.markers.items()
        }
        saved: dict[str, Any] = {"posts": posts}
        if self.bound is not None:
            saved["since"] = self.bound.isoformat()
        return json.dumps(saved)


class _Scan:
    """Reading one post's comments, newest first, down to its marker."""

    def __init__(
        self, post_id: str, page_id: str, seen: _Marker | None, clock: Callable[[], datetime]
    ) -> None:
        self.post_id = post_id
        self.page_id = page_id
        self.seen = seen
        self.clock = clock
        self.newest: _Marker | None = None
        self.reached_seen = False

    def read(self, comments: list[Any]) -> tuple[Incoming, ...]:
        """The new comments of a page of them (not the Page's own); notes when the
        scan reaches comments seen before."""
        found = []
        for comment in comments:
            comment_id = str(comment.get("id", "")) if isinstance(comment, Mapping) else ""
            if not comment_id:
                continue
            # Graph always gives the time it is asked for; now stands in if it did not.
            moment = _graph_time(comment.get("created_time")) or self.clock().astimezone(UTC)
            seen = self.seen
            if seen is not None and moment < seen.time:
                self.reached_seen = True
                break
            if self.newest is None or moment > self.newest.time:
                self.newest = _Marker(moment, frozenset({comment_id}))
            elif moment == self.newest.time:
                self.newest = _Marker(moment, self.newest.ids | {comment_id})
            if seen is not None and moment == seen.time and comment_id in seen.ids:
                continue
            # Facebook leaves out `from` where it does not show who wrote the comment
            # (the person's privacy settings, the app's access): the comment is kept,
            # its author unknown ("").
            author = comment.get("from")
            author = author if isinstance(author, Mapping) else {}
            author_id = str(author.get("id") or "")
            if author_id == self.page_id:
                continue
            url = comment.get("permalink_url")
            found.append(
                Incoming(
                    remote_id=comment_id,
                    author_id=author_id,
                    author_name=str(author.get("name") or ""),
                    author_handle=None,
                    text=str(comment.get("message") or ""),
                    url=url if isinstance(url, str) and url else POST_URL.format(comment_id),
                    created_at=moment,
                    answers_remote_id=self.post_id,
                )
            )
        return tuple(found)

    def marker(self) -> _Marker | None:
        """The post's marker once the scan is complete."""
        seen, newest = self.seen, self.newest
        if newest is None:
            return seen
        if seen is not None and seen.time == newest.time:
            return _Marker(newest.time, newest.ids | seen.ids)
        return newest


def _recent_posts(graph: _Graph, page: PageSettings, since: datetime) -> list[str]:
    """The ids of the Page's posts made since `since`, newest first."""
    params = {"fields": "id", "since": str(int(since.timestamp())), "limit": str(PAGE_SIZE)}
    found = []
    for posts, _more in _pages(graph, _("reading the Page's posts"), page.page_id, "posts", params):
        for post in posts:
            post_id = str(post.get("id", "")) if isinstance(post, Mapping) else ""
            if _POST_ID_RE.fullmatch(post_id):
                found.append(post_id)
    return found


def _pages(
    graph: _Graph, what: str, object_id: str, edge: str, params: Mapping[str, str]
) -> Iterator[tuple[list[Any], bool]]:
    """The pages of an edge, each with whether another follows: the next one is asked
    for (after the `after` cursor, else with the query of `paging.next`) only when the
    caller goes on."""
    args = dict(params)
    while True:
        answer = graph.call(
            what, functools.partial(graph.api.get_connections, object_id, edge, **args)
        )
        data = answer.get("data")
        paging = answer.get("paging")
        paging = paging if isinstance(paging, Mapping) else {}
        following = paging.get("next")
        more = isinstance(following, str) and bool(following)
        yield data if isinstance(data, list) else [], more
        if not more:
            return
        cursors = paging.get("cursors")
        after = cursors.get("after") if isinstance(cursors, Mapping) else None
        if isinstance(after, str) and after:
            args = {**params, "after": after}
        else:
            query = parse_qs(urlsplit(str(following)).query)
            args = {key: values[0] for key, values in query.items() if key != "access_token"}


def _graph_time(value: object) -> datetime | None:
    """A Graph time (`2026-12-01T01:00:00+0000`) or our own ISO one, as aware UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


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
