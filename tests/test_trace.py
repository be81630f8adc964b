"""The trace of what went out, in real git repositories made in temp folders: each
delivery records the commit, blob and author its post file was sent from (publish log
migration 3), `log` shows them, and `trace` tells the whole chain: file, commit, author,
the merge that brought it and who approved it, the exact text sent, the URL.

Commits are made by invented people (`git -c user.name=... -c user.email=...`); an
office's post comes in on a branch merged with `git merge --no-ff`, as GitHub merges a
pull request, its message carrying `Reviewed-by:` and `Approved-by:` trailers.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from humaspost import i18n
from humaspost.gitsource import Source
from humaspost.lifecycle import Event, RowState
from humaspost.log_location import log_path
from humaspost.plan import PlannedPost
from humaspost.publisher import PublishSettings
from humaspost.publog import ONCE, DeliveryKey, PublishLog, PublishLogError
from humaspost.runs import publish_pass
from humaspost.store_sqlite import MIGRATIONS
from humaspost.times import OffsetClock
from humaspost.trace import GitHere, MergeStatus, TextFrom, blob_id, current_posts, trace_rows
from humaspost.workflow import LoadedPosts, load_posts
from tests.conftest import Repo, run_humaspost

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 WIB: every post below is due
NOW_TEXT = "2026-12-01 09:00"
ADMIN = ("Admin Humas", "humas@pemkot.example")
SITI = ("Siti Aminah", "siti.aminah@kec-timur.example")
BUDI = "Budi Santoso <budi.santoso@pemkot.example>"
RINA = "Rina Kartika <rina.kartika@pemkot.example>"
AIDS = "posts/2026/12/hari-aids.md"
AIDS_TEXT = "Hari AIDS Sedunia: tes HIV gratis di Puskesmas Bekasi Timur."
CONFIG = """\
timezone: Asia/Jakarta
accounts:
  kec-timur:
    platform: facebook
    page_id: "104857600000101"
    access_token: ${FB_TIMUR_TOKEN}
  latihan:
    platform: sandbox
"""


def git(root: Path, *args: str, who: tuple[str, str] = ADMIN) -> str:
    """Run git in `root` as `who`; its output."""
    name, email = who
    done = subprocess.run(
        ["git", "-c", f"user.name={name}", "-c", f"user.email={email}",
         "-c", "commit.gpgsign=false", "-C", str(root), *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def commit_all(root: Path, message: str, who: tuple[str, str] = ADMIN) -> str:
    git(root, "add", "-A", who=who)
    git(root, "commit", "-q", "-m", message, who=who)
    return git(root, "rev-parse", "HEAD")


def aids_post(text: str = AIDS_TEXT) -> str:
    return f"---\npublish_at: 2026-12-01 08:00\nto: kec-timur\n---\n{text}\n"


@pytest.fixture
def office(repo: Repo) -> Repo:
    """The city's repository: the office of Bekasi Timur's post came in through a
    reviewed pull request; the city office committed one of its own straight on main."""
    repo.write_config(CONFIG)
    (repo.root / ".gitignore").write_text(".humaspost/\n", encoding="utf-8")
    git(repo.root, "init", "-q", "-b", "main")
    commit_all(repo.root, "Konfigurasi awal")
    git(repo.root, "checkout", "-q", "-b", "kec-timur/hari-aids")
    repo.post("2026/12/hari-aids.md", aids_post())
    commit_all(repo.root, "Tambah unggahan Hari AIDS", SITI)
    git(repo.root, "checkout", "-q", "main")
    repo.post(
        "2026/12/pengumuman.md",
        "---\npublish_at: 2026-12-01 08:30\nto: kec-timur\n---\nPengumuman\n",
    )
    commit_all(repo.root, "Pengumuman kota")
    git(repo.root, "merge", "-q", "--no-ff", "kec-timur/hari-aids",
        "-m", "Merge pull request #12 from kec-timur/hari-aids",
        "-m", "Unggahan Hari AIDS Sedunia",
        "-m", f"Reviewed-by: {BUDI}\nApproved-by: {RINA}")  # fmt: skip
    return repo


def with_sources(loaded: LoadedPosts, root: Path) -> LoadedPosts:
    """The posts with the `source` gitsource attaches, worked out here with git itself
    (HEAD, `git hash-object`, the last commit's author, whether HEAD has those bytes)."""
    head = git(root, "rev-parse", "HEAD")
    planned = []
    for item in loaded.planned:
        path = item.post.file.relative_to(root).as_posix()
        blob = git(root, "hash-object", path)
        author = git(root, "log", "-1", "--format=%an <%ae>", "--", path) or None
        tracked = subprocess.run(
            ["git", "-C", str(root), "rev-parse", f"HEAD:{path}"], capture_output=True, text=True
        )
        committed = tracked.returncode == 0 and tracked.stdout.strip() == blob
        source = Source(head, blob, author, committed)
        planned.append(PlannedPost(replace(item.post, source=source), item.blocked))
    return LoadedPosts(planned, loaded.problems)


class Events:
    def started(self, delivery: object) -> None:
        pass

    def finished(self, outcome: object) -> None:
        pass


def publish_sandbox(repo: Repo, *, sources: bool = True) -> None:
    """Publish what is due to the sandbox in-process, the posts carrying their git source
    as gitsource gives it (a publish run through the command needs its loader)."""
    config = repo.config()
    loaded = load_posts(config, repo.root, NOW)
    if sources:
        loaded = with_sources(loaded, repo.root)
    path = log_path(config, sandbox=True, environ={})
    result = publish_pass(
        config,
        loaded,
        log_path=path,
        clock=OffsetClock(NOW - datetime.now(UTC)),
        environ={},
        sandbox=True,
        settings=PublishSettings(path, "test-host/1"),
        events=Events(),
        is_gone=lambda owner: False,
    )
    assert not result.went_wrong, result


def log_json(repo: Repo) -> dict[str, dict[str, Any]]:
    result = run_humaspost("log", "--sandbox", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return {row["post"]: row for row in json.loads(result.stdout)}


def trace_json(repo: Repo, given: str) -> dict[str, Any]:
    result = run_humaspost("trace", given, "--sandbox", "--format", "json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    traced: dict[str, Any] = json.loads(result.stdout)
    return traced


# Migration 3: the source columns


def old_log(path: Path, version: int) -> None:
    """A publish log as a humaspost that knew only `version` migrations wrote it, with
    one sent delivery."""
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        db.executescript(script)
    stamp = "2026-11-30T01:00:00.000000Z"
    db.execute(
        "INSERT INTO deliveries (post_id, occurrence, account, platform, state, due_at,"
        " url, content_hash, sent_at, created_at, updated_at)"
        " VALUES ('lama', 'once', 'latihan', 'sandbox', 'sent', ?, 'sandbox://latihan/1',"
        " 'abc', ?, ?, ?)",
        (stamp, stamp, stamp, stamp),
    )
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()


@pytest.mark.parametrize("read_only", [False, True], ids=["writer", "reader"])
def test_a_log_from_before_the_trace_migrates_and_keeps_its_rows(
    tmp_path: Path, read_only: bool
) -> None:
    path = tmp_path / "publog.sqlite"
    old_log(path, 2)
    with PublishLog(path, read_only=read_only) as log:
        (row,) = log.search()
        assert row.key.post_id == "lama" and row.state is RowState.SENT
        assert row.source is None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 6
    columns = {name for _cid, name, *_rest in db.execute("PRAGMA table_info(deliveries)")}
    assert {"source_commit", "source_blob", "source_author", "source_committed"} <= columns
    db.close()


def test_a_log_newer_than_the_trace_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "publog.sqlite"
    old_log(path, 6)
    sqlite3.connect(path).execute("PRAGMA user_version = 7").connection.commit()
    for read_only in (False, True):
        with pytest.raises(PublishLogError, match="schema version 7; this one knows 6"):
            PublishLog(path, read_only=read_only)


def test_a_claim_records_the_source_and_a_later_claim_replaces_it(tmp_path: Path) -> None:
    key = DeliveryKey("2026/12/hari-aids", ONCE, "kec-timur")
    first = Source("a" * 40, "b" * 40, "Siti Aminah <siti@kec-timur.example>", True)
    edited = Source("a" * 40, "c" * 40, "Siti Aminah <siti@kec-timur.example>", False)
    lease = timedelta(minutes=2)
    with PublishLog(tmp_path / "publog.sqlite") as log:
        claim = log.claim(key, platform="facebook", due_at=NOW, owner="h/1", now=NOW,
                          lease=lease, source=first)  # fmt: skip
        assert claim is not None
        assert log.row(claim.row_id) == replace(log.row(claim.row_id), source=first)  # type: ignore[type-var]
        log.finish(claim.row_id, Event.TRANSIENT_FAILURE, owner="h/1", now=NOW, error="503",
                   next_attempt_at=NOW)  # fmt: skip
        again = log.claim(key, platform="facebook", due_at=NOW, owner="h/2", now=NOW,
                          lease=lease, source=edited)  # fmt: skip
        assert again is not None
        row = log.row(again.row_id)
        assert row is not None and row.source == edited
        # A claim from outside a git checkout leaves the columns empty.
        outside = DeliveryKey("lain", ONCE, "kec-timur")
        third = log.claim(outside, platform="facebook", due_at=NOW, owner="h/1", now=NOW,
                          lease=lease)  # fmt: skip
        assert third is not None
        row = log.row(third.row_id)
        assert row is not None and row.source is None


# The trace of a reviewed post


def test_log_names_the_commit_blob_and_author_each_delivery_was_sent_from(office: Repo) -> None:
    head = git(office.root, "rev-parse", "HEAD")
    # A local edit on the server, not committed: sent in working-tree mode, and marked.
    office.post(
        "2026/12/pengumuman.md",
        "---\npublish_at: 2026-12-01 08:30\nto: kec-timur\n---\nPengumuman baru\n",
    )
    publish_sandbox(office)
    rows = log_json(office)
    aids, edited = rows["2026/12/hari-aids"], rows["2026/12/pengumuman"]
    assert aids["state"] == "sent"
    assert aids["commit"] == head
    assert aids["blob"] == git(office.root, "hash-object", AIDS)
    assert aids["author"] == "Siti Aminah <siti.aminah@kec-timur.example>"
    assert aids["committed"] is True
    assert edited["committed"] is False and edited["author"] == "Admin Humas <humas@pemkot.example>"
    assert edited["blob"] == git(office.root, "hash-object", "posts/2026/12/pengumuman.md")

    text = run_humaspost("log", "--sandbox", cwd=office.root, env={"COLUMNS": "80"})
    assert text.returncode == 0, text.stderr
    assert all(len(line) <= 80 for line in text.stdout.splitlines()), text.stdout
    assert f"{head[:7]} by Siti Aminah" in text.stdout
    assert f"{head[:7]} (not committed) by Admin Humas" in text.stdout
    assert "siti.aminah@" not in text.stdout  # the email is in `trace`

    raw = run_humaspost("log", "--sandbox", "--format", "csv", cwd=office.root)
    sheet = {line.split(",")[1]: line.split(",") for line in raw.stdout.splitlines()[1:]}
    header = raw.stdout.lstrip("\ufeff").splitlines()[0].split(",")
    assert header[-5:] == ["commit", "blob", "author", "committed", "text"]
    assert sheet["2026/12/hari-aids"][13:17] == [
        head,
        str(aids["blob"]),
        "Siti Aminah <siti.aminah@kec-timur.example>",
        "true",
    ]


def test_trace_tells_who_wrote_it_who_approved_it_and_what_went_out(office: Repo) -> None:
    publish_sandbox(office)
    head = git(office.root, "rev-parse", "HEAD")
    written = git(office.root, "log", "-1", "--format=%H", "--", AIDS)
    blob = git(office.root, "hash-object", AIDS)
    # Later the file is edited and committed, then deleted: the trace still shows what
    # went out, from the blob the log recorded.
    office.post("2026/12/hari-aids.md", aids_post("Teks yang diubah setelah terbit."))
    commit_all(office.root, "Ubah teks")
    (office.root / AIDS).unlink()
    commit_all(office.root, "Hapus unggahan")

    traced = trace_json(office, "2026/12/hari-aids")
    assert traced["git"] == "checkout"
    (delivery,) = traced["deliveries"]
    assert delivery["file"] == AIDS
    assert (delivery["commit"], delivery["blob"], delivery["committed"]) == (head, blob, True)
    assert delivery["author"] == "Siti Aminah <siti.aminah@kec-timur.example>"
    assert delivery["change"]["commit"] == written
    assert delivery["change"]["subject"] == "Tambah unggahan Hari AIDS"
    assert delivery["merge_status"] == "merged"
    assert delivery["merge"]["commit"] == head
    assert delivery["merge"]["subject"] == "Merge pull request #12 from kec-timur/hari-aids"
    assert delivery["approvers"] == [BUDI, RINA]
    assert delivery["text"] == [AIDS_TEXT]
    assert (delivery["text_from"], delivery["text_matches"]) == ("blob", True)
    assert len(delivery["urls"]) == 1 and delivery["urls"][0].startswith("sandbox://kec-timur/")

    number = str(delivery["id"])
    text = run_humaspost("trace", number, "--sandbox", cwd=office.root, env={"COLUMNS": "80"})
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert all(len(line) <= 80 for line in out.splitlines()), out
    assert out.startswith(f"delivery {number}: 2026/12/hari-aids → kec-timur, sent 2026-12-01 ")
    assert f"  file         {AIDS}\n" in out
    assert f"  commit       {head}\n" in out
    assert "  author       Siti Aminah <siti.aminah@kec-timur.example>\n" in out
    assert f"  changed in   {written[:7]} 20" in out and " WIB Tambah unggahan Hari AIDS\n" in out
    assert f"  merge        {head[:7]} Merge pull request #12 from kec-timur/hari-aids\n" in out
    assert f"  approved by  {BUDI}\n               {RINA}\n" in out
    assert f"  blob         {blob}\n" in out
    assert f"\n               {AIDS_TEXT}\n" in out
    assert "  url          2026-12-01_0900_2026-12-hari-aids" in out
    assert "sandbox files are in .humaspost/sandbox/<account>/" in out


def test_trace_of_a_commit_made_on_main_and_of_one_from_outside_git(office: Repo) -> None:
    publish_sandbox(office)
    direct = trace_json(office, "posts/2026/12/pengumuman.md")["deliveries"][0]
    assert direct["merge_status"] == "direct" and direct["merge"] is None
    assert direct["approvers"] is None
    assert direct["change"]["subject"] == "Pengumuman kota"
    out = run_humaspost("trace", "2026/12/pengumuman", "--sandbox", cwd=office.root).stdout
    assert "merge        none: the commit is on the main line itself" in out
    assert "approved by  unknown: the commit names no Reviewed-by or Approved-by" in out


def test_trace_of_a_post_traces_every_delivery_oldest_first(office: Repo) -> None:
    config = CONFIG + "groups:\n  berdua: [kec-timur, latihan]\n"
    office.write_config(config)
    office.post("2026/12/hari-aids.md", aids_post().replace("to: kec-timur", "to: berdua"))
    commit_all(office.root, "Kirim ke dua akun", SITI)
    publish_sandbox(office)
    traced = trace_json(office, AIDS)
    accounts = [d["account"] for d in traced["deliveries"]]
    assert sorted(accounts) == ["kec-timur", "latihan"]
    ids = [d["id"] for d in traced["deliveries"]]
    assert ids == sorted(ids)
    # Committed straight on main by Siti: the last change is hers.
    assert {d["merge_status"] for d in traced["deliveries"]} == {"direct"}


def test_trace_core_on_rows_and_a_real_repository(office: Repo) -> None:
    """The chain from log rows alone (how the command builds it), in a real repository."""
    publish_sandbox(office)
    config = office.config()
    with PublishLog(log_path(config, sandbox=True, environ={}), read_only=True) as log:
        rows = [(row, tuple(p.url for p in log.parts(row.id))) for row in log.search()]
    result = trace_rows(config, rows, posts=current_posts(config, office.root), cwd=office.root)
    assert result.git is GitHere.CHECKOUT
    by_post = {d.row.key.post_id: d for d in result.deliveries}
    aids = by_post["2026/12/hari-aids"]
    assert aids.merge_status is MergeStatus.MERGED and aids.approvers == (BUDI, RINA)
    assert aids.text == (AIDS_TEXT,) and aids.text_from is TextFrom.BLOB and aids.text_matches
    assert aids.row.source is not None
    assert aids.row.source.blob == blob_id((office.root / AIDS).read_bytes())


def test_a_commit_this_clone_does_not_have_is_unknown_not_a_guess(office: Repo) -> None:
    publish_sandbox(office)
    # The history was rewritten since (a force-push): HEAD no longer has the merge.
    git(office.root, "reset", "-q", "--hard", "HEAD~1")
    git(office.root, "reflog", "expire", "--expire=now", "--all")
    git(office.root, "gc", "-q", "--prune=now")
    delivery = trace_json(office, "2026/12/hari-aids")["deliveries"][0]
    assert delivery["merge_status"] == "unknown" and delivery["approvers"] is None
    assert delivery["commit"] is not None and delivery["author"] is not None
    # Nor is the file there any more: what went out is not made up.
    assert delivery["text"] is None
    out = run_humaspost("trace", "2026/12/hari-aids", "--sandbox", cwd=office.root).stdout
    assert "merge        unknown\n" in out
    assert "text sent    unknown: the text is no longer in this repository" in out


def test_outside_git_the_fields_are_empty_and_trace_says_so(repo: Repo) -> None:
    repo.write_config(CONFIG)
    repo.post("2026/12/hari-aids.md", aids_post())
    published = run_humaspost("publish", "--sandbox", "--now", NOW_TEXT, cwd=repo.root)
    assert published.returncode == 0, published.stderr
    (row,) = log_json(repo).values()
    assert [row[key] for key in ("commit", "blob", "author", "committed")] == [None] * 4
    text = run_humaspost("log", "--sandbox", cwd=repo.root).stdout
    assert "by " not in text

    traced = trace_json(repo, "2026/12/hari-aids")
    assert traced["git"] == "not-a-checkout" and "not a git repository" in str(
        traced["git_problem"]
    )
    (delivery,) = traced["deliveries"]
    assert delivery["merge_status"] == "unknown" and delivery["change"] is None
    # The file has not changed since: its text has the log's fingerprint.
    assert delivery["text"] == [AIDS_TEXT] and delivery["text_from"] == "file"
    out = run_humaspost("trace", "2026/12/hari-aids", "--sandbox", cwd=repo.root).stdout
    said = " ".join(out.split())
    assert said.startswith(f"git cannot tell more here: {repo.root} is not in a git checkout (")
    assert "only what the publish log recorded is shown" in said
    assert "  commit       not recorded: it was sent from a folder that is not a git" in out
    assert "  text sent    from the post file as it is now, confirmed by the log's" in out
    # Edited since: the text sent is no longer known anywhere, and trace says so.
    repo.post("2026/12/hari-aids.md", aids_post("Teks lain"))
    later = run_humaspost("trace", "2026/12/hari-aids", "--sandbox", cwd=repo.root).stdout
    assert "unknown: the text is no longer in this repository nor in the post file" in later


def test_without_git_installed_trace_shows_what_the_log_recorded(office: Repo) -> None:
    publish_sandbox(office)
    head = git(office.root, "rev-parse", "HEAD")
    out = run_humaspost("trace", "2026/12/hari-aids", "--sandbox", cwd=office.root,
                        env={"PATH": "/nonexistent"})  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("git is not installed here: only what the publish log")
    assert f"  commit       {head}\n" in out.stdout
    assert "merge " not in out.stdout and "approved by" not in out.stdout


def test_trace_refuses_what_the_log_does_not_have(office: Repo) -> None:
    nothing = run_humaspost("trace", "1", "--sandbox", cwd=office.root)
    assert nothing.returncode == 2 and "nothing has been published yet" in nothing.stderr
    publish_sandbox(office)
    real = run_humaspost("trace", "1", cwd=office.root)
    assert real.returncode == 2
    assert "only the sandbox log has deliveries: add --sandbox" in real.stderr
    for given, words in [
        ("99", "there is no delivery 99 in the publish log"),
        ("2026/12/tidak-ada", "trace: there is no post with id '2026/12/tidak-ada'"),
    ]:
        result = run_humaspost("trace", given, "--sandbox", cwd=office.root)
        assert result.returncode == 2 and words in result.stderr, result.stderr
    # A post with a file but nothing in the log yet.
    office.post(
        "2026/12/besok.md", "---\npublish_at: 2026-12-02 08:00\nto: kec-timur\n---\nBesok\n"
    )
    later = run_humaspost("trace", "posts/2026/12/besok.md", "--sandbox", cwd=office.root)
    assert later.returncode == 2
    assert "post '2026/12/besok' has no delivery in the publish log" in later.stderr


def test_trace_speaks_indonesian_and_english_is_unchanged(office: Repo) -> None:
    publish_sandbox(office)
    indonesian = run_humaspost("trace", "2026/12/hari-aids", "--sandbox", cwd=office.root,
                               env={"HUMASPOST_LANG": "id", "COLUMNS": "80"})  # fmt: skip
    assert indonesian.returncode == 0, indonesian.stderr
    out = indonesian.stdout
    assert all(len(line) <= 80 for line in out.splitlines()), out
    assert ": 2026/12/hari-aids → kec-timur, terkirim 2026-12-01 " in out
    assert out.startswith("pengiriman ")
    assert "  penulis" in out and "Siti Aminah <siti.aminah@kec-timur.example>" in out
    assert "  disetujui oleh" in out and BUDI in out
    assert "sidik jari" in out  # the log's fingerprint of what was sent
    english = run_humaspost("trace", "2026/12/hari-aids", "--sandbox", cwd=office.root).stdout
    assert "approved by" in english and "disetujui" not in english
    log_id = run_humaspost("log", "--sandbox", cwd=office.root, env={"HUMASPOST_LANG": "id"})
    head = git(office.root, "rev-parse", "HEAD")
    assert f"{head[:7]} oleh Siti Aminah" in log_id.stdout
    try:
        i18n.use("id")
        from humaspost.log_view import source_text

        uncommitted = Source(head, "b" * 40, None, False)
        assert source_text(uncommitted) == f"{head[:7]}\u00a0(belum\u00a0di-commit)"
    finally:
        i18n.use("en")


def test_publish_through_the_command_records_the_source_and_trace_shows_it(office: Repo) -> None:
    loaded = load_posts(office.config(), office.root, NOW)
    assert all(p.post.source is not None for p in loaded.planned)  # the loader attaches it
    published = run_humaspost("publish", "--sandbox", "--now", NOW_TEXT, cwd=office.root)
    assert published.returncode == 0, published.stdout + published.stderr
    head = git(office.root, "rev-parse", "HEAD")
    aids = log_json(office)["2026/12/hari-aids"]
    assert (aids["commit"], aids["committed"]) == (head, True)
    assert aids["blob"] == git(office.root, "hash-object", AIDS)
    assert aids["author"] == "Siti Aminah <siti.aminah@kec-timur.example>"
    delivery = trace_json(office, AIDS)["deliveries"][0]
    assert delivery["merge"]["subject"] == "Merge pull request #12 from kec-timur/hari-aids"
    assert delivery["approvers"] == [BUDI, RINA] and delivery["text"] == [AIDS_TEXT]


def test_trace_shows_a_thread_part_by_part_with_its_own_line_breaks(office: Repo) -> None:
    office.post(
        "2026/12/utas.md",
        "---\npublish_at: 2026-12-01 08:45\nto: latihan\n---\n"
        "Bagian pertama.\n\nParagraf kedua.\n---\nBagian kedua.\n",
    )
    commit_all(office.root, "Utas", SITI)
    publish_sandbox(office)
    (delivery,) = trace_json(office, "2026/12/utas")["deliveries"]
    assert delivery["text"] == ["Bagian pertama.\n\nParagraf kedua.", "Bagian kedua."]
    assert len(delivery["urls"]) == 2
    out = run_humaspost("trace", "2026/12/utas", "--sandbox", cwd=office.root).stdout
    assert (
        "               1. Bagian pertama.\n\n"
        "                  Paragraf kedua.\n"
        "               2. Bagian kedua.\n"
    ) in out
    assert "  url          2026-12-01_0900_2026-12-utas_1.json\n" in out
    assert "\n               2026-12-01_0900_2026-12-utas_2.json\n" in out
