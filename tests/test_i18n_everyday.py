"""The everyday commands in Bahasa Indonesia and in English: `schedule`, `log` and
`accounts` read well at 80 columns on a realistic office's repository, `log --format csv`
opens in an Indonesian or English spreadsheet, and `init`, `new`, `resolve` and `retry`
speak the language asked for."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from humaspost.publog import DeliveryKey, PublishLog, RowState
from tests.conftest import BASE_CONFIG, ENDS, HUMASPOST, Repo, run_humaspost

NOW = "2026-12-01 09:05"  # WIB: the sandbox rehearsal ran at 09:00
INDONESIAN = {"HUMASPOST_LANG": "id", "COLUMNS": "80"}
ENGLISH = {"HUMASPOST_LANG": "en", "COLUMNS": "80"}
# Secrets the office has set; the rest are missing.
SECRETS = {"FB_PEMKOT_PAGE_TOKEN": "EAAtoken", "X_PEMKOT_CONSUMER_KEY": "key"}

CONFIG = """\
timezone: Asia/Jakarta
accounts:
  latihan:
    platform: sandbox
    like: twitter
  pemkot-x:
    platform: twitter
    consumer_key: ${X_PEMKOT_CONSUMER_KEY}
    consumer_secret: ${X_PEMKOT_CONSUMER_SECRET}
    access_token: ${X_PEMKOT_ACCESS_TOKEN}
    access_token_secret: ${X_PEMKOT_ACCESS_TOKEN_SECRET}
    daily_limit: 3
  pemkot-fb:
    platform: facebook
    page_id: "104857600000000"
    access_token: ${FB_PEMKOT_PAGE_TOKEN}
  kec-bantargebang:
    platform: facebook
    page_id: "104857600000101"
    access_token: ${FB_BANTARGEBANG_TOKEN}
  kec-pondokmelati:
    platform: facebook
    page_id: "104857600000102"
    access_token: ${FB_PONDOKMELATI_TOKEN}
  kec-jatisampurna:
    platform: facebook
    page_id: "104857600000103"
    access_token: ${FB_JATISAMPURNA_TOKEN}
groups:
  semua-kecamatan: [kec-bantargebang, kec-pondokmelati, kec-jatisampurna]
defaults:
  to: [pemkot-x, pemkot-fb]
"""

POSTS = {
    "2026/12/hari-aids-sedunia.md": (
        "---\npublish_at: 2026-12-01 08:00\n---\n"
        "Hari AIDS Sedunia: tes HIV gratis di semua Puskesmas Kota Bekasi.\n---\n"
        "Jadwal layanan: Senin-Jumat, 08.00-14.00 WIB.\n"
    ),
    "2026/12/waspada-banjir-kali-bekasi.yaml": (
        "publish_at: 2026-12-01 08:30\nto: semua-kecamatan\n"
        "text: 'Waspada banjir di bantaran Kali Bekasi; warga, hubungi BPBD di 112.'\n"
    ),
    "rutin/senam-pagi-alun-alun.yaml": (
        "publish_at: 2026-11-23 06:00\nrepeat: '0 6 * * *'\nto: pemkot-fb\n"
        "text: Senam pagi bersama di Alun-alun, setiap hari pukul 06.00.\n"
    ),
    "2026/12/pasar-murah-ramadan.md": (
        "---\npublish_at: 2026-12-03 09:00\nto: [pemkot-x, latihan]\n---\n"
        "Pasar murah: beras dan minyak goreng di Kantor Kecamatan.\n"
    ),
    "2026/12/lomba-kebersihan-rw.md": (
        "---\npublish_at: 2026-12-03 10:00\nto: pemkot-x\n---\nLomba kebersihan RW.\n"
    ),
    "2026/12/pengumuman-libur-natal.md": (
        "---\npublish_at: 2026-12-07 10:00\ndraft: true\n---\nLibur Natal.\n"
    ),
    "2026/12/vaksinasi-keliling.md": (
        "---\npublish_at: 2026-12-05 10:00\n"
        "media:\n  - file: ../../../media/jadwal-vaksin.png\n    alt: Jadwal vaksinasi\n"
        "---\nVaksinasi keliling minggu ini.\n"
    ),
}

FB_TOKEN_EXPIRED = (
    "the Page access token is invalid or expired (Facebook: Error validating access "
    "token: Session has expired); it must be renewed"
)


def seed(
    root: Path,
    post_id: str,
    occurrence: str,
    account: str,
    platform: str,
    due: datetime,
    state: RowState,
    *,
    url: str | None = None,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> int:
    """A delivery in the real publish log, as a publisher would have left it."""
    with PublishLog(root / ".humaspost" / "publog.sqlite") as publog:
        claim = publog.claim(
            DeliveryKey(post_id, occurrence, account),
            platform=platform,
            due_at=due,
            owner="cron",
            now=due,
            lease=timedelta(minutes=2),
        )
        assert claim is not None
        publog.finish(claim.row_id, ENDS[state], owner="cron", now=due + timedelta(seconds=4),
                      outcome="test", url=url, error=error,
                      next_attempt_at=next_attempt_at)  # fmt: skip
        return claim.row_id


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repo]:
    """A city hall and three districts a week into publishing: posts, a thread, a daily
    repeat, a draft, a post with an error; a sandbox rehearsal this morning; in the real
    log, a week of the repeat and this morning's deliveries, some failed or unsettled."""
    repo = Repo(tmp_path_factory.mktemp("office") / "repo")
    repo.write_config(CONFIG)
    for name, text in POSTS.items():
        repo.post(name, text)
    rehearsal = run_humaspost("publish", "--sandbox", "--now", "2026-12-01 09:00", cwd=repo.root)
    assert rehearsal.returncode == 1, rehearsal.stdout + rehearsal.stderr  # the held-back post
    utc = datetime.fromisoformat
    for day in range(23, 30):
        occurrence = f"2026-11-{day:02d}T23:00:00Z"
        url = f"https://www.facebook.com/104857600000000_12200{day}1234567"
        seed(repo.root, "rutin/senam-pagi-alun-alun", occurrence, "pemkot-fb", "facebook",
             utc(occurrence), RowState.SENT, url=url)  # fmt: skip
    morning = utc("2026-12-01T01:00:00+00:00")
    seed(repo.root, "2026/12/hari-aids-sedunia", "once", "pemkot-x", "twitter", morning,
         RowState.SENT, url="https://x.com/i/web/status/1863456789012345678")  # fmt: skip
    seed(repo.root, "2026/12/hari-aids-sedunia", "once", "pemkot-fb", "facebook", morning,
         RowState.SENT, url="https://www.facebook.com/104857600000000_1220045678901234")  # fmt: skip
    banjir = "2026/12/waspada-banjir-kali-bekasi"
    later = morning + timedelta(minutes=30)
    seed(repo.root, banjir, "once", "kec-bantargebang", "facebook", later, RowState.FAILED,
         error=FB_TOKEN_EXPIRED)  # fmt: skip
    seed(repo.root, banjir, "once", "kec-pondokmelati", "facebook", later, RowState.UNKNOWN,
         error="timed out waiting for Facebook's answer after sending the post")  # fmt: skip
    seed(repo.root, banjir, "once", "kec-jatisampurna", "facebook", later, RowState.RETRYING,
         error="Facebook server error (HTTP 503) while posting",
         next_attempt_at=later + timedelta(minutes=35))  # fmt: skip
    seed(repo.root, "2026/11/lomba-mewarnai", "once", "pemkot-x", "twitter",
         utc("2026-11-25T02:00:00+00:00"), RowState.MISSED,
         error="past max_delay after its time")  # fmt: skip
    yield repo


def text_of(repo: Repo, env: dict[str, str], *args: str) -> str:
    result = run_humaspost(*args, cwd=repo.root, env={**SECRETS, **env})
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout


COMMANDS = [
    ("schedule", "--now", NOW),
    ("schedule", "--sandbox", "--now", NOW),
    ("log",),
    ("log", "--sandbox"),
    ("accounts",),
    ("accounts", "--verify", "--account", "kec-bantargebang"),
]


@pytest.mark.parametrize("env", [INDONESIAN, ENGLISH], ids=["id", "en"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_line_fits_80_columns_and_no_row_is_cut(
    office: Repo, env: dict[str, str], args: tuple[str, ...]
) -> None:
    out = text_of(office, env, *args)
    assert [line for line in out.splitlines() if len(line) > 80] == []
    # Each delivery's row is whole on one line: its time, state, post and account.
    rows = [line for line in out.splitlines() if " → " in line]
    if args[0] != "accounts":
        assert rows and all(re.match(r"^ *\d+(:\d\d)?  +\S.* → \S+", row) for row in rows)
    # Said once, not on every row: no full sandbox address, no zone after each time.
    assert "sandbox://" not in out
    assert not any(" WIB" in row for row in rows)


def test_schedule_speaks_indonesian(office: Repo) -> None:
    out = text_of(office, INDONESIAN, "schedule", "--now", NOW, "--days", "7")
    lines = out.splitlines()
    # Too long for one line in Indonesian: the time of the day follows under it.
    assert lines[:2] == [
        "Jadwal sampai Selasa, 8 Desember 2026 09:05 WIB",
        "  (sekarang: 2026-12-01 09:05 WIB)",
    ]
    assert "Selasa, 1 Desember 2026 (hari ini)" in lines
    assert "  06:00  terjadwal     rutin/senam-pagi-alun-alun → pemkot-fb  (berulang)" in lines
    assert "  10:00  tertahan      2026/12/vaksinasi-keliling → pemkot-x" in lines
    assert "  10:00  draf          2026/12/pengumuman-libur-natal → pemkot-fb" in lines
    retrying = lines.index(
        "  08:30  dicoba ulang  2026/12/waspada-banjir-kali-bekasi → kec-jatisampurna"
    )
    assert lines[retrying + 1].startswith("         percobaan berikutnya 2026-12-01 09:05: ")
    # The command that settles an unknown delivery stays whole, to be copied.
    assert any(re.search(r"'humaspost resolve \d+ --sent URL'", line) for line in lines)
    assert (
        "1 berkas unggahan berisi galat dan ditahan: posts/2026/12/vaksinasi-keliling.md" in lines
    )
    assert "  jalankan 'humaspost check' untuk melihatnya" in lines
    assert lines[-4:-2] == [
        "daemon: belum pernah ada yang berjalan di sini; apakah 'humaspost publish'",
        "  dijalankan dari cron?",
    ]
    summary = " ".join(line.strip() for line in lines[-2:])
    assert summary == (
        "20 pengiriman: 10 terjadwal, 2 terkirim, 1 dicoba ulang, 1 gagal, 1 tidak pasti, "
        "1 terlewat, 2 draf, 2 tertahan"
    )


def test_schedule_in_english_is_the_same_timeline(office: Repo) -> None:
    out = text_of(office, ENGLISH, "schedule", "--now", NOW, "--days", "7")
    lines = out.splitlines()
    assert (
        lines[0] == "Schedule up to Tuesday, 8 December 2026 09:05 WIB  (now: 2026-12-01 09:05 WIB)"
    )
    assert "  06:00  scheduled  rutin/senam-pagi-alun-alun → pemkot-fb  (repeat)" in lines
    sent = lines.index("  08:00  sent       2026/12/hari-aids-sedunia → pemkot-x")
    assert lines[sent + 1] == "         https://x.com/i/web/status/1863456789012345678"
    assert " ".join(line.strip() for line in lines[-2:]) == (
        "20 deliveries: 10 scheduled, 2 sent, 1 retrying, 1 failed, 1 unknown, 1 missed, "
        "2 draft, 2 blocked"
    )


def test_a_sandbox_address_is_shortened_in_text_and_whole_in_json(office: Repo) -> None:
    for env, note in (
        (INDONESIAN, "berkas sandbox ada di .humaspost/sandbox/<akun>/"),
        (ENGLISH, "sandbox files are in .humaspost/sandbox/<account>/"),
    ):
        lines = text_of(office, env, "schedule", "--sandbox", "--now", NOW).splitlines()
        assert lines.count(note) == 1
    data = json.loads(text_of(office, ENGLISH, "log", "--sandbox", "--format", "json"))
    url = next(row["url"] for row in data if row["account"] == "pemkot-x")
    assert re.fullmatch(
        r"sandbox://pemkot-x/2026-12-01_0900_2026-12-hari-aids-sedunia_1\.[0-9a-f]{8}", url
    )
    log = text_of(office, INDONESIAN, "log", "--sandbox").splitlines()
    row = next(
        i
        for i, line in enumerate(log)
        if re.fullmatch(r"\d  09:00  terkirim  2026/12/hari-aids-sedunia → pemkot-x", line)
    )
    # The outbox file's name, under the row where it does not fit beside it.
    assert log[row + 1].strip() == "2026-12-01_0900_2026-12-hari-aids-sedunia_1.json"
    assert log[-1] == "berkas sandbox ada di .humaspost/sandbox/<akun>/"


def test_log_speaks_indonesian_by_day_newest_first(office: Repo) -> None:
    lines = text_of(office, INDONESIAN, "log").splitlines()
    assert lines[:3] == [
        "Log publikasi, terbaru di atas (waktu WIB)",
        "",
        "Selasa, 1 Desember 2026",
    ]
    failed = next(i for i, line in enumerate(lines) if "→ kec-bantargebang" in line)
    assert re.fullmatch(
        r"\d+  08:30  gagal         2026/12/waspada-banjir-kali-bekasi → kec-bantargebang",
        lines[failed],
    )
    # The error goes under the row, broken between words under the time.
    assert " ".join(line.strip() for line in lines[failed + 1 : failed + 3]) == FB_TOKEN_EXPIRED
    assert lines[failed + 1].startswith("    the Page access token")
    assert any(line.endswith("tidak pasti   2026/12/waspada-banjir-kali-bekasi → kec-pondokmelati")
               for line in lines)  # fmt: skip
    # A repeat's occurrence: the time alone, on its own day.
    senin = lines.index("Senin, 30 November 2026")
    assert lines[senin + 1].endswith(
        "  06:00  terkirim      rutin/senam-pagi-alun-alun → pemkot-fb @ 06:00"
    )
    assert lines[senin + 2] == "    https://www.facebook.com/104857600000000_12200291234567"
    english = text_of(office, ENGLISH, "log", "--state", "missed").splitlines()
    assert english == [
        "Publish log, newest first (times in WIB)",
        "",
        "Wednesday, 25 November 2026",
        "13  09:00  missed  2026/11/lomba-mewarnai → pemkot-x",
        "    past max_delay after its time",
    ]


def test_log_with_nothing_to_show_says_so_in_indonesian(office: Repo) -> None:
    none = text_of(office, INDONESIAN, "log", "--account", "latihan")
    assert none == "log publikasi tidak berisi pengiriman yang cocok\n"


def test_accounts_speaks_indonesian(office: Repo) -> None:
    lines = text_of(office, INDONESIAN, "accounts").splitlines()
    assert lines[:5] == [
        "latihan           sandbox (seperti twitter)",
        "pemkot-x          twitter   X_PEMKOT_CONSUMER_KEY diisi",
        "                            X_PEMKOT_CONSUMER_SECRET BELUM DIISI",
        "                            X_PEMKOT_ACCESS_TOKEN BELUM DIISI",
        "                            X_PEMKOT_ACCESS_TOKEN_SECRET BELUM DIISI",
    ]
    assert "pemkot-fb         facebook  FB_PEMKOT_PAGE_TOKEN diisi" in lines
    assert lines[-5:] == [
        "",
        "grup",
        "  semua-kecamatan: kec-bantargebang, kec-pondokmelati, kec-jatisampurna",
        "",
        "defaults.to: pemkot-x, pemkot-fb",
    ]
    assert "EAAtoken" not in "\n".join(lines)
    english = text_of(office, ENGLISH, "accounts", "--account", "pemkot-fb").splitlines()
    assert english[0] == "pemkot-fb  facebook  FB_PEMKOT_PAGE_TOKEN set"


def test_accounts_verify_puts_a_long_answer_under_the_platform(office: Repo) -> None:
    result = run_humaspost("accounts", "--verify", "--account", "kec-bantargebang",
                           cwd=office.root, env=ENGLISH)  # fmt: skip
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "kec-bantargebang  facebook  FB_BANTARGEBANG_TOKEN NOT SET"
    assert lines[1].startswith("                  ✗ account 'kec-bantargebang' needs ")


def spreadsheet(repo: Repo, language: str) -> bytes:
    """`log --format csv` as a spreadsheet receives it, bytes and all."""
    result = subprocess.run(
        [str(HUMASPOST), "log", "--format", "csv", "--all"],
        cwd=repo.root,
        env={"NO_COLOR": "1", "PATH": "", "HUMASPOST_LANG": language},
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(("language", "separator"), [("id", ";"), ("en", ",")])
def test_log_csv_is_separated_for_the_language_and_keeps_machine_keys(
    office: Repo, language: str, separator: str
) -> None:
    raw = spreadsheet(office, language)
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel reads UTF-8
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == separator.join(
        ["id", "post", "occurrence", "account", "platform", "kind", "state", "due_at", "sent_at",
         "updated_at", "attempts", "url", "error", "commit", "blob", "author", "committed",
         "text"]
    )  # fmt: skip
    table = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=separator))
    assert len(table) == 13 and all(None not in row and len(row) == 18 for row in table)
    banjir = next(row for row in table if row["account"] == "kec-bantargebang")
    assert (banjir["state"], banjir["error"]) == ("failed", FB_TOKEN_EXPIRED)
    # The text has both separators in it; quoting keeps it in its column.
    assert banjir["text"] == "Waspada banjir di bantaran Kali Bekasi; warga, hubungi BPBD di 112."
    assert banjir["due_at"] == "2026-12-01 08:30:00"
    senam = [row for row in table if row["post"] == "rutin/senam-pagi-alun-alun"]
    assert senam[0]["occurrence"] == "2026-11-30 06:00 WIB"
    assert senam[0]["url"].startswith("https://www.facebook.com/")


def test_init_writes_an_indonesian_repository_that_checks_and_publishes(tmp_path: Path) -> None:
    made = run_humaspost("init", "kantor", "--now", "2026-12-01 10:00", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines()[:2] == [
        "dibuat kantor/humaspost.yaml",
        "dibuat kantor/posts/contoh-latihan.md",
    ]
    assert "\nBerikutnya:\n  cd kantor\n" in made.stdout
    assert "  humaspost check                     periksa konfigurasi dan unggahan\n" in (
        made.stdout
    )
    root = tmp_path / "kantor"
    config_text = (root / "humaspost.yaml").read_text()
    assert config_text.startswith("# Konfigurasi humaspost. Mulai dari sini;")
    assert "language: id                  # bahasa pesan: " in config_text
    assert yaml.safe_load(config_text)["language"] == "id"
    assert "# rahasia: jangan pernah di-commit" in (root / ".gitignore").read_text()
    assert "# Contoh unggahan untuk latihan" in (root / "posts/contoh-latihan.md").read_text()
    checked = run_humaspost("check", "--now", "2026-12-01 10:00", cwd=root)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    sent = run_humaspost("publish", "--sandbox", "--now", "2026-12-02 09:00", cwd=root)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    log = json.loads(run_humaspost("log", "--sandbox", "--format", "json", cwd=root).stdout)
    assert [(row["post"], row["state"]) for row in log] == [("contoh-latihan", "sent")]
    again = run_humaspost("init", "kantor", cwd=tmp_path)
    assert "tetap  kantor/.gitignore  (sudah ada; tidak diubah)" in again.stdout
    assert "Tidak ada yang dibuat: semua berkas sudah ada." in again.stdout


def test_init_in_english_writes_english_comments(tmp_path: Path) -> None:
    made = run_humaspost("init", "--language", "en", "--now", "2026-12-01 10:00", cwd=tmp_path,
                         env={"HUMASPOST_LANG": "id"})  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("created humaspost.yaml\n")
    assert "\nNext:\n" in made.stdout
    config_text = (tmp_path / "humaspost.yaml").read_text()
    assert config_text.startswith("# humaspost configuration. Start here;")
    assert "language: en                  # messages: " in config_text
    checked = run_humaspost("check", "--now", "2026-12-01 10:00", cwd=tmp_path)
    assert checked.returncode == 0 and "no problems" in checked.stdout
    (tmp_path / "berkas").write_text("")
    refused = run_humaspost("init", "berkas", cwd=tmp_path)
    assert refused.returncode == 2
    assert "berkas adalah berkas; berikan folder tempat membuat repositori" in refused.stderr


def test_new_writes_its_comments_in_the_language_in_use(repo: Repo) -> None:
    made = run_humaspost("new", "Pasar Murah", "--now", "2026-12-01 10:00", cwd=repo.root,
                         env={"HUMASPOST_LANG": "id"})  # fmt: skip
    assert made.returncode == 0, made.stderr
    text = (repo.root / made.stdout.strip()).read_text()
    assert "# to: [...]  (tanpa 'to', unggahan dikirim ke defaults.to di konfigurasi)\n" in text
    assert "#     alt: Keterangan gambar untuk yang tidak dapat melihatnya\n" in text
    repo.write_config("language: en\n" + BASE_CONFIG)
    english = run_humaspost("new", "Pasar Murah", "--now", "2026-12-01 10:00", cwd=repo.root,
                            env={"HUMASPOST_LANG": "id"})  # fmt: skip
    text = (repo.root / english.stdout.strip()).read_text()
    assert english.stdout.strip().endswith("pasar-murah-2.md")
    assert "# to: [...]  (without 'to', the post goes to defaults.to of the config)\n" in text
    assert "#     alt: A description of the picture for people who cannot see it\n" in text
    assert text.endswith("Pasar Murah\n\nWrite the announcement here.\n")  # the placeholder


def test_new_refuses_in_indonesian(repo: Repo) -> None:
    repo.write_config("language: id\n" + BASE_CONFIG)
    unknown = run_humaspost("new", "Halo", "--to", "pemkot-ig", cwd=repo.root)
    assert unknown.returncode == 2
    assert "--to: akun atau grup 'pemkot-ig' tidak dikenal (maksudnya 'pemkot-x'?)" in (
        unknown.stderr
    )
    empty = run_humaspost("new", " ", cwd=repo.root)
    assert 'judul kosong; beri judul unggahan, mis. humaspost new "Pasar murah"' in empty.stderr


def test_resolve_and_retry_speak_indonesian(office: Repo) -> None:
    data = json.loads(text_of(office, ENGLISH, "log", "--format", "json", "--all"))
    sent = next(row["id"] for row in data if row["state"] == "sent")
    retried = run_humaspost("retry", str(sent), cwd=office.root, env=INDONESIAN)
    assert retried.returncode == 2
    assert (
        f"pengiriman {sent} berstatus terkirim; hanya yang gagal atau terlewat yang dapat "
        "dicoba ulang"
    ) in retried.stderr
    neither = run_humaspost("resolve", str(sent), cwd=office.root, env=INDONESIAN)
    assert "pilih salah satu: --sent URL atau --not-sent" in neither.stderr
    missing = run_humaspost("resolve", "999", "--not-sent", cwd=office.root, env=INDONESIAN)
    assert "tidak ada pengiriman 999 di log publikasi" in missing.stderr
