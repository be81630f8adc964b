"""Hints that fix the actual mistake: `humaspost check --format json` as CI runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from humaspost.log_location import log_path
from humaspost.publog import PublishLog
from tests.conftest import Repo, run_humaspost

FUTURE = "publish_at: 2027-01-05 08:00\n"
NOW = "2026-11-28 09:00"


def problems(repo: Repo, code: str) -> list[dict[str, Any]]:
    """The problems of one code that `check` reports for the repository."""
    result = run_humaspost("check", "--format", "json", "--now", NOW, cwd=repo.root)
    assert "Traceback" not in result.stderr
    found: list[dict[str, Any]] = json.loads(result.stdout)["problems"]
    return [p for p in found if p["code"] == code]


def where(problem: dict[str, Any]) -> tuple[str, int, int]:
    return problem["file"], problem["line"], problem["column"]


def media_post(path: str, alt: str = "Poster pasar murah") -> str:
    return f"{FUTURE}to: pemkot-x\ntext: Halo\nmedia:\n  - file: {path}\n    alt: {alt}\n"


def test_missing_media_suggests_the_file_of_that_name_elsewhere(repo: Repo) -> None:
    (repo.root / "media" / "2026").mkdir()
    repo.media("2026/poster.png")
    repo.post("2026/12/a.yaml", media_post("../media/poster.png"))
    (problem,) = problems(repo, "HP201")
    assert where(problem) == ("posts/2026/12/a.yaml", 5, 11)
    assert problem["hint"] == (
        "a file of that name is at '../../../media/2026/poster.png' "
        "(the path is relative to the post file)"
    )


def test_the_closest_of_several_files_is_suggested_and_capitals_are_found(repo: Repo) -> None:
    for folder in ("media/2026", "media/lama", "posts/arsip"):
        (repo.root / folder).mkdir(parents=True, exist_ok=True)
    repo.media("2026/Poster.PNG")
    repo.media("lama/poster.png")
    (repo.root / "posts" / "arsip" / "poster.png").write_bytes(b"")
    repo.post("a.yaml", media_post("../media/2026/poster.png"))
    (problem,) = problems(repo, "HP201")
    assert problem["hint"].startswith("a file of that name is at '../media/2026/Poster.PNG'")


def test_files_in_the_state_folder_and_git_are_not_suggested(repo: Repo) -> None:
    for folder in (".git", ".humaspost"):
        (repo.root / folder).mkdir()
        (repo.root / folder / "poster.png").write_bytes(b"")
    repo.post("a.yaml", media_post("../media/poster.png"))
    (problem,) = problems(repo, "HP201")
    assert problem["hint"] == "the path is relative to the post file"


@pytest.mark.parametrize(
    ("to", "column"),
    [("pemkot-x, pemkot-fb", 5), ("[pemkot-x pemkot-fb]", 6)],
)
def test_names_not_written_as_a_list_explain_the_list(repo: Repo, to: str, column: int) -> None:
    repo.post("a.yaml", f"{FUTURE}to: {to}\ntext: Halo\n")
    (problem,) = problems(repo, "HP103")
    assert where(problem) == ("posts/a.yaml", 2, column)
    assert problem["hint"] == (
        "several names go in a list, with commas between them: 'to: [pemkot-x, pemkot-fb]'"
    )


@pytest.mark.parametrize(
    ("zone", "utc"),
    [("WIB", "01:00"), ("WITA", "00:00"), ("wit", "23:00")],
)
def test_indonesian_zone_names_are_their_offsets(repo: Repo, zone: str, utc: str) -> None:
    repo.post("a.yaml", f"publish_at: 2026-12-01 08:00 {zone}\nto: pemkot-x\ntext: Halo\n")
    result = run_humaspost("check", "--format", "json", "--now", NOW, cwd=repo.root)
    data = json.loads(result.stdout)
    assert data["problems"] == []
    (delivery,) = data["posts_checked"][0]["deliveries"]
    assert delivery["publish_at"].split("T")[1].startswith(utc)


def test_another_zone_name_says_what_to_write(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2026-12-01 08:00 UTC\nto: pemkot-x\ntext: Halo\n")
    (problem,) = problems(repo, "HP105")
    assert where(problem) == ("posts/a.yaml", 1, 13)
    assert problem["message"] == (
        "'publish_at': '2026-12-01 08:00 UTC' names a zone humaspost does not know; write "
        "WIB, WITA or WIT, or an offset such as '2026-12-01 08:00+07:00', or nothing for "
        "local time"
    )


@pytest.mark.parametrize("repeat", ['"0 8 * * 8"', '"0 8 * * senin"', "senin"])
def test_a_bad_weekday_lists_the_names_and_numbers(repo: Repo, repeat: str) -> None:
    repo.post("a.yaml", f"to: pemkot-x\nrepeat: {repeat}\ntext: Halo\n")
    (problem,) = problems(repo, "HP107")
    assert where(problem) == ("posts/a.yaml", 2, 9)
    assert problem["hint"] == (
        "the day of the week (the 5th field) is a number or an English name: 0 or 7 = SUN "
        "(Minggu), 1 = MON (Senin), 2 = TUE (Selasa), 3 = WED (Rabu), 4 = THU (Kamis), "
        "5 = FRI (Jumat), 6 = SAT (Sabtu); e.g. '0 8 * * 1-5' is 08:00 Senin to Jumat"
    )


def test_other_bad_repeats_keep_the_general_example(repo: Repo) -> None:
    repo.post("a.yaml", 'to: pemkot-x\nrepeat: "0 25 * * 1"\ntext: Halo\n')
    (problem,) = problems(repo, "HP107")
    assert problem["hint"].startswith("e.g. '0 8 * * 1-5' is 08:00 Monday to Friday")


def test_an_alt_read_as_a_comment_says_so(repo: Repo) -> None:
    repo.media("poster.png")
    repo.post("a.yaml", media_post("../media/poster.png", alt="#Poster pasar murah"))
    (problem,) = problems(repo, "HP115")
    assert where(problem) == ("posts/a.yaml", 6, 5)
    assert problem["message"] == (
        "'#Poster pasar murah' is not part of the alt text: YAML reads it as a comment "
        "and drops it, so the alt text is empty"
    )
    assert problem["hint"] == 'put the whole alt text in quotes: alt: "#Poster pasar murah"'


def test_a_hashtag_cut_from_an_alt_says_so(repo: Repo) -> None:
    repo.media("poster.png")
    repo.post("a.yaml", media_post("../media/poster.png", alt="Poster #PasarMurah"))
    (problem,) = problems(repo, "HP115")
    assert where(problem) == ("posts/a.yaml", 6, 10)
    assert problem["message"] == (
        "'#PasarMurah' is not part of the alt text: YAML reads it as a comment and drops it"
    )
    assert problem["hint"] == 'put the whole alt text in quotes: alt: "Poster #PasarMurah"'


PAST = "publish_at: 2026-11-20 08:00\nto: pemkot-x\ntext: Halo\n"


def test_a_past_post_without_a_publish_log_may_have_gone_out(repo: Repo) -> None:
    repo.post("a.yaml", PAST)
    (problem,) = problems(repo, "HP401")
    assert where(problem) == ("posts/a.yaml", 1, 13)
    assert problem["hint"] == (
        "it may have been published by a server whose log is not here; "
        "if not, change publish_at to a time ahead"
    )


def test_a_past_post_with_a_publish_log_is_told_to_move(repo: Repo) -> None:
    repo.post("a.yaml", PAST)
    path = log_path(repo.config(), sandbox=False, environ={})
    assert isinstance(path, Path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with PublishLog(path):
        pass
    (problem,) = problems(repo, "HP401")
    assert problem["hint"] == "change publish_at to a time ahead"
