"""A PR office on the sandbox, for end-to-end publishing tests and bench/kill_publisher.py.

It writes a repository (config with sandbox accounts, post files), runs the installed
`humaspost` in subprocesses, reads the sandbox outbox (one JSON file per published part)
and checks the exactly-once promises: no part published twice, and every delivery in the
log as `sent`, or as `unknown` where `humaspost log --state unknown` shows it.
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


@dataclass(frozen=True)
class Office:
    """The repository: `accounts` sandbox accounts (with `delay`), `posts` posts each to
    every account; post `p` is a thread of `thread_parts[p]` parts (1 if not listed)."""

    root: Path
    accounts: int
    posts: int
    delay: str = "0ms"
    thread_parts: dict[int, int] = field(default_factory=dict)

    @property
    def account_names(self) -> list[str]:
        return [f"kec-{n:02d}" for n in range(self.accounts)]

    def text(self, post: int, part: int) -> str:
        """Every part's text is unique, so the outbox shows any duplicate."""
        return f"Pengumuman {post:03d} bagian {part + 1}"

    def parts_of(self, post: int) -> int:
        return self.thread_parts.get(post, 1)

    def write(self) -> Office:
        posts = self.root / "posts"
        posts.mkdir(parents=True, exist_ok=True)
        lines = ["timezone: Asia/Jakarta", "accounts:"]
        for name in self.account_names:
            lines += [f"  {name}:", "    platform: sandbox", f"    delay: {self.delay}"]
        lines += ["groups:", f"  semua: [{', '.join(self.account_names)}]"]
        lines += ["defaults:", "  to: semua", ""]
        (self.root / "humaspost.yaml").write_text("\n".join(lines), encoding="utf-8")
        for post in range(self.posts):
            # Due between 07:30 and 08:59 WIB, a minute apart.
            hour, minute = divmod(7 * 60 + 30 + post % 90, 60)
            body = "\n---\n".join(self.text(post, part) for part in range(self.parts_of(post)))
            (posts / f"p{post:03d}.md").write_text(
                f"---\npublish_at: 2026-12-01 {hour:02d}:{minute:02d}\n---\n{body}\n",
                encoding="utf-8",
            )
        return self

    @property
    def outbox_dir(self) -> Path:
        return self.root / ".humaspost" / "sandbox"

    def outbox(self) -> list[dict[str, Any]]:
        """Every published part (complete JSON files only), oldest first. (Not in name
        order: with `--now` each run's clock, and so its ids, start at the same time.)"""
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
        rows_by_key = {(row["post"], row["account"]): row for row in rows or self.log()}
        unknown = {(row["post"], row["account"]) for row in self.log("--state", "unknown")}
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
        return problems


@dataclass
class KillRound:
    """What one publisher killed at a random moment left, and how it was recovered."""

    killed_after: float
    parts_when_killed: int
    reruns: list[int] = field(default_factory=list)  # exit codes until nothing was due
    sent: int = 0
    unknown: int = 0
    resumed: int = 0  # deliveries that needed a second claim and ended sent
    problems: list[str] = field(default_factory=list)


def kill_round(root: Path, rng: random.Random) -> KillRound:
    """Publish 4 accounts x 6 posts (two of them threads), SIGKILL the publisher at a
    random moment, then run `publish` until nothing is due and check the promises."""
    office = Office(root, accounts=4, posts=6, delay="40ms", thread_parts={0: 3, 3: 4}).write()
    process = spawn(root, "publish", "--now", NOW)
    # Start-up takes about 0.3 s and sending about 0.4 s: kill anywhere in or around it.
    wait = rng.uniform(0.2, 0.75)
    time.sleep(wait)
    process.send_signal(signal.SIGKILL)
    process.communicate()  # reaped: its pid is gone, so the next publisher settles its rows
    result = KillRound(wait, len(office.outbox()))
    for _ in range(5):
        rerun = run(root, "publish", "--now", NOW)
        result.reruns.append(rerun.returncode)
        if "Traceback" in rerun.stdout + rerun.stderr or rerun.returncode not in (0, 1):
            result.problems.append(f"publish exited {rerun.returncode}: {rerun.stderr}")
            break
        if "nothing due" in rerun.stdout:
            break
    else:
        result.problems.append("publish still had work after 5 runs")
    rows = office.log()
    result.sent = sum(row["state"] == "sent" for row in rows)
    result.unknown = sum(row["state"] == "unknown" for row in rows)
    result.resumed = sum(row["state"] == "sent" and row["attempts"] > 1 for row in rows)
    result.problems += office.check(rows)
    return result
