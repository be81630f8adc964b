"""The command line in Bahasa Indonesia: help, typer's own usage errors, problems, check's
summary, publish, retract's question and the daemon's text log, end to end through the
installed command; and the English exactly as before."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from humaspost import i18n
from humaspost.cli.app import TOP_LEVEL
from humaspost.cli.errors import report_crash
from tests.conftest import HUMASPOST, Repo, run_humaspost

ID = {"HUMASPOST_LANG": "id"}
LANGUAGES = {"en": {}, "id": ID}
NOW = "2026-12-10 09:00"
POST = "publish_at: 2026-12-10 09:00\nto: [latihan]\ntext: |\n  Pasar murah di Alun-alun.\n"


@pytest.mark.parametrize("language", ["en", "id"])
@pytest.mark.parametrize("args", [(), ("check",), ("publish",), ("retract",)])
def test_help_is_whole_at_80_columns(repo: Repo, language: str, args: tuple[str, ...]) -> None:
    result = run_humaspost(*args, "--help", cwd=repo.root, env={**LANGUAGES[language],
                           "COLUMNS": "80"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), result.stdout
    if not args:
        heading = "Commands:" if language == "en" else "Perintah:"
        commands = result.stdout.split(heading + "\n")[1].splitlines()
        assert len(commands) == len(TOP_LEVEL)  # one line each
        for line in commands:
            assert line.endswith(".") and not line.endswith("..."), line


def test_top_level_help_in_indonesian(repo: Repo) -> None:
    result = run_humaspost("--help", cwd=repo.root, env=ID)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("Penggunaan: humaspost [OPSI] PERINTAH [ARG]...\n")
    assert "\nOpsi:\n" in text and "\nPerintah:\n" in text
    assert "-h, --help       Tampilkan pesan ini lalu keluar." in text
    assert "  check       Periksa konfigurasi dan berkas unggahan.\n" in text
    assert "  retract     Hapus unggahan yang sudah terbit dari platform.\n" in text
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "Print the version"):
        assert english not in text


def words(text: str) -> str:
    """`text` with its lines joined: help is wrapped to the terminal's width."""
    return " ".join(text.split())


def test_check_help_in_indonesian(repo: Repo) -> None:
    result = run_humaspost("check", "--help", cwd=repo.root, env=ID)
    assert result.returncode == 0, result.stderr
    text = words(result.stdout)
    assert text.startswith("Penggunaan: humaspost check [OPSI] [JALUR...]")
    assert "Tidak memerlukan rahasia maupun jaringan." in text
    assert " Argumen: " in text and " Opsi: " in text
    assert "text, json, atau github (anotasi). [bawaan: text]" in text
    assert "Gagal juga jika ada peringatan." in text
    for english in ("Usage:", "Arguments:", "Options:", "default:", "Fail on warnings"):
        assert english not in text


def test_the_english_help_is_as_before(repo: Repo) -> None:
    result = run_humaspost("check", "--help", cwd=repo.root)
    assert result.stdout.startswith(
        "Usage: humaspost check [OPTIONS] [PATH...]\n\n"
        "  Validate the config and post files. Needs no secrets and no network.\n\n"
        "Arguments:\n"
        "  PATH...  Post files or folders to check. Default: all of posts_dir.\n\n"
        "Options:\n"
        "  --format <text|json|github>  text, json, or github (annotations).  [default:\n"
        "                               text]\n"
    )
    assert "  -h, --help                   Show this message and exit.\n" in result.stdout


# A misuse typer itself finds: what English and Indonesian say after the usage line.
MISUSES = [
    (("check", "--bogus"), "Error: No such option: --bogus",
     "Galat: Opsi tidak dikenal: --bogus"),
    (("check", "--forma", "json"), "Error: No such option: --forma (Possible options: --format)",
     "Galat: Opsi tidak dikenal: --forma (mungkin maksudnya: --format)"),
    (("retract",), "Error: Missing argument 'POST'.", "Galat: Argumen 'UNGGAHAN' belum diberikan."),
    (("check", "--format", "xml"),
     "Error: Invalid value for '--format': 'xml' is not one of 'text', 'json', 'github'.",
     "Galat: Nilai tidak sah untuk '--format': 'xml' bukan salah satu dari 'text', 'json', "
     "'github'."),
    (("publish", "--workers", "0"),
     "Error: Invalid value for '--workers': 0 is not in the range 1<=x<=64.",
     "Galat: Nilai tidak sah untuk '--workers': 0 di luar rentang 1<=x<=64."),
    (("resolve", "satu"), "Error: Invalid value for 'DELIVERY': 'satu' is not a valid int.",
     "Galat: Nilai tidak sah untuk 'PENGIRIMAN': 'satu' bukan bilangan bulat yang sah."),
    (("chek",), "Error: No such command 'chek'. Did you mean 'check', 'schema'?",
     "Galat: Perintah 'chek' tidak dikenal. Maksudnya 'check', 'schema'?"),
    (("terbitkan",), "Error: No such command 'terbitkan'.",
     "Galat: Perintah 'terbitkan' tidak dikenal."),
    (("schema", "lebih"), "Error: Got unexpected extra argument(s) (lebih)",
     "Galat: Ada argumen berlebih yang tidak diharapkan (lebih)"),
]  # fmt: skip


_COMMANDS = set(TOP_LEVEL)


@pytest.mark.parametrize(("args", "english", "indonesian"), MISUSES,
                         ids=[" ".join(args) for args, _, _ in MISUSES])  # fmt: skip
def test_a_misuse_is_told_in_indonesian_with_the_same_exit_code(
    repo: Repo, args: tuple[str, ...], english: str, indonesian: str
) -> None:
    en = run_humaspost(*args, cwd=repo.root)
    id_ = run_humaspost(*args, cwd=repo.root, env=ID)
    assert en.returncode == id_.returncode == 2
    command = " ".join(["humaspost", *[a for a in args[:1] if a in _COMMANDS]])
    usage = re.escape(command)
    assert re.fullmatch(
        rf"Usage: {usage} \[OPTIONS\].*\nTry '{usage} -h' for help\.\n\n{re.escape(english)}\n",
        en.stderr,
    ), en.stderr
    assert re.fullmatch(
        rf"Penggunaan: {usage} \[OPSI\].*\nCoba '{usage} -h' untuk bantuan\.\n\n"
        rf"{re.escape(indonesian)}\n",
        id_.stderr,
    ), id_.stderr
    assert en.stdout == id_.stdout == ""


def test_an_option_without_its_value_is_told_in_indonesian(repo: Repo) -> None:
    en = run_humaspost("check", "--now", cwd=repo.root)
    id_ = run_humaspost("check", "--now", cwd=repo.root, env=ID)
    assert (en.returncode, en.stderr) == (2, "Error: Option '--now' requires an argument.\n")
    assert (id_.returncode, id_.stderr) == (2, "Galat: Opsi '--now' memerlukan nilai.\n")


def test_no_command_shows_the_help_in_indonesian_with_exit_2(repo: Repo) -> None:
    en = run_humaspost(cwd=repo.root)
    id_ = run_humaspost(cwd=repo.root, env=ID)
    assert en.returncode == id_.returncode == 2
    assert en.stderr.startswith("Usage: humaspost [OPTIONS] COMMAND [ARGS]...")
    assert id_.stderr.startswith("Penggunaan: humaspost [OPSI] PERINTAH [ARG]...")
    missing = run_humaspost("--debug", cwd=repo.root, env=ID)
    assert missing.returncode == 2
    assert missing.stderr.endswith("\nGalat: Perintah belum diberikan.\n")


def test_a_user_error_is_framed_in_indonesian_with_the_same_exit_code(repo: Repo) -> None:
    en = run_humaspost("check", "--now", "2026-12-01", cwd=repo.root)
    id_ = run_humaspost("check", "--now", "2026-12-01", cwd=repo.root, env=ID)
    assert en.returncode == id_.returncode == 2
    assert en.stderr.startswith("humaspost: error: --now: '2026-12-01'")
    assert id_.stderr.startswith("humaspost: galat: --now: '2026-12-01'")
    both = run_humaspost("check", "posts", "--changed-since", "main", cwd=repo.root, env=ID)
    assert both.returncode == 2
    assert both.stderr == (
        "humaspost: galat: berikan berkas unggahan atau --changed-since, jangan keduanya\n"
    )


def test_no_config_is_a_located_problem_in_indonesian(tmp_path: Path) -> None:
    en = run_humaspost("check", cwd=tmp_path)
    id_ = run_humaspost("check", cwd=tmp_path, env=ID)
    assert en.returncode == id_.returncode == 2
    assert ": error[HP501] " in en.stderr and "      = hint: " in en.stderr
    assert ": galat[HP501] " in id_.stderr and "      = saran: " in id_.stderr
    assert en.stderr.endswith("✗ 0 files, 0 posts: 1 error, 0 warnings\n")
    assert id_.stderr.endswith("✗ 0 berkas, 0 unggahan: 1 galat, 0 peringatan\n")


def test_check_summary_and_annotations_in_indonesian(repo: Repo) -> None:
    repo.post("2026/12/pasar.yaml", POST)
    repo.post("2026/12/rusak.yaml", POST + "bogus: 1\n")
    args = ("check", "--now", "2026-12-01 08:00")
    en, id_ = (run_humaspost(*args, cwd=repo.root, env=env) for env in ({}, ID))
    assert en.returncode == id_.returncode == 1
    assert "posts/2026/12/rusak.yaml:5:1: error[HP101] " in en.stdout
    assert "posts/2026/12/rusak.yaml:5:1: galat[HP101] " in id_.stdout
    assert en.stdout.endswith("✗ 2 files, 1 post: 1 error, 0 warnings\n")
    assert id_.stdout.endswith("✗ 2 berkas, 1 unggahan: 1 galat, 0 peringatan\n")
    github = run_humaspost(*args, "--format", "github", cwd=repo.root, env=ID)
    first, summary = github.stdout.splitlines()[:2]
    # The workflow command stays what GitHub reads; the text a person reads is Indonesian.
    assert first.startswith("::error file=posts/2026/12/rusak.yaml,line=5,col=1,title=HP101::")
    assert "(saran: " in first
    assert summary == "✗ 2 berkas, 1 unggahan: 1 galat, 0 peringatan"
    repo.post("2026/12/rusak.yaml", POST)
    fine = run_humaspost(*args, cwd=repo.root, env=ID)
    assert (fine.returncode, fine.stdout) == (0, "✓ 2 berkas, 2 unggahan: tidak ada masalah\n")


def test_publish_speaks_indonesian(repo: Repo) -> None:
    repo.post("2026/12/pasar.yaml", POST)
    repo.post("2026/12/salah.yaml", POST.replace("[latihan]", "[latihan, tidak-ada]"))
    dry = run_humaspost("publish", "--sandbox", "--dry-run", "--now", NOW, cwd=repo.root, env=ID)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == (
        "akan dikirim:\n  2026-12-10 09:00 WIB  2026/12/pasar → latihan (jatuh tempo)\n"
    )
    assert dry.stderr == (
        "1 berkas unggahan memiliki galat dan tertahan: posts/2026/12/salah.yaml\n"
        "  jalankan 'humaspost check' untuk melihatnya\n"
    )
    sent = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root, env=ID)
    assert sent.returncode == 1, sent.stderr  # a due post held back by its errors
    first, counts = sent.stdout.splitlines()
    assert first == (
        "terkirim      2026-12-10 09:00 WIB  2026/12/pasar → latihan  2026-12-10_0900_2026-12-pasar_1.json"
    )
    assert counts == "1 terkirim"
    assert (
        "tertahan 2026-12-10 09:00 WIB  2026/12/salah → latihan: jatuh tempo, tetapi "
        "posts/2026/12/salah.yaml memiliki galat; perbaiki, lalu unggahan ini ikut terkirim "
        "pada penerbitan berikutnya\n"
    ) in sent.stderr
    (repo.posts / "2026/12/salah.yaml").unlink()
    again = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root, env=ID)
    assert (again.returncode, again.stdout) == (0, "tidak ada yang jatuh tempo\n")


def test_the_english_publish_is_as_before(repo: Repo) -> None:
    repo.post("2026/12/pasar.yaml", POST)
    sent = run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root)
    assert sent.returncode == 0, sent.stderr
    first, counts = sent.stdout.splitlines()
    assert (
        first
        == "sent      2026-12-10 09:00 WIB  2026/12/pasar → latihan  2026-12-10_0900_2026-12-pasar_1.json"
    )
    assert counts == "1 sent"


def on_terminal(repo: Repo, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run humaspost in Indonesian with a pseudo-terminal as standard input, typing `answer`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "120", **ID})
    controller, terminal = os.openpty()
    try:
        process = subprocess.Popen(
            [str(HUMASPOST), *args], cwd=repo.root, env=env, stdin=terminal,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        os.close(terminal)
        os.write(controller, answer.encode())  # the terminal keeps it until it is read
        out, err = process.communicate(timeout=60)
    finally:
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("answer", ["ya", "y", "YES"])
def test_retract_asks_in_indonesian_and_takes_ya(repo: Repo, answer: str) -> None:
    repo.post("2026/12/pasar.yaml", POST)
    assert run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root).returncode == 0
    result = on_terminal(repo, answer + "\n", "retract", "2026/12/pasar", "--sandbox")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "Hapus 1 pengiriman ini dari platform? [y/T] "
    assert result.stdout.startswith(
        "retract 2026/12/pasar akan menghapus:\n  latihan  terkirim 2026-12-10 09:00 WIB\n"
    )
    assert "\nditarik 2026/12/pasar → latihan  sandbox://" in result.stdout
    again = run_humaspost("retract", "2026/12/pasar", "--sandbox", cwd=repo.root, env=ID)
    assert again.returncode == 0
    assert again.stdout.startswith(
        "unggahan '2026/12/pasar' sudah ditarik; tidak ada yang perlu dihapus\n"
        "  sudah ditarik dari latihan pada "
    )


@pytest.mark.parametrize("answer", ["", "t", "tidak", "n"])
def test_retract_keeps_everything_on_any_other_answer(repo: Repo, answer: str) -> None:
    repo.post("2026/12/pasar.yaml", POST)
    assert run_humaspost("publish", "--sandbox", "--now", NOW, cwd=repo.root).returncode == 0
    result = on_terminal(repo, answer + "\n", "retract", "2026/12/pasar", "--sandbox")
    assert result.returncode == 1
    assert result.stderr.endswith("[y/T] retract dibatalkan: tidak ada yang dihapus\n")
    off = run_humaspost("retract", "2026/12/pasar", "--sandbox", cwd=repo.root, env=ID)
    assert off.returncode == 2
    assert off.stderr.startswith("humaspost: galat: retract menghapus unggahan")


def test_the_daemon_text_log_is_in_indonesian(repo: Repo, tmp_path: Path) -> None:
    repo.post("2026/12/pasar.yaml", POST)
    log = tmp_path / "daemon.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUMASPOST_")}
    env.update({"NO_COLOR": "1", **ID})
    with log.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [str(HUMASPOST), "daemon", "--sandbox", "--now", NOW], cwd=repo.root, env=env,
            stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while "terkirim" not in log.read_text("utf-8") and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
    lines = log.read_text("utf-8").splitlines()
    assert re.fullmatch(r"\S+ \S+ WIB  info        dimulai  posts=1  sandbox=True  pid=\d+",
                        lines[0]), lines  # fmt: skip
    assert any(re.fullmatch(r".* WIB  info        terkirim  post=2026/12/pasar  account=latihan"
                            r"  url=sandbox://\S+", line) for line in lines), lines  # fmt: skip
    assert re.fullmatch(r".* WIB  info        berhenti", lines[-1]), lines


def test_an_internal_error_is_told_in_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        i18n.use("id")
        try:
            raise RuntimeError("rusak di dalam")
        except RuntimeError as error:
            assert report_crash(error, debug=False) == 3
    finally:
        i18n.use("en")
    err = capsys.readouterr().err
    found = re.fullmatch(
        r"humaspost: galat internal \(RuntimeError\); rinciannya di (\S+\.txt)\. "
        r"Mohon laporkan\.\n",
        err,
    )
    assert found is not None, err
    Path(found[1]).unlink()
