"""The first day of a new office, end to end, as its staff drive the installed command.

`init` in an empty folder, `check`, practising with the example, `new`, a mistake `check`
catches, `preview`, `publish --sandbox`, `log`, the outbox file: once in Bahasa Indonesia
(what plain `init` writes) and once in English (`init --language en`). Every time is a
fixed `--now`, never the real clock. run_humaspost sets HUMASPOST_LANG=en, so the
Indonesian run also shows that the config's `language: id` wins over the environment.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_humaspost

FIRST_DAY = "2026-12-01 10:00"  # Tuesday: the office sets itself up
EXAMPLE_DUE = "2026-12-02 09:00"  # when init's example post is due (tomorrow 09:00)
SUNDAY = "2026-12-06 07:00"  # when the new post goes out
TITLE = "Kerja Bakti Minggu Pagi"
POST = "posts/2026/12/kerja-bakti-minggu-pagi.md"  # named from the date and the title
POST_ID = "2026/12/kerja-bakti-minggu-pagi"
OUTBOX = "2026-12-06_0700_2026-12-kerja-bakti-minggu-pagi_1"  # local time, post id, part
BODY = (
    "Warga RW 05 Kelurahan Sukamaju diajak membersihkan saluran air.\n"
    "Kumpul pukul 06.30 di balai warga Jalan Melati.\n"
    "Bawa sapu, cangkul dan karung. #KerjaBakti\n"
)
TOO_MUCH = (
    "\nPanitia menyediakan kantong sampah, gerobak dan sarapan bersama setelah kegiatan. "
    "Warga yang berhalangan hadir dapat menitipkan sumbangan di pos ronda.\n"
)
SENT_TEXT = f"{TITLE}\n\n{BODY.rstrip()}"
SENT_LENGTH = len(SENT_TEXT)  # plain ASCII, no links: X's weighted length is the count
TOO_LONG = len(f"{SENT_TEXT}\n{TOO_MUCH.rstrip()}")

# `check --format json` on the too-long post, without its message and hint: the same
# codes, keys and values whatever the language.
CHECKED_JSON: dict[str, Any] = {
    "files": 2,
    "posts": 2,
    "errors": 1,
    "warnings": 0,
    "problems": [
        {"file": POST, "line": 8, "column": 1, "severity": "error", "code": "HP301"},
    ],
    "posts_checked": [
        {
            "id": POST_ID,
            "file": POST,
            "deliveries": [
                {
                    "account": "latihan",
                    "platform": "sandbox",
                    "publish_at": "2026-12-06T00:00:00+00:00",
                    "repeat": None,
                    "draft": False,
                    "parts": [{"length": TOO_LONG, "limit": 280}],
                    "media": 0,
                }
            ],
        },
        {
            "id": "contoh-latihan",
            "file": "posts/contoh-latihan.md",
            "deliveries": [
                {
                    "account": "latihan",
                    "platform": "sandbox",
                    "publish_at": "2026-12-02T02:00:00+00:00",
                    "repeat": None,
                    "draft": False,
                    "parts": [{"length": 152, "limit": 280}],
                    "media": 0,
                }
            ],
        },
    ],
}

# English a person reads, none of which may reach the Indonesian office (whole words,
# any case). The English run must show every one of them, so the list stays honest.
ENGLISH = (
    "created",
    "next",
    "no problems",
    "file",
    "files",
    "post",
    "posts:",
    "delivery",
    "counted as",
    "part",
    "of",
    "at",
    "sunday",
    "wednesday",
    "december",
    "sent",
    "error",
    "warnings",
    "hint",
    "split",
    "newest first",
    "usage",
    "try",
    "help",
    "missing argument",
)


@dataclass(frozen=True)
class Office:
    """What one language's office types and what it must read back."""

    language: str
    init_args: tuple[str, ...]
    created: str
    next_steps: tuple[str, ...]
    one_ok: str
    placeholder: str
    unwritten: str
    two_ok: str
    too_long: str
    preview: str
    sent: str
    log: str
    no_title: str


INDONESIAN = Office(
    language="id",
    init_args=(),
    created="dibuat",
    next_steps=(
        "Berikutnya:",
        "  cd kantor",
        "  humaspost check                     periksa konfigurasi dan unggahan",
        '  humaspost new "Judul pengumuman"    mulai unggahan baru',
        "  humaspost publish --sandbox         kirim yang jatuh tempo ke akun latihan",
    ),
    one_ok="✓ 1 berkas, 1 unggahan: tidak ada masalah\n",
    placeholder="Tulis isi pengumuman di sini.\n",
    unwritten=(
        f"{POST}:8:1: galat[HP117] teks masih berisi contoh yang ditulis 'humaspost new'\n"
        f"    8 | {TITLE}\n"
        "      | ^\n"
        "      = saran: tulis isi pengumuman sebagai gantinya\n"
        "✗ 1 berkas, 1 unggahan: 1 galat, 0 peringatan\n"
    ),
    two_ok="✓ 2 berkas, 2 unggahan: tidak ada masalah\n",
    too_long=(
        f"{POST}:8:1: galat[HP301] panjang teksnya {TOO_LONG} karakter di twitter; batasnya 280\n"
        f"    8 | {TITLE}\n"
        "      | ^\n"
        "      = saran: pecah menjadi utas dengan baris '---' (atau daftar 'thread:')\n"
        "✗ 2 berkas, 2 unggahan: 1 galat, 0 peringatan\n"
    ),
    preview=(
        f"{POST}  (unggahan {POST_ID})\n"
        "  → latihan (sandbox, dihitung sebagai X)\n"
        "    pada Minggu, 6 Desember 2026 07:00 WIB\n"
        f"    bagian 1/1: {SENT_LENGTH} dari 280\n"
    ),
    sent="terkirim",
    log=(
        "Log sandbox, terbaru di atas (waktu WIB)\n"
        "\n"
        "Minggu, 6 Desember 2026\n"
        f"2  07:00  terkirim  {POST_ID} → latihan\n"
        f"   {OUTBOX}.json {{post}} oleh Staf Humas\n"
        "\n"
        "Rabu, 2 Desember 2026\n"
        "1  09:00  terkirim  contoh-latihan → latihan  2026-12-02_0900_contoh-latihan_1.json"
        "  {first} oleh Staf Humas\n"
        "\n"
        "berkas sandbox ada di .humaspost/sandbox/<akun>/\n"
    ),
    no_title=(
        "Penggunaan: humaspost new [OPSI] {JUDUL}\n"
        "Coba 'humaspost new -h' untuk bantuan.\n"
        "\n"
        "Galat: Argumen 'JUDUL' belum diberikan.\n"
    ),
)

ENGLISH_OFFICE = Office(
    language="en",
    init_args=("--language", "en"),
    created="created",
    next_steps=(
        "Next:",
        "  cd kantor",
        "  humaspost check                     validate the config and the posts",
        '  humaspost new "Announcement title"  start a new post',
        "  humaspost publish --sandbox         send what is due to the practice account",
    ),
    one_ok="✓ 1 file, 1 post: no problems\n",
    placeholder="Write the announcement here.\n",
    unwritten=(
        f"{POST}:8:1: error[HP117] the text is still the placeholder that 'humaspost new' wrote\n"
        f"    8 | {TITLE}\n"
        "      | ^\n"
        "      = hint: write the announcement in its place\n"
        "✗ 1 file, 1 post: 1 error, 0 warnings\n"
    ),
    two_ok="✓ 2 files, 2 posts: no problems\n",
    too_long=(
        f"{POST}:8:1: error[HP301] the text is {TOO_LONG} characters on twitter; the limit is 280\n"
        f"    8 | {TITLE}\n"
        "      | ^\n"
        "      = hint: split it into a thread with a line '---' (or a 'thread:' list)\n"
        "✗ 2 files, 2 posts: 1 error, 0 warnings\n"
    ),
    preview=(
        f"{POST}  (post {POST_ID})\n"
        "  → latihan (sandbox, counted as X)\n"
        "    at Sunday, 6 December 2026 07:00 WIB\n"
        f"    part 1/1: {SENT_LENGTH} of 280\n"
    ),
    sent="sent",
    log=(
        "Sandbox log, newest first (times in WIB)\n"
        "\n"
        "Sunday, 6 December 2026\n"
        f"2  07:00  sent  {POST_ID} → latihan\n"
        f"   {OUTBOX}.json {{post}} by Staf Humas\n"
        "\n"
        "Wednesday, 2 December 2026\n"
        "1  09:00  sent  contoh-latihan → latihan  2026-12-02_0900_contoh-latihan_1.json"
        "  {first} by Staf Humas\n"
        "\n"
        "sandbox files are in .humaspost/sandbox/<account>/\n"
    ),
    no_title=(
        "Usage: humaspost new [OPTIONS] {TITLE}\n"
        "Try 'humaspost new -h' for help.\n"
        "\n"
        "Error: Missing argument 'TITLE'.\n"
    ),
)

# What preview shows of the text, line breaks marked, and its closing summary.
PREVIEWED_TEXT = (
    f"      │ {TITLE}⏎\n"
    "      │ ⏎\n"
    "      │ Warga RW 05 Kelurahan Sukamaju diajak membersihkan saluran air.⏎\n"
    "      │ Kumpul pukul 06.30 di balai warga Jalan Melati.⏎\n"
    "      │ Bawa sapu, cangkul dan karung. #KerjaBakti\n"
    "\n"
)
PREVIEW_SUMMARY = {
    "id": "✓ 1 berkas, 1 pengiriman: tidak ada masalah\n",
    "en": "✓ 1 file, 1 delivery: no problems\n",
}


def english_in(text: str) -> set[str]:
    """The words of ENGLISH that occur in text, as whole words, in any case."""
    return {word for word in ENGLISH if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I)}


def without_words(checked: dict[str, Any]) -> dict[str, Any]:
    """check's JSON without the sentences a person reads (which follow the language)."""
    problems = [
        {key: value for key, value in problem.items() if key not in ("message", "hint")}
        for problem in checked["problems"]
    ]
    return {**checked, "problems": problems}


def commit(root: Path, message: str) -> str:
    """Commit everything as an invented staff member; returns the short commit id."""
    who = ["-c", "user.name=Staf Humas", "-c", "user.email=staf@humas.example"]
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), *who, "commit", "-q", "-m", message], check=True)
    found = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short=7", "HEAD"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return found.stdout.strip()


@pytest.mark.parametrize("office", [INDONESIAN, ENGLISH_OFFICE], ids=["id", "en"])
def test_first_day_of_a_new_office(tmp_path: Path, office: Office) -> None:
    read: list[str] = []  # everything the office reads on screen, but JSON

    def run(*args: str, cwd: Path, code: int = 0) -> str:
        result = run_humaspost(*args, cwd=cwd)
        assert result.returncode == code, result.stdout + result.stderr
        read.append(result.stdout + result.stderr)
        return result.stdout

    # init in an empty folder: says what it made and what to do next.
    made = run("init", "kantor", *office.init_args, "--now", FIRST_DAY, cwd=tmp_path)
    root = tmp_path / "kantor"
    lines = made.splitlines()
    assert lines[:2] == [
        f"{office.created} kantor/humaspost.yaml",
        f"{office.created} kantor/posts/contoh-latihan.md",
    ]
    assert lines[-5:] == list(office.next_steps)
    assert yaml.safe_load((root / "humaspost.yaml").read_text())["language"] == office.language

    # init made a git repository; the office commits what it made.
    first_commit = commit(root, "Mulai dengan humaspost")

    # A fresh office passes check, and sends init's example to the practice account.
    assert run("check", "--now", FIRST_DAY, cwd=root) == office.one_ok
    practice = run("publish", "--sandbox", "--now", EXAMPLE_DUE, cwd=root).splitlines()
    assert practice[-1] == f"1 {office.sent}"

    # The first own post: forgetting its title gets a usage error in the language.
    forgot = run_humaspost("new", cwd=root)
    assert (forgot.returncode, forgot.stdout, forgot.stderr) == (2, "", office.no_title)
    read.append(forgot.stderr)
    args = ("new", TITLE, "--at", SUNDAY, "--to", "latihan", "--now", FIRST_DAY)
    assert run(*args, cwd=root) == f"{POST}\n"
    post = root / POST
    template = post.read_text()
    assert template.startswith(f"---\npublish_at: {SUNDAY}\nto: [latihan]\n")
    assert template.endswith(f"---\n{TITLE}\n\n{office.placeholder}")

    # Until its text is written the post is held back: nobody publishes the placeholder.
    assert run("check", POST, "--now", FIRST_DAY, cwd=root, code=1) == office.unwritten

    # Too much text for X: check says so, where, and how to fix it, in the language...
    post.write_text(template.replace(office.placeholder, BODY + TOO_MUCH))
    assert run("check", "--now", FIRST_DAY, cwd=root, code=1) == office.too_long
    checked = json.loads(
        run_humaspost("check", "--format", "json", "--now", FIRST_DAY, cwd=root).stdout
    )
    # ...with the same codes and keys in both languages.
    assert without_words(checked) == CHECKED_JSON
    assert set(checked["problems"][0]) == {*CHECKED_JSON["problems"][0], "message", "hint"}

    # Shortened, it passes; preview shows the text, its length against 280, local time.
    post.write_text(template.replace(office.placeholder, BODY))
    assert run("check", "--now", FIRST_DAY, cwd=root) == office.two_ok
    shown = run("preview", POST, "--now", FIRST_DAY, cwd=root)
    assert shown == office.preview + PREVIEWED_TEXT + PREVIEW_SUMMARY[office.language]

    # Reviewed and merged: the post is committed.
    post_commit = commit(root, "Kerja bakti Minggu pagi")

    # Sunday 07:00: publish sends it to the sandbox.
    sent = run("publish", "--sandbox", "--now", SUNDAY, cwd=root).splitlines()
    # The row names the outbox file the sandbox wrote (under it, at 80 columns).
    assert re.fullmatch(rf"{office.sent} +2026-12-06 07:00 WIB  {POST_ID} → latihan", sent[0])
    assert sent[1:] == [f"  {OUTBOX}.json", f"1 {office.sent}"]

    # log shows both sends, newest first, by local day, each with its outbox file.
    # Each names the commit it was sent from and who wrote the file.
    shown_log = run("log", "--sandbox", cwd=root)
    assert shown_log == office.log.format(first=first_commit, post=post_commit)
    outbox = root / ".humaspost/sandbox/latihan" / f"{OUTBOX}.json"
    record = json.loads(outbox.read_text(encoding="utf-8"))
    assert re.fullmatch(rf"{OUTBOX}\.[0-9a-f]{{8}}", record["id"])
    assert (record["post"], record["text"]) == (POST_ID, SENT_TEXT)
    assert (record["length"], record["limit"]) == (SENT_LENGTH, 280)
    assert record["time"].startswith("2026-12-06T07:00:")

    # Whatever was read on the way is in the office's language.
    found = english_in("\n".join(read))
    if office.language == "id":
        assert found == set(), found
    else:
        assert found == set(ENGLISH)
