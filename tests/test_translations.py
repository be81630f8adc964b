"""Bahasa Indonesia: every message has a translation, the compiled catalog is current,
and the language is chosen as documented."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from humaspost import i18n
from humaspost.config import configured_language
from humaspost.problems import ConfigError
from tests.conftest import BASE_CONFIG, Repo, run_humaspost

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*(?:![rsa])?(?::[^}]*)?\}")


def _catalog_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalog", ROOT / "scripts" / "catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalog"] = module
    spec.loader.exec_module(module)
    return module


catalog = _catalog_script()


def test_every_message_the_code_can_show_has_an_indonesian_translation() -> None:
    known = catalog.translated(catalog.read_catalog(catalog.PO_FILE))
    missing = [
        (message.id, message.locations)
        for message in catalog.extracted()
        if message.id and catalog._key(message) not in known
    ]
    assert missing == [], "run: python scripts/catalog.py update, then translate these"


def test_the_compiled_catalog_is_the_po_file_compiled() -> None:
    po = catalog.read_catalog(catalog.PO_FILE)
    assert catalog.MO_FILE.read_bytes() == catalog.compiled(po), (
        "run: python scripts/catalog.py update"
    )


def test_translations_keep_every_placeholder_of_the_message() -> None:
    wrong = []
    for message in catalog.read_catalog(catalog.PO_FILE):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                wrong.append((ids[0], string))
    assert wrong == []


def test_indonesian_is_spoken_once_chosen_and_english_is_the_messages_as_written() -> None:
    try:
        i18n.use("id")
        assert i18n.current_language() == "id"
        assert i18n._("Print the version and exit.") != "Print the version and exit."
        i18n.use("en")
        assert i18n._("Print the version and exit.") == "Print the version and exit."
    finally:
        i18n.use("en")
    with pytest.raises(ValueError):
        i18n.use("fr")


@pytest.mark.parametrize(
    ("configured", "environ", "expected"),
    [
        ("id", {"HUMASPOST_LANG": "en", "LANG": "en_US.UTF-8"}, "id"),
        ("en", {"HUMASPOST_LANG": "id"}, "en"),
        (None, {"HUMASPOST_LANG": "id", "LANG": "en_US.UTF-8"}, "id"),
        (None, {"HUMASPOST_LANG": "ID "}, "id"),
        (None, {"HUMASPOST_LANG": "fr", "LANG": "id_ID.UTF-8"}, "id"),
        (None, {"LANGUAGE": "id:en", "LANG": "en_US.UTF-8"}, "id"),
        (None, {"LC_ALL": "en_GB.UTF-8", "LANG": "id_ID.UTF-8"}, "en"),
        (None, {"LANG": "id_ID.UTF-8"}, "id"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {}, "en"),
    ],
)
def test_the_language_is_the_configs_else_humaspost_lang_else_the_locale(
    configured: str | None, environ: dict[str, str], expected: str
) -> None:
    assert i18n.language_from(configured, environ) == expected


def test_a_config_names_its_language_and_an_unknown_one_is_a_located_error(repo: Repo) -> None:
    path = repo.write_config("language: id\n" + BASE_CONFIG)
    assert repo.config().language == "id"
    assert configured_language(path) == "id"
    repo.write_config("language: jawa\n" + BASE_CONFIG)
    with pytest.raises(ConfigError) as raised:
        repo.config()
    [problem] = raised.value.problems
    assert (problem.code, problem.line, problem.column) == ("HP503", 1, 11)
    assert "jawa" in problem.message


def test_a_config_that_cannot_be_read_names_no_language(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("language: [id\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- language: id\n", encoding="utf-8")
    assert configured_language(tmp_path / "broken.yaml") is None
    assert configured_language(tmp_path / "list.yaml") is None
    assert configured_language(tmp_path / "absent.yaml") is None


def test_help_is_in_the_configs_language_and_in_humaspost_lang_without_a_config(
    repo: Repo, tmp_path: Path
) -> None:
    english = run_humaspost("--help", cwd=repo.root)
    repo.write_config("language: id\n" + BASE_CONFIG)
    indonesian = run_humaspost("--help", cwd=repo.root)
    assert english.returncode == indonesian.returncode == 0
    assert "Print the version and exit." in english.stdout
    assert "Print the version and exit." not in indonesian.stdout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    by_env = run_humaspost("--config", str(repo.root / "humaspost.yaml"), "--help", cwd=elsewhere)
    assert by_env.stdout == indonesian.stdout
    no_config = run_humaspost("--help", cwd=elsewhere, env={"HUMASPOST_LANG": "id"})
    assert no_config.stdout == indonesian.stdout
