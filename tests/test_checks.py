"""Checking posts against accounts, media on disk, platform rules and each other."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from humaspost.checks import CheckReport
from humaspost.repository import post_files
from tests.conftest import NOW, PNG_BYTES, Repo
from tests.every_way import run_check_every_way

GIF_BYTES = b"GIF89a" + b"\x00" * 64
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
HEIC_BYTES = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64


def check(repo: Repo, now: datetime = NOW) -> CheckReport:
    config = repo.config()
    return run_check_every_way(config, post_files(config.posts_dir, [], repo.root), now)


def found(report: CheckReport, code: str) -> list[tuple[str, int | None, int | None]]:
    return [(p.file, p.line, p.column) for p in report.problems if p.code == code]


def post_md(front: str, body: str = "Halo warga Kota Bekasi.") -> str:
    return f"---\n{front}---\n{body}\n"


def test_valid_post_has_deliveries_with_lengths_and_limits(repo: Repo) -> None:
    repo.post(
        "a.md",
        post_md(
            "publish_at: 2026-12-01 08:00\nto: [pemkot-x, semua-kecamatan]\n",
            "Info: https://dinkes.bekasikota.go.id #KotaBekasi\n---\nBagian kedua ❤️‍🔥",
        ),
    )
    report = check(repo)
    assert report.problems == []
    (post,) = report.posts
    accounts = [d.account for d in post.deliveries]
    assert accounts == ["pemkot-x", "kec-timur", "kec-barat"]
    x = post.deliveries[0]
    assert [(p.length, p.limit) for p in x.parts] == [(41, 280), (15, 280)]
    assert x.publish_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    fb = post.deliveries[1]
    # Facebook gets the thread as one post, its parts joined by a blank line.
    # Facebook counts code points: the URL is its 31 characters, the flame heart 4.
    assert [(p.length, p.limit) for p in fb.parts] == [(49 + 2 + 17, 63_206)]


def test_defaults_to_is_used_when_to_is_absent(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\ntext: Halo\n")
    (post,) = check(repo).posts
    assert [d.account for d in post.deliveries] == ["pemkot-x", "pemkot-fb"]


def test_unknown_account_in_list_and_as_single_name(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: [pemkot-x, pemkot-ig]\ntext: a\n")
    repo.post("b.yaml", "publish_at: 2026-12-01 08:00\nto: kecamatan\ntext: b\n")
    report = check(repo)
    assert found(report, "HP103") == [("posts/a.yaml", 2, 16), ("posts/b.yaml", 2, 5)]
    hint = next(p.hint for p in report.problems if p.file == "posts/a.yaml")
    assert hint == "did you mean 'pemkot-x'?"


def test_no_account_at_all(repo: Repo) -> None:
    repo.write_config("accounts: {latihan: {platform: sandbox}}\n")
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\ntext: a\n")
    assert [p.code for p in check(repo).problems] == ["HP109"]


def test_x_part_over_280_points_at_the_part(repo: Repo) -> None:
    long_part = "Kota Bekasi " * 24  # 288 characters
    repo.post(
        "a.md",
        post_md(
            "publish_at: 2026-12-01 08:00\nto: [pemkot-x, pemkot-fb]\n", f"Awal\n---\n{long_part}"
        ),
    )
    report = check(repo)
    assert found(report, "HP301") == [("posts/a.md", 7, 1)]
    assert "thread part 2 is 287 characters on twitter" in report.problems[0].message


def test_emoji_and_urls_are_weighted_for_x(repo: Repo) -> None:
    # 139 two-weight emoji = 278, plus "a" = 279: fits; one more emoji does not.
    repo.post(
        "fits.yaml", "publish_at: 2026-12-01 08:00\nto: pemkot-x\ntext: a" + "🐦‍⬛" * 139 + "\n"
    )
    repo.post(
        "over.yaml", "publish_at: 2026-12-02 08:00\nto: pemkot-x\ntext: a" + "🐦‍⬛" * 140 + "\n"
    )
    report = check(repo)
    assert found(report, "HP301") == [("posts/over.yaml", 3, 7)]


def test_facebook_length_and_link(repo: Repo) -> None:
    repo.post(
        "a.yaml",
        "publish_at: 2026-12-01 08:00\nto: pemkot-fb\ntext: " + "a" * 63_207 + "\n"
        "facebook: {link: 'ftp://bekasikota.go.id'}\n",
    )
    report = check(repo)
    assert [p.code for p in report.problems] == ["HP301", "HP302"]
    assert found(report, "HP302") == [("posts/a.yaml", 4, 18)]


def test_a_link_with_an_unclosed_ipv6_bracket_is_a_located_error(repo: Repo) -> None:
    repo.post(
        "a.yaml",
        "publish_at: 2026-12-01 08:00\nto: pemkot-fb\ntext: a\nfacebook: {link: 'http://[::1'}\n",
    )
    report = check(repo)
    assert found(report, "HP302") == [("posts/a.yaml", 4, 18)]


def test_platform_section_for_a_platform_not_addressed_warns(repo: Repo) -> None:
    repo.post(
        "a.yaml",
        "publish_at: 2026-12-01 08:00\nto: pemkot-x\ntext: a\nfacebook: {link: 'https://a.id'}\n",
    )
    report = check(repo)
    assert found(report, "HP303") == [("posts/a.yaml", 4, 1)]
    assert report.errors == 0 and report.warnings == 1


def media_post(items: str, to: str = "pemkot-x") -> str:
    return f"publish_at: 2026-12-01 08:00\nto: {to}\ntext: Halo\nmedia:\n{items}"


def test_media_problems_are_located(repo: Repo) -> None:
    repo.media("ok.png")
    repo.media("foto.heic", HEIC_BYTES)
    (repo.root.parent / "outside.png").write_bytes(PNG_BYTES)
    repo.post(
        "a.yaml",
        media_post(
            "  - file: ../media/missing.png\n    alt: a\n"
            "  - file: ../media/ok.png\n"
            "  - file: ../../outside.png\n    alt: c\n"
            "  - file: ../media/foto.heic\n    alt: d\n"
        ),
    )
    report = check(repo)
    assert found(report, "HP201") == [("posts/a.yaml", 5, 11)]
    assert found(report, "HP203") == [("posts/a.yaml", 7, 5)]
    assert found(report, "HP202") == [("posts/a.yaml", 8, 11)]
    assert found(report, "HP204") == [("posts/a.yaml", 10, 11)]
    assert "HEIC" in next(p.message for p in report.problems if p.code == "HP204")


def test_symlink_leaving_the_repository_is_refused(repo: Repo) -> None:
    (repo.root.parent / "secret.png").write_bytes(PNG_BYTES)
    os.symlink(repo.root.parent / "secret.png", repo.root / "media" / "link.png")
    repo.post("a.yaml", media_post("  - file: ../media/link.png\n    alt: a\n"))
    assert found(check(repo), "HP202") == [("posts/a.yaml", 5, 11)]


def test_alt_text_not_required_when_config_says_so(repo: Repo) -> None:
    repo.write_config(
        repo.root.joinpath("humaspost.yaml").read_text() + "require_alt_text: false\n"
    )
    repo.media("ok.png")
    repo.post("a.yaml", media_post("  - file: ../media/ok.png\n"))
    assert check(repo).problems == []


def test_x_media_limits(repo: Repo) -> None:
    for name in "abcde":
        repo.media(f"{name}.png")
    repo.media("anim.gif", GIF_BYTES)
    repo.media("big.png", PNG_BYTES + b"\x00" * (5 * 1024 * 1024))
    five = "".join(f"  - file: ../media/{n}.png\n    alt: {n}\n" for n in "abcde")
    repo.post("five.yaml", five.join([media_post(""), ""]))
    repo.post(
        "mixed.yaml",
        media_post(
            "  - file: ../media/a.png\n    alt: a\n  - file: ../media/anim.gif\n    alt: g\n"
        ),
    )
    repo.post("big.yaml", media_post("  - file: ../media/big.png\n    alt: besar\n"))
    repo.post("alt.yaml", media_post("  - file: ../media/a.png\n    alt: " + "x" * 1001 + "\n"))
    report = check(repo)
    assert found(report, "HP206") == [("posts/five.yaml", 5, 3), ("posts/mixed.yaml", 5, 3)]
    assert found(report, "HP205") == [("posts/big.yaml", 5, 11)]
    assert found(report, "HP207") == [("posts/alt.yaml", 6, 10)]


def test_facebook_takes_no_video_but_x_does(repo: Repo) -> None:
    repo.media("clip.mp4", MP4_BYTES)
    repo.post(
        "a.yaml", media_post("  - file: ../media/clip.mp4\n    alt: v\n", "[pemkot-x, pemkot-fb]")
    )
    report = check(repo)
    assert [p.code for p in report.problems] == ["HP204"]
    assert "facebook does not take mp4" in report.problems[0].message


def test_sandbox_like_twitter_applies_x_limits(repo: Repo) -> None:
    repo.write_config("accounts: {latihan: {platform: sandbox, like: twitter}}\n")
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: " + "a" * 281 + "\n")
    report = check(repo)
    assert [p.code for p in report.problems] == ["HP301"]
    assert report.posts[0].deliveries[0].platform == "sandbox"


def test_plain_sandbox_has_no_limits(repo: Repo) -> None:
    repo.write_config("accounts: {latihan: {platform: sandbox}}\n")
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: latihan\ntext: " + "a" * 300 + "\n")
    report = check(repo)
    assert report.problems == []
    assert report.posts[0].deliveries[0].parts[0].limit is None


def test_past_publish_time_warns_it_will_be_missed(repo: Repo) -> None:
    repo.post("old.yaml", "publish_at: 2026-11-28 10:00\ntext: a\n")  # 03:00 UTC, 6 h ago
    repo.post("recent.yaml", "publish_at: 2026-11-28 15:30\ntext: b\n")  # 08:30 UTC
    repo.post(
        "expiring.yaml", "publish_at: 2026-11-28 15:00\nexpires_at: 2026-11-28 15:10\ntext: c\n"
    )
    repo.post("draft.yaml", "publish_at: 2026-11-20 10:00\ndraft: true\ntext: d\n")
    report = check(repo)
    assert found(report, "HP401") == [("posts/expiring.yaml", 1, 13), ("posts/old.yaml", 1, 13)]
    assert report.errors == 0


def test_same_text_to_same_account_within_a_week_warns(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\nto: pemkot-x\ntext: Jumat Bersih!\n")
    repo.post("b.yaml", "publish_at: 2026-12-05 08:00\nto: pemkot-x\ntext: Jumat Bersih!\n")
    repo.post("c.yaml", "publish_at: 2026-12-20 08:00\nto: pemkot-x\ntext: Jumat Bersih!\n")
    repo.post("d.yaml", "publish_at: 2026-12-05 08:00\nto: latihan\ntext: Jumat Bersih!\n")
    report = check(repo)
    assert found(report, "HP402") == [("posts/b.yaml", 3, 7)]


def test_daily_repeat_to_x_warns_weekly_does_not(repo: Repo) -> None:
    repo.post("daily.yaml", "repeat: '0 7 * * *'\nto: pemkot-x\ntext: Selamat pagi\n")
    repo.post("weekly.yaml", "repeat: '0 7 * * 5'\nto: pemkot-x\ntext: Jumat Bersih\n")
    report = check(repo)
    assert found(report, "HP402") == [("posts/daily.yaml", 1, 9)]


def test_repeat_first_occurrence_uses_crontab_weekdays(repo: Repo) -> None:
    # 2026-11-28 is a Saturday; `0` and `7` are Sunday, as in crontab.
    repo.post("sun.yaml", "repeat: '0 7 * * 0'\nto: pemkot-x\ntext: Minggu\n")
    repo.post("sun7.yaml", "repeat: '0 7 * * 7'\nto: pemkot-x\ntext: Minggu juga\n")
    repo.post("weekdays.yaml", "repeat: '0 7 * * 1-5'\nto: pemkot-x\ntext: Hari kerja\n")
    firsts = {p.id: p.deliveries[0].publish_at for p in check(repo).posts}
    assert firsts["sun"] == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert firsts["sun7"] == firsts["sun"]
    assert firsts["weekdays"] == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def test_repeat_that_never_fires_before_until_warns(repo: Repo) -> None:
    repo.post(
        "a.yaml",
        "publish_at: 2026-12-01 08:00\nrepeat: '0 7 1 1 *'\nuntil: 2026-12-31 00:00\ntext: a\n",
    )
    assert [p.code for p in check(repo).problems] == ["HP107"]


def test_two_files_with_the_same_id(repo: Repo) -> None:
    repo.post("a.yaml", "id: sama\npublish_at: 2026-12-01 08:00\ntext: a\n")
    repo.post("b.yaml", "id: sama\npublish_at: 2026-12-02 08:00\ntext: b\n")
    repo.post("sama.md", post_md("publish_at: 2026-12-03 08:00\n", "c"))
    report = check(repo)
    # Which file is the copy cannot be known: every file sharing the id is told.
    assert found(report, "HP112") == [
        ("posts/a.yaml", 1, 5),
        ("posts/b.yaml", 1, 5),
        ("posts/sama.md", 1, 1),
    ]
    message = next(p.message for p in report.problems if p.file == "posts/a.yaml")
    assert message == "post id 'sama' is also the id of posts/b.yaml, posts/sama.md"


def test_templates_and_hidden_files_are_ignored(repo: Repo) -> None:
    repo.post("_template.md", "not a post at all")
    repo.post(".draft.yaml", "- nope")
    repo.post("_notes/x.md", "nope")
    repo.post("foto.png", "not a post")
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00\ntext: a\n")
    report = check(repo)
    assert report.files == 1 and report.problems == []


def test_near_miss_suffixes_are_reported_and_upper_case_suffixes_read(repo: Repo) -> None:
    repo.post("pengumuman.markdown", "---\npublish_at: 2026-12-01 08:00\n---\nHalo\n")
    repo.post("catatan.txt", "Halo\n")
    repo.post("WINDOWS.MD", "---\npublish_at: 2026-12-02 08:00\n---\nHalo dari Windows\n")
    report = check(repo)
    assert [(p.file, p.code) for p in report.problems] == [
        ("posts/catatan.txt", "HP010"),
        ("posts/pengumuman.markdown", "HP010"),
    ]
    assert [p.id for p in report.posts] == ["WINDOWS"]


@pytest.mark.parametrize("bad", ["to: [nope]", "draft: ya"])
def test_one_bad_post_does_not_hide_others(repo: Repo, bad: str) -> None:
    repo.post("bad.yaml", f"publish_at: 2026-12-01 08:00\ntext: a\n{bad}\n")
    repo.post("good.yaml", "publish_at: 2026-12-01 08:00\ntext: b\n")
    report = check(repo)
    assert report.errors == 1
    assert "good" in [p.id for p in report.posts]


@pytest.mark.parametrize("expression", ["0 7 * *", "0 25 * * *", "@daily", "0 7 30 2 *"])
def test_invalid_repeat_is_reported_not_a_crash(repo: Repo, expression: str) -> None:
    repo.post("a.yaml", f"repeat: '{expression}'\nto: pemkot-x\ntext: a\n")
    report = check(repo)
    assert [p.code for p in report.problems] == ["HP107"]
