"""Where a post file stands in git: the checkout it was read from, that checkout's HEAD,
the blob id of the bytes read, and who last changed the file.

Everything comes from `git` itself, run as a subprocess (argv lists, never a shell), a
few times per run, never once per file: `rev-parse` finds the work tree and HEAD, one
`ls-tree` gives HEAD's blob of every file under posts_dir, and one `log` the authors,
only of the files being sent. The blob ids of the files on disk are computed here from
the bytes read (as `git hash-object` does), so 10,000 posts cost no git process each.
Without git, outside a work tree or when git refuses the folder, there is no
`Checkout`, only the reason why (`NoCheckout`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from humaspost.i18n import _
from humaspost.textfile import MAX_TEXT_BYTES, NotPlainFile, open_plain

# Reading a repository of posts takes git well under a second; a git that has not
# answered after this long (a hung network file system) is not waited for.
GIT_TIMEOUT = 60.0
# A file that changes under every one of this many reads is taken as not committed.
_READ_ATTEMPTS = 3
# How `git rev-parse --verify --quiet HEAD` exits in a repository without commits yet.
_NO_COMMIT_EXIT = 1


@dataclass(frozen=True)
class Source:
    """Where a post's bytes stand in git, for the publish log's trace and for
    `publish_from: committed`."""

    commit: str | None  # HEAD of the checkout the post file was read from
    blob: str  # git blob id of the bytes read (as `git hash-object` computes)
    author: str | None  # "Name <email>" of the last commit that changed the file
    committed: bool  # the bytes are the file exactly as HEAD has it


@dataclass(frozen=True)
class FileHashes:
    """The blob ids of a file's bytes as read: as they are and, when they have CRLF line
    ends, with LF instead (what git stores for a text file checked out with
    `core.autocrlf`, as Git for Windows does by default)."""

    blob: str
    lf_blob: str | None = None
    settled: bool = True  # False: the file changed under every read


@dataclass(frozen=True)
class NoCheckout:
    """Why posts are not read from a git work tree (git missing, not a checkout, git
    refusing the folder), in words for the person running humaspost."""

    reason: str


@dataclass(frozen=True)
class Checkout:
    """The git work tree the posts are read from, as of one look at it."""

    root: Path  # the work tree's top folder, as git names it
    git_dir: Path  # where HEAD and the refs are (the common one, for linked work trees)
    head: str | None  # None: no commits yet
    posts_dir: Path  # as the config has it (the post files' paths start with it)
    posts_prefix: str | None  # posts_dir from `root` ("posts/", "" at the root); None: outside
    blobs: Mapping[str, str]  # HEAD's blob of each file under posts_dir, by path from `root`

    @property
    def algorithm(self) -> str:
        """The hash of the repository's object ids (SHA-256 repositories have 64 digits)."""
        return "sha256" if self.head is not None and len(self.head) == 64 else "sha1"

    def key(self, file: Path) -> str | None:
        """The path of a post file as git names it (from the work tree's top, with '/');
        None when it is not under posts_dir or posts_dir is not in the work tree."""
        # String operations, as for post ids: this runs for every file. A path through a
        # link inside posts_dir keeps the link's name, which is what git tracks.
        text, folder = str(file), str(self.posts_dir) + os.sep
        if self.posts_prefix is None or not text.startswith(folder):
            return None
        return self.posts_prefix + text[len(folder) :].replace(os.sep, "/")

    def file(self, key: str) -> Path | None:
        """The post file at a path git names; None when it is not under posts_dir."""
        if self.posts_prefix is None or not key.startswith(self.posts_prefix):
            return None
        return self.posts_dir / key[len(self.posts_prefix) :]

    def tracks(self, file: Path) -> bool:
        """Whether HEAD has a file at this path (committed, perhaps changed since)."""
        key = self.key(file)
        return key is not None and key in self.blobs

    def source(self, file: Path, hashes: FileHashes) -> Source:
        """The source of a post read from `file` with these bytes (no author yet: see
        `authors`)."""
        key = self.key(file)
        in_head = self.blobs.get(key) if key is not None else None
        if hashes.settled and in_head is not None and in_head == hashes.blob:
            return Source(self.head, hashes.blob, None, committed=True)
        if hashes.settled and in_head is not None and in_head == hashes.lf_blob:
            # Checked out with CRLF from a blob with LF: the text read is the same (post
            # files are read with CRLF as LF), and git's own hash-object says this id.
            return Source(self.head, hashes.lf_blob, None, committed=True)
        return Source(self.head, hashes.blob, None, committed=False)


def find_checkout(folder: Path, posts_dir: Path) -> Checkout | NoCheckout:
    """The git work tree `folder` is in, its HEAD and HEAD's blobs under posts_dir (two
    git calls), or why there is none."""
    found = run_git(folder, "rev-parse", "--show-toplevel", "--git-common-dir", "--verify",
                 "--quiet", "HEAD")  # fmt: skip
    if isinstance(found, NoCheckout):
        return found
    lines = found.stdout.split(b"\n")
    # Without commits, `--verify --quiet HEAD` fails alone (exit 1) after the folders.
    if found.returncode not in (0, _NO_COMMIT_EXIT) or len(lines) < 3:
        return NoCheckout(_git_reason(found.stderr))
    root = Path(os.fsdecode(lines[0]))
    git_dir = Path(os.path.abspath(folder / os.fsdecode(lines[1])))
    head = os.fsdecode(lines[2]) if found.returncode == 0 and lines[2] else None
    checkout = Checkout(root, git_dir, head, posts_dir, _prefix(root, posts_dir), {})
    blobs = _head_blobs(checkout)
    if isinstance(blobs, NoCheckout):
        return blobs
    return replace(checkout, blobs=blobs)


def follow(checkout: Checkout) -> Checkout:
    """The checkout as it is now: the same object when HEAD has not moved (one git call),
    else with the new HEAD and its blobs. When git cannot tell (a ref being written,
    git gone), the checkout stays as it was."""
    found = run_git(checkout.root, "rev-parse", "--verify", "--quiet", "HEAD")
    if isinstance(found, NoCheckout) or found.returncode not in (0, _NO_COMMIT_EXIT):
        return checkout
    head = os.fsdecode(found.stdout.strip()) if found.returncode == 0 else None
    if head == checkout.head:
        return checkout
    moved = replace(checkout, head=head, blobs={})
    blobs = _head_blobs(moved)
    return checkout if isinstance(blobs, NoCheckout) else replace(moved, blobs=blobs)


def changed_files(old: Checkout, new: Checkout) -> set[Path]:
    """The post files whose blob differs between two HEADs (added and removed too)."""
    keys = {k for k in old.blobs.keys() | new.blobs.keys() if old.blobs.get(k) != new.blobs.get(k)}
    return {path for key in keys if (path := new.file(key)) is not None}


def authors(checkout: Checkout, files: Iterable[Path]) -> dict[Path, str]:
    """The author ("Name <email>") of the last commit that changed each of these files
    (one `git log` for all, read until each is found). A file git has no commit for, or
    whose history is cut off in a shallow clone (CI's default checkout), is left out."""
    wanted: dict[str, Path] = {}
    for file in files:
        key = checkout.key(file)
        if key is not None and key in checkout.blobs:
            wanted[key] = file
    if not wanted or checkout.head is None:
        return {}
    argv = _argv(
        checkout.root, "log", "--no-color", "--no-show-signature", "--format=%x01%H %an <%ae>",
        "--name-only", "-z", checkout.head, "--", *sorted(wanted),
    )  # fmt: skip
    found: dict[Path, str] = {}
    try:
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_environment()
        )
    except OSError:
        return found
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    # A git that hangs is stopped (what it said by then is kept), as `_git` does.
    timer = threading.Timer(GIT_TIMEOUT, process.kill)
    timer.start()
    try:
        read = _AuthorReader(wanted, _shallow_commits(checkout.git_dir))
        read.all(lambda size: os.read(descriptor, size))
        found = read.found
    finally:
        # Once every file has its author, the rest of the history is not needed.
        timer.cancel()
        process.kill()
        process.wait()
        process.stdout.close()
    return found


class _AuthorReader:
    """Reads `git log --format='%x01%H %an <%ae>' --name-only -z`: a commit's line
    starts with \x01, the names of the files it changed follow, each ending in NUL. The
    first commit naming a file is the last that changed it."""

    def __init__(self, wanted: Mapping[str, Path], shallow: set[bytes]) -> None:
        self.wanted = wanted
        self.pending = set(wanted)
        self.shallow = shallow
        self.found: dict[Path, str] = {}

    def all(self, read: Callable[[int], bytes]) -> None:
        """Read until every file is found or the output ends."""
        author: str | None = None
        rest = b""
        while self.pending:
            chunk = read(65536)
            if not chunk:
                return
            *items, rest = (rest + chunk).split(b"\0")
            for item in items:
                name = item.lstrip(b"\n")
                if name.startswith(b"\x01"):
                    commit, _, who = name[1:].partition(b" ")
                    # Where a shallow clone's history is cut off, that commit seems to
                    # add every file: who really changed them is unknown.
                    author = None if commit in self.shallow else who.decode("utf-8", "replace")
                elif (key := os.fsdecode(name)) in self.pending:
                    self.pending.discard(key)
                    if author is not None:
                        self.found[self.wanted[key]] = author


def _shallow_commits(git_dir: Path) -> set[bytes]:
    """The commits where a shallow clone's history is cut off (none in a full clone)."""
    try:
        return set((git_dir / "shallow").read_bytes().split())
    except OSError:
        return set()


T = TypeVar("T")


def read_hashed(path: Path, algorithm: str, load: Callable[[], T]) -> tuple[T, FileHashes]:
    """`load()` (which reads `path`), with the blob ids of the bytes it read: the file is
    hashed before and after, and loaded again if it changed meanwhile, so that the ids
    are those of the text loaded, not of an edit saved a moment later."""
    before = after = None
    for _attempt in range(_READ_ATTEMPTS):
        before = file_hashes(path, algorithm)
        loaded = load()
        after = file_hashes(path, algorithm)
        if before is not None and before == after:
            return loaded, before
    last = after or before or FileHashes("")
    return loaded, replace(last, settled=False)


def file_hashes(path: Path, algorithm: str) -> FileHashes | None:
    """The blob ids of a file's bytes now (None if it cannot be read). Read as post
    files are (only a regular file, at most MAX_TEXT_BYTES: a larger one is no post)."""
    try:
        with open_plain(path) as handle:
            # Asked for its size, not MAX_TEXT_BYTES: reading a buffer of 1 MiB for a
            # post of 1 KiB costs more than the hash (10,000 posts at every run).
            size = min(os.fstat(handle.fileno()).st_size, MAX_TEXT_BYTES)
            data = handle.read(size + 1)
            if len(data) > size:  # it grew since: the rest, up to the limit
                data += handle.read(MAX_TEXT_BYTES + 1 - len(data))
    except (NotPlainFile, OSError):
        return None
    lf = data.replace(b"\r\n", b"\n")
    return FileHashes(_blob_id(data, algorithm), _blob_id(lf, algorithm) if lf != data else None)


def _blob_id(data: bytes, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _prefix(root: Path, posts_dir: Path) -> str | None:
    """posts_dir as a path from the work tree's top ("" if it is the top), or None when
    it is outside (posts_dir a link out of the repository)."""
    top, real = os.path.realpath(root), os.path.realpath(posts_dir)
    if real == top:
        return ""
    if not real.startswith(top.rstrip(os.sep) + os.sep):
        return None
    return os.path.relpath(real, top).replace(os.sep, "/") + "/"


def _head_blobs(checkout: Checkout) -> dict[str, str] | NoCheckout:
    """HEAD's blob of every file under posts_dir (one `git ls-tree`); none without
    commits or when posts_dir is outside the work tree."""
    if checkout.head is None or checkout.posts_prefix is None:
        return {}
    under = ["--", checkout.posts_prefix.rstrip("/")] if checkout.posts_prefix else []
    listed = run_git(checkout.root, "ls-tree", "-r", "-z", "--full-tree", checkout.head, *under)
    if isinstance(listed, NoCheckout):
        return listed
    if listed.returncode != 0:
        return NoCheckout(_git_reason(listed.stderr))
    blobs = {}
    for entry in listed.stdout.split(b"\0"):
        info, tab, name = entry.partition(b"\t")
        fields = info.split()
        # Submodules are `commit` entries: their files are not this repository's.
        if tab and len(fields) == 3 and fields[1] == b"blob":
            blobs[os.fsdecode(name)] = fields[2].decode("ascii")
    return blobs


def run_git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes] | NoCheckout:
    """Run git in `folder` (the one way humaspost runs git to read a repository); git
    missing, failing to start or hanging is a NoCheckout."""
    try:
        return subprocess.run(
            _argv(folder, *args),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=_environment(),
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        return NoCheckout(_("git is not installed (no 'git' command found)"))
    except subprocess.TimeoutExpired:
        return NoCheckout(
            _("git did not answer within {seconds} seconds").format(seconds=int(GIT_TIMEOUT))
        )
    except OSError as error:
        return NoCheckout(
            _("git could not be run: {reason}").format(reason=error.strerror or error)
        )


def _argv(folder: Path, *args: str) -> list[str]:
    # Paths are given as they are: no pathspec magic or globbing in a post file's name.
    return ["git", "--literal-pathspecs", "-C", str(folder), *args]


def _environment() -> dict[str, str]:
    """git's environment: English messages (to tell "not a repository" from other
    failures), no optional locks (reading never blocks a `git pull` on the index)."""
    return {**os.environ, "LC_ALL": "C", "LANGUAGE": "C", "GIT_OPTIONAL_LOCKS": "0"}


def _git_reason(stderr: bytes) -> str:
    """Why git refused, from what it printed."""
    text = stderr.decode("utf-8", "replace").strip()
    if "not a git repository" in text:
        return _("the folder is not inside a git repository")
    if "must be run in a work tree" in text:
        return _("the folder is inside a git repository but not in a work tree")
    lines = [line.removeprefix("fatal: ").strip() for line in text.splitlines() if line.strip()]
    # git's own words (e.g. "detected dubious ownership in repository", with the fix).
    return " ".join(lines)[:400] or _("git failed without saying why")
