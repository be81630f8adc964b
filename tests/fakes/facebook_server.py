"""A local stand-in for the Facebook Graph API, so the Facebook adapter is tested through
the real facebook-sdk.

`FakeGraph` is an HTTP server on 127.0.0.1 (a free port), started and stopped per test
as a context manager. It answers the endpoints humaspost uses under a version prefix
(`/v23.0/` unless told otherwise) the way graph.facebook.com does: JSON bodies, errors
as {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}} with HTTP 400
(or 5xx). Every request must carry the Page token (query `access_token` or form field),
else 400 with code 190. It rejects the shapes Facebook rejects, keeps what it was sent
(`feed`, `photos`, `deleted`, `calls`) and fails on demand (`fail`).

    GET    /{version}/{page_id}?fields=name   -> {"id", "name"}            endpoint "read"
    POST   /{version}/{page_id}/feed          -> {"id": "<page>_<n>"}      endpoint "feed"
           (with `link` another post's permalink, and perhaps a `message`: a share)
    POST   /{version}/{page_id}/photos        -> {"id"} (+ "post_id")      endpoint "photos"
    DELETE /{version}/{object_id}             -> {"success": true}         endpoint "delete"
           (a post or a comment)
    GET    /{version}/{page_id}/posts         -> {"data", "paging"}        endpoint "posts"
           (newest first; `fields`, `since`, `until`, `limit`, `after`)
    GET    /{version}/{object_id}/comments    -> {"data", "paging"}        endpoint "comments"
           (of a post or a comment; `order`, `filter`, `fields`, `limit`, `after`)
    POST   /{version}/{object_id}/comments    -> {"id": "<post>_<n>"}      endpoint "comment"
           (the Page comments on a post, or replies to a comment)

Citizens' comments come from the test (`comment`), and so may Page posts made outside
humaspost (`page_post`). Times are the fake's clock (epoch seconds) unless given.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

RATE_LIMIT_MESSAGES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}


@dataclass(frozen=True)
class Fault:
    """One injected failure. Use the constructors."""

    status: int = 200
    code: int | None = None
    message: str = ""
    subcode: int | None = None
    html: bool = False  # a non-JSON body, as a proxy or load balancer sends
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # handle the request normally, but answer only after this long
    reset: bool = False  # handle the request, then reset the connection mid-answer
    silent: bool = False  # with `reset`: before sending anything

    @classmethod
    def rate_limited(cls, code: int = 32, regain_minutes: int | None = None) -> Fault:
        """A rate limit error (4, 17, 32, 613), with the usage header Page tokens get."""
        usage: dict[str, Any] = {"type": "pages", "call_count": 100}
        if regain_minutes is not None:
            usage["estimated_time_to_regain_access"] = regain_minutes
        header = ("X-Business-Use-Case-Usage", json.dumps({"104857600000000": [usage]}))
        return cls(400, code, RATE_LIMIT_MESSAGES[code], headers=(header,))

    @classmethod
    def server_error(cls, status: int = 500, *, html: bool = False) -> Fault:
        """A 5xx: Graph's own JSON error, or a load balancer's HTML page."""
        return cls(status, 2, "An unexpected error has occurred.", html=html)

    @classmethod
    def expired_token(cls) -> Fault:
        """The token expired (or was invalidated by a password change)."""
        message = "Error validating access token: Session has expired on Friday, 27-Nov-26."
        return cls(400, 190, message, subcode=463)

    @classmethod
    def duplicate(cls) -> Fault:
        """The same text as a recent post."""
        return cls(400, 506, "(#506) Duplicate status message")

    @classmethod
    def blocked(cls) -> Fault:
        """Facebook's policy or spam checks."""
        message = "(#368) The action attempted has been deemed abusive or is otherwise disallowed"
        return cls(400, 368, message, subcode=1390008)

    @classmethod
    def graph_error(cls, code: int, message: str) -> Fault:
        """Any other Graph error."""
        return cls(400, code, message)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Do the work (the post is made), but answer only after `seconds`."""
        return cls(delay=seconds)

    @classmethod
    def connection_reset(cls, *, before_answer: bool = False) -> Fault:
        """Do the work (the post is made), then reset the connection mid-answer (or
        before answering at all)."""
        return cls(reset=True, silent=before_answer)


@dataclass
class Photo:
    id: str
    filename: str
    content: bytes
    message: str | None
    published: bool
    post_id: str | None = None  # its own post, or the feed post it was attached to
    created_time: float = 0.0


@dataclass
class FeedPost:
    id: str
    message: str | None
    link: str | None
    attached_media: list[str] = field(default_factory=list)
    created_time: float = 0.0


@dataclass
class Comment:
    id: str
    post_id: str  # the Page post it is on
    author_id: str | None  # None: Facebook does not say who wrote it (no `from`)
    author_name: str | None
    message: str
    created_time: float
    parent: str | None = None  # the comment it replies to


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    files: dict[str, tuple[str, bytes]]


class GraphError(Exception):
    def __init__(self, code: int, message: str, subcode: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.subcode = code, message, subcode


class FakeGraph:
    """The Graph API of one Page."""

    def __init__(
        self,
        page_id: str = "104857600000000",
        token: str = "EAAtestpagetoken",
        name: str = "Pemerintah Kota Bekasi",
        versions: tuple[str, ...] = ("v23.0",),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.page_id, self.token, self.name, self.versions = page_id, token, name, versions
        self.clock = clock  # Facebook's idea of now, epoch seconds
        self.photo_post_ids = True  # a published photo's answer includes its post_id
        self.feed: list[FeedPost] = []
        self.photos: list[Photo] = []
        self.comments: list[Comment] = []  # every comment, in the order it was made
        self.comments_on: dict[str, list[Comment]] = {}  # by post id, oldest first
        self.comment_by_id: dict[str, Comment] = {}
        self.deleted: list[str] = []  # posts and comments
        self.calls: list[tuple[str, str]] = []  # (method, path) of every request
        self.counts: Counter[str] = Counter()  # how many requests each endpoint had
        self.faults: dict[str, list[Fault | None]] = {}
        self.ids = itertools.count(900_000_000_000_001)
        self.lock = threading.Lock()
        self.busy = threading.Condition(self.lock)
        self.in_progress = 0
        self.stopping = threading.Event()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.fake = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeGraph:
        # A short poll interval: stopping waits for it, once per test.
        serve = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        serve.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def fail(self, endpoint: str, fault: Fault, times: int = 1, after: int = 0) -> None:
        """Let the next `after` requests to `endpoint` through, then make `times` of them
        fail with `fault`."""
        with self.lock:
            self.faults.setdefault(endpoint, []).extend([None] * after + [fault] * times)

    def page_post(self, message: str, created_time: datetime | None = None) -> FeedPost:
        """A post on the Page made outside humaspost (in Meta Business Suite, say)."""
        with self.lock:
            post = FeedPost(f"{self.page_id}_{next(self.ids)}", message, None)
            post.created_time = created_time.timestamp() if created_time else self.clock()
            self.feed.append(post)
            return post

    def comment(
        self,
        post_id: str,
        author_id: str | None,
        author_name: str | None,
        message: str,
        created_time: datetime | None = None,
        parent: str | None = None,
    ) -> Comment:
        """A comment on a Page post by `author_id` (None: one whose author Facebook does
        not show), written at `created_time` (default: the fake's now); with `parent`,
        a reply to that comment."""
        moment = created_time.timestamp() if created_time else self.clock()
        with self.lock:
            if post_id not in self.posts():
                raise ValueError(f"no post {post_id} on this fake Page (page_post makes one)")
            return self._add_comment(post_id, author_id, author_name, message, moment, parent)

    def _add_comment(
        self,
        post_id: str,
        author_id: str | None,
        author_name: str | None,
        message: str,
        moment: float,
        parent: str | None,
    ) -> Comment:
        suffix = post_id.rsplit("_", 1)[-1]
        comment = Comment(f"{suffix}_{next(self.ids)}", post_id, author_id, author_name,
                          message, moment, parent)  # fmt: skip
        self.comments.append(comment)
        self.comments_on.setdefault(post_id, []).append(comment)
        self.comment_by_id[comment.id] = comment
        return comment

    def replies(self) -> list[Comment]:
        """The Page's own comments that are not deleted (its replies), in order."""
        return [
            c for c in self.comments if c.author_id == self.page_id and c.id not in self.deleted
        ]

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until no request is being handled (a slow one has done its work)."""
        with self.busy:
            self.busy.wait_for(lambda: self.in_progress == 0, timeout)

    def handle(self, request: _Request) -> dict[str, Any]:
        """The answer to a request; raises GraphError to refuse it."""
        version, *rest = request.path.strip("/").split("/")
        if version not in self.versions or not rest:
            raise GraphError(2500, f"Unknown path components: /{version}")
        token = request.form.get("access_token", request.query.get("access_token"))
        if token is None:
            raise GraphError(2500, "An active access token must be used.")
        if token != self.token:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        endpoint = endpoint_of(request.method, request.path)
        if endpoint == "delete":
            return self.delete(rest[0])
        if endpoint == "comments":
            return self.list_comments(request.path, rest[0], request.query)
        if endpoint == "comment":
            return self.comment_as_page(rest[0], request.form)
        if rest[0] != self.page_id:
            raise GraphError(100, f"Object with ID '{rest[0]}' does not exist", 33)
        if endpoint == "read":
            return {"id": self.page_id, "name": self.name}
        if endpoint == "posts":
            return self.list_posts(request.path, request.query)
        if endpoint == "feed":
            return self.post_to_feed(request.form)
        if endpoint == "photos":
            return self.upload_photo(request.form, request.files)
        raise GraphError(100, f"Unsupported {request.method.lower()} request.")

    def post_to_feed(self, form: dict[str, str]) -> dict[str, Any]:
        message, link, attached = form.get("message"), form.get("link"), form.get("attached_media")
        if not message and not link and not attached:
            raise GraphError(100, "(#100) Missing message or attachment")
        if link is not None and urlsplit(link).scheme not in ("http", "https"):
            raise GraphError(100, "(#100) The parameter link must be a valid URL")
        media: list[str] = []
        if attached is not None:
            try:
                items = json.loads(attached)
                media = [str(item["media_fbid"]) for item in items]
            except (ValueError, TypeError, KeyError) as error:
                raise GraphError(100, "(#100) param attached_media must be JSON") from error
            for photo_id in media:
                photo = next((p for p in self.photos if p.id == photo_id), None)
                if photo is None or photo.published or photo.post_id is not None:
                    raise GraphError(100, f"(#100) media_fbid {photo_id} is not usable")
        post = FeedPost(f"{self.page_id}_{next(self.ids)}", message, link, media, self.clock())
        for photo in self.photos:
            if photo.id in media:
                photo.post_id = post.id
        self.feed.append(post)
        return {"id": post.id}

    def shares(self) -> list[FeedPost]:
        """The feed posts that share a link and are not deleted, in order."""
        return [p for p in self.feed if p.link and p.id not in self.deleted]

    def upload_photo(
        self, form: dict[str, str], files: dict[str, tuple[str, bytes]]
    ) -> dict[str, Any]:
        if "source" not in files and "url" not in form:
            raise GraphError(324, "(#324) Requires upload file")
        published = form.get("published", "true")
        if published not in ("true", "false", "1", "0"):
            raise GraphError(100, "(#100) Param published must be a boolean")
        filename, content = files["source"]
        is_published = published in ("true", "1")
        photo = Photo(str(next(self.ids)), filename, content, form.get("message"), is_published,
                      created_time=self.clock())  # fmt: skip
        self.photos.append(photo)
        if not is_published:
            return {"id": photo.id}
        photo.post_id = f"{self.page_id}_{next(self.ids)}"
        return (
            {"id": photo.id, "post_id": photo.post_id} if self.photo_post_ids else {"id": photo.id}
        )

    def delete(self, object_id: str) -> dict[str, Any]:
        existing = set(self.posts()) | set(self.comment_by_id)
        if object_id not in existing or object_id in self.deleted:
            message = f"Unsupported delete request. Object with ID '{object_id}' does not exist"
            raise GraphError(100, message, 33)
        self.deleted.append(object_id)
        return {"success": True}

    # -- the inbox: posts and their comments ------------------------------------------

    def posts(self) -> dict[str, float]:
        """The Page's posts that are not deleted (feed posts and published photos), with
        their times."""
        found = {p.id: p.created_time for p in self.feed}
        found |= {p.post_id: p.created_time for p in self.photos if p.published and p.post_id}
        return {post_id: at for post_id, at in found.items() if post_id not in self.deleted}

    def list_posts(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        fields = requested(query, {"id", "created_time", "permalink_url", "message"}, "Post")
        since, until = (when(query, name) for name in ("since", "until"))
        found = [
            (at, post_id)
            for post_id, at in self.posts().items()
            if (since is None or at >= since) and (until is None or at <= until)
        ]
        found.sort(key=lambda entry: (entry[0], int(entry[1].rsplit("_", 1)[-1])), reverse=True)
        messages = {p.id: p.message for p in self.feed}

        def shown(entry: tuple[float, str]) -> dict[str, Any]:
            at, post_id = entry
            values = {
                "created_time": graph_time(at),
                "permalink_url": self.permalink(post_id),
                "message": messages.get(post_id),
            }
            return {"id": post_id} | {k: v for k, v in values.items() if k in fields and v}

        return self.paged(
            path, query, found, shown, lambda entry: f"{entry[0]}:{entry[1]}", by_time=True
        )

    def list_comments(self, path: str, object_id: str, query: dict[str, str]) -> dict[str, Any]:
        fields = requested(
            query, {"id", "message", "created_time", "permalink_url", "from", "parent"}, "Comment"
        )
        order, kind = query.get("order", "chronological"), query.get("filter", "toplevel")
        if order not in ("chronological", "reverse_chronological"):
            raise GraphError(100, "(#100) param order must be one of {CHRONOLOGICAL, "
                             "REVERSE_CHRONOLOGICAL}")  # fmt: skip
        if kind not in ("toplevel", "stream"):
            raise GraphError(100, "(#100) param filter must be one of {TOPLEVEL, STREAM}")
        if object_id in self.posts():
            on = self.comments_on.get(object_id, [])
            found = [c for c in on if kind == "stream" or c.parent is None]
        elif object_id in self.comment_by_id and object_id not in self.deleted:
            post = self.comment_by_id[object_id].post_id
            found = [c for c in self.comments_on[post] if c.parent == object_id]
        else:
            raise GraphError(100, f"Object with ID '{object_id}' does not exist", 33)
        found = [c for c in found if c.id not in self.deleted]
        found.sort(key=comment_order, reverse=order == "reverse_chronological")

        def shown(comment: Comment) -> dict[str, Any]:
            values: dict[str, Any] = {
                "message": comment.message,
                "created_time": graph_time(comment.created_time),
                "permalink_url": self.permalink(comment.post_id, comment.id),
            }
            if comment.author_id is not None:
                values["from"] = {"id": comment.author_id, "name": comment.author_name}
            if comment.parent is not None:
                values["parent"] = {"id": comment.parent}
            return {"id": comment.id} | {k: v for k, v in values.items() if k in fields}

        return self.paged(path, query, found, shown, lambda c: f"{c.created_time}:{c.id}")

    def comment_as_page(self, object_id: str, form: dict[str, str]) -> dict[str, Any]:
        """The Page comments on a post, or replies to a comment (a reply to a reply
        goes under the same top comment, as Facebook's threads have two levels)."""
        message = form.get("message", "").strip()
        if not message and not form.get("attachment_url"):
            raise GraphError(100, "(#100) Missing message or attachment")
        if object_id in self.posts():
            post_id, parent = object_id, None
        elif object_id in self.comment_by_id and object_id not in self.deleted:
            replied = self.comment_by_id[object_id]
            post_id, parent = replied.post_id, replied.parent or replied.id
        else:
            raise GraphError(100, f"Object with ID '{object_id}' does not exist", 33)
        comment = self._add_comment(post_id, self.page_id, self.name, message, self.clock(), parent)
        return {"id": comment.id}

    def paged(
        self,
        path: str,
        query: dict[str, str],
        found: list[Any],
        shown: Callable[[Any], dict[str, Any]],
        key: Callable[[Any], str],
        by_time: bool = False,
    ) -> dict[str, Any]:
        """A page of `found` (already in order) after the query's position, with Graph's
        paging: `cursors` (`after`) and, when more follow, `next`; `by_time`, Graph's
        time-based paging of a Page's posts instead: only `next`, whose query has
        `until` and a `__paging_token` (`found` is then (time, id) pairs)."""
        limit = query.get("limit", "25")
        if not limit.isdigit() or int(limit) < 1:
            raise GraphError(100, "(#100) The parameter limit must be a positive number")
        name = "__paging_token" if by_time else "after"
        start = 0
        if name in query:
            try:
                position = base64.urlsafe_b64decode(query[name].encode()).decode()
            except ValueError as error:
                raise GraphError(100, f"(#100) The parameter {name} is not valid") from error
            keys = [key(item) for item in found]
            start = keys.index(position) + 1 if position in keys else len(found)
        page = found[start : start + int(limit)]
        answer: dict[str, Any] = {"data": [shown(item) for item in page]}
        if not page:
            return answer
        first, last = (
            base64.urlsafe_b64encode(key(i).encode()).decode() for i in (page[0], page[-1])
        )
        more = start + len(page) < len(found)
        if by_time:
            # `until` is whole seconds; the token says where in that second to go on.
            following = query | {"until": str(math.ceil(page[-1][0])), name: last}
            answer["paging"] = {"next": f"{self.url}{path}?{urlencode(following)}"} if more else {}
            return answer
        answer["paging"] = {"cursors": {"before": first, "after": last}}
        if more:
            answer["paging"]["next"] = f"{self.url}{path}?{urlencode(query | {name: last})}"
        return answer

    def permalink(self, post_id: str, comment_id: str | None = None) -> str:
        address = f"https://www.facebook.com/{self.page_id}/posts/{post_id.rsplit('_', 1)[-1]}"
        return f"{address}?comment_id={comment_id.rsplit('_', 1)[-1]}" if comment_id else address


def comment_order(comment: Comment) -> tuple[float, int]:
    """Oldest first: by time, then by the order they were made."""
    return comment.created_time, int(comment.id.rsplit("_", 1)[-1])


def graph_time(moment: float) -> str:
    """A time as the Graph API writes it: `2026-12-01T01:00:00+0000`."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def when(query: dict[str, str], name: str) -> float | None:
    """A `since` or `until` parameter (a Unix time, or an ISO 8601 one) in epoch seconds."""
    value = query.get(name)
    if value is None:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise GraphError(100, f"(#100) The parameter {name} is not a valid time") from error
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


_FIELD = re.compile(r"([a-z_]+)(?:\{[^}]*\})?")


def requested(query: dict[str, str], known: set[str], node: str) -> set[str]:
    """The fields a request asks for (`from{id,name}` is `from`); one the node does not
    have is refused, as Graph does."""
    asked = {found.group(1) for found in _FIELD.finditer(query.get("fields", "id"))}
    unknown = sorted(asked - known)
    if unknown:
        message = f"(#100) Tried accessing nonexisting field ({unknown[0]}) on node type ({node})"
        raise GraphError(100, message)
    return asked


def endpoint_of(method: str, path: str) -> str | None:
    """Which endpoint a request is for (its faults are found by this name)."""
    shape = (method, *path.strip("/").split("/")[2:])
    routes = {
        ("GET",): "read",
        ("POST", "feed"): "feed",
        ("POST", "photos"): "photos",
        ("GET", "posts"): "posts",
        ("GET", "comments"): "comments",
        ("POST", "comments"): "comment",
    }
    return "delete" if shape == ("DELETE",) else routes.get(shape)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet when the client has gone (it timed out on a slow answer)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def answer_graph(self) -> None:
        fake: FakeGraph = self.server.fake
        with fake.busy:
            fake.in_progress += 1
        try:
            request = self.read_request()
            with fake.lock:
                fake.calls.append((request.method, request.path))
                fake.counts[str(endpoint_of(request.method, request.path))] += 1
                queue = fake.faults.get(str(endpoint_of(request.method, request.path)), [])
                fault = queue.pop(0) if queue else None
            if fault is not None and fault.html:
                page = f"<html><body><h1>{fault.status} Error</h1></body></html>"
                return self.send(fault.status, page.encode(), "text/html")
            if fault is not None and fault.code is not None:
                error = GraphError(fault.code, fault.message, fault.subcode)
                return self.send_error_body(error, fault.status, fault.headers)
            try:
                with fake.lock:
                    body = fake.handle(request)
            except GraphError as error:
                return self.send_error_body(error, 400)
            if fault is not None and fault.delay:
                fake.stopping.wait(fault.delay)
            if fault is not None and fault.reset:
                return self.reset_midway(b"" if fault.silent else json.dumps(body).encode())
            self.send(200, json.dumps(body).encode())
        finally:
            with fake.busy:
                fake.in_progress -= 1
                fake.busy.notify_all()

    do_GET = do_POST = do_DELETE = answer_graph

    def read_request(self) -> _Request:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        form: dict[str, str] = {}
        files: dict[str, tuple[str, bytes]] = {}
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            parsed = parse_qs(body.decode(), keep_blank_values=True)
            form = {k: v[0] for k, v in parsed.items()}
        elif content_type.startswith("multipart/form-data"):
            head = f"Content-Type: {content_type}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(head + body)
            for part in message.iter_parts():
                name = str(part.get_param("name", header="content-disposition"))
                data = part.get_payload(decode=True)
                assert isinstance(data, bytes)
                filename = part.get_filename()
                if filename is not None:
                    files[name] = (filename, data)
                else:
                    form[name] = data.decode()
        return _Request(self.command, url.path, query, form, files)

    def send_error_body(
        self, error: GraphError, status: int, headers: tuple[tuple[str, str], ...] = ()
    ) -> None:
        body = {"message": error.message, "type": "OAuthException", "code": error.code}
        if error.subcode is not None:
            body["error_subcode"] = error.subcode
        if status >= 500:
            body["is_transient"] = True
        body["fbtrace_id"] = "AbCdEf123"
        self.send(status, json.dumps({"error": body}).encode(), headers=headers)

    def send(
        self,
        status: int,
        data: bytes,
        content_type: str = "application/json; charset=UTF-8",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.send_response(status)
        for name, value in (("Content-Type", content_type), ("Content-Length", str(len(data)))):
            self.send_header(name, value)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def reset_midway(self, data: bytes) -> None:
        """Send the head and half the body (nothing if there is no body), then reset the
        connection (RST, not FIN)."""
        if data:
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            self.wfile.write(head + data[: len(data) // 2])
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()  # the last file on it closes when the handler finishes
