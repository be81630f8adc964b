"""`publish`, `log`, `resolve` and `retry` end to end: the installed command in a
subprocess, the sandbox outbox and the real publish log on disk."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from humaspost.publog import ONCE, DeliveryKey, PublishLog, RowState
from tests.conftest import ENDS, Repo, run_humaspost

NOW = "2026-12-01 09:00"  # WIB


def outbox(repo: Repo) -> dict[str, list[dict[str, Any]]]:
    """Published parts by account, oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    folder = repo.root / ".humaspost" / "sandbox"
    for path in sorted(folder.glob("*/*.json"), key=lambda p: p.stat().st_mtime_ns):
        part = json.loads(path.read_text("utf-8"))
        found.setdefault(part["account"], []).append(part)
    return found


def log_json(repo: Repo, *args: str) -> list[dict[str, Any]]:
    result = run_humaspost("log", "--format", "json", *args, cwd=repo.root)
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def no_traceback(result: Any) -> None:
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture
def office(repo: Repo) -> Repo:
    repo.post(
        "2026/12/aids.md",
        "---\npublish_at: 2026-12-01 08:00\nto: [pemkot-x, pemkot-fb]\n---\n"
        "Hari AIDS Sedunia: tes HIV gratis di Puskesmas.\n---\nJadwal: Senin-Jumat.\n",
    )
    repo.post(
        "2026/12/banjir.yaml",
        "publish_at: 2026-12-01 08:30\nto: semua-kecamatan\ntext: Waspada banjir hari ini.\n",
    )
    repo.post("2026/12/besok.yaml", "publish_at: 2026-12-02 08:00\nto: pemkot-x\ntext: Besok.\n")
    return repo


def test_publish_to_the_sandbox_then_log(office: Repo) -> None:
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "4 sent"
    assert sorted(line.split(" WIB  ")[1].split("  ")[0] for line in lines[:-1]) == [
        "2026/12/aids → pemkot-fb",
        "2026/12/aids → pemkot-x",
        "2026/12/banjir → kec-barat",
        "2026/12/banjir → kec-timur",
    ]
    assert all(line.startswith("sent      2026-12-01 08:") for line in lines[:-1])
    sent = outbox(office)
    # X gets the thread as two posts, the second replying to the first; Facebook one post.
    x = sent["pemkot-x"]
    assert [p["text"] for p in x] == [
        "Hari AIDS Sedunia: tes HIV gratis di Puskesmas.",
        "Jadwal: Senin-Jumat.",
    ]
    assert x[0]["reply_to"] is None and x[1]["reply_to"] == x[0]["id"]
    assert [p["text"] for p in sent["pemkot-fb"]] == [
        "Hari AIDS Sedunia: tes HIV gratis di Puskesmas.\n\nJadwal: Senin-Jumat."
    ]
    assert [len(sent[a]) for a in ("kec-timur", "kec-barat")] == [1, 1]

    rows = log_json(office, "--sandbox")
    assert len(rows) == 4 and {row["state"] for row in rows} == {"sent"}
    by_account = {row["account"]: row for row in rows}
    assert by_account["pemkot-x"]["url"] == f"sandbox://pemkot-x/{x[0]['id']}"
    assert by_account["pemkot-x"]["occurrence"] == ONCE
    assert by_account["pemkot-x"]["due_at"] == "2026-12-01T01:00:00+00:00"
    text = run_humaspost("log", "--sandbox", cwd=office.root)
    assert text.returncode == 0
    assert "  sent  2026/12/aids → pemkot-x  2026-12-01_0900_2026-12-aids_1.json\n" in text.stdout
    assert text.stdout.count(" sent ") == 4
    # A rehearsal never touches the real log.
    real = run_humaspost("log", cwd=office.root)
    assert real.stdout.endswith("only the sandbox log has deliveries: add --sandbox\n")

    # Filters and formats.
    assert [r["account"] for r in log_json(office, "--sandbox", "--post", "2026/12/banjir")] in (
        ["kec-timur", "kec-barat"],
        ["kec-barat", "kec-timur"],
    )
    assert [r["post"] for r in log_json(office, "--sandbox", "--account", "pemkot-fb")] == [
        "2026/12/aids"
    ]
    assert log_json(office, "--sandbox", "--state", "failed") == []
    assert len(log_json(office, "--sandbox", "--limit", "1")) == 1
    as_csv = run_humaspost("log", "--sandbox", "--format", "csv", cwd=office.root)
    table = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(table) == 4 and table[0]["state"] == "sent"

    # Run again: nothing more goes out.
    again = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert (again.returncode, again.stdout) == (0, "nothing due\n")
    assert sum(len(parts) for parts in outbox(office).values()) == 5


def test_dry_run_sends_and_records_nothing(office: Repo) -> None:
    result = run_humaspost("publish", "--sandbox", "--dry-run", "--now", NOW, cwd=office.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "would send:",
        "  2026-12-01 08:00 WIB  2026/12/aids → pemkot-fb (due)",
        "  2026-12-01 08:00 WIB  2026/12/aids → pemkot-x (due)",
        "  2026-12-01 08:30 WIB  2026/12/banjir → kec-barat (due)",
        "  2026-12-01 08:30 WIB  2026/12/banjir → kec-timur (due)",
    ]
    assert outbox(office) == {}
    assert not (office.root / ".humaspost").exists()  # not even an empty publish log
    assert log_json(office, "--sandbox") == []
    # ... so the real run still has everything to do.
    real = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert real.stdout.splitlines()[-1] == "4 sent"


def test_only_the_post_named(office: Repo) -> None:
    result = run_humaspost(
        "publish", "--sandbox", "--post", "2026/12/banjir", "--now", NOW, cwd=office.root
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "2 sent"
    assert sorted(outbox(office)) == ["kec-barat", "kec-timur"]
    rest = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert rest.stdout.splitlines()[-1] == "2 sent"
    assert sorted(outbox(office)) == ["kec-barat", "kec-timur", "pemkot-fb", "pemkot-x"]


def test_a_post_id_that_does_not_exist_is_an_error(office: Repo) -> None:
    result = run_humaspost(
        "publish", "--sandbox", "--post", "2026/12/banjr", "--now", NOW, cwd=office.root
    )
    assert result.returncode == 2
    assert "no post with id '2026/12/banjr'" in result.stderr
    no_traceback(result)


def test_a_post_with_errors_is_held_back_and_exits_1_while_due(repo: Repo) -> None:
    repo.post("ok.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Halo warga.\n")
    repo.post("bad.yaml", "publish_at: 2026-12-01 08:00\nto: [latihan, nope]\ntext: Salah.\n")
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "1 sent"
    assert "1 post file(s) have errors and are held back: posts/bad.yaml" in result.stderr
    assert (
        "held back 2026-12-01 08:00 WIB  bad → latihan: due, but posts/bad.yaml has errors"
        in result.stderr
    )
    assert [p["text"] for p in outbox(repo)["latihan"]] == ["Halo warga."]
    no_traceback(result)


def test_a_post_with_errors_that_is_not_due_yet_only_warns(repo: Repo) -> None:
    repo.post("ok.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Halo warga.\n")
    repo.post("later.yaml", "publish_at: 2026-12-05 08:00\nto: [latihan, nope]\ntext: Nanti.\n")
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 post file(s) have errors and are held back: posts/later.yaml" in result.stderr
    assert "held back 2026" not in result.stderr
    assert result.stdout.splitlines()[-1] == "1 sent"


def test_missing_secrets_are_named_and_other_accounts_go_on(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: [pemkot-x, latihan]\ntext: Halo.\n")
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root)
    assert result.returncode == 2
    assert "needs the environment variable X_KEY" in result.stderr
    assert "its posts were not sent" in result.stderr
    assert result.stdout.splitlines()[-1] == "1 sent"
    assert sorted(outbox(repo)) == ["latihan"]
    no_traceback(result)


def test_a_missed_delivery_is_retried_by_hand(office: Repo) -> None:
    late = "2026-12-01 12:00"  # both posts are past max_delay (2h)
    result = run_humaspost("publish", "--sandbox", "--post", "2026/12/aids", "--now", late,
                           cwd=office.root)  # fmt: skip
    assert result.returncode == 1, result.stderr  # a person should know
    assert result.stdout.splitlines()[-1] == "2 missed"
    assert "past max_delay after its time" in result.stdout
    assert outbox(office) == {}
    (row,) = log_json(office, "--sandbox", "--state", "missed", "--account", "pemkot-x")
    # Still missed on the next run: nothing goes out late by itself.
    again = run_humaspost("publish", "--sandbox", "--post", "2026/12/aids", "--now", late,
                          cwd=office.root)  # fmt: skip
    assert (again.returncode, again.stdout) == (0, "nothing due\n")  # told once, not every run

    retried = run_humaspost("retry", str(row["id"]), "--sandbox", "--now", late, cwd=office.root)
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout == (
        f"delivery {row['id']} (2026/12/aids → pemkot-x) will be sent by the next publish\n"
    )
    sent = run_humaspost("publish", "--sandbox", "--post", "2026/12/aids", "--now", late,
                         cwd=office.root)  # fmt: skip
    assert sent.returncode == 0 and sent.stdout.splitlines()[-1] == "1 sent"
    assert sorted(outbox(office)) == ["pemkot-x"]
    states = {
        r["account"]: r["state"] for r in log_json(office, "--sandbox", "--post", "2026/12/aids")
    }
    assert states == {"pemkot-x": "sent", "pemkot-fb": "missed"}

    twice = run_humaspost("retry", str(row["id"]), "--sandbox", "--now", late, cwd=office.root)
    assert twice.returncode == 2
    assert (
        f"delivery {row['id']} is sent; only failed or missed ones can be retried" in twice.stderr
    )
    no_traceback(twice)


def make_unknown(repo: Repo, post: str, account: str) -> int:
    """A delivery whose request was in flight when its publisher died, as `publish` leaves
    it (written through the publish log's own API into the sandbox log)."""
    config = repo.config()
    due = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    lease = timedelta(minutes=2)
    with PublishLog(config.state_dir / "sandbox" / "publog.sqlite") as log:
        taken = log.claim(DeliveryKey(post, ONCE, account), platform="sandbox", due_at=due,
                          owner="elsewhere/1", now=due, lease=lease)  # fmt: skip
        assert taken is not None
        log.part_starting(taken.row_id, 0, "elsewhere/1", due, lease)
        log.finish(taken.row_id, ENDS[RowState.UNKNOWN], owner="elsewhere/1", now=due,
                   outcome="uncertain", error="timeout after sending")  # fmt: skip
        return taken.row_id


def test_an_unknown_delivery_is_shown_and_resolved_as_sent(office: Repo) -> None:
    row_id = make_unknown(office, "2026/12/aids", "pemkot-x")
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert result.returncode == 0  # it was already unknown before this run
    assert result.stdout.splitlines()[-1] == "3 sent"
    assert "1 delivery is in state unknown: they may or may not have been published" in (
        result.stderr
    )
    assert "pemkot-x" not in outbox(office)
    (row,) = log_json(office, "--sandbox", "--state", "unknown")
    assert (row["id"], row["error"]) == (row_id, "timeout after sending")

    url = "https://x.com/pemkotbekasi/status/1864"
    resolved = run_humaspost("resolve", str(row_id), "--sent", url, "--sandbox", "--now", NOW,
                             cwd=office.root)  # fmt: skip
    assert resolved.returncode == 0, resolved.stderr
    assert (
        resolved.stdout
        == f"delivery {row_id} (2026/12/aids → pemkot-x) recorded as sent at {url}\n"
    )
    (row,) = log_json(office, "--sandbox", "--post", "2026/12/aids", "--account", "pemkot-x")
    assert (row["state"], row["url"], row["error"]) == ("sent", url, None)
    after = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert (after.returncode, after.stdout, after.stderr) == (0, "nothing due\n", "")
    assert "pemkot-x" not in outbox(office)


def test_an_unknown_delivery_resolved_as_not_sent_goes_out(office: Repo) -> None:
    row_id = make_unknown(office, "2026/12/aids", "pemkot-x")
    resolved = run_humaspost("resolve", str(row_id), "--not-sent", "--sandbox", "--now", NOW,
                             cwd=office.root)  # fmt: skip
    assert resolved.returncode == 0, resolved.stderr
    assert "queued to be sent again by the next publish" in resolved.stdout
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=office.root)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "4 sent"
    assert len(outbox(office)["pemkot-x"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["retry", "99"], "there is no delivery 99 in the publish log"),
        (["resolve", "99", "--not-sent"], "there is no delivery 99 in the publish log"),
        (["resolve", "1"], "say either --sent URL or --not-sent"),
        (["resolve", "1", "--sent", "https://x.com/i/1", "--not-sent"], "say either"),
        (["resolve", "1", "--sent", "https://x.com/i/1"], "delivery 1 is sent, not unknown"),
        (["retry", "1"], "delivery 1 is sent; only failed or missed ones can be retried"),
        (["retry", "satu"], "Invalid value for 'DELIVERY'"),
        (["log", "--state", "due"], "'due' is not one of"),
        (["log", "--since", "kemarin"], "--since: 'kemarin' is not a date and time"),
    ],
)
def test_wrong_use_of_resolve_retry_and_log(repo: Repo, args: list[str], message: str) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Halo.\n")
    assert run_humaspost("publish", "--now", NOW, cwd=repo.root).returncode == 0
    result = run_humaspost(*args, cwd=repo.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    no_traceback(result)


def test_a_failed_delivery_exits_1_and_can_be_retried(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Halo warga.\n")
    # Something is in the way of the sandbox's outbox folder: its adapter fails.
    blocker = repo.root / ".humaspost" / "sandbox" / "latihan"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")
    result = run_humaspost("publish", "--now", NOW, cwd=repo.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("failed    2026-12-01 08:00 WIB  a → latihan  internal error")
    assert result.stdout.splitlines()[-1] == "1 failed"
    no_traceback(result)
    (row,) = log_json(repo, "--state", "failed")
    # Not tried again by itself.
    assert run_humaspost("publish", "--now", NOW, cwd=repo.root).stdout == "nothing due\n"
    blocker.unlink()
    assert run_humaspost("retry", str(row["id"]), "--now", NOW, cwd=repo.root).returncode == 0
    sent = run_humaspost("publish", "--now", NOW, cwd=repo.root)
    assert sent.returncode == 0 and sent.stdout.splitlines()[-1] == "1 sent"
    assert [p["text"] for p in outbox(repo)["latihan"]] == ["Halo warga."]


def test_sandbox_runs_keep_a_sandbox_accounts_delay(repo: Repo) -> None:
    repo.write_config(
        "timezone: Asia/Jakarta\naccounts:\n  latihan:\n    platform: sandbox\n    delay: 600ms\n"
    )
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: Halo.\n")
    started = time.monotonic()
    result = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == "1 sent"
    assert time.monotonic() - started >= 0.6
