"""Post files: Markdown with YAML front matter (`.md`) or plain YAML (`.yaml`/`.yml`).

`load_post` turns one file into a `Post`, or into located problems. It checks only what
one file can tell on its own; rules that need accounts, media on disk or other posts
live in `checks.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from humaspost.i18n import N_, _, ngettext
from humaspost.platforms.specs import BUILTIN_SPECS
from humaspost.post_schema import field_problems
from humaspost.problems import Problem, Severity, Span
from humaspost.repeats import more_often_than_hourly
from humaspost.reshare import repost_target
from humaspost.textfile import printable, read_text, text_of
from humaspost.times import TimeFormatError, parse_datetime, parse_duration
from humaspost.yamlpos import Located, YamlProblem, load_located

if TYPE_CHECKING:  # attached by the loaders that plan and publish, not by `check`
    from humaspost.gitsource import Source

POST_SUFFIXES = (".md", ".yaml", ".yml")
# Files people may mean as posts that humaspost does not read: reported, never skipped.
NEAR_MISS_SUFFIXES = (".markdown", ".mdown", ".txt")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_ID_RE = re.compile(r"^\w[\w.\-]*(?:/\w[\w.\-]*)*$")
# `0,1,2,...,59` is the longest meaningful field (170 characters).
_LONGEST_CRON_FIELD = 200
_NON_STANDARD_CRON = re.compile(r"[#?]|\b\d*LW?\b|\b\d+W\b")
_INDONESIAN_DAYS = frozenset({"senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu"})
_WEEKDAY_HINT = N_(
    "the day of the week (the 5th field) is a number or an English name: 0 or 7 = SUN "
    "(Minggu), 1 = MON (Senin), 2 = TUE (Selasa), 3 = WED (Rabu), 4 = THU (Kamis), "
    "5 = FRI (Jumat), 6 = SAT (Sabtu); e.g. '0 8 * * 1-5' is 08:00 Senin to Jumat"
)
# cronsim's reasons (lowercased) for a field it refuses, as whole HP107 sentences; a reason
# not listed here (a number too long for Python) is quoted in English.
_CRON_REASONS = {
    "bad minute": N_("'repeat: {expression}' bad minute"),
    "bad hour": N_("'repeat: {expression}' bad hour"),
    "bad day-of-month": N_("'repeat: {expression}' bad day-of-month"),
    "bad month": N_("'repeat: {expression}' bad month"),
    "bad day-of-week": N_("'repeat: {expression}' bad day-of-week"),
}
# Times are refused from here on: a deadline (the time plus max_delay) and a repeat's
# next occurrences must still be dates Python can hold (up to 9999-12-31).
LATEST_TIME = datetime(9000, 1, 1, tzinfo=UTC)
# When re-shares start after their origin went out, unless `amplify.after` says.
DEFAULT_AMPLIFY_AFTER = timedelta(minutes=10)
# The fields a `repost:` post may have beside it: it sends no content of its own.
_REPOST_REFUSES = ("thread", "media", "amplify", *BUILTIN_SPECS)
# Most posts have no platform sections: they share one empty mapping (never written to).
_NO_OVERRIDES: Mapping[str, Content] = {}
# The largest inbox item number: the log keeps item numbers as 64-bit integers.
LARGEST_ITEM = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Media:
    """A media item: the path as written, the absolute path it names, and its alt text."""

    file: str
    path: Path
    alt: str | None
    where: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Content:
    """What to send: text parts (one, or a thread), media and platform fields (`link`)."""

    parts: tuple[str, ...] | None
    media: tuple[Media, ...] | None
    link: str | None = None
    where: tuple[str | int, ...] = ()


@dataclass(frozen=True, slots=True)
class Amplify:
    """`amplify:` of a post: the accounts and groups that re-share each delivery (names
    as written, unexpanded), how long after it went out, over how long, with a comment
    (Facebook only). Errors point at `post.span(("amplify", "by"))` and so on."""

    by: tuple[str, ...]
    after: timedelta = DEFAULT_AMPLIFY_AFTER
    spread: timedelta = timedelta(0)
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """A loaded post. Times are UTC; `to` holds names as written (groups unexpanded)."""

    id: str
    file: Path
    shown: str
    publish_at: datetime | None
    to: tuple[str, ...] | None
    content: Content
    overrides: Mapping[str, Content]
    draft: bool
    repeat: str | None
    until: datetime | None
    expires_at: datetime | None
    metadata: Mapping[str, Any]
    located: Located = field(repr=False)
    # Who re-shares this post's deliveries, and when; None: nobody.
    amplify: Amplify | None = None
    # The URL of a post, elsewhere, that the accounts in `to` re-share (X status or
    # Facebook post); such a post has no content of its own but an optional comment in
    # `content.parts` (Facebook only).
    repost: str | None = None
    # The inbox item (its number in the log) this post answers: it is published as the
    # reply to that mention or comment. Such a post has no `repost`, `amplify` or
    # `repeat`, and goes to one account.
    reply_to: int | None = None
    # Where the file's bytes stand in git (None outside a git checkout); attached when
    # posts are loaded for planning and publishing (see gitsource).
    source: Source | None = None

    def span(self, path: tuple[str | int, ...], *, at_key: bool = False) -> Span | None:
        """Where in the file the field at `path` is written."""
        return self.located.key_span(path) if at_key else self.located.value_span(path)

    def content_for(self, *platforms: str) -> Content:
        """The content an account gets: the first of its platforms' sections that exists
        (a sandbox account `like: twitter` uses a `sandbox:` section, else `twitter:`),
        its fields laid over the post's own."""
        override = next((self.overrides[p] for p in platforms if p in self.overrides), None)
        if override is None:
            return self.content
        return Content(
            parts=override.parts if override.parts is not None else self.content.parts,
            media=override.media if override.media is not None else self.content.media,
            link=override.link,
            where=override.where,
        )


@dataclass
class LoadResult:
    """One file's outcome: the post if its fields could be read (a field found invalid is
    left out and reported), and the problems found."""

    post: Post | None
    problems: list[Problem]


def post_id_for(file: Path, posts_dir: Path) -> str | None:
    """The default id: the path under posts_dir without suffix; None if outside it."""
    # String operations: this runs for every file, and pathlib's are several times slower.
    path, folder = str(file), str(posts_dir) + os.sep
    if not path.startswith(folder):
        return None
    relative = path[len(folder) :]
    if os.sep != "/":
        relative = relative.replace(os.sep, "/")
    stem, dot, suffix = relative.rpartition(".")
    return stem if dot and "/" not in suffix else relative


def load_post(
    file: Path, shown: str, posts_dir: Path, tz: ZoneInfo, raw: bytes | None = None
) -> LoadResult:
    """Read one post file. Problems carry `shown` as the file name. `raw`: its bytes, read
    already (up to `textfile.MAX_TEXT_BYTES` + 1), so that what is checked is exactly
    what a cache entry's key was made of."""
    return _PostLoader(file, shown, posts_dir, tz).load(raw)


class _PostLoader:
    def __init__(self, file: Path, shown: str, posts_dir: Path, tz: ZoneInfo) -> None:
        self.file = file
        self.shown = shown
        self.posts_dir = posts_dir
        self.tz = tz
        self.suffix = file.suffix.lower()  # POST.MD from a Windows laptop is still a post
        self.problems: list[Problem] = []
        self.located = Located({})
        # Paths whose text came from a .md body: their spans are exact lines.
        self.body_paths: set[tuple[str | int, ...]] = set()

    def error(self, code: str, message: str, span: Span | None, hint: str | None = None) -> None:
        self.problems.append(Problem(code, Severity.ERROR, message, self.shown, span, hint))

    def at(self, path: tuple[str | int, ...], *, at_key: bool = False) -> Span | None:
        return self.located.key_span(path) if at_key else self.located.value_span(path)

    def load(self, raw: bytes | None) -> LoadResult:
        default_id = post_id_for(self.file, self.posts_dir)
        if default_id is None:
            self.error(
                "HP010",
                _("not inside posts_dir, so humaspost would never publish it"),
                None,
                _("posts_dir is {folder}").format(folder=self.posts_dir),
            )
            return LoadResult(None, self.problems)
        if self.suffix not in POST_SUFFIXES:
            self.error(
                "HP010",
                _("not a post file: humaspost reads .md, .yaml and .yml files"),
                None,
                _("rename it, e.g. to .md"),
            )
            return LoadResult(None, self.problems)
        if raw is None:
            text, problem = read_text(self.file, self.shown)
        else:
            text, problem = text_of(raw, self.shown)
        if problem is not None:
            return LoadResult(None, [problem])
        assert text is not None
        if not text.strip():
            self.error(
                "HP006", _("the file is empty"), Span(1, 1), _("write a post or delete the file")
            )
            return LoadResult(None, self.problems)
        data = self.parse(text)
        if data is None:
            return LoadResult(None, self.problems)
        return LoadResult(self.build(data, default_id), self.problems)

    def parse(self, text: str) -> dict[str, Any] | None:
        body: str | None = None
        body_line = 0
        yaml_text, line_offset = text, 0
        if self.suffix == ".md":
            split = self.split_front_matter(text)
            if split is None:
                return None
            yaml_text, body, body_line = split
            line_offset = 1
        try:
            located = load_located(yaml_text, line_offset=line_offset)
        except YamlProblem as exc:
            self.error(exc.code, exc.message, exc.span, exc.hint)
            return None
        if located is None:
            if body is None:
                self.error("HP006", _("the file holds no fields"), Span(1, 1))
                return None
            located = Located({}, values={(): Span(1, 1)})
        if not isinstance(located.data, dict):
            self.error(
                "HP008",
                _("a post must be a mapping of fields (publish_at, to, text, ...), not a list")
                if isinstance(located.data, list)
                else _(
                    "a post must be a mapping of fields (publish_at, to, text, ...), "
                    "not a plain value"
                ),
                located.value_span(()),
            )
            return None
        self.located = located
        data: dict[str, Any] = located.data
        if body is not None:
            for key in ("text", "thread"):
                if key in data:
                    self.error(
                        "HP111",
                        _(
                            "'{field}' in the front matter of a .md post: the body is the text"
                        ).format(field=key),
                        self.at((key,), at_key=True),
                        _(
                            "write the text below the front matter; separate thread parts "
                            "with a line '---'"
                        ),
                    )
            if data.get("repost") is None or body.strip():
                # A `repost:` post has no text of its own: an empty body is no empty text.
                self.add_body(data, body, body_line)
        return data

    def split_front_matter(self, text: str) -> tuple[str, str, int] | None:
        lines = text.split("\n")
        if lines[0].rstrip() != "---":
            self.error(
                "HP007",
                _("a .md post starts with front matter: a line '---', the fields, another '---'"),
                Span(1, 1),
                _("or write the post as a .yaml file"),
            )
            return None
        for index in range(1, len(lines)):
            if lines[index].rstrip() == "---":
                body = "\n".join(lines[index + 1 :])
                # With nothing after the closing '---', the body is placed on it: line
                # index + 2 would be past the end of the file.
                last = len(lines) - 1 if lines[-1] == "" else len(lines)
                return "\n".join(lines[1:index]), body, min(index + 2, last)
        self.error(
            "HP007",
            _("the front matter opened here is never closed with a line '---'"),
            Span(1, 1, 3),
        )
        return None

    def add_body(self, data: dict[str, Any], body: str, first_line: int) -> None:
        parts = _split_thread(body, first_line)
        paths: list[tuple[str | int, ...]] = [("text",)]
        if len(parts) == 1:
            data["text"] = parts[0][0]
        else:
            data["thread"] = [text for text, _ in parts]
            self.located.values[("thread",)] = Span(parts[0][1], 1)
            paths = [("thread", index) for index in range(len(parts))]
        for path, (_text, line) in zip(paths, parts, strict=True):
            self.located.values[path] = Span(line, 1)
            self.body_paths.add(path)

    def build(self, data: dict[str, Any], default_id: str) -> Post | None:
        wrong = field_problems(data, self.located, self.shown)
        if wrong:
            self.problems.extend(wrong)
            return None
        self.check_empty_values(data)
        self.check_dropped_text()
        publish_at = self.time(data.get("publish_at"), "publish_at")
        until = self.time(data.get("until"), "until")
        expires_at = self.time(data.get("expires_at"), "expires_at")
        self.check_times(data, publish_at, until, expires_at)
        repeat = data["repeat"].strip() if data.get("repeat") is not None else None
        if repeat is not None and not self.check_repeat(repeat):
            repeat = None  # reported; the rest of the checks go on without it
        post_id = self.post_id(data.get("id"), default_id)
        content = self.content(data, ())
        overrides = {
            name: self.content(section, (name,))
            for name in BUILTIN_SPECS
            if (section := data.get(name)) is not None
        }
        reply_to = self.reply_to(data) if data.get("reply_to") is not None else None
        replying = data.get("reply_to") is not None
        # A reply is what `humaspost inbox reply` wrote; the fields refused beside it
        # (HP125) are left out, so that the post is planned as the reply it is.
        repost = self.repost(data) if data.get("repost") is not None and not replying else None
        if replying:
            repeat = None
        # With `repost:` too, `amplify` is refused (HP123) and left out.
        amplify = (
            self.amplify(data["amplify"])
            if data.get("amplify") is not None and data.get("repost") is None and not replying
            else None
        )
        to = data.get("to")
        return Post(
            id=post_id,
            file=self.file,
            shown=self.shown,
            publish_at=publish_at,
            to=(to,) if isinstance(to, str) else tuple(to) if to is not None else None,
            content=content,
            overrides=overrides or _NO_OVERRIDES,
            draft=data.get("draft") is True,
            repeat=repeat,
            until=until,
            expires_at=expires_at,
            metadata={key: data.get(key) for key in ("tags", "campaign", "author", "notes")},
            located=self.located,
            amplify=amplify,
            repost=repost,
            reply_to=reply_to,
        )

    def amplify(self, fields: dict[str, Any]) -> Amplify | None:
        """`amplify:`, its types already right (post_schema); None if `by` is unusable."""
        by = fields.get("by")
        after = self.duration(fields, "after", DEFAULT_AMPLIFY_AFTER)
        spread = self.duration(fields, "spread", timedelta(0))
        text = fields.get("text")
        if "text" in fields:
            text = self.clean(text, ("amplify", "text")) if text is not None else None
            if text is None:
                self.error(
                    "HP110",
                    _("'{field}' has no value").format(field="amplify.text"),
                    self.at(("amplify", "text"), at_key=True),
                    _("write a value, or remove the line"),
                )
        if by == []:
            self.error(
                "HP110",
                _("'{field}' has no value").format(field="amplify.by"),
                self.at(("amplify", "by")),
                _(
                    "write the accounts or groups that re-share the post, e.g. 'by: [{example}]'"
                ).format(example="semua-kecamatan"),
            )
        if not by:
            return None  # its absence is reported by post_schema (HP104, HP110)
        names = (by,) if isinstance(by, str) else tuple(by)
        return Amplify(names, after, spread, text or None)

    def duration(self, fields: dict[str, Any], key: str, default: timedelta) -> timedelta:
        raw = fields.get(key)
        if raw is None:
            if key in fields:
                self.error(
                    "HP110",
                    _("'{field}' has no value").format(field=f"amplify.{key}"),
                    self.at(("amplify", key), at_key=True),
                    _("write a value, or remove the line"),
                )
            return default
        try:
            return parse_duration(raw)
        except TimeFormatError as exc:
            name = f"amplify.{key}"
            self.error("HP102", f"'{name}': {exc}", self.at(("amplify", key)))
            return default

    def repost(self, data: dict[str, Any]) -> str | None:
        """The `repost:` URL if it names an X or Facebook post; the fields a repost
        cannot have beside it are reported (the comment, `text`, may stay)."""
        for key in _REPOST_REFUSES:
            if data.get(key) is not None:
                self.error(
                    "HP123" if key == "amplify" else "HP111",
                    _("a post has either 'amplify' or 'repost', not both")
                    if key == "amplify"
                    else _("'{field}' in a repost: a repost sends no content of its own").format(
                        field=key
                    ),
                    self.at((key,), at_key=True),
                    _(
                        "remove 'amplify': to have more accounts re-share the same post, "
                        "put them in 'to'"
                    )
                    if key == "amplify"
                    else _("only 'text' may go with 'repost': a comment, on Facebook only"),
                )
        url: str = data["repost"].strip()
        if repost_target(url) is None:
            self.error(
                "HP122",
                _("'repost: {url}' is not the address of an X post or a Facebook post").format(
                    url=printable(url if len(url) <= 80 else url[:77] + "...")
                ),
                self.at(("repost",)),
                _(
                    "copy the post's own address, e.g. https://x.com/pemkotbekasi/status/"
                    "1864000000000000000 or https://www.facebook.com/pemkotbekasi/posts/"
                    "1234567890"
                ),
            )
            return None
        return url

    def reply_to(self, data: dict[str, Any]) -> int | None:
        """`reply_to:`, an int already (post_schema), if it can be an item's number; the
        fields a reply cannot have beside it are reported (HP125)."""
        number: int = data["reply_to"]
        for key, message, hint in (
            (
                "repost",
                _("a post has either 'reply_to' or 'repost', not both"),
                _("remove 'repost': a reply answers the inbox item with a text of its own"),
            ),
            (
                "amplify",
                _("a reply cannot be re-shared: 'amplify' cannot go with 'reply_to'"),
                _(
                    "remove 'amplify'; to tell everyone, publish the answer as a post of its "
                    "own as well"
                ),
            ),
            (
                "repeat",
                _("a reply is sent once: 'repeat' cannot go with 'reply_to'"),
                _("remove 'repeat'"),
            ),
        ):
            if data.get(key) is not None:
                self.error("HP125", message, self.at((key,), at_key=True), hint)
        if not 1 <= number <= LARGEST_ITEM:
            # The value is not repeated: it may be thousands of digits long.
            self.error(
                "HP125",
                _("'reply_to' is not the number of an inbox item"),
                self.at(("reply_to",)),
                _("inbox items are numbered from 1, as 'humaspost inbox' lists them"),
            )
            return None
        return number

    def check_empty_values(self, data: dict[str, Any]) -> None:
        """A field written with no value (`to:`) is a mistake, not a request for the default."""
        for key in (
            "publish_at",
            "to",
            "text",
            "thread",
            "media",
            "repeat",
            "until",
            "expires_at",
            "amplify",
            "repost",
            "reply_to",
        ):
            written = self.located.has_key((key,))  # not a .md body, which clean() checks
            if written and data[key] in (None, [], ""):
                self.error(
                    "HP109" if key == "to" else "HP110",
                    _("'{field}' has no value").format(field=key),
                    self.at((key,), at_key=True),
                    _("write a value, or remove the line to use defaults.to from the config")
                    if key == "to"
                    else _("write a value, or remove the line"),
                )

    def check_dropped_text(self) -> None:
        for path, dropped in self.located.dropped.items():
            anchor = dropped.startswith("&")
            if path[-1] == "text" or (len(path) >= 2 and path[-2] == "thread"):
                message = (
                    _(
                        "'{dropped}' is not part of the text: YAML reads it as an anchor and "
                        "drops it"
                    )
                    if anchor
                    else _(
                        "'{dropped}' is not part of the text: YAML reads it as a comment and "
                        "drops it"
                    )
                )
                self.error(
                    "HP115",
                    message.format(dropped=dropped),
                    self.at(path),
                    _(
                        "put the whole text in quotes, or write 'text: |' and the text on the "
                        "lines below it, indented"
                    ),
                )
            elif path[-1] == "alt" and len(path) >= 3 and path[-3] == "media":
                # `alt: #Poster` leaves no alt at all, which HP203 alone would report
                # as forgotten when it was written.
                kept = _value_at(self.located.data, path)
                self.error(
                    "HP115",
                    _dropped_from_alt(anchor, emptied=not kept).format(dropped=dropped),
                    # An empty value has no place of its own: its key is the line's start.
                    self.at(path, at_key=not kept),
                    _('put the whole alt text in quotes: alt: "{alt}"').format(
                        alt=f"{kept} {dropped}" if kept else dropped
                    ),
                )

    def time(self, raw: str | None, key: str) -> datetime | None:
        if raw is None:
            return None
        try:
            moment = parse_datetime(raw, self.tz)
        except TimeFormatError as exc:
            self.error("HP105", f"'{key}': {exc}", self.at((key,)))
            return None
        if moment >= LATEST_TIME:
            self.error(
                "HP105",
                _(
                    "'{field}': '{time}' is too far ahead; humaspost takes times before the "
                    "year {year}"
                ).format(field=key, time=raw.strip(), year=LATEST_TIME.year),
                self.at((key,)),
                _("for a repeat without an end, leave 'until' out"),
            )
            return None
        return moment

    def check_times(
        self,
        data: dict[str, Any],
        publish_at: datetime | None,
        until: datetime | None,
        expires_at: datetime | None,
    ) -> None:
        # A reply without a time goes out as soon as a publisher sees it.
        if (
            data.get("publish_at") is None
            and data.get("repeat") is None
            and data.get("reply_to") is None
        ):
            self.error(
                "HP104",
                _("the post has no 'publish_at' (when should it go out?)"),
                self.at(()),
                _("add e.g. 'publish_at: 2026-12-01 08:00' (local time), or a 'repeat'"),
            )
        if data.get("until") is not None and data.get("repeat") is None:
            self.error(
                "HP108", _("'until' only applies to a 'repeat'"), self.at(("until",), at_key=True)
            )
        if publish_at and until and until <= publish_at:
            self.error("HP106", _("'until' must be after 'publish_at'"), self.at(("until",)))
        if publish_at and expires_at and expires_at <= publish_at:
            self.error(
                "HP106", _("'expires_at' must be after 'publish_at'"), self.at(("expires_at",))
            )

    def check_repeat(self, expression: str) -> bool:
        """Whether `expression` is a standard 5-field crontab schedule; reports it if not,
        and reports one that fires more than once an hour (still a schedule)."""
        from cronsim import CronSim, CronSimError  # small, but only posts with repeats need it

        shown = expression if len(expression) <= 60 else expression[:57] + "..."
        message: str | None = None
        fields = expression.split()
        cron_reason = ""
        if len(fields) != 5:
            message = ngettext(
                "'repeat: {expression}' has {count} field; a cron expression has 5: "
                "minute hour day month weekday",
                "'repeat: {expression}' has {count} fields; a cron expression has 5: "
                "minute hour day month weekday",
                len(fields),
            ).format(expression=shown, count=len(fields))
        elif _NON_STANDARD_CRON.search(expression.upper()):
            message = _(
                "'repeat: {expression}' uses L, W, # or ?, which standard crontab does not have"
            ).format(expression=shown)
        elif any(len(field) > _LONGEST_CRON_FIELD for field in fields):
            message = _(
                "'repeat: {expression}' has a field longer than any crontab field can be"
            ).format(expression=shown)
        else:
            try:
                CronSim(expression.upper(), datetime(2000, 1, 1))
            except (CronSimError, ValueError) as exc:  # ValueError: a number beyond int()
                cron_reason = str(exc).lower()
                known = _CRON_REASONS.get(cron_reason)
                message = (
                    _(known).format(expression=shown)
                    if known
                    else f"'repeat: {shown}' {cron_reason}"
                )
        if message is not None:
            # An Indonesian day name is the usual bad weekday, in any number of fields.
            weekday = "day-of-week" in cron_reason or bool(
                _INDONESIAN_DAYS & set(re.split(r"[^a-z]+", expression.lower()))
            )
            self.error(
                "HP107",
                message,
                self.at(("repeat",)),
                _(_WEEKDAY_HINT)
                if weekday
                else _(
                    "e.g. '0 8 * * 1-5' is 08:00 Monday to Friday; '30 7 * * 0' is 07:30 on Sundays"
                ),
            )
            return False
        if more_often_than_hourly(expression):
            # Valid, so kept: `schedule` shows the post's occurrences, held back.
            self.error(
                "HP116",
                _(
                    "'repeat: {expression}' fires more than once an hour; that floods "
                    "followers' timelines and looks like spam to the platforms"
                ).format(expression=expression),
                self.at(("repeat",)),
                _(
                    "write one minute, e.g. '0 8 * * *' is 08:00 every day; '0 7-17 * * 1-5' "
                    "is every hour from 07:00 to 17:00 on working days"
                ),
            )
        return True

    def post_id(self, explicit: str | None, default_id: str) -> str:
        if explicit is None:
            if not _ID_RE.match(default_id):
                # Not renamed into a valid id: two names could meet, and a new id is a
                # new post (see docs/post-format.md, "id").
                self.error(
                    "HP113",
                    _("the file name makes an invalid post id '{id}'").format(
                        id=printable(default_id)
                    ),
                    Span(1, 1),
                    _("rename the file (letters, digits, '-', '_', '.'), or write an 'id:'"),
                )
            return default_id
        if not _ID_RE.match(explicit):
            self.error(
                "HP113",
                _("invalid id '{id}'").format(id=explicit),
                self.at(("id",)),
                _("use letters, digits, '-', '_', '.' and '/' (e.g. 2026/12/banjir-siaga)"),
            )
        return explicit

    def content(self, fields: dict[str, Any], base: tuple[str | int, ...]) -> Content:
        """The text parts, media and link of the post (`base` ()) or of one platform section."""
        text, thread, media = fields.get("text"), fields.get("thread"), fields.get("media")
        if text is not None and thread is not None:
            self.error(
                "HP111",
                _("a post has either 'text' or 'thread', not both"),
                self.at((*base, "thread"), at_key=True),
            )
        parts: tuple[str, ...] | None = None
        if thread is not None:
            if not thread:
                self.error("HP110", _("'thread' is empty"), self.at((*base, "thread")))
            parts = tuple(
                self.clean(part, (*base, "thread", index)) for index, part in enumerate(thread)
            )
        elif text is not None:
            parts = (self.clean(text, (*base, "text")),)
        items = None
        if media is not None:
            items = tuple(
                Media(
                    item["file"],
                    self.file.parent / item["file"],
                    item["alt"].strip() if item.get("alt") is not None else None,
                    (*base, "media", index),
                )
                for index, item in enumerate(media)
            )
        return Content(parts, items, fields.get("link") if base else None, base)

    def clean(self, raw: str, path: tuple[str | int, ...]) -> str:
        text, unclosed = strip_comments(raw)
        if unclosed is not None:
            span = self.at(path)
            if span is not None and path in self.body_paths:
                span = Span(span.line + unclosed[0], unclosed[1], 4)
            self.error(
                "HP114",
                _("an HTML comment '<!--' is never closed with '-->'"),
                span,
                _("everything after it would be hidden; close it with '-->'"),
            )
        if not text:
            self.error(
                "HP110",
                _("empty text") if path[-1] == "text" else _("empty thread part"),
                self.at(path),
                _("write the text, or remove the empty part"),
            )
        return text


def _value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at `path` of fields whose types `field_problems` found right."""
    for step in path:
        data = data[step]
    return data


def _dropped_from_alt(anchor: bool, *, emptied: bool) -> str:
    """HP115 for an alt text, whole for each case: `{dropped}` read as an anchor or a
    comment, and whether nothing of the alt text is left."""
    if anchor and emptied:
        return _(
            "'{dropped}' is not part of the alt text: YAML reads it as an anchor and drops "
            "it, so the alt text is empty"
        )
    if anchor:
        return _("'{dropped}' is not part of the alt text: YAML reads it as an anchor and drops it")
    if emptied:
        return _(
            "'{dropped}' is not part of the alt text: YAML reads it as a comment and drops "
            "it, so the alt text is empty"
        )
    return _("'{dropped}' is not part of the alt text: YAML reads it as a comment and drops it")


def _split_thread(body: str, first_line: int) -> list[tuple[str, int]]:
    """Body parts split on lines that are exactly '---' outside HTML comments.

    Returns each part without its leading blank lines, and the 1-based file line where
    its first line is.
    """
    parts: list[tuple[list[str], int, int]] = [([], first_line, first_line)]
    in_comment = False
    for number, line in enumerate(body.split("\n"), start=first_line):
        if not in_comment and line.rstrip() == "---":
            parts.append(([], number + 1, number + 1))
            continue
        lines, start, opened = parts[-1]
        if not lines and not line.strip():
            parts[-1] = (lines, start + 1, opened)  # skip leading blank lines
            continue
        lines.append(line)
        in_comment = _ends_in_comment(line, in_comment)
    # An empty part points at where it was opened, within the file: after a '---' on the
    # last line of a file without a final newline, that is the '---' itself.
    last = first_line + body.count("\n")
    return [
        ("\n".join(lines), start if lines else min(opened, last)) for lines, start, opened in parts
    ]


def _ends_in_comment(line: str, in_comment: bool) -> bool:
    position = 0
    while True:
        token = "-->" if in_comment else "<!--"
        found = line.find(token, position)
        if found < 0:
            return in_comment
        in_comment = not in_comment
        position = found + len(token)


def strip_comments(raw: str) -> tuple[str, tuple[int, int] | None]:
    """Remove HTML comments and trim blank lines around the text.

    A line holding nothing but a comment disappears with the comment, so a reviewer's
    note between two paragraphs leaves no extra blank line. Returns the clean text and,
    for an unclosed comment, its 0-based line offset and 1-based column in `raw`.
    """
    unclosed: tuple[int, int] | None = None
    opened = raw.find("<!--", _last_comment_end(raw))
    if opened >= 0:
        unclosed = raw.count("\n", 0, opened), opened - raw.rfind("\n", 0, opened)
    if "<!--" in raw:
        lines = []
        for line in _COMMENT_RE.sub("\0", raw).split("\n"):
            if line.strip() == "\0":
                continue
            lines.append(line.replace("\0", "").rstrip() if "\0" in line else line)
        raw = "\n".join(lines)
    return raw.strip(), unclosed


def _last_comment_end(raw: str) -> int:
    end = 0
    for match in _COMMENT_RE.finditer(raw):
        end = match.end()
    return end
