"""A local stand-in for X's API v2, so the X adapter is tested through the real tweepy.

`FakeX` is an HTTP server on 127.0.0.1 (a free port), started and stopped per test as a
context manager. It answers the endpoints humaspost uses the way X does: status codes,
JSON bodies (X's problem shape {"title", "detail", "type", "status"}, or {"errors": [...]}
for invalid requests) and `x-rate-limit-*` headers. Every request must carry a valid
OAuth 1.0a HMAC-SHA1 signature for the configured keys, checked with oauthlib; others get
401. It keeps everything it was sent, in order, and fails on demand (`fail`).

One server is X for one account, or for several (`add_user`: more keys, another user
id), which see each other's posts: a district account reposts city hall's post there.

Citizens are X users without keys here (`person`); `mention` makes one of them mention
an account, and `GET /2/users/:id/mentions` serves an account's mentions the way X does
(newest first, `since_id`, `start_time`/`end_time`, `max_results`, opaque
`pagination_token`s, authors in `includes.users`), counting each user's requests in
X's 15-minute window (300, `limits`) with `x-rate-limit-*` headers and a 429 when it is
used up. A reply (`reply.in_reply_to_tweet_id`) to a post that neither is by the
replying account nor mentions it is refused with X's 403 of February 2026. Tweet ids
grow with each post, as X's do: make a test's mentions in the order they were written.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth1.rfc5849 import signature, utils

# (method, path) -> endpoint name, as `fail` and `calls` name them.
ROUTES = [
    ("POST", re.compile(r"/2/tweets"), "create_tweet"),
    ("DELETE", re.compile(r"/2/tweets/(\d+)"), "delete_tweet"),
    ("GET", re.compile(r"/2/users/me"), "me"),
    ("POST", re.compile(r"/2/media/upload"), "upload"),
    ("GET", re.compile(r"/2/media/upload"), "status"),
    ("POST", re.compile(r"/2/media/upload/initialize"), "initialize"),
    ("POST", re.compile(r"/2/media/upload/(\d+)/append"), "append"),
    ("POST", re.compile(r"/2/media/upload/(\d+)/finalize"), "finalize"),
    ("POST", re.compile(r"/2/media/metadata"), "metadata"),
    ("POST", re.compile(r"/2/users/(\d+)/retweets"), "retweet"),
    ("DELETE", re.compile(r"/2/users/(\d+)/retweets/(\d+)"), "unretweet"),
    ("GET", re.compile(r"/2/users/(\d+)/mentions"), "mentions"),
]
NEEDS_JSON = {"create_tweet", "upload", "initialize", "append", "metadata", "retweet"}
# Requests per 15-minute window, as x-rate-limit-limit says (reposts: 50 per user).
WINDOW_LIMITS = {"retweet": 50, "unretweet": 50}
# The one-request upload takes still images (and DM images, subtitles) only.
ONE_SHOT_CATEGORIES = {"tweet_image", "dm_image", "subtitles"}
ONE_SHOT_TYPES = {"image/jpeg", "image/png", "image/webp", "image/bmp", "image/pjpeg", "image/tiff"}
CHUNKED_LIMITS = {"tweet_gif": 15 * 2**20, "tweet_video": 512 * 2**20}
MAX_IMAGE = 5 * 2**20
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
ALREADY_RETWEETED = "You have already retweeted this Tweet."
NOT_MENTIONED = (
    "Reply to this conversation is not allowed because you have not been mentioned or "
    "otherwise engaged by the author of the post you are replying to."
)
# X's window for rate limits, and the mentions timeline's limit per user in it.
WINDOW = 900
MENTIONS_PER_WINDOW = 300
# The tweet fields the mentions timeline can give besides `id` and `text`.
TWEET_FIELDS = {"created_at", "author_id", "referenced_tweets", "conversation_id", "note_tweet"}
# What X shows of a long post in `text`; the rest is in `note_tweet`.
SHORT_TEXT = 280
_MENTION = re.compile(r"@(\w{1,15})")

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class Fault:
    """An injected failure. `kind`: "429" (with its `reset_at`, epoch seconds; `daily`:
    the 24-hour posting cap rather than the 15-minute window), "503", "401" (an expired
    or revoked token), "duplicate" (403 whatever the text), "usage-capped" (429 with X's
    UsageCapExceeded problem: the app's monthly cap), "credits" (402 CreditsDepleted:
    the app's pay-per-use credits are used up), "already-retweeted" (403 with the v1.1
    refusal of a repost made already, code 327), "slow" (do the work, answer after
    `delay` seconds) or "reset" (do the work, start the answer, reset the
    connection)."""

    kind: str
    reset_at: float = 0
    daily: bool = False
    delay: float = 0.0


@dataclass
class Tweet:
    id: str
    text: str | None
    reply_to: str | None
    media_ids: list[str]
    deleted: bool = False
    author: str | None = None  # another user's username; None: this account's own
    author_id: str = ""  # who wrote it
    mentions: tuple[str, ...] = ()  # the user ids of the people it mentions
    created_at: float = 0.0  # epoch seconds
    conversation_id: str = ""  # the first post of the conversation (its own id if none)


@dataclass(frozen=True)
class Person:
    """An X user as others see it: an account here or a citizen."""

    user_id: str
    username: str
    name: str


@dataclass(frozen=True)
class User:
    """One account's keys and who X says it is."""

    keys: tuple[str, str, str, str]  # consumer key and secret, access token and secret
    user_id: str
    username: str


@dataclass
class Media:
    id: str
    category: str
    media_type: str
    total_bytes: int
    data: bytes = b""
    alt: str | None = None
    chunks: dict[int, bytes] = field(default_factory=dict)
    polls_left: int = 0  # STATUS requests before X is done processing it
    ready: bool = False


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Answer:
    return status, {"title": title, "detail": detail, "type": kind, "status": status}


def invalid(parameter: str, message: str) -> Answer:
    return 400, {
        "errors": [{"parameters": {parameter: []}, "message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


def usage_capped() -> Answer:
    """X's answer when the app's monthly usage cap is reached (a 429, not a rate limit:
    the rate-limit headers still show room)."""
    return 429, {
        "account_id": "1790000000000000000",
        "product_name": "standard-basic",
        "title": "UsageCapExceeded",
        "period": "Monthly",
        "scope": "Product",
        "detail": "Usage cap exceeded: Monthly product cap",
        "type": "https://api.twitter.com/2/problems/usage-capped",
    }


def credits_depleted() -> Answer:
    """X's answer when the app's pay-per-use credits are used up."""
    return 402, {
        "title": "CreditsDepleted",
        "detail": "Your enrolled account [1790000000000000000] does not have any credits "
        "to fulfill this request.",
        "type": "https://api.twitter.com/2/problems/credits",
    }


def decode(value: object) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except binascii.Error:
        return None


class FakeX:
    """X's API v2 for one account, on a local port."""

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        username: str = "pemkotbekasi",
        user_id: str = "1234567890",
        processing_polls: int = 1,
        access_level: str = "read-write",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = (consumer_key, consumer_secret, access_token, access_token_secret)
        self.username = username
        self.user_id = user_id  # what X answers /2/users/me with; the token's prefix
        # Every account the server knows, by access token (the first is the one above).
        self.users = {access_token: User(self.keys, user_id, username)}
        self.user = self.users[access_token]  # who sent the request being answered
        # Everyone X knows, by lowercase username: the accounts and the citizens.
        self.people = {username.lower(): Person(user_id, username, "Humas Pemkot")}
        self.people_by_id = {user_id: self.people[username.lower()]}
        self.person_ids = itertools.count(1_600_000_000_000_000_001)
        self.processing_polls = processing_polls  # for GIFs and videos
        self.access_level = access_level  # the token's permissions, as X reports them
        # X's idea of now (epoch seconds) for rate-limit resets and expiries: a test that
        # gives the code under test a fixed clock gives the fake the same one.
        self.clock = clock
        self.tweets: list[Tweet] = []  # every tweet created, in order (deleted ones too)
        self.media: dict[str, Media] = {}
        # Who reposts what now, (user id, post id), in the order they were reposted.
        self.retweets: list[tuple[str, str]] = []
        # Every repost request X carried out, (user id, post id), repeats too (X answers
        # a repeat the same and changes nothing, so `retweets` cannot show one).
        self.retweet_requests: list[tuple[str, str]] = []
        self.calls: list[str] = []  # the endpoint of every signed request, in order
        self.counts: Counter[str] = Counter()  # how many signed requests each endpoint had
        # The tweets mentioning each user, by user id, oldest first.
        self.mentioning: dict[str, list[Tweet]] = {}
        self.by_id: dict[str, Tweet] = {}
        # Endpoints whose 15-minute window per user the fake counts and enforces (429
        # once used up), with their limits: a test lowers one to reach it quickly.
        self.limits = {"mentions": MENTIONS_PER_WINDOW}
        # (endpoint, user id) -> [the window's start, requests in it], by the fake's clock.
        self.windows: dict[tuple[str, str], list[float]] = {}
        # The mentions timeline's pagination tokens: token -> (user id, the oldest id
        # given so far); `forget_page_tokens` makes X forget them.
        self.page_tokens: dict[str, tuple[str, int]] = {}
        self.rejected: list[str] = []  # why unsigned or badly signed requests were refused
        self.faults: dict[str, list[Fault | None]] = {}
        self.lock = threading.Lock()
        self.ids = itertools.count(1_870_000_000_000_000_001)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.fake = self  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeX:
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_user(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        user_id: str,
        username: str,
    ) -> User:
        """Another account on this X: its own keys and user id."""
        user = User((consumer_key, consumer_secret, access_token, access_token_secret),
                    user_id, username)  # fmt: skip
        with self.lock:
            self.users[access_token] = user
            self._remember(Person(user_id, username, username))
        return user

    def person(self, username: str, name: str | None = None) -> Person:
        """The X user `username` (a citizen, say), made on first use with `name` (by
        default "Warga <username>") and a new user id; later calls return the same."""
        with self.lock:
            return self._person(username, name)

    def _person(self, username: str, name: str | None = None) -> Person:
        known = self.people.get(username.lower())
        if known is None:
            known = Person(str(next(self.person_ids)), username, name or f"Warga {username}")
            self._remember(known)
        return known

    def _remember(self, person: Person) -> None:
        self.people[person.username.lower()] = person
        self.people_by_id[person.user_id] = person

    def mention(
        self,
        to_user: str | User,
        author: str,
        text: str,
        in_reply_to: str | None = None,
        created_at: datetime | None = None,
    ) -> Tweet:
        """A post by `author` (a username: a citizen, made on first use, or an account)
        mentioning the account `to_user` (its username, or the User), written at
        `created_at` (default: the fake's now). X's text of a mention starts with the
        @username unless the author wrote it in; `in_reply_to` is the id of the post
        it replies to (an account's post, say)."""
        username = to_user.username if isinstance(to_user, User) else to_user
        if username.lower() not in self.people:
            raise ValueError(f"no user @{username} on this fake X (add_user makes one)")
        if f"@{username.lower()}" not in text.lower():
            text = f"@{username} {text}"
        moment = created_at.timestamp() if created_at else self.clock()
        with self.lock:
            writer = self._person(author)
            main = writer.user_id == self.user_id
            return self._add(text, in_reply_to, [], writer, moment, None if main else author)

    def forget_page_tokens(self) -> None:
        """Make the pagination tokens given so far invalid (400), as X's expire."""
        with self.lock:
            self.page_tokens.clear()

    def fail(self, endpoint: str, fault: Fault, times: int = 1, after: int = 0) -> None:
        """Let the next `after` signed requests to `endpoint` through, then make `times`
        of them fail with `fault`."""
        with self.lock:
            self.faults.setdefault(endpoint, []).extend([None] * after + [fault] * times)

    def others_post(self, text: str, author: str = "pemkotbekasi_resmi") -> Tweet:
        """A post by another user (the one the account reposts), as X has it."""
        with self.lock:
            return self._add(text, None, [], self._person(author), self.clock(), author)

    def _add(
        self,
        text: str | None,
        reply_to: str | None,
        media_ids: list[str],
        writer: Person,
        moment: float,
        author: str | None,
    ) -> Tweet:
        """A new tweet, with the people it mentions found in its text (lock held)."""
        tweet_id = str(next(self.ids))
        names = _MENTION.findall(text or "")
        mentioned = [self.people[n.lower()].user_id for n in names if n.lower() in self.people]
        parent = self.by_id.get(reply_to or "")
        conversation = parent.conversation_id if parent else tweet_id
        tweet = Tweet(tweet_id, text, reply_to, media_ids, author=author,
                      author_id=writer.user_id, mentions=tuple(dict.fromkeys(mentioned)),
                      created_at=moment, conversation_id=conversation)  # fmt: skip
        self.tweets.append(tweet)
        self.by_id[tweet_id] = tweet
        for user_id in tweet.mentions:
            self.mentioning.setdefault(user_id, []).append(tweet)
        return tweet

    def live(self) -> list[Tweet]:
        """The tweets that exist (not deleted), in order."""
        return [t for t in self.tweets if not t.deleted]

    def auth_problem(self, method: str, host: str, target: str, header: str) -> str | None:
        """Why a request's OAuth 1.0a signature is not valid for our keys, or None."""
        return self.authenticate(method, host, target, header)[1]

    def authenticate(
        self, method: str, host: str, target: str, header: str
    ) -> tuple[User | None, str | None]:
        """Whose keys signed a request, or why its OAuth 1.0a signature is not valid."""
        try:
            oauth = {k: utils.unescape(v) for k, v in utils.parse_authorization_header(header)}
        except ValueError:
            return None, "no OAuth 1.0a Authorization header"
        user = self.users.get(oauth.get("oauth_token", ""))
        why = self._signature_problem(method, host, target, header, oauth, user)
        return (None, why) if why else (user, None)

    def _signature_problem(
        self,
        method: str,
        host: str,
        target: str,
        header: str,
        oauth: dict[str, str],
        user: User | None,
    ) -> str | None:
        consumer_key, consumer_secret, token, token_secret = (user or self.users[self.keys[2]]).keys
        if oauth.get("oauth_signature_method") != "HMAC-SHA1":
            return "signature method is not HMAC-SHA1"
        if oauth.get("oauth_consumer_key") != consumer_key or oauth.get("oauth_token") != token:
            return "unknown consumer key or access token"
        # oauthlib signs with the real clock whatever clock the adapter is given.
        if abs(int(oauth.get("oauth_timestamp", "0")) - time.time()) > 300:
            return "timestamp out of bounds"
        url = urlsplit(target)
        # The query and the oauth_* parameters are signed; a JSON body is not.
        params = signature.collect_parameters(
            uri_query=url.query, headers={"Authorization": header}
        )
        base = signature.signature_base_string(
            method,
            signature.base_string_uri(f"http://{host}{url.path}"),
            signature.normalize_parameters(params),
        )
        secrets = SimpleNamespace(client_secret=consumer_secret, resource_owner_secret=token_secret)
        expected = signature.sign_hmac_sha1_with_client(base, secrets)
        if not hmac.compare_digest(expected, oauth.get("oauth_signature", "")):
            return "signature does not match"
        return None

    def answer(
        self, endpoint: str, path_id: str | None, query: str, body: Any, user: User | None = None
    ) -> Answer:
        if endpoint in NEEDS_JSON and not isinstance(body, dict):
            return problem(400, "Invalid Request", "The request body is not a JSON object.")
        with self.lock:
            self.user = user or self.users[self.keys[2]]
            answer: Answer = getattr(self, f"do_{endpoint}")(path_id, query, body or {})
            return answer

    # -- endpoints: (id from the path, query string, JSON body) -> (status, body) ---------

    def do_create_tweet(self, _: None, __: str, body: dict[str, Any]) -> Answer:
        text = body.get("text")
        media_ids = [str(m) for m in body.get("media", {}).get("media_ids", [])]
        reply_to = body.get("reply", {}).get("in_reply_to_tweet_id")
        if not text and not media_ids:
            return invalid("text", "Post text is required unless media is attached.")
        if len(media_ids) > 4:
            return invalid("media.media_ids", "Your media IDs are invalid: at most 4 allowed.")
        if any(m not in self.media or not self.media[m].ready for m in media_ids):
            return invalid("media.media_ids", "Your media IDs are invalid.")
        replied = self.by_id.get(reply_to) if reply_to is not None else None
        if reply_to is not None and (replied is None or replied.deleted):
            detail = "You attempted to reply to a Tweet that is deleted or not visible to you."
            return problem(403, "Forbidden", detail)
        user_id = self.user.user_id
        if replied is not None and user_id != replied.author_id and user_id not in replied.mentions:
            return problem(403, "Forbidden", NOT_MENTIONED)
        author = None if self.user.keys == self.keys else self.user.username
        if text and any(t.text == text and t.author == author for t in self.live()):
            return problem(403, "Forbidden", DUPLICATE)
        writer = self._person(self.user.username)
        tweet = self._add(text, reply_to, media_ids, writer, self.clock(), author)
        return 201, {
            "data": {"id": tweet.id, "text": text or "", "edit_history_tweet_ids": [tweet.id]}
        }

    def do_delete_tweet(self, tweet_id: str, _: str, __: Any) -> Answer:
        found = [t for t in self.live() if t.id == tweet_id]
        if not found:
            kind = "https://api.twitter.com/2/problems/resource-not-found"
            return problem(
                404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].", kind
            )
        found[0].deleted = True
        return 200, {"data": {"deleted": True}}

    def do_me(self, _: None, __: str, ___: Any) -> Answer:
        return 200, {
            "data": {
                "id": self.user.user_id,
                "name": "Humas Pemkot",
                "username": self.user.username,
            }
        }

    def do_retweet(self, user_id: str, _: str, body: dict[str, Any]) -> Answer:
        tweet_id = body.get("tweet_id")
        if user_id != self.user.user_id:
            detail = "You are not permitted to perform this action."
            return problem(403, "Forbidden", detail)
        if not isinstance(tweet_id, str) or not tweet_id.isdigit():
            return invalid("tweet_id", "The `tweet_id` query parameter value is not valid.")
        if tweet_id not in {t.id for t in self.live()}:
            kind = "https://api.twitter.com/2/problems/resource-not-found"
            detail = f"Could not find tweet with tweet_id: [{tweet_id}]."
            return problem(404, "Not Found Error", detail, kind)
        # Idempotent, as X's v2 is: reposting again answers the same and changes nothing.
        self.retweet_requests.append((user_id, tweet_id))
        if (user_id, tweet_id) not in self.retweets:
            self.retweets.append((user_id, tweet_id))
        return 200, {"data": {"retweeted": True}}

    def do_unretweet(self, path: str, _: str, __: Any) -> Answer:
        user_id, tweet_id = path.split("/")
        if user_id != self.user.user_id:
            return problem(403, "Forbidden", "You are not permitted to perform this action.")
        # Succeeds with no action when the user does not repost it (any more).
        if (user_id, tweet_id) in self.retweets:
            self.retweets.remove((user_id, tweet_id))
        return 200, {"data": {"retweeted": False}}

    def do_mentions(self, user_id: str, query: str, _: Any) -> Answer:
        """The posts mentioning `user_id`, newest first, a page at a time."""
        asked = dict(parse_qsl(query))
        try:
            size = int(asked.get("max_results", "10"))
        except ValueError:
            size = 0
        if not 5 <= size <= 100:
            return invalid("max_results", "The `max_results` query parameter value is not "
                           "between 5 and 100")  # fmt: skip
        bounds = {}
        for name in ("start_time", "end_time"):
            if name in asked:
                try:
                    bounds[name] = datetime.strptime(asked[name], "%Y-%m-%dT%H:%M:%SZ")
                except ValueError:
                    return invalid(name, f"The `{name}` query parameter value is not RFC 3339")
        start, end = (bounds[n].replace(tzinfo=UTC).timestamp() if n in bounds else None
                      for n in ("start_time", "end_time"))  # fmt: skip
        if not asked.get("since_id", "0").isdigit():
            return invalid("since_id", "The `since_id` query parameter value is not valid")
        since_id = int(asked.get("since_id", "0"))
        before = None
        if "pagination_token" in asked:
            place = self.page_tokens.get(asked["pagination_token"])
            if place is None or place[0] != user_id:
                token = asked["pagination_token"]
                return invalid("pagination_token", f"The `pagination_token` query parameter "
                               f"value [{token}] is not valid")  # fmt: skip
            before = place[1]
        found = [
            t
            for t in reversed(self.mentioning.get(user_id, []))
            if not t.deleted
            and int(t.id) > since_id
            and (before is None or int(t.id) < before)
            and (start is None or t.created_at >= start)
            and (end is None or t.created_at < end)
        ]
        page, rest = found[:size], found[size:]
        if not page:
            return 200, {"meta": {"result_count": 0}}
        meta: dict[str, Any] = {
            "newest_id": page[0].id,
            "oldest_id": page[-1].id,
            "result_count": len(page),
        }
        if rest:
            token = hashlib.sha256(f"{user_id}:{page[-1].id}".encode()).hexdigest()[:40]
            self.page_tokens[token] = (user_id, int(page[-1].id))
            meta["next_token"] = token
        fields = set(asked.get("tweet.fields", "").split(",")) & TWEET_FIELDS
        answer: dict[str, Any] = {"data": [self.shown(t, fields) for t in page], "meta": meta}
        if "author_id" in asked.get("expansions", "").split(","):
            user_fields = set(asked.get("user.fields", "").split(","))
            authors = {t.author_id: self.shown_author(t.author_id, user_fields) for t in page}
            answer["includes"] = {"users": list(authors.values())}
        return 200, answer

    def shown(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        """A tweet as X shows it with the tweet fields asked for."""
        # X escapes &, < and > in the texts it gives.
        text = (tweet.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        shown: dict[str, Any] = {
            "id": tweet.id,
            "text": text[:SHORT_TEXT],
            "edit_history_tweet_ids": [tweet.id],
        }
        values = {
            "created_at": datetime.fromtimestamp(tweet.created_at, UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z"
            ),
            "author_id": tweet.author_id,
            "conversation_id": tweet.conversation_id,
        }
        shown |= {name: value for name, value in values.items() if name in fields}
        if "referenced_tweets" in fields and tweet.reply_to:
            shown["referenced_tweets"] = [{"type": "replied_to", "id": tweet.reply_to}]
        if "note_tweet" in fields and len(text) > SHORT_TEXT:
            shown["note_tweet"] = {"text": text}
        return shown

    def shown_author(self, user_id: str, fields: set[str]) -> dict[str, Any]:
        """A user as `includes.users` shows them (id, name and username are the
        defaults, as X's are)."""
        person = self.people_by_id[user_id]
        shown = {"id": person.user_id, "name": person.name, "username": person.username}
        if "created_at" in fields:
            shown["created_at"] = "2015-03-01T00:00:00.000Z"
        return shown

    def take_turn(self, endpoint: str, user: User) -> tuple[bool, dict[str, str]] | None:
        """For an endpoint in `limits`: whether the user's request fits in its 15-minute
        window (counting it if so), and the x-rate-limit-* headers of the answer; None
        for the other endpoints."""
        limit = self.limits.get(endpoint)
        if limit is None:
            return None
        now = self.clock()
        with self.lock:
            window = self.windows.setdefault((endpoint, user.user_id), [now, 0])
            if now >= window[0] + WINDOW:
                window[:] = [now, 0]
            allowed = window[1] < limit
            window[1] += allowed
            headers = {
                "x-rate-limit-limit": str(limit),
                "x-rate-limit-remaining": str(int(limit - window[1])),
                "x-rate-limit-reset": str(int(window[0] + WINDOW)),
            }
        return allowed, headers

    def do_upload(self, _: None, __: str, body: dict[str, Any]) -> Answer:
        category, media_type = body.get("media_category"), body.get("media_type")
        if category not in ONE_SHOT_CATEGORIES:
            return invalid("media_category", f"must be one of {sorted(ONE_SHOT_CATEGORIES)}")
        if media_type not in ONE_SHOT_TYPES:
            return invalid("media_type", f"{media_type!r} is not an image type this takes")
        data = decode(body.get("media"))
        if not data or len(data) > MAX_IMAGE:
            return invalid("media", "media must be base64 of 1 byte to 5 MB")
        media = Media(str(next(self.ids)), category, media_type, len(data), data, ready=True)
        self.media[media.id] = media
        return 200, {"data": {"id": media.id, "media_key": f"3_{media.id}", "size": len(data)}}

    def do_initialize(self, _: None, __: str, body: dict[str, Any]) -> Answer:
        category, total, media_type = (
            body.get(k) for k in ("media_category", "total_bytes", "media_type")
        )
        if category not in CHUNKED_LIMITS or not isinstance(media_type, str):
            return invalid("media_category", "unknown media_category or media_type")
        if not isinstance(total, int) or not 0 < total <= CHUNKED_LIMITS[category]:
            return invalid("total_bytes", "total_bytes is out of bounds for this media_category")
        media = Media(str(next(self.ids)), category, media_type, total)
        self.media[media.id] = media
        return 200, {
            "data": {"id": media.id, "media_key": f"7_{media.id}", "expires_after_secs": 86399}
        }

    def do_append(self, media_id: str, _: str, body: dict[str, Any]) -> Answer:
        media, index, data = (
            self.media.get(media_id),
            body.get("segment_index"),
            decode(body.get("media")),
        )
        if media is None or media.ready or media.polls_left:
            return invalid("id", "unknown media id, or its upload is finalized")
        if not isinstance(index, int) or not 0 <= index <= 999 or data is None:
            return invalid("segment_index", "needs segment_index 0 to 999 and base64 media")
        media.chunks[index] = data
        return 200, {"data": {"expires_at": int(self.clock()) + 86400}}

    def do_finalize(self, media_id: str, _: str, __: Any) -> Answer:
        media = self.media.get(media_id)
        if media is None or media.ready or media.polls_left:
            return invalid("id", "unknown media id, or its upload is finalized")
        media.data = b"".join(media.chunks[i] for i in sorted(media.chunks))
        if len(media.data) != media.total_bytes:
            return invalid("id", "File size mismatch: the segments do not add up to total_bytes")
        media.polls_left = self.processing_polls
        media.ready = not media.polls_left
        return 200, {"data": {"id": media.id, "size": len(media.data), **self.processing(media)}}

    def do_status(self, _: None, query: str, __: Any) -> Answer:
        fields = dict(parse_qsl(query))
        media = self.media.get(fields.get("media_id", ""))
        if fields.get("command") != "STATUS" or media is None:
            return invalid("media_id", "unknown media id")
        if media.polls_left:
            media.polls_left -= 1
            media.ready = not media.polls_left
        return 200, {"data": {"id": media.id, **self.processing(media)}}

    def do_metadata(self, _: None, __: str, body: dict[str, Any]) -> Answer:
        media = self.media.get(str(body.get("id")))
        alt = body.get("metadata", {}).get("alt_text", {}).get("text")
        if media is None:
            return invalid("id", "unknown media id")
        if not isinstance(alt, str) or len(alt) > 1000:
            return invalid("metadata.alt_text.text", "alt text must be at most 1000 characters")
        media.alt = alt
        return 200, {"data": {"id": media.id, "associated_metadata": {"alt_text": {"text": alt}}}}

    @staticmethod
    def processing(media: Media) -> dict[str, Any]:
        state, percent = ("succeeded", 100) if media.ready else ("in_progress", 50)
        return {
            "processing_info": {"state": state, "check_after_secs": 1, "progress_percent": percent}
        }


class _Handler(BaseHTTPRequestHandler):
    """One request: route, check the signature, apply a fault, answer."""

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def handle_request(self) -> None:
        x: FakeX = self.server.fake  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        url = urlsplit(self.path)
        matches = [
            (name, found)
            for verb, pattern, name in ROUTES
            if verb == self.command and (found := pattern.fullmatch(url.path))
        ]
        if not matches:
            self.respond(*problem(404, "Not Found", f"no route {self.path}"))
            return
        header = self.headers.get("Authorization", "")
        user, why = x.authenticate(self.command, self.headers.get("Host", ""), self.path, header)
        if why is not None:
            x.rejected.append(why)
            self.respond(*problem(401, "Unauthorized", "Unauthorized"))
            return
        name, found = matches[0]
        self.endpoint = name
        with x.lock:
            x.calls.append(name)
            x.counts[name] += 1
            fault = x.faults[name].pop(0) if x.faults.get(name) else None
        kind = fault.kind if fault else None
        # A request X carries out counts in its window; one a fault answers does not.
        carried_out = kind in (None, "slow", "reset")
        turn = x.take_turn(name, user or x.users[x.keys[2]]) if carried_out else None
        if fault is not None and fault.kind == "429":
            self.rate_limited(fault)
        elif turn is not None and not turn[0]:
            self.respond(*problem(429, "Too Many Requests", "Too Many Requests"), turn[1])
        elif kind in ("503", "401", "duplicate", "usage-capped", "credits", "already-retweeted"):
            self.respond(*{
                "503": problem(503, "Service Unavailable", "Service Unavailable"),
                "401": problem(401, "Unauthorized", "Unauthorized"),
                "duplicate": problem(403, "Forbidden", DUPLICATE),
                "usage-capped": usage_capped(),
                "credits": credits_depleted(),
                "already-retweeted": (
                    403, {"errors": [{"code": 327, "message": ALREADY_RETWEETED}]}
                ),
            }[kind])  # fmt: skip
        else:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = "not JSON"
            path_id = "/".join(found.groups()) if found.groups() else None
            status, answer = x.answer(name, path_id, url.query, body, user)
            if kind == "reset":
                self.reset_connection()
                return
            if fault is not None and kind == "slow":
                time.sleep(fault.delay)
            with contextlib.suppress(OSError):  # the client may have given up waiting
                self.respond(status, answer, turn[1] if turn else None)

    do_GET = do_POST = do_DELETE = handle_request

    def respond(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        now = self.server.fake.clock()  # type: ignore[attr-defined]
        limit = WINDOW_LIMITS.get(getattr(self, "endpoint", ""), 100)
        for name, value in (headers or self.rate_headers(limit - 1, now + 900, limit)).items():
            self.send_header(name, value)
        if status != 401:
            self.send_header("x-access-level", self.server.fake.access_level)  # type: ignore[attr-defined]
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def rate_headers(remaining: int, reset: float, limit: int = 100) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(reset)),
        }

    def rate_limited(self, fault: Fault) -> None:
        if fault.daily:  # the 15-minute window has room; the 24-hour cap is used up
            now = self.server.fake.clock()  # type: ignore[attr-defined]
            headers = self.rate_headers(99, now + 900) | {
                "x-user-limit-24hour-limit": "17",
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": str(int(fault.reset_at)),
            }
        else:
            headers = self.rate_headers(0, fault.reset_at)
        self.respond(*problem(429, "Too Many Requests", "Too Many Requests"), headers)

    def reset_connection(self) -> None:
        """Start an answer, then reset the connection (RST, no more bytes)."""
        self.wfile.write(b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n")
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True
