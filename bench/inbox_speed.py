#!/usr/bin/env python3
"""How long does fetching 10,000 mentions across 68 accounts take, and listing them?

Run by hand (not in CI):

    .venv/bin/python bench/inbox_speed.py                    # 68 accounts, 10,000 mentions
    .venv/bin/python bench/inbox_speed.py --accounts 20 --mentions 2000
    .venv/bin/python bench/inbox_speed.py --postgresql       # the log on PostgreSQL
    .venv/bin/python bench/inbox_speed.py --dir /tmp/hp-inbox --keep

It starts the local fake of X (tests/fakes/x_server.py, in this process, on 127.0.0.1)
with N accounts (city hall and N-1 districts, each with its own OAuth keys) and M
mentions spread evenly over them, each by its own invented citizen, within the last day,
and writes a repository with those accounts and an `inbox:` section with two routes (a
keyword and an account). Every command is the installed `humaspost` with `--now`,
through the real tweepy:

* `inbox fetch --format json`: the first fetch, every mention (timed; the requests X
  got, by endpoint; the command's peak memory, its maximum resident set size);
* `inbox fetch` again: nothing new (one request per account: X's `since_id`);
* `inbox --format json`: the open items, most urgent first (timed, peak memory).

It checks that the log holds each mention exactly once and that the listing has all M.
Exit code: 0 measured and checked, 2 a command failed or a check did not hold.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    BenchUnavailable,
    cpu_summary,
    installed_humaspost,
    postgres_database,
    run_measured,
    work_folder,
)

from tests.fakes.x_server import FakeX

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 12, 23, 10, 0, tzinfo=WIB)
DATABASE_VARIABLE = "HUMASPOST_DATABASE_URL"


class Failed(Exception):
    """A command failed or a check did not hold."""


def keys(n: int) -> dict[str, str]:
    """Account n's OAuth keys (n = 0: city hall); the token starts with its user id."""
    return {
        "consumer_key": f"ck-acct{n}-consumerkey",
        "consumer_secret": f"cs-acct{n}-consumersecret",
        "access_token": f"{1871000000 + n}-at-acct{n}-accesstoken",
        "access_token_secret": f"ats-acct{n}-accesstokensecret",
    }


def username(n: int) -> str:
    return "pemkotbekasi" if n == 0 else f"kec{n:02d}"


def fake_x(accounts: int) -> FakeX:
    city = keys(0)
    x = FakeX(
        consumer_key=city["consumer_key"],
        consumer_secret=city["consumer_secret"],
        access_token=city["access_token"],
        access_token_secret=city["access_token_secret"],
        user_id=city["access_token"].partition("-")[0],
        username=username(0),
        clock=NOW.timestamp,
    )
    for n in range(1, accounts):
        own = keys(n)
        x.add_user(**own, user_id=own["access_token"].partition("-")[0], username=username(n))
    return x


def add_mentions(x: FakeX, accounts: int, mentions: int) -> None:
    """`mentions` mentions, round-robin over the accounts, within the last day."""
    for number in range(mentions):
        written = NOW - timedelta(seconds=8 * (mentions - number))
        text = "banjir di RT 05" if number % 10 == 0 else f"lampu jalan mati, tiang {number}"
        x.mention(username(number % accounts), f"warga_uji{number}", text, created_at=written)


@dataclass
class Office:
    root: Path
    env: dict[str, str]
    humaspost: str

    def run(self, *args: str) -> tuple[float, int, str]:
        """Run `humaspost ARGS --now NOW`: wall seconds, its peak RSS in MiB, stdout."""
        command = [self.humaspost, *args, "--now", f"{NOW:%Y-%m-%d %H:%M}"]
        done = run_measured(command, self.root, self.env)
        if done.code != 0 or "Traceback" in done.stderr:
            raise Failed(f"humaspost {' '.join(args)} exited {done.code}:\n{done.stderr}")
        return done.wall, done.peak_mib, done.stdout


def write_office(root: Path, humaspost: str, x: FakeX, accounts: int, url: str | None) -> Office:
    (root / "posts").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env |= {"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"}
    lines = ["timezone: Asia/Jakarta", "accounts:"]
    names = ["pemkot-x"] + [f"kec-{n:02d}" for n in range(1, accounts)]
    for n, name in enumerate(names):
        prefix = name.upper().replace("-", "_")
        lines += [f"  {name}:", "    platform: twitter", f"    api_url: {x.url}"]
        for field, value in keys(n).items():
            lines.append(f"    {field}: ${{{prefix}_{field.upper()}}}")
            env[f"{prefix}_{field.upper()}"] = value
    lines += [
        "inbox:",
        "  routes:",
        "    - {keywords: [banjir], office: BPBD}",
        "    - {account: kec-01, office: kec-01}",
        f"offices: [BPBD, {', '.join(names)}]",
    ]
    if url is not None:
        lines.append(f"publish_log: ${{{DATABASE_VARIABLE}}}")
        env[DATABASE_VARIABLE] = url
    (root / "humaspost.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Office(root, env, humaspost)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=68)
    parser.add_argument("--mentions", type=int, default=10_000)
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="the publish log on a PostgreSQL server of its own (in a temporary folder)",
    )
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    humaspost = installed_humaspost(parser)
    root, temporary = work_folder(parser, args.dir, "humaspost-inbox-", "inbox_speed.py")
    print(f"inbox_speed: {args.mentions} mentions across {args.accounts} accounts; {cpu_summary()}")
    print(f"log: {'PostgreSQL' if args.postgresql else 'SQLite'}")
    try:
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(postgres_database("inbox_bench")) if args.postgresql else None
            with fake_x(args.accounts) as x:
                add_mentions(x, args.accounts, args.mentions)
                office = write_office(root / "repo", humaspost, x, args.accounts, url)
                took, peak, out = office.run("inbox", "fetch", "--format", "json")
                fetched = json.loads(out)
                requests = Counter(x.counts)
                new = sum(account["new"] for account in fetched["accounts"])
                print(f"first fetch: {took:.2f} s, {new} new items, peak RSS {peak} MiB")
                print(f"  requests to X: {dict(sorted(requests.items()))}")
                reads, cost = fetched["x_reads"], fetched["x_read_cost"]
                print(f"  posts read from X: {reads}, about US${cost:.2f}")
                print(f"  {took / max(new, 1) * 1000:.2f} ms per item")
                if new != args.mentions:
                    raise Failed(f"the first fetch brought {new} items, not {args.mentions}")
                took, peak, out = office.run("inbox", "fetch", "--format", "json")
                again = Counter(x.counts) - requests
                new = sum(account["new"] for account in json.loads(out)["accounts"])
                print(f"second fetch (nothing new): {took:.2f} s, {new} new, peak RSS {peak} MiB")
                print(f"  requests to X: {dict(sorted(again.items()))}")
                if new != 0:
                    raise Failed(f"the second fetch brought {new} items again")
                took, peak, out = office.run("inbox", "--format", "json")
                listed = json.loads(out)
                print(f"list open items: {took:.2f} s, {len(listed)} items, peak RSS {peak} MiB")
                ids = {item["remote_id"] for item in listed}
                if len(listed) != args.mentions or len(ids) != args.mentions:
                    raise Failed(f"listed {len(listed)} items ({len(ids)} distinct)")
    except (Failed, BenchUnavailable) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 2
    finally:
        if temporary and not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
