"""Bad input on the command line and in the configuration stops a command with exit 2
and a message for people, never an internal error (issue 9, reproducers 4 and 5)."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import BASE_CONFIG, Repo, run_humaspost

NOW = "2026-12-01 08:00"
POST = "publish_at: 2026-12-10 09:00\nto: [latihan]\ntext: |\n  halo\n"
# Each beyond what Python's datetime holds once converted to UTC.
OUT_OF_RANGE = ("0001-01-01 00:00", "9999-12-31 23:59-12:00")
HUGE = "99999999999999999999"  # more than SQLite's largest integer
LONG = "x" * 5000  # longer than any file name the system takes
LOOP = "lingkaran"  # a link to a link to it (see `office`)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """A repository with one post sent to the sandbox (so a publish log exists) and a
    link loop beside the config. The misuses below change nothing in it."""
    repo = Repo(tmp_path_factory.mktemp("misuse") / "repo")
    repo.post("2026/12/pasar.yaml", POST)
    os.symlink(LOOP + "-2", repo.root / LOOP)
    os.symlink(LOOP, repo.root / (LOOP + "-2"))
    sent = run_humaspost("publish", "--sandbox", "--now", "2026-12-10 09:00", cwd=repo.root)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    return repo


def _times(*command: str, flag: str = "--now") -> list[tuple[str, ...]]:
    return [(*command, flag, moment) for moment in OUT_OF_RANGE]


MISUSES = [
    *_times("check"),
    *_times("schedule"),
    *_times("publish", "--sandbox"),
    *_times("daemon", "--sandbox"),
    *_times("log", "--sandbox", flag="--since"),
    *_times("resolve", "1", "--not-sent", "--sandbox"),
    *_times("retry", "1", "--sandbox"),
    *_times("retract", "2026/12/pasar", "--yes", "--sandbox"),
    ("resolve", HUGE, "--not-sent", "--sandbox"),
    ("retry", HUGE, "--sandbox"),
    ("log", "--limit", HUGE, "--sandbox"),
    ("check", LONG),
    ("check", LOOP),
    ("check", f"nowhere/../{LOOP}"),
    ("publish", "--post", LONG, "--sandbox", "--dry-run"),
    ("publish", "--post", LOOP, "--sandbox", "--dry-run"),
    ("retract", LONG, "--sandbox"),
    ("retract", LOOP, "--sandbox"),
]


@pytest.mark.parametrize("args", MISUSES, ids=lambda args: " ".join(args)[:60])
def test_misuse_is_a_one_line_usage_error(office: Repo, args: tuple[str, ...]) -> None:
    result = run_humaspost(*args, cwd=office.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("humaspost: error: "), result.stderr
    # A value too long to read is shortened, not repeated in full.
    assert len(lines[0]) < 300


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("check", "--config", LONG), {}),
        (("schedule", "--config", LONG), {}),
        (("check", "--config", LOOP), {}),
        (("publish", "--sandbox", "--config", LOOP), {}),
        (("check",), {"HUMASPOST_CONFIG": LOOP}),
    ],
    ids=[
        "long --config",
        "long --config (schedule)",
        "loop --config",
        "loop --config (publish)",
        "loop $HUMASPOST_CONFIG",
    ],
)
def test_an_unusable_config_path_is_hp501(
    office: Repo, args: tuple[str, ...], env: dict[str, str]
) -> None:
    result = run_humaspost(*args, "--now", NOW, cwd=office.root, env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert "error[HP501] config file cannot be used" in first
    assert first.endswith(("file name too long", "its links form a loop"))


def test_the_last_accepted_years_work(office: Repo) -> None:
    for moment in ("1970-01-01 00:00", "9000-12-31 23:59-12:00"):
        for command in ("check", "schedule"):
            result = run_humaspost(command, "--now", moment, cwd=office.root)
            assert result.returncode == 0, result.stdout + result.stderr


def test_post_times_outside_the_years_are_located_hp105(repo: Repo) -> None:
    repo.post("kuno.yaml", POST.replace("2026-12-10 09:00", "0001-01-01 00:00"))
    repo.post("jauh.yaml", POST.replace("2026-12-10 09:00", "9999-12-31 23:59-12:00"))
    repo.post("sampai.md", f"---\n{POST[:29]}repeat: '0 8 * * *'\nuntil: 9001-01-01 00:00\n"
              "to: [latihan]\n---\nhalo\n")  # fmt: skip
    repo.post("baik.yaml", POST)
    result = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "internal error" not in result.stderr
    located = re.findall(r"^(posts/\S+:\d+:\d+): error\[HP105\] (.*)$", result.stdout, re.M)
    assert located == [
        ("posts/jauh.yaml:1:13", "'publish_at': '9999-12-31 23:59-12:00' is outside the years "
         "humaspost works with (1970 to 9000)"),
        ("posts/kuno.yaml:1:13", "'publish_at': '0001-01-01 00:00' is outside the years "
         "humaspost works with (1970 to 9000)"),
        ("posts/sampai.md:4:8", "'until': '9001-01-01 00:00' is outside the years humaspost "
         "works with (1970 to 9000)"),
    ]  # fmt: skip
    assert "4 files, 4 posts: 3 errors" in result.stdout


APPENDED = len(BASE_CONFIG.splitlines()) + 1


def _config_line(line: int, text: str) -> str:
    """BASE_CONFIG with line `line` (1-based) replaced by `text`, or APPENDED."""
    lines = BASE_CONFIG.splitlines()
    lines[line - 1 : line] = [text]
    return "\n".join(lines) + "\n"


CONFIG_MISTAKES = [
    (APPENDED, "max_delay: 99999999999d", "HP503", "'max_delay': '99999999999d' is too long"),
    (APPENDED, "max_delay: " + "9" * 4301 + "s", "HP503", "'max_delay': '999"),
    (1, "timezone: America", "HP507", "unknown timezone 'America'"),
    (1, "timezone: " + "A" * 5000, "HP507", "unknown timezone 'AAA"),
    (APPENDED, f"posts_dir: {LOOP}", "HP503", "'posts_dir' cannot be used as a folder: its "
     "links form a loop"),
    (APPENDED, f"state_dir: {LOOP}/log", "HP503", "'state_dir' cannot be used as a folder: "
     "its links form a loop"),
    (APPENDED, f"posts_dir: {LONG}", "HP503", "'posts_dir' cannot be used as a folder: file "
     "name too long"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "text", "code", "message"),
    CONFIG_MISTAKES,
    ids=[
        "max_delay huge",
        "max_delay 4301 digits",
        "zone folder",
        "zone 5000 chars",
        "posts_dir loop",
        "state_dir loop",
        "posts_dir 5000 chars",
    ],
)
def test_config_mistakes_are_located(
    repo: Repo, line: int, text: str, code: str, message: str
) -> None:
    repo.post("baik.yaml", POST)
    os.symlink(LOOP, repo.root / LOOP)
    repo.write_config(_config_line(line, text))
    result = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "internal error" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"humaspost.yaml:{line}:"), first
    assert f"error[{code}] {message}" in first
    assert len(first) < 300


# Scalars the YAML layer cannot read as what their tag or form says: in the config,
# each is a located problem on its line.
YAML_SCALARS = ["0x_", "0b_", "-0x_", "1" * 4301, "!!float x", "!!int x", "!!bool x"]


@pytest.mark.parametrize("scalar", YAML_SCALARS, ids=lambda s: s[:10])
def test_bad_yaml_scalars_in_the_config_are_located(repo: Repo, scalar: str) -> None:
    repo.post("baik.yaml", POST)
    repo.write_config(_config_line(APPENDED, f"max_delay: {scalar}"))
    result = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert "internal error" not in result.stderr
    assert result.returncode == 2
    assert result.stderr.startswith(f"humaspost.yaml:{APPENDED}:")
