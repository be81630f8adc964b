"""Reading post files speaks Bahasa Indonesia when asked: the problems of YAML, fields and
times, and the schema's hover help; codes, places, field names and English unchanged."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from humaspost import i18n, yamlpos
from humaspost.times import TimeFormatError, parse_datetime, parse_duration
from humaspost.yamlpos import YamlProblem, load_located
from tests.conftest import Repo, run_humaspost

NOW = "2026-11-28 09:00"
INDONESIAN = {"HUMASPOST_LANG": "id"}
JAKARTA = ZoneInfo("Asia/Jakarta")


def problems(repo: Repo, env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """`check --format json`'s problems, by file name under posts/."""
    result = run_humaspost("check", "--format", "json", "--now", NOW, cwd=repo.root, env=env)
    assert "Traceback" not in result.stderr
    found = json.loads(result.stdout)["problems"]
    return {p["file"].removeprefix("posts/"): p for p in found}


def place(problem: dict[str, Any]) -> tuple[str, int, int]:
    return problem["code"], problem["line"], problem["column"]


@pytest.fixture
def indonesian() -> Iterator[None]:
    """Speak Indonesian in this process for one test."""
    try:
        i18n.use("id")
        yield
    finally:
        i18n.use("en")


def bad_posts(repo: Repo) -> None:
    """One post file for each kind of reading problem."""
    repo.post("titik-dua.yaml", "publish_at: 2027-01-05 08:00\ntext: Rapat: besok pagi\n")
    repo.post("tab.yaml", "publish_at: 2027-01-05 08:00\nto:\n\t- pemkot-x\ntext: Halo\n")
    repo.post("ganda.yaml", "publish_at: 2027-01-05 08:00\ntext: a\ntext: b\n")
    repo.post("salah-ketik.yaml", "publish_at: 2027-01-05 08:00\ntxt: Halo\n")
    repo.post("draf.yaml", "publish_at: 2027-01-05 08:00\ntext: Halo\ndraft: ya\n")
    repo.post("zona.yaml", "publish_at: 2027-01-05 08:00 UTC\ntext: Halo\n")
    repo.post("hari.yaml", 'repeat: "0 8 * * senin"\ntext: Halo\n')
    (repo.posts / "latin.yaml").write_bytes(b"publish_at: 2027-01-05 08:00\ntext: caf\xe9\n")


def test_problems_of_reading_posts_are_in_indonesian_at_the_same_places(repo: Repo) -> None:
    bad_posts(repo)
    english, indonesian = problems(repo), problems(repo, INDONESIAN)
    assert {name: place(p) for name, p in indonesian.items()} == {
        name: place(p) for name, p in english.items()
    }
    said = {name: (p["message"], p.get("hint", "")) for name, p in indonesian.items()}
    assert said["titik-dua.yaml"] == (
        "galat sintaks YAML: pasangan 'nama: nilai' tidak boleh ada di sini",
        "beri tanda kutip pada teks yang berisi ': ', atau gunakan blok: 'text: |' lalu "
        "buat teksnya menjorok ke dalam",
    )
    assert said["tab.yaml"] == (
        "galat sintaks YAML: ada karakter yang tidak boleh mengawali token saat mencari "
        "token berikutnya",
        "buat indentasi dengan spasi, bukan tab",
    )
    assert said["ganda.yaml"][0] == "kunci 'text' ditulis dua kali (pertama kali di baris 2)"
    assert said["salah-ketik.yaml"] == ("kolom 'txt' tidak dikenal", "mungkin maksudnya 'text'?")
    assert said["draf.yaml"][0] == "'draft' harus berupa true atau false, bukan 'ya'"
    assert said["zona.yaml"][0] == (
        "'publish_at': '2027-01-05 08:00 UTC' memakai zona yang tidak dikenal humaspost; "
        "tulis WIB, WITA atau WIT, atau offset seperti '2027-01-05 08:00+07:00', atau tanpa "
        "zona untuk waktu setempat"
    )
    assert said["hari.yaml"][0] == "'repeat: 0 8 * * senin': hari dalam minggu tidak valid"
    assert said["hari.yaml"][1].startswith(
        "hari dalam minggu (bagian ke-5) ditulis dengan angka atau nama hari dalam bahasa "
        "Inggris: 0 atau 7 = SUN (Minggu), 1 = MON (Senin)"
    )
    assert said["latin.yaml"] == (
        "berkas ini bukan teks UTF-8 (byte 0xe9)",
        "simpan berkas sebagai UTF-8 di editor",
    )


def test_english_problems_of_reading_posts_are_unchanged(repo: Repo) -> None:
    bad_posts(repo)
    said = {name: (p["message"], p.get("hint", "")) for name, p in problems(repo).items()}
    assert said["titik-dua.yaml"] == (
        "YAML syntax error: mapping values are not allowed in this context",
        "put text containing ': ' in quotes, or use a block: 'text: |' and indent the text",
    )
    assert said["tab.yaml"][0] == (
        "YAML syntax error: found character that cannot start any token while scanning "
        "for the next token"
    )
    assert said["ganda.yaml"][0] == "duplicate key 'text' (first written on line 2)"
    assert said["salah-ketik.yaml"] == ("unknown field 'txt'", "did you mean 'text'?")
    assert said["draf.yaml"][0] == "'draft' must be true or false, not 'ya'"
    assert said["hari.yaml"][0] == "'repeat: 0 8 * * senin' bad day-of-week"
    assert said["latin.yaml"][0] == "the file is not UTF-8 text (byte 0xe9)"


def test_the_text_output_of_check_is_indonesian_too(repo: Repo) -> None:
    repo.post("a.yaml", "publish_at: 2027-01-05 08:00\ntext: Halo\nthread: [a, b]\n")
    result = run_humaspost("check", "--now", NOW, cwd=repo.root, env=INDONESIAN)
    assert (
        "posts/a.yaml:3:1: galat[HP111] unggahan memiliki 'text' atau 'thread', tidak keduanya"
        in result.stdout
    )


def test_files_that_are_not_plain_are_refused_in_indonesian(repo: Repo) -> None:
    (repo.root / "lain.yaml").write_text("text: Halo\n", encoding="utf-8")
    (repo.posts / "tautan.yaml").symlink_to("../lain.yaml")
    os.mkfifo(repo.posts / "pipa.yaml")
    found = problems(repo, INDONESIAN)
    assert {name: place(p) for name, p in found.items()} == {
        "tautan.yaml": ("HP013", 1, 1),
        "pipa.yaml": ("HP013", 1, 1),
    }
    assert (found["tautan.yaml"]["message"], found["tautan.yaml"]["hint"]) == (
        "bukan berkas biasa: ini adalah tautan",
        "letakkan berkasnya sendiri di sini, bukan tautan",
    )
    assert (found["pipa.yaml"]["message"], found["pipa.yaml"]["hint"]) == (
        "bukan berkas biasa: ini adalah FIFO (named pipe)",
        "humaspost hanya membaca berkas biasa",
    )


def test_a_phrase_of_pyyaml_without_libyaml_is_translated_too(
    indonesian: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyYAML's own parser (where libyaml is not installed) words errors differently.
    monkeypatch.setattr(yamlpos, "_Loader", yaml.SafeLoader)
    with pytest.raises(YamlProblem) as tab:
        load_located("to:\n\t- pemkot-x\n")
    assert tab.value.message == (
        "galat sintaks YAML: ada karakter '\\t' yang tidak boleh mengawali token saat "
        "mencari token berikutnya"
    )
    with pytest.raises(YamlProblem) as colon:
        load_located("text: Rapat: besok\n")
    assert (
        colon.value.message == "galat sintaks YAML: pasangan 'nama: nilai' tidak boleh ada di sini"
    )


def test_a_phrase_of_libyaml_not_in_the_catalog_stays_english(indonesian: None) -> None:
    with pytest.raises(YamlProblem) as raised:
        load_located("%FOO\n---\na: b\n")
    assert raised.value.message == (
        "galat sintaks YAML: found unknown directive name while scanning a directive"
    )


def test_times_and_durations_are_refused_in_indonesian(indonesian: None) -> None:
    with pytest.raises(TimeFormatError) as impossible:
        parse_datetime("2027-02-30 08:00", JAKARTA)
    assert str(impossible.value) == (
        "'2027-02-30 08:00' bukan tanggal atau waktu yang ada (bulan itu tidak punya "
        "tanggal tersebut)"
    )
    with pytest.raises(TimeFormatError) as duration:
        parse_duration("dua jam")
    assert str(duration.value) == "'dua jam' bukan durasi; tulis angka dan satuan: 30m, 2h, 1d"


def _shape(node: Any) -> Any:
    """A schema without its descriptions and title: its keys and structure."""
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items() if k not in ("description", "title")}
    if isinstance(node, list):
        return [_shape(item) for item in node]
    return node


def test_the_schemas_hover_help_follows_the_language_and_its_structure_does_not(
    repo: Repo,
) -> None:
    english = json.loads(run_humaspost("schema", cwd=repo.root).stdout)
    indonesian = json.loads(run_humaspost("schema", cwd=repo.root, env=INDONESIAN).stdout)
    assert _shape(indonesian) == _shape(english)
    publish_at = indonesian["properties"]["publish_at"]["description"]
    assert publish_at.startswith("Kapan diterbitkan. Tulis tanggal, spasi, lalu jam")
    assert indonesian["properties"]["facebook"]["properties"]["link"]["description"] == (
        "Halaman web (https://...) yang dilampirkan pada unggahan di akun Facebook."
    )
    assert english["properties"]["publish_at"]["description"].startswith(
        "When to publish. Write the date, a space and the time"
    )
