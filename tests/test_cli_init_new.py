"""`humaspost init` and `humaspost new` end to end: the first day of a new office."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from humaspost.newpost import slug
from tests.conftest import Repo, run_humaspost

NOW = "2026-12-01 10:00"
TOMORROW_9 = "2026-12-02 09:00"
MADE = [
    "humaspost.yaml",
    "posts/contoh-latihan.md",
    "media/.gitkeep",
    ".gitignore",
    ".env.example",
    ".github/workflows/check-posts.yml",
]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    return done.stdout.strip()


def test_fresh_init_passes_check_and_publishes_to_the_sandbox(tmp_path: Path) -> None:
    made = run_humaspost("init", "kantor humas", "--language", "en", "--now", NOW, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    for name in MADE:
        assert f"created kantor humas/{name}\n" in made.stdout
    # A new office's folder becomes a git repository: posts are reviewed and published
    # from git ('publish_from: committed').
    assert (
        "created kantor humas/.github/workflows/check-posts.yml\n"
        "Made a git repository in kantor humas: commit these files to start its history.\n"
        "\nNext:\n"
    ) in made.stdout
    assert "cd 'kantor humas'" in made.stdout
    for step in ("humaspost check", "humaspost new", "humaspost publish --sandbox"):
        assert step in made.stdout
    root = tmp_path / "kantor humas"
    assert "publish_at: 2026-12-02 09:00" in (root / "posts/contoh-latihan.md").read_text()
    assert git(root, "rev-parse", "--show-toplevel") == str(root.resolve())
    assert git(root, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert "\npublish_from: committed\n" in (root / "humaspost.yaml").read_text()

    checked = run_humaspost("check", "--now", NOW, cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 file, 1 post: no problems" in checked.stdout
    sent = run_humaspost("publish", "--sandbox", "--now", TOMORROW_9, cwd=root)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "contoh-latihan → latihan" in sent.stdout and "1 sent" in sent.stdout


def test_init_writes_what_the_office_needs(tmp_path: Path) -> None:
    made = run_humaspost("init", "--now", NOW, cwd=tmp_path)
    assert made.returncode == 0
    assert (
        "Repositori git dibuat di sini: commit berkas-berkas ini untuk memulai riwayatnya.\n"
    ) in made.stdout
    config = yaml.safe_load((tmp_path / "humaspost.yaml").read_text())
    assert config["timezone"] == "Asia/Jakarta" and config["language"] == "id"
    assert config["accounts"] == {"latihan": {"platform": "sandbox", "like": "twitter"}}
    assert config["defaults"] == {"to": ["latihan"]}
    assert config["groups"] == {"semua": ["latihan"]}
    assert config["publish_from"] == "committed"
    config_text = (tmp_path / "humaspost.yaml").read_text()
    assert "#   consumer_key: ${X_PEMKOT_CONSUMER_KEY}" in config_text
    assert "#   access_token: ${FB_PEMKOT_PAGE_TOKEN}" in config_text
    assert (tmp_path / ".gitignore").read_text().splitlines()[1::2] == [".humaspost/", ".env"]
    env_example = (tmp_path / ".env.example").read_text()
    assert "FB_PEMKOT_PAGE_TOKEN=\n" in env_example
    # Names only: every variable line ends at its '='.
    assert all(line.endswith("=") for line in env_example.splitlines() if "=" in line)
    workflow = yaml.safe_load((tmp_path / ".github/workflows/check-posts.yml").read_text())
    runs = [step.get("run") for step in workflow["jobs"]["check"]["steps"]]
    assert runs[-2:] == [
        'pip install "git+https://github.com/OWNER/humaspost"',
        "humaspost check --format github",
    ]
    assert (tmp_path / "media/.gitkeep").read_text() == ""


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    first = run_humaspost("init", "--language", "en", "--now", NOW, cwd=tmp_path)
    assert "kept    .gitignore  (exists; left unchanged)" in first.stdout
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n"
    (tmp_path / "humaspost.yaml").write_text("timezone: Asia/Makassar\naccounts: {}\n")
    again = run_humaspost("init", "--language", "en", "--now", "2027-01-01 10:00", cwd=tmp_path)
    assert again.returncode == 0
    assert "created" not in again.stdout and "Nothing to create" in again.stdout
    assert (tmp_path / "humaspost.yaml").read_text().startswith("timezone: Asia/Makassar")
    assert "2026-12-02 09:00" in (tmp_path / "posts/contoh-latihan.md").read_text()


def test_init_inside_a_git_repository_makes_no_second_one(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    made = run_humaspost("init", "humas", "--language", "en", "--now", NOW, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert not (tmp_path / "humas" / ".git").exists()
    assert "git repository" not in made.stdout
    # Run again where init made one: nothing to create, nothing said about git.
    (tmp_path / "other").mkdir()
    assert (
        run_humaspost("init", "--language", "en", "--now", NOW, cwd=tmp_path / "other").returncode
        == 0
    )
    again = run_humaspost("init", "--language", "en", "--now", NOW, cwd=tmp_path / "other")
    assert "Nothing to create: every file already exists." in again.stdout
    assert "git repository" not in again.stdout


def test_init_without_git_says_so_and_check_warns(tmp_path: Path) -> None:
    no_git = {"PATH": str(tmp_path / "no-programs")}  # the command itself needs no PATH
    made = run_humaspost("init", "humas", "--now", NOW, cwd=tmp_path, env=no_git)
    assert made.returncode == 0, made.stderr
    assert (
        "git belum terpasang, jadi repositori git tidak dibuat: 'publish_from: committed' "
        "memerlukannya untuk menerbitkan.\n"
    ) in made.stdout
    checked = run_humaspost("check", "--now", NOW, cwd=tmp_path / "humas", env=no_git)
    assert (
        "humaspost.yaml:1:1: peringatan[HP513] git belum terpasang, padahal konfigurasi "
        "memakai 'publish_from: committed', yang bergantung pada git\n"
    ) in checked.stdout
    assert "= saran: pasang git di komputer ini\n" in checked.stdout


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "berkas").write_text("")
    result = run_humaspost("init", "berkas", "--language", "en", cwd=tmp_path)
    assert result.returncode == 2
    assert "is a file" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "kantor").mkdir()
    (tmp_path / "kantor" / "posts").write_text("")
    inside = run_humaspost("init", "kantor", "--language", "en", cwd=tmp_path)
    assert inside.returncode == 2 and "posts is a file" in inside.stderr


def test_slug_folds_indonesian_and_latin_letters() -> None:
    assert slug("Pasar Murah: Beras & Minyak Rp 10.000!") == "pasar-murah-beras-minyak-rp-10-000"
    assert slug("  Café Ñusantara — Hari Ibu  ") == "cafe-nusantara-hari-ibu"
    assert slug("🎉🎉") == "pengumuman"
    long = slug("Pengumuman " * 10)
    assert len(long) <= 60 and not long.endswith("-")


def test_new_post_is_named_from_date_and_title_and_passes_check_once_written(
    repo: Repo,
) -> None:
    result = run_humaspost(
        "new", "Pasar Murah Ramadan", "--to", "pemkot-x, semua-kecamatan", "--now", NOW,
        cwd=repo.posts,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2026/12/pasar-murah-ramadan.md\n"
    text = (repo.posts / "2026/12/pasar-murah-ramadan.md").read_text()
    assert text.startswith("---\npublish_at: 2026-12-02 09:00\nto: [pemkot-x, semua-kecamatan]\n")
    assert "#   - file: ../../../media/gambar.png" in text
    assert text.endswith("---\nPasar Murah Ramadan\n\nWrite the announcement here.\n")
    # Until its text is written, the post is held back: nobody publishes the placeholder.
    unwritten = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert unwritten.returncode == 1
    assert (
        "posts/2026/12/pasar-murah-ramadan.md:8:1: error[HP117] the text is still the "
        "placeholder that 'humaspost new' wrote\n"
    ) in unwritten.stdout
    written = text.replace("Write the announcement here.", "Pasar murah di Alun-alun, Kamis.")
    (repo.posts / "2026/12/pasar-murah-ramadan.md").write_text(written)
    checked = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert checked.returncode == 0, checked.stdout
    assert "no problems" in checked.stdout


def test_new_yaml_post_at_a_given_time_never_overwrites(repo: Repo) -> None:
    repo.post("2027/01/car-free-day.md", "---\npublish_at: 2027-01-03 06:00\n---\nLama\n")
    args = ("new", "Car Free Day", "--at", "2027-01-03 06:00", "--yaml", "--to", "latihan")
    second = run_humaspost(*args, cwd=repo.root)
    third = run_humaspost(*args, cwd=repo.root)
    assert second.stdout == "posts/2027/01/car-free-day-2.yaml\n"
    assert third.stdout == "posts/2027/01/car-free-day-3.yaml\n"
    assert (repo.posts / "2027/01/car-free-day.md").read_text().endswith("Lama\n")
    post = yaml.safe_load((repo.posts / "2027/01/car-free-day-2.yaml").read_text())
    assert post == {
        "publish_at": "2027-01-03 06:00",
        "to": ["latihan"],
        "text": "Car Free Day\n\nWrite the announcement here.\n",
    }
    checked = run_humaspost("check", "posts/2027/01/car-free-day-2.yaml", "--now", NOW,
                            cwd=repo.root)  # fmt: skip
    assert checked.returncode == 1 and "error[HP117]" in checked.stdout


def test_new_without_to_leaves_the_default_and_reads_at_in_local_time(repo: Repo) -> None:
    result = run_humaspost("new", "Hari Ibu", "--at", "2026-12-22 01:30+00:00", cwd=repo.root)
    text = (repo.root / result.stdout.strip()).read_text()
    assert "publish_at: 2026-12-22 08:30\n# to:" in text


def test_new_refuses_unknown_names_bad_times_and_empty_titles(repo: Repo) -> None:
    unknown = run_humaspost("new", "Halo", "--to", "pemkot-x,pemkot-ig", cwd=repo.root)
    assert unknown.returncode == 2
    assert "unknown account or group 'pemkot-ig' (did you mean 'pemkot-x'?)" in unknown.stderr
    bad_time = run_humaspost("new", "Halo", "--at", "2026-12-10", cwd=repo.root)
    assert bad_time.returncode == 2 and "--at: '2026-12-10' is a date without a time" in (
        bad_time.stderr
    )
    empty = run_humaspost("new", "  ", cwd=repo.root)
    assert empty.returncode == 2 and "the title is empty" in empty.stderr
    assert list(repo.posts.rglob("*.*")) == []
