"""Destructive commands show what they touch and ask: `retract` (on a terminal, or with
--yes), posts named by their file, and `resolve`/`retry` that never invent a log. End to
end through the installed command with the sandbox platform."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from tests.conftest import HUMASPOST, Repo, run_humaspost

CONFIG = """\
timezone: Asia/Jakarta
accounts:
  pemkot-x:
    platform: twitter
    consumer_key: ${X_KEY}
    consumer_secret: ${X_SECRET}
    access_token: ${X_TOKEN}
    access_token_secret: ${X_TOKEN_SECRET}
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_TOKEN}
defaults:
  to: [pemkot-x, pemkot-fb]
"""
AIDS = "2026/12/aids.md"
AIDS_TEXT = """\
---
publish_at: 2026-12-01 08:00
---
Hari ini kita peringati Hari AIDS Sedunia.
---
Jadwal layanan tes: Senin-Jumat.
"""
SENT_AT = "2026-12-01 08:00"
LATER = "2026-12-01 10:00"


def published(repo: Repo) -> Repo:
    """A repository whose thread went out to both accounts in the sandbox."""
    repo.write_config(CONFIG)
    repo.post(AIDS, AIDS_TEXT)
    repo.post("2026/12/banjir.md", "---\npublish_at: 2026-12-01 08:00\n---\nSiaga banjir.\n")
    sent = run_humaspost("publish", "--sandbox", "--now", SENT_AT, cwd=repo.root)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    return repo


def outbox(repo: Repo, account: str) -> list[dict[str, Any]]:
    """The parts the sandbox holds for an account."""
    folder = repo.root / ".humaspost" / "sandbox" / account
    return [json.loads(path.read_text("utf-8")) for path in sorted(folder.glob("*.json"))]


def log_rows(repo: Repo) -> list[dict[str, Any]]:
    result = run_humaspost("log", "--sandbox", "--all", "--format", "json", cwd=repo.root)
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def aids_urls(repo: Repo, account: str) -> list[str]:
    return [
        f"sandbox://{account}/{part['id']}"
        for part in outbox(repo, account)
        if "banjir" not in part["text"]
    ]


def on_terminal(repo: Repo, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run humaspost with a pseudo-terminal as standard input, typing `answer`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120", "HUMASPOST_LANG": "en"})
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [str(HUMASPOST), *args],
            cwd=repo.root,
            env=env,
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(terminal)
        os.write(controller, answer.encode())  # the terminal keeps it until it is read
        out, err = process.communicate(timeout=60)
    finally:
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_retract_lists_accounts_urls_and_texts_before_deleting(repo: Repo) -> None:
    published(repo)
    x_urls = aids_urls(repo, "pemkot-x")
    assert len(x_urls) == 2
    result = run_humaspost(
        "retract", f"posts/{AIDS}", "--sandbox", "--yes", "--now", LATER, cwd=repo.root
    )
    assert result.returncode == 0, result.stdout + result.stderr
    listing = result.stdout.split("retracted ")[0]
    assert "retract 2026/12/aids will delete:" in listing
    assert "pemkot-x  sent 2026-12-01 08:00 WIB" in listing
    assert "pemkot-fb  sent 2026-12-01 08:00 WIB" in listing
    for url in x_urls:
        assert url in listing
    thread = listing[listing.index("pemkot-x  sent") :]
    assert thread.index(x_urls[0]) < thread.index("Hari ini kita peringati")
    assert thread.index("Hari ini kita peringati") < thread.index(x_urls[1])
    assert thread.index(x_urls[1]) < thread.index("Jadwal layanan tes")
    assert aids_urls(repo, "pemkot-x") == [] and aids_urls(repo, "pemkot-fb") == []
    assert len(outbox(repo, "pemkot-x")) == 1  # the other post stays
    states = {(row["post"], row["account"]): row["state"] for row in log_rows(repo)}
    assert states[("2026/12/aids", "pemkot-x")] == "retracted"
    assert states[("2026/12/banjir", "pemkot-x")] == "sent"


def test_off_a_terminal_retract_needs_yes_and_deletes_nothing(repo: Repo) -> None:
    published(repo)
    result = run_humaspost("retract", "2026/12/aids", "--sandbox", "--now", LATER, cwd=repo.root)
    assert result.returncode == 2
    assert "add --yes" in result.stderr and "Traceback" not in result.stderr
    assert "Hari ini kita peringati" in result.stdout  # it still shows what it would delete
    assert len(aids_urls(repo, "pemkot-x")) == 2 and len(aids_urls(repo, "pemkot-fb")) == 1
    assert {row["state"] for row in log_rows(repo)} == {"sent"}


def test_an_edited_file_is_said_to_have_changed_and_its_urls_are_still_shown(
    repo: Repo,
) -> None:
    published(repo)
    repo.post(AIDS, AIDS_TEXT.replace("Senin-Jumat", "Senin-Sabtu"))
    urls = aids_urls(repo, "pemkot-x")
    result = run_humaspost(
        "retract", "2026/12/aids", "--account", "pemkot-x", "--sandbox", "--yes",
        "--now", LATER, cwd=repo.root,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the post file changed since it was sent" in result.stdout
    assert "Senin-Sabtu" not in result.stdout and "Hari ini" not in result.stdout
    assert all(url in result.stdout for url in urls)
    assert "pemkot-fb" not in result.stdout
    assert aids_urls(repo, "pemkot-x") == [] and len(aids_urls(repo, "pemkot-fb")) == 1


def test_a_deleted_file_still_retracts_by_id_with_its_urls(repo: Repo) -> None:
    published(repo)
    (repo.posts / AIDS).unlink()
    result = run_humaspost(
        "retract", "2026/12/aids", "--sandbox", "--yes", "--now", LATER, cwd=repo.root
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the text that was sent cannot be shown" in result.stdout
    assert aids_urls(repo, "pemkot-x") == []


def test_on_a_terminal_no_keeps_everything_and_yes_deletes(repo: Repo) -> None:
    published(repo)
    args = ("retract", f"posts/{AIDS}", "--sandbox", "--now", LATER)
    for answer in ("n\n", "\n", "ya tidak\n"):
        kept = on_terminal(repo, answer, *args)
        assert kept.returncode == 1, kept.stdout + kept.stderr
        assert "Delete these 2 deliveries from the platforms? [y/N]" in kept.stderr
        assert "retract cancelled: nothing was deleted" in kept.stderr
        assert len(aids_urls(repo, "pemkot-x")) == 2
    deleted = on_terminal(repo, "y\n", *args)
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert "retracted 2026/12/aids → pemkot-x" in deleted.stdout
    assert aids_urls(repo, "pemkot-x") == [] and aids_urls(repo, "pemkot-fb") == []


def test_a_second_retract_says_when_it_was_retracted_and_touches_nothing(repo: Repo) -> None:
    published(repo)
    first = run_humaspost(
        "retract", "2026/12/aids", "--sandbox", "--yes", "--now", LATER, cwd=repo.root
    )
    assert first.returncode == 0, first.stdout + first.stderr
    before = log_rows(repo)
    # No --yes off a terminal: it would exit 2 if it were about to delete anything.
    again = run_humaspost(
        "retract", f"posts/{AIDS}", "--sandbox", "--now", "2026-12-02 09:00", cwd=repo.root
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "post '2026/12/aids' was already retracted; nothing to delete" in again.stdout
    assert "already retracted from pemkot-x on 2026-12-01 10:00 WIB" in again.stdout
    assert "already retracted from pemkot-fb on 2026-12-01 10:00 WIB" in again.stdout
    assert log_rows(repo) == before


def test_retract_names_what_it_cannot_find(repo: Repo) -> None:
    published(repo)
    (repo.root / "notes.md").write_text("catatan\n", encoding="utf-8")
    cases = {
        "posts/2026/12/nope.md": "there is no post file posts/2026/12/nope.md",
        "2026/12/nope": "there is no post with id '2026/12/nope'",
        "notes.md": "notes.md is not a post file",
        "posts/2026": "posts/2026 is a folder, not a post file",
    }
    for given, message in cases.items():
        result = run_humaspost("retract", given, "--sandbox", "--yes", cwd=repo.root)
        assert result.returncode == 2 and message in result.stderr, (given, result.stderr)
    assert len(aids_urls(repo, "pemkot-x")) == 2


def test_publish_post_takes_a_file_path(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post(AIDS, AIDS_TEXT)
    repo.post("2026/12/banjir.md", "---\npublish_at: 2026-12-01 08:00\n---\nSiaga banjir.\n")
    missing = run_humaspost(
        "publish", "--sandbox", "--post", "posts/2026/12/aid.md", "--now", SENT_AT, cwd=repo.root
    )
    assert missing.returncode == 2
    assert "--post: there is no post file posts/2026/12/aid.md" in missing.stderr
    unknown = run_humaspost(
        "publish", "--sandbox", "--post", "2026/12/aid", "--now", SENT_AT, cwd=repo.root
    )
    assert unknown.returncode == 2 and "no post with id '2026/12/aid'" in unknown.stderr
    not_post = run_humaspost(
        "publish", "--sandbox", "--post", "humaspost.yaml", "--now", SENT_AT, cwd=repo.root
    )
    assert not_post.returncode == 2 and "humaspost.yaml is not a post file" in not_post.stderr
    assert not (repo.root / ".humaspost" / "sandbox").exists()
    # From a sub-folder, the path is relative to where the command runs.
    result = run_humaspost(
        "publish", "--sandbox", "--post", "12/aids.md", "--now", SENT_AT, cwd=repo.posts / "2026"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2026/12/aids → pemkot-x" in result.stdout and "banjir" not in result.stdout
    assert len(outbox(repo, "pemkot-x")) == 2


def test_resolve_refuses_a_value_that_is_not_a_web_address(repo: Repo) -> None:
    published(repo)
    for value, problem in (
        ("EAAB1234secrettoken", "it does not start with https:// or http://"),
        ("ftp://x.com/a", "it does not start with https:// or http://"),
        ("https://", "it names no host"),
        ("https://x.com/a b", "it contains spaces"),
    ):
        result = run_humaspost("resolve", "1", "--sandbox", "--sent", value, cwd=repo.root)
        assert result.returncode == 2, result.stderr
        assert problem in result.stderr and "--sent" in result.stderr
        assert "secrettoken" not in result.stdout + result.stderr
    fine = run_humaspost(
        "resolve", "99", "--sandbox", "--sent", "https://x.com/pemkot/status/1", cwd=repo.root
    )
    assert fine.returncode == 2 and "there is no delivery 99" in fine.stderr


def test_resolve_and_retry_without_a_log_create_none(repo: Repo) -> None:
    repo.write_config(CONFIG)
    for args in (
        ("resolve", "1", "--not-sent"),
        ("resolve", "1", "--sent", "https://x.com/pemkot/status/1"),
        ("retry", "1"),
        ("retry", "1", "--sandbox"),
    ):
        result = run_humaspost(*args, cwd=repo.root)
        assert result.returncode == 2, result.stderr
        assert "nothing has been published yet (there is no publish log" in result.stderr
    assert not (repo.root / ".humaspost").exists()


def test_an_account_gone_from_the_config_is_listed_and_not_deleted(repo: Repo) -> None:
    published(repo)
    fb_urls = aids_urls(repo, "pemkot-fb")
    repo.write_config(
        CONFIG.split("  pemkot-fb:")[0] + "defaults:\n  to: [pemkot-x]\n"
    )  # pemkot-fb removed
    only_fb = run_humaspost(
        "retract", "2026/12/aids", "--account", "pemkot-fb", "--sandbox", "--now", LATER,
        cwd=repo.root,
    )  # fmt: skip
    assert only_fb.returncode == 1, only_fb.stdout + only_fb.stderr
    assert fb_urls[0] in only_fb.stdout  # listed, though nobody was asked
    assert "account 'pemkot-fb' is no longer in the config; not deleted" in only_fb.stdout
    both = run_humaspost(
        "retract", "2026/12/aids", "--sandbox", "--yes", "--now", LATER, cwd=repo.root
    )
    assert both.returncode == 1
    assert "retracted 2026/12/aids → pemkot-x" in both.stdout
    assert aids_urls(repo, "pemkot-x") == [] and aids_urls(repo, "pemkot-fb") == fb_urls
