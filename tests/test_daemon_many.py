"""`humaspost daemon` among many posts (enough to be read by several processes at
start): an edit, an added and a removed file change only their own posts; the daemon
keeps the plans of the others (humaspost.daemon_plan) and must decide as if it planned
them all again."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from humaspost.checks import PARALLEL_MIN_FILES
from tests.conftest import Repo
from tests.test_daemon import CONFIG, daemon, local, log_rows, outbox, post, rewrite


def test_among_many_posts_an_edit_an_addition_and_a_removal_change_only_theirs(
    repo: Repo,
) -> None:
    repo.write_config(CONFIG)
    t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    later = t0 + timedelta(days=1)
    for n in range(PARALLEL_MIN_FILES):
        post(repo, f"lain/{n:03}.md", later + timedelta(minutes=n), f"Lain {n}")
    kept = post(repo, "tetap.md", t0 + timedelta(seconds=4), "Tetap")
    edited = post(repo, "ubah.md", t0 + timedelta(hours=2), "Teks lama")
    removed = post(repo, "hapus.md", t0 + timedelta(seconds=4), "Dihapus")
    broken = post(repo, "rusak.md", t0 + timedelta(seconds=4), "Rusak", to="[tidak-ada]")
    with daemon(repo, t0) as running:
        started = running.wait_for("started")
        assert started["posts"] == PARALLEL_MIN_FILES + 4
        held = running.wait_for("post held back")
        assert (held["file"], held["code"]) == ("posts/rusak.md", "HP103")
        rewrite(edited, f"---\npublish_at: {local(t0 + timedelta(seconds=5))}\n---\nTeks baru\n")
        running.wait_for("reloaded", lambda e: e["files"] == ["posts/ubah.md"])
        removed.unlink()
        running.wait_for("reloaded", lambda e: e["files"] == ["posts/hapus.md"])
        post(repo, "baru.md", t0 + timedelta(seconds=6), "Baru")
        running.wait_for("reloaded", lambda e: e["files"] == ["posts/baru.md"])
        for name in ("tetap", "ubah", "baru"):
            running.wait_for("sent", lambda e, name=name: e["post"] == name)  # type: ignore[misc]
        time.sleep(1)
        # Fixed after its time (within max_delay): it goes out at once.
        rewrite(broken, f"---\npublish_at: {local(t0 + timedelta(seconds=4))}\n---\nRusak\n")
        running.wait_for("sent", lambda e: e["post"] == "rusak")
        # The next delivery is still the first of the many posts left as they were.
        deadline = time.monotonic() + 10
        while running.heartbeat().get("next_delivery") != later.isoformat():
            assert time.monotonic() < deadline, running.heartbeat()
            time.sleep(0.05)
        assert running.terminate() == 0
    assert set(outbox(repo)) == {
        ("latihan", "Tetap"),
        ("latihan", "Teks baru"),
        ("latihan", "Baru"),
        ("latihan", "Rusak"),
    }
    rows = log_rows(repo)
    assert {name: row["state"] for name, row in rows.items()} == {
        "tetap": "sent",
        "ubah": "sent",
        "baru": "sent",
        "rusak": "sent",
    }
    assert kept.exists()
