"""Re-shares planned and sent through the installed command, on the sandbox: `amplify`
re-shares each delivery of a city post from the district accounts, spread as asked,
once each; they wait for their origin and are missed with it; `repost:` re-shares a
post humaspost did not make. Both log backends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import DATABASE_VARIABLE, Repo, run_humaspost

CONFIG = """\
timezone: Asia/Jakarta
accounts:
  pemkot:
    platform: sandbox
    like: twitter
  kec-a:
    platform: sandbox
    like: twitter
  kec-b:
    platform: sandbox
    like: twitter
  kec-c:
    platform: sandbox
    like: twitter
groups:
  semua-kecamatan: [kec-a, kec-b, kec-c]
"""
PROGRAM = """\
publish_at: 2026-12-01 08:00
to: pemkot
text: "Program bedah rumah 2027 dibuka. #KotaBekasi"
amplify:
  by: semua-kecamatan
  after: 10m
  spread: 30m
"""


def office(repo: Repo, database: str | None, post: str = PROGRAM) -> dict[str, str]:
    shared = "publish_log: ${HUMASPOST_DATABASE_URL}\n" if database else ""
    repo.write_config(CONFIG + shared)
    repo.post("program.yaml", post)
    return {DATABASE_VARIABLE: database} if database else {}


def publish(repo: Repo, env: dict[str, str], now: str) -> str:
    result = run_humaspost("publish", "--now", now, cwd=repo.root, env=env)
    assert "Traceback" not in result.stderr
    return result.stdout


def schedule(repo: Repo, env: dict[str, str], now: str) -> list[dict[str, Any]]:
    result = run_humaspost("schedule", "--now", now, "--format", "json", cwd=repo.root, env=env)
    deliveries: list[dict[str, Any]] = json.loads(result.stdout)["deliveries"]
    return deliveries


def shown(deliveries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(d["account"], d["local_time"][11:16], d["state"]) for d in deliveries]


def outbox(repo: Repo) -> list[dict[str, Any]]:
    files = sorted((repo.root / ".humaspost" / "sandbox").glob("*/*.json"))
    return [json.loads(Path(f).read_text(encoding="utf-8")) for f in files]


def test_district_accounts_reshare_the_city_post_spread_and_once(
    repo: Repo, log_database: str | None
) -> None:
    env = office(repo, log_database)
    assert run_humaspost("check", cwd=repo.root).returncode in (0, 1)  # HP401: time past
    before = schedule(repo, env, "2026-12-01 07:00")
    assert shown(before) == [
        ("pemkot", "08:00", "scheduled"),
        ("kec-a", "08:10", "waiting"), ("kec-b", "08:20", "waiting"),
        ("kec-c", "08:30", "waiting"),
    ]  # fmt: skip
    assert "1 sent" in publish(repo, env, "2026-12-01 08:02")
    # From the time the origin went out (08:02), in the order the group lists them.
    after = schedule(repo, env, "2026-12-01 08:05")
    assert shown(after)[1:] == [
        ("kec-a", "08:12", "scheduled"), ("kec-b", "08:22", "scheduled"),
        ("kec-c", "08:32", "scheduled"),
    ]  # fmt: skip
    assert "kec-a" in publish(repo, env, "2026-12-01 08:15")
    assert "2 sent" in publish(repo, env, "2026-12-01 08:40")
    assert publish(repo, env, "2026-12-01 08:50") == "nothing due\n"
    reposts = [f for f in outbox(repo) if f.get("kind") == "repost"]
    assert sorted(f["account"] for f in reposts) == ["kec-a", "kec-b", "kec-c"]
    origin = next(f for f in outbox(repo) if f["account"] == "pemkot")
    assert {f["repost_of"] for f in reposts} == {origin["url"]}
    log = run_humaspost("log", "--kind", "repost", "--format", "json", cwd=repo.root, env=env)
    rows = json.loads(log.stdout)
    assert sorted((r["account"], r["occurrence"], r["state"]) for r in rows) == [
        ("kec-a", "once>pemkot", "sent"), ("kec-b", "once>pemkot", "sent"),
        ("kec-c", "once>pemkot", "sent"),
    ]  # fmt: skip
    text = run_humaspost("log", cwd=repo.root, env=env).stdout
    assert "program → kec-a (re-share of pemkot)" in text


def test_reshares_of_a_missed_origin_are_missed_with_the_reason(
    repo: Repo, log_database: str | None
) -> None:
    env = office(repo, log_database)
    publish(repo, env, "2026-12-01 11:00")  # past max_delay (2h): the origin is missed
    publish(repo, env, "2026-12-01 11:01")  # the next cron run records its re-shares
    deliveries = schedule(repo, env, "2026-12-01 11:05")
    assert {d["state"] for d in deliveries} == {"missed"}
    reasons = {d["account"]: d["error"] for d in deliveries}
    assert reasons["kec-a"].startswith("the post it re-shares was missed")
    assert not [f for f in outbox(repo) if f.get("kind") == "repost"]


def test_a_repost_post_reshares_a_post_humaspost_did_not_make(
    repo: Repo, log_database: str | None
) -> None:
    url = "https://x.com/pemkotbekasi/status/1863000000000000001"
    env = office(repo, log_database, f"publish_at: 2026-12-01 08:00\nto: [kec-a, kec-b]\n"
                                    f"repost: {url}\n")  # fmt: skip
    assert "2 sent" in publish(repo, env, "2026-12-01 08:01")
    files = outbox(repo)
    assert sorted((f["account"], f["repost_of"], f["repost_of_id"]) for f in files) == [
        ("kec-a", url, "1863000000000000001"), ("kec-b", url, "1863000000000000001"),
    ]  # fmt: skip
    assert publish(repo, env, "2026-12-01 08:05") == "nothing due\n"


def test_schedule_folds_the_reshares_still_to_go_under_their_origin(
    repo: Repo, log_database: str | None
) -> None:
    env = office(repo, log_database)
    before = run_humaspost("schedule", "--now", "2026-12-01 07:00", cwd=repo.root, env=env)
    assert (
        "  08:00  scheduled  program → pemkot\n"
        "         ↻ 3 re-shares 08:10-08:30 (3 waiting): kec-a, kec-b, kec-c\n"
    ) in before.stdout
    publish(repo, env, "2026-12-01 08:00")
    publish(repo, env, "2026-12-01 08:15")
    text = run_humaspost("schedule", "--now", "2026-12-01 08:15", cwd=repo.root, env=env).stdout
    assert "↻ 2 re-shares 08:20-08:30 (2 scheduled): kec-b, kec-c" in text
    assert "  08:10  sent  program → kec-a  2026-12-01_0815_program_repost.json" in text
    data = schedule(repo, env, "2026-12-01 08:15")
    assert [(d["account"], d["kind"], d["origin"]) for d in data] == [
        ("pemkot", "post", None), ("kec-a", "repost", "pemkot"),
        ("kec-b", "repost", "pemkot"), ("kec-c", "repost", "pemkot"),
    ]  # fmt: skip


def test_preview_shows_who_reshares_and_when(repo: Repo) -> None:
    office(repo, None)
    text = run_humaspost("preview", "posts/program.yaml", cwd=repo.root)
    assert "    re-shared by kec-a +10m, kec-b +20m, kec-c +30m\n" in text.stdout
    data = run_humaspost("preview", "posts/program.yaml", "--format", "json", cwd=repo.root)
    (delivery,) = json.loads(data.stdout)["files"][0]["deliveries"]
    assert delivery["reshared_by"] == [
        {"account": "kec-a", "after_seconds": 600}, {"account": "kec-b", "after_seconds": 1200},
        {"account": "kec-c", "after_seconds": 1800},
    ]  # fmt: skip
