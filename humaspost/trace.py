"""The trace of what went out (`humaspost trace`): for a delivery, or every delivery of
a post, the whole chain from the publish log and git.

The log recorded, when a publisher claimed the delivery, the commit its post file was
read from, the file's blob and the author of the file's last commit (gitsource.Source).
From those, git tells the rest: the post file (where the blob is in that commit), the
commit that last changed it, the merge that brought that commit into HEAD's first-parent
line (its subject names the pull request) with the approvers its `Reviewed-by:` and
`Approved-by:` trailers name, and the text itself (`git cat-file blob`), rendered again
for the account. What git cannot tell (no git here, a commit this clone does not have)
is left empty and said so.

Git runs through `gitsource.run_git` (argument lists, never a shell), a few calls
per delivery, each commit's tree listed once.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from humaspost.config import Config
from humaspost.gitsource import NoCheckout, run_git
from humaspost.i18n import _, pgettext
from humaspost.lifecycle import state_label
from humaspost.log_location import log_path
from humaspost.log_view import SHORT_COMMIT, row_json, row_state
from humaspost.lookup import existing_log, post_id_from
from humaspost.posts import POST_SUFFIXES, Post, load_post, post_id_for
from humaspost.problems import UsageError
from humaspost.publog import LogRow, PublishLog, log_exists
from humaspost.render import content_hash, render
from humaspost.repository import post_files, shown_name
from humaspost.tables import (
    MESSAGE_INDENT,
    Segment,
    flow,
    is_sandbox_address,
    sandbox_note,
    short_address,
    words,
    wrapped,
)
from humaspost.times import format_local

# The trailers of a merge (or of a squashed commit) that name who approved it.
APPROVAL_TRAILERS = ("reviewed-by", "approved-by")
# SQLite's integers end here: no delivery has a larger number.
_SQLITE_MAX = 2**63 - 1
# Between the fields of one record, and between records, in git's formatted output.
_FIELD, _RECORD = "\x1f", "\x1e"
# What `git log` prints of a commit: id, author, date, subject, trailers.
_COMMIT_FORMAT = "--format=" + _FIELD.join(
    ("%H", "%an <%ae>", "%aI", "%s", "%(trailers:only,unfold)" + _RECORD)
)


class GitHere(StrEnum):
    """Whether git can be asked about the repository the config is in."""

    CHECKOUT = "checkout"
    NOT_A_CHECKOUT = "not-a-checkout"
    NO_GIT = "no-git"  # git is not installed


class MergeStatus(StrEnum):
    """How the commit that last changed the post file came into HEAD."""

    MERGED = "merged"  # a merge on HEAD's first-parent line brought it
    DIRECT = "direct"  # it is on HEAD's first-parent line itself (squash, rebase, a push)
    NOT_IN_HEAD = "not-in-head"  # HEAD's history does not have it
    UNKNOWN = "unknown"  # git cannot tell (no git here, no such commit, no source)


class TextFrom(StrEnum):
    """Where the text shown as sent was rendered from."""

    BLOB = "blob"  # the blob the log recorded, from git
    FILE = "file"  # the post file as it is now: same bytes, or the same fingerprint


@dataclass(frozen=True)
class Change:
    """A commit, as the trace shows it."""

    commit: str
    author: str
    date: datetime
    subject: str
    approvers: tuple[str, ...] = ()  # its Reviewed-by / Approved-by trailers


@dataclass(frozen=True)
class DeliveryTrace:
    """One delivery's chain. `file` is the post file as shown (relative to the current
    folder); `change` the commit that last changed it as of the recorded commit;
    `merge` the merge that brought `change` (when `merge_status` is MERGED);
    `approvers` from the merge's trailers (a direct commit's own), None when git
    cannot tell; `text` the parts as rendered again, `text_matches` whether they are
    what the log's fingerprint says went out (None where the log has none)."""

    row: LogRow
    urls: tuple[str, ...]
    file: str | None = None
    change: Change | None = None
    merge_status: MergeStatus = MergeStatus.UNKNOWN
    merge: Change | None = None
    approvers: tuple[str, ...] | None = None
    text: tuple[str, ...] | None = None
    text_from: TextFrom | None = None
    text_matches: bool | None = None


@dataclass(frozen=True)
class Trace:
    """The trace of the deliveries asked for, and what git could be asked here."""

    git: GitHere
    git_problem: str | None  # git's own words when the folder is not a checkout
    deliveries: list[DeliveryTrace] = field(default_factory=list)


def trace(
    config: Config, given: str, *, cwd: Path, sandbox: bool, environ: Mapping[str, str]
) -> Trace:
    """The trace of delivery `given` (its number, as `log` shows it), or of every
    delivery of the post `given` names (its id or its file), oldest first. A
    UsageError when the log has no such delivery or the post none."""
    posts = current_posts(config, cwd)
    real = log_path(config, sandbox=False, environ=environ)
    rehearsal = log_path(config, sandbox=True, environ=environ)
    if not sandbox and not log_exists(real) and log_exists(rehearsal):
        raise UsageError(
            _("nothing has been published yet; only the sandbox log has deliveries: add --sandbox")
        )
    with PublishLog(
        existing_log(config, cwd, sandbox=sandbox, environ=environ), read_only=True
    ) as log:
        if given.isascii() and given.isdigit():
            number = int(given)
            row = log.row(number) if 0 < number <= _SQLITE_MAX else None
            if row is None:
                raise UsageError(
                    _("there is no delivery {number} in the publish log").format(number=given)
                )
            rows = [row]
        else:
            post_id = post_id_from(
                given,
                posts,
                config,
                cwd,
                label="trace",
                logged=lambda post: bool(log.search(post_id=post, limit=1)),
            )
            rows = sorted(log.search(post_id=post_id, limit=None), key=lambda r: r.id)
            if not rows:
                raise UsageError(
                    _("post '{post_id}' has no delivery in the publish log").format(post_id=post_id)
                )
        parts = {row.id: tuple(p.url for p in log.parts(row.id)) for row in rows}
    return trace_rows(config, [(row, parts[row.id]) for row in rows], posts=posts, cwd=cwd)


def current_posts(config: Config, cwd: Path) -> list[Post]:
    """Every post file under posts_dir that loads, as it is now (no checks: a trace is
    about what was sent, not about what is wrong now)."""
    if not config.posts_dir.is_dir():
        return []
    found = []
    for path, shown in post_files(config.posts_dir, [], cwd):
        post = load_post(path, shown, config.posts_dir, config.timezone).post
        if post is not None:
            found.append(post)
    return found


def trace_rows(
    config: Config,
    rows: Iterable[tuple[LogRow, tuple[str, ...]]],
    *,
    posts: list[Post],
    cwd: Path,
) -> Trace:
    """The trace of log rows, each with the URLs of its parts, asking git in the
    repository the config is in; `posts` are the post files as they are now."""
    git, problem = _Git.find(config.root)
    state = (
        GitHere.CHECKOUT if git else (GitHere.NO_GIT if problem is None else GitHere.NOT_A_CHECKOUT)
    )
    tracer = _Tracer(config, git, posts, cwd)
    return Trace(state, problem, [tracer.delivery(row, urls) for row, urls in rows])


class _Git:
    """git asked about one work tree; each commit's tree is listed once."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.trees: dict[str, dict[str, list[str]]] = {}

    @classmethod
    def find(cls, folder: Path) -> tuple[_Git | None, str | None]:
        """The work tree `folder` is in; else None and git's reason (None as the reason
        when git is not installed)."""
        done = run_git(folder, "rev-parse", "--show-toplevel")
        if isinstance(done, NoCheckout):
            return None, None
        if done.returncode != 0:
            lines = done.stderr.decode(errors="replace").strip().splitlines()
            return None, lines[0] if lines else f"git exited with {done.returncode}"
        return cls(Path(done.stdout.decode(errors="surrogateescape").strip())), None

    def run(self, *args: str) -> bytes | None:
        """git's output, or None when it fails (an unknown commit, no HEAD)."""
        done = run_git(self.top, *args)
        if isinstance(done, NoCheckout) or done.returncode != 0:
            return None
        return done.stdout

    def text(self, *args: str) -> str | None:
        """git's output as text, or None when it fails."""
        out = self.run(*args)
        return None if out is None else out.decode(errors="replace")

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether `older` is in the history of `newer` (or is it)."""
        return self.run("merge-base", "--is-ancestor", older, newer) is not None

    def paths_of(self, commit: str, blob: str) -> list[str]:
        """The paths (from the top) at which `commit`'s tree holds `blob`."""
        if commit not in self.trees:
            listing = self.run("ls-tree", "-r", "-z", "--full-tree", commit) or b""
            tree: dict[str, list[str]] = {}
            for entry in listing.decode(errors="surrogateescape").split("\0"):
                info, tab, path = entry.partition("\t")
                if tab and info.split(" ")[1:2] == ["blob"]:
                    tree.setdefault(info.split(" ")[2], []).append(path)
            self.trees[commit] = tree
        return self.trees[commit].get(blob, [])

    def commits(self, *args: str) -> list[Change]:
        """The commits `git log ARGS` lists, as Changes."""
        out = self.text("log", _COMMIT_FORMAT, *args)
        found = []
        for record in (out or "").split(_RECORD):
            fields = record.strip("\n").split(_FIELD)
            if len(fields) == 5:
                commit, author, date, subject, trailers = fields
                approvers = _approvers(trailers)
                found.append(
                    Change(commit, author, datetime.fromisoformat(date), subject, approvers)
                )
        return found


def _approvers(trailers: str) -> tuple[str, ...]:
    """The people a commit message's approval trailers name, in order, once each."""
    names: dict[str, None] = {}
    for line in trailers.splitlines():
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() in APPROVAL_TRAILERS and value.strip():
            names.setdefault(value.strip(), None)
    return tuple(names)


def blob_id(data: bytes) -> str:
    """The git blob id of `data`, as `git hash-object` computes it (no filters)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class _Chain:
    """What git tells of one source: see DeliveryTrace."""

    change: Change | None
    status: MergeStatus
    merge: Change | None
    approvers: tuple[str, ...] | None


class _Tracer:
    def __init__(self, config: Config, git: _Git | None, posts: list[Post], cwd: Path) -> None:
        self.config = config
        self.git = git
        self.cwd = cwd
        self.posts: dict[str, list[Post]] = {}
        for post in posts:
            self.posts.setdefault(post.id, []).append(post)
        self.posts_folder = self._posts_folder()
        # Deliveries of one post (a daily repeat's) mostly share a source: asked once.
        self.chains: dict[tuple[str, str, str | None], _Chain] = {}

    def _posts_folder(self) -> str | None:
        """posts_dir as a path from the top of the work tree ('' at the top)."""
        if self.git is None:
            return None
        try:
            relative = self.config.posts_dir.resolve().relative_to(self.git.top.resolve())
        except ValueError:
            return None
        return relative.as_posix() if relative.parts else ""

    def delivery(self, row: LogRow, urls: tuple[str, ...]) -> DeliveryTrace:
        urls = urls or ((row.url,) if row.url else ())
        now_file = next(iter(self.posts.get(row.key.post_id, [])), None)
        source, git = row.source, self.git
        shown_now = now_file.shown if now_file else None
        if source is None or git is None or source.commit is None:
            return DeliveryTrace(row, urls, shown_now, **self._text(row, None, now_file))
        path = self._path_in(source.commit, source.blob, row, now_file)
        key = (source.commit, path or "", self._from_top(now_file))
        if key not in self.chains:
            self.chains[key] = self._chain(source.commit, path, now_file)
        chain = self.chains[key]
        file = shown_name(git.top / path, self.cwd) if path is not None else shown_now
        return DeliveryTrace(
            row,
            urls,
            file,
            chain.change,
            chain.status,
            chain.merge,
            chain.approvers,
            **self._text(row, path, now_file),
        )

    def _chain(self, commit: str, path: str | None, now_file: Post | None) -> _Chain:
        """The commit that last changed the post file as of `commit` (the file at `path`
        there, else the post's file now), how it came into HEAD, who approved it."""
        assert self.git is not None
        pathspec = path if path is not None else self._from_top(now_file)
        found = self.git.commits("-1", commit, "--", pathspec) if pathspec else []
        change = found[0] if found else None
        status, merge = self._merge(change)
        approvers: tuple[str, ...] | None = None
        if status is MergeStatus.MERGED and merge is not None:
            approvers = merge.approvers or None
        elif status is MergeStatus.DIRECT and change is not None:
            approvers = change.approvers or None  # a squash merge's own trailers
        return _Chain(change, status, merge, approvers)

    def _from_top(self, post: Post | None) -> str | None:
        """A post file's path from the top of the work tree."""
        if post is None or self.git is None:
            return None
        try:
            return post.file.resolve().relative_to(self.git.top.resolve()).as_posix()
        except ValueError:
            return None

    def _path_in(self, commit: str, blob: str, row: LogRow, now_file: Post | None) -> str | None:
        """The post file that holds `blob` in `commit`: of several files with the same
        bytes, the one that is the post's file now, else the one named after the post."""
        assert self.git is not None
        folder = self.posts_folder
        if folder is None:
            return None
        prefix = f"{folder}/" if folder else ""
        found = [
            path
            for path in self.git.paths_of(commit, blob)
            if path.startswith(prefix) and path.lower().endswith(POST_SUFFIXES)
        ]
        current = self._from_top(now_file)
        top = Path("/top")  # any absolute folder: only the path below posts_dir counts
        named = [p for p in found if post_id_for(top / p, top / folder) == row.key.post_id]
        if current in found:
            return current
        return next(iter(named or found), None)

    def _merge(self, change: Change | None) -> tuple[MergeStatus, Change | None]:
        """How `change` came into HEAD, and the merge that brought it."""
        if change is None or self.git is None:
            return MergeStatus.UNKNOWN, None
        git = self.git
        if not git.is_ancestor(change.commit, "HEAD"):
            return MergeStatus.NOT_IN_HEAD, None
        merges = git.commits(
            "--merges", "--ancestry-path", "--first-parent", "--reverse", f"{change.commit}..HEAD"
        )
        # The oldest merge after it on the first-parent line brought it, unless it was on
        # that line already (then that merge brought something else).
        if not merges or git.is_ancestor(change.commit, f"{merges[0].commit}^1"):
            return MergeStatus.DIRECT, None
        return MergeStatus.MERGED, merges[0]

    def _text(self, row: LogRow, path: str | None, now_file: Post | None) -> dict[str, Any]:
        """The parts sent, rendered again from the recorded blob, else from the post file
        as it is now when its bytes are that blob or its rendering has the log's
        fingerprint."""
        account = self.config.accounts.get(row.key.account)
        if account is None:
            return {}
        # Read as the file it was in; or, where the recorded commit no longer tells
        # (history rewritten), as the post's file now.
        post = self._post_from_blob(path or self._from_top(now_file), row)
        origin = TextFrom.BLOB
        if post is None and now_file is not None:
            origin = TextFrom.FILE
            same_bytes = row.source is not None and _blob_of(now_file.file) == row.source.blob
            if same_bytes or content_hash(render(now_file, account)) == row.content_hash:
                post = now_file
        if post is None:
            return {}
        parts = render(post, account)
        matches = None if row.content_hash is None else content_hash(parts) == row.content_hash
        return {
            "text": tuple(part.text for part in parts),
            "text_from": origin,
            "text_matches": matches,
        }

    def _post_from_blob(self, path: str | None, row: LogRow) -> Post | None:
        """The post the recorded blob holds, read as the file at `path` (its name and
        folder give its id and format)."""
        if self.git is None or row.source is None or path is None or self.posts_folder is None:
            return None
        data = self.git.run("cat-file", "blob", row.source.blob)
        if data is None:
            return None
        inside = Path(path).relative_to(self.posts_folder) if self.posts_folder else Path(path)
        with tempfile.TemporaryDirectory(prefix="humaspost-trace-") as scratch:
            posts_dir = Path(scratch) / "posts"
            file = posts_dir / inside
            file.parent.mkdir(parents=True)
            file.write_bytes(data)
            shown = shown_name(self.git.top / path, self.cwd)
            return load_post(file, shown, posts_dir, self.config.timezone).post


def _blob_of(file: Path) -> str | None:
    try:
        return blob_id(file.read_bytes())
    except OSError:
        return None


# Where each delivery's fields start.
_FIELD_INDENT = 2


def _labels() -> dict[str, str]:
    """The labels of a delivery's fields in the language in use, in the order shown
    (in a context of their own: short words mean other things elsewhere)."""
    return {
        "file": pgettext("trace field", "file"),
        "commit": pgettext("trace field", "commit"),
        "author": pgettext("trace field", "author"),
        "changed": pgettext("trace field", "changed in"),
        "merge": pgettext("trace field", "merge"),
        "approved": pgettext("trace field", "approved by"),
        "blob": pgettext("trace field", "blob"),
        "text sent": pgettext("trace field", "text sent"),
        "text": pgettext("trace field", "text"),
        "url": pgettext("trace field", "url"),
        "": "",  # a field's further lines (a second approver, URL)
    }


def _unknown() -> str:
    """A field git cannot tell (not the state `unknown`, which is another word)."""
    return pgettext("not known", "unknown")


def trace_text(result: Trace, config: Config, cwd: Path, *, width: int) -> list[Segment]:
    """The text output of `trace`: a note when git cannot tell more here, then each
    delivery's heading and its fields under labels, at most `width` wide."""
    lines: list[Segment] = []
    if result.git is GitHere.NO_GIT:
        note = _("git is not installed here: only what the publish log recorded is shown")
        lines += wrapped([(note, "yellow")], width, MESSAGE_INDENT)
    elif result.git is GitHere.NOT_A_CHECKOUT:
        note = _(
            "git cannot tell more here: {folder} is not in a git checkout ({reason}); only"
            " what the publish log recorded is shown"
        ).format(folder=config.root, reason=result.git_problem)
        lines += wrapped([(note, "yellow")], width, MESSAGE_INDENT)
    labels = _labels()
    label_width = max(len(label) for label in labels.values()) + 2
    for number, delivery in enumerate(result.deliveries):
        if lines or number:
            lines.append(("\n", None))
        lines += _delivery_text(delivery, result.git, config, width, labels, label_width)
    urls = [url for d in result.deliveries for url in d.urls]
    if any(is_sandbox_address(url) for url in urls):
        lines.append(("\n", None))
        lines += sandbox_note(config, cwd, width)
    return lines


def _delivery_text(
    delivery: DeliveryTrace,
    git: GitHere,
    config: Config,
    width: int,
    labels: dict[str, str],
    label_width: int,
) -> list[Segment]:
    row, tz = delivery.row, config.timezone
    moment = row.sent_at or row.updated_at
    heading = _("delivery {number}: {post} → {account}, {state} {time}").format(
        number=row.id,
        post=row.key.post_id,
        account=row.key.account,
        state=state_label(row_state(row, datetime.now(UTC))),
        time=format_local(moment, tz),
    )
    lines = wrapped([(heading, "bold")], width, MESSAGE_INDENT)
    indent = _FIELD_INDENT + label_width

    def put(field: str, value: str, style: str | None = None) -> None:
        head = " " * _FIELD_INDENT + labels[field].ljust(label_width)
        lines.append((head, "dim"))
        lines.extend(flow(words([(value, style)]), width, indent, start=len(head)))

    unknown = _unknown()
    put("file", delivery.file or unknown)
    source = row.source
    if source is None:
        put(
            "commit",
            _(
                "not recorded: it was sent from a folder that is not a git checkout, or by"
                " a humaspost that did not record commits yet"
            ),
        )
    else:
        if source.commit is None:
            commit = _("none: the repository had no commit yet")
        elif source.committed:
            commit = source.commit
        else:
            commit = _("{commit} (the post file had changes that were not committed)").format(
                commit=source.commit
            )
        put("commit", commit)
        put("author", source.author or unknown)
        if git is GitHere.CHECKOUT:
            change = delivery.change
            changed = (
                f"{change.commit[:SHORT_COMMIT]} {format_local(change.date, tz)} {change.subject}"
                if change
                else unknown
            )
            put("changed", changed)
            put("merge", _merge_text(delivery))
            for index, approver in enumerate(_approvers_text(delivery)):
                put("approved" if index == 0 else "", approver)
        put("blob", source.blob)
    sent = row.sent_at is not None
    put("text sent" if sent else "text", _text_note(delivery, config), "dim")
    for index, part in enumerate(delivery.text or ()):
        number = f"{index + 1}. " if len(delivery.text or ()) > 1 else ""
        # Line by line: the text's own line breaks are part of what was sent.
        for line_number, text in enumerate(part.split("\n")):
            lead = number if line_number == 0 else " " * len(number)
            if not (lead + text).strip():
                lines.append(("\n", None))
                continue
            lines.extend(wrapped([(" " * indent + lead + text, None)], width, indent + len(number)))
    for index, url in enumerate(delivery.urls):
        put("url" if index == 0 else "", short_address(url))
    return lines


def _merge_text(delivery: DeliveryTrace) -> str:
    merge = delivery.merge
    if delivery.merge_status is MergeStatus.MERGED and merge is not None:
        return f"{merge.commit[:SHORT_COMMIT]} {merge.subject}"
    if delivery.merge_status is MergeStatus.DIRECT:
        return _(
            "none: the commit is on the main line itself (a squash or rebase merge, or a"
            " direct push)"
        )
    if delivery.merge_status is MergeStatus.NOT_IN_HEAD:
        return _("unknown: the commit is not in the history of HEAD here")
    return _unknown()


def _approvers_text(delivery: DeliveryTrace) -> list[str]:
    """The approvers, one a line; or why they are unknown."""
    if delivery.approvers:
        return list(delivery.approvers)
    if delivery.merge_status is MergeStatus.MERGED:
        return [_("unknown: the merge names no Reviewed-by or Approved-by")]
    if delivery.merge_status is MergeStatus.DIRECT:
        return [_("unknown: the commit names no Reviewed-by or Approved-by")]
    return [_unknown()]


def _text_note(delivery: DeliveryTrace, config: Config) -> str:
    """Where the text below comes from, and whether it is what the log says went out."""
    if delivery.text is None and delivery.row.key.account not in config.accounts:
        return _(
            "unknown: account '{account}' is no longer in the config, so the text it got"
            " cannot be rendered again"
        ).format(account=delivery.row.key.account)
    if delivery.text is None:
        return _("unknown: the text is no longer in this repository nor in the post file")
    same = delivery.text_matches
    if delivery.text_from is TextFrom.BLOB:
        if same is None:
            return _("from git (the blob above)")
        if same:
            return _("from git (the blob above), confirmed by the log's fingerprint")
        return _(
            "from git (the blob above), but the log's fingerprint differs: humaspost may"
            " render it differently now"
        )
    if same is None:
        return _("from the post file as it is now (the same bytes)")
    if same:
        return _("from the post file as it is now, confirmed by the log's fingerprint")
    return _(
        "from the post file as it is now (the same bytes), but the log's fingerprint"
        " differs: humaspost may render it differently now"
    )


def trace_json(result: Trace) -> dict[str, Any]:
    """`trace --format json`: what git could be asked, and each delivery as `log
    --format json` gives it plus the chain (times in UTC)."""
    return {
        "git": str(result.git),
        "git_problem": result.git_problem,
        "deliveries": [_delivery_json(d) for d in result.deliveries],
    }


def _delivery_json(delivery: DeliveryTrace) -> dict[str, Any]:
    return {
        **row_json(delivery.row),
        "file": delivery.file,
        "change": _change_json(delivery.change),
        "merge_status": str(delivery.merge_status),
        "merge": _change_json(delivery.merge),
        "approvers": list(delivery.approvers) if delivery.approvers is not None else None,
        "text": list(delivery.text) if delivery.text is not None else None,
        "text_from": str(delivery.text_from) if delivery.text_from else None,
        "text_matches": delivery.text_matches,
        "urls": list(delivery.urls),
    }


def _change_json(change: Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "commit": change.commit,
        "author": change.author,
        "date": change.date.astimezone(UTC).isoformat(),
        "subject": change.subject,
    }
