"""Servers of one PR office sharing a publish log in PostgreSQL, for
tests/test_high_availability.py and bench/ha_speed.py.

Each server is its own copy of the office repository (its own state folder, daemon
lock, heartbeat and sandbox outbox) and runs the installed `humaspost` on a host of its
own: a new UTS namespace with its own hostname (see `on_host`), so that the owners it
writes in the log (`host/pid/boot-id`) name another host than its neighbour's. The
checks read every server's outbox together: a part published by two servers is a
duplicate however the outboxes are split.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HUMASPOST = Path(sys.executable).parent / "humaspost"
WIB = ZoneInfo("Asia/Jakarta")
URL_VARIABLE = "HUMASPOST_DATABASE_URL"


def local(moment: datetime) -> str:
    """A time as post files and `--now` write it (WIB, to the second)."""
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")


def on_host(hostname: str, command: Sequence[str]) -> list[str]:
    """`command` run on a host of its own: a new UTS namespace (its own hostname, the
    rest of the machine shared). Root may make one; anyone else first makes a user
    namespace in which they are root."""
    prefix = ["unshare", "--uts"] if os.geteuid() == 0 else ["unshare", "-Ur", "--uts"]
    # `exec`: the process started is humaspost itself, so a signal sent to it reaches it.
    return [*prefix, "sh", "-c", 'hostname "$0" && exec "$@"', hostname, *command]


@dataclass(frozen=True)
class Office:
    """A repository: `accounts` sandbox accounts (each call taking one of `delays`, in
    turn), and one post to every account per time in `due` (post `p` due at `due[p]`, a
    thread of `thread_parts[p]` parts, 1 if not listed). `shared`: the publish log is
    the PostgreSQL database in $HUMASPOST_DATABASE_URL; else the SQLite file."""

    accounts: int
    due: tuple[datetime, ...]
    delays: tuple[str, ...] = ("0ms",)
    lease: str = "6s"
    thread_parts: Mapping[int, int] = field(default_factory=dict)
    shared: bool = True

    @property
    def posts(self) -> int:
        return len(self.due)

    @property
    def account_names(self) -> list[str]:
        return [f"kec-{n:04d}" for n in range(self.accounts)]

    @property
    def deliveries(self) -> int:
        return self.accounts * self.posts

    def post_id(self, post: int) -> str:
        return f"p{post:03d}"

    def text(self, post: int, part: int) -> str:
        """Every part's text is unique, so the outboxes show any duplicate."""
        return f"Pengumuman {post:03d} bagian {part + 1}"

    def parts_of(self, post: int) -> int:
        return self.thread_parts.get(post, 1)

    def write(self, root: Path) -> Path:
        """Write the repository at `root` (config and posts); returns `root`."""
        posts = root / "posts"
        posts.mkdir(parents=True, exist_ok=True)
        lines = ["timezone: Asia/Jakarta", f"lease: {self.lease}"]
        if self.shared:
            lines.append(f"publish_log: ${{{URL_VARIABLE}}}")
        lines.append("accounts:")
        for number, name in enumerate(self.account_names):
            delay = self.delays[number % len(self.delays)]
            lines += [f"  {name}:", "    platform: sandbox", f"    delay: {delay}"]
        lines += ["groups:", "  semua:"]
        lines += [f"    - {name}" for name in self.account_names]
        lines += ["defaults:", "  to: semua", ""]
        (root / "humaspost.yaml").write_text("\n".join(lines), encoding="utf-8")
        for post, when in enumerate(self.due):
            body = "\n---\n".join(self.text(post, part) for part in range(self.parts_of(post)))
            (posts / f"{self.post_id(post)}.md").write_text(
                f"---\npublish_at: {local(when)}\n---\n{body}\n", encoding="utf-8"
            )
        return root


def environment(url: str | None) -> dict[str, str]:
    """The environment of a server's humaspost: no inherited HUMASPOST_ variables, the
    database's URL (never printed) in the variable the config names."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"})
    if url is not None:
        env[URL_VARIABLE] = url
    return env


class Daemon:
    """A `humaspost daemon --log-format json` process on one server, its log in a file."""

    def __init__(self, command: list[str], root: Path, env: Mapping[str, str], log: Path) -> None:
        self.root = root
        self.log_file = log
        self.spawned = time.monotonic()
        with log.open("w", encoding="utf-8") as stderr:
            self.process = subprocess.Popen(
                command,
                cwd=root,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def text(self) -> str:
        return self.log_file.read_text(encoding="utf-8")

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The log's JSON objects (complete lines), optionally of one event."""
        found = []
        for line in self.text().splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
            if name is None or event["event"] == name:
                found.append(event)
        return found

    def wait_for(self, name: str, timeout: float = 30) -> dict[str, Any]:
        """The first `name` event, waiting for it (failing if the daemon exits)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.events(name)
            if found:
                return found[0]
            assert self.process.poll() is None, f"daemon exited: {self.text()}"
            assert time.monotonic() < deadline, f"no {name} event in {timeout} s: {self.text()}"
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL, as a crash or a power cut would end it; reaped."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout: float = 20) -> int:
        """SIGTERM and its exit code; SIGKILL (and fail) if it is still there after
        `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"no exit {timeout} s after SIGTERM: {self.text()}") from None

    def stop_quietly(self) -> None:
        """For a `finally`: whatever happened, the process does not outlive its test."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass(frozen=True)
class Server:
    """One server: its copy of the repository at `root`, on host `hostname` (None: this
    machine's own), publishing to the database at `url` (None: its SQLite log)."""

    root: Path
    hostname: str | None
    url: str | None

    def command(self, *args: str) -> list[str]:
        command = [str(HUMASPOST), *args]
        return command if self.hostname is None else on_host(self.hostname, command)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run `humaspost ARGS` on this server and wait for it."""
        return subprocess.run(
            self.command(*args),
            cwd=self.root,
            env=environment(self.url),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        """Start `humaspost ARGS` on this server without waiting."""
        return subprocess.Popen(
            self.command(*args),
            cwd=self.root,
            env=environment(self.url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def daemon(self, now: datetime, *args: str) -> Daemon:
        """Start `humaspost daemon --log-format json --now NOW ARGS` on this server."""
        command = self.command("daemon", "--log-format", "json", "--now", local(now), *args)
        log = self.root.parent / f"{self.root.name}-daemon.log"
        return Daemon(command, self.root, environment(self.url), log)

    @property
    def outbox_dir(self) -> Path:
        return self.root / ".humaspost" / "sandbox"

    def log(self, *args: str) -> list[dict[str, Any]]:
        """`humaspost log --all --format json ARGS` as read on this server."""
        result = self.run("log", "--all", "--format", "json", *args)
        assert result.returncode == 0, result.stderr
        rows: list[dict[str, Any]] = json.loads(result.stdout)
        return rows


def servers(
    office: Office, base: Path, hostnames: Sequence[str | None], url: str | None
) -> list[Server]:
    """The office written once and copied for each host (before anything ran: every
    copy starts with an empty state folder)."""
    first = office.write(base / "server-1")
    made = [Server(first, hostnames[0], url)]
    for number, hostname in enumerate(hostnames[1:], start=2):
        root = base / f"server-{number}"
        shutil.copytree(first, root)
        made.append(Server(root, hostname, url))
    return made


def outbox(roots: Iterable[Path]) -> list[dict[str, Any]]:
    """Every part published by any of these servers (complete JSON files only)."""
    parts: list[dict[str, Any]] = []
    for root in roots:
        folder = root / ".humaspost" / "sandbox"
        if folder.is_dir():
            for path in folder.glob("*/*.json"):
                part: dict[str, Any] = json.loads(path.read_text("utf-8"))
                part["server"] = root.name
                parts.append(part)
    return parts


def count_parts(roots: Iterable[Path]) -> int:
    """How many parts the servers have published so far (cheaper than reading them)."""
    return sum(
        len(list((root / ".humaspost" / "sandbox").glob("*/*.json")))
        for root in roots
        if (root / ".humaspost" / "sandbox").is_dir()
    )


def check(office: Office, parts: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[str]:
    """What breaks the exactly-once promises (empty: nothing), from the parts of every
    outbox and the rows of `log --all --format json`: no part published twice; every
    delivery in the log, `sent` with all its parts (each replying to the one before) or
    `unknown` because a part was in flight when its publisher stopped."""
    problems: list[str] = []
    counts = Counter((part["account"], part["text"]) for part in parts)
    problems += [f"published {n} times: {key}" for key, n in counts.items() if n > 1]
    by_text = {(part["account"], part["text"]): part for part in parts}
    by_key = {(row["post"], row["account"]): row for row in rows}
    if len(rows) != len(by_key):
        problems.append(f"{len(rows)} rows for {len(by_key)} deliveries")
    for post in range(office.posts):
        for account in office.account_names:
            key = (office.post_id(post), account)
            row = by_key.get(key)
            if row is None:
                problems.append(f"lost: {key} has no row in the publish log")
                continue
            if row["state"] == "unknown":
                if "while sending part" not in (row["error"] or ""):
                    problems.append(f"{key} is unknown without a part in flight: {row['error']}")
                continue
            if row["state"] != "sent":
                problems.append(f"{key} ended {row['state']}: {row['error']}")
                continue
            reply_to = None
            for part in range(office.parts_of(post)):
                found = by_text.get((account, office.text(post, part)))
                if found is None:
                    problems.append(f"{key} is sent but part {part + 1} is in no outbox")
                    break
                if found["reply_to"] != reply_to:
                    problems.append(f"{key} part {part + 1} replies to the wrong part")
                reply_to = found["id"]
    return problems


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `condition` until it holds; the seconds it took (AssertionError naming
    `what` after `timeout`)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"timed out after {timeout} s: {what}"
        time.sleep(0.02)
    return time.monotonic() - started
