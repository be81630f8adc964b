"""Nothing vanishes without a trace: a post held back by errors, a delivery whose
account's secrets are missing, and the older occurrences of a repeat after downtime all
end in the publish log as `missed`, with the reason (the installed command, --now)."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Repo, run_humaspost

SANDBOX = """\
timezone: Asia/Jakarta
max_delay: 2h
accounts:
  latihan:
    platform: sandbox
defaults:
  to: [latihan]
"""


def log_rows(repo: Repo) -> list[dict[str, Any]]:
    result = run_humaspost("log", "--all", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_a_post_held_back_by_errors_is_recorded_missed_once_its_time_has_gone(
    repo: Repo,
) -> None:
    repo.write_config(SANDBOX)
    # Its image is missing: the post loads (its time is known) but may not go out.
    repo.post(
        "rusak.yaml",
        "publish_at: 2026-12-01 08:00\ntext: Halo\n"
        "media:\n  - {file: ../media/hilang.png, alt: Poster}\n",
    )
    due = run_humaspost("publish", "--now", "2026-12-01 08:30", cwd=repo.root)
    assert due.returncode == 1 and "rusak.yaml" in due.stderr  # held back while due
    assert log_rows(repo) == []
    late = run_humaspost("publish", "--now", "2026-12-01 10:01", cwd=repo.root)
    assert late.returncode == 1, late.stdout + late.stderr
    (row,) = log_rows(repo)
    assert row["state"] == "missed" and row["post"] == "rusak"
    assert row["error"] == "held back by errors in posts/rusak.yaml until its time had passed"
    # Recorded once: a later run has nothing more to say about it.
    again = run_humaspost("publish", "--now", "2026-12-01 10:05", cwd=repo.root)
    assert "nothing due" in again.stdout and len(log_rows(repo)) == 1


def test_a_delivery_whose_secrets_are_missing_is_recorded_missed(repo: Repo) -> None:
    timur = (
        "  kec-timur:\n    platform: facebook\n    page_id: '104857600000101'\n"
        "    access_token: ${FB_TIMUR_TOKEN}\n"
    )
    repo.write_config(SANDBOX.replace("defaults:", timur + "defaults:"))
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: [kec-timur, latihan]\ntext: Halo\n")
    due = run_humaspost("publish", "--now", "2026-12-01 08:00", cwd=repo.root)
    assert due.returncode == 2 and "FB_TIMUR_TOKEN" in due.stderr
    late = run_humaspost("publish", "--now", "2026-12-01 10:01", cwd=repo.root)
    assert late.returncode == 2 and "FB_TIMUR_TOKEN" in late.stderr
    rows = {row["account"]: row for row in log_rows(repo)}
    assert rows["latihan"]["state"] == "sent"
    assert rows["kec-timur"]["state"] == "missed"
    assert rows["kec-timur"]["error"] == (
        "past max_delay after its time; its account's secrets were missing"
    )


def test_after_downtime_a_repeat_sends_only_its_latest_occurrence(repo: Repo) -> None:
    repo.write_config(SANDBOX.replace("max_delay: 2h", "max_delay: 4h"))
    repo.post("apel.yaml", "publish_at: 2026-12-01 06:00\nrepeat: '0 * * * *'\ntext: Apel pagi\n")
    first = run_humaspost("publish", "--now", "2026-12-01 06:00", cwd=repo.root)
    assert first.returncode == 0 and "1 sent" in first.stdout
    # The server was down from 06:01 to 09:10: 07:00, 08:00 and 09:00 are all within
    # max_delay, but three identical posts at once would flood the timeline.
    after = run_humaspost("publish", "--now", "2026-12-01 09:10", cwd=repo.root)
    assert "1 sent, 2 missed" in after.stdout, after.stdout
    outbox = sorted((repo.root / ".humaspost" / "sandbox" / "latihan").glob("*.json"))
    assert len(outbox) == 2
    states = {row["occurrence"]: (row["state"], row["error"]) for row in log_rows(repo)}
    superseded = "a later occurrence of the repeat was due; only the latest is sent after downtime"
    assert states == {
        "2026-11-30T23:00:00Z": ("sent", None),
        "2026-12-01T00:00:00Z": ("missed", superseded),
        "2026-12-01T01:00:00Z": ("missed", superseded),
        "2026-12-01T02:00:00Z": ("sent", None),
    }
