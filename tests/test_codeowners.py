"""`humaspost codeowners`: the CODEOWNERS file made from the config's `owners` and
`paths`, and `check`'s warning when the repository's is missing or stale (HP512)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import Repo, run_humaspost
from tests.git_office import CITY_EDITOR, OFFICES_CONFIG, GitOffice

NOW = "2026-12-01 08:00"
HEADER = (
    "# Made by 'humaspost codeowners' from humaspost.yaml: do not edit it here.\n"
    "# Change 'owners' and 'paths' there, then run: humaspost codeowners --write\n"
    "# The last line that matches a file names its reviewers.\n"
    "\n"
)
# What OFFICES_CONFIG gives: everything to the city office, each office's folder to its
# reviewers (general patterns before specific ones: the last match wins), and the
# config, media/ and .github/ (CODEOWNERS, the check workflow) back to the city office.
OFFICES_RULES = (
    "*  @pemkot-bekasi/humas\n"
    "/posts/kota/**  @pemkot-bekasi/humas\n"
    "/posts/kecamatan/**  @pemkot-bekasi/redaksi\n"
    "/posts/kecamatan/bekasi-timur/**  @pemkot-bekasi/humas-bekasi-timur\n"
    "/posts/kecamatan/bekasi-barat/**  @pemkot-bekasi/humas-bekasi-barat @siti-barat\n"
    "/humaspost.yaml  @pemkot-bekasi/humas\n"
    "/media/  @pemkot-bekasi/humas\n"
    "/.github/  @pemkot-bekasi/humas\n"
)


def hp512(output: str) -> list[str]:
    return [line for line in output.splitlines() if "HP512" in line]


def test_the_output_gives_each_folder_to_the_owners_the_config_names(tmp_path: Path) -> None:
    office = GitOffice(tmp_path / "humas")
    printed = run_humaspost("codeowners", cwd=office.root / "posts")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == HEADER + OFFICES_RULES
    assert printed.stderr == ""


def test_write_then_check_is_quiet_until_the_config_changes(tmp_path: Path) -> None:
    office = GitOffice(tmp_path / "humas")
    missing = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert hp512(missing.stdout) == [
        "humaspost.yaml:1:1: warning[HP512] the config names 'owners', but the repository "
        "has no CODEOWNERS file"
    ]
    assert "= hint: run 'humaspost codeowners --write' and commit .github/CODEOWNERS" in (
        missing.stdout
    )
    assert missing.returncode == 0  # a warning: posts still go out

    wrote = run_humaspost("codeowners", "--write", cwd=office.root)
    assert wrote.stdout == "wrote .github/CODEOWNERS: commit it with the config\n"
    assert (office.root / ".github/CODEOWNERS").read_text() == HEADER + OFFICES_RULES
    office.commit("CODEOWNERS from the config", CITY_EDITOR)
    again = run_humaspost("codeowners", "--write", cwd=office.root)
    assert again.stdout == ".github/CODEOWNERS is up to date\n"
    current = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert current.stdout == "✓ 0 files, 0 posts: no problems\n"

    # A new reviewer for Bekasi Timur: the committed CODEOWNERS no longer says so.
    office.write(
        "humaspost.yaml",
        OFFICES_CONFIG.replace("@pemkot-bekasi/humas-bekasi-timur", "@pemkot-bekasi/camat-timur"),
    )
    stale = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert hp512(stale.stdout) == [
        "humaspost.yaml:1:1: warning[HP512] .github/CODEOWNERS is older than the config: it "
        "does not give the folders to the owners the config names"
    ]
    assert run_humaspost("check", "--strict", "--now", NOW, cwd=office.root).returncode == 1
    run_humaspost("codeowners", "--write", cwd=office.root)
    assert hp512(run_humaspost("check", "--now", NOW, cwd=office.root).stdout) == []


def test_only_the_rules_count_not_comments_language_or_place(tmp_path: Path) -> None:
    office = GitOffice(tmp_path / "humas")
    # Written in Indonesian, kept where GitHub also looks (docs/), spaced differently.
    written = run_humaspost("codeowners", cwd=office.root, env={"HUMASPOST_LANG": "id"})
    assert written.stdout.startswith(
        "# Dibuat oleh 'humaspost codeowners' dari humaspost.yaml: jangan diubah di sini.\n"
    )
    assert written.stdout.endswith(OFFICES_RULES)
    office.write("docs/CODEOWNERS", written.stdout.replace("  @", "    @"))
    assert hp512(run_humaspost("check", "--now", NOW, cwd=office.root).stdout) == []
    # A line added by hand is a rule the config does not have.
    office.write("docs/CODEOWNERS", written.stdout + "/posts/rahasia/**  @budi\n")
    assert len(hp512(run_humaspost("check", "--now", NOW, cwd=office.root).stdout)) == 1


def test_the_stale_warning_in_indonesian(tmp_path: Path) -> None:
    office = GitOffice(tmp_path / "humas")
    checked = run_humaspost("check", "--now", NOW, cwd=office.root, env={"HUMASPOST_LANG": "id"})
    assert hp512(checked.stdout) == [
        "humaspost.yaml:1:1: peringatan[HP512] konfigurasi menyebut 'owners', tetapi "
        "repositori tidak punya berkas CODEOWNERS"
    ]
    assert "= saran: jalankan 'humaspost codeowners --write' lalu commit .github/CODEOWNERS" in (
        checked.stdout
    )


def test_paths_are_written_from_the_git_repositorys_root(tmp_path: Path) -> None:
    # The office's humaspost.yaml lives in a folder of a larger repository.
    root = tmp_path / "kota"
    (root / "humas" / "posts").mkdir(parents=True)
    (root / "humas" / "humaspost.yaml").write_text(OFFICES_CONFIG)
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    printed = run_humaspost("codeowners", cwd=root / "humas")
    assert printed.stdout.replace(HEADER.replace("humaspost.yaml", "humas/humaspost.yaml"), "") == (
        OFFICES_RULES.replace("/posts/", "/humas/posts/")
        .replace("/humaspost.yaml", "/humas/humaspost.yaml")
        .replace("/media/", "/humas/media/")
    )
    wrote = run_humaspost("codeowners", "--write", cwd=root / "humas")
    assert wrote.stdout == "wrote ../.github/CODEOWNERS: commit it with the config\n"
    assert (root / ".github" / "CODEOWNERS").read_text() == printed.stdout


def test_one_pattern_of_several_accounts_is_one_line_with_all_their_owners(repo: Repo) -> None:
    repo.write_config(
        """\
        owners: ["@kota/humas"]
        accounts:
          kec-timur-x:
            platform: sandbox
            paths: [kecamatan/bekasi-timur/**]
            owners: ["@kota/timur"]
          kec-timur-fb:
            platform: sandbox
            paths: [kecamatan/bekasi-timur/**, "kecamatan/bekasi-timur-lama/*"]
            owners: ["@kota/timur", "@kota/camat-timur"]
          semua:
            platform: sandbox
            paths: ["**"]
            owners: ["@kota/redaksi"]
        """
    )
    printed = run_humaspost("codeowners", cwd=repo.root)
    # Outside git the config's folder is the root.
    assert printed.stdout == HEADER + (
        "*  @kota/humas\n"
        "/posts/**  @kota/redaksi\n"
        "/posts/kecamatan/bekasi-timur/**  @kota/timur @kota/camat-timur\n"
        "/posts/kecamatan/bekasi-timur-lama/*  @kota/timur @kota/camat-timur\n"
        "/humaspost.yaml  @kota/humas\n"
        "/media/  @kota/humas\n"
        "/.github/  @kota/humas\n"
    )


def test_without_top_level_owners_it_says_the_config_has_no_reviewers(repo: Repo) -> None:
    repo.write_config(
        """\
        accounts:
          kec-timur:
            platform: sandbox
            paths: [kecamatan/bekasi-timur/**]
            owners: ["@kota/timur"]
        """
    )
    printed = run_humaspost("codeowners", cwd=repo.root)
    assert printed.returncode == 0
    assert printed.stdout == HEADER + "/posts/kecamatan/bekasi-timur/**  @kota/timur\n"
    assert printed.stderr == (
        "note: the config has no top-level 'owners', so nobody's review is needed for "
        "changes to the config, media/ or .github/\n"
    )


def test_without_any_owners_there_is_nothing_to_write(repo: Repo) -> None:
    refused = run_humaspost("codeowners", "--write", cwd=repo.root)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "the config names no 'owners': there is nobody to put in CODEOWNERS" in refused.stderr
    assert not (repo.root / ".github").exists()
    indonesian = run_humaspost("codeowners", cwd=repo.root, env={"HUMASPOST_LANG": "id"})
    assert "konfigurasi tidak menyebut 'owners'" in indonesian.stderr
    # No owners anywhere: check does not ask for a CODEOWNERS file.
    assert hp512(run_humaspost("check", cwd=repo.root).stdout) == []
