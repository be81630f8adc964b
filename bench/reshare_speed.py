#!/usr/bin/env python3
"""How long do 68 re-shares take to plan and to send?

Run by hand (not in CI):

    .venv/bin/python bench/reshare_speed.py                 # 68 accounts, 5 repeats
    .venv/bin/python bench/reshare_speed.py --accounts 20 --repeat 3
    .venv/bin/python bench/reshare_speed.py --dir /tmp/hp-reshare --keep

It starts the local fake of X (tests/fakes/x_server.py, in this process, on
127.0.0.1) with city hall's account and N district accounts on it, each with its own
OAuth keys, and writes a repository: those N+1 X accounts (`api_url` the fake), group
`semua-kecamatan` of the N, and one city post due 2026-12-01 08:00 WIB to `pemkot-x`
with `amplify: {by: semua-kecamatan, after: 10m, spread: ...}`. Every command is the
installed `humaspost` with `--now`, through the real tweepy.

* plan: `workflow.load_posts` and `workflow.plan_from_log` in this process (what
  `schedule`, `publish` and the daemon do before anything else), spread 30m: while the
  origin waits to go out (N re-shares `waiting`) and once it is sent (N `scheduled`,
  from its receipt in the log); then `humaspost schedule --format json`, against the
  same post without `amplify` (interleaved; what the re-shares add to the command,
  best against best).
* send: spread 0, so all N are due at once. `publish --now 08:00` sends the origin;
  `publish --now 08:11` sends the N reposts (timed; a fresh repository and fake each
  repeat), against `publish` when nothing is due (start-up, loading, planning; the
  sending itself is best against best). It
  checks that the fake carried out N reposts, one per district account, of the origin,
  and that the log has N re-shares `sent` after one attempt.

Exit code: 0 measured and checked, 2 a command failed or a check did not hold.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import cpu_summary, installed_humaspost, work_folder

from humaspost.config import load_config
from humaspost.log_location import log_path
from humaspost.publog import PublishLog
from humaspost.workflow import load_posts, plan_from_log
from tests.fakes.x_server import FakeX

WIB = ZoneInfo("Asia/Jakarta")
CITY_KEYS = {
    "consumer_key": "ck-city-consumerkey",
    "consumer_secret": "cs-city-consumersecret",
    "access_token": "1870000000-at-city-accesstoken",
    "access_token_secret": "ats-city-accesstokensecret",
}


class Failed(Exception):
    """A command failed or a check did not hold."""


def district_keys(n: int) -> dict[str, str]:
    return {
        "consumer_key": f"ck-kec{n}-consumerkey",
        "consumer_secret": f"cs-kec{n}-consumersecret",
        "access_token": f"{1871000000 + n}-at-kec{n}-accesstoken",
        "access_token_secret": f"ats-kec{n}-accesstokensecret",
    }


def user_id(keys: dict[str, str]) -> str:
    return keys["access_token"].partition("-")[0]


@dataclass
class Office:
    root: Path
    env: dict[str, str]
    humaspost: str
    accounts: int

    def run(self, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
        start = time.perf_counter()
        done = subprocess.run(
            [self.humaspost, *args],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        took = time.perf_counter() - start
        if done.returncode != 0 or "Traceback" in done.stderr:
            raise Failed(f"humaspost {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
        return took, done


def fake_x(accounts: int) -> FakeX:
    x = FakeX(
        consumer_key=CITY_KEYS["consumer_key"],
        consumer_secret=CITY_KEYS["consumer_secret"],
        access_token=CITY_KEYS["access_token"],
        access_token_secret=CITY_KEYS["access_token_secret"],
        user_id=user_id(CITY_KEYS),
    )
    for n in range(1, accounts + 1):
        keys = district_keys(n)
        x.add_user(**keys, user_id=user_id(keys), username=f"kec{n}")
    return x


def write_office(
    root: Path, humaspost: str, x: FakeX, accounts: int, spread: str, amplify: bool = True
) -> Office:
    """The repository, and the environment its commands run in (the keys)."""
    (root / "posts").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env |= {"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"}
    lines = ["timezone: Asia/Jakarta", "accounts:"]
    names = ["pemkot-x"] + [f"kec-{n:02d}" for n in range(1, accounts + 1)]
    all_keys = [CITY_KEYS] + [district_keys(n) for n in range(1, accounts + 1)]
    for name, keys in zip(names, all_keys, strict=True):
        prefix = name.upper().replace("-", "_")
        lines += [f"  {name}:", "    platform: twitter", f"    api_url: {x.url}"]
        for field, value in keys.items():
            lines.append(f"    {field}: ${{{prefix}_{field.upper()}}}")
            env[f"{prefix}_{field.upper()}"] = value
    lines += ["groups:", f"  semua-kecamatan: [{', '.join(names[1:])}]", ""]
    (root / "humaspost.yaml").write_text("\n".join(lines), encoding="utf-8")
    post = [
        "publish_at: 2026-12-01 08:00",
        "to: pemkot-x",
        f'text: "Program bedah rumah 2027 dibuka ({root.name}): daftar di kelurahan."',
    ]
    if amplify:
        post.append(f"amplify: {{by: semua-kecamatan, after: 10m, spread: {spread}}}")
    (root / "posts" / "program.yaml").write_text("\n".join(post) + "\n", encoding="utf-8")
    return Office(root, env, humaspost, accounts)


def at(local: str) -> datetime:
    return datetime.strptime(f"2026-12-01 {local}", "%Y-%m-%d %H:%M").replace(tzinfo=WIB)


def timed(repeat: int, action: Callable[[], object]) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append(time.perf_counter() - start)
    return runs


def in_process_plan(office: Office, now: datetime, repeat: int, expect: str) -> list[float]:
    """plan_from_log's wall times (not recording), checking the re-shares' state."""
    config = load_config(office.root / "humaspost.yaml")
    saved = dict(os.environ)
    os.environ.update(office.env)  # the log's location is read with the config's variables
    try:
        loaded = load_posts(config, office.root, now)
        location = log_path(config, sandbox=False, environ=office.env)
        with PublishLog(location) as log:  # a new log before the first publish
            deliveries = plan_from_log(loaded, config, log, now, now, record=False)
            states = {str(d.state) for d in deliveries if d.key.account != "pemkot-x"}
            if len(deliveries) != office.accounts + 1 or states != {expect}:
                raise Failed(f"planned {len(deliveries)} deliveries, re-shares {states}")
            return timed(repeat, lambda: plan_from_log(loaded, config, log, now, now, record=False))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def check_sent(office: Office, x: FakeX) -> None:
    (origin,) = x.live()
    expected = [(user_id(district_keys(n)), origin.id) for n in range(1, office.accounts + 1)]
    if sorted(x.retweet_requests) != sorted(expected):
        raise Failed(f"the fake carried out {len(x.retweet_requests)} reposts, not one each")
    _, done = office.run("log", "--all", "--kind", "repost", "--format", "json")
    rows = json.loads(done.stdout)
    ends = {(row["state"], row["attempts"]) for row in rows}
    if len(rows) != office.accounts or ends != {("sent", 1)}:
        raise Failed(f"the log has {len(rows)} re-shares ending {ends}")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def report(label: str, runs: Sequence[float], count: int | None = None) -> None:
    """One row: best and median, and the median per re-share when it has `count`."""
    median = statistics.median(runs)
    each = f"  per re-share {median / count * 1000:6.3f} ms" if count else ""
    print(f"{label:<44} best {ms(min(runs))}  median {ms(median)}{each}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--accounts", type=int, default=68, help="district accounts")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, help="work here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the repositories")
    args = parser.parse_args()
    humaspost = installed_humaspost(parser)
    base, temporary = work_folder(parser, args.dir, "hp-reshare-", "reshare_speed.py")
    n = args.accounts
    print(f"{n} district accounts on X (local fake), {args.repeat} repeats; {cpu_summary()}")
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, in {base}")
    try:
        with fake_x(n) as x:
            office = write_office(base / "plan", humaspost, x, n, "30m")
            plain = write_office(base / "plain", humaspost, x, n, "30m", amplify=False)
            print("\nplan (spread 30m)")
            report(
                f"plan_from_log, origin not sent ({n} waiting)",
                in_process_plan(office, at("07:00"), args.repeat * 4, "waiting"),
                n,
            )
            office.run("publish", "--now", "2026-12-01 08:00")
            report(
                f"plan_from_log, origin sent ({n} scheduled)",
                in_process_plan(office, at("08:05"), args.repeat * 4, "scheduled"),
                n,
            )
            schedule = ["schedule", "--now", "2026-12-01 08:05", "--format", "json"]
            plain.run("publish", "--now", "2026-12-01 08:00")
            with_reshares: list[float] = []
            without: list[float] = []
            for _ in range(args.repeat * 2):  # interleaved: the machine's noise hits both
                with_reshares.append(office.run(*schedule)[0])
                without.append(plain.run(*schedule)[0])
            report("humaspost schedule, without amplify", without)
            report(f"humaspost schedule, {n} re-shares", with_reshares)
            extra = min(with_reshares) - min(without)
            print(f"{'  what the re-shares add (best)':<44} {ms(extra)}"
                  f"  per re-share {extra / n * 1000:6.3f} ms")  # fmt: skip
        print(f"\nsend (spread 0: all {n} due at 08:10)")
        sends: list[float] = []
        idle: list[float] = []
        for round_ in range(args.repeat):
            with fake_x(n) as x:
                office = write_office(base / f"send-{round_}", humaspost, x, n, "0m")
                office.run("publish", "--now", "2026-12-01 08:00")
                took, nothing = office.run("publish", "--now", "2026-12-01 08:05")
                if "nothing due" not in nothing.stdout:
                    raise Failed(f"publish at 08:05: {nothing.stdout}")
                idle.append(took)
                took, done = office.run("publish", "--now", "2026-12-01 08:11")
                if f"{n} sent" not in done.stdout:
                    raise Failed(f"publish at 08:11: {done.stdout[-500:]}")
                sends.append(took)
                check_sent(office, x)
        report("humaspost publish, nothing due", idle)
        report(f"humaspost publish, {n} reposts", sends, n)
        extra = min(sends) - min(idle)
        print(f"{'  the sending itself (best)':<44} {ms(extra)}"
              f"  per re-share {extra / n * 1000:6.3f} ms")  # fmt: skip
        print(f"\nchecked: each run's {n} reposts carried out once each, logged sent")
    except Failed as error:
        print(f"FAILED: {error}")
        return 2
    finally:
        if temporary and not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
