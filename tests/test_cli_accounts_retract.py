"""`humaspost accounts` and `humaspost retract`, end to end with the sandbox platform."""

from __future__ import annotations

import json

from tests.conftest import Repo, run_humaspost

CONFIG = """\
accounts:
  latihan:
    platform: sandbox
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_TOKEN}
groups:
  semua: [latihan, pemkot-fb]
defaults:
  to: [latihan]
"""


def test_accounts_lists_accounts_groups_and_which_secrets_are_set(repo: Repo) -> None:
    repo.write_config(CONFIG)
    result = run_humaspost("accounts", cwd=repo.root, env={"FB_TOKEN": "EAAsecretvalue"})
    assert result.returncode == 0, result.stderr
    assert "latihan" in result.stdout and "sandbox" in result.stdout
    assert "FB_TOKEN set" in result.stdout
    assert "semua: latihan, pemkot-fb" in result.stdout
    assert "EAAsecretvalue" not in result.stdout + result.stderr
    missing = run_humaspost("accounts", "--format", "json", cwd=repo.root)
    data = json.loads(missing.stdout)
    assert data["accounts"][1] == {
        "name": "pemkot-fb",
        "platform": "facebook",
        "rules": "facebook",
        "secrets": {"FB_TOKEN": False},
    }
    assert data["groups"] == {"semua": ["latihan", "pemkot-fb"]}


def test_verify_reports_each_account_and_fails_on_a_missing_secret(repo: Repo) -> None:
    repo.write_config(CONFIG)
    sandbox_only = run_humaspost("accounts", "--verify", "--account", "latihan", cwd=repo.root)
    assert sandbox_only.returncode == 0, sandbox_only.stdout + sandbox_only.stderr
    assert "✓ sandbox outbox" in sandbox_only.stdout
    both = run_humaspost("accounts", "--verify", cwd=repo.root)
    assert both.returncode == 1
    assert "✗ account 'pemkot-fb' needs the environment variable FB_TOKEN" in both.stdout
    unknown = run_humaspost("accounts", "--account", "nope", cwd=repo.root)
    assert unknown.returncode == 2 and "no account 'nope'" in unknown.stderr


def test_retract_deletes_every_part_and_is_never_published_again(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post("utas.md", "---\npublish_at: 2026-12-01 08:00\n---\nSatu\n---\nDua\n")
    outbox = repo.root / ".humaspost" / "sandbox" / "latihan"
    assert run_humaspost("publish", "--now", "2026-12-01 08:00", cwd=repo.root).returncode == 0
    assert len(list(outbox.glob("*.json"))) == 2
    retracted = run_humaspost(
        "retract", "utas", "--yes", "--now", "2026-12-01 08:02", cwd=repo.root
    )
    assert retracted.returncode == 0, retracted.stdout + retracted.stderr
    assert "retracted utas → latihan" in retracted.stdout
    assert list(outbox.glob("*.json")) == []
    log = json.loads(run_humaspost("log", "--format", "json", cwd=repo.root).stdout)
    assert [row["state"] for row in log] == ["retracted"]
    again = run_humaspost("publish", "--now", "2026-12-01 08:05", cwd=repo.root)
    assert "nothing due" in again.stdout and list(outbox.glob("*.json")) == []
    twice = run_humaspost("retract", "utas", "--now", "2026-12-01 08:06", cwd=repo.root)
    assert twice.returncode == 0 and "already retracted" in twice.stdout


def test_retract_without_a_log_or_with_an_unknown_post(repo: Repo) -> None:
    repo.write_config(CONFIG)
    none = run_humaspost("retract", "utas", "--now", "2026-12-01 08:00", cwd=repo.root)
    assert none.returncode == 2 and "nothing has been published yet" in none.stderr
