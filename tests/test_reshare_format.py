"""Re-sharing in post files: `amplify:` and `repost:`, read and checked with located
errors (HP119-HP124), and posts without them as before."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from humaspost.checks import CheckReport
from humaspost.posts import Amplify, LoadResult, load_post
from humaspost.repository import post_files
from humaspost.reshare import RepostTarget, repost_target
from tests.conftest import BASE_CONFIG, NOW, Repo, run_humaspost
from tests.every_way import run_check_every_way
from tests.test_plugins import install_plugin

X_ACCOUNT = """\
    platform: twitter
    consumer_key: ${X_KEY}
    consumer_secret: ${X_SECRET}
    access_token: ${X_TOKEN}
    access_token_secret: ${X_TOKEN_SECRET}
"""
# The base accounts, with district accounts on X too and a group mixing platforms.
CONFIG = BASE_CONFIG.replace(
    "  latihan:\n    platform: sandbox\n",
    "  latihan:\n    platform: sandbox\n"
    "  latihan-fb:\n    platform: sandbox\n    like: facebook\n"
    f"  kec-timur-x:\n{X_ACCOUNT}  kec-barat-x:\n{X_ACCOUNT}",
).replace(
    "  semua-kecamatan: [kec-timur, kec-barat]\n",
    "  semua-kecamatan: [kec-timur, kec-barat]\n"
    "  kecamatan-x: [kec-timur-x, kec-barat-x]\n"
    "  semua: [kec-timur, kec-barat, kec-timur-x, kec-barat-x]\n",
)
X_URL = "https://x.com/pemkotbekasi/status/1864000000000000000"
FB_URL = "https://www.facebook.com/pemkotbekasi/posts/pfbid02abcXYZ"

Found = tuple[str, int | None, int | None, str, str]


@pytest.fixture
def office(repo: Repo) -> Repo:
    repo.write_config(CONFIG)
    return repo


def load(repo: Repo, name: str, text: str) -> LoadResult:
    path = repo.post(name, text)
    config = repo.config()
    return load_post(path, f"posts/{name}", config.posts_dir, config.timezone)


def check(repo: Repo) -> CheckReport:
    config = repo.config()
    return run_check_every_way(config, post_files(config.posts_dir, [], repo.root), NOW)


def errors(report: CheckReport | LoadResult) -> list[Found]:
    """(file, line, column, code, message) of each error."""
    return [
        (p.file, p.line, p.column, p.code, p.message)
        for p in report.problems
        if p.severity.value == "error"
    ]


def amplified(amplify: str, to: str = "[pemkot-x, pemkot-fb]") -> str:
    return f"---\npublish_at: 2026-12-01 08:00\nto: {to}\namplify:\n{amplify}---\nHalo warga.\n"


# Reading


def test_amplify_is_read_with_names_as_written_and_durations(office: Repo) -> None:
    result = load(
        office,
        "a.md",
        amplified("  by: [semua-kecamatan, kec-timur-x]\n  after: 15m\n  spread: 1h\n"),
    )
    assert result.problems == []
    assert result.post is not None
    assert result.post.amplify == Amplify(
        ("semua-kecamatan", "kec-timur-x"), timedelta(minutes=15), timedelta(hours=1), None
    )
    assert result.post.repost is None
    span = result.post.span(("amplify", "by", 1))
    assert span is not None and (span.line, span.column) == (5, 25)


def test_amplify_defaults_are_ten_minutes_and_no_spread(office: Repo) -> None:
    result = load(office, "a.yaml", "publish_at: 2026-12-01 08:00\ntext: a\namplify: {by: semua}\n")
    assert result.post is not None
    assert result.post.amplify == Amplify(("semua",), timedelta(minutes=10), timedelta(0), None)


def test_amplify_text_is_kept_without_html_comments(office: Repo) -> None:
    result = load(
        office, "a.md", amplified("  by: semua-kecamatan\n  text: Simak ya <!-- cek -->\n")
    )
    assert result.post is not None and result.post.amplify is not None
    assert result.post.amplify.text == "Simak ya"


def test_a_post_without_the_fields_has_neither(office: Repo) -> None:
    result = load(office, "a.yaml", "publish_at: 2026-12-01 08:00\ntext: a\n")
    assert result.post is not None
    assert (result.post.amplify, result.post.repost) == (None, None)


def test_repost_is_read_with_an_optional_comment(office: Repo) -> None:
    result = load(
        office,
        "r.yaml",
        f"publish_at: 2026-12-01 08:00\nto: semua-kecamatan\nrepost: {FB_URL}\n"
        "text: Simak info dari Pemkot.\n",
    )
    assert result.problems == []
    assert result.post is not None
    assert result.post.repost == FB_URL
    assert result.post.content.parts == ("Simak info dari Pemkot.",)


def test_a_md_repost_may_have_an_empty_body(office: Repo) -> None:
    result = load(
        office, "r.md", f"---\npublish_at: 2026-12-01 08:00\nto: pemkot-x\nrepost: {X_URL}\n---\n"
    )
    assert result.problems == []
    assert result.post is not None and result.post.content.parts is None


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (X_URL, RepostTarget("twitter", "1864000000000000000")),
        ("https://twitter.com/pemkot_bks/status/12345/?s=20", RepostTarget("twitter", "12345")),
        (FB_URL, RepostTarget("facebook", "pfbid02abcXYZ")),
        (
            "https://www.facebook.com/104857600000000/posts/998877",
            RepostTarget("facebook", "104857600000000_998877"),
        ),
        (
            "https://www.facebook.com/permalink.php?story_fbid=998877&id=104857600000000",
            RepostTarget("facebook", "104857600000000_998877"),
        ),
        (
            "https://www.facebook.com/104857600000000_998877",
            RepostTarget("facebook", "104857600000000_998877"),
        ),
        ("https://x.com/pemkotbekasi", None),
        ("http://x.com/pemkotbekasi/status/1864000000000000000", None),
        ("https://www.facebook.com/pemkotbekasi", None),
        ("https://www.facebook.com/photo.php?fbid=1", None),
        ("https://www.facebook.com/permalink.php?story_fbid=998877", None),
        ("https://bit.ly/3abcd", None),
        ("https://x.com.evil.example/a/status/1", None),
    ],
)
def test_repost_addresses(url: str, target: RepostTarget | None) -> None:
    assert repost_target(url) == target


# Errors one file shows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            amplified("  by: semua-kecamatan\n  after: 10 menit\n"),
            (6, 10, "HP102", "'amplify.after': '10 menit' is not a duration; write a number "
             "and a unit: 30m, 2h, 1d"),
        ),
        (
            amplified("  by: semua-kecamatan\n  spread: -5m\n"),
            (6, 11, "HP102", "'amplify.spread': '-5m' is not a duration; write a number and "
             "a unit: 30m, 2h, 1d"),
        ),
        (
            amplified("  by: semua-kecamatan\n  spread: 30\n"),
            (6, 11, "HP102", "'amplify.spread' must be text, not 30"),
        ),
        (
            amplified("  by: semua-kecamatan\n  colour: red\n"),
            (6, 3, "HP101", "unknown field 'colour'"),
        ),
        (
            amplified("  by: 5\n"),
            (5, 7, "HP102", "'amplify.by' must be an account or group name, or a list of "
             "them, not 5"),
        ),
        (
            amplified("  by: [kec-timur, 7]\n"),
            (5, 19, "HP102", "'amplify.by[2]' must be text, not 7"),
        ),
        (
            "publish_at: 2026-12-01 08:00\ntext: a\namplify: semua-kecamatan\n",
            (3, 10, "HP102", "'amplify' must be a mapping of fields (by, after, spread, text), "
             "not 'semua-kecamatan'"),
        ),
        (
            "publish_at: 2026-12-01 08:00\ntext: a\namplify: {after: 5m}\n",
            (3, 10, "HP104", "'by' is missing here"),
        ),
        (
            amplified("  by:\n"),
            (5, 3, "HP110", "'amplify.by' has no value"),
        ),
        (
            amplified("  by: []\n"),
            (5, 7, "HP110", "'amplify.by' has no value"),
        ),
        (
            amplified("  by: semua-kecamatan\n  after:\n"),
            (6, 3, "HP110", "'amplify.after' has no value"),
        ),
        (
            "publish_at: 2026-12-01 08:00\ntext: a\namplify:\n",
            (3, 1, "HP110", "'amplify' has no value"),
        ),
        (
            "publish_at: 2026-12-01 08:00\nto: pemkot-x\nrepost: 1864000000000000000\n",
            (3, 9, "HP102", "'repost' must be text, not 1864000000000000000"),
        ),
        (
            "publish_at: 2026-12-01 08:00\nto: pemkot-x\nrepost: https://x.com/pemkotbekasi\n",
            (3, 9, "HP122", "'repost: https://x.com/pemkotbekasi' is not the address of an X "
             "post or a Facebook post"),
        ),
        (
            f"publish_at: 2026-12-01 08:00\nto: pemkot-x\nrepost: {X_URL}\n"
            "media:\n  - file: ../media/a.png\n    alt: Poster\n",
            (4, 1, "HP111", "'media' in a repost: a repost sends no content of its own"),
        ),
        (
            f"publish_at: 2026-12-01 08:00\nto: pemkot-x\nrepost: {X_URL}\nthread: [a, b]\n",
            (4, 1, "HP111", "'thread' in a repost: a repost sends no content of its own"),
        ),
        (
            f"publish_at: 2026-12-01 08:00\nto: pemkot-fb\nrepost: {FB_URL}\n"
            "facebook:\n  link: https://bekasikota.go.id\n",
            (4, 1, "HP111", "'facebook' in a repost: a repost sends no content of its own"),
        ),
        (
            f"publish_at: 2026-12-01 08:00\nto: pemkot-x\nrepost: {X_URL}\n"
            "amplify: {by: kec-timur-x}\n",
            (4, 1, "HP123", "a post has either 'amplify' or 'repost', not both"),
        ),
    ],
)  # fmt: skip
def test_located_errors_of_the_fields(
    office: Repo, text: str, expected: tuple[int, int, str, str]
) -> None:
    name = "a.md" if text.startswith("---") else "a.yaml"
    office.media("a.png")
    result = load(office, name, text)
    assert errors(result) == [(f"posts/{name}", *expected)]
    # `check` reports the same, and nothing about the parts it could not read.
    assert errors(check(office)) == [(f"posts/{name}", *expected)]


# Errors that need the configuration


def test_a_post_amplified_by_groups_checks_clean(office: Repo) -> None:
    office.post("a.md", amplified("  by: semua\n  spread: 30m\n"))
    office.post("s.md", amplified("  by: latihan-fb\n  after: 0m\n", to="[latihan, pemkot-x]"))
    office.post(
        "b.md", amplified("  by: semua-kecamatan\n  text: Simak ya\n", to="[pemkot-x, pemkot-fb]")
    )
    assert errors(check(office)) == []


def test_unknown_name_in_by(office: Repo) -> None:
    office.post("a.md", amplified("  by: [kec-timr, semua-kecamatan]\n"))
    office.post("b.md", amplified("  by: kec-timur kec-barat\n"))
    report = check(office)
    assert errors(report) == [
        ("posts/a.md", 5, 8, "HP119", "unknown account or group 'kec-timr' in 'amplify.by'"),
        ("posts/b.md", 5, 7, "HP119",
         "unknown account or group 'kec-timur kec-barat' in 'amplify.by'"),
    ]  # fmt: skip
    hints = [p.hint for p in report.problems if p.code == "HP119"]
    assert hints == [
        "did you mean 'kec-timur'?",
        "several names go in a list, with commas between them: 'by: [kec-timur, kec-barat]'",
    ]


def test_an_account_in_by_on_a_platform_the_post_does_not_go_to(office: Repo) -> None:
    office.post("a.md", amplified("  by: [kec-timur, kec-timur-x]\n", to="pemkot-fb"))
    # A group all on another platform has nothing to re-share either.
    office.post("b.md", amplified("  by: kecamatan-x\n", to="pemkot-fb"))
    # A group mixing platforms re-shares on those the post goes to: no error.
    office.post("c.md", amplified("  by: semua\n", to="pemkot-fb"))
    # A sandbox account re-shares sandbox posts, never a real account's.
    office.post("d.md", amplified("  by: latihan\n", to="pemkot-fb"))
    assert errors(check(office)) == [
        ("posts/a.md", 5, 19, "HP120", "'kec-timur-x' is a twitter account, and the post goes "
         "to no twitter account: it has nothing to re-share"),
        ("posts/b.md", 5, 7, "HP120", "no account of group 'kecamatan-x' is on a platform the "
         "post goes to: they have nothing to re-share"),
        ("posts/d.md", 5, 7, "HP120", "'latihan' is a sandbox account, and the post goes to "
         "no sandbox account: it has nothing to re-share"),
    ]  # fmt: skip


def test_a_comment_with_x_reshares(office: Repo) -> None:
    office.post("a.md", amplified("  by: semua\n  text: Simak ya\n"))
    # Only Facebook pages re-share a post that goes to Facebook only: the comment is fine.
    office.post("b.md", amplified("  by: semua\n  text: Simak ya\n", to="pemkot-fb"))
    assert errors(check(office)) == [
        ("posts/a.md", 6, 9, "HP121", "'amplify.text' cannot go with the re-shares of X "
         "accounts ('kec-timur-x', 'kec-barat-x'): an X repost carries no text (a quote post "
         "needs X's Enterprise plan)"),
    ]  # fmt: skip


def test_an_account_both_in_to_and_in_by(office: Repo) -> None:
    office.post("a.md", amplified("  by: [kec-timur, pemkot-fb]\n"))
    office.post("b.md", amplified("  by: semua-kecamatan\n", to="[pemkot-x, kec-barat]"))
    assert errors(check(office)) == [
        ("posts/a.md", 5, 19, "HP123",
         "'pemkot-fb' is in both 'to' and 'amplify.by': it would re-share its own post"),
        ("posts/b.md", 5, 7, "HP123", "group 'semua-kecamatan' in 'amplify.by' includes "
         "'kec-barat', which is also in 'to': it would re-share its own post"),
    ]  # fmt: skip


def test_repost_to_accounts_of_its_platform(office: Repo) -> None:
    office.post(
        "fb.yaml",
        f"publish_at: 2026-12-01 08:00\nto: [semua-kecamatan, latihan, latihan-fb]\n"
        f"repost: {FB_URL}\ntext: Simak.\n",
    )
    office.post(
        "x.yaml", f"publish_at: 2026-12-01 08:00\nto: [kecamatan-x, latihan]\nrepost: {X_URL}\n"
    )
    report = check(office)
    assert errors(report) == []
    by_id = {post.id: post for post in report.posts}
    assert [(d.account, len(d.parts), d.media) for d in by_id["x"].deliveries] == [
        ("kec-timur-x", 0, 0),
        ("kec-barat-x", 0, 0),
        ("latihan", 0, 0),
    ]


def test_repost_of_another_platform_or_with_a_comment_on_x(office: Repo) -> None:
    office.post(
        "x.yaml",
        f"publish_at: 2026-12-01 08:00\nto: [pemkot-x, kec-timur, latihan-fb]\n"
        f"repost: {X_URL}\ntext: Simak.\n",
    )
    office.post("fb.yaml", f"publish_at: 2026-12-01 08:00\nrepost: {FB_URL}\n")
    assert errors(check(office)) == [
        ("posts/fb.yaml", 2, 9, "HP122", "'repost' is a Facebook post, which the twitter "
         "account 'pemkot-x' cannot re-share"),
        ("posts/x.yaml", 3, 9, "HP122", "'repost' is an X post, which the facebook account "
         "'kec-timur' cannot re-share"),
        ("posts/x.yaml", 3, 9, "HP122", "'repost' is an X post, which the facebook account "
         "'latihan-fb' cannot re-share"),
        ("posts/x.yaml", 4, 7, "HP121", "a repost of an X post carries no text (a quote post "
         "needs X's Enterprise plan); 'text' would not be published"),
    ]  # fmt: skip


def test_a_plugin_without_repost_cannot_reshare(repo: Repo, tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(install_plugin(tmp_path / "plugin"))}
    repo.write_config(
        "accounts:\n"
        "  papan-a: {platform: echo, channel: balai-kota}\n"
        "  papan-b: {platform: echo, channel: kecamatan}\n"
    )
    repo.post(
        "a.yaml", "publish_at: 2027-12-01 08:00\nto: papan-a\ntext: Halo\namplify: {by: papan-b}\n"
    )
    repo.post("b.yaml", f"publish_at: 2027-12-01 08:00\nto: papan-a\nrepost: {X_URL}\n")
    result = run_humaspost("check", "--format", "json", cwd=repo.root, env=env)
    assert result.returncode == 1, result.stderr
    found = [
        (p["file"], p["line"], p["column"], p["code"], p["message"])
        for p in json.loads(result.stdout)["problems"]
        if p["code"] == "HP124"
    ]
    assert found == [
        ("posts/a.yaml", 4, 15, "HP124", "'papan-b' is on platform 'echo', which cannot "
         "re-share posts (its plugin has no 'repost')"),
        ("posts/b.yaml", 3, 9, "HP124", "'papan-a' is on platform 'echo', which cannot "
         "re-share posts (its plugin has no 'repost')"),
    ]  # fmt: skip


# Posts without the fields


def test_check_json_and_preview_of_a_post_without_the_fields_are_unchanged(
    office: Repo,
) -> None:
    office.post("a.yaml", "publish_at: 2027-12-01 08:00\ntext: Halo warga\n")
    result = run_humaspost("check", "--format", "json", cwd=office.root)
    assert result.returncode == 0, result.stderr
    (post,) = json.loads(result.stdout)["posts_checked"]
    assert set(post["deliveries"][0]) == {
        "account", "platform", "publish_at", "repeat", "draft", "parts", "media",
    }  # fmt: skip
    preview = run_humaspost("preview", "posts/a.yaml", cwd=office.root)
    assert preview.returncode == 0, preview.stderr
    for word in ("amplify", "repost", "re-share"):
        assert word not in preview.stdout
