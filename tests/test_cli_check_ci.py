"""`check` in CI and editors: `--changed-since` with real git, the pre-commit hook and
the GitHub Action shipped at the root, and HP510 for a `.env` that leaks."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import HUMASPOST, Repo, run_humaspost

PROJECT = Path(__file__).resolve().parents[1]
NOW = "2026-11-28 09:00"
FUTURE = "publish_at: 2027-01-05 08:00\nto: [latihan]\n"
SECRET = "s3cr3t-token-value-1234"


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a CI runner would, with a committer named in the command."""
    result = subprocess.run(
        ["git", "-c", "user.name=Humas", "-c", "user.email=humas@example.org", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture
def committed(repo: Repo) -> Repo:
    """The repository in git, with one good post (to X, which refuses repeated texts)
    and one with a warning (HP401) committed."""
    repo.post("lama.yaml", "publish_at: 2027-01-05 08:00\nto: [pemkot-x]\ntext: Pengumuman lama\n")
    repo.post("lewat.yaml", "publish_at: 2026-01-05 08:00\nto: [latihan]\ntext: Sudah lewat\n")
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "awal")
    return repo


def check(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return run_humaspost("check", "--now", NOW, *args, cwd=repo.root)


def test_nothing_changed_passes_with_a_clear_message(committed: Repo) -> None:
    result = check(committed, "--strict", "--changed-since", "main")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no post files changed since main" in result.stdout
    # The old warning (HP401) would fail --strict on the whole repository.
    assert check(committed, "--strict").returncode == 1


def test_only_added_modified_and_renamed_files_are_checked(committed: Repo) -> None:
    committed.post("baru dengan spasi.yaml", FUTURE + "id: baru\ntext: Pengumuman baru\n")
    committed.post("lama.yaml", FUTURE + "text: Pengumuman lama, diubah\n")
    git(committed.root, "mv", "posts/lewat.yaml", "posts/pindah.yaml")
    (committed.posts / "_catatan.md").write_text("not a post\n", encoding="utf-8")
    git(committed.root, "add", "-A")
    git(committed.root, "commit", "-q", "-m", "ubah")
    result = check(committed, "--format", "json", "--changed-since", "HEAD~1")
    data = json.loads(result.stdout)
    assert sorted(p["file"] for p in data["posts_checked"]) == [
        "posts/baru dengan spasi.yaml",
        "posts/lama.yaml",
        "posts/pindah.yaml",
    ]
    # The renamed post still warns (HP401); it is among the changed files.
    assert [p["code"] for p in data["problems"]] == ["HP401"]
    assert result.returncode == 0
    github = check(committed, "--strict", "--format", "github", "--changed-since", "HEAD~1")
    assert github.returncode == 1
    assert "file=posts/pindah.yaml" in github.stdout
    assert "3 files changed since HEAD~1" in github.stdout


def test_duplicates_are_found_against_all_posts(committed: Repo) -> None:
    committed.post("salinan.yaml", FUTURE + "id: lama\ntext: Pengumuman lain\n")
    committed.post(
        "sama.yaml", "publish_at: 2027-01-06 08:00\nto: [pemkot-x]\ntext: Pengumuman lama\n"
    )
    git(committed.root, "add", "-A")
    result = check(committed, "--format", "json", "--changed-since", "main")
    data = json.loads(result.stdout)
    found = {(p["file"], p["code"]) for p in data["problems"]}
    assert found == {("posts/salinan.yaml", "HP112"), ("posts/sama.yaml", "HP402")}
    assert data["files"] == 2  # the unchanged posts/lama.yaml is compared, not reported
    assert result.returncode == 1


def test_unknown_ref_and_no_git_repository_are_usage_errors(repo: Repo) -> None:
    repo.post("a.yaml", FUTURE + "text: Halo\n")
    outside = check(repo, "--changed-since", "main")
    assert outside.returncode == 2
    assert "not in a git repository" in outside.stderr
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "awal")
    unknown = check(repo, "--changed-since", "origin/main")
    assert unknown.returncode == 2
    assert "git does not know 'origin/main'" in unknown.stderr
    assert "fetch-depth: 0" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    both = check(repo, "--changed-since", "main", "posts/a.yaml")
    assert both.returncode == 2
    assert "not both" in both.stderr


def test_pre_commit_hook_and_action_are_shipped() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    [hook] = hooks
    assert hook["id"] == "humaspost-check"
    assert hook["entry"] == "humaspost check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["files"] == r"^posts/.*\.(md|ya?ml)$"
    action = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
    assert set(action["inputs"]) == {"strict", "changed-since", "python-version"}
    assert action["runs"]["using"] == "composite"
    runs = [step.get("run", "") for step in action["runs"]["steps"]]
    assert 'pip install "${{ github.action_path }}"' in runs
    assert any("humaspost check --format github" in run for run in runs)
    uses = [step.get("uses", "") for step in action["runs"]["steps"]]
    assert any(u.startswith("actions/setup-python@") for u in uses)


def test_the_action_runs_the_check_it_promises(committed: Repo) -> None:
    """The action's shell step, run with its inputs set, checks the changed files."""
    action = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if "humaspost check" in s.get("run", ""))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env["PATH"] = os.pathsep.join([str(HUMASPOST.parent), env.get("PATH", "")])
    env.update(
        {"HP_STRICT": "true", "HP_CHANGED_SINCE": "main", "NO_COLOR": "1", "HUMASPOST_LANG": "en"}
    )
    result = subprocess.run(
        ["bash", "-c", step["run"]],
        cwd=committed.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no post files changed since main" in result.stdout


def test_env_file_tracked_or_readable_warns_without_its_values(committed: Repo) -> None:
    env_file = committed.root / ".env"
    env_file.write_text(f"# token\nX_KEY={SECRET}\n", encoding="utf-8")
    env_file.chmod(0o600)
    assert check(committed).stdout.count("HP510") == 0  # private and untracked: fine
    env_file.chmod(0o644)
    readable = check(committed, "--strict")
    assert readable.returncode == 1
    assert ".env:1:1: warning[HP510]" in readable.stdout
    assert "chmod 600 .env" in readable.stdout
    env_file.chmod(0o600)
    git(committed.root, "add", "-f", ".env")
    tracked = check(committed, "--format", "json")
    [problem] = [p for p in json.loads(tracked.stdout)["problems"] if p["code"] == "HP510"]
    assert problem["file"] == ".env" and (problem["line"], problem["column"]) == (1, 1)
    assert "tracked by git" in problem["message"]
    for result in (readable, tracked, check(committed), check(committed, "--format", "github")):
        assert SECRET not in result.stdout + result.stderr


def test_env_file_without_values_is_not_reported(committed: Repo) -> None:
    env_file = committed.root / ".env"
    env_file.write_text("# isi nilainya di sini\nX_KEY=\n", encoding="utf-8")
    env_file.chmod(0o644)
    git(committed.root, "add", "-f", ".env")
    assert "HP510" not in check(committed).stdout
