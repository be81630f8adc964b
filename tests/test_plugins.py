"""Platforms come from the entry-point group `humaspost.platforms`: a test installs a
plugin (a module and its dist-info on PYTHONPATH) and publishes through it."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.conftest import Repo, run_humaspost

PLUGIN = '''
"""A platform that writes each part to a file: what a third-party plugin looks like."""

import json
from typing import ClassVar

from humaspost.platforms.base import PartReceipt, Receipt, publish_thread
from humaspost.platforms.rules import SANDBOX_RULES
from humaspost.platforms.specs import PlatformSpec
from dataclasses import replace


class EchoPlatform:
    name: ClassVar[str] = "echo"
    spec: ClassVar[PlatformSpec] = PlatformSpec(
        name="echo", required_fields=frozenset({"channel"})
    )
    rules = replace(SANDBOX_RULES, name="echo", max_length=50)

    def __init__(self, context):
        self.context = context

    def publish(self, parts, account, progress):
        target = self.context.state_dir / f"echo-{account.settings['channel']}.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)

        def send(part, reply_to):
            with target.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"text": part.text, "reply_to": reply_to}) + "\\n")
            number = sum(1 for _ in target.open(encoding="utf-8"))
            return PartReceipt(str(number), f"echo://{number}")

        return publish_thread(parts, progress, send)

    def retract(self, receipt, account):
        pass

    def verify(self, account):
        return f"echoing to {account.settings['channel']}"
'''


def install_plugin(folder: Path) -> Path:
    folder.mkdir()
    (folder / "hp_echo_platform.py").write_text(PLUGIN)
    info = folder / "hp_echo_platform-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hp-echo-platform\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[humaspost.platforms]\necho = hp_echo_platform:EchoPlatform\n"
    )
    return folder


def test_a_plugin_platform_is_configured_checked_and_published_through(
    repo: Repo, tmp_path: Path
) -> None:
    env = {"PYTHONPATH": str(install_plugin(tmp_path / "plugin"))}
    repo.write_config(
        textwrap.dedent(
            """\
            accounts:
              papan:
                platform: echo
                channel: balai-kota
            """
        )
    )
    # In the past by any real clock: humaspost cannot know where a plugin sends, so a
    # `--now` ahead of the real clock would be refused (see test_real_time_guard.py).
    repo.post("a.md", "---\npublish_at: 2020-12-01 08:00\nto: papan\n---\nSatu\n---\nDua\n")
    repo.post("long.yaml", "publish_at: 2020-12-01 08:00\nto: papan\ntext: " + "x" * 51 + "\n")
    check = run_humaspost("check", cwd=repo.root, env=env)
    # The plugin's own rules apply: its 50-character limit.
    assert check.returncode == 1 and "the limit is 50" in check.stdout
    (repo.posts / "long.yaml").unlink()
    sent = run_humaspost("publish", "--now", "2020-12-01 08:00", cwd=repo.root, env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "sent" in sent.stdout and "echo://1" in sent.stdout
    lines = (repo.root / ".humaspost" / "echo-balai-kota.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"text": "Satu", "reply_to": None},
        {"text": "Dua", "reply_to": "1"},
    ]
    verified = run_humaspost("accounts", "--verify", cwd=repo.root, env=env)
    assert "echoing to balai-kota" in verified.stdout


def test_an_unknown_platform_is_a_located_config_error(repo: Repo) -> None:
    repo.write_config("accounts:\n  papan:\n    platform: echo\n")
    result = run_humaspost("check", cwd=repo.root)
    assert result.returncode == 2
    assert "humaspost.yaml:3:15" in result.stderr and "HP508" in result.stderr
