"""`humaspost check` end to end: the installed command in a subprocess, as CI runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import Repo, run_humaspost

PROJECT = Path(__file__).resolve().parents[1]
FUTURE = "publish_at: 2027-01-05 08:00\n"
# The moment every `check` below works at: FUTURE is ahead of it whatever the date.
NOW = "2026-11-28 09:00"


def test_bundled_example_checks_clean() -> None:
    result = run_humaspost("check", "--config", "config.example.yaml", "--now", NOW, cwd=PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout


def test_errors_read_like_a_compiler(repo: Repo) -> None:
    repo.post("2027/01/a.yaml", FUTURE + "to: [pemkot-x, pemkot-ig]\ntext: Halo warga\n")
    result = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "posts/2027/01/a.yaml:2:16: error[HP103] unknown account or group 'pemkot-ig' in 'to'"
    )
    assert lines[1].endswith("| to: [pemkot-x, pemkot-ig]")
    assert lines[2].endswith("|                ^^^^^^^^^")
    assert "hint: did you mean 'pemkot-x'?" in lines[3]
    assert "1 error" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_json_output_is_stable_and_complete(repo: Repo) -> None:
    repo.post("ok.md", f"---\n{FUTURE}to: pemkot-x\n---\nSatu\n---\nDua https://bekasikota.go.id\n")
    repo.post("bad.yaml", FUTURE + "text: a\ndraft: ya\n")
    result = run_humaspost("check", "--now", NOW, "--format", "json", cwd=repo.root)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("files", "posts", "errors", "warnings")} == {
        "files": 2,
        "posts": 1,
        "errors": 1,
        "warnings": 0,
    }
    assert data["problems"] == [
        {
            "file": "posts/bad.yaml",
            "line": 3,
            "column": 8,
            "severity": "error",
            "code": "HP102",
            "message": "'draft' must be true or false, not 'ya'",
        }
    ]
    (post,) = data["posts_checked"]
    assert post["id"] == "ok" and post["file"] == "posts/ok.md"
    (delivery,) = post["deliveries"]
    assert delivery["account"] == "pemkot-x" and delivery["platform"] == "twitter"
    assert delivery["publish_at"] == "2027-01-05T01:00:00+00:00"
    assert delivery["parts"] == [{"length": 4, "limit": 280}, {"length": 27, "limit": 280}]


def test_github_annotations(repo: Repo) -> None:
    repo.post("a.yaml", FUTURE + "to: nope\ntext: a\n")
    result = run_humaspost("check", "--now", NOW, "--format", "github", cwd=repo.root)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("::error file=posts/a.yaml,line=2,col=5,title=HP103::")
    assert "unknown account or group 'nope'" in first


def test_strict_fails_on_warnings(repo: Repo) -> None:
    repo.post("old.yaml", "publish_at: 2020-01-01 08:00\ntext: a\n")
    assert run_humaspost("check", "--now", NOW, cwd=repo.root).returncode == 0
    strict = run_humaspost("check", "--now", NOW, "--strict", cwd=repo.root)
    assert strict.returncode == 1
    assert "warning[HP401]" in strict.stdout


def test_explicit_paths_and_discovery_from_a_subfolder(repo: Repo) -> None:
    repo.post("2027/a.yaml", FUTURE + "text: a\n")
    repo.post("2027/b.yaml", FUTURE + "text: b\nto: nope\n")
    sub = repo.posts / "2027"
    only_a = run_humaspost("check", "--now", NOW, "a.yaml", cwd=sub)
    assert only_a.returncode == 0 and "1 file, 1 post" in only_a.stdout
    folder = run_humaspost("check", "--now", NOW, ".", cwd=sub)
    assert folder.returncode == 1 and "b.yaml:3:5" in folder.stdout


def test_config_from_environment_variable(repo: Repo, tmp_path: Path) -> None:
    repo.post("a.yaml", FUTURE + "text: a\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"HUMASPOST_CONFIG": str(repo.root / "humaspost.yaml")}
    assert run_humaspost("check", "--now", NOW, cwd=elsewhere, env=env).returncode == 0


def test_check_needs_no_secrets(repo: Repo) -> None:
    repo.post("a.yaml", FUTURE + "text: a\n")
    result = run_humaspost("check", "--now", NOW, cwd=repo.root, env={"FB_TOKEN": ""})
    assert result.returncode == 0


def test_config_errors_exit_2_and_never_print_secrets(repo: Repo) -> None:
    token = "EAAGsupersecretpagetoken123"
    repo.write_config(
        f"accounts:\n  pemkot-fb:\n    platform: facebook\n    page_id: '1'\n    access_token: {token}\n"
    )
    for fmt in ("text", "json", "github"):
        result = run_humaspost("check", "--now", NOW, "--format", fmt, cwd=repo.root)
        assert result.returncode == 2
        assert token not in result.stdout + result.stderr
        assert "HP504" in result.stdout + result.stderr
    text = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert "humaspost.yaml:5:19" in text.stderr


def test_no_config_found(tmp_path: Path) -> None:
    result = run_humaspost("check", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 2
    assert "HP501" in result.stderr and "humaspost init" in result.stderr


def test_usage_errors_exit_2_without_traceback(repo: Repo) -> None:
    for args in (
        ["check", "--format", "xml"],
        ["check", "--bogus"],
        ["check", "missing.md"],
        ["check", "--now", "besok"],
    ):
        result = run_humaspost(*args, cwd=repo.root)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr


def test_unreadable_post_is_a_located_error_not_a_crash(repo: Repo) -> None:
    path = repo.post("a.yaml", FUTURE + "text: a\n")
    path.write_bytes(b"\x00\xff\xfe garbage \x80")
    result = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert result.returncode == 1
    assert "posts/a.yaml:1:" in result.stdout and "HP002" in result.stdout


def test_python_dash_m_runs_the_same_command(repo: Repo) -> None:
    repo.post("a.yaml", FUTURE + "text: a\n")
    result = subprocess.run(
        [sys.executable, "-m", "humaspost", "check", "--now", NOW],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_edit_to_a_published_post_warns_it_will_not_be_sent(repo: Repo) -> None:
    repo.write_config("accounts: {latihan: {platform: sandbox}}\ndefaults: {to: [latihan]}\n")
    post = repo.post("a.yaml", "publish_at: 2026-12-01 08:00\ntext: Halo warga\n")
    sent = run_humaspost("publish", "--now", "2026-12-01 08:01", cwd=repo.root)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    unchanged = run_humaspost("check", "--now", "2026-12-05 08:00", cwd=repo.root)
    # Sent, so neither an edit warning nor a "will be missed" warning.
    assert unchanged.returncode == 0 and "no problems" in unchanged.stdout
    post.write_text("publish_at: 2026-12-01 08:00\ntext: Halo warga Bekasi\n")
    edited = run_humaspost("check", "--now", "2026-12-05 08:00", cwd=repo.root)
    assert edited.returncode == 0
    assert "warning[HP403] this post was already published to 'latihan'" in edited.stdout
    assert "posts/a.yaml:2:7" in edited.stdout


def test_a_repeat_every_half_hour_fails_check(repo: Repo) -> None:
    repo.post("rutin/info.yaml", FUTURE + 'repeat: "*/30 * * * *"\nto: pemkot-fb\ntext: Info\n')
    repo.post("rutin/jam.yaml", FUTURE + 'repeat: "0 8-9 * * *"\nto: pemkot-fb\ntext: Jam\n')
    result = run_humaspost("check", cwd=repo.root)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "posts/rutin/info.yaml:2:9: error[HP116] 'repeat: */30 * * * *' fires more than once "
        "an hour; that floods followers' timelines and looks like spam to the platforms"
    )
    assert result.stdout.count("error[") == 1  # hourly is fine


# `check` imports the daemon module's neighbours; fcntl (POSIX only) must not be needed.
RUN_CHECK_WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows
from humaspost.cli.app import main
sys.argv = ["humaspost", "check"]
main()
"""


def test_check_runs_where_fcntl_does_not_exist(repo: Repo) -> None:
    repo.post("a.yaml", FUTURE + 'repeat: "0 8 * * 1"\nto: pemkot-fb\ntext: Halo\n')
    result = subprocess.run(
        [sys.executable, "-c", RUN_CHECK_WITHOUT_FCNTL],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no problems" in result.stdout
