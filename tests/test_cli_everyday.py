"""Everyday commands where a new user stumbled: global options before the command, `-h`,
`--version`, top-level help at 80 columns, and `log` in local time (bare `--since`
dates, a repeat's occurrence, the sandbox hint, CSV for a spreadsheet)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import pytest

from humaspost import __version__
from humaspost.cli.app import TOP_LEVEL
from tests.conftest import HUMASPOST, Repo, run_humaspost

NOW = "2026-12-01 09:00"  # WIB


@pytest.fixture
def office(repo: Repo) -> Repo:
    """Two posts to sandbox accounts, both due at NOW; one a daily repeat."""
    repo.post(
        "2026/12/aids.md",
        "---\npublish_at: 2026-12-01 08:00\nto: [pemkot-x]\n---\n"
        "Hari AIDS Sedunia: tes HIV gratis di Puskesmas.\n---\nJadwal: Senin-Jumat.\n",
    )
    repo.post(
        "2026/12/senam.yaml",
        "publish_at: 2026-11-23 08:00\nrepeat: '0 8 * * *'\nto: pemkot-fb\n"
        "text: Senam pagi di Alun-alun\n",
    )
    return repo


def published(office: Repo) -> Repo:
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert result.returncode == 0, result.stdout + result.stderr
    return office


def test_config_and_debug_before_the_command(repo: Repo, tmp_path: object) -> None:
    elsewhere = repo.root / "elsewhere"
    elsewhere.mkdir()
    before = run_humaspost("--config", "../humaspost.yaml", "check", cwd=elsewhere)
    after = run_humaspost("check", "--config", "../humaspost.yaml", cwd=elsewhere)
    assert before.returncode == after.returncode == 0, before.stderr
    assert before.stdout == after.stdout
    debug = run_humaspost("--debug", "--config", "../humaspost.yaml", "check", cwd=elsewhere)
    assert (debug.returncode, debug.stdout) == (0, after.stdout)
    # The command's own --config wins over one given before it.
    wrong = run_humaspost("--config", "nowhere.yaml", "check", "--config",
                          "../humaspost.yaml", cwd=elsewhere)  # fmt: skip
    assert wrong.returncode == 0, wrong.stderr
    missing = run_humaspost("--config", "nowhere.yaml", "check", cwd=elsewhere)
    assert missing.returncode != 0 and "nowhere.yaml" in missing.stderr


def test_version_and_short_help(repo: Repo) -> None:
    version = run_humaspost("--version", cwd=repo.root)
    assert (version.returncode, version.stdout) == (0, f"humaspost {__version__}\n")
    for args in ([], ["check"], ["log"], ["schedule"]):
        short, long = (run_humaspost(*args, flag, cwd=repo.root) for flag in ("-h", "--help"))
        assert short.returncode == long.returncode == 0, short.stderr
        assert short.stdout == long.stdout and "-h, --help" in short.stdout


def test_top_level_help_is_whole_at_80_columns(repo: Repo) -> None:
    result = run_humaspost("--help", cwd=repo.root, env={"COLUMNS": "80"})
    commands = result.stdout.split("Commands:\n")[1].splitlines()
    assert len(commands) == len(TOP_LEVEL)  # one line each
    for line in commands:
        assert len(line) <= 80 and line.endswith(".") and not line.endswith("..."), line


def test_log_shows_local_times_and_a_repeat_in_local_time(office: Repo) -> None:
    text = run_humaspost("log", "--sandbox", cwd=published(office).root)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[:3] == ["Sandbox log, newest first (times in WIB)", "", "Tuesday, 1 December 2026"]
    rows = [line for line in lines if "→" in line]
    assert len(rows) == 2 and all(re.match(r"\d  09:\d\d  sent  ", line) for line in rows)
    senam = next(line for line in rows if "senam" in line)
    # The daily repeat's 1 December at 08:00 WIB (01:00 UTC in the log's key), and the
    # outbox file it went to, named by when it was sent.
    assert senam.endswith("2026/12/senam → pemkot-fb @ 08:00  2026-12-01_0900_2026-12-senam_1.json")


def test_log_since_a_bare_date_is_local_midnight(office: Repo) -> None:
    published(office)

    def since(value: str) -> int:
        result = run_humaspost("log", "--sandbox", "--format", "json", "--since", value,
                               cwd=office.root)  # fmt: skip
        assert result.returncode == 0, result.stderr
        return len(json.loads(result.stdout))

    # Sent at about 09:00 WIB on 1 December (real time is shifted by --now, so rows
    # are stamped around then).
    assert since("2026-12-01") == 2
    assert since("2026-12-02") == 0
    assert since("2026-12-01 23:00") == 0
    bad = run_humaspost("log", "--since", "2026-13-01", cwd=office.root)
    assert bad.returncode == 2 and "--since" in bad.stderr


def test_log_on_the_real_log_points_to_the_sandbox(office: Repo) -> None:
    empty = run_humaspost("log", cwd=office.root)
    assert empty.stdout == "the publish log has no matching deliveries\n"
    published(office)
    real = run_humaspost("log", cwd=office.root)
    assert real.returncode == 0
    assert real.stdout == (
        "the publish log has no deliveries; only the sandbox log has deliveries: add --sandbox\n"
    )
    filtered = run_humaspost("log", "--sandbox", "--state", "failed", cwd=office.root)
    assert filtered.stdout == "the publish log has no matching deliveries\n"


def test_log_csv_opens_in_a_spreadsheet(office: Repo) -> None:
    published(office)
    raw = subprocess.run(
        [str(HUMASPOST), "log", "--sandbox", "--format", "csv"],
        cwd=office.root,
        capture_output=True,
        check=False,
        env={"NO_COLOR": "1", "PATH": "", "HUMASPOST_LANG": "en"},
    )
    assert raw.returncode == 0, raw.stderr
    assert raw.stdout.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.stdout.decode("utf-8-sig"), newline="")))
    assert list(table[0]) == ["id", "post", "occurrence", "account", "platform", "kind", "state",
                              "due_at", "sent_at", "updated_at", "attempts", "url", "error",
                              "commit", "blob", "author", "committed", "text"]  # fmt: skip
    by_post = {row["post"]: row for row in table}
    aids, senam = by_post["2026/12/aids"], by_post["2026/12/senam"]
    assert aids["text"] == "Hari AIDS Sedunia: tes HIV gratis di Puskesmas."
    assert aids["due_at"] == "2026-12-01 08:00:00" and aids["occurrence"] == "once"
    assert aids["kind"] == "post"
    assert aids["sent_at"].startswith("2026-12-01 09:")
    assert senam["occurrence"] == "2026-12-01 08:00 WIB"
    assert senam["text"] == "Senam pagi di Alun-alun"
    # A post file that no longer loads leaves its text empty; the row stays.
    (office.posts / "2026/12/aids.md").write_text("---\npublish_at: [\n---\n", "utf-8")
    again = run_humaspost("log", "--sandbox", "--format", "csv", cwd=office.root)
    rows = {r["post"]: r for r in csv.DictReader(io.StringIO(again.stdout.lstrip("\ufeff")))}
    assert rows["2026/12/aids"]["text"] == "" and rows["2026/12/aids"]["state"] == "sent"
