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
    DELETE /{version}/{post_id}               -> {"success": true}         endpoint "delete"
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import sys
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

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


@dataclass
class FeedPost:
    id: str
    message: str | None
    link: str | None
    attached_media: list[str] = field(default_factory=list)


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
    ) -> None:
        self.page_id, self.token, self.name, self.versions = page_id, token, name, versions
        self.photo_post_ids = True  # a published photo's answer includes its post_id
        self.feed: list[FeedPost] = []
        self.photos: list[Photo] = []
        self.deleted: list[str] = []
        self.calls: list[tuple[str, str]] = []  # (method, path) of every request
        self.faults: dict[str, list[Fault]] = {}
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

    def fail(self, endpoint: str, fault: Fault, times: int = 1) -> None:
        """Make the next `times` requests to `endpoint` fail with `fault`."""
        with self.lock:
            self.faults.setdefault(endpoint, []).extend([fault] * times)

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
        if rest[0] != self.page_id:
            raise GraphError(100, f"Object with ID '{rest[0]}' does not exist", 33)
        if endpoint == "read":
            return {"id": self.page_id, "name": self.name}
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
        post = FeedPost(f"{self.page_id}_{next(self.ids)}", message, link, media)
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
        photo = Photo(str(next(self.ids)), filename, content, form.get("message"), is_published)
        self.photos.append(photo)
        if not is_published:
            return {"id": photo.id}
        photo.post_id = f"{self.page_id}_{next(self.ids)}"
        return (
            {"id": photo.id, "post_id": photo.post_id} if self.photo_post_ids else {"id": photo.id}
        )

    def delete(self, object_id: str) -> dict[str, Any]:
        existing = {p.id for p in self.feed} | {p.post_id for p in self.photos if p.published}
        if object_id not in existing or object_id in self.deleted:
            message = f"Unsupported delete request. Object with ID '{object_id}' does not exist"
            raise GraphError(100, message, 33)
        self.deleted.append(object_id)
        return {"success": True}


def endpoint_of(method: str, path: str) -> str | None:
    """Which endpoint a request is for (its faults are found by this name)."""
    shape = (method, *path.strip("/").split("/")[2:])
    routes = {("GET",): "read", ("POST", "feed"): "feed", ("POST", "photos"): "photos"}
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
