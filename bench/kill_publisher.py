#!/usr/bin/env python3
"""Kill `humaspost publish` with SIGKILL at random moments: is anything lost or doubled?

Run by hand (not in CI; the test suite runs 5 rounds of the same thing):

    .venv/bin/python bench/kill_publisher.py               # 20 rounds
    .venv/bin/python bench/kill_publisher.py --rounds 50 --seed 7
    .venv/bin/python bench/kill_publisher.py --dir /tmp/hp-kill --keep

Each round writes a fresh repository: 4 sandbox accounts (`delay: 40ms`: 20 ms
connecting, 20 ms in flight) and 6 posts to all of them, two of them threads (3 and 4
parts): 24 deliveries, 44 parts. Two posts have `amplify` (2 more sandbox accounts
re-share each of their deliveries, a minute after it, spread over a minute): 16
re-shares. It starts the installed `humaspost publish`, kills it with SIGKILL after a
random 0.2-0.75 s (start-up takes about 0.3 s, so some kills land before anything is
sent, most while sending), then runs `publish` until it says "nothing due"; then the
same three minutes later, when the re-shares are due (killed after 0.2-0.7 s). It
checks the sandbox outbox and `humaspost log`:

* no part is in the outbox twice (every part's text is unique), no re-share twice
  (one `*_repost.json` per account and origin);
* every delivery has a row in the publish log, `sent` (all its parts in the outbox,
  each replying to the one before) or `unknown` and listed by `log --state unknown`;
* every re-share of a sent origin likewise (`sent` with its file in the outbox, or
  `unknown` and listed); one of an unknown origin has not gone out (it waits);
* the first rerun exits 1 when it settled a delivery as unknown.

Exit code: 0 all rounds kept the promises, 1 a round broke one.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.sandbox_office import KillRound, kill_round


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", type=Path, help="work here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the repositories")
    args = parser.parse_args()
    base = args.dir or Path(tempfile.mkdtemp(prefix="hp-kill-"))
    base.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    print(f"{args.rounds} rounds, seed {args.seed}, in {base}")
    print(f"{'round':>5} {'killed':>8} {'parts':>6} {'reruns':>8} {'sent':>5} "
          f"{'unknown':>8} {'resumed':>8} | {'killed':>8} {'made':>5} {'reruns':>7} "
          f"{'sent':>5} {'unknown':>8} {'waiting':>8}  result")  # fmt: skip
    results: list[KillRound] = []
    started = time.monotonic()
    for number in range(1, args.rounds + 1):
        root = base / f"round-{number:02d}"
        if root.exists():
            shutil.rmtree(root)
        result = kill_round(root, rng)
        results.append(result)
        reruns = ",".join(str(code) for code in result.reruns)
        reshare_reruns = ",".join(str(code) for code in result.reshare_reruns)
        verdict = "ok" if not result.problems else "BROKEN: " + "; ".join(result.problems)
        print(
            f"{number:>5} {result.killed_after:>7.2f}s {result.parts_when_killed:>6} "
            f"{reruns:>8} {result.sent:>5} {result.unknown:>8} {result.resumed:>8} | "
            f"{result.reshare_killed_after:>7.2f}s {result.reshares_when_killed:>5} "
            f"{reshare_reruns:>7} {result.reshares_sent:>5} {result.reshares_unknown:>8} "
            f"{result.reshares_waiting:>8}  {verdict}"
        )
    elapsed = time.monotonic() - started
    broken = [r for r in results if r.problems]
    print()
    print(f"parts published before the kill: {sum(r.parts_when_killed for r in results)} in all")
    print(f"deliveries sent: {sum(r.sent for r in results)}, unknown: "
          f"{sum(r.unknown for r in results)} (rounds with an unknown: "
          f"{sum(1 for r in results if r.unknown)}), resumed after the kill and sent: "
          f"{sum(r.resumed for r in results)}")  # fmt: skip
    print(f"re-shares made before the second kill: "
          f"{sum(r.reshares_when_killed for r in results)}; sent: "
          f"{sum(r.reshares_sent for r in results)}, unknown: "
          f"{sum(r.reshares_unknown for r in results)}, waiting for an unknown origin: "
          f"{sum(r.reshares_waiting for r in results)}")  # fmt: skip
    problems = [problem for r in results for problem in r.problems]
    duplicates = sum(problem.startswith("published") for problem in problems)
    doubled = sum(problem.startswith("re-shared") for problem in problems)
    lost = sum(problem.startswith("lost") for problem in problems)
    print(f"duplicate parts: {duplicates}, re-shares made twice: {doubled}, "
          f"lost deliveries: {lost}")  # fmt: skip
    print(f"{len(results) - len(broken)}/{len(results)} rounds kept the promises "
          f"({elapsed:.1f} s)")  # fmt: skip
    if not args.keep and args.dir is None:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
