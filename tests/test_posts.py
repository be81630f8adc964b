"""Loading post files: the format of post-format.md, and every way a file can be wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from humaspost.posts import LoadResult, load_post, strip_comments
from tests.conftest import Repo


def load(repo: Repo, name: str, text: str) -> LoadResult:
    path = repo.post(name, text)
    config = repo.config()
    return load_post(path, f"posts/{name}", config.posts_dir, config.timezone)


def codes(result: LoadResult) -> list[str]:
    return [p.code for p in result.problems]


def place(result: LoadResult, code: str) -> tuple[int | None, int | None]:
    problem = next(p for p in result.problems if p.code == code)
    return problem.line, problem.column


MD_THREAD = """\
---
publish_at: 2026-12-01 08:00
to: [pemkot-x, pemkot-fb]
media:
  - file: ../media/poster.png
    alt: Poster Hari AIDS Sedunia
tags: [kesehatan]
---
Hari ini, 1 Desember, kita peringati Hari AIDS Sedunia.
#KotaBekasi di awal baris bukan judul.

---
Jadwal layanan: Senin-Jumat 08.00-14.00 WIB. <!-- catatan reviewer -->
<!-- baris catatan penuh -->
Baris berikutnya.
"""


def test_markdown_thread_with_media(repo: Repo) -> None:
    result = load(repo, "2026/12/hari-aids.md", MD_THREAD)
    assert result.problems == []
    post = result.post
    assert post is not None
    assert post.id == "2026/12/hari-aids"
    assert post.publish_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert post.to == ("pemkot-x", "pemkot-fb")
    assert post.content.parts == (
        "Hari ini, 1 Desember, kita peringati Hari AIDS Sedunia.\n"
        "#KotaBekasi di awal baris bukan judul.",
        "Jadwal layanan: Senin-Jumat 08.00-14.00 WIB.\nBaris berikutnya.",
    )
    assert post.content.media is not None
    assert post.content.media[0].alt == "Poster Hari AIDS Sedunia"
    assert post.content.media[0].path == repo.posts / "2026/12/../media/poster.png"
    assert post.metadata["tags"] == ["kesehatan"]
    # Thread parts point at the line where their text starts.
    assert post.span(("thread", 1)) is not None
    assert post.span(("thread", 1)).line == 13  # type: ignore[union-attr]


def test_yaml_post_with_platform_sections(repo: Repo) -> None:
    result = load(
        repo,
        "banjir.yaml",
        """\
        publish_at: 2026-12-03T06:30:00+07:00
        to: semua-kecamatan
        text: |
          Waspada banjir hari ini.

        twitter:
          thread:
            - Waspada banjir (1/2)
            - "Nomor darurat: 112 (2/2)"
        facebook:
          link: https://bpbd.bekasikota.go.id/siaga
        """,
    )
    assert result.problems == []
    post = result.post
    assert post is not None
    assert post.to == ("semua-kecamatan",)
    assert post.content.parts == ("Waspada banjir hari ini.",)
    assert post.content_for("twitter").parts == ("Waspada banjir (1/2)", "Nomor darurat: 112 (2/2)")
    facebook = post.content_for("facebook")
    assert facebook.parts == ("Waspada banjir hari ini.",)
    assert facebook.link == "https://bpbd.bekasikota.go.id/siaga"
    # A sandbox account `like: twitter` falls back to the twitter section.
    assert post.content_for("sandbox", "twitter").parts == post.content_for("twitter").parts


def test_explicit_id_draft_repeat_until(repo: Repo) -> None:
    result = load(
        repo,
        "rutin.yml",
        """\
        id: rutin/jumat-bersih
        repeat: "30 6 * * fri"
        until: 2027-03-31 23:59
        draft: true
        text: Jumat Bersih!
        """,
    )
    assert result.problems == []
    assert result.post is not None
    assert result.post.id == "rutin/jumat-bersih"
    assert result.post.draft is True
    assert result.post.repeat == "30 6 * * fri"
    assert result.post.until == datetime(2027, 3, 31, 16, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "text", "code", "line", "column"),
    [
        ("empty.md", "", "HP006", 1, 1),
        ("blank.yaml", "\n\n  \n", "HP006", 1, 1),
        ("comment-only.yaml", "# nothing\n", "HP006", 1, 1),
        ("no-front.md", "Halo warga\n", "HP007", 1, 1),
        ("unclosed.md", "---\npublish_at: 2026-12-01 08:00\nHalo\n", "HP007", 1, 1),
        ("list.yaml", "- a\n- b\n", "HP008", 1, 1),
        ("scalar.yaml", "halo warga\n", "HP008", 1, 1),
        ("tabs.yaml", "publish_at: 2026-12-01 08:00\nto:\n\t- pemkot-x\n", "HP003", 3, 1),
        ("dup.yaml", "publish_at: 2026-12-01 08:00\ntext: a\ntext: b\n", "HP004", 3, 1),
        ("complex.yaml", "? [a]\n: b\n", "HP009", 1, 3),
        ("typo.yaml", "publish_time: 2026-12-01 08:00\ntext: a\n", "HP101", 1, 1),
        ("type.yaml", "publish_at: 2026-12-01 08:00\ntext: a\ndraft: ya\n", "HP102", 3, 8),
        ("to-type.yaml", "publish_at: 2026-12-01 08:00\ntext: a\nto: {a: 1}\n", "HP102", 3, 5),
        ("number.yaml", "publish_at: 2026-12-01 08:00\ntext: 2026\n", "HP102", 2, 7),
        ("bare-date.yaml", "publish_at: 2026-12-01\ntext: a\n", "HP105", 1, 13),
        ("impossible.yaml", "publish_at: 2026-02-30 08:00\ntext: a\n", "HP105", 1, 13),
        ("no-time.yaml", "text: a\n", "HP104", 1, 1),
        (
            "no-file.yaml",
            "publish_at: 2026-12-01 08:00\ntext: a\nmedia:\n  - alt: x\n",
            "HP104",
            4,
            5,
        ),
        (
            "order.yaml",
            "publish_at: 2026-12-01 08:00\nexpires_at: 2026-12-01 07:00\ntext: a\n",
            "HP106",
            2,
            13,
        ),
        ("cron.yaml", "repeat: '0 8 * *'\ntext: a\n", "HP107", 1, 9),
        ("cron-range.yaml", "repeat: '61 8 * * *'\ntext: a\n", "HP107", 1, 9),
        ("cron-ext.yaml", "repeat: '0 8 L * *'\ntext: a\n", "HP107", 1, 9),
        (
            "until.yaml",
            "publish_at: 2026-12-01 08:00\nuntil: 2026-12-09 08:00\ntext: a\n",
            "HP108",
            2,
            1,
        ),
        ("empty-text.yaml", "publish_at: 2026-12-01 08:00\ntext: '  '\n", "HP110", 2, 7),
        ("empty-body.md", "---\npublish_at: 2026-12-01 08:00\n---\n\n", "HP110", 4, 1),
        (
            "empty-part.md",
            "---\npublish_at: 2026-12-01 08:00\n---\nA\n---\n\n---\nC\n",
            "HP110",
            6,
            1,
        ),
        (
            "both.yaml",
            "publish_at: 2026-12-01 08:00\ntext: a\nthread: [b, c]\n",
            "HP111",
            3,
            1,
        ),
        ("text-in-md.md", "---\npublish_at: 2026-12-01 08:00\ntext: a\n---\nb\n", "HP111", 3, 1),
        ("bad-id.yaml", "id: ../rahasia\npublish_at: 2026-12-01 08:00\ntext: a\n", "HP113", 1, 5),
        (
            "comment.md",
            "---\npublish_at: 2026-12-01 08:00\n---\nHalo\nwarga <!-- lupa\n",
            "HP114",
            5,
            7,
        ),
        (
            "link-x.yaml",
            "publish_at: 2026-12-01 08:00\ntext: a\ntwitter: {link: 'https://a.id'}\n",
            "HP101",
            3,
            11,
        ),
        ("alias.yaml", "a: &a [1, 2]\n", "HP101", 1, 1),
        ("tag.yaml", "publish_at: 2026-12-01 08:00\ntext: !!binary aGVsbG8=\n", "HP011", 2, 7),
    ],
)
def test_bad_post_files_get_located_errors(
    repo: Repo, name: str, text: str, code: str, line: int, column: int
) -> None:
    result = load(repo, name, text)
    assert code in codes(result), result.problems
    assert place(result, code) == (line, column)
    assert all(p.file == f"posts/{name}" for p in result.problems)


def test_non_utf8_bytes_are_located(repo: Repo) -> None:
    path = repo.posts / "latin1.md"
    path.write_bytes(b"---\npublish_at: 2026-12-01 08:00\n---\nSelamat pagi caf\xe9\n")
    config = repo.config()
    result = load_post(path, "posts/latin1.md", config.posts_dir, config.timezone)
    assert codes(result) == ["HP002"]
    assert place(result, "HP002") == (4, 17)
    assert result.post is None


def test_bom_and_crlf_are_accepted(repo: Repo) -> None:
    path = repo.posts / "windows.md"
    path.write_bytes("\ufeff---\r\npublish_at: 2026-12-01 08:00\r\n---\r\nHalo warga\r\n".encode())
    config = repo.config()
    result = load_post(path, "posts/windows.md", config.posts_dir, config.timezone)
    assert result.problems == []
    assert result.post is not None and result.post.content.parts == ("Halo warga",)


def test_file_outside_posts_dir_is_refused(repo: Repo) -> None:
    path = repo.root / "stray.md"
    path.write_text("---\npublish_at: 2026-12-01 08:00\n---\nHalo\n")
    config = repo.config()
    result = load_post(path, "stray.md", config.posts_dir, config.timezone)
    assert codes(result) == ["HP010"]


def test_several_problems_in_one_file_are_all_reported(repo: Repo) -> None:
    result = load(
        repo,
        "many.yaml",
        "publish_at: 2026-02-30 08:00\nexpires_at: kemarin\nrepeat: '0 8 * *'\ntext: a\n",
    )
    assert codes(result).count("HP105") == 2
    assert "HP107" in codes(result)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Halo <!-- a -->warga", "Halo warga"),
        ("A\n<!-- catatan -->\nB", "A\nB"),
        ("A\n\n<!--\nbanyak\nbaris\n-->\n\nB", "A\n\n\nB"),
        ("\n\n  Halo  \n\n", "Halo"),
        ("A <!-- x --> B <!-- y --> C", "A  B  C"),
    ],
)
def test_comments_are_removed_and_blank_lines_trimmed(raw: str, clean: str) -> None:
    assert strip_comments(raw) == (clean, None)


def test_unclosed_comment_is_reported_with_its_place() -> None:
    assert strip_comments("A\nB <!-- x")[1] == (1, 3)


def test_separator_inside_a_comment_does_not_split(repo: Repo) -> None:
    result = load(
        repo,
        "comment-sep.md",
        "---\npublish_at: 2026-12-01 08:00\n---\nA\n<!--\n---\n-->\nB\n",
    )
    assert result.problems == []
    assert result.post is not None and result.post.content.parts == ("A\nB",)


def test_default_id_uses_posix_path_under_posts_dir(repo: Repo) -> None:
    result = load(repo, "2026/12/Hari Guru.md", "---\npublish_at: 2026-12-01 08:00\n---\nA\n")
    assert result.post is not None and result.post.id == "2026/12/Hari Guru"


def test_shipped_example_posts_load_cleanly() -> None:
    root = Path(__file__).resolve().parents[1]
    from humaspost.config import load_config

    config = load_config(root / "config.example.yaml")
    files = sorted(p for p in (root / "posts").rglob("*") if p.suffix in (".md", ".yaml"))
    files = [p for p in files if not p.name.startswith("_")]
    assert len(files) >= 5
    for path in files:
        result = load_post(path, path.name, config.posts_dir, config.timezone)
        assert result.problems == [], (path, result.problems)


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        ("text: Pasar murah hari ini. #KotaBekasi\n", "'#KotaBekasi'"),
        ("text: #KotaBekasi Pasar murah\n", "'#KotaBekasi Pasar murah'"),
        ("text: &Pemkot hadir untuk warga\n", "'&Pemkot'"),
        ("thread:\n  - Bagian satu #KotaBekasi\n  - Dua\n", "'#KotaBekasi'"),
        ("twitter:\n  text: Halo #KotaBekasi\n", "'#KotaBekasi'"),
    ],
)
def test_hashtag_or_anchor_dropped_by_yaml_is_an_error(repo: Repo, text: str, dropped: str) -> None:
    result = load(repo, "a.yaml", "publish_at: 2026-12-01 08:00\n" + text)
    assert "HP115" in codes(result)
    problem = next(p for p in result.problems if p.code == "HP115")
    assert problem.message.startswith(dropped)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("publish_at: 2026-12-01 08:00\nto: []\ntext: a\n", "HP109"),
        ("publish_at: 2026-12-01 08:00\nto:\ntext: a\n", "HP109"),
        ("publish_at: 2026-12-01 08:00\nmedia: []\ntext: a\n", "HP110"),
        ("publish_at: 2026-12-01 08:00\ntext:\n", "HP110"),
    ],
)
def test_fields_written_without_a_value(repo: Repo, text: str, code: str) -> None:
    result = load(repo, "a.yaml", text)
    assert code in codes(result)
    assert place(result, code) == (2, 1)


def test_platform_nickname_gets_the_real_section_name(repo: Repo) -> None:
    result = load(repo, "a.yaml", "publish_at: 2026-12-01 08:00\ntext: a\nx:\n  text: b\n")
    problem = next(p for p in result.problems if p.code == "HP101")
    assert problem.hint == "the section for this platform is 'twitter'"


def test_invalid_repeat_is_reported_and_the_post_still_loads(repo: Repo) -> None:
    result = load(repo, "a.yaml", "publish_at: 2026-12-01 08:00\nrepeat: '0 25 * * *'\ntext: a\n")
    assert codes(result) == ["HP107"]
    assert result.post is not None and result.post.repeat is None


@pytest.mark.parametrize(
    ("expression", "floods"),
    [
        ("* * * * *", True),
        ("*/30 * * * *", True),
        ("0,30 * * * *", True),
        ("* 8 * * *", True),  # every minute of 08:00-08:59, not 08:00
        ("0-1 8 * * 1", True),
        ("0 8-9 * * *", False),  # 08:00 and 09:00: exactly an hour apart
        ("0 * * * *", False),
        ("59 23 * * *", False),
        ("30 6 * * fri", False),
    ],
)
def test_a_repeat_more_often_than_hourly_is_an_error_at_its_value(
    repo: Repo, expression: str, floods: bool
) -> None:
    result = load(
        repo, "a.yaml", f"publish_at: 2026-12-01 08:00\nrepeat: '{expression}'\ntext: a\n"
    )
    assert codes(result) == (["HP116"] if floods else [])
    if floods:
        assert place(result, "HP116") == (2, 9)
        # Still a schedule: `schedule` shows its occurrences, held back.
        assert result.post is not None and result.post.repeat == expression
