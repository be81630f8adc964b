"""`check`'s cache of per-file results (issue 15): it is read, and never returns a stale
answer whatever changes between two runs; it survives damage, planted files and runs
at the same time; `--no-cache` and `--cache-dir` do what they say.

Every other test that runs `check` runs it without the cache, filling it and from it,
and asserts the same output (tests/conftest.py, tests/every_way.py).
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

import humaspost
from humaspost import i18n
from humaspost.check_cache import CACHE_FILE, KEPT_CONTEXTS, context, open_cache
from humaspost.checks import CheckReport, FileFacts, Published, Sent, run_check
from humaspost.config import Config
from humaspost.problems import Problem, Severity, Span
from humaspost.repository import post_files
from tests.conftest import HUMASPOST, NOW, PNG_BYTES, Repo, run_humaspost
from tests.test_plugins import PLUGIN, install_plugin

HEIC_BYTES = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64
POST = "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: Halo warga\nmedia:\n  - file: ../media/logo.png\n    alt: Logo\n"
AT = ("--now", "2026-11-28 09:00")


def check(repo: Repo, *args: str, env: dict[str, str] | None = None) -> str:
    """`humaspost check` in the repository, with the cache (the default); its output."""
    result = run_humaspost("check", *AT, "--cache-dir", ".cache", *args, cwd=repo.root, env=env)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


def rows(repo: Repo, folder: str = ".cache") -> list[tuple[bytes, bytes, bytes]]:
    """The cache's entries: (path, key, value)."""
    with sqlite3.connect(repo.root / folder / CACHE_FILE) as db:
        return db.execute("SELECT path, key, value FROM entries ORDER BY path").fetchall()


def test_the_cache_keeps_one_entry_a_file_and_is_read(repo: Repo) -> None:
    repo.media("logo.png")
    repo.post("a.yaml", POST)
    repo.post("b.yaml", POST.replace("Halo warga", "Selamat pagi"))
    assert check(repo).endswith("✓ 2 files, 2 posts: no problems\n")
    [(path_a, _, value), (path_b, _, _)] = rows(repo)
    assert (os.fsdecode(path_a), os.fsdecode(path_b)) == (
        str(repo.posts / "a.yaml"),
        str(repo.posts / "b.yaml"),
    )
    # What the entry says is what check reports: an answer planted in it shows.
    facts, stamps = pickle.loads(value)
    planted = Problem("HP999", Severity.WARNING, "dari cache", "posts/a.yaml", Span(3, 7))
    facts.problems.append(planted)
    with sqlite3.connect(repo.root / ".cache" / CACHE_FILE) as db:
        db.execute(
            "UPDATE entries SET value = ? WHERE path = ?", (pickle.dumps((facts, stamps)), path_a)
        )
    assert "warning[HP999] dari cache" in check(repo)
    assert "HP999" not in check(repo, "--no-cache")


def test_an_edited_post_is_checked_again(repo: Repo) -> None:
    repo.media("logo.png")
    post = repo.post("a.yaml", POST)
    assert "no problems" in check(repo)
    post.write_text(POST.replace("Halo warga", "x" * 300), encoding="utf-8")
    assert "error[HP301] the text is 300 characters on twitter; the limit is 280" in check(repo)
    assert len(rows(repo)) == 1  # the edited file's entry replaced its old one


def test_a_media_file_replaced_in_place_is_looked_at_again(repo: Repo) -> None:
    logo = repo.media("logo.png")
    repo.post("a.yaml", POST)
    assert "no problems" in check(repo)
    # Same size, same modification time: only its change time tells.
    before = logo.stat()
    logo.write_bytes(HEIC_BYTES[: len(PNG_BYTES)].ljust(len(PNG_BYTES), b"\0"))
    os.utime(logo, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "error[HP204]" in check(repo)


def test_a_media_link_pointed_elsewhere_or_removed_is_seen(repo: Repo) -> None:
    repo.media("png.png")
    repo.media("foto.heic", HEIC_BYTES)
    logo = repo.root / "media" / "logo.png"
    logo.symlink_to("png.png")
    repo.post("a.yaml", POST)
    assert "no problems" in check(repo)
    logo.unlink()
    logo.symlink_to("foto.heic")
    assert "error[HP204]" in check(repo)
    logo.unlink()
    assert "error[HP201] media file '../media/logo.png' not found" in check(repo)


def test_a_file_named_after_a_missing_one_is_found_on_the_next_run(repo: Repo) -> None:
    repo.post("a.yaml", POST)
    first = check(repo)
    assert "hint: the path is relative to the post file" in first
    (repo.root / "media" / "gambar").mkdir()
    repo.media("gambar/Logo.png")
    assert "a file of that name is at '../media/gambar/Logo.png'" in check(repo)


def test_a_media_path_that_went_wrong_another_way_is_looked_at_again(repo: Repo) -> None:
    # Through a file as if it were a folder: unreadable (not a folder); then not found.
    repo.media("logo.png")
    repo.post("a.yaml", POST.replace("../media/logo.png", "../media/logo.png/poster.png"))
    assert "(Not a directory)" in check(repo)
    (repo.root / "media" / "logo.png").unlink()
    assert "error[HP201] media file '../media/logo.png/poster.png' not found" in check(repo)


def test_a_plugin_whose_code_changed_is_asked_again(repo: Repo, tmp_path: Path) -> None:
    plugin = install_plugin(tmp_path / "plugin")
    env = {"PYTHONPATH": str(plugin)}
    repo.write_config("accounts: {papan: {platform: echo, channel: balai-kota}}\n")
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: papan\ntext: " + "x" * 60 + "\n")
    assert "the text is 60 characters on echo; the limit is 50" in check(repo, env=env)
    code = plugin / "hp_echo_platform.py"
    code.write_text(PLUGIN.replace("max_length=50", "max_length=100"), encoding="utf-8")
    assert check(repo, env=env).endswith("no problems\n")


def test_a_config_changed_or_another_language_is_checked_again(repo: Repo) -> None:
    repo.media("logo.png")
    repo.post("a.yaml", POST)
    assert "no problems" in check(repo)
    assert "tidak ada masalah" in check(repo, env={"HUMASPOST_LANG": "id"})
    repo.write_config("accounts: {latihan: {platform: sandbox}}\n")
    assert "error[HP103] unknown account or group 'pemkot-x' in 'to'" in check(repo)


def test_the_clock_is_asked_every_run(repo: Repo) -> None:
    repo.media("logo.png")
    repo.post("a.yaml", POST)
    repo.post("rutin.yaml", 'repeat: "0 8 * * 1"\nto: [pemkot-fb]\ntext: Senin pagi\n')
    early = json.loads(check(repo, "--format", "json"))
    late = json.loads(check(repo, "--format", "json", "--now", "2026-12-20 09:00"))
    assert (early["problems"], [p["code"] for p in late["problems"]]) == ([], ["HP401"])
    # A repeat without publish_at starts from now.
    weekly = [run["posts_checked"][1]["deliveries"][0]["publish_at"] for run in (early, late)]
    assert weekly == ["2026-11-30T01:00:00+00:00", "2026-12-21T01:00:00+00:00"]


def test_a_damaged_cache_is_made_anew(repo: Repo) -> None:
    repo.media("logo.png")
    repo.post("a.yaml", POST)
    (repo.root / ".cache").mkdir()
    (repo.root / ".cache" / CACHE_FILE).write_bytes(b"bukan basis data " * 100)
    assert check(repo).endswith("no problems\n")
    assert len(rows(repo)) == 1


def test_a_bad_entry_is_ignored_and_written_again(repo: Repo) -> None:
    repo.media("logo.png")
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: " + "x" * 300 + "\n")
    expected = check(repo)
    assert "HP301" in expected
    with sqlite3.connect(repo.root / ".cache" / CACHE_FILE) as db:
        db.execute("UPDATE entries SET value = ?", (b"\x80\x05rusak",))
    assert check(repo) == expected
    [(_, _, value)] = rows(repo)
    assert isinstance(pickle.loads(value)[0], FileFacts)


def test_an_entry_of_the_right_classes_but_wrong_contents_is_checked_again(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: Halo\n")
    expected = check(repo)
    [(_, _, value)] = rows(repo)
    facts, stamps = pickle.loads(value)
    facts.fingerprints = ((None, None),)
    with sqlite3.connect(repo.root / ".cache" / CACHE_FILE) as db:
        db.execute("UPDATE entries SET value = ?", (pickle.dumps((facts, stamps)),))
    assert check(repo) == expected


def test_a_cache_damaged_inside_is_made_anew(repo: Repo) -> None:
    for number in range(260):  # more than are looked up one by one
        repo.post(
            f"p{number:03}.yaml", f"publish_at: 2026-12-10 09:00\nto: latihan\ntext: Ke-{number}\n"
        )
    expected = check(repo)
    file = repo.root / ".cache" / CACHE_FILE
    data = bytearray(file.read_bytes())
    page = 4096
    data[2 * page : 40 * page] = b"\xff" * (38 * page)  # the header (page 1) stays
    file.write_bytes(bytes(data))
    assert check(repo) == expected  # the damage found, the file made anew ...
    assert check(repo) == expected  # ... and filled again
    assert len(rows(repo)) == 260


def test_the_entries_of_files_gone_are_forgotten(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: latihan\ntext: Satu\n")
    gone = repo.post("b.yaml", "publish_at: 2026-12-10 09:00\nto: latihan\ntext: Dua\n")
    check(repo)
    gone.rename(repo.posts / "c.yaml")
    check(repo, "posts/c.yaml")  # only some files: the others' entries stay
    assert [os.path.basename(os.fsdecode(path)) for path, _, _ in rows(repo)] == [
        "a.yaml", "b.yaml", "c.yaml",
    ]  # fmt: skip
    (repo.posts / "c.yaml").write_text("publish_at: 2026-12-10 09:00\ntext: Tiga\n")
    check(repo)
    assert [os.path.basename(os.fsdecode(path)) for path, _, _ in rows(repo)] == [
        "a.yaml", "c.yaml",
    ]  # fmt: skip


def test_a_planted_entry_runs_no_code(repo: Repo, tmp_path: Path) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: Halo\n")
    expected = check(repo)
    proof = tmp_path / "dijalankan"

    class Planted:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {proof}",))

    with sqlite3.connect(repo.root / ".cache" / CACHE_FILE) as db:
        db.execute("UPDATE entries SET value = ?", (pickle.dumps(Planted()),))
    assert check(repo) == expected
    assert not proof.exists()


def test_no_cache_writes_nothing_and_the_default_is_the_state_folder(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: Halo\n")
    run_humaspost("check", "--no-cache", cwd=repo.root)
    assert not (repo.root / ".humaspost").exists()
    run_humaspost("check", cwd=repo.root)
    assert (repo.root / ".humaspost" / CACHE_FILE).is_file()
    assert len(rows(repo, ".humaspost")) == 1


def test_ci_writes_no_cache_unless_told_where(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: Halo\n")
    done = run_humaspost("check", cwd=repo.root, env={"CI": "true"})
    assert done.returncode == 0 and not (repo.root / ".humaspost").exists()
    run_humaspost("check", cwd=repo.root, env={"CI": "false"})
    assert len(rows(repo, ".humaspost")) == 1
    run_humaspost("check", "--cache-dir", ".cache", cwd=repo.root, env={"CI": "true"})
    assert len(rows(repo)) == 1


def test_a_cache_folder_that_cannot_be_made_means_no_cache(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: Halo\n")
    (repo.root / "berkas").write_text("bukan folder\n", encoding="utf-8")
    result = run_humaspost("check", "--cache-dir", "berkas/cache", cwd=repo.root)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "✓ 1 file, 1 post: no problems\n",
        "",
    )


def test_runs_at_the_same_time_all_give_the_same_answer(repo: Repo) -> None:
    repo.media("logo.png")
    for number in range(40):
        repo.post(f"p{number:02}.yaml", POST.replace("Halo warga", f"Pengumuman {number}"))
    repo.post("salah.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-ig]\ntext: Halo\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "HUMASPOST_LANG": "en"})
    command = [str(HUMASPOST), "check", *AT, "--cache-dir", ".cache"]
    runs = [
        subprocess.Popen(command, cwd=repo.root, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = {(run.wait(timeout=120), run.communicate()[0]) for run in runs}
    [(code, output)] = outputs
    assert code == 1 and output.endswith("✗ 41 files, 41 posts: 1 error, 0 warnings\n")
    assert len(rows(repo)) == 41


def test_the_shown_name_is_part_of_the_key(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-ig]\ntext: Halo\n")
    from_root = check(repo)
    assert "posts/a.yaml:2:6" in from_root
    result = run_humaspost(
        "check", *AT, "--cache-dir", "../.cache", cwd=repo.posts
    )  # fmt: skip
    assert "a.yaml:2:6" in result.stdout and "posts/a.yaml" not in result.stdout


# In-process: what the publish log says, and how many contexts are kept.


def report_with(config: Config, repo: Repo, published: Published | None = None) -> CheckReport:
    cache = open_cache(config, repo.root / ".cache")
    try:
        files = post_files(config.posts_dir, [], repo.root)
        return run_check(config, files, NOW, published=published, cache=cache)
    finally:
        cache.close()


def test_an_entry_made_without_the_log_is_checked_again_when_the_log_says_it_went_out(
    repo: Repo,
) -> None:
    repo.post("a.yaml", "publish_at: 2026-11-20 09:00\nto: [pemkot-x]\ntext: Halo\n")
    config = repo.config()
    before = report_with(config, repo)
    assert [p.code for p in before.problems] == ["HP401"]
    sent = {("a", "pemkot-x"): Sent("hash dari versi lama", datetime(2026, 11, 20, 2, tzinfo=UTC))}
    after = report_with(config, repo, published=sent)
    assert [p.code for p in after.problems] == ["HP403"]
    assert "already published to 'pemkot-x' on " in after.problems[0].message
    [(_, _, value)] = rows(repo)
    assert pickle.loads(value)[0].hashes.keys() == {"pemkot-x"}
    assert report_with(config, repo, published=sent) == after


def test_the_last_contexts_keep_their_entries(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [latihan]\ntext: Halo\n")
    for number in range(KEPT_CONTEXTS + 2):
        repo.write_config(
            f"accounts: {{latihan: {{platform: sandbox}}}}\nmax_delay: {number + 1}h\n"
        )
        report_with(repo.config(), repo)
    with sqlite3.connect(repo.root / ".cache" / CACHE_FILE) as db:
        [(entries,)] = db.execute("SELECT COUNT(*) FROM entries").fetchall()
        [(contexts,)] = db.execute("SELECT COUNT(*) FROM contexts").fetchall()
    assert (entries, contexts) == (KEPT_CONTEXTS, KEPT_CONTEXTS)


def test_a_language_is_a_context_of_its_own(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-ig]\ntext: Halo\n")
    config = repo.config()
    english = report_with(config, repo)
    try:
        i18n.use("id")
        indonesian = report_with(config, repo)
    finally:
        i18n.use("en")
    assert english.problems[0].message == "unknown account or group 'pemkot-ig' in 'to'"
    assert indonesian.problems[0].message == "akun atau grup 'pemkot-ig' di 'to' tidak dikenal"


def test_humaspost_code_or_catalog_changed_is_a_context_of_its_own(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in package folder: the installed one is not to be touched by a test.
    package = tmp_path / "humaspost"
    (package / "locale").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    code, catalog, other = package / "checks.py", package / "locale" / "id.mo", package / "x.txt"
    for file in (code, catalog, other):
        file.write_text("A = 1\n", encoding="utf-8")
    monkeypatch.setattr(humaspost, "__file__", str(package / "__init__.py"))
    config = repo.config()
    contexts = [context(config, "en")]
    other.write_text("A = 2\n", encoding="utf-8")  # neither code nor a catalog
    contexts.append(context(config, "en"))
    for file in (code, catalog):
        file.write_text("A = 22\n", encoding="utf-8")
        contexts.append(context(config, "en"))
    assert contexts[0] == contexts[1] and len(set(contexts)) == 3
