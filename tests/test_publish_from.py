"""`publish_from: committed`: only what the checked-out commit has goes out, and every
post knows where its bytes stand in git (`Post.source`).

Real git repositories in temp folders, commits by invented authors; the sandbox accounts
publish to local files only, in real runs too (no `--sandbox`), so the rule that exempts
rehearsals does not hide anything here.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from humaspost import gitsource, i18n
from humaspost.config import load_config
from humaspost.gitsource import Checkout, NoCheckout, Source, find_checkout
from humaspost.log_location import log_path
from humaspost.plan import Delivery
from humaspost.posts import Post
from humaspost.publisher import Outcome, PublishSettings
from humaspost.runs import publish_pass
from humaspost.times import OffsetClock
from humaspost.workflow import load_posts
from tests.conftest import Repo, run_humaspost
from tests.test_daemon import daemon, local, rewrite

NOW = "2026-12-01 09:00"  # WIB: every post below is due
NOW_UTC = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SITI = ("Siti Rahayu", "siti@kec-timur.example.id")
BUDI = ("Budi Santoso", "budi@pemkot.example.id")

CONFIG = """\
timezone: Asia/Jakarta
publish_from: {mode}
accounts:
  kec-timur:
    platform: sandbox
  latihan:
    platform: sandbox
defaults:
  to: [kec-timur]
"""


def git(root: Path, *args: str, author: tuple[str, str] = SITI) -> str:
    """Run git in the repository as `author` (never this machine's identity)."""
    name, email = author
    result = subprocess.run(
        ["git", "-c", f"user.name={name}", "-c", f"user.email={email}", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def commit(root: Path, message: str, *paths: str, author: tuple[str, str] = SITI) -> str:
    """Commit these paths (all of posts/ and the config by default); returns the commit."""
    git(root, "add", "--", *(paths or ("humaspost.yaml", "posts")))
    git(root, "commit", "-q", "-m", message, author=author)
    return git(root, "rev-parse", "HEAD")


def checkout(repo: Repo, mode: str = "committed") -> Repo:
    """The repository as a git checkout with its config and posts committed."""
    repo.write_config(CONFIG.format(mode=mode))
    git(repo.root, "init", "-q")
    (repo.root / ".gitignore").write_text(".humaspost/\n", encoding="utf-8")
    return repo


def announcement(text: str, when: str = "2026-12-01 08:00") -> str:
    return f"---\npublish_at: {when}\n---\n{text}\n"


def outbox(repo: Repo) -> list[tuple[str, str]]:
    """(account, text) of every part published to the sandbox accounts."""
    folder = repo.root / ".humaspost" / "sandbox"
    parts = [json.loads(path.read_text("utf-8")) for path in folder.glob("*/*.json")]
    return sorted((part["account"], part["text"]) for part in parts)


def publish(repo: Repo, *args: str, env: dict[str, str] | None = None) -> Any:
    return run_humaspost("publish", "--now", NOW, *args, cwd=repo.root, env=env)


@pytest.fixture
def office(repo: Repo) -> Repo:
    """A district office's checkout, `publish_from: committed`, one post committed."""
    checkout(repo)
    repo.post("kec-timur/posyandu.md", announcement("Posyandu Melati buka Senin pukul 08.00."))
    commit(repo.root, "Jadwal posyandu")
    return repo


def test_an_uncommitted_edit_is_held_back_naming_the_file_and_goes_out_once_committed(
    office: Repo,
) -> None:
    office.post("kec-timur/posyandu.md", announcement("Posyandu Melati buka Selasa pukul 09.00."))
    held = publish(office)
    assert held.returncode == 1, held.stderr
    assert outbox(office) == []
    assert held.stderr == (
        "held back 2026-12-01 08:00 WIB  kec-timur/posyandu → kec-timur: due, but "
        "posts/kec-timur/posyandu.md has changes that are not committed (publish_from: "
        "committed); commit them or undo them, and it goes out with the next publish\n"
    )
    assert held.stdout == "nothing due\n"
    # Nothing was written for it: after the commit it goes out, with the new text.
    commit(office.root, "Posyandu pindah ke Selasa", author=BUDI)
    sent = publish(office)
    assert sent.returncode == 0, sent.stderr
    assert outbox(office) == [("kec-timur", "Posyandu Melati buka Selasa pukul 09.00.")]


def test_schedule_shows_what_publish_would_hold_back_until_it_is_committed(
    office: Repo,
) -> None:
    office.post("kec-timur/posyandu.md", announcement("Posyandu Melati buka Selasa pukul 09.00."))
    office.post("kec-timur/kerja-bakti.md", announcement("Kerja bakti Minggu.", "2026-12-06 07:00"))
    shown = run_humaspost("schedule", "--now", NOW, cwd=office.root)
    assert shown.returncode == 1, shown.stdout + shown.stderr
    rows = [line for line in shown.stdout.splitlines() if "→ kec-timur" in line]
    assert rows == [
        "  08:00  blocked  kec-timur/posyandu → kec-timur",
        "  07:00  blocked  kec-timur/kerja-bakti → kec-timur",
    ]
    assert (
        "2 post files are held back until they are committed (publish_from: committed): "
        "posts/kec-timur/kerja-bakti.md, posts/kec-timur/posyandu.md"
    ) in " ".join(shown.stdout.split())
    data = json.loads(
        run_humaspost("schedule", "--now", NOW, "--format", "json", cwd=office.root).stdout
    )
    assert data["not_committed"] == [
        "posts/kec-timur/kerja-bakti.md",
        "posts/kec-timur/posyandu.md",
    ]
    # A rehearsal sends the files as they are, so it holds nothing back.
    rehearsal = run_humaspost("schedule", "--sandbox", "--now", NOW, cwd=office.root)
    assert rehearsal.returncode == 0 and "held back" not in rehearsal.stdout
    commit(office.root, "Posyandu Selasa, kerja bakti Minggu", author=BUDI)
    committed = run_humaspost("schedule", "--now", NOW, cwd=office.root)
    assert committed.returncode == 0, committed.stdout
    assert "  08:00  due        kec-timur/posyandu → kec-timur" in committed.stdout.splitlines()


def test_an_untracked_post_is_held_back_until_it_is_committed(office: Repo) -> None:
    commit_sent = publish(office)
    assert commit_sent.returncode == 0, commit_sent.stderr
    office.post("kec-timur/kerja-bakti.md", announcement("Kerja bakti Minggu pagi di RW 05."))
    held = publish(office)
    assert held.returncode == 1
    assert "posts/kec-timur/kerja-bakti.md is not committed yet (publish_from: committed)" in (
        held.stderr
    )
    assert outbox(office) == [("kec-timur", "Posyandu Melati buka Senin pukul 08.00.")]
    commit(office.root, "Kerja bakti")
    assert publish(office).returncode == 0
    assert ("kec-timur", "Kerja bakti Minggu pagi di RW 05.") in outbox(office)


def test_a_dry_run_shows_what_would_be_held_back(office: Repo) -> None:
    office.post("kec-timur/posyandu.md", announcement("Diubah di server."))
    result = publish(office, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "nothing due\n"
    assert "posts/kec-timur/posyandu.md has changes that are not committed" in result.stderr


def test_sandbox_rehearsals_send_edits_not_committed(office: Repo) -> None:
    office.post("kec-timur/posyandu.md", announcement("Latihan: teks belum di-commit."))
    result = publish(office, "--sandbox")
    assert result.returncode == 0, result.stderr
    assert outbox(office) == [("kec-timur", "Latihan: teks belum di-commit.")]


def test_working_tree_mode_sends_edits_as_before(repo: Repo) -> None:
    checkout(repo, "working-tree")
    repo.post("kec-timur/posyandu.md", announcement("Teks yang di-commit."))
    commit(repo.root, "Jadwal")
    repo.post("kec-timur/posyandu.md", announcement("Teks yang diubah, belum di-commit."))
    repo.post("kec-timur/baru.md", announcement("Berkas baru, belum di-commit."))
    result = publish(repo)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert outbox(repo) == [
        ("kec-timur", "Berkas baru, belum di-commit."),
        ("kec-timur", "Teks yang diubah, belum di-commit."),
    ]


def test_committed_mode_outside_git_refuses_to_publish(repo: Repo) -> None:
    repo.write_config(CONFIG.format(mode="committed"))
    repo.post("kec-timur/posyandu.md", announcement("Posyandu buka."))
    # No repository above the temp folder can be found, whatever this machine has.
    alone = {"GIT_CEILING_DIRECTORIES": str(repo.root.parent)}
    for args in ((), ("--dry-run",)):
        result = publish(repo, *args, env=alone)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(
            "humaspost: error: 'publish_from: committed' sends only what the checked-out "
            f"git commit has, but {repo.root} is not in a git checkout: the folder is not "
            "inside a git repository. Nothing is published."
        )
    assert outbox(repo) == []
    started = run_humaspost("daemon", "--now", NOW, cwd=repo.root, env=alone)
    assert started.returncode == 2
    assert "is not in a git checkout" in started.stderr
    # A rehearsal may: it never reaches the public.
    assert publish(repo, "--sandbox", env=alone).returncode == 0
    assert outbox(repo) == [("kec-timur", "Posyandu buka.")]


def test_held_back_and_refusal_in_indonesian(office: Repo, tmp_path: Path) -> None:
    office.post("kec-timur/posyandu.md", announcement("Diubah."))
    office.post("kec-timur/baru.md", announcement("Baru."))
    held = publish(office, env={"HUMASPOST_LANG": "id"})
    assert held.returncode == 1
    assert (
        "posts/kec-timur/posyandu.md memiliki perubahan yang belum di-commit "
        "(publish_from: committed)" in held.stderr
    )
    assert "posts/kec-timur/baru.md belum di-commit (publish_from: committed)" in held.stderr
    elsewhere = Repo(tmp_path / "bukan-git")
    elsewhere.write_config(CONFIG.format(mode="committed"))
    env = {"HUMASPOST_LANG": "id", "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    refused = publish(elsewhere, env=env)
    assert refused.returncode == 2
    assert "bukan checkout git: folder ini tidak berada di dalam repositori git." in (
        refused.stderr
    )


def test_a_post_past_its_deadline_while_held_back_is_recorded_missed_saying_why(
    office: Repo,
) -> None:
    office.post("kec-timur/posyandu.md", announcement("Diubah.", when="2026-12-01 05:00"))
    result = publish(office)
    assert result.returncode == 1
    logged = run_humaspost("log", "--format", "json", cwd=office.root)
    [row] = json.loads(logged.stdout)
    assert row["state"] == "missed"
    assert row["error"].endswith(
        "; its post file was not as the checked-out commit has it (publish_from: committed)"
    )
    assert outbox(office) == []


# Post.source, read in-process.


def sources(repo: Repo) -> dict[str, Source | None]:
    """Post id -> its source, as `publish` loads the posts."""
    loaded = load_posts(repo.config(), repo.root, NOW_UTC)
    return {planned.post.id: planned.post.source for planned in loaded.planned}


def hash_object(repo: Repo, path: Path) -> str:
    return git(repo.root, "hash-object", str(path))


def test_every_post_knows_its_commit_blob_and_whether_it_is_committed(repo: Repo) -> None:
    checkout(repo, "working-tree")
    kept = repo.post("kec timur/pengumuman é.md", announcement("Nama berkas dengan spasi."))
    edited = repo.post("kec-barat/air.md", announcement("Air bersih."))
    head = commit(repo.root, "Dua unggahan")
    edited.write_text(announcement("Air bersih, diubah."), encoding="utf-8")
    new = repo.post("kec-barat/baru.yaml", "publish_at: 2026-12-01 08:00\ntext: Baru.\n")
    found = sources(repo)
    assert found == {
        "kec timur/pengumuman é": Source(head, hash_object(repo, kept), None, committed=True),
        "kec-barat/air": Source(head, hash_object(repo, edited), None, committed=False),
        "kec-barat/baru": Source(head, hash_object(repo, new), None, committed=False),
    }


def test_no_commits_yet_not_a_checkout_and_no_git(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout(repo, "working-tree")
    path = repo.post("a.md", announcement("Belum ada commit."))
    assert sources(repo) == {"a": Source(None, hash_object(repo, path), None, committed=False)}
    outside = Repo(tmp_path / "biasa")
    outside.post("a.md", announcement("Bukan checkout."))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert sources(outside) == {"a": None}
    assert find_checkout(outside.root, outside.posts) == NoCheckout(
        "the folder is not inside a git repository"
    )
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    assert sources(repo) == {"a": None}
    assert find_checkout(repo.root, repo.posts) == NoCheckout(
        "git is not installed (no 'git' command found)"
    )


def test_crlf_line_ends_of_a_windows_checkout_are_still_the_committed_text(repo: Repo) -> None:
    checkout(repo, "committed")
    path = repo.post("a.md", announcement("Baris satu.\nBaris dua."))
    head = commit(repo.root, "Satu unggahan")
    committed_blob = hash_object(repo, path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # as core.autocrlf writes it
    assert sources(repo) == {"a": Source(head, committed_blob, None, committed=True)}
    path.write_bytes(path.read_bytes().replace(b"dua", b"tiga"))
    source = sources(repo)["a"]
    assert source is not None and not source.committed


def test_a_file_saved_while_it_is_read_is_read_again_or_taken_as_not_committed(
    repo: Repo,
) -> None:
    checkout(repo, "committed")
    path = repo.post("a.md", announcement("Disetujui."))
    commit(repo.root, "Satu unggahan")
    git_checkout = find_checkout(repo.root, repo.posts)
    assert isinstance(git_checkout, Checkout)
    texts: list[str] = []

    def load_saving(text: str | None) -> str:
        """Read the file as the loader does; then an editor saves `text` over it."""
        texts.append(path.read_text(encoding="utf-8"))
        if text is not None:
            path.write_text(text, encoding="utf-8")
        return texts[-1]

    # Saved once, just after a read: that read's text is not kept as committed.
    path.write_text(announcement("Belum disetujui."), encoding="utf-8")
    edits = iter([announcement("Disetujui."), None])
    loaded, hashes = gitsource.read_hashed(path, "sha1", lambda: load_saving(next(edits)))
    assert loaded == announcement("Disetujui.") and len(texts) == 2
    assert git_checkout.source(path, hashes).committed
    # Saved under every read: whatever was read, it is not taken as committed.
    loaded, hashes = gitsource.read_hashed(
        path, "sha1", lambda: load_saving(announcement(f"Versi {len(texts)}."))
    )
    assert not hashes.settled
    assert not git_checkout.source(path, hashes).committed


def test_the_author_is_who_last_changed_the_file_through_a_merge(repo: Repo) -> None:
    checkout(repo, "working-tree")
    repo.post("a.md", announcement("Versi pertama."))
    repo.post("b.md", announcement("Tidak diubah."))
    commit(repo.root, "Awal", author=BUDI)
    main = git(repo.root, "branch", "--show-current")
    git(repo.root, "switch", "-q", "-c", "kec-timur/ubah")
    repo.post("a.md", announcement("Versi kedua."))
    commit(repo.root, "Ubah a", "posts/a.md", author=SITI)
    git(repo.root, "switch", "-q", main)
    git(repo.root, "merge", "-q", "--no-ff", "-m", "Merge PR #7", "kec-timur/ubah", author=BUDI)
    loaded = load_posts(repo.config(), repo.root, NOW_UTC)
    assert isinstance(loaded.git, Checkout)
    files = [planned.post.file for planned in loaded.planned]
    assert gitsource.authors(loaded.git, files) == {
        repo.posts / "a.md": "Siti Rahayu <siti@kec-timur.example.id>",
        repo.posts / "b.md": "Budi Santoso <budi@pemkot.example.id>",
    }


def test_a_shallow_clone_names_only_the_authors_its_history_shows(
    repo: Repo, tmp_path: Path
) -> None:
    checkout(repo, "working-tree")
    repo.post("lama.md", announcement("Tidak diubah sejak awal."))
    repo.post("baru.md", announcement("Versi pertama."))
    commit(repo.root, "Awal", author=BUDI)
    repo.post("baru.md", announcement("Versi kedua."))
    commit(repo.root, "Ubah baru", author=SITI)
    # As CI checks out by default: the last commit only, or the last two.
    for depth, expected in (
        ("1", {}),
        ("2", {"baru.md": "Siti Rahayu <siti@kec-timur.example.id>"}),
    ):
        clone = tmp_path / f"clone-{depth}"
        git(tmp_path, "clone", "-q", "--depth", depth, f"file://{repo.root}", str(clone))
        loaded = load_posts(load_config(clone / "humaspost.yaml"), clone, NOW_UTC)
        assert isinstance(loaded.git, Checkout)
        files = [planned.post.file for planned in loaded.planned]
        found = gitsource.authors(loaded.git, files)
        assert {path.name: author for path, author in found.items()} == expected


class Recorder:
    """Publisher events: the posts as the publisher got them."""

    def __init__(self) -> None:
        self.posts: list[Post] = []

    def started(self, delivery: Delivery) -> None:
        self.posts.append(delivery.post)

    def finished(self, outcome: Outcome) -> None:
        """Nothing to keep."""


def test_the_publisher_gets_each_post_with_its_commit_and_author(office: Repo) -> None:
    config = office.config()
    loaded = load_posts(config, office.root, NOW_UTC)
    path = log_path(config, sandbox=False, environ={})
    events = Recorder()
    result = publish_pass(
        config,
        loaded,
        log_path=path,
        clock=OffsetClock(NOW_UTC - datetime.now(UTC)),
        environ={},
        sandbox=False,
        settings=PublishSettings(path, "test/1"),
        events=events,
        is_gone=lambda owner: False,
    )
    assert [outcome.result for outcome in result.outcomes] == ["sent"]
    [post] = events.posts
    assert post.source == Source(
        git(office.root, "rev-parse", "HEAD"),
        hash_object(office, post.file),
        "Siti Rahayu <siti@kec-timur.example.id>",
        committed=True,
    )


def test_messages_of_git_in_indonesian(office: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    try:
        i18n.use("id")
        assert find_checkout(office.root, office.posts) == NoCheckout(
            "git tidak terpasang (perintah 'git' tidak ditemukan)"
        )
    finally:
        i18n.use("en")


# The daemon, committed mode: an edit alone is not read; a commit is.

DAEMON_CONFIG = """\
timezone: Asia/Jakarta
publish_from: committed
accounts:
  latihan:
    platform: sandbox
defaults:
  to: [latihan]
"""


def test_the_daemon_reads_posts_again_on_a_new_commit_not_on_an_edit(repo: Repo) -> None:
    repo.write_config(DAEMON_CONFIG)
    git(repo.root, "init", "-q")
    (repo.root / ".gitignore").write_text(".humaspost/\n", encoding="utf-8")
    t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    later = local(t0 + timedelta(hours=5))
    edited = repo.post("edit.md", announcement("Teks yang disetujui.", later))
    committed = repo.post("commit.md", announcement("Teks lama.", later))
    repo.post("penanda.md", announcement("Penanda.", local(t0 + timedelta(seconds=4))))
    commit(repo.root, "Tiga unggahan")
    with daemon(repo, t0) as running:
        # Due at once if it were read: it is not, the daemon keeps the committed post.
        rewrite(edited, announcement("Teks yang tidak disetujui.", local(t0)))
        running.wait_for("sent", lambda e: e["post"] == "penanda")
        assert running.events("reloaded") == []
        # Moved to now and committed: read at the commit, and sent.
        rewrite(committed, announcement("Teks baru.", local(t0)))
        commit(repo.root, "Ubah jadwal", "posts/commit.md", author=BUDI)
        reloaded = running.wait_for("reloaded")
        assert reloaded["files"] == ["posts/commit.md", "posts/edit.md"]
        assert reloaded["reason"].startswith("commit ")
        running.wait_for("sent", lambda e: e["post"] == "commit")
        # The edit not committed was read with the commit too: held back, saying so.
        held = running.wait_for("post held back", lambda e: e["file"] == "posts/edit.md")
        assert "not committed" in held["error"]
    assert outbox(repo) == [("latihan", "Penanda."), ("latihan", "Teks baru.")]
