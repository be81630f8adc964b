"""`humaspost inbox` and its subcommands through the installed command, as staff use
them: the list most urgent first, show, assign, close, reply, purge and the exports,
on both log backends where the log matters."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from humaspost.inbox_log import InboxLog
from humaspost.publog import PublishLog
from tests.conftest import Repo, run_humaspost
from tests.inbox_office import ITEMS, NOW, Seed, location_of, office, seeded, store

STAFF = {"HUMASPOST_USER": "Staf Humas Uji"}


def inbox(repo: Repo, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_humaspost("inbox", *args, cwd=repo.root, env={**STAFF, **env})


def listed(repo: Repo, env: dict[str, str], *args: str) -> list[dict[str, object]]:
    done = inbox(repo, env, *args, "--format", "json", "--now", NOW)
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


def lines(output: str) -> list[str]:
    """The lines of a CSV as read back (text mode reads its CRLF as one line end)."""
    return output.removeprefix("\ufeff").splitlines()


def one_error_line(done: subprocess.CompletedProcess[str], label: str = "error") -> str:
    """The one line of a usage error (exit 2), never a traceback."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"humaspost: {label}: ")
    return line.removeprefix(f"humaspost: {label}: ")


def test_the_list_is_the_open_items_most_urgent_first_with_time_left_and_age(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    done = inbox(repo, env, "--now", NOW)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Inbox: 4 open items, most urgent first (times in WIB)\n"
        "\n"
        "1  overdue 9h   assigned  BPBD    pemkot-x   2026-12-01 08:15 (3d ago)\n"
        "   Warga Contoh (@warga_uji1): @pemkot_bekasi Banjir setinggi lutut di Jl. Ahmad Yani,"
        " mohon bantuan\n"
        "3  3d 15h left  assigned  DISHUB  kec-timur  2026-11-30 09:00 (4d ago)\n"
        '   Pak Contoh Dua: Jalan berlubang di depan SDN 3 "Harapan"\n'
        "2  4d 15h left  new       -       pemkot-fb  2026-12-01 10:00 (2d 23h ago)\n"
        "   Ibu Warga Uji: Lampu jalan di Jl. Cut Meutia mati sejak seminggu. Mohon diperbaiki;"
        " terima kasih\n"
        "4  6d 15h left  new       -       pemkot-x   2026-12-03 16:00 (17h ago)\n"
        "   Warga Contoh (@warga_uji1): @pemkot_bekasi terima kasih, airnya sudah surut\n"
    )
    rows = listed(repo, env)
    assert [(r["id"], r["time_left_seconds"], r["overdue"]) for r in rows] == [
        (1, -9 * 3600, True), (3, (3 * 24 + 15) * 3600, False),
        (2, (4 * 24 + 15) * 3600, False), (4, (6 * 24 + 15) * 3600, False),
    ]  # fmt: skip
    assert rows[0]["age_seconds"] == (3 * 24 * 60 + 45) * 60
    assert rows[0]["due_at"] == "2026-12-03T17:00:00+00:00"


def test_the_filters_office_status_account_and_overdue(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    closed = inbox(repo, env, "close", "4", "--note", "sudah surut", "--now", NOW)
    assert closed.returncode == 0, closed.stderr

    def ids(*args: str) -> list[object]:
        return [row["id"] for row in listed(repo, env, *args)]

    assert ids() == [1, 3, 2]
    assert ids("--office", "DISHUB") == [3]
    assert ids("--overdue") == [1]
    assert ids("--account", "pemkot-x") == [1]
    assert ids("--account", "pemkot-x", "--status", "all") == [1, 4]
    assert ids("--account", "semua-kecamatan") == [3]  # a group: any of its accounts
    assert ids("--status", "new") == [2]
    assert ids("--status", "closed") == [4]
    assert ids("--status", "closed", "--status", "new") == [2, 4]
    assert ids("--status", "all") == [1, 3, 2, 4]
    assert ids("--office", "DINKES") == []
    nothing = inbox(repo, env, "--office", "DINKES", "--now", NOW)
    assert nothing.stdout == "the inbox has no matching items\n"
    assert "4  closed" in inbox(repo, env, "--status", "all", "--now", NOW).stdout


def test_an_unknown_office_or_account_in_a_filter_names_the_known_ones(repo: Repo) -> None:
    env = seeded(repo, None)
    line = one_error_line(inbox(repo, env, "--office", "BPDB"))
    assert line == "unknown office 'BPDB'; the offices are: BPBD, DISHUB, DINKES, humas"
    line = one_error_line(inbox(repo, env, "--account", "pemkot-ig"))
    assert line.startswith("--account: unknown account or group 'pemkot-ig' (known: pemkot-x,")


def test_without_a_log_the_inbox_is_empty_and_no_log_is_made(repo: Repo) -> None:
    env = office(repo, None)
    done = inbox(repo, env, "--now", NOW)
    assert (done.returncode, done.stdout) == (0, "the inbox has no open items\n")
    assert listed(repo, env) == []
    assert one_error_line(inbox(repo, env, "show", "1")).startswith("there is no inbox item 1;")
    assert not (repo.root / ".humaspost").exists()


def test_show_gives_the_item_its_history_and_json(repo: Repo, log_database: str | None) -> None:
    env = seeded(repo, log_database)
    done = inbox(repo, env, "show", "1", "--now", NOW)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Inbox item 1\n"
        "status:   assigned, BPBD, banjir\n"
        "account:  pemkot-x (twitter)\n"
        "from:     Warga Contoh (@warga_uji1)\n"
        "received: Tuesday, 1 December 2026 08:15 WIB (3d ago)\n"
        "due:      Friday, 4 December 2026 00:00 WIB (overdue 9h)\n"
        "address:  https://x.com/warga_uji1/status/1865000000000000001\n"
        "\n"
        "  @pemkot_bekasi Banjir setinggi lutut di Jl. Ahmad Yani, mohon bantuan\n"
        "\n"
        "History\n"
        "  2026-12-01 08:20 WIB  received  humaspost\n"
        "  2026-12-01 08:20 WIB  routed    humaspost  routes[1]\n"
    )
    shown = json.loads(inbox(repo, env, "show", "1", "--format", "json", "--now", NOW).stdout)
    assert sorted(shown) == ["history", "item", "replies"]
    assert shown["item"]["author_handle"] == "warga_uji1" and shown["item"]["overdue"] is True
    assert shown["history"] == [
        {"at": "2026-12-01T01:20:00+00:00", "by": "humaspost", "action": "received",
         "detail": None},
        {"at": "2026-12-01T01:20:00+00:00", "by": "humaspost", "action": "routed",
         "detail": "routes[1]"},
    ]  # fmt: skip
    assert shown["replies"] == []


@pytest.mark.parametrize("number", ["5", "0", "-1", "99999999999999999999"])
def test_an_unknown_item_is_a_usage_error(repo: Repo, number: str) -> None:
    env = seeded(repo, None)
    for command in (
        ("show", number),
        ("assign", number, "BPBD"),
        ("close", number, "--note", "x"),
        ("reply", number),
    ):
        done = inbox(repo, env, *command)
        if number.startswith("-"):  # typer takes it for an option
            assert done.returncode == 2 and "Traceback" not in done.stderr
            continue
        assert one_error_line(done).startswith(f"there is no inbox item {number};")


@pytest.mark.parametrize(
    "command", [(), ("show", "1"), ("assign", "1", "BPBD"), ("close", "1", "--note", "x")]
)
def test_a_now_outside_the_years_is_a_usage_error(repo: Repo, command: tuple[str, ...]) -> None:
    env = seeded(repo, None)
    line = one_error_line(inbox(repo, env, *command, "--now", "9999-12-31 23:59-12:00"))
    assert line.startswith("--now: ") and "outside the years" in line


def test_assign_records_who_and_when_and_recounts_the_due_time_of_a_category(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    done = inbox(repo, env, "assign", "2", "DISHUB", "--category", "jalan", "--by",
                 "Rina Humas", "--now", NOW)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == "item 2 assigned to DISHUB by Rina Humas; category jalan\n"
    shown = json.loads(inbox(repo, env, "show", "2", "--format", "json", "--now", NOW).stdout)
    item = shown["item"]
    assert (item["status"], item["office"], item["category"]) == ("assigned", "DISHUB", "jalan")
    # Received Tuesday 1 December; 10 working days from Wednesday 2: the 15th is the
    # tenth, and it ends at midnight WIB.
    assert item["due_at"] == "2026-12-15T17:00:00+00:00"
    assert shown["history"][-1] == {
        "at": "2026-12-04T02:00:00+00:00", "by": "Rina Humas", "action": "assigned",
        "detail": "DISHUB, jalan",
    }  # fmt: skip
    # Without a category the due time stays; a settled item is reopened.
    assert inbox(repo, env, "close", "3", "--note", "diperbaiki", "--now", NOW).returncode == 0
    again = inbox(repo, env, "assign", "3", "BPBD", "--now", "2026-12-04 10:00")
    assert again.stdout == "item 3 assigned to BPBD by Staf Humas Uji\n", again.stderr
    item3 = json.loads(inbox(repo, env, "show", "3", "--format", "json").stdout)
    assert item3["item"]["status"] == "assigned"
    assert item3["item"]["due_at"] == "2026-12-07T17:00:00+00:00"
    assert [(h["action"], h["by"]) for h in item3["history"]][-2:] == [
        ("closed", "Staf Humas Uji"), ("reopened", "Staf Humas Uji"),
    ]  # fmt: skip


def test_assign_refuses_an_unknown_office_or_category(repo: Repo) -> None:
    env = seeded(repo, None)
    line = one_error_line(inbox(repo, env, "assign", "2", "Dinas PU"))
    assert line == "unknown office 'Dinas PU'; the offices are: BPBD, DISHUB, DINKES, humas"
    line = one_error_line(inbox(repo, env, "assign", "2", "BPBD", "--category", "longsor"))
    assert line == "unknown category 'longsor'; the categories are: banjir, jalan"
    assert listed(repo, env, "--status", "new")[0]["id"] == 2  # unchanged


def test_close_needs_a_note_and_a_closed_item_cannot_be_closed_again(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    missing = inbox(repo, env, "close", "2")
    assert missing.returncode == 2 and "--note" in missing.stderr
    assert one_error_line(inbox(repo, env, "close", "2", "--note", "  ")) == (
        "--note is empty; say how the item was settled"
    )
    done = inbox(repo, env, "close", "2", "--note", "lampu sudah diganti", "--now", NOW)
    assert done.stdout == "item 2 closed by Staf Humas Uji\n", done.stderr
    spam = inbox(repo, env, "close", "4", "--note", "ucapan terima kasih", "--not-complaint")
    assert spam.stdout == "item 4 closed as not a complaint by Staf Humas Uji\n", spam.stderr
    line = one_error_line(inbox(repo, env, "close", "2", "--note", "lagi"))
    assert line == "the item is closed already; `humaspost inbox assign` reopens it"
    rows = listed(repo, env, "--status", "all")
    assert {r["id"]: r["status"] for r in rows} == {
        1: "assigned", 2: "closed", 3: "assigned", 4: "not-complaint",
    }  # fmt: skip
    history = json.loads(inbox(repo, env, "show", "2", "--format", "json").stdout)["history"]
    assert history[-1] == {"at": "2026-12-04T02:00:00+00:00", "by": "Staf Humas Uji",
                           "action": "closed", "detail": "lampu sudah diganti"}  # fmt: skip


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_who_acts_is_by_else_humaspost_user_else_git_user_name_else_an_error(
    repo: Repo, tmp_path: Path
) -> None:
    env = seeded(repo, None)
    # No git configuration of this machine's: an empty home, no system file.
    home = tmp_path / "home"
    home.mkdir()
    bare = {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1"}

    def assign(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return run_humaspost("inbox", "assign", "2", "humas", *args, "--now", NOW,
                             cwd=repo.root, env=environ)  # fmt: skip

    line = one_error_line(assign(environ=bare))
    assert line == (
        "who is acting? Give --by NAME, or set HUMASPOST_USER, or git's user.name"
        " (git config user.name 'Your Name')"
    )
    _git(repo.root, "init", "--quiet")
    _git(repo.root, "config", "user.name", "Budi Git")
    assert assign(environ=bare).stdout == "item 2 assigned to humas by Budi Git\n"
    by_env = assign(environ={**bare, "HUMASPOST_USER": "Siti Env"})
    assert by_env.stdout == "item 2 assigned to humas by Siti Env\n"
    by_flag = assign("--by", "Rina Flag", environ={**bare, "HUMASPOST_USER": "Siti Env"})
    assert by_flag.stdout == "item 2 assigned to humas by Rina Flag\n"
    assert one_error_line(assign("--by", " ", environ=bare)) == (
        "--by is empty; give the name of who acts"
    )
    history = json.loads(inbox(repo, env, "show", "2", "--format", "json").stdout)["history"]
    assert [h["by"] for h in history] == ["humaspost", "Budi Git", "Siti Env", "Rina Flag"]


REPLY_FILE = """\
---
# Reply to inbox item 1: twitter, account pemkot-x.
# Received 2026-12-01 08:15 WIB; due 2026-12-04 00:00 WIB.
# To read it: humaspost inbox show 1
# Write the reply in place of the text below; it is sent as the reply when this
# file is merged and published.
to: [pemkot-x]
reply_to: 1
---
Write the announcement here.
"""


def test_reply_writes_a_post_file_that_names_the_item_and_not_the_citizen(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    done = inbox(repo, env, "reply", "1", "--now", NOW)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "posts/2026/12/balasan-1.md\n"
        "Next: write the reply in place of the placeholder text, run `humaspost check`, commit"
        " the file and open a pull request. Once merged, publishing sends it as the reply to"
        " item 1 on pemkot-x, once.\n"
    )
    text = (repo.posts / "2026" / "12" / "balasan-1.md").read_text(encoding="utf-8")
    assert text == REPLY_FILE
    for private in ("Warga Contoh", "warga_uji1", "7001", "Banjir", "1865000000000000001"):
        assert private not in text
    # A second reply is refused while the first is being written, or once it is settled.
    line = one_error_line(inbox(repo, env, "reply", "1", "--now", NOW))
    assert line == (
        "a reply to item 1 is already being written: posts/2026/12/balasan-1.md; finish that"
        " one, or add --force to write another"
    )
    forced = inbox(repo, env, "reply", "1", "--force", "--now", NOW)
    assert forced.stdout.splitlines()[0] == "posts/2026/12/balasan-1-2.md", forced.stderr
    assert (repo.posts / "2026" / "12" / "balasan-1.md").read_text(encoding="utf-8") == text
    inbox(repo, env, "close", "4", "--note", "ucapan terima kasih", "--not-complaint")
    line = one_error_line(inbox(repo, env, "reply", "4", "--now", NOW))
    assert line == "item 4 is not a complaint already; add --force to write another reply"


def test_reply_stdout_prints_the_file_for_a_clone_of_ones_own_and_writes_nothing(
    repo: Repo,
) -> None:
    env = seeded(repo, None)
    printed = inbox(repo, env, "reply", "1", "--stdout", "--now", NOW)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == REPLY_FILE
    assert not list(repo.posts.rglob("balasan-*"))


def test_a_reply_file_is_held_back_only_by_its_placeholder_until_written(repo: Repo) -> None:
    env = seeded(repo, None)
    assert inbox(repo, env, "reply", "2", "--now", NOW).returncode == 0
    path = repo.posts / "2026" / "12" / "balasan-2.md"
    checked = run_humaspost("check", "--now", NOW, cwd=repo.root, env=env)
    assert checked.returncode == 1
    errors = [line for line in checked.stdout.splitlines() if "error[" in line]
    assert errors == [
        "posts/2026/12/balasan-2.md:10:1: error[HP117] the text is still the placeholder that"
        " 'humaspost new' wrote"
    ], checked.stdout
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "Write the announcement here.", "Terima kasih, laporan Ibu kami teruskan ke DISHUB."
        ),
        encoding="utf-8",
    )
    checked = run_humaspost("check", "--now", NOW, cwd=repo.root, env=env)
    assert checked.returncode == 0, checked.stdout


def test_a_reply_goes_in_the_folder_of_an_account_with_paths(repo: Repo) -> None:
    scoped = repo.root / "humaspost.yaml"
    env = seeded(repo, None)
    text = scoped.read_text(encoding="utf-8").replace(
        "  kec-timur:\n    platform: facebook\n",
        "  kec-timur:\n    platform: facebook\n    paths: [kecamatan/bekasi-timur/**]\n",
    )
    scoped.write_text(text, encoding="utf-8")
    done = inbox(repo, env, "reply", "3", "--now", NOW)
    assert done.stdout.splitlines()[0] == "posts/kecamatan/bekasi-timur/2026/12/balasan-3.md"


def test_purge_deletes_every_item_of_an_author_by_handle_id_or_pseudonym(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    done = inbox(repo, env, "purge", "--author", "@Warga_Uji1")
    assert done.stdout == (
        "deleted 2 inbox items of the author '@Warga_Uji1', with their history\n"
    ), done.stderr
    assert [r["id"] for r in listed(repo, env, "--status", "all")] == [3, 2]
    again = inbox(repo, env, "purge", "--author", "warga_uji1")
    assert again.stdout == "no inbox item has the author 'warga_uji1'; nothing was deleted\n"
    assert one_error_line(inbox(repo, env, "show", "1")).startswith("there is no inbox item 1;")
    by_id = inbox(repo, env, "purge", "--author", "fb-3002")
    assert by_id.stdout.startswith("deleted 1 inbox item of the author 'fb-3002'")
    [left] = listed(repo, env, "--status", "all", "--pseudonymize")
    by_pseudonym = inbox(repo, env, "purge", "--author", str(left["author_id"]))
    assert by_pseudonym.stdout.startswith("deleted 1 inbox item of"), by_pseudonym.stderr
    assert listed(repo, env, "--status", "all") == []
    # Numbers are never given again, also after a purge.
    assert store(location_of(repo, env), ITEMS[1]) == [5]


def test_purge_by_item_deletes_a_comment_whose_author_is_hidden(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    location = location_of(repo, env)
    (hidden,) = store(location, Seed("pemkot-fb", "facebook", "900100_800009", "", "", None,
                                     "Nomor saya 0812-0000-0000, tolong hubungi",
                                     "2026-12-02 09:00", "2026-12-10 00:00"))  # fmt: skip
    assert inbox(repo, env, "purge", "--author", "").returncode == 2  # no author names it
    exported = listed(repo, env, "--status", "all", "--pseudonymize")
    # Hidden authors are not one "resident" in reports: their pseudonym is empty.
    assert [row["author_id"] for row in exported if row["id"] == hidden] == [""]
    done = inbox(repo, env, "purge", "--item", str(hidden))
    assert done.stdout == f"deleted inbox item {hidden}, with its history\n", done.stderr
    assert sorted(int(str(r["id"])) for r in listed(repo, env, "--status", "all")) == [1, 2, 3, 4]
    with PublishLog(location, read_only=True) as log:
        assert InboxLog(log).history(hidden) == []
    assert one_error_line(inbox(repo, env, "purge", "--item", str(hidden))).startswith(
        f"there is no inbox item {hidden};"
    )
    for wrong in ([], ["--item", "1", "--author", "warga_uji1"]):
        refused = inbox(repo, env, "purge", *wrong)
        assert refused.returncode == 2
        assert "inbox purge takes --author or --item (one of them)" in refused.stderr


def test_pseudonymized_exports_name_no_author_and_keep_their_pseudonyms(
    repo: Repo, log_database: str | None
) -> None:
    env = seeded(repo, log_database)
    location = location_of(repo, env)
    # Another citizen names the first one.
    store(location, Seed("pemkot-x", "twitter", "1865000000000000009", "7002", "Warga Lain",
                         "warga_uji2", "@pemkot_bekasi @Warga_Uji1 benar, di RT 3 juga",
                         "2026-12-03 18:00", "2026-12-11 00:00"))  # fmt: skip
    first = inbox(repo, env, "--status", "all", "--format", "json", "--pseudonymize", "--now", NOW)
    second = inbox(repo, env, "--status", "all", "--format", "csv", "--pseudonymize", "--now", NOW)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    for output in (first.stdout, second.stdout):
        for private in ("Warga Contoh", "warga_uji", "Warga_Uji", "7001", "7002", "fb-3001",
                        "Ibu Warga Uji", "Pak Contoh Dua", "x.com", "facebook.com"):  # fmt: skip
            assert private not in output
    rows = json.loads(first.stdout)
    names = {row["id"]: row["author_id"] for row in rows}
    assert all(str(n).startswith("warga-") and len(str(n)) == 14 for n in names.values())
    assert names[1] == names[4] != names[2]  # one author, one pseudonym
    assert {row["id"]: row["author_handle"] for row in rows}[2] is None  # Facebook: none
    [later] = [row for row in rows if row["id"] == 5]
    assert later["text"] == f"@pemkot_bekasi @{names[1]} benar, di RT 3 juga"
    sheet = list(csv.DictReader(io.StringIO(second.stdout.removeprefix("\ufeff"))))
    assert {int(row["id"]): row["author_id"] for row in sheet} == names


def test_csv_has_a_header_and_quotes_what_needs_it(repo: Repo) -> None:
    env = seeded(repo, None)
    done = run_humaspost("inbox", "--format", "csv", "--now", NOW, cwd=repo.root, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeffid,status,office,category,platform,account,")
    assert lines(done.stdout)[0] == (
        "id,status,office,category,platform,account,remote_id,url,author_id,author_name,"
        "author_handle,text,received_at,due_at,age_seconds,time_left_seconds,overdue,"
        "answers_post,answered_at,settled_at,reply_url,fetched_at"
    )
    sheet = list(csv.DictReader(io.StringIO(done.stdout.removeprefix("\ufeff"))))
    assert [row["id"] for row in sheet] == ["1", "3", "2", "4"]
    assert sheet[0]["received_at"] == "2026-12-01 08:15:00"
    assert sheet[0]["overdue"] == "true" and sheet[1]["overdue"] == "false"
    assert sheet[1]["text"] == 'Jalan berlubang di depan SDN 3 "Harapan"'
    assert sheet[2]["text"] == ITEMS[1].text  # its line break and ';' kept
    assert '"Lampu jalan di Jl. Cut Meutia mati sejak seminggu.\nMohon' in done.stdout
    # In Indonesian, separated by ';' as log --format csv is.
    indonesian = run_humaspost("inbox", "--format", "csv", "--now", NOW, cwd=repo.root,
                               env={**env, "HUMASPOST_LANG": "id"})  # fmt: skip
    assert indonesian.stdout.startswith("\ufeffid;status;office;")


def test_the_inbox_speaks_indonesian(repo: Repo) -> None:
    env = {**seeded(repo, None), "HUMASPOST_LANG": "id"}
    done = inbox(repo, env, "--now", NOW)
    assert done.stdout.startswith("Kotak masuk: 4 item terbuka, paling mendesak di atas"), (
        done.stdout
    )
    assert "terlambat 9 jam" in done.stdout and "sisa 3 hari 15 jam" in done.stdout
    line = one_error_line(inbox(repo, env, "assign", "2", "Dinas PU"), "galat")
    assert (
        line == "instansi 'Dinas PU' tidak dikenal; instansi yang ada: BPBD, DISHUB, DINKES, humas"
    )
    english = inbox(repo, {k: v for k, v in env.items() if k != "HUMASPOST_LANG"}, "--now", NOW)
    assert english.stdout.startswith("Inbox: 4 open items")
