"""One bad post file keeps out only its own post (issue 9, reproducers 1 and 2).

Post files that crashed every command become located errors of that file; and a bug
nobody has found yet, met while reading or checking one file, becomes that file's
HP020 with a crash report, while every other post is still checked, scheduled and
published and the daemon keeps running. The unknown bug is a real plugin whose text
rules raise, installed from a dist-info on PYTHONPATH (see test_plugins.py).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from humaspost.checks import PARALLEL_MIN_FILES, run_check
from humaspost.crash_reports import CrashReports, set_destination
from humaspost.repository import post_files
from humaspost.secrets import remember
from tests.conftest import BASE_CONFIG, Repo, run_humaspost
from tests.test_daemon import daemon, local
from tests.test_daemon import outbox as daemon_outbox

NOW = "2026-12-01 09:00"  # WIB
P = "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: |\n  halo\n"

PLUGIN = '''
"""A platform whose rules have a bug: measuring a text with MELEDAK in it raises."""

from typing import ClassVar

from humaspost.platforms.rules import SANDBOX_RULES, PlatformRules
from humaspost.platforms.specs import PlatformSpec


class _BuggyRules(PlatformRules):
    def measure(self, text):
        if "MELEDAK" in text:
            raise RuntimeError("a bug nobody has found yet")
        return len(text)


class BoomPlatform:
    name: ClassVar[str] = "boom"
    spec: ClassVar[PlatformSpec] = PlatformSpec(name="boom")
    rules = _BuggyRules(**{**vars(SANDBOX_RULES), "name": "boom"})

    def __init__(self, context):
        self.context = context

    def publish(self, parts, account, progress):
        raise AssertionError("the tests publish to the sandbox")

    def retract(self, receipt, account):
        pass

    def verify(self, account):
        return "ok"
'''

CONFIG = """\
timezone: Asia/Jakarta
accounts:
  latihan:
    platform: sandbox
  papan:
    platform: boom
"""


def install_plugin(folder: Path) -> Path:
    folder.mkdir()
    (folder / "hp_boom_platform.py").write_text(PLUGIN)
    info = folder / "hp_boom_platform-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hp-boom-platform\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[humaspost.platforms]\nboom = hp_boom_platform:BoomPlatform\n"
    )
    return folder


def check_json(
    repo: Repo, *args: str, env: dict[str, str] | None = None, ok: tuple[int, ...] = (1,)
) -> dict[str, Any]:
    result = run_humaspost("check", "--now", NOW, "--format", "json", *args, cwd=repo.root, env=env)
    assert result.returncode in ok, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


# -- reproducer 1: post files that crashed every command ------------------------------------

# What P gets, and the problem expected as (code, line, column). None for the code and
# column: the YAML layer decides whether the value is text (then the post is fine) or
# an error, and how to word it; an error is on that line.
CRASHERS = {
    "media-file-without-value": (
        P + "media:\n  - file:\n    alt: gambar\n",
        ("HP110", 6, 5),
    ),
    "hex-number-beyond-repr": (P + "notes: 0x" + "f" * 4000 + "\n", ("HP102", 5, 8)),
    "nul-in-media-file": (
        P + 'media:\n  - file: "a\\0b.png"\n    alt: gambar\n',
        ("HP201", 6, 11),
    ),
    "link-with-a-broken-ipv6-host": (
        P.replace("pemkot-x", "pemkot-fb") + 'facebook:\n  link: "http://[::1"\n',
        ("HP302", 6, 9),
    ),
    # Fixed in yamlpos (scalar construction) and times (overflow): the line is known.
    "hex-underscore": (P + "notes: 0x_\n", (None, 5, None)),
    "bin-underscore": (P + "notes: 0b_\n", (None, 5, None)),
    "negative-hex-underscore": (P + "notes: -0x_\n", (None, 5, None)),
    "4301-digits": (P + "notes: " + "1" * 4301 + "\n", (None, 5, None)),
    "float-tag-on-text": (P + "notes: !!float x\n", (None, 5, None)),
    "int-tag-on-text": (P + "notes: !!int x\n", (None, 5, None)),
    "bool-tag-on-text": (P + "notes: !!bool x\n", (None, 5, None)),
    "deadline-beyond-year-9999": (
        P.replace("2026-12-10 09:00", "9999-12-25 08:00"),
        ("HP105", 1, 13),
    ),
    "repeat-beyond-year-9999": (
        P.replace("2026-12-10 09:00", "9999-12-31 22:00") + "repeat: 0 23 * * *\n",
        ("HP105", 1, 13),
    ),
    "year-1": (P.replace("2026-12-10 09:00", "0001-01-01 00:00"), ("HP105", 1, 13)),
    "year-9999-west-of-utc": (
        P.replace("2026-12-10 09:00", "9999-12-31 23:59-12:00"),
        ("HP105", 1, 13),
    ),
}


@pytest.mark.parametrize("case", list(CRASHERS))
def test_a_post_that_crashed_every_command_is_a_located_error_of_that_file(
    repo: Repo, case: str
) -> None:
    text, (code, line, column) = CRASHERS[case]
    repo.write_config(BASE_CONFIG + "max_delay: 30d\n")  # a deadline far after the time
    repo.post("p.yaml", text)
    repo.post("ok.yaml", "publish_at: 2026-12-10 09:00\nto: pemkot-x\ntext: Halo warga.\n")
    data = check_json(repo, ok=(1,) if code else (0, 1))
    assert data["posts"] >= 1  # ok.yaml is checked as ever
    assert all(p["code"] != "HP020" for p in data["problems"]), data["problems"]
    if not data["problems"] and code is None:
        return  # read as text
    assert {p["file"] for p in data["problems"]} == {"posts/p.yaml"}
    found = [(p["code"], p["line"], p["column"]) for p in data["problems"]]
    assert any(
        (code is None or c == code) and li == line and (column is None or co == column)
        for c, li, co in found
    ), found
    # Planning (schedule, publish) sees the post as check does: held back, no crash.
    planned = run_humaspost("schedule", "--now", NOW, cwd=repo.root)
    assert planned.returncode == 1, planned.stdout + planned.stderr
    assert "held back: posts/p.yaml" in planned.stdout
    assert "internal error" not in planned.stderr


def test_zwk4_an_anchored_key_after_a_complex_key_is_read_or_located(repo: Repo) -> None:
    # YAML test suite case ZWK4; valid YAML, so either read or refused with a place.
    repo.post("p.yaml", P + "? notes\n&x author: b\n")
    result = run_humaspost("check", "--now", NOW, "--format", "json", cwd=repo.root)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert all(p["code"] != "HP020" and 1 <= p["line"] <= 6 for p in problems), problems


def test_control_characters_of_a_media_name_are_shown_escaped(repo: Repo) -> None:
    repo.post("p.yaml", P + 'media:\n  - file: "a\\tb.png"\n')
    result = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert result.returncode == 1
    assert "media file 'a\\tb.png' not found" in result.stdout
    assert "\t" not in result.stdout.split("|")[0]


# -- reproducer 2: isolation ----------------------------------------------------------------


@pytest.fixture
def plugin_env(tmp_path: Path) -> dict[str, str]:
    crash_dir = tmp_path / "tmp"
    crash_dir.mkdir()
    return {"PYTHONPATH": str(install_plugin(tmp_path / "plugin")), "TMPDIR": str(crash_dir)}


def crowded_office(repo: Repo) -> None:
    """30 due posts, one that crashed before its fix, one that meets an unknown bug."""
    repo.write_config(CONFIG)
    for number in range(30):
        repo.post(
            f"2026/12/p{number:02}.yaml",
            f"publish_at: 2026-12-01 08:00\nto: latihan\ntext: Pengumuman nomor {number}.\n",
        )
    repo.post("2026/12/meledak.yaml", "publish_at: 2026-12-01 08:00\nto: papan\ntext: MELEDAK\n")
    repo.post(
        "2026/12/tanpa-file.yaml",
        "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Foto\nmedia:\n  - file:\n",
    )


def hp020(problems: list[dict[str, Any]]) -> dict[str, Any]:
    found = [p for p in problems if p["code"] == "HP020"]
    assert len(found) == 1, problems
    return found[0]


def test_check_reports_an_unknown_bug_as_hp020_of_its_file_and_checks_the_rest(
    repo: Repo, plugin_env: dict[str, str]
) -> None:
    crowded_office(repo)
    repo.post("2027/meledak-lagi.yaml", "publish_at: 2027-01-05 08:00\nto: papan\ntext: MELEDAK\n")
    # Run once (the reports are counted): not three times, as a check with the cache is.
    data = check_json(repo, "--no-cache", env=plugin_env)
    assert data["files"] == 33 and data["posts"] == 30
    again = [p for p in data["problems"] if p["file"] == "posts/2027/meledak-lagi.yaml"]
    assert [p["code"] for p in again] == ["HP020"]
    data["problems"].remove(again[0])
    crash = hp020(data["problems"])
    assert (crash["file"], crash["line"], crash["column"]) == ("posts/2026/12/meledak.yaml", 1, 1)
    assert crash["severity"] == "error"
    match = re.fullmatch(
        r"internal error while reading or checking this file; please report it: "
        r"details in (\S+\.txt)",
        crash["message"],
    )
    assert match is not None, crash["message"]
    report = Path(match.group(1))
    # The same bug at the same place: one report, named by both files.
    assert list(Path(plugin_env["TMPDIR"]).iterdir()) == [report]
    assert again[0]["message"] == crash["message"]
    text = report.read_text(encoding="utf-8")
    assert "while reading or checking posts/2026/12/meledak.yaml" in text
    assert "RuntimeError: a bug nobody has found yet" in text
    others = [(p["file"], p["code"]) for p in data["problems"] if p["code"] != "HP020"]
    assert others == [("posts/2026/12/tanpa-file.yaml", "HP110")]
    text_out = run_humaspost("check", "--now", NOW, cwd=repo.root, env=plugin_env)
    assert text_out.returncode == 1
    assert "posts/2026/12/meledak.yaml:1:1: error[HP020]" in text_out.stdout
    assert "Traceback" not in text_out.stdout + text_out.stderr


def test_publish_sends_every_other_due_post_and_names_the_crashing_file(
    repo: Repo, plugin_env: dict[str, str]
) -> None:
    crowded_office(repo)
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root, env=plugin_env)
    # A file that met a bug gives no post (planning it could meet the bug again), so, like
    # a file with a syntax error, it is named but has no due delivery to fail the run.
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "30 sent"
    assert (
        "2 post file(s) have errors and are held back: "
        "posts/2026/12/meledak.yaml, posts/2026/12/tanpa-file.yaml"
    ) in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    sent = sorted((repo.root / ".humaspost" / "sandbox" / "latihan").glob("*.json"))
    texts = {json.loads(path.read_text("utf-8"))["text"] for path in sent}
    assert texts == {f"Pengumuman nomor {number}." for number in range(30)}


def test_schedule_shows_the_others_and_names_the_crashing_file(
    repo: Repo, plugin_env: dict[str, str]
) -> None:
    crowded_office(repo)
    result = run_humaspost(
        "schedule", "--now", "2026-12-01 07:00", "--format", "json", cwd=repo.root, env=plugin_env
    )
    assert result.returncode == 1, result.stdout + result.stderr  # files with errors
    data = json.loads(result.stdout)
    states = {d["post"]: d["state"] for d in data["deliveries"]}
    assert states == {f"2026/12/p{number:02}": "scheduled" for number in range(30)}
    assert data["problems"] == 2
    text = run_humaspost("schedule", "--now", "2026-12-01 07:00", cwd=repo.root, env=plugin_env)
    assert "held back: posts/2026/12/meledak.yaml, posts/2026/12/tanpa-file.yaml" in text.stdout


def test_the_daemon_holds_back_the_crashing_post_and_keeps_publishing(
    repo: Repo, plugin_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in plugin_env.items():
        monkeypatch.setenv(name, value)
    repo.write_config(CONFIG)
    t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    at = local(t0 + timedelta(seconds=3))
    repo.post("baik.md", f"---\npublish_at: {at}\nto: latihan\n---\nBaik\n")
    repo.post("meledak.md", f"---\npublish_at: {at}\nto: papan\n---\nMELEDAK\n")
    with daemon(repo, t0, "--sandbox") as running:
        held = running.wait_for("post held back")
        assert (held["file"], held["line"], held["code"]) == ("posts/meledak.md", 1, "HP020")
        assert "details in " in held["error"]
        # A file added later that meets the bug on reload: the daemon goes on.
        repo.post("lagi.md", f"---\npublish_at: {at}\nto: [latihan, papan]\n---\nMELEDAK lagi\n")
        running.wait_for("post held back", lambda e: e["file"] == "posts/lagi.md")
        running.wait_for("sent", lambda e: e["post"] == "baik")
        assert running.process.poll() is None
        assert running.terminate() == 0
    assert set(daemon_outbox(repo)) == {("latihan", "Baik")}


def test_worker_processes_isolate_a_crashing_file_too(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(install_plugin(tmp_path / "plugin")))
    crowded_office(repo)
    for number in range(30, PARALLEL_MIN_FILES):
        repo.post(
            f"2027/p{number}.yaml",
            f"publish_at: 2027-01-05 08:00\nto: latihan\ntext: Ke-{number}\n",
        )
    config = repo.config()
    files = post_files(config.posts_dir, [], repo.root)
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    secret = "tokenRahasiaYangTidakBolehBocor"
    remember(secret)
    folder = tmp_path / "reports"
    folder.mkdir()
    set_destination(CrashReports(folder, f"check {secret}", lambda: now))
    try:
        report = run_check(config, files, now, workers=2)
    finally:
        set_destination(None)
    assert report.files == PARALLEL_MIN_FILES + 2 and len(report.posts) == PARALLEL_MIN_FILES
    assert [(p.file, p.code, p.span) for p in report.problems if p.code == "HP020"] == [
        ("posts/2026/12/meledak.yaml", "HP020", (1, 1, 1))
    ]
    (written,) = folder.iterdir()
    assert written.name.startswith("humaspost-crash-20261128T090000Z-")
    text = written.read_text(encoding="utf-8")
    assert "RuntimeError: a bug nobody has found yet" in text
    assert secret not in text and "command: humaspost check ***" in text


def test_without_a_place_for_reports_the_problem_says_so(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(install_plugin(tmp_path / "plugin")))
    crowded_office(repo)
    config = repo.config()
    files = post_files(config.posts_dir, [], repo.root)
    report = run_check(config, files, datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    (crash,) = [p for p in report.problems if p.code == "HP020"]
    assert crash.message.endswith("no crash report could be written (RuntimeError)")
