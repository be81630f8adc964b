"""`humaspost check` in Bahasa Indonesia: the same problems at the same places as in
English, worded for PR staff, and JSON whose keys and codes do not change with the
language."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from humaspost import i18n
from humaspost.checks import PARALLEL_MIN_FILES
from humaspost.repository import post_files
from tests.conftest import Repo, run_humaspost
from tests.every_way import run_check_every_way

FUTURE = "publish_at: 2027-01-05 08:00\n"
NOW = "2026-11-28 09:00"
INDONESIAN = {"HUMASPOST_LANG": "id"}
# `file:line:col: severity[code] message`; the severity's own word is not this test's.
LOCATED = re.compile(r"^(\S+):(\d+):(\d+): \S+\[(HP\d+)\] (.*)$")
# `      = hint: text`, whatever the word for "hint".
HINT = re.compile(r"^ += [^:]+: (.*)$")


def write_bad_posts(repo: Repo) -> None:
    """Posts with an unknown account, a picture without alt text, a text too long for X,
    an id used twice, media files not found and a PDF for a picture."""
    repo.media("spanduk.png")
    repo.media("surat.pdf", b"%PDF-1.7\n" + b"\x00" * 32)
    repo.post("akun.yaml", FUTURE + "to: [pemkot-x, pemkot-ig]\ntext: Halo warga\n")
    repo.post(
        "alt.yaml",
        FUTURE + "to: pemkot-fb\ntext: Kerja bakti\nmedia:\n  - file: ../media/spanduk.png\n",
    )
    repo.post("panjang.yaml", FUTURE + "to: pemkot-x\ntext: " + "Jalan " * 50 + "\n")
    repo.post("satu.yaml", "id: pengumuman\n" + FUTURE + "to: pemkot-fb\ntext: Satu\n")
    repo.post("dua.yaml", "id: pengumuman\n" + FUTURE + "to: pemkot-fb\ntext: Dua\n")
    repo.post(
        "media.yaml",
        FUTURE + "to: pemkot-fb\ntext: Poster\nmedia:\n"
        "  - file: ../media/poster.png\n    alt: Poster lomba\n"
        "  - file: spanduk.png\n    alt: Spanduk\n"
        "  - file: ../media/surat.pdf\n    alt: Surat edaran\n",
    )


def located(stdout: str) -> list[tuple[str, int, int, str, str]]:
    """(file, line, column, code, message) of every problem in text output."""
    found = []
    for line in stdout.splitlines():
        match = LOCATED.match(line)
        if match:
            file, number, column, code, message = match.groups()
            found.append((file, int(number), int(column), code, message))
    return found


def hints(stdout: str) -> list[str]:
    """The hints of text output, in order."""
    return [match.group(1) for line in stdout.splitlines() if (match := HINT.match(line))]


def test_check_speaks_indonesian_with_the_codes_and_places_of_english(repo: Repo) -> None:
    write_bad_posts(repo)
    english = run_humaspost("check", "--now", NOW, cwd=repo.root)
    indonesian = run_humaspost("check", "--now", NOW, cwd=repo.root, env=INDONESIAN)
    assert english.returncode == indonesian.returncode == 1
    assert "Traceback" not in indonesian.stdout + indonesian.stderr
    assert located(indonesian.stdout) == [
        ("posts/akun.yaml", 2, 16, "HP103", "akun atau grup 'pemkot-ig' di 'to' tidak dikenal"),
        ("posts/alt.yaml", 5, 5, "HP203", "'../media/spanduk.png' tidak punya teks alt"),
        (
            "posts/dua.yaml",
            1,
            5,
            "HP112",
            "id unggahan 'pengumuman' juga dipakai oleh posts/satu.yaml",
        ),
        ("posts/media.yaml", 5, 11, "HP201", "berkas media '../media/poster.png' tidak ditemukan"),
        ("posts/media.yaml", 7, 11, "HP201", "berkas media 'spanduk.png' tidak ditemukan"),
        (
            "posts/media.yaml",
            9,
            11,
            "HP204",
            "'../media/surat.pdf' adalah dokumen PDF (ekspor halamannya sebagai gambar)",
        ),
        (
            "posts/panjang.yaml",
            3,
            7,
            "HP301",
            "panjang teksnya 299 karakter di twitter; batasnya 280",
        ),
        (
            "posts/satu.yaml",
            1,
            5,
            "HP112",
            "id unggahan 'pengumuman' juga dipakai oleh posts/dua.yaml",
        ),
    ]
    assert hints(indonesian.stdout) == [
        "mungkin maksudnya 'pemkot-x'?",
        "tambahkan 'alt:' yang menggambarkan isi gambar bagi orang yang tidak dapat melihatnya",
        "beri salah satunya 'id' yang lain",
        "jalurnya dihitung dari folder berkas unggahan",
        "ada berkas dengan nama itu di '../media/spanduk.png' "
        "(jalurnya dihitung dari folder berkas unggahan)",
        "pecah menjadi utas dengan baris '---' (atau daftar 'thread:')",
        "beri salah satunya 'id' yang lain",
    ]
    # English is the messages as they were written, at the very same places.
    assert [problem[:4] for problem in located(english.stdout)] == [
        problem[:4] for problem in located(indonesian.stdout)
    ]
    assert [problem[4] for problem in located(english.stdout)] == [
        "unknown account or group 'pemkot-ig' in 'to'",
        "'../media/spanduk.png' has no alt text",
        "post id 'pengumuman' is also the id of posts/satu.yaml",
        "media file '../media/poster.png' not found",
        "media file 'spanduk.png' not found",
        "'../media/surat.pdf' is a PDF document (export the page as an image)",
        "the text is 299 characters on twitter; the limit is 280",
        "post id 'pengumuman' is also the id of posts/dua.yaml",
    ]
    assert hints(english.stdout)[:2] == [
        "did you mean 'pemkot-x'?",
        "add 'alt:' describing the image for people who cannot see it",
    ]


def test_json_keeps_its_keys_and_codes_in_indonesian(repo: Repo) -> None:
    write_bad_posts(repo)
    english = run_humaspost("check", "--now", NOW, "--format", "json", cwd=repo.root)
    indonesian = run_humaspost(
        "check", "--now", NOW, "--format", "json", cwd=repo.root, env=INDONESIAN
    )
    assert english.returncode == indonesian.returncode == 1
    in_english, in_indonesian = json.loads(english.stdout), json.loads(indonesian.stdout)

    def without_words(data: dict[str, object]) -> dict[str, object]:
        problems = data["problems"]
        assert isinstance(problems, list)
        kept = [{k: v for k, v in p.items() if k not in ("message", "hint")} for p in problems]
        return {**data, "problems": kept}

    assert without_words(in_indonesian) == without_words(in_english)
    assert [sorted(p) for p in in_indonesian["problems"]] == [
        sorted(p) for p in in_english["problems"]
    ]
    first = in_indonesian["problems"][0]
    assert (first["code"], first["severity"]) == ("HP103", "error")
    assert first["message"] == "akun atau grup 'pemkot-ig' di 'to' tidak dikenal"
    assert first["hint"] == "mungkin maksudnya 'pemkot-x'?"
    assert in_english["problems"][0]["message"] == "unknown account or group 'pemkot-ig' in 'to'"


def test_a_check_large_enough_for_worker_processes_speaks_the_language_chosen(
    repo: Repo,
) -> None:
    for number in range(PARALLEL_MIN_FILES):
        repo.post(f"p{number:03}.yaml", FUTURE + f"to: latihan\ntext: Ke-{number}\n")
    repo.post("salah.yaml", FUTURE + "to: [latihan, pemkot-ig]\ntext: Halo\n")
    config = repo.config()
    files = post_files(config.posts_dir, [], repo.root)
    now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    try:
        i18n.use("id")
        report = run_check_every_way(config, files, now, workers=2)
    finally:
        i18n.use("en")
    [problem] = report.problems
    assert (problem.file, problem.code, problem.line, problem.column) == (
        "posts/salah.yaml",
        "HP103",
        2,
        15,
    )
    assert problem.message == "akun atau grup 'pemkot-ig' di 'to' tidak dikenal"
    assert problem.hint == "mungkin maksudnya 'pemkot-x'?"
