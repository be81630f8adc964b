"""A PR office on the sandbox, for end-to-end publishing tests and bench/kill_publisher.py.

It writes a repository (config with sandbox accounts, post files), runs the installed
`humaspost` in subprocesses, reads the sandbox outbox (one JSON file per published part,
and one `*_repost.json` per re-share) and checks the exactly-once promises: no part
published twice, no re-share made twice, and every delivery in the log as `sent`, or as
`unknown` where `humaspost log --state unknown` shows it. (A re-share of an origin that
ended `unknown` waits for a person to settle the origin: it must not have gone out.)
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HUMASPOST = Path(sys.executable).parent / "humaspost"
# 2026-12-01 09:00 WIB: every post below is due, none is past max_delay (2h).
NOW = "2026-12-01 09:00"


def environment() -> dict[str, str]:
    """The environment of a cron job: no HUMASPOST_ variables, no colour, fixed width."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"})
    return env


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `humaspost ARGS` in the repository and wait for it."""
    return subprocess.run(
        [str(HUMASPOST), *args],
        cwd=root,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def spawn(root: Path, *args: str) -> subprocess.Popen[str]:
    """Start `humaspost ARGS` in the repository without waiting."""
    return subprocess.Popen(
        [str(HUMASPOST), *args],
        cwd=root,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# A re-share goes out this long after its origin, the last of each origin's `spread`
# later: past the time the publisher that sent the origin runs at, so the re-shares are
# a later run's work (in kill_round, the second publisher's).
AMPLIFY_AFTER, AMPLIFY_SPREAD = "1m", "1m"
RESHARES_AT = "2026-12-01 09:03"  # when every re-share is due


@dataclass(frozen=True)
class Office:
    """The repository: `accounts` sandbox accounts (with `delay`), `posts` posts each to
    every account; post `p` is a thread of `thread_parts[p]` parts (1 if not listed).
    The posts in `amplified` are re-shared by `resharers` more sandbox accounts (group
    `penguat`), each delivery of them by each of these."""

    root: Path
    accounts: int
    posts: int
    delay: str = "0ms"
    thread_parts: dict[int, int] = field(default_factory=dict)
    resharers: int = 0
    amplified: tuple[int, ...] = ()

    @property
    def account_names(self) -> list[str]:
        return [f"kec-{n:02d}" for n in range(self.accounts)]

    @property
    def resharer_names(self) -> list[str]:
        return [f"kota-{n:02d}" for n in range(self.resharers)]

    @property
    def reshare_count(self) -> int:
        return len(self.amplified) * self.accounts * self.resharers

    def text(self, post: int, part: int) -> str:
        """Every part's text is unique, so the outbox shows any duplicate."""
        return f"Pengumuman {post:03d} bagian {part + 1}"

    def parts_of(self, post: int) -> int:
        return self.thread_parts.get(post, 1)

    def write(self) -> Office:
        posts = self.root / "posts"
        posts.mkdir(parents=True, exist_ok=True)
        lines = ["timezone: Asia/Jakarta", "accounts:"]
        for name in self.account_names + self.resharer_names:
            lines += [f"  {name}:", "    platform: sandbox", f"    delay: {self.delay}"]
        lines += ["groups:", f"  semua: [{', '.join(self.account_names)}]"]
        if self.resharers:
            lines += [f"  penguat: [{', '.join(self.resharer_names)}]"]
        lines += ["defaults:", "  to: semua", ""]
        (self.root / "humaspost.yaml").write_text("\n".join(lines), encoding="utf-8")
        for post in range(self.posts):
            # Due between 07:30 and 08:59 WIB, a minute apart.
            hour, minute = divmod(7 * 60 + 30 + post % 90, 60)
            body = "\n---\n".join(self.text(post, part) for part in range(self.parts_of(post)))
            amplify = (
                f"amplify: {{by: penguat, after: {AMPLIFY_AFTER}, spread: {AMPLIFY_SPREAD}}}\n"
                if post in self.amplified
                else ""
            )
            (posts / f"p{post:03d}.md").write_text(
                f"---\npublish_at: 2026-12-01 {hour:02d}:{minute:02d}\n{amplify}---\n{body}\n",
                encoding="utf-8",
            )
        return self

    @property
    def outbox_dir(self) -> Path:
        return self.root / ".humaspost" / "sandbox"

    def outbox(self) -> list[dict[str, Any]]:
        """Every published part (complete JSON files only), oldest first. (Not in name
        order: with `--now` each run's clock, and so its ids, start at the same time.)"""
        return [item for item in self._outbox() if item.get("kind") != "repost"]

    def reposts(self) -> list[dict[str, Any]]:
        """Every re-share made (its `*_repost.json` file), oldest first."""
        return [item for item in self._outbox() if item.get("kind") == "repost"]

    def _outbox(self) -> list[dict[str, Any]]:
        if not self.outbox_dir.is_dir():
            return []
        files = sorted(self.outbox_dir.glob("*/*.json"), key=lambda p: p.stat().st_mtime_ns)
        return [json.loads(path.read_text("utf-8")) for path in files]

    def log(self, *args: str) -> list[dict[str, Any]]:
        result = run(self.root, "log", "--all", "--format", "json", *args)
        assert result.returncode == 0, result.stderr
        rows: list[dict[str, Any]] = json.loads(result.stdout)
        return rows

    def check(self, rows: list[dict[str, Any]] | None = None) -> list[str]:
        """What breaks the exactly-once promises now (empty: nothing). `rows`: the
        output of `log --all --format json`, if already at hand."""
        problems: list[str] = []
        sent = self.outbox()
        counts = Counter((part["account"], part["text"]) for part in sent)
        problems += [f"published {n} times: {key}" for key, n in counts.items() if n > 1]
        by_text = {(part["account"], part["text"]): part for part in sent}
        rows = rows or self.log()
        posts = [row for row in rows if row["kind"] != "repost"]
        rows_by_key = {(row["post"], row["account"]): row for row in posts}
        unknown_rows = self.log("--state", "unknown")
        unknown = {(row["post"], row["account"]) for row in unknown_rows if row["kind"] != "repost"}
        for post in range(self.posts):
            for account in self.account_names:
                key = (f"p{post:03d}", account)
                row = rows_by_key.get(key)
                if row is None:
                    problems.append(f"lost: {key} has no row in the publish log")
                    continue
                if row["state"] == "unknown":
                    if key not in unknown:
                        problems.append(f"{key} is unknown but not in 'log --state unknown'")
                    continue
                if row["state"] != "sent":
                    problems.append(f"{key} ended {row['state']}: {row['error']}")
                    continue
                reply_to = None
                for part in range(self.parts_of(post)):
                    found = by_text.get((account, self.text(post, part)))
                    if found is None:
                        problems.append(f"{key} is sent but part {part + 1} is not in the outbox")
                        break
                    if found["reply_to"] != reply_to:
                        problems.append(f"{key} part {part + 1} replies to the wrong part")
                    reply_to = found["id"]
        problems += self.check_reshares(rows, unknown_rows)
        return problems

    def check_reshares(
        self, rows: list[dict[str, Any]], unknown_rows: list[dict[str, Any]]
    ) -> list[str]:
        """What breaks the promises for re-shares: each made at most once; each of a
        sent origin ends sent (its file in the outbox, re-sharing that origin) or
        unknown (listed); each of an unknown origin has not gone out."""
        problems: list[str] = []
        made = Counter((item["account"], item["repost_of"]) for item in self.reposts())
        problems += [f"re-shared {n} times: {key}" for key, n in made.items() if n > 1]
        origins = {(row["post"], row["account"]): row for row in rows if row["kind"] == "post"}
        reshares = {
            (row["post"], row["occurrence"], row["account"]): row
            for row in rows
            if row["kind"] == "repost"
        }
        unknown = {(row["post"], row["occurrence"], row["account"]) for row in unknown_rows}
        for post in self.amplified:
            for origin_account in self.account_names:
                origin = origins.get((f"p{post:03d}", origin_account))
                if origin is None or origin["state"] not in ("sent", "unknown"):
                    continue  # reported as the origin's problem
                for account in self.resharer_names:
                    key = (f"p{post:03d}", f"once>{origin_account}", account)
                    row = reshares.get(key)
                    files = made.get((account, origin["url"]), 0) if origin["url"] else 0
                    if origin["state"] == "unknown":
                        if files or (row is not None and row["state"] == "sent"):
                            problems.append(f"{key} went out though its origin is unknown")
                        continue
                    if row is None:
                        problems.append(f"lost: re-share {key} has no row in the publish log")
                    elif row["state"] == "unknown":
                        if key not in unknown:
                            problems.append(f"{key} is unknown but not in 'log --state unknown'")
                    elif row["state"] != "sent":
                        problems.append(f"{key} ended {row['state']}: {row['error']}")
                    elif files != 1:
                        problems.append(f"{key} is sent but its re-share is not in the outbox")
        return problems


@dataclass
class KillRound:
    """What one publisher killed at a random moment left, and how it was recovered; then
    the same for the publisher that sends the re-shares."""

    killed_after: float
    parts_when_killed: int
    reruns: list[int] = field(default_factory=list)  # exit codes until nothing was due
    sent: int = 0  # posts' deliveries (not re-shares)
    unknown: int = 0
    resumed: int = 0  # deliveries that needed a second claim and ended sent
    reshare_killed_after: float = 0.0
    reshares_when_killed: int = 0
    reshare_reruns: list[int] = field(default_factory=list)
    reshares_sent: int = 0
    reshares_unknown: int = 0
    reshares_waiting: int = 0  # no row: their origin is unknown
    problems: list[str] = field(default_factory=list)


def kill_round(root: Path, rng: random.Random) -> KillRound:
    """Publish 4 accounts x 6 posts (two of them threads, two re-shared by 2 more
    accounts), SIGKILL the publisher at a random moment, then run `publish` until
    nothing is due; then the same when the 16 re-shares are due; check the promises."""
    office = Office(
        root, accounts=4, posts=6, delay="40ms", thread_parts={0: 3, 3: 4},
        resharers=2, amplified=(0, 4),
    ).write()  # fmt: skip
    # Start-up takes about 0.3 s and sending about 0.4 s: kill anywhere in or around it.
    result = KillRound(*_killed(root, NOW, rng.uniform(0.2, 0.75), office.outbox))
    result.reruns, problems = _until_nothing_due(root, NOW)
    result.problems += problems
    # 8 re-shares on each of 2 accounts, 40 ms each: about 0.3 s of sending.
    result.reshare_killed_after, result.reshares_when_killed = _killed(
        root, RESHARES_AT, rng.uniform(0.2, 0.7), office.reposts
    )
    result.reshare_reruns, problems = _until_nothing_due(root, RESHARES_AT)
    result.problems += problems
    rows = office.log()
    posts = [row for row in rows if row["kind"] != "repost"]
    reshares = [row for row in rows if row["kind"] == "repost"]
    result.sent = sum(row["state"] == "sent" for row in posts)
    result.unknown = sum(row["state"] == "unknown" for row in posts)
    result.resumed = sum(row["state"] == "sent" and row["attempts"] > 1 for row in rows)
    result.reshares_sent = sum(row["state"] == "sent" for row in reshares)
    result.reshares_unknown = sum(row["state"] == "unknown" for row in reshares)
    result.reshares_waiting = office.reshare_count - len(reshares)
    result.problems += office.check(rows)
    return result


def _killed(
    root: Path, now: str, wait: float, made: Callable[[], list[dict[str, Any]]]
) -> tuple[float, int]:
    """Start `publish --now NOW`, SIGKILL it after `wait` seconds: how many of `made()`
    (outbox files) there were then."""
    process = spawn(root, "publish", "--now", now)
    time.sleep(wait)
    process.send_signal(signal.SIGKILL)
    process.communicate()  # reaped: its pid is gone, so the next publisher settles its rows
    return wait, len(made())


def _until_nothing_due(root: Path, now: str) -> tuple[list[int], list[str]]:
    """Run `publish --now NOW` until it says nothing is due (at most 5 times): the exit
    codes, and what went wrong."""
    codes: list[int] = []
    for _ in range(5):
        rerun = run(root, "publish", "--now", now)
        codes.append(rerun.returncode)
        if "Traceback" in rerun.stdout + rerun.stderr or rerun.returncode not in (0, 1):
            return codes, [f"publish exited {rerun.returncode}: {rerun.stderr}"]
        if "nothing due" in rerun.stdout:
            return codes, []
    return codes, [f"publish at {now} still had work after 5 runs"]
