"""Who may post where: accounts and groups scoped to folders with `paths`.

A district officer who writes `to: kec-timur` (or a group holding it) in a file of
another office's folder gets an error at that name, and the post is never published;
the rule, the warnings around it (HP511, HP513) and the config's own mistakes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from humaspost import i18n, scoping
from humaspost.config import load_config
from humaspost.problems import ConfigError, Problem
from tests.conftest import Repo, run_humaspost
from tests.git_office import BARAT_OFFICER, CITY_EDITOR, OFFICES_CONFIG, TIMUR_OFFICER, GitOffice

NOW = "2026-12-01 08:00"
DUE = "2026-12-05 07:00"
BARAT = "posts/kecamatan/bekasi-barat"
TIMUR = "posts/kecamatan/bekasi-timur"
ERROR_LINE = re.compile(r"^(\S+):(\d+):(\d+): (error|warning)\[(HP\d+)\] (.*)$")


def problem_lines(output: str, code: str) -> list[tuple[str, int, int, str]]:
    """(file, line, column, message) of each problem `code` in check's text output."""
    found = []
    for line in output.splitlines():
        match = ERROR_LINE.match(line)
        if match and match.group(5) == code:
            found.append((match.group(1), int(match.group(2)), int(match.group(3)), match.group(6)))
    return found


def hints_after(output: str, header: str) -> str:
    """The hint shown under the problem line that starts with `header`."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    return next(line for line in lines[start + 1 :] if "= hint:" in line or "= saran:" in line)


@pytest.fixture
def office(tmp_path: Path) -> GitOffice:
    """The city office's repository with posts by two district offices, committed."""
    office = GitOffice(tmp_path / "humas")
    office.write(
        f"{BARAT}/2026/12/kerja-bakti.md",
        """\
        ---
        publish_at: 2026-12-05 07:00
        to: [kec-barat, kec-timur]
        ---
        Kerja bakti di RW 03 Bekasi Barat, Sabtu pagi.
        """,
    )
    office.write(
        f"{BARAT}/2026/12/posyandu.yaml",
        "publish_at: 2026-12-05 07:00\nto: semua-kecamatan\ntext: Posyandu balita, Sabtu.\n",
    )
    office.write(
        f"{BARAT}/2026/12/tanpa-to.yaml",
        "publish_at: 2026-12-05 07:00\ntext: Pengumuman tanpa tujuan.\n",
    )
    office.commit("Bekasi Barat: three posts", BARAT_OFFICER)
    office.write(
        f"{TIMUR}/2026/12/pasar-murah.yaml",
        "publish_at: 2026-12-05 07:00\nto: [kec-timur, berita-kecamatan]\ntext: Pasar murah.\n",
    )
    office.commit("Bekasi Timur: pasar murah", TIMUR_OFFICER)
    office.write(
        "posts/kota/2026/12/hari-jadi.yaml",
        "publish_at: 2026-12-05 07:00\nto: [pemkot-x, pemkot-fb, berita-kecamatan]\n"
        "text: Selamat hari jadi kota!\n",
    )
    office.commit("City: hari jadi", CITY_EDITOR)
    office.write(".github/CODEOWNERS", run_humaspost("codeowners", cwd=office.root).stdout)
    office.commit("CODEOWNERS from the config", CITY_EDITOR)
    return office


def test_a_post_to_another_offices_account_fails_check_at_the_name_in_to(
    office: GitOffice,
) -> None:
    checked = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert problem_lines(checked.stdout, "HP118") == [
        # Named itself: located at the name, in a .md front matter.
        (
            f"{BARAT}/2026/12/kerja-bakti.md",
            3,
            17,
            "account 'kec-timur' only takes posts from 'kecamatan/bekasi-timur/**'",
        ),
        # Through a group: at the group's name; the member that refuses is named.
        (
            f"{BARAT}/2026/12/posyandu.yaml",
            2,
            5,
            "group 'semua-kecamatan' includes 'kec-timur', which only takes posts from "
            "'kecamatan/bekasi-timur/**'",
        ),
        # No 'to': defaults.to applies, at 1:1.
        (
            f"{BARAT}/2026/12/tanpa-to.yaml",
            1,
            1,
            "this post has no 'to' and so goes to defaults.to, whose account 'kec-timur' "
            "only takes posts from 'kecamatan/bekasi-timur/**'",
        ),
        # The group's own paths leave the city's folder out, though its member takes it.
        (
            "posts/kota/2026/12/hari-jadi.yaml",
            2,
            27,
            "group 'berita-kecamatan' only takes posts from 'kecamatan/**'",
        ),
    ]
    # The hint names the accounts of the post's own folder.
    hint = hints_after(checked.stdout, f"{BARAT}/2026/12/kerja-bakti.md:3:17")
    assert hint.endswith("= hint: the accounts for this folder: pemkot-fb, kec-barat")
    hint = hints_after(checked.stdout, "posts/kota/2026/12/hari-jadi.yaml:2:27")
    assert hint.endswith("= hint: the accounts for this folder: pemkot-x, pemkot-fb")
    # Every account is scoped, CODEOWNERS is current, this is a checkout: no warning.
    assert "warning[" not in checked.stdout
    assert checked.stdout.endswith("✗ 5 files, 5 posts: 4 errors, 0 warnings\n")


def test_a_refused_post_is_never_published_and_the_others_are(office: GitOffice) -> None:
    sent = run_humaspost("publish", "--sandbox", "--now", DUE, cwd=office.root)
    assert sent.returncode == 1, sent.stdout + sent.stderr
    outbox = office.root / ".humaspost" / "sandbox"
    posted = sorted(
        (folder.name, json.loads(file.read_text())["text"])
        for folder in outbox.iterdir()
        for file in folder.glob("*.json")
    )
    # Only the Bekasi Timur post went out, to both its accounts; nothing reached
    # kec-timur from Bekasi Barat's folder.
    assert posted == [("kec-timur", "Pasar murah."), ("pemkot-fb", "Pasar murah.")]
    assert "kerja-bakti.md has errors" in sent.stderr


def test_a_post_in_its_own_folder_passes(tmp_path: Path) -> None:
    office = GitOffice(tmp_path / "humas")
    office.write(
        f"{TIMUR}/2026/12/senam.yaml",
        "publish_at: 2026-12-05 07:00\ntext: Senam pagi di kantor kecamatan.\n",
    )
    office.write(
        f"{TIMUR}/2026/12/posyandu.yaml",
        "publish_at: 2026-12-05 07:00\nto: [kec-timur, berita-kecamatan]\ntext: Posyandu.\n",
    )
    office.write(".github/CODEOWNERS", run_humaspost("codeowners", cwd=office.root).stdout)
    office.commit("Bekasi Timur's posts", TIMUR_OFFICER)
    checked = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout == "✓ 2 files, 2 posts: no problems\n"


def test_the_refusal_in_indonesian(office: GitOffice) -> None:
    checked = run_humaspost("check", "--now", NOW, cwd=office.root, env={"HUMASPOST_LANG": "id"})
    assert (
        f"{BARAT}/2026/12/kerja-bakti.md:3:17: galat[HP118] akun 'kec-timur' hanya menerima "
        "unggahan dari 'kecamatan/bekasi-timur/**'\n"
    ) in checked.stdout
    assert (
        f"{BARAT}/2026/12/posyandu.yaml:2:5: galat[HP118] grup 'semua-kecamatan' memuat "
        "'kec-timur', yang hanya menerima unggahan dari 'kecamatan/bekasi-timur/**'\n"
    ) in checked.stdout
    assert (
        f"{BARAT}/2026/12/tanpa-to.yaml:1:1: galat[HP118] unggahan ini tidak punya 'to' "
        "sehingga dikirim ke defaults.to, dan akun 'kec-timur' di sana hanya menerima "
        "unggahan dari 'kecamatan/bekasi-timur/**'\n"
    ) in checked.stdout
    assert "= saran: akun untuk folder ini: pemkot-fb, kec-barat\n" in checked.stdout


def test_through_a_group_in_defaults_to_the_groups_paths_apply(tmp_path: Path) -> None:
    config = OFFICES_CONFIG.replace("  to: [kec-timur]", "  to: [berita-kecamatan]")
    office = GitOffice(tmp_path / "humas", config)
    office.write("posts/kota/info.yaml", "publish_at: 2026-12-05 07:00\ntext: Info kota.\n")
    office.commit("a city post without 'to'", CITY_EDITOR)
    checked = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert problem_lines(checked.stdout, "HP118") == [
        (
            "posts/kota/info.yaml",
            1,
            1,
            "this post has no 'to' and so goes to defaults.to, whose group "
            "'berita-kecamatan' only takes posts from 'kecamatan/**'",
        )
    ]


def test_the_rule_matches_as_codeowners_does() -> None:
    timur = ("kecamatan/bekasi-timur/**",)
    assert scoping.takes(timur, "kecamatan/bekasi-timur/a.md")
    assert scoping.takes(timur, "kecamatan/bekasi-timur/2026/12/a.md")
    assert not scoping.takes(timur, "kecamatan/bekasi-timur-baru/a.md")
    assert not scoping.takes(timur, "kecamatan/Bekasi-Timur/a.md")  # capitals count
    assert not scoping.takes(timur, None)  # outside posts_dir
    one_level = ("kecamatan/*",)
    assert scoping.takes(one_level, "kecamatan/a.md")
    assert not scoping.takes(one_level, "kecamatan/bekasi-timur/a.md")
    assert scoping.takes(("**",), "a/b/c.md") and scoping.takes(("**",), "c.md")
    assert scoping.takes(("**/*.yaml",), "rutin/jumat.yaml")
    assert scoping.takes((), "anything.md")  # no paths: open to every folder


@pytest.mark.parametrize("language", ["en", "id"])
def test_accounts_left_open_beside_scoped_ones_are_warned_about_once(
    repo: Repo, language: str
) -> None:
    repo.write_config(
        """\
        accounts:
          pemkot-x:
            platform: sandbox
          kec-timur:
            platform: sandbox
            paths: [kecamatan/bekasi-timur/**]
          latihan:
            platform: sandbox
        """
    )
    for number in range(3):
        repo.post(
            f"kecamatan/bekasi-timur/{number}.yaml",
            "publish_at: 2027-01-05 08:00\nto: kec-timur\ntext: Halo\n",
        )
    checked = run_humaspost("check", "--now", NOW, cwd=repo.root, env={"HUMASPOST_LANG": language})
    assert checked.returncode == 0, checked.stdout
    lines = [line for line in checked.stdout.splitlines() if "HP511" in line]
    assert lines == [
        "humaspost.yaml:2:3: warning[HP511] accounts 'pemkot-x', 'latihan' have no 'paths': "
        "a post in any folder may go to them"
        if language == "en"
        else "humaspost.yaml:2:3: peringatan[HP511] akun 'pemkot-x', 'latihan' tidak punya "
        "'paths': unggahan dari folder mana pun boleh dikirim ke sana"
    ]
    # Not a git checkout either: HP513 says once that 'paths' rely on git review.
    assert [line for line in checked.stdout.splitlines() if "HP513" in line] == [
        "humaspost.yaml:1:1: warning[HP513] this folder is not a git checkout, but the "
        "config uses 'paths', which relies on git"
        if language == "en"
        else "humaspost.yaml:1:1: peringatan[HP513] folder ini bukan salinan kerja git, "
        "padahal konfigurasi memakai 'paths', yang bergantung pada git"
    ]


def test_no_scoping_warning_when_every_account_or_none_is_scoped(repo: Repo) -> None:
    assert repo.config().warnings == ()  # none scoped: the shared test config
    repo.write_config(
        """\
        accounts:
          kec-timur:
            platform: sandbox
            paths: [kecamatan/bekasi-timur/**]
          latihan:
            platform: sandbox
            paths: ["**"]
        """
    )
    assert repo.config().warnings == ()


def test_a_group_with_paths_leaves_its_accounts_open_when_they_are_named_directly(
    repo: Repo,
) -> None:
    repo.write_config(
        """\
        accounts:
          kec-timur-x:
            platform: sandbox
        groups:
          timur:
            accounts: [kec-timur-x]
            paths: [kecamatan/bekasi-timur/**]
        """
    )
    [warning] = repo.config().warnings
    assert warning.code == "HP511" and (warning.line, warning.column) == (2, 3)
    assert (
        warning.message == "account 'kec-timur-x' has no 'paths': a post in any folder may go to it"
    )


def test_git_settings_outside_git_are_warned_about_and_not_in_a_checkout(tmp_path: Path) -> None:
    office = GitOffice(tmp_path / "humas")
    office.write(".github/CODEOWNERS", run_humaspost("codeowners", cwd=office.root).stdout)
    inside = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert "HP513" not in inside.stdout and inside.returncode == 0, inside.stdout
    # The same folder without its .git (a copied folder, a downloaded archive).
    for path in sorted((office.root / ".git").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (office.root / ".git").rmdir()
    outside = run_humaspost("check", "--now", NOW, cwd=office.root)
    assert problem_lines(outside.stdout, "HP513") == [
        (
            "humaspost.yaml",
            1,
            1,
            "this folder is not a git checkout, but the config uses 'publish_from: "
            "committed', 'paths', 'owners', which rely on git",
        )
    ]
    # CODEOWNERS cannot be compared where git cannot say which repository this is.
    assert "HP512" not in outside.stdout


def config_problems(repo: Repo, text: str) -> list[Problem]:
    repo.write_config(text)
    with pytest.raises(ConfigError) as caught:
        repo.config()
    return caught.value.problems


ACCOUNT = "accounts:\n  kec-timur:\n    platform: sandbox\n"


@pytest.mark.parametrize(
    ("snippet", "code", "where", "message", "hint"),
    [
        (
            ACCOUNT + "    paths: [/kecamatan/bekasi-timur/**]\n",
            "HP503",
            (4, 13),
            "pattern '/kecamatan/bekasi-timur/**' starts with '/': 'paths' are relative to posts_dir",
            "write e.g. 'kecamatan/bekasi-timur/**'",
        ),
        (
            ACCOUNT + "    paths: [../media/**]\n",
            "HP503",
            (4, 13),
            "pattern '../media/**' has a '.' or '..' folder: 'paths' are folders of posts_dir",
            "write e.g. 'kecamatan/bekasi-timur/**'",
        ),
        (
            ACCOUNT + "    paths: ['kecamatan/[ab]*/**']\n",
            "HP503",
            (4, 13),
            "pattern 'kecamatan/[ab]*/**' uses '[', which GitHub's CODEOWNERS reads otherwise",
            "use only '/' between folders, and '*' (within one folder), '**' (any depth) "
            "and '?' as wildcards",
        ),
        (
            ACCOUNT + "    paths: ['kecamatan\\bekasi-timur\\**']\n",
            "HP503",
            (4, 13),
            "pattern 'kecamatan\\bekasi-timur\\**' uses '\\', which GitHub's CODEOWNERS reads otherwise",
            "use only '/' between folders, and '*' (within one folder), '**' (any depth) "
            "and '?' as wildcards",
        ),
        (
            ACCOUNT + "    paths: ['!kecamatan/**']\n",
            "HP503",
            (4, 13),
            "pattern '!kecamatan/**' uses '!', which GitHub's CODEOWNERS reads otherwise",
            "use only '/' between folders, and '*' (within one folder), '**' (any depth) "
            "and '?' as wildcards",
        ),
        (
            ACCOUNT + "    paths: [kecamatan/bekasi timur/**]\n",
            "HP503",
            (4, 13),
            "pattern 'kecamatan/bekasi timur/**' has a space, which a CODEOWNERS file cannot hold",
            "name the folder without spaces, e.g. with '-'",
        ),
        (
            ACCOUNT + "    paths: [kecamatan/bekasi-timur/]\n",
            "HP503",
            (4, 13),
            "pattern 'kecamatan/bekasi-timur/' ends with '/'",
            "write 'kecamatan/bekasi-timur/**' for every post in that folder",
        ),
        (
            ACCOUNT + "    paths: []\n",
            "HP503",
            (4, 12),
            "'paths' must list folders of posts_dir, e.g. 'kecamatan/bekasi-timur/**'",
            None,
        ),
        (
            ACCOUNT + "    paths: [kecamatan/**, 2026]\n",
            "HP503",
            (4, 27),
            "'paths' must list folders of posts_dir, e.g. 'kecamatan/bekasi-timur/**'",
            None,
        ),
        (
            ACCOUNT + "    paths: [kecamatan/**]\n    owners: [kota/humas-timur]\n",
            "HP503",
            (5, 14),
            "'kota/humas-timur' is not a GitHub user or team",
            "write '@kota/humas-timur', in quotes: YAML refuses a bare @",
        ),
        (
            ACCOUNT + "    paths: [kecamatan/**]\n    owners: ['budi@timur.example']\n",
            "HP503",
            (5, 14),
            "'budi@timur.example' is not a GitHub user or team",
            "a GitHub user is written '@name', a team '@organisation/team'",
        ),
        (
            ACCOUNT + "    owners: ['@kota/humas-timur']\n",
            "HP503",
            (4, 5),
            "'owners' needs 'paths': the owners review the posts in those folders",
            "add e.g. 'paths: [kecamatan/bekasi-timur/**]'",
        ),
        (
            ACCOUNT + "groups:\n  timur:\n    accounts: [kec-timur]\n    owner: ['@kota/humas']\n",
            "HP502",
            (7, 5),
            "unknown group setting 'owner'",
            "did you mean 'owners'?",
        ),
        (
            ACCOUNT + "groups:\n  timur:\n    paths: [kecamatan/**]\n",
            "HP503",
            (5, 3),
            "group 'timur' must list one or more accounts",
            "e.g. 'accounts: [kec-bekasi-timur-x, kec-bekasi-timur-fb]'",
        ),
        (
            ACCOUNT + "groups:\n  timur:\n    accounts: [kec-timur, kec-tim]\n",
            "HP506",
            (6, 27),
            "group 'timur' names unknown account 'kec-tim'",
            "did you mean 'kec-timur'?",
        ),
        (
            ACCOUNT + "owners: humas-kota\n",
            "HP503",
            (4, 9),
            "'humas-kota' is not a GitHub user or team",
            "write '@humas-kota', in quotes: YAML refuses a bare @",
        ),
        (
            ACCOUNT + "publish_from: git\n",
            "HP503",
            (4, 15),
            "unknown publish_from 'git'",
            "'publish_from: committed' (only what the checked-out commit has) or "
            "'publish_from: working-tree' (the files as they are)",
        ),
    ],
)
def test_mistakes_in_the_new_settings_are_located(
    repo: Repo,
    snippet: str,
    code: str,
    where: tuple[int, int],
    message: str,
    hint: str | None,
) -> None:
    [problem] = config_problems(repo, snippet)
    assert (problem.code, (problem.line, problem.column)) == (code, where)
    assert (problem.message, problem.hint) == (message, hint)


def test_a_pattern_naming_a_folder_itself_is_refused(repo: Repo) -> None:
    (repo.posts / "kecamatan" / "bekasi-timur").mkdir(parents=True)
    [problem] = config_problems(repo, ACCOUNT + "    paths: [kecamatan/bekasi-timur]\n")
    assert problem.message == "pattern 'kecamatan/bekasi-timur' names a folder, not the posts in it"
    assert problem.hint == "write 'kecamatan/bekasi-timur/**' for every post in that folder"


def test_the_new_settings_are_read(repo: Repo) -> None:
    repo.write_config(OFFICES_CONFIG)
    config = load_config(repo.root / "humaspost.yaml")
    assert config.publish_from == "committed" and config.owners == ("@pemkot-bekasi/humas",)
    assert config.accounts["kec-barat"].paths == ("kecamatan/bekasi-barat/**",)
    assert config.accounts["kec-barat"].owners == (
        "@pemkot-bekasi/humas-bekasi-barat",
        "@siti-barat",
    )
    assert config.accounts["pemkot-fb"].owners == ()
    assert config.groups == {
        "semua-kecamatan": ("kec-timur", "kec-barat"),
        "berita-kecamatan": ("pemkot-fb",),
    }
    assert config.group_paths == {"berita-kecamatan": ("kecamatan/**",)}
    assert config.group_owners == {"berita-kecamatan": ("@pemkot-bekasi/redaksi",)}
    assert (config.default_names, config.default_to) == (("kec-timur",), ("kec-timur",))
    # Without the key, a checkout publishes its files as they are (laptops, training).
    assert Repo(repo.root.parent / "other").config().publish_from == "working-tree"


def test_config_mistakes_in_indonesian(repo: Repo) -> None:
    try:
        i18n.use("id")
        [problem] = config_problems(repo, ACCOUNT + "    paths: [/kecamatan/**]\n")
    finally:
        i18n.use("en")
    assert problem.message == (
        "pola '/kecamatan/**' diawali '/': 'paths' ditulis relatif terhadap posts_dir"
    )
    assert problem.hint == "tulis misalnya 'kecamatan/bekasi-timur/**'"
