"""Bad input stops only its own file: located errors where editors show them, no
crash, no hang, no secret printed (issue 9, reproducers 1, 3, 6 and 7)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from humaspost.textfile import NotPlainFile, open_plain
from tests.conftest import HUMASPOST, Repo, run_humaspost

# The P: a valid post that a bad line is added to.
P = "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: |\n  halo\n"
NOW = "2026-11-28 09:00"
TOKEN = "EAAGsupersecretpagetoken123"


def check_json(repo: Repo, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    result = run_humaspost("check", "--now", NOW, "--format", "json", *args, cwd=repo.root, env=env)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "internal error" not in result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def places(report: dict[str, object]) -> dict[str, tuple[str, int, int]]:
    """file -> (code, line, column) of its first problem."""
    found: dict[str, tuple[str, int, int]] = {}
    problems = report["problems"]
    assert isinstance(problems, list)
    for problem in problems:
        found.setdefault(problem["file"], (problem["code"], problem["line"], problem["column"]))
    return found


def test_values_yaml_cannot_build_are_located_errors_of_their_file(repo: Repo) -> None:
    cases = {
        "hex.yaml": "notes: 0x_",
        "bin.yaml": "notes: 0b_",
        "neg.yaml": "notes: -0x_",
        "digits.yaml": "notes: " + "1" * 4301,
        "float.yaml": "notes: !!float x",
        "int.yaml": "notes: !!int x",
        "bool.yaml": "notes: !!bool x",
    }
    for name, line in cases.items():
        repo.post(name, P + line + "\n")
    repo.post("zwk4.yaml", P.replace("halo", "halo warga") + "? notes\n&x author: b\n")
    repo.post("fine.yaml", P)
    report = check_json(repo)
    found = places(report)
    assert {name: found.get(f"posts/{name}") for name in cases} == {
        name: ("HP012", 5, 8) for name in cases
    }
    # YAML test suite case ZWK4: an anchored key after an explicit one is valid YAML.
    assert "posts/zwk4.yaml" not in found
    assert report["posts"] == 2


def test_post_files_that_are_not_plain_files_are_refused_at_once(repo: Repo) -> None:
    (repo.root / ".env").write_text(f"FB_TOKEN={TOKEN}\n")
    (repo.root / ".env").chmod(0o600)  # private, as it should be (else HP510 warns)
    os.symlink("../.env", repo.posts / "dotenv.yaml")
    os.symlink("/proc/self/environ", repo.posts / "environ.yaml")
    os.symlink("/dev/zero", repo.posts / "zero.yaml")
    os.mkfifo(repo.posts / "pipe.yaml")
    (repo.posts / "huge.yaml").write_text(P + "notes: |\n" + "  x\n" * 400_000)
    repo.post("fine.yaml", P)
    started = time.monotonic()
    report = check_json(repo, env={"FB_TOKEN": TOKEN})
    text = run_humaspost("check", "--now", NOW, cwd=repo.root, env={"FB_TOKEN": TOKEN})
    assert time.monotonic() - started < 30
    assert TOKEN not in json.dumps(report) + text.stdout + text.stderr
    assert places(report) == {
        "posts/dotenv.yaml": ("HP013", 1, 1),
        "posts/environ.yaml": ("HP013", 1, 1),
        "posts/zero.yaml": ("HP013", 1, 1),
        "posts/pipe.yaml": ("HP013", 1, 1),
        "posts/huge.yaml": ("HP014", 1, 1),
    }
    assert "posts/pipe.yaml:1:1: error[HP013] not a plain file: it is a FIFO" in text.stdout
    assert report["posts"] == 1


def test_a_link_named_on_the_command_line_is_refused_too(repo: Repo) -> None:
    (repo.root / ".env").write_text(f"FB_TOKEN={TOKEN}\n")
    os.symlink("../.env", repo.posts / "a.yaml")
    result = run_humaspost("check", "--now", NOW, "posts/a.yaml", cwd=repo.root)
    assert result.returncode == 1
    assert "posts/a.yaml:1:1: error[HP013] not a plain file: it is a link" in result.stdout
    assert TOKEN not in result.stdout + result.stderr


def test_publish_sends_the_other_posts_beside_a_fifo(repo: Repo) -> None:
    repo.write_config("accounts: {latihan: {platform: sandbox}}\ndefaults: {to: [latihan]}\n")
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\ntext: Halo warga\n")
    os.mkfifo(repo.posts / "pipe.yaml")
    result = run_humaspost("publish", "--now", "2026-12-01 08:01", cwd=repo.root)
    assert "1 sent" in result.stdout, result.stdout + result.stderr
    assert "posts/pipe.yaml" in result.stderr


def test_a_secret_on_a_line_with_a_syntax_error_is_never_printed(repo: Repo) -> None:
    repo.write_config(
        "accounts:\n  pemkot-fb:\n    platform: facebook\n    page_id: '1'\n"
        f"    access_token: {TOKEN} note: x\n"
    )
    for fmt in ("text", "json", "github"):
        result = run_humaspost("check", "--now", NOW, "--format", fmt, cwd=repo.root)
        assert result.returncode == 2
        assert TOKEN not in result.stdout + result.stderr
    text = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert "humaspost.yaml:5:" in text.stderr and "HP003" in text.stderr
    assert "access_token: ***" in text.stderr  # the line is shown, its value masked


def test_errors_are_on_lines_and_columns_editors_show(repo: Repo) -> None:
    # A syntax error at the end of a 3-line file without a final newline.
    repo.post("eof.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: [halo")
    # U+2028, U+2029 and U+0085 are no line breaks for editors and GitHub.
    repo.post(
        "breaks.yaml", "publish_at: 2026-12-10 09:00\nto: [pemkot-x]\u2028\u2029\u0085\nx: [\n"
    )
    repo.post("breaks.md", "---\nto: [pemkot-x]\u2028\nnotes: 0x_\n---\nhalo\n")
    # A control character, where it is (not libyaml's "position 53").
    repo.post("control.yaml", P + "notes: ab\x07c\n")
    report = check_json(repo)
    assert places(report) == {
        "posts/eof.yaml": ("HP003", 3, 12),
        "posts/breaks.yaml": ("HP003", 3, 5),
        "posts/breaks.md": ("HP012", 3, 8),
        "posts/control.yaml": ("HP015", 5, 10),
    }
    problems = report["problems"]
    assert isinstance(problems, list)
    assert not any("position" in problem["message"] for problem in problems)
    text = run_humaspost("check", "--now", NOW, "posts/control.yaml", cwd=repo.root)
    assert "    5 | notes: ab\u2407c\n" in text.stdout  # shown, not rung


def test_json_stays_utf8_for_file_names_that_are_not(repo: Repo) -> None:
    posts = os.fsencode(repo.posts)
    with open(posts + b"/caf\xe9.yaml", "wb") as handle:
        handle.write(b"publish_at: 2026-12-10 09:00\nto: [pemkot-x]\ntext: [halo\n")
    for fmt in ("json", "github", "text"):
        result = subprocess.run(
            [str(HUMASPOST), "check", "--now", NOW, "--format", fmt],
            cwd=repo.root,
            env={**os.environ, "NO_COLOR": "1", "HUMASPOST_LANG": "en"},
            capture_output=True,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        output = result.stdout.decode("utf-8")  # strict: raises on invalid UTF-8
        assert "posts/caf\ufffd.yaml" in output
        if fmt == "json":
            assert json.loads(output)["problems"][0]["file"] == "posts/caf\ufffd.yaml"


@pytest.mark.parametrize("name", ["a.yaml", "sub/b.md"])
def test_lines_quoted_are_the_lines_located(repo: Repo, name: str) -> None:
    first = "---\n" if name.endswith(".md") else ""
    close = "---\nhalo\n" if name.endswith(".md") else ""
    to = "to: [pemkot-x]\u2028\n"
    repo.post(name, first + "publish_at: 2026-12-10 09:00\n" + to + "notes: 0x_\n" + close)
    line = 4 if name.endswith(".md") else 3
    result = run_humaspost("check", "--now", NOW, cwd=repo.root)
    assert f"posts/{name}:{line}:8: error[HP012]" in result.stdout
    assert f"    {line} | notes: 0x_\n" in result.stdout


def test_open_plain_follows_links_only_inside_the_folder_given(tmp_path: Path) -> None:
    # The media checks' way in: links inside the repository are fine, nothing else is.
    root = tmp_path / "repo"
    (root / "media").mkdir(parents=True)
    (root / "media" / "logo.png").write_bytes(b"\x89PNG")
    os.symlink("logo.png", root / "media" / "link.png")
    os.symlink(tmp_path / "outside.png", root / "media" / "out.png")
    (tmp_path / "outside.png").write_bytes(b"\x89PNG")
    os.mkfifo(root / "media" / "pipe.png")
    with open_plain(root / "media" / "link.png", inside=root) as handle:
        assert handle.read() == b"\x89PNG"
    reasons = {}
    for name in ("out.png", "pipe.png"):
        with pytest.raises(NotPlainFile) as caught:
            open_plain(root / "media" / name, inside=root)
        reasons[name] = caught.value.reason
    assert reasons == {"out.png": "outside the repository", "pipe.png": "a FIFO (named pipe)"}
    with pytest.raises(FileNotFoundError):
        open_plain(root / "media" / "missing.png", inside=root)


def test_media_that_are_not_plain_files_are_refused_without_reading(repo: Repo) -> None:
    os.mkfifo(repo.root / "media" / "pipa.png")
    os.symlink("/dev/zero", repo.root / "media" / "nol.png")
    os.mkdir(repo.root / "media" / "folder.png")
    repo.post(
        "a.yaml",
        P + "media:\n  - {file: ../media/pipa.png, alt: a}\n"
        "  - {file: ../media/folder.png, alt: b}\n  - {file: ../media/nol.png, alt: c}\n",
    )
    started = time.monotonic()
    report = check_json(repo)
    assert time.monotonic() - started < 60  # a FIFO once blocked check forever
    found = report["problems"]
    assert isinstance(found, list)
    problems = [(p["code"], p["line"], p["column"]) for p in found]
    # /dev/zero is reached through a link that leaves the repository.
    assert problems == [("HP208", 6, 12), ("HP208", 7, 12), ("HP202", 8, 12)]


def test_a_file_name_that_makes_no_valid_id_is_an_error_of_that_post(repo: Repo) -> None:
    repo.post("rapat warga.yaml", P)
    with open(os.fsencode(repo.posts) + b"/caf\xe9.yaml", "wb") as handle:
        handle.write(P.encode())
    repo.post("baik.yaml", P.replace("halo", "halo juga"))
    report = check_json(repo)
    assert places(report) == {
        "posts/rapat warga.yaml": ("HP113", 1, 1),
        "posts/caf\ufffd.yaml": ("HP113", 1, 1),
    }


@pytest.mark.parametrize(
    ("name", "data", "code", "line", "column"),
    [
        ("kosong.yaml", P.encode() + b"notes: !!float\n", "HP012", 5, 8),
        ("bom.yaml", b"\xef\xbb\xbfa: b\nc: \xed\xa0\x80\n", "HP002", 2, 4),
        ("tiga.md", b"---\n---\n---", "HP110", 3, 1),
        ("panjang.yaml", b'repeat: "' + b"9" * 5000 + b' * * * *"\ntext: a\n', "HP107", 1, 9),
        ("tanpa-isi.md", b"---\npublish_at: 2026-12-10 09:00\nto: pemkot-x\n---", "HP110", 4, 1),
    ],
)
def test_fuzzed_cases_are_placed_inside_the_file(
    repo: Repo, name: str, data: bytes, code: str, line: int, column: int
) -> None:
    (repo.posts / name).write_bytes(data)
    problems = check_json(repo)["problems"]
    assert isinstance(problems, list)
    assert (code, line, column) in [(p["code"], p["line"], p["column"]) for p in problems]
