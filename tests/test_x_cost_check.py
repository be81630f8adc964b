"""`check` warns where an account would pass X's limits (HP404) and where the month's
estimated X API cost passes `x_monthly_budget` (HP405), at the post that passes it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from humaspost.lifecycle import Event
from humaspost.publog import ONCE, DeliveryKey, PublishLog
from tests.conftest import Repo, run_humaspost

CONFIG = """\
timezone: Asia/Jakarta
x_monthly_budget: 0.25
accounts:
  pemkot-x:
    platform: twitter
    consumer_key: ${A}
    consumer_secret: ${B}
    access_token: ${C}
    access_token_secret: ${D}
"""


def test_the_post_that_passes_the_budget_is_warned(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post(
        "a.yaml", 'publish_at: 2026-12-02 08:00\nto: pemkot-x\ntext: "Info https://a.example"\n'
    )
    repo.post(
        "b.yaml", 'publish_at: 2026-12-03 08:00\nto: pemkot-x\ntext: "Lagi https://b.example"\n'
    )
    result = run_humaspost("check", "--now", "2026-12-01 07:00", "--format", "json", cwd=repo.root)
    problems = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "HP405"]
    assert [(p["file"], p["line"], p["column"], p["severity"]) for p in problems] == [
        ("posts/b.yaml", 1, 13, "warning")
    ]
    assert problems[0]["message"] == (
        "the estimated X API cost of December 2026 is $0.40, more than x_monthly_budget $0.25"
    )


def test_an_account_past_xs_daily_posts_is_warned_at_the_post_that_passes(repo: Repo) -> None:
    repo.write_config(CONFIG.replace("x_monthly_budget: 0.25\n", ""))
    for n in range(51):
        hour, minute = divmod(6 * 60 + n * 15, 60)
        repo.post(f"p{n:02d}.yaml", f"publish_at: 2026-12-02 {hour:02d}:{minute:02d}\n"
                                    f"to: pemkot-x\ntext: Pengumuman {n}\n")  # fmt: skip
    result = run_humaspost("check", "--now", "2026-12-01 07:00", "--format", "json", cwd=repo.root)
    problems = [p for p in json.loads(result.stdout)["problems"] if p["code"] == "HP404"]
    assert [(p["file"], p["line"]) for p in problems] == [("posts/p50.yaml", 1)]
    assert "pemkot-x" in problems[0]["message"]


def test_schedules_month_estimate_counts_what_went_out_earlier_this_month(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: pemkot-x\ntext: Kemarin\n")
    repo.post("b.yaml", "publish_at: 2026-12-05 08:00\nto: pemkot-x\ntext: Nanti\n")
    sent_at = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    location = repo.config().state_dir / "publog.sqlite"
    with PublishLog(location) as log:  # a went out on 1 December
        claim = log.claim(DeliveryKey("a", ONCE, "pemkot-x"), platform="twitter",
                          due_at=sent_at, owner="h/1/b", now=sent_at,
                          lease=timedelta(minutes=2))  # fmt: skip
        assert claim is not None
        log.finish(claim.row_id, Event.SENT, owner="h/1/b", now=sent_at,
                   url="https://x.com/i/web/status/1")  # fmt: skip
    result = run_humaspost("schedule", "--now", "2026-12-04 07:00", "--format", "json",
                           cwd=repo.root)  # fmt: skip
    data = json.loads(result.stdout)
    assert [d["post"] for d in data["deliveries"]] == ["b"]  # the window starts today
    assert data["x_cost"]["months"] == {"2026-12": 0.03}  # both posts of December
